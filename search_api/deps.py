"""Dependencies: settings and the Elasticsearch client (the API's one place that holds one)."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

from elasticsearch import ApiError as EsApiError
from elasticsearch import Elasticsearch, NotFoundError, TransportError
from fastapi import Depends

from indexer.es import make_client
from indexer.settings import Settings, get_settings
from search_api.errors import BadRequest, ServiceUnavailable

_clients: dict[tuple, Elasticsearch] = {}


def get_es(settings: Annotated[Settings, Depends(get_settings)]) -> Elasticsearch:
    """One client per connection settings, created on first use (nothing connects at import)."""
    key = (settings.es_url, settings.es_api_key, settings.es_username, settings.es_ca_certs)
    if key not in _clients:
        _clients[key] = make_client(settings)
    return _clients[key]


SettingsDep = Annotated[Settings, Depends(get_settings)]
EsDep = Annotated[Elasticsearch, Depends(get_es)]


@contextmanager
def es_errors() -> Iterator[None]:
    """Turns Elasticsearch failures into API errors: 503 when it is down or the index is
    missing, 400 when it rejects a request as malformed."""
    try:
        yield
    except NotFoundError as exc:
        raise ServiceUnavailable(
            "the search index does not exist yet; ingest documents with "
            "'python -m indexer PATH...'",
            code="index_missing",
        ) from exc
    except EsApiError as exc:
        if exc.meta.status == 400:
            raise BadRequest(
                f"the query was rejected: {exc.message}", code="invalid_query"
            ) from exc
        raise ServiceUnavailable(f"Elasticsearch answered {exc.meta.status}") from exc
    except TransportError as exc:
        raise ServiceUnavailable(f"Elasticsearch is unavailable: {exc.message}") from exc
