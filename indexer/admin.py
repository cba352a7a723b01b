"""Index administration: a versioned index from mappings/, behind an alias."""

import json
from pathlib import Path

from elasticsearch import Elasticsearch

from indexer.settings import Settings

MAPPINGS_DIR = Path(__file__).resolve().parent.parent / "mappings"
MAPPING_VERSION = 1
# Fields derived from a record's title and text at bulk time (segment.py), not model fields.
TOKEN_FIELDS = ("title_tokens", "title_search", "text_tokens", "text_search")


def load_mapping(version: int = MAPPING_VERSION) -> dict:
    return json.loads((MAPPINGS_DIR / f"records.v{version}.json").read_text(encoding="utf-8"))


def index_name(settings: Settings, version: int = MAPPING_VERSION) -> str:
    return f"{settings.alias}-v{version}"


def ensure_index(es: Elasticsearch, settings: Settings) -> str:
    """Creates the current index version with its alias if missing; returns the index name.

    An alias already in place is left as it is, whatever generation it points to.
    """
    alias = settings.alias
    if es.indices.exists_alias(name=alias):
        return next(iter(es.indices.get_alias(name=alias)))
    name = index_name(settings)
    if es.indices.exists(index=name):
        es.indices.put_alias(index=name, name=alias)
        return name
    body = load_mapping()
    es.indices.create(
        index=name, settings=body["settings"], mappings=body["mappings"], aliases={alias: {}}
    )
    return name


def drop_index(es: Elasticsearch, settings: Settings) -> None:
    """Deletes every index behind the alias (tests use it to clean up)."""
    if es.indices.exists_alias(name=settings.alias):
        for name in es.indices.get_alias(name=settings.alias):
            es.indices.delete(index=name)
