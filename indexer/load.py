"""The index's settings during a bulk load: refresh off while records are written, restored
(and the index refreshed once) after."""

import sys

from elasticsearch import ApiError, Elasticsearch, TransportError

from indexer.admin import load_mapping
from indexer.es import put_index_settings, refresh


class BulkLoad:
    """Relaxes the index for a bulk load (no refresh) and restores it after.

    Restored to the index's defaults (refresh every second, the replicas of the settings or
    the mapping), not to what was read at the start: a run that could not restore them (the
    node went away) leaves them relaxed, and the next run would otherwise keep them so.
    The replicas stay during the load: on a cluster they are what takes over, with every
    record acknowledged so far, when a node dies mid-run (tests/test_cluster.py).
    """

    def __init__(self, es: Elasticsearch, index: str, replicas: int | None = None):
        self.es, self.index = es, index
        default = load_mapping()["settings"].get("number_of_replicas", 0)
        self.replicas = default if replicas is None else replicas

    def __enter__(self) -> "BulkLoad":
        put_index_settings(self.es, self.index, {"refresh_interval": "-1"})
        return self

    def __exit__(self, *exc) -> None:
        try:
            put_index_settings(
                self.es,
                self.index,
                {"refresh_interval": None, "number_of_replicas": self.replicas},
            )
            refresh(self.es, self.index)
        except (ApiError, TransportError) as error:
            print(
                f"warning: could not restore the refresh interval of '{self.index}' "
                f"({error}); the next indexer run restores it",
                file=sys.stderr,
            )
