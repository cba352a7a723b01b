"""``python -m indexer PATH...``: ingest budget files into Elasticsearch.

Exit codes (API.md): 0 every file indexed; 1 some files failed (the rest are indexed);
2 bad usage, or Elasticsearch cannot be reached.
"""

import argparse
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from elasticsearch import ApiError, Elasticsearch, TransportError

from indexer import segment
from indexer.admin import ensure_index
from indexer.es import is_reachable, make_client
from indexer.pipeline import (
    BulkLoad,
    FileOutcome,
    Progress,
    default_workers,
    index_prepared,
    prepared_files,
)
from indexer.settings import Settings, get_settings
from indexer.sources import UsageError, find_sources

EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE = 0, 1, 2


@dataclass
class FileResult:
    path: Path
    records: int = 0
    error: str | None = None


@dataclass
class Report:
    files: list[FileResult] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def failed(self) -> list[FileResult]:
        return [f for f in self.files if f.error]

    @property
    def records(self) -> int:
        return sum(f.records for f in self.files)

    def summary(self) -> str:
        ok = len(self.files) - len(self.failed)
        lines = [
            f"indexed {ok} of {len(self.files)} files, {self.records} records, "
            f"in {self.seconds:.1f} s"
        ]
        lines += [f"  FAILED {f.path}: {f.error}" for f in self.failed]
        return "\n".join(lines)


def ingest(
    paths: list[Path], settings: Settings, es: Elasticsearch, out=None, workers: int | None = None
) -> Report:
    """Indexes every file (pipeline.py: prepared in parallel, one bulk stream), reporting
    progress on ``out`` (stderr by default); the caller has checked that the node answers."""
    out = out or sys.stderr
    started = time.monotonic()
    index = ensure_index(es, settings)
    report = Report()
    progress = Progress(len(paths), out)

    def on_file(outcome: FileOutcome) -> None:
        report.files.append(FileResult(outcome.path, outcome.records, outcome.error))
        progress.file(outcome)

    with BulkLoad(es, index):
        files = prepared_files(paths, workers or default_workers())
        index_prepared(es, index, files, on_file)
    report.seconds = time.monotonic() - started
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m indexer",
        description="Ingest budget files (PDF, TXT, MD) or folders of them into Elasticsearch.",
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help="files or folders to ingest")
    parser.add_argument(
        "--workers",
        type=int,
        default=default_workers(),
        help="processes preparing files in parallel (default: one per CPU core)",
    )
    args = parser.parse_args(argv)
    if args.workers < 1:
        parser.error("--workers must be at least 1")
    settings = get_settings()
    try:
        paths = find_sources(args.paths)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if not paths:
        print("error: no PDF, TXT or MD files found under the paths given", file=sys.stderr)
        return EXIT_USAGE
    es = make_client(settings)
    if not is_reachable(es):
        print(
            f"error: Elasticsearch is not reachable at {settings.es_url}. "
            "Start a local node with 'make es-up', or set ES_URL (and credentials).",
            file=sys.stderr,
        )
        return EXIT_USAGE
    print(
        f"ingesting {len(paths)} files into {settings.alias} at {settings.es_url} "
        f"with {args.workers} worker(s), segmenter {segment.backend()}",
        file=sys.stderr,
    )
    try:
        report = ingest(paths, settings, es, workers=args.workers)
    except (ApiError, TransportError) as exc:
        print(f"error: Elasticsearch failed during the run: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(report.summary(), file=sys.stderr)
    return EXIT_SOME_FAILED if report.failed else EXIT_OK
