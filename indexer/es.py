"""The one place that builds an Elasticsearch client from the settings."""

from elasticsearch import (
    ApiError,
    AsyncElasticsearch,
    Elasticsearch,
    OrjsonSerializer,
    TransportError,
)

from indexer.settings import Settings


def make_client(settings: Settings) -> Elasticsearch:
    return Elasticsearch(**_options(settings))


def make_async_client(settings: Settings) -> AsyncElasticsearch:
    """The API's client: asyncio, on aiohttp (a quarter less CPU per search than the sync
    client in a thread, BENCHMARKS.md). It must be used and closed on the event loop that
    first used it."""
    return AsyncElasticsearch(**_options(settings))


def _options(settings: Settings) -> dict:
    auth: dict = {}
    if settings.es_api_key:
        auth["api_key"] = settings.es_api_key
    elif settings.es_username:
        auth["basic_auth"] = (settings.es_username, settings.es_password or "")
    if settings.es_ca_certs:
        auth["ca_certs"] = settings.es_ca_certs
    hosts = [url.strip() for url in settings.es_url.split(",") if url.strip()]
    return {
        "hosts": hosts,
        "request_timeout": settings.es_timeout,
        # a request that fails on a node is tried again once; on a cluster, on its other nodes
        "max_retries": 1 if len(hosts) == 1 else 2,
        "retry_on_timeout": False,
        "serializer": OrjsonSerializer(),  # several times faster than json (BENCHMARKS.md)
        **auth,
    }


def is_reachable(client: Elasticsearch) -> bool:
    """True when the cluster answers a health request.

    Not ``client.ping()``: that asks for "/", which the integration-test distribution lacks.
    """
    try:
        client.options(request_timeout=5).cluster.health()
    except (ApiError, TransportError):
        return False
    return True
