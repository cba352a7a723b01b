"""Dependencies: settings and the Elasticsearch clients (the API's one place that holds them).

Routes use the asyncio client. It is bound to the event loop it first ran on, so the clients
live in the app's lifespan (``lifespan_clients``), serve requests on its loop, and are closed
when it ends. A request on another loop (a test client used outside ``with`` runs each request
on a new one) gets a client of its own, closed when the request is done.

The admin endpoints call the indexer's own functions (indexer/admin.py), which take the sync
client; they run in FastAPI's thread pool.
"""

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Annotated

from elasticsearch import ApiError as EsApiError
from elasticsearch import AsyncElasticsearch, Elasticsearch, NotFoundError, TransportError
from fastapi import Depends, Request

from indexer.es import make_async_client, make_client
from indexer.settings import Settings, get_settings
from search_api.errors import BadRequest, ServiceUnavailable
from search_api.observe import elasticsearch_failed

_sync_clients: dict[tuple, Elasticsearch] = {}


def _key(settings: Settings) -> tuple:
    return (settings.es_url, settings.es_api_key, settings.es_username, settings.es_ca_certs)


async def api_settings() -> Settings:
    """The settings. A coroutine, so FastAPI calls it on the event loop: a plain function
    dependency is handed to a thread on every request."""
    return get_settings()


async def closed(client: AsyncElasticsearch) -> None:
    """Closes the client and its connections: aiohttp closes a connection's socket on the
    loop's next turn, which must come before the loop ends (else the socket is left to the
    garbage collector, with a ResourceWarning)."""
    await client.close()
    await asyncio.sleep(0)


@asynccontextmanager
async def lifespan_clients(state) -> AsyncIterator[None]:
    """The app's asyncio clients, one per connection settings, closed when the app stops;
    they serve requests on the loop the lifespan runs on."""
    state.es_clients, state.es_loop = {}, asyncio.get_running_loop()
    try:
        yield
    finally:
        for client in state.es_clients.values():
            await closed(client)
        state.es_clients = None


async def get_es(
    request: Request, settings: Annotated[Settings, Depends(api_settings)]
) -> AsyncIterator[AsyncElasticsearch]:
    """The asyncio client for these settings (nothing connects at import)."""
    state = request.app.state
    clients = getattr(state, "es_clients", None)
    if clients is None or getattr(state, "es_loop", None) is not asyncio.get_running_loop():
        # no lifespan, or one on another loop: this request's own client
        client = make_async_client(settings)
        try:
            yield client
        finally:
            await closed(client)
        return
    key = _key(settings)
    if key not in clients:
        clients[key] = make_async_client(settings)
    yield clients[key]


def get_sync_es(settings: Annotated[Settings, Depends(api_settings)]) -> Elasticsearch:
    """The sync client, for the admin endpoints (created on first use)."""
    key = _key(settings)
    if key not in _sync_clients:
        _sync_clients[key] = make_client(settings)
    return _sync_clients[key]


SettingsDep = Annotated[Settings, Depends(api_settings)]
EsDep = Annotated[AsyncElasticsearch, Depends(get_es)]
SyncEsDep = Annotated[Elasticsearch, Depends(get_sync_es)]


async def is_reachable(es: AsyncElasticsearch) -> bool:
    """True when the cluster answers a health request (as indexer.es.is_reachable)."""
    try:
        await es.options(request_timeout=5).cluster.health()
    except (EsApiError, TransportError):
        return False
    return True


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
