"""Dependencies: the app's settings and the Elasticsearch clients, for the routes.

The settings are the ones ``create_app(settings)`` was built with (``app.state.settings``); the
clients come from the door to Elasticsearch (store.py), which holds and closes them.
"""

from collections.abc import AsyncIterator
from typing import Annotated

from elasticsearch import AsyncElasticsearch, Elasticsearch
from fastapi import Depends, Request

from indexer.settings import Settings
from search_api import store


async def api_settings(request: Request) -> Settings:
    """The app's settings. A coroutine, so FastAPI calls it on the event loop: a plain
    function dependency is handed to a thread on every request."""
    return request.app.state.settings


async def get_es(
    request: Request, settings: Annotated[Settings, Depends(api_settings)]
) -> AsyncIterator[AsyncElasticsearch]:
    """The asyncio client for these settings (store.client: the lifespan's, or this
    request's own)."""
    async with store.client(request.app.state, settings) as es:
        yield es


def get_sync_es(settings: Annotated[Settings, Depends(api_settings)]) -> Elasticsearch:
    """The sync client, for the admin endpoints (created on first use)."""
    return store.sync_client(settings)


SettingsDep = Annotated[Settings, Depends(api_settings)]
EsDep = Annotated[AsyncElasticsearch, Depends(get_es)]
SyncEsDep = Annotated[Elasticsearch, Depends(get_sync_es)]
