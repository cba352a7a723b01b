"""The ingest pipeline: files prepared in parallel, records bulk-indexed as they come.

    paths ──► worker processes: extract, parse, segment ──► main: streaming bulk ──► index
              (one file each, jieba/rjieba loaded once      (one stream for the whole run,
               per worker)                                   tuned chunks)

Memory stays flat as the corpus grows: at most ``2 × workers`` prepared files wait at any time,
and records flow to Elasticsearch as a stream. During the load the index refreshes never and
keeps no replicas; both are restored afterwards, whatever happened.
"""

import os
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

from elasticsearch import Elasticsearch
from elasticsearch.helpers import streaming_bulk

from indexer import segment
from indexer.bulk import record_source
from indexer.extract import ExtractionError, extractor_for, supported_extensions
from indexer.records import build_records, document_id

CHUNK_SIZE = 1000  # records per bulk request (measured in BENCHMARKS.md)
CHUNK_BYTES = 10 * 1024 * 1024


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


def index_prepared(
    es: Elasticsearch,
    index: str,
    files: Iterable[Prepared],
    on_file: Callable[[FileOutcome], None],
) -> None:
    """One streaming bulk for the whole run; each file is reported once all its records are
    acknowledged (or rejected)."""
    outcomes: dict[str, FileOutcome] = {}  # by document id, while its records are in flight
    waiting: dict[str, int] = {}

    def actions() -> Iterator[dict]:
        for prepared in files:
            outcome = FileOutcome(prepared.path, pages=prepared.pages, error=prepared.error)
            if prepared.error or not prepared.sources:
                on_file(outcome)
                continue
            doc_id = prepared.sources[0][1]["document_id"]
            if doc_id in outcomes:  # the same bytes under two names, both in flight
                outcome.error = f"same content as {outcomes[doc_id].path}, indexed once"
                on_file(outcome)
                continue
            outcomes[doc_id], waiting[doc_id] = outcome, len(prepared.sources)
            for record_id, source in prepared.sources:
                yield {"_op_type": "index", "_index": index, "_id": record_id, "_source": source}

    for ok, item in streaming_bulk(
        es,
        actions(),
        chunk_size=CHUNK_SIZE,
        max_chunk_bytes=CHUNK_BYTES,
        raise_on_error=False,
        raise_on_exception=True,
        max_retries=5,
        initial_backoff=1,
    ):
        detail = item.get("index", item)
        doc_id = str(detail.get("_id", "")).split("-", 1)[0]
        outcome = outcomes.get(doc_id)
        if outcome is None:
            continue
        if ok:
            outcome.records += 1
        elif outcome.error is None:
            outcome.error = f"record {detail.get('_id')} rejected: {detail.get('error')}"
        waiting[doc_id] -= 1
        if waiting[doc_id] == 0:
            on_file(outcomes.pop(doc_id))
            del waiting[doc_id]


class BulkLoad:
    """Relaxes the index for a bulk load (no refresh, no replicas) and restores it after."""

    def __init__(self, es: Elasticsearch, index: str):
        self.es, self.index = es, index

    def __enter__(self) -> "BulkLoad":
        settings = self.es.indices.get_settings(index=self.index)[self.index]["settings"]["index"]
        self.saved = {
            "refresh_interval": settings.get("refresh_interval", "1s"),
            "number_of_replicas": settings.get("number_of_replicas", "0"),
        }
        self.es.indices.put_settings(
            index=self.index, settings={"refresh_interval": "-1", "number_of_replicas": 0}
        )
        return self

    def __exit__(self, *exc) -> None:
        self.es.indices.put_settings(index=self.index, settings=self.saved)
        self.es.indices.refresh(index=self.index)


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
        print(
            f"[{self.done}/{self.total}] {outcome.path.name}: {status}  "
            f"({rate:.1f} files/s, {self.pages / elapsed:.1f} pages/s, "
            f"ETA {int(eta // 60)}:{int(eta % 60):02d})",
            file=self.out,
            flush=True,
        )


def default_workers() -> int:
    return max(1, os.cpu_count() or 1)
