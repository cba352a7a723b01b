"""Stale-record cleanup: the records a file's path held before that it no longer makes (an
earlier version of the file, or records a changed parser no longer makes), found with a
search and deleted in bulk once the file is indexed again, or all of them for ``--remove``."""

from elasticsearch import Elasticsearch

from indexer.es import delete_ids, search_ids_after

BATCH = 1000  # ids per search page and per delete request (a bulk chunk's worth)


def stale_ids(es: Elasticsearch, index: str, source_key: str, keep: set[str]) -> list[str]:
    """Ids of the records of the file ``source_key`` names that are not in ``keep``: an earlier
    version of the file, or records a changed parser no longer makes.

    Records just written may not be searchable yet and an overwritten id may still show its
    old version, so ``keep`` is excluded by id rather than by any field of the records.
    """
    query = {
        "bool": {
            "filter": [{"term": {"source_key": source_key}}],
            "must_not": [{"ids": {"values": sorted(keep)}}] if keep else [],
        }
    }
    found: list[str] = []
    after: list | None = None
    while True:
        page = search_ids_after(es, index, query, BATCH, after)
        found += [hit["_id"] for hit in page]
        if len(page) < BATCH:
            return found
        after = page[-1]["sort"]


def remove_stale(es: Elasticsearch, index: str, source_key: str, keep: set[str]) -> int:
    """Deletes the stale records of a file (stale_ids) in bulk, since delete_by_query is not on
    the server core; returns how many."""
    stale = stale_ids(es, index, source_key, keep)
    for start in range(0, len(stale), BATCH):
        delete_ids(es, index, stale[start : start + BATCH])
    return len(stale)
