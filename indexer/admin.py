"""Index administration: a versioned index from mappings/, behind an alias."""

import json
from pathlib import Path

from elasticsearch import Elasticsearch

from indexer.settings import Settings

MAPPINGS_DIR = Path(__file__).resolve().parent.parent / "mappings"
MAPPING_VERSION = 2
# Fields derived from a record's title and text at bulk time (segment.py), not model fields.
TOKEN_FIELDS = ("title_tokens", "title_search", "text_tokens", "text_search")


def load_mapping(version: int = MAPPING_VERSION) -> dict:
    return json.loads((MAPPINGS_DIR / f"records.v{version}.json").read_text(encoding="utf-8"))


def index_name(settings: Settings, version: int = MAPPING_VERSION) -> str:
    return f"{settings.alias}-v{version}"


def ensure_index(es: Elasticsearch, settings: Settings) -> str:
    """Creates the current index version with its alias if missing; returns the index name.

    An alias on an index of the current version is left as it is. An alias on an older
    version (a mapping without the newer fields) moves to a new index of the current one; the
    older index stays until it is deleted (its records are re-made by indexing the files again).
    """
    alias = settings.alias
    name = index_name(settings)
    current = list(es.indices.get_alias(name=alias)) if es.indices.exists_alias(name=alias) else []
    if name in current:
        return name
    if not es.indices.exists(index=name):
        body = load_mapping()
        settings_body = dict(body["settings"])
        if settings.es_shards is not None:
            settings_body["number_of_shards"] = settings.es_shards
        if settings.es_replicas is not None:
            settings_body["number_of_replicas"] = settings.es_replicas
        es.indices.create(index=name, settings=settings_body, mappings=body["mappings"])
    actions = [{"remove": {"index": index, "alias": alias}} for index in current]
    es.indices.update_aliases(actions=[*actions, {"add": {"index": name, "alias": alias}}])
    return name


def drop_index(es: Elasticsearch, settings: Settings) -> None:
    """Deletes every index behind the alias (tests use it to clean up)."""
    if es.indices.exists_alias(name=settings.alias):
        for name in es.indices.get_alias(name=settings.alias):
            es.indices.delete(index=name)
