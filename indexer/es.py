"""The indexer's one door to Elasticsearch: the clients, built from the settings (the API's
too), and every request the indexer sends, each a small named function.

The rest of indexer/ hands the client to these functions and never calls its methods
(tests/test_house.py checks), so what the indexer asks of Elasticsearch can be read, and
changed, in one module. The queries themselves are built by the modules that need them.
"""

from collections.abc import Mapping, Sequence
from typing import Any

from elasticsearch import (
    ApiError,
    AsyncElasticsearch,
    Elasticsearch,
    OrjsonSerializer,
    TransportError,
)

from indexer.es_node import LeanNode
from indexer.settings import Settings


def make_client(settings: Settings) -> Elasticsearch:
    return Elasticsearch(**_options(settings))


def make_async_client(settings: Settings) -> AsyncElasticsearch:
    """The API's client: asyncio (a quarter less CPU per search than the sync client in a
    thread), its requests sent by the lean node of es_node.py rather than aiohttp
    (BENCHMARKS.md). It must be used and closed on the event loop that first used it."""
    return AsyncElasticsearch(node_class=LeanNode, **_options(settings))


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


# --- Writing records


BULK_TIMEOUT = 120  # seconds for one bulk request (a search gets the client's shorter timeout)


def bulk(
    es: Elasticsearch,
    operations: Sequence[Mapping[str, Any]] | Sequence[str],
    timeout: float = BULK_TIMEOUT,
) -> list[dict]:
    """Sends one bulk request and returns its response items, one per action. ``operations``
    may be serialised lines, which the client sends as they are (the bulk writer serialises
    its records once, to measure a chunk's size; the client's types allow mappings only)."""
    response = es.options(request_timeout=timeout).bulk(
        operations=operations  # type: ignore[arg-type]
    )
    return response["items"]


def delete_ids(
    es: Elasticsearch, index: str, ids: Sequence[str], timeout: float = BULK_TIMEOUT
) -> None:
    """Deletes records by id in one bulk request (delete_by_query is not on the server core)."""
    bulk(es, [{"delete": {"_index": index, "_id": i}} for i in ids], timeout)


def refresh(es: Elasticsearch, index: str) -> None:
    es.indices.refresh(index=index)


def put_index_settings(es: Elasticsearch, index: str, settings: dict) -> None:
    """Changes an index's dynamic settings (a None value restores the default)."""
    es.indices.put_settings(index=index, settings=settings)


# --- Reading records


def count_records(es: Elasticsearch, index: str) -> int:
    """How many records the index holds."""
    return es.count(index=index)["count"]


def search_hits(
    es: Elasticsearch, index: str, query: dict, size: int, source_includes: list[str]
) -> list[dict]:
    """The first ``size`` hits of ``query``, with only the fields named in their sources."""
    response = es.search(index=index, query=query, size=size, source_includes=source_includes)
    return response["hits"]["hits"]


def search_ids_after(
    es: Elasticsearch, index: str, query: dict, size: int, after: list | None
) -> list[dict]:
    """A page of the hits of ``query`` in id order, after the sort values ``after`` (None: the
    first page). Each hit carries its ``_id`` and ``sort`` only: no source, and no total
    counted, since a caller paging through ids needs neither."""
    return es.search(
        index=index,
        query=query,
        size=size,
        sort=[{"id": "asc"}],
        source=False,
        track_total_hits=False,
        search_after=after or None,  # None: not sent (the first page)
    )["hits"]["hits"]


# --- Indexes and aliases (admin.py)


def put_index(es: Elasticsearch, index: str, settings: dict, mappings: dict) -> None:
    """Creates an index with these settings and mappings."""
    es.indices.create(index=index, settings=settings, mappings=mappings)


def delete_index(es: Elasticsearch, index: str, missing_ok: bool = False) -> None:
    (es.options(ignore_status=404) if missing_ok else es).indices.delete(index=index)


def index_exists(es: Elasticsearch, index: str) -> bool:
    return bool(es.indices.exists(index=index))


def indices_matching(es: Elasticsearch, pattern: str) -> dict:
    """Every index whose name matches ``pattern``, hidden and closed ones too, by name: each
    with its aliases, mappings and settings."""
    return es.indices.get(index=pattern, expand_wildcards="all").body


def get_mappings(es: Elasticsearch, index: str) -> dict:
    """An index's mappings (``_meta`` included)."""
    return es.indices.get_mapping(index=index)[index]["mappings"]


def alias_exists(es: Elasticsearch, alias: str) -> bool:
    return bool(es.indices.exists_alias(name=alias))


def alias_indices(es: Elasticsearch, alias: str) -> list[str]:
    """The names of the indexes behind an alias (which must exist)."""
    return list(es.indices.get_alias(name=alias))


def update_aliases(es: Elasticsearch, actions: list[dict]) -> None:
    """Applies alias actions in one atomic update."""
    es.indices.update_aliases(actions=actions)
