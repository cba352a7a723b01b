"""Index administration: versioned index generations from mappings/, behind one alias.

    budget-records ──► budget-records-v4                    (made by a first ingest)
                   ──► budget-records-v4-g20261122181600…   (made by --rebuild)

Searches and ingests use the alias. ``--rebuild`` builds a new generation beside the current
one and swaps the alias in one atomic update only when the build succeeded; the generation it
replaced is kept (its name is in the new one's ``_meta.previous``) for ``--rollback``, and any
older or abandoned generation is deleted after a successful swap.
"""

import json
import re
from datetime import UTC, datetime
from importlib import resources

from elasticsearch import Elasticsearch

from indexer.es import (
    alias_exists,
    alias_indices,
    delete_index,
    get_mappings,
    index_exists,
    indices_matching,
    put_index,
    update_aliases,
)
from indexer.settings import Settings

MAPPING_VERSION = 5
# Fields derived from a record's title and text at bulk time (segment.py), not model fields.
TOKEN_FIELDS = ("title_tokens", "title_search", "text_tokens", "text_search")


class AdminError(Exception):
    """An index operation that cannot be done (no generation to roll back to, …)."""


def load_mapping(version: int = MAPPING_VERSION) -> dict:
    mapping = resources.files("mappings") / f"records.v{version}.json"
    return json.loads(mapping.read_text(encoding="utf-8"))


def index_name(settings: Settings, version: int = MAPPING_VERSION) -> str:
    return f"{settings.alias}-v{version}"


def mapping_version(settings: Settings, name: str) -> int | None:
    """The mapping version an index of this alias was built with, from its name."""
    found = re.fullmatch(re.escape(settings.alias) + r"-v(\d+)(?:-g\d+)?", name)
    return int(found.group(1)) if found else None


def generations(es: Elasticsearch, settings: Settings) -> list[str]:
    """Every index of this alias (current, previous, abandoned), oldest first."""
    found = indices_matching(es, f"{settings.alias}-v*")
    names = [name for name in found if mapping_version(settings, name) is not None]
    return sorted(names, key=lambda n: int(found[n]["settings"]["index"]["creation_date"]))


def current_index(es: Elasticsearch, settings: Settings) -> str | None:
    if not alias_exists(es, settings.alias):
        return None
    return alias_indices(es, settings.alias)[0]


def previous_generation(es: Elasticsearch, name: str) -> str | None:
    meta = get_mappings(es, name).get("_meta", {})
    previous = meta.get("previous")
    return previous if previous and index_exists(es, previous) else None


def create_index(es: Elasticsearch, settings: Settings, name: str, meta: dict | None = None):
    body = load_mapping()
    settings_body = dict(body["settings"])
    if settings.es_shards is not None:
        settings_body["number_of_shards"] = settings.es_shards
    if settings.es_replicas is not None:
        settings_body["number_of_replicas"] = settings.es_replicas
    mappings = {**body["mappings"], "_meta": meta} if meta else body["mappings"]
    put_index(es, name, settings_body, mappings)


def point_alias(es: Elasticsearch, settings: Settings, name: str) -> None:
    """Moves the alias to ``name`` in one atomic update: searches see the old index or the
    new one, never neither."""
    alias = settings.alias
    current = alias_indices(es, alias) if alias_exists(es, alias) else []
    actions = [{"remove": {"index": index, "alias": alias}} for index in current]
    update_aliases(es, [*actions, {"add": {"index": name, "alias": alias}}])


def ensure_index(es: Elasticsearch, settings: Settings) -> str:
    """The index behind the alias, created (with the alias) when missing; returns its name.

    An alias on an index of the current mapping version is left as it is. An alias on an
    older version (a mapping without the newer fields) moves to a new index of the current one;
    the older index stays until a rebuild cleans it up (its records are re-made by indexing the
    files again).
    """
    current = current_index(es, settings)
    if current and mapping_version(settings, current) == MAPPING_VERSION:
        return current
    name = index_name(settings)
    if not index_exists(es, name):
        create_index(es, settings, name)
    point_alias(es, settings, name)
    return name


def new_generation(es: Elasticsearch, settings: Settings) -> str:
    """A new, empty generation beside the current one (which keeps serving)."""
    stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S%f")
    name = f"{index_name(settings)}-g{stamp}"
    create_index(es, settings, name, {"previous": current_index(es, settings)})
    return name


def swap_to(es: Elasticsearch, settings: Settings, name: str) -> list[str]:
    """Points the alias at a built generation, then deletes every generation except it and
    the one it replaced; returns the names deleted."""
    point_alias(es, settings, name)
    keep = {name, previous_generation(es, name)}
    stale = [g for g in generations(es, settings) if g not in keep]
    for old in stale:
        delete_index(es, old)
    return stale


def rollback(es: Elasticsearch, settings: Settings) -> tuple[str, str]:
    """Points the alias back at the generation the current one replaced; returns (from, to)."""
    current = current_index(es, settings)
    if current is None:
        raise AdminError(f"the alias '{settings.alias}' does not exist; nothing to roll back")
    previous = previous_generation(es, current)
    if previous is None:
        raise AdminError(
            f"'{current}' has no previous generation kept; only the generation replaced by the "
            "last rebuild can be restored, once"
        )
    point_alias(es, settings, previous)
    return current, previous


def drop_index(es: Elasticsearch, settings: Settings) -> None:
    """Deletes every generation of the alias (tests use it to clean up)."""
    for name in generations(es, settings):
        delete_index(es, name)
