"""The whole result set of a search as CSV or JSON lines, streamed page by page over a point in
time (no 10,000-hit cliff; memory stays flat whatever the size)."""

import csv
import io
import json
from collections.abc import AsyncIterator

from elasticsearch import AsyncElasticsearch

from search_api import cursor as cursors
from search_api.query import SearchParams, build_search
from search_api.schemas import HIT_FIELDS

# A record as exported: its id, name and every field a hit shows, and where it came from. JSON
# lines keep the nested fields as they are; CSV has one column per single-valued field (the
# nested lists are left out, an indicator's target is its text as written).
NESTED = ("path", "sources", "change", "amounts")
FIELDS = ("name", *HIT_FIELDS, "source_file")
COLUMNS = ("id", *(f for f in FIELDS if f not in NESTED))
BOM = "\ufeff"  # so a spreadsheet opens the CSV as UTF-8
# A cell starting with one of these is a formula to a spreadsheet (CSV injection); such a cell
# gets a leading apostrophe, which spreadsheets take as "text" and do not show.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


async def rows(es: AsyncElasticsearch, index: str, params: SearchParams) -> AsyncIterator[dict]:
    """Every matching record. The first page is fetched before this returns, so an unavailable
    node is reported as an error response rather than a broken download."""
    body = build_search(params, with_aggs=False)
    body.pop("highlight")
    hits = cursors.all_hits(es, index, body)
    first = await anext(hits, None)

    async def stream() -> AsyncIterator[dict]:
        if first is None:
            return
        yield _record(first)
        async for hit in hits:
            yield _record(hit)

    return stream()


def _record(hit: dict) -> dict:
    source = hit["_source"]
    return {"id": hit["_id"], **{name: source.get(name) for name in FIELDS}}


def csv_cell(value: object) -> object:
    """A value as a CSV cell that a spreadsheet shows and never runs."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_row(record: dict) -> dict:
    target = record.get("target")
    row = {**record, "target": target["raw"] if target else None}
    return {column: csv_cell(row.get(column)) for column in COLUMNS}


async def csv_lines(records: AsyncIterator[dict]) -> AsyncIterator[str]:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS)
    writer.writeheader()
    yield BOM + buffer.getvalue()
    async for record in records:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(csv_row(record))
        yield buffer.getvalue()


async def jsonl_lines(records: AsyncIterator[dict]) -> AsyncIterator[str]:
    async for record in records:
        yield json.dumps(record, ensure_ascii=False) + "\n"
