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
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

from elasticsearch import ApiError, Elasticsearch, TransportError

from indexer import segment
from indexer.admin import load_mapping
from indexer.extract import ExtractionError, extractor_for, supported_extensions
from indexer.model import Record
from indexer.records import build_records, document_id

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

    path: Path
    sources: list[tuple[str, dict]] = field(default_factory=list)  # (id, _source)
    pages: int = 0
    error: str | None = None


def prepare(path: Path) -> Prepared:
    """Extracts, parses and segments one file (runs in a worker process)."""
    prepared = Prepared(path=path)
    extractor = extractor_for(path)
    if extractor is None:
        allowed = ", ".join(sorted(supported_extensions()))
        prepared.error = f"unsupported file type '{path.suffix}' (supported: {allowed})"
        return prepared
    try:
        doc_id = document_id(path)
        extracted = extractor.extract(path)
    except ExtractionError as exc:
        prepared.error = str(exc)
        return prepared
    except OSError as exc:
        prepared.error = f"cannot read the file: {exc.strerror or exc}"
        return prepared
    prepared.pages = len(extracted.pages)
    prepared.sources = [(r.id, record_source(r)) for r in build_records(path, doc_id, extracted)]
    return prepared


def _init_worker() -> None:
    segment.cutters()  # load the dictionary once per worker, not once per file


def prepared_files(paths: list[Path], workers: int) -> Iterator[Prepared]:
    """Prepared files in completion order, at most 2 × workers in flight."""
    if workers <= 1:
        yield from map(prepare, paths)
        return
    pending = iter(paths)
    with ProcessPoolExecutor(max_workers=workers, initializer=_init_worker) as pool:
        running: set[Future] = set()
        for path in pending:
            running.add(pool.submit(prepare, path))
            if len(running) >= 2 * workers:
                break
        while running:
            done, running = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                yield future.result()
                next_path = next(pending, None)
                if next_path is not None:
                    running.add(pool.submit(prepare, next_path))


@dataclass
class FileOutcome:
    path: Path
    records: int = 0
    pages: int = 0
    error: str | None = None
    stale_removed: int = 0  # records of an earlier version of the file, deleted


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
            response = es.options(request_timeout=BULK_TIMEOUT).bulk(operations=body)
        except ApiError as exc:
            if exc.meta.status not in RETRY_STATUSES:
                raise
            reason = f"Elasticsearch answered {exc.meta.status}"
        except TransportError as exc:
            reason = f"Elasticsearch is unreachable ({exc.message})"
        else:
            again = []
            for i, item in zip(pending, response["items"], strict=True):
                detail = next(iter(item.values()))
                if detail.get("status") == 429:
                    again.append(i)
                else:
                    items[i] = detail
            if not again:
                return items
            pending, reason = again, "Elasticsearch is overloaded (429)"
        if waited >= retry.budget:
            raise Unavailable(f"{reason}; gave up after retrying for {waited:.0f} s")
        time.sleep(delay)
        waited, delay = waited + delay, min(delay * 2, retry.longest)


def stale_ids(es: Elasticsearch, index: str, source_file: str, keep: set[str]) -> list[str]:
    """Ids of the records of ``source_file`` that are not in ``keep``: an earlier version of
    the file, or records a changed parser no longer makes.

    Records just written may not be searchable yet and an overwritten id may still show its
    old version, so ``keep`` is excluded by id rather than by any field of the records.
    """
    query = {
        "bool": {
            "filter": [{"term": {"source_file": source_file}}],
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
            **({"search_after": after} if after else {}),
        )["hits"]["hits"]
        found += [hit["_id"] for hit in page]
        if len(page) < CHUNK_SIZE:
            return found
        after = page[-1]["sort"]


def remove_stale(es: Elasticsearch, index: str, source_file: str, keep: set[str]) -> int:
    """Deletes the stale records of a file (stale_ids) in bulk, since delete_by_query is not on
    the server core; returns how many."""
    stale = stale_ids(es, index, source_file, keep)
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
                outcome.stale_removed = remove_stale(es, index, str(outcome.path), entry.ids)
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
            outcome = FileOutcome(prepared.path, pages=prepared.pages, error=prepared.error)
            if prepared.error or not prepared.sources:
                on_file(outcome)
                continue
            doc_id = prepared.sources[0][1]["document_id"]
            if doc_id in in_flight:  # the same bytes under two names, both in flight
                outcome.error = f"same content as {in_flight[doc_id].outcome.path}, indexed once"
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
    """Relaxes the index for a bulk load (no refresh, no replicas) and restores it after.

    Restored to the index's defaults (refresh every second, the replicas of the settings or
    the mapping), not to what was read at the start: a run that could not restore them (the
    node went away) leaves them relaxed, and the next run would otherwise keep them so.
    """

    def __init__(self, es: Elasticsearch, index: str, replicas: int | None = None):
        self.es, self.index = es, index
        default = load_mapping()["settings"].get("number_of_replicas", 0)
        self.replicas = default if replicas is None else replicas

    def __enter__(self) -> "BulkLoad":
        self.es.indices.put_settings(
            index=self.index, settings={"refresh_interval": "-1", "number_of_replicas": 0}
        )
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
        self.done = self.pages = 0
        self.started = time.monotonic()

    def file(self, outcome: FileOutcome) -> None:
        self.done += 1
        self.pages += outcome.pages
        elapsed = max(time.monotonic() - self.started, 1e-6)
        rate = self.done / elapsed
        eta = (self.total - self.done) / rate if rate else 0
        status = f"ERROR {outcome.error}" if outcome.error else f"{outcome.records} records"
        if outcome.stale_removed:
            status += f" ({outcome.stale_removed} earlier records removed)"
        print(
            f"[{self.done}/{self.total}] {outcome.path.name}: {status}  "
            f"({rate:.1f} files/s, {self.pages / elapsed:.1f} pages/s, "
            f"ETA {int(eta // 60)}:{int(eta % 60):02d})",
            file=self.out,
            flush=True,
        )


def default_workers() -> int:
    return max(1, os.cpu_count() or 1)
