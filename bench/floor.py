"""The floor: the least a search API in Python adds to Elasticsearch on this machine.
``bench.run`` serves it (``uvicorn bench.floor:app``) and measures it beside the API.

It is a bare ASGI app on the API's server (uvicorn with httptools and uvloop, one
process). It answers ``/api/search`` with what the API's search itself must do and nothing
else: the query string read by hand, the API's own request body (``build_search``), sent
through the API's own connection code (``LeanNode``, without the client's layers above it), the
answer shaped as the API shapes it (``search_response``) and written by orjson. No FastAPI, no
parameter checks, middleware, log or metrics. If its latency is near 1.5 × Elasticsearch
alone, no API with more to do can be under it (BENCHMARKS.md).
"""

from urllib.parse import parse_qs, urlsplit

import orjson
from elastic_transport import NodeConfig

from indexer.es_node import LeanNode
from indexer.settings import Settings
from search_api.query import SearchParams, build_search
from search_api.search import search_response

_node: LeanNode | None = None
_settings = Settings()


def _request(query_string: bytes) -> tuple[SearchParams, str, bytes]:
    """The API's search for these parameters: its params, and its target and body."""
    query = parse_qs(query_string.decode())
    params = SearchParams(
        q=query.get("q", [""])[0],
        year=[int(y) for y in query.get("year", [])],
        sort=query.get("sort", ["relevance"])[0],
        district=query.get("district", []),
        kind=query.get("kind", []),
    )
    body = build_search(params)
    excludes = ",".join(body.pop("source_excludes", []))
    if "from_" in body:
        body["from"] = body.pop("from_")
    target = f"/{_settings.alias}/_search?request_cache=true&_source_excludes={excludes}"
    return params, target, orjson.dumps(body)


async def app(scope, receive, send) -> None:
    global _node
    if scope["type"] != "http":
        return
    if _node is None:
        es = urlsplit(_settings.es_url.split(",")[0])
        _node = LeanNode(NodeConfig(es.scheme, es.hostname or "127.0.0.1", es.port or 9200))
    params, target, body = _request(scope["query_string"])
    answer = await _node.perform_request(
        "POST", target, body, headers={"content-type": "application/json"}
    )
    out = orjson.dumps(search_response(orjson.loads(answer.body), params))
    headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(out))]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": out})
