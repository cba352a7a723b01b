"""``python -m indexer PATH...``: ingest budget files into Elasticsearch.

    python -m indexer PATH...            index (a changed file replaces its earlier records)
    python -m indexer --rebuild PATH...  a new generation, swapped in when complete
    python -m indexer --rollback         back to the generation the last rebuild replaced
    python -m indexer --remove FILE...   delete a file's records

Exit codes (API.md): 0 every file indexed; 1 some files failed (the rest are indexed);
2 bad usage, or Elasticsearch cannot be reached.
"""

import argparse
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from elasticsearch import ApiError, Elasticsearch, TransportError

from indexer import __version__, program_name, segment
from indexer.admin import (
    AdminError,
    current_index,
    ensure_index,
    new_generation,
    rollback,
    swap_to,
)
from indexer.bulk import FileOutcome, Retry, index_prepared
from indexer.es import count_records, delete_index, is_reachable, make_client, refresh, search_hits
from indexer.extract import READERS
from indexer.load import BulkLoad
from indexer.ocr import ENGINES, MODES, PREFERRED, OcrOptions
from indexer.progress import Progress
from indexer.settings import Settings, get_settings
from indexer.sources import (
    SourceFile,
    UsageError,
    document_id,
    find_sources,
    shard,
    source_key,
)
from indexer.stale import remove_stale
from indexer.status import StatusFile, run_status
from indexer.versions import reading_version
from indexer.workers import Limits, default_workers, prepared_files

EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE = 0, 1, 2


@dataclass
class Report:
    files: list[FileOutcome] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def failed(self) -> list[FileOutcome]:
        return [f for f in self.files if f.error]

    @property
    def unchanged(self) -> int:
        return sum(f.unchanged for f in self.files)

    @property
    def records(self) -> int:
        return sum(f.records for f in self.files)

    def summary(self) -> str:
        ok = len(self.files) - len(self.failed) - self.unchanged
        skipped = f" ({self.unchanged} unchanged, skipped)" if self.unchanged else ""
        lines = [
            f"indexed {ok} of {len(self.files)} files{skipped}, {self.records} records, "
            f"in {self.seconds:.1f} s"
        ]
        lines += [f"  FAILED {f.source.name}: {f.error}" for f in self.failed]
        bugs = sum(f.bug for f in self.failed)
        if bugs:
            lines.append(
                f"  {bugs} of these failed on an unexpected error (likely a bug in the "
                "indexer: the tracebacks are above); please report them"
            )
        return "\n".join(lines)


def ingest(
    paths: list[SourceFile],
    settings: Settings,
    es: Elasticsearch,
    out=None,
    workers: int | None = None,
    index: str | None = None,
    retry: Retry | None = None,
    limits: Limits = Limits(),  # noqa: B008 - frozen
    force: bool = False,
    status: StatusFile | None = None,
    on_reading: Callable[[], None] | None = None,
) -> Report:
    """Indexes every file (workers.py: prepared in parallel; bulk.py: bulk requests across
    files) into ``index`` (default: the alias's index, created when missing), reporting progress
    on ``out`` (stderr by default); the caller has checked that the node answers.

    Files indexed again replace their earlier records, unless the index started empty. A file
    indexed already, unchanged, from the same place and by the same reading version is skipped
    (``force`` reads it again). When Elasticsearch stays away past the retry budget, every file
    not yet indexed is reported as failed, with the reason. Each file's outcome is counted in
    ``status`` too (the file /api/status reads), when there is one. ``on_reading`` is called
    once the run has files to read, before the first is read.
    """
    out = out or sys.stderr
    started = time.monotonic()
    index = index or ensure_index(es, settings)
    replace = count_records(es, index) > 0
    report = Report()
    if replace and not force:
        done = indexed_already(es, index, paths, reading_version(limits.ocr, limits.reader))
        if done:
            print(
                f"{len(done)} of {len(paths)} files are indexed already as they are: skipped "
                "(--force reads them again)",
                file=out,
            )
            report.files += [FileOutcome(source, unchanged=True) for source in done]
            if status:
                status.skipped(len(done))
            skipped = set(done)
            paths = [source for source in paths if source not in skipped]
    if not paths:
        report.seconds = time.monotonic() - started
        return report
    # Loaded here, once, before the worker processes fork from this one (a run with nothing to
    # read never loads it).
    print(f"words cut by {segment.backend()}", file=out)
    if on_reading:
        on_reading()
    progress = Progress(len(paths), out)

    def on_file(outcome: FileOutcome) -> None:
        report.files.append(outcome)
        progress.file(outcome)
        if status:
            status.file(outcome.records, failed=bool(outcome.error))

    with BulkLoad(es, index, settings.es_replicas):
        files = prepared_files(paths, workers or default_workers(), limits)
        stopped = index_prepared(es, index, files, on_file, retry, replace=replace)
        files.close()  # stops the worker processes when the run stopped early
    if stopped:
        reported = {f.path for f in report.files}
        for source in paths:
            if source.path not in reported:
                on_file(FileOutcome(source, error=f"not indexed: {stopped}"))
    report.seconds = time.monotonic() - started
    return report


def indexed_already(
    es: Elasticsearch, index: str, paths: list[SourceFile], version: str
) -> list[SourceFile]:
    """The files whose content (document id), place (source key) and reading version are in
    the index already. Reading a file to hash it costs milliseconds; one search per thousand
    files asks the index."""
    keyed: dict[tuple[str, str], SourceFile] = {}
    for source in paths:
        try:
            keyed[(document_id(source.path), source.key)] = source
        except OSError:
            continue  # it fails, with its reason, when it is read
    ids = sorted({doc for doc, _ in keyed})
    found: set[tuple[str, str]] = set()
    for start in range(0, len(ids), _LOOKUP_BATCH):
        batch = ids[start : start + _LOOKUP_BATCH]
        query = {
            "bool": {
                "filter": [
                    {"term": {"kind": "document"}},
                    {"terms": {"document_id": batch}},
                    {"term": {"reading_version": version}},
                ]
            }
        }
        hits = search_hits(es, index, query, len(batch), ["document_id", "source_key"])
        found |= {(h["_source"]["document_id"], h["_source"]["source_key"]) for h in hits}
    return [source for key, source in keyed.items() if key in found]


_LOOKUP_BATCH = 1000


def rebuild(
    paths: list[SourceFile], settings: Settings, es: Elasticsearch, workers: int, limits: Limits
) -> int:
    """Builds a new generation from the files; the alias moves to it only when every file was
    indexed. Until then, and whatever happens, searches keep the current generation."""
    new = new_generation(es, settings)
    print(
        f"rebuilding into {new}; searches use the current generation until it is complete",
        file=sys.stderr,
    )
    try:
        report = ingest(paths, settings, es, workers=workers, index=new, limits=limits)
    except BaseException:
        delete_index(es, new, missing_ok=True)
        raise
    print(report.summary(), file=sys.stderr)
    if report.failed or report.records == 0:
        delete_index(es, new)
        print(
            f"rebuild abandoned: {len(report.failed)} file(s) failed; {new} was deleted and "
            f"searches still use {current_index(es, settings) or 'nothing'}",
            file=sys.stderr,
        )
        return EXIT_SOME_FAILED
    deleted = swap_to(es, settings, new)
    print(
        f"{settings.alias} now points at {new}"
        + (f"; deleted older generations: {', '.join(deleted)}" if deleted else ""),
        file=sys.stderr,
    )
    return EXIT_OK


def remove(arguments: list[str], settings: Settings, es: Elasticsearch) -> int:
    """Deletes every record of each file named (it need not exist any more)."""
    index = current_index(es, settings)
    if index is None:
        print(f"error: the index '{settings.alias}' does not exist", file=sys.stderr)
        return EXIT_USAGE
    missing = 0
    for argument in arguments:
        path = Path(argument).resolve()
        removed = remove_stale(es, index, source_key(path), keep=set())
        if removed:
            print(f"removed {removed} records of {path}", file=sys.stderr)
        else:
            missing += 1
            print(f"nothing indexed from {path}", file=sys.stderr)
    refresh(es, index)
    return EXIT_SOME_FAILED if missing else EXIT_OK


def ocr_status(ocr: OcrOptions) -> str:
    """What the run does with scanned pages, said once at its start."""
    if ocr.mode == "off":
        return "OCR off"
    engine = ocr.probe()
    if engine is None:
        wanted = ocr.engine or " / ".join(PREFERRED)
        return (
            f"OCR engine {wanted} not installed: scanned pages are reported, not read "
            "(see README, OCR)"
        )
    return f"OCR {ocr.mode} with {engine}"


def say_ocr_status(ocr: OcrOptions) -> None:
    """Says what the run does with scanned pages as soon as that is known, near its start:
    probing the engine takes a child process about a second, which the run does not wait for.
    A run over before that read no scanned page, and says nothing of OCR; an unchanged re-run
    does not probe at all (ingest's ``on_reading``)."""
    threading.Thread(target=lambda: print(ocr_status(ocr), file=sys.stderr), daemon=True).start()


def parse_shard(parser: argparse.ArgumentParser, text: str) -> tuple[int, int]:
    number, _, count = text.partition("/")
    if not (number.isdigit() and count.isdigit() and 1 <= int(number) <= int(count)):
        parser.error(f"--shard takes I/N with 1 ≤ I ≤ N, such as 2/4 (not {text!r})")
    return int(number), int(count)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog=program_name("python -m indexer"),
        description="Ingest budget files (PDF, TXT, MD) or folders of them into Elasticsearch.",
    )
    parser.add_argument("paths", nargs="*", metavar="PATH", help="files or folders to ingest")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    action = parser.add_mutually_exclusive_group()
    action.add_argument(
        "--rebuild",
        action="store_true",
        help="build a new index generation from PATH... and switch searches to it only when "
        "every file was indexed (the previous generation is kept for --rollback)",
    )
    action.add_argument(
        "--rollback",
        action="store_true",
        help="switch searches back to the generation the last rebuild replaced",
    )
    action.add_argument(
        "--remove",
        action="store_true",
        help="delete every record of the files PATH... (they need not exist any more)",
    )
    parser.add_argument(
        "--shard",
        metavar="I/N",
        help="index only the I-th of N shares of the files (1 ≤ I ≤ N), split by their names: "
        "N machines given the same folders with --shard 1/N … N/N index it all once",
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="read every file again, even one indexed already as it is by this version",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=default_workers(),
        help="processes preparing files in parallel (default: one per CPU core)",
    )
    parser.add_argument(
        "--file-timeout",
        type=float,
        default=Limits.seconds,
        metavar="SECONDS",
        help="fail a file that takes longer than this to read, and go on (default: %(default)g)",
    )
    parser.add_argument(
        "--file-memory",
        type=int,
        default=Limits.memory_mb,
        metavar="MB",
        help="memory each worker process may use; a file needing more fails (default: "
        "%(default)d, 0 for no limit)",
    )
    parser.add_argument(
        "--pdf-reader",
        choices=READERS,
        default=READERS[0],
        help="what reads a PDF's characters and rulings: pdfium (fast) or pdfplumber (pdfminer's "
        "layout analysis, the reference); both make the same records (default: %(default)s)",
    )
    parser.add_argument(
        "--ocr",
        choices=MODES,
        default=OcrOptions.mode,
        help="read scanned pages by OCR: auto (pages without a usable text layer), off, or "
        "force (every page; default: %(default)s)",
    )
    parser.add_argument(
        "--ocr-engine",
        choices=list(ENGINES),
        default=None,
        help=f"the OCR engine (default: the first installed of {', '.join(PREFERRED)})",
    )
    parser.add_argument(
        "--ocr-page-timeout",
        type=float,
        default=OcrOptions.page_seconds,
        metavar="SECONDS",
        help="leave a page unread when OCR takes longer than this (default: %(default)g)",
    )
    args = parser.parse_args(argv)
    # A plain kill (SIGTERM) unwinds like Ctrl-C, so a rebuild deletes its partial generation.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    if args.workers < 1:
        parser.error("--workers must be at least 1")
    if args.file_timeout <= 0 or args.file_memory < 0:
        parser.error("--file-timeout must be positive and --file-memory at least 0")
    ocr = OcrOptions(mode=args.ocr, engine=args.ocr_engine, page_seconds=args.ocr_page_timeout)
    limits = Limits(
        seconds=args.file_timeout, memory_mb=args.file_memory, ocr=ocr, reader=args.pdf_reader
    )
    if args.rollback and args.paths:
        parser.error("--rollback takes no PATH")
    if not args.rollback and not args.paths:
        parser.error("give at least one PATH")
    settings = get_settings()
    paths: list[SourceFile] = []
    if not (args.rollback or args.remove):
        try:
            paths = find_sources(args.paths)
        except UsageError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return EXIT_USAGE
        if not paths:
            print("error: no PDF, TXT or MD files found under the paths given", file=sys.stderr)
            return EXIT_USAGE
        if args.shard:
            number, count = parse_shard(parser, args.shard)
            everything, paths = len(paths), shard(paths, number, count)
            print(f"shard {number}/{count}: {len(paths)} of {everything} files", file=sys.stderr)
    es = make_client(settings)
    if not is_reachable(es):
        print(
            f"error: Elasticsearch is not reachable at {settings.es_url}. "
            "Start a local node with 'make es-up', or set ES_URL (and credentials).",
            file=sys.stderr,
        )
        return EXIT_USAGE
    try:
        if args.rollback:
            left, now = rollback(es, settings)
            print(f"{settings.alias} now points at {now} (was {left})", file=sys.stderr)
            return EXIT_OK
        if args.remove:
            return remove(args.paths, settings, es)
        print(
            f"ingesting {len(paths)} files into {settings.alias} at {settings.es_url} "
            f"with {args.workers} worker(s), PDFs read by {args.pdf_reader}",
            file=sys.stderr,
        )
        if args.rebuild:
            say_ocr_status(ocr)
            return rebuild(paths, settings, es, args.workers, limits)
        with run_status(Path(settings.index_status_file), len(paths)) as status:
            report = ingest(
                paths,
                settings,
                es,
                workers=args.workers,
                limits=limits,
                force=args.force,
                status=status,
                on_reading=lambda: say_ocr_status(ocr),
            )
    except AdminError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (ApiError, TransportError) as exc:
        print(f"error: Elasticsearch failed during the run: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(report.summary(), file=sys.stderr)
    return EXIT_SOME_FAILED if report.failed else EXIT_OK
