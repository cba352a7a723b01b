"""The ingest pipeline: files prepared in parallel, records bulk-indexed as they come.

    paths ──► worker processes: extract, parse, segment ──► main: bulk requests ──► index
              (one file each, jieba/rjieba loaded once      (tuned chunks across files,
               per worker)                                   retried with backoff)

Memory stays flat as the corpus grows: at most ``2 × workers`` prepared files wait at any time,
and records flow to Elasticsearch in chunks. During the load the index refreshes never and
keeps no replicas; both are restored afterwards. A file indexed again replaces its earlier
records. When Elasticsearch stays away past the retry budget, the run stops and says which
files were not indexed.
"""

import json
import os
import resource
import sys
import time
import traceback
from collections import deque
from collections.abc import Callable, Generator, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

from elasticsearch import ApiError, Elasticsearch, TransportError

from indexer import segment
from indexer.admin import load_mapping
from indexer.extract import READERS, ExtractionError, extractor_for, supported_extensions
from indexer.limits import FileTimeout, time_limit
from indexer.model import Record
from indexer.ocr import OcrOptions
from indexer.sources import SourceFile, document_id
from indexer.versions import reading_version

CHUNK_SIZE = 1000  # records per bulk request (measured in BENCHMARKS.md)
CHUNK_CHARS = 4 * 1024 * 1024  # of JSON per bulk request: at most 12 MB of UTF-8


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


@dataclass
class FileOutcome:
    source: SourceFile
    records: int = 0
    pages: int = 0
    ocr_pages: int = 0
    error: str | None = None
    bug: bool = False  # failed by an unexpected exception: likely a bug, counted apart
    stale_removed: int = 0  # records of an earlier version of the file, deleted
    unchanged: bool = False  # indexed already, as it is, by this version: skipped

    @property
    def path(self) -> Path:
        return self.source.path


@dataclass
class Retry:
    """How long the indexer keeps retrying a bulk request while Elasticsearch is unreachable,
    overloaded (429) or unavailable (502–504): waits doubling from ``first`` up to ``longest``
    seconds, until ``budget`` seconds of waiting are spent."""

    budget: float = 60.0
    first: float = 0.5
    longest: float = 10.0


class Unavailable(Exception):
    """Elasticsearch did not take a bulk request within the retry budget."""


RETRY_STATUSES = {429, 502, 503, 504}
BULK_TIMEOUT = 120  # seconds for one bulk request (a search gets the client's shorter timeout)


def send_chunk(es: Elasticsearch, lines: list[str], retry: Retry) -> list[dict]:
    """Sends one bulk request (an action line and a source line per record) and returns one
    response item per record, retrying the records that were not taken."""
    pending = list(range(len(lines) // 2))
    items: list[dict] = [{}] * len(pending)
    waited, delay = 0.0, retry.first
    while True:
        try:
            body = [line for i in pending for line in lines[2 * i : 2 * i + 2]]
            # serialised lines, which the client sends as they are (its types allow mappings only)
            response = es.options(request_timeout=BULK_TIMEOUT).bulk(
                operations=body  # type: ignore[arg-type]
            )
        except ApiError as exc:
            if exc.meta.status not in RETRY_STATUSES:
                raise
            reason = f"Elasticsearch answered {exc.meta.status}"
        except TransportError as exc:
            reason = f"Elasticsearch is unreachable ({exc.message})"
        else:
            again, statuses = [], set()
            for i, item in zip(pending, response["items"], strict=True):
                detail = next(iter(item.values()))
                if detail.get("status") in RETRY_STATUSES:  # overloaded, or a shard unavailable
                    again.append(i)
                    statuses.add(detail["status"])
                else:
                    items[i] = detail
            if not again:
                return items
            pending = again
            reason = f"Elasticsearch did not take {len(again)} records ({sorted(statuses)})"
        if waited >= retry.budget:
            raise Unavailable(f"{reason}; gave up after retrying for {waited:.0f} s")
        time.sleep(delay)
        waited, delay = waited + delay, min(delay * 2, retry.longest)


def stale_ids(es: Elasticsearch, index: str, source_key: str, keep: set[str]) -> list[str]:
    """Ids of the records of the file ``source_key`` names that are not in ``keep``: an earlier
    version of the file, or records a changed parser no longer makes.

    Records just written may not be searchable yet and an overwritten id may still show its
    old version, so ``keep`` is excluded by id rather than by any field of the records.
    """
    query = {
        "bool": {
            "filter": [{"term": {"source_key": source_key}}],
            "must_not": [{"ids": {"values": sorted(keep)}}] if keep else [],
        }
    }
    found: list[str] = []
    after: list | None = None
    while True:
        page = es.search(
            index=index,
            query=query,
            size=CHUNK_SIZE,
            sort=[{"id": "asc"}],
            source=False,
            track_total_hits=False,
            search_after=after or None,  # None: not sent (the first page)
        )["hits"]["hits"]
        found += [hit["_id"] for hit in page]
        if len(page) < CHUNK_SIZE:
            return found
        after = page[-1]["sort"]


def remove_stale(es: Elasticsearch, index: str, source_key: str, keep: set[str]) -> int:
    """Deletes the stale records of a file (stale_ids) in bulk, since delete_by_query is not on
    the server core; returns how many."""
    stale = stale_ids(es, index, source_key, keep)
    for start in range(0, len(stale), CHUNK_SIZE):
        es.options(request_timeout=BULK_TIMEOUT).bulk(
            operations=[
                {"delete": {"_index": index, "_id": i}} for i in stale[start : start + CHUNK_SIZE]
            ]
        )
    return len(stale)


@dataclass
class _InFlight:
    outcome: FileOutcome
    ids: set[str]
    waiting: int


def index_prepared(
    es: Elasticsearch,
    index: str,
    files: Iterable[Prepared],
    on_file: Callable[[FileOutcome], None],
    retry: Retry | None = None,
    replace: bool = True,
) -> str | None:
    """Bulk-indexes the prepared files' records in chunks; each file is reported once all its
    records are acknowledged (or rejected). With ``replace``, a file's records from an earlier
    run that it no longer makes are deleted once it is indexed (its old records stay if it
    fails). Returns None, or why indexing stopped early: Elasticsearch stayed unavailable past
    the retry budget. Files reported before that are indexed; the caller reports the rest."""
    retry = retry or Retry()
    in_flight: dict[str, _InFlight] = {}  # by document id
    lines: list[str] = []  # an action line and a source line per record
    owners: list[str] = []  # each record's document id
    size = 0

    def settle(doc_id: str, detail: dict) -> None:
        entry = in_flight[doc_id]
        if detail.get("status", 500) < 300:
            entry.outcome.records += 1
        elif entry.outcome.error is None:
            entry.outcome.error = f"record {detail.get('_id')} rejected: {detail.get('error')}"
        entry.waiting -= 1
        if entry.waiting:
            return
        del in_flight[doc_id]
        outcome = entry.outcome
        if replace and outcome.error is None:
            try:
                outcome.stale_removed = remove_stale(es, index, outcome.source.key, entry.ids)
            except (ApiError, TransportError) as exc:
                outcome.error = f"indexed, but its earlier records could not be removed: {exc}"
        on_file(outcome)

    def flush() -> None:
        nonlocal lines, owners, size
        if not lines:
            return
        items = send_chunk(es, lines, retry)
        sent, lines, owners, size = owners, [], [], 0
        for doc_id, detail in zip(sent, items, strict=True):
            settle(doc_id, detail)

    try:
        for prepared in files:
            outcome = FileOutcome(
                prepared.source,
                pages=prepared.pages,
                ocr_pages=prepared.ocr_pages,
                error=prepared.error,
                bug=prepared.bug,
            )
            if prepared.error or not prepared.sources:
                on_file(outcome)
                continue
            doc_id = prepared.sources[0][1]["document_id"]
            if doc_id in in_flight:  # the same bytes under two names, both in flight
                first = in_flight[doc_id].outcome.source.name
                outcome.error = f"same content as {first}, indexed once"
                on_file(outcome)
                continue
            ids = {record_id for record_id, _ in prepared.sources}
            in_flight[doc_id] = _InFlight(outcome, ids, len(prepared.sources))
            for record_id, source in prepared.sources:
                action = json.dumps({"index": {"_index": index, "_id": record_id}})
                line = json.dumps(source, ensure_ascii=False, separators=(",", ":"))
                lines += [action, line]
                owners.append(doc_id)
                size += len(line)
                if len(lines) >= 2 * CHUNK_SIZE or size >= CHUNK_CHARS:
                    flush()
        flush()
    except Unavailable as exc:
        return str(exc)
    return None


class BulkLoad:
    """Relaxes the index for a bulk load (no refresh) and restores it after.

    Restored to the index's defaults (refresh every second, the replicas of the settings or
    the mapping), not to what was read at the start: a run that could not restore them (the
    node went away) leaves them relaxed, and the next run would otherwise keep them so.
    The replicas stay during the load: on a cluster they are what takes over, with every
    record acknowledged so far, when a node dies mid-run (tests/test_cluster.py).
    """

    def __init__(self, es: Elasticsearch, index: str, replicas: int | None = None):
        self.es, self.index = es, index
        default = load_mapping()["settings"].get("number_of_replicas", 0)
        self.replicas = default if replicas is None else replicas

    def __enter__(self) -> "BulkLoad":
        self.es.indices.put_settings(index=self.index, settings={"refresh_interval": "-1"})
        return self

    def __exit__(self, *exc) -> None:
        try:
            self.es.indices.put_settings(
                index=self.index,
                settings={"refresh_interval": None, "number_of_replicas": self.replicas},
            )
            self.es.indices.refresh(index=self.index)
        except (ApiError, TransportError) as error:
            print(
                f"warning: could not restore the refresh interval of '{self.index}' "
                f"({error}); the next indexer run restores it",
                file=sys.stderr,
            )


class Progress:
    """A line per file on stderr with the rate so far and the time left."""

    def __init__(self, total: int, out):
        self.total, self.out = total, out
        self.done = self.pages = self.ocr_pages = 0
        self.started = time.monotonic()

    def file(self, outcome: FileOutcome) -> None:
        self.done += 1
        self.pages += outcome.pages
        self.ocr_pages += outcome.ocr_pages
        elapsed = max(time.monotonic() - self.started, 1e-6)
        rate = self.done / elapsed
        eta = (self.total - self.done) / rate if rate else 0
        status = f"ERROR {outcome.error}" if outcome.error else f"{outcome.records} records"
        if outcome.ocr_pages:
            pages = "page" if outcome.ocr_pages == 1 else "pages"
            status += f" ({outcome.ocr_pages} {pages} by OCR)"
        if outcome.stale_removed:
            status += f" ({outcome.stale_removed} earlier records removed)"
        ocr = f", {self.ocr_pages} by OCR" if self.ocr_pages else ""
        print(
            f"[{self.done}/{self.total}] {outcome.source.name}: {status}  "
            f"({rate:.1f} files/s, {self.pages / elapsed:.1f} pages/s{ocr}, "
            f"ETA {int(eta // 60)}:{int(eta % 60):02d})",
            file=self.out,
            flush=True,
        )


def default_workers() -> int:
    return max(1, os.cpu_count() or 1)
