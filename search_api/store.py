"""The API's one door to Elasticsearch: its clients' lifecycle, every request the API sends
(each a small named function) and what their failures mean to the API (``es_errors``).

The rest of search_api/ builds request bodies with pure functions, hands them and the client
to these functions and shapes the answers; it never calls the client's methods
(tests/test_house.py checks). The admin endpoints use the indexer's own functions
(indexer/admin.py, through indexer/es.py) on the sync client held here.

Routes use the asyncio client. It is bound to the event loop it first ran on, so the clients
live in the app's lifespan (``lifespan_clients``), serve requests on its loop, and are closed
when it ends. A request on another loop (a test client used outside ``with`` runs each request
on a new one) gets a client of its own, closed when the request is done (``client``).
"""

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager

from elasticsearch import ApiError as EsApiError
from elasticsearch import AsyncElasticsearch, Elasticsearch, NotFoundError, TransportError

from indexer.es import make_async_client, make_client
from indexer.settings import Settings
from search_api.errors import BadRequest, ServiceUnavailable
from search_api.observe import elasticsearch_failed

# --- The clients

_sync_clients: dict[tuple, Elasticsearch] = {}


def _key(settings: Settings) -> tuple:
    return (settings.es_url, settings.es_api_key, settings.es_username, settings.es_ca_certs)


async def closed(es: AsyncElasticsearch) -> None:
    """Closes the client and its connections: aiohttp closes a connection's socket on the
    loop's next turn, which must come before the loop ends (else the socket is left to the
    garbage collector, with a ResourceWarning)."""
    await es.close()
    await asyncio.sleep(0)


@asynccontextmanager
async def lifespan_clients(state) -> AsyncIterator[None]:
    """The app's asyncio clients, one per connection settings, closed when the app stops;
    they serve requests on the loop the lifespan runs on."""
    state.es_clients, state.es_loop = {}, asyncio.get_running_loop()
    try:
        yield
    finally:
        for es in state.es_clients.values():
            await closed(es)
        state.es_clients = None


@asynccontextmanager
async def client(state, settings: Settings) -> AsyncIterator[AsyncElasticsearch]:
    """The asyncio client for these settings: the lifespan's, or on another loop (or with no
    lifespan) one of this request's own (nothing connects at import)."""
    clients = getattr(state, "es_clients", None)
    if clients is None or getattr(state, "es_loop", None) is not asyncio.get_running_loop():
        es = make_async_client(settings)
        try:
            yield es
        finally:
            await closed(es)
        return
    key = _key(settings)
    if key not in clients:
        clients[key] = make_async_client(settings)
    yield clients[key]


def sync_client(settings: Settings) -> Elasticsearch:
    """The sync client, for the admin endpoints (created on first use)."""
    key = _key(settings)
    if key not in _sync_clients:
        _sync_clients[key] = make_client(settings)
    return _sync_clients[key]


# --- Failures


@contextmanager
def es_errors() -> Iterator[None]:
    """Turns Elasticsearch failures into API errors: 503 when it is down or the index is
    missing, 400 when it rejects a request as malformed; each one logged with its cause."""
    try:
        yield
    except NotFoundError as exc:
        elasticsearch_failed("index_missing", exc)
        raise ServiceUnavailable(
            "the search index does not exist yet; ingest documents with "
            "'python -m indexer PATH...'",
            code="index_missing",
        ) from exc
    except EsApiError as exc:
        elasticsearch_failed("rejected" if exc.meta.status == 400 else "error_status", exc)
        if exc.meta.status == 400:
            raise BadRequest(
                f"the query was rejected: {exc.message}", code="invalid_query"
            ) from exc
        raise ServiceUnavailable(f"Elasticsearch answered {exc.meta.status}") from exc
    except TransportError as exc:
        elasticsearch_failed("unavailable", exc)
        raise ServiceUnavailable(f"Elasticsearch is unavailable: {exc.message}") from exc


# --- Health


async def is_reachable(es: AsyncElasticsearch) -> bool:
    """True when the cluster answers a health request (as indexer.es.is_reachable)."""
    try:
        await es.options(request_timeout=5).cluster.health()
    except (EsApiError, TransportError):
        return False
    return True


async def alias_exists(es: AsyncElasticsearch, alias: str) -> bool:
    return bool(await es.indices.exists_alias(name=alias))


# --- Searching


async def search(es: AsyncElasticsearch, index: str, body: dict, cache: bool = False) -> dict:
    """One search of ``index``. ``body`` is the request as the pure builders make it: the
    client's keyword arguments (query, aggs, sort, size, from_, source_includes …). ``cache``
    asks for the shard request cache, which keeps the result of the same search (facets
    included) until the index changes: repeated and popular searches skip the aggregations,
    which cost the most on a large index (BENCHMARKS.md)."""
    # request_cache=None is not sent: the index's default applies
    return (await es.search(index=index, request_cache=cache or None, **body)).body


async def search_point_in_time(es: AsyncElasticsearch, body: dict) -> dict:
    """One search over the point in time ``body`` names (``pit``: no index is given)."""
    return (await es.search(**body)).body


async def open_point_in_time(es: AsyncElasticsearch, index: str, keep_alive: str) -> str:
    """A consistent view of the index, kept alive between pages; its id."""
    return (await es.open_point_in_time(index=index, keep_alive=keep_alive))["id"]


async def close_point_in_time(es: AsyncElasticsearch, pit_id: str) -> None:
    await es.close_point_in_time(id=pit_id)
