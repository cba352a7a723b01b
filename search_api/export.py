"""The whole result set of a search as CSV or JSON lines, streamed page by page over a point in
time (no 10,000-hit cliff; memory stays flat whatever the size)."""

import csv
import io
import json
from collections.abc import AsyncIterator

from elasticsearch import AsyncElasticsearch

from search_api import cursor as cursors
from search_api.query import SearchParams, build_search
from search_api.search import HIT_FIELDS

# The hit's fields that hold one value each (its nested lists are left out of the exports),
# and where the record came from.
NESTED = ("path", "sources", "change", "amounts")
COLUMNS = ("id", "name", *(f for f in HIT_FIELDS if f not in NESTED), "source_file")
BOM = "\ufeff"  # so a spreadsheet opens the CSV as UTF-8


async def rows(es: AsyncElasticsearch, index: str, params: SearchParams) -> AsyncIterator[dict]:
    """Every matching record as a flat dict. The first page is fetched before this returns, so
    an unavailable node is reported as an error response rather than a broken download."""
    body = build_search(params, with_aggs=False)
    body.pop("highlight")
    hits = cursors.all_hits(es, index, body)
    first = await anext(hits, None)

    async def stream() -> AsyncIterator[dict]:
        if first is None:
            return
        yield _flat(first)
        async for hit in hits:
            yield _flat(hit)

    return stream()


def _flat(hit: dict) -> dict:
    source = hit["_source"]
    row = {column: source.get(column) for column in COLUMNS}
    row["id"] = hit["_id"]
    target = source.get("target")
    row["target"] = target["raw"] if target else None
    return row


async def csv_lines(records: AsyncIterator[dict]) -> AsyncIterator[str]:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, extrasaction="ignore")
    writer.writeheader()
    yield BOM + buffer.getvalue()
    async for record in records:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(record)
        yield buffer.getvalue()


async def jsonl_lines(records: AsyncIterator[dict]) -> AsyncIterator[str]:
    async for record in records:
        yield json.dumps(record, ensure_ascii=False) + "\n"
