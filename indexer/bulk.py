"""Records into Elasticsearch through the client's streaming bulk helper (pipeline.py streams
whole runs; write_records serves small batches)."""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from elasticsearch import Elasticsearch
from elasticsearch.helpers import streaming_bulk

from indexer import segment
from indexer.model import Record

CHUNK_SIZE = 500


def record_source(record: Record) -> dict:
    """A record as stored: its fields plus its segmented views."""
    source = record.model_dump(mode="json")
    source["title_tokens"] = segment.joined(segment.tokens(record.title))
    source["title_search"] = segment.joined(segment.search_tokens(record.title))
    source["text_tokens"] = segment.joined(segment.tokens(record.text))
    source["text_search"] = segment.joined(segment.search_tokens(record.text))
    return source


def record_to_action(record: Record, index: str) -> dict:
    """A bulk 'index' action. The id is the record's own stable id, so indexing the same file
    again overwrites instead of duplicating."""
    return {
        "_op_type": "index",
        "_index": index,
        "_id": record.id,
        "_source": record_source(record),
    }


def records_to_actions(records: Iterable[Record], index: str) -> Iterator[dict]:
    for record in records:
        yield record_to_action(record, index)


@dataclass
class BulkResult:
    indexed: int = 0
    errors: list[str] = field(default_factory=list)


def write_records(es: Elasticsearch, records: Iterable[Record], index: str) -> BulkResult:
    """Indexes the records; per-item failures are collected, not raised."""
    result = BulkResult()
    for ok, item in streaming_bulk(
        es,
        records_to_actions(records, index),
        chunk_size=CHUNK_SIZE,
        raise_on_error=False,
        raise_on_exception=True,
        max_retries=3,
    ):
        if ok:
            result.indexed += 1
        else:
            detail = item.get("index", item)
            result.errors.append(f"{detail.get('_id')}: {detail.get('error')}")
    return result
