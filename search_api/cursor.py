"""Paging past Elasticsearch's 10,000-hit window: search_after over a point in time.

A cursor is an opaque token the client sends back unchanged: the point in time (a consistent
view of the index, kept alive between pages) and the sort values of the last hit it saw.
"""

import base64
import binascii
import json
from collections.abc import AsyncIterator

from elasticsearch import ApiError as EsApiError
from elasticsearch import AsyncElasticsearch, NotFoundError

from search_api import store
from search_api.errors import BadRequest

KEEP_ALIVE = "2m"
START = "start"


def encode(pit_id: str, after: list) -> str:
    raw = json.dumps({"pit": pit_id, "after": after}, ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(token: str) -> tuple[str, list]:
    try:
        padded = token + "=" * (-len(token) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
        pit, after = data["pit"], data["after"]
    except (binascii.Error, ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        raise BadRequest("the cursor is not one this API gave out", code="invalid_cursor") from exc
    if not isinstance(pit, str) or not isinstance(after, list):
        raise BadRequest("the cursor is not one this API gave out", code="invalid_cursor")
    return pit, after


def page_body(body: dict, pit_id: str, after: list | None) -> dict:
    """The search of one page over the point in time ``pit_id``, after the sort values
    ``after`` (None: the first page); in shard order among equal sort values, so that no hit
    is skipped or seen twice from one page to the next."""
    body = {k: v for k, v in body.items() if k != "from_"}
    body["sort"] = [*body["sort"], {"_shard_doc": "asc"}]
    if after is not None:
        body["search_after"] = after
    body["pit"] = {"id": pit_id, "keep_alive": KEEP_ALIVE}
    return body


async def page(
    es: AsyncElasticsearch, index: str, body: dict, cursor: str
) -> tuple[dict, str | None]:
    """One page of hits after the cursor ('start' opens a point in time); the response and the
    cursor for the next page (None after the last)."""
    if cursor == START:
        with store.es_errors():
            pit_id = await store.open_point_in_time(es, index, KEEP_ALIVE)
        after = None
    else:
        pit_id, after = decode(cursor)
    body = page_body(body, pit_id, after)
    with store.es_errors():
        try:
            response = await store.search_point_in_time(es, body)
        except (NotFoundError, EsApiError) as exc:
            if cursor == START or exc.meta.status not in (400, 404):
                raise
            raise BadRequest(
                "the cursor has expired or is not valid; start again with cursor=start",
                code="invalid_cursor",
            ) from exc
    hits = response["hits"]["hits"]
    if len(hits) < body["size"]:
        await close(es, response.get("pit_id", pit_id))
        return response, None
    return response, encode(response.get("pit_id", pit_id), hits[-1]["sort"])


async def close(es: AsyncElasticsearch, pit_id: str) -> None:
    with store.es_errors():
        await store.close_point_in_time(es, pit_id)


async def all_hits(
    es: AsyncElasticsearch, index: str, body: dict, page_size: int = 1000
) -> AsyncIterator[dict]:
    """Every hit of the query, page by page over one point in time (exports)."""
    body = {**body, "size": page_size}
    body.pop("aggs", None)
    cursor: str | None = START
    while cursor:
        response, cursor = await page(es, index, body, cursor)
        for hit in response["hits"]["hits"]:
            yield hit
