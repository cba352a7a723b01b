"""The versioned index behind the alias, against the real node."""

from indexer.admin import MAPPING_VERSION, ensure_index, index_name, load_mapping


def test_an_alias_on_an_older_mapping_version_moves_to_the_current_one(es, fresh_settings):
    alias, old = fresh_settings.alias, index_name(fresh_settings, MAPPING_VERSION - 1)
    body = load_mapping(MAPPING_VERSION - 1)
    es.indices.create(index=old, mappings=body["mappings"], aliases={alias: {}})
    try:
        name = ensure_index(es, fresh_settings)
        assert name == index_name(fresh_settings)
        assert list(es.indices.get_alias(name=alias)) == [name]
        assert ensure_index(es, fresh_settings) == name  # and stays there
    finally:
        es.indices.delete(index=old)


def test_a_fresh_alias_gets_the_current_version(es, fresh_settings):
    name = ensure_index(es, fresh_settings)
    assert name.endswith(f"-v{MAPPING_VERSION}")
    mapping = es.indices.get_mapping(index=name)[name]["mappings"]
    assert mapping["properties"]["sources"]["properties"]["kind"]["type"] == "keyword"


def test_shards_and_replicas_from_the_settings(es, fresh_settings):
    settings = fresh_settings.model_copy(update={"es_shards": 2, "es_replicas": 0})
    name = ensure_index(es, settings)
    index = es.indices.get_settings(index=name)[name]["settings"]["index"]
    assert (index["number_of_shards"], index["number_of_replicas"]) == ("2", "0")
