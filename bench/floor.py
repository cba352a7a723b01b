"""The floor: the least a search API in Python adds to Elasticsearch on this machine.
``bench.run`` serves it (``uvicorn bench.floor:app``) and measures it beside the API.

It is a bare ASGI app on the API's server (uvicorn with httptools and uvloop, one
process). It answers ``/api/search`` with what the API's search itself must do and nothing
else: the query string read by hand (as ``bench.run`` reads its QUERIES), the API's own
request body (``build_search``), sent as the benchmark sends it to Elasticsearch directly,
through the API's own connection code (``LeanNode``, without the client's layers above it), the
answer shaped as the API shapes it (``search_response``) and written by orjson. No FastAPI, no
parameter checks, middleware, log or metrics. If its latency is near 1.5 × Elasticsearch
alone, no API with more to do can be under it (BENCHMARKS.md).
"""

from urllib.parse import parse_qs, urlsplit

import orjson
from elastic_transport import NodeConfig

from bench.run import es_request, search_params
from indexer.es_node import LeanNode
from indexer.settings import Settings
from search_api.query import build_search
from search_api.search import search_response

_settings = Settings()
_es = urlsplit(_settings.es_url.split(",")[0])
_node = LeanNode(NodeConfig(_es.scheme, _es.hostname or "127.0.0.1", _es.port or 9200))


async def app(scope, receive, send) -> None:
    if scope["type"] != "http":
        return
    query = {name: values[0] for name, values in parse_qs(scope["query_string"].decode()).items()}
    params = search_params("/api/search", query)
    query_string, body = es_request(build_search(params))
    answer = await _node.perform_request(
        "POST",
        f"/{_settings.alias}/_search?{query_string}",
        body,
        headers={"content-type": "application/json"},
    )
    out = orjson.dumps(search_response(orjson.loads(answer.body), params))
    headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(out))]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": out})
