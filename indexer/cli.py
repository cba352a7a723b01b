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

from indexer.admin import ensure_index
from indexer.bulk import write_records
from indexer.es import is_reachable, make_client
from indexer.extract import ExtractionError, extractor_for, supported_extensions
from indexer.records import build_records, document_id
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


def ingest_file(es: Elasticsearch, index: str, path: Path) -> FileResult:
    """Extracts, parses and indexes one file. Data problems come back as the result's error."""
    result = FileResult(path=path)
    extractor = extractor_for(path)
    if extractor is None:
        allowed = ", ".join(sorted(supported_extensions()))
        result.error = f"unsupported file type '{path.suffix}' (supported: {allowed})"
        return result
    try:
        doc_id = document_id(path)
        extracted = extractor.extract(path)
    except ExtractionError as exc:
        result.error = str(exc)
        return result
    except OSError as exc:
        result.error = f"cannot read the file: {exc.strerror or exc}"
        return result
    records = build_records(path, doc_id, extracted)
    written = write_records(es, records, index)
    result.records = written.indexed
    if written.errors:
        result.error = f"{len(written.errors)} records rejected, first: {written.errors[0]}"
    return result


def ingest(paths: list[Path], settings: Settings, es: Elasticsearch, out=None) -> Report:
    """Indexes every file, reporting progress on ``out`` (stderr by default); the caller has
    checked that the node answers."""
    out = out or sys.stderr
    started = time.monotonic()
    index = ensure_index(es, settings)
    report = Report()
    for n, path in enumerate(paths, 1):
        result = ingest_file(es, index, path)
        report.files.append(result)
        status = f"ERROR {result.error}" if result.error else f"{result.records} records"
        print(f"[{n}/{len(paths)}] {path.name}: {status}", file=out, flush=True)
    es.indices.refresh(index=settings.alias)
    report.seconds = time.monotonic() - started
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m indexer",
        description="Ingest budget files (PDF, TXT, MD) or folders of them into Elasticsearch.",
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help="files or folders to ingest")
    args = parser.parse_args(argv)
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
        f"ingesting {len(paths)} files into {settings.alias} at {settings.es_url}", file=sys.stderr
    )
    try:
        report = ingest(paths, settings, es)
    except (ApiError, TransportError) as exc:
        print(f"error: Elasticsearch failed during the run: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(report.summary(), file=sys.stderr)
    return EXIT_SOME_FAILED if report.failed else EXIT_OK
