"""The mapping file and the record model must agree (a field added to one but not the other
fails here, before Elasticsearch rejects a document under ``dynamic: strict``)."""

from pydantic import BaseModel

from indexer.admin import TOKEN_FIELDS, load_mapping
from indexer.model import Record


def model_fields(model: type[BaseModel]) -> set[str]:
    return set(model.model_fields)


def test_every_model_field_is_mapped_and_every_mapped_field_is_a_model_or_token_field():
    mapping = load_mapping()["mappings"]
    mapped = set(mapping["properties"])
    assert model_fields(Record) == mapped - set(TOKEN_FIELDS)
    assert set(TOKEN_FIELDS) <= mapped


def test_nested_models_match_their_object_mappings():
    props = load_mapping()["mappings"]["properties"]
    for name in ("target", "amounts", "sources", "change"):
        annotation = Record.model_fields[name].annotation
        inner = annotation.__args__[0]  # Target | None, list[Amount] …
        assert model_fields(inner) == set(props[name]["properties"]), name


def test_strict_with_no_detection_and_keyword_facets():
    mapping = load_mapping()["mappings"]
    assert mapping["dynamic"] == "strict"
    assert mapping["date_detection"] is False
    for facet in ("kind", "district", "department", "unit", "city"):
        assert mapping["properties"][facet]["type"] == "keyword"
    assert mapping["properties"]["year"]["type"] == "integer"


def test_only_server_core_analyzers():
    def analyzers(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("analyzer", "search_analyzer"):
                    yield value
                else:
                    yield from analyzers(value)

    used = set(analyzers(load_mapping()))
    assert used == {"standard", "whitespace"}
