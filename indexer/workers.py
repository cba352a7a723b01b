"""Files prepared in parallel for the bulk writer (bulk.py), which indexes them as they come.

    paths ──► worker processes: extract, parse, segment ──► main: bulk requests ──► index
              (here: one file each, jieba/rjieba loaded    (bulk.py: tuned chunks across
               once per worker)                             files, retried with backoff)

Memory stays flat as the corpus grows: at most ``2 × workers`` prepared files wait at any time,
and records flow to Elasticsearch in chunks. One file never ends a run: whatever goes wrong
while it is read (its time or memory limit, a library's surprise, its worker process dying)
fails that file only, with the reason.
"""

import gc
import os
import resource
import sys
import traceback
from collections import deque
from collections.abc import Generator, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass, field
from pathlib import Path

from indexer import segment
from indexer.extract import READERS, ExtractionError, extractor_for, supported_extensions
from indexer.limits import FileTimeout, time_limit
from indexer.model import Record
from indexer.ocr import OcrOptions
from indexer.sources import SourceFile, document_id
from indexer.versions import reading_version


def record_source(record: Record) -> dict:
    """A record as stored: its fields plus its segmented views."""
    source = record.model_dump(mode="json")
    source["title_tokens"] = segment.joined(segment.tokens(record.title))
    source["title_search"] = segment.joined(segment.search_tokens(record.title))
    source["text_tokens"] = segment.joined(segment.tokens(record.text))
    source["text_search"] = segment.joined(segment.search_tokens(record.text))
    return source


@dataclass
class Prepared:
    """One file, ready to index: its records' bulk sources, or why it could not be read."""

    source: SourceFile
    sources: list[tuple[str, dict]] = field(default_factory=list)  # (id, _source)
    pages: int = 0
    ocr_pages: int = 0  # of them, read by OCR
    error: str | None = None
    bug: bool = False  # the error was an unexpected exception (its traceback was logged)

    @property
    def path(self) -> Path:
        return self.source.path


@dataclass(frozen=True)
class Limits:
    """What one file may cost before it is failed instead of holding up the run: wall-clock
    seconds to prepare it, and the address space of the worker process preparing it; and how
    it is read: the PDF reader (one of READERS), and OCR for scanned pages (each page under
    its own time limit)."""

    seconds: float = 600.0
    memory_mb: int = 8192
    ocr: OcrOptions = OcrOptions()
    reader: str = READERS[0]


def prepare(source: SourceFile | Path, limits: Limits = Limits()) -> Prepared:
    """Extracts, parses and segments one file (runs in a worker process). Nothing it raises
    escapes: a problem with the file, a library's surprise, a recursion or memory blow-up or
    the time limit each fail this file only, with the reason."""
    if isinstance(source, Path):
        source = SourceFile.of(source)
    prepared = Prepared(source=source)
    try:
        with time_limit(limits.seconds):
            _prepare(prepared, limits)
    except FileTimeout:
        prepared.error = (
            f"took longer than the per-file limit of {limits.seconds:g} s (--file-timeout)"
        )
    except ExtractionError as exc:
        prepared.error = str(exc)
    except OSError as exc:
        prepared.error = f"cannot read the file: {exc.strerror or exc}"
    except RecursionError:
        prepared.error = "too deeply nested to read (a self-referencing PDF object?)"
    except MemoryError:
        prepared.error = f"needed more than the per-worker memory limit of {limits.memory_mb} MB"
    except Exception as exc:  # noqa: BLE001 - one file's surprise never ends the run
        prepared.error = f"unexpected error (a bug?): {type(exc).__name__}: {exc}"
        prepared.bug = True
        print(f"traceback for {source.path}:", file=sys.stderr)
        traceback.print_exc(file=sys.stderr)
    if prepared.error:
        prepared.sources = []
    return prepared


def _prepare(prepared: Prepared, limits: Limits) -> None:
    # Imported on the first file, in the worker: the parsers take a tenth of a second to load,
    # which a run with nothing to read (an unchanged re-run) does not pay.
    from indexer.records import build_records

    path = prepared.path
    extractor = extractor_for(path)
    if extractor is None:
        allowed = ", ".join(sorted(supported_extensions()))
        prepared.error = f"unsupported file type '{path.suffix}' (supported: {allowed})"
        return
    doc_id = document_id(path)
    extracted = extractor.extract(path, limits.ocr, limits.reader)
    prepared.pages = len(extracted.pages)
    prepared.ocr_pages = extracted.ocr_pages
    records = build_records(
        path, doc_id, extracted, name=prepared.source.name, root=prepared.source.root
    )
    records[0].reading_version = reading_version(limits.ocr, limits.reader)
    prepared.sources = [(r.id, record_source(r)) for r in records]


def _init_worker(memory_mb: int) -> None:
    # A file that needs more memory than this fails with MemoryError in its worker, instead
    # of the machine's OOM killer taking the worker (or something else) down.
    if memory_mb > 0:
        limit = memory_mb * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    segment.cutters()  # load the dictionary once per worker, not once per file
    # What the worker has loaded lives as long as it does: frozen, out of the collector's
    # reach. Each full collection walked it all, about 40 ms each (BENCHMARKS.md).
    gc.freeze()


def prepared_files(
    sources: Iterable[SourceFile | Path], workers: int, limits: Limits = Limits()
) -> Generator[Prepared, None, None]:
    """Prepared files in completion order, at most 2 × workers in flight.

    A worker process that dies (a crash in a C library, the OOM killer) takes every file in
    flight with it; those files are then prepared again one at a time, and the one that kills
    its worker alone is failed with that reason.
    """
    files = [s if isinstance(s, SourceFile) else SourceFile.of(s) for s in sources]
    if workers <= 1:
        yield from (prepare(source, limits) for source in files)
        return
    pending = deque(files)
    while pending:
        suspects = yield from _run_pool(pending, workers, limits)
        for suspect in suspects:
            if (yield from _run_pool(deque([suspect]), 1, limits)):
                yield Prepared(
                    source=suspect,
                    error="its worker process died while reading it (a crash, or killed "
                    "for memory)",
                )


def _run_pool(
    pending: deque[SourceFile], workers: int, limits: Limits
) -> Generator[Prepared, None, list[SourceFile]]:
    """Runs files from ``pending`` through a new pool until it is empty, or until a worker
    dies (which breaks the pool): then returns the files that were in flight, to be tried
    again; files not yet sent stay in ``pending``."""
    # imported here, when there is work: an unchanged re-run needs no workers, and loading
    # multiprocessing was some 40 ms of its half second
    from concurrent.futures.process import BrokenProcessPool, ProcessPoolExecutor

    with ProcessPoolExecutor(
        max_workers=workers, initializer=_init_worker, initargs=(limits.memory_mb,)
    ) as pool:
        running: dict[Future, SourceFile] = {}

        def submit() -> bool:
            if not pending:
                return True
            source = pending.popleft()
            try:
                running[pool.submit(prepare, source, limits)] = source
            except BrokenProcessPool:
                pending.appendleft(source)
                return False
            return True

        for _ in range(2 * workers):
            submit()
        while running:
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                source = running.pop(future)
                try:
                    prepared = future.result()
                except BrokenProcessPool:
                    return [source, *running.values()]
                yield prepared
                if not submit():
                    return list(running.values())
    return []


def default_workers() -> int:
    """One worker per CPU core: preparing a file is CPU-bound."""
    return max(1, os.cpu_count() or 1)
