"""The bulk writer: prepared files' records sent to Elasticsearch in chunks across files, each
request retried with backoff while Elasticsearch is unreachable or overloaded.

A file is reported once all its records are acknowledged; a file indexed again replaces its
earlier records (stale.py). When Elasticsearch stays away past the retry budget, the run stops
and says which files were not indexed.
"""

import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from elasticsearch import ApiError, Elasticsearch, TransportError

from indexer.es import bulk
from indexer.sources import SourceFile
from indexer.stale import remove_stale
from indexer.workers import Prepared

CHUNK_SIZE = 1000  # records per bulk request (measured in BENCHMARKS.md)
CHUNK_CHARS = 4 * 1024 * 1024  # of JSON per bulk request: at most 12 MB of UTF-8


@dataclass
class FileOutcome:
    """What became of one file in a run: the records indexed, or why it failed."""

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


def send_chunk(es: Elasticsearch, lines: list[str], retry: Retry) -> list[dict]:
    """Sends one bulk request (an action line and a source line per record) and returns one
    response item per record, retrying the records that were not taken."""
    pending = list(range(len(lines) // 2))
    items: list[dict] = [{}] * len(pending)
    waited, delay = 0.0, retry.first
    while True:
        try:
            body = [line for i in pending for line in lines[2 * i : 2 * i + 2]]
            answered = bulk(es, body)
        except ApiError as exc:
            if exc.meta.status not in RETRY_STATUSES:
                raise
            reason = f"Elasticsearch answered {exc.meta.status}"
        except TransportError as exc:
            reason = f"Elasticsearch is unreachable ({exc.message})"
        else:
            again, statuses = [], set()
            for i, item in zip(pending, answered, strict=True):
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
