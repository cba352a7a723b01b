"""Runs a built query and shapes the response of API.md."""

import re

from elasticsearch import Elasticsearch

from search_api.deps import es_errors
from search_api.query import FACETS, SearchParams, build_search

_ADJACENT_MARKS = re.compile(r"</mark>(\s*)<mark>")
HIT_FIELDS = (
    "kind",
    "title",
    "document_id",
    "department",
    "unit",
    "district",
    "city",
    "year",
    "amount_wan",
    "target",
    "path",
    "page",
    # by kind: a project's parent, sources and stated change; an indicator's levels and
    # project; a table row's table, code and amounts
    "parent",
    "sources",
    "change",
    "level1",
    "level2",
    "project",
    "table",
    "code",
    "amounts",
)


def merge_marks(snippet: str) -> str:
    """The standard analyzer cuts Chinese into characters, so the highlighter marks 民意速办
    as four marks; join adjacent ones into one."""
    return _ADJACENT_MARKS.sub(r"\1", snippet)


def format_hit(hit: dict) -> dict:
    source = hit.get("_source", {})
    fragments = hit.get("highlight", {}).get("text", [])
    out = {"id": hit["_id"]}
    out.update({name: source.get(name) for name in HIT_FIELDS})
    out["snippet"] = merge_marks(fragments[0]) if fragments else ""
    out["score"] = hit.get("_score")
    return out


def format_facets(aggs: dict, params: SearchParams) -> dict:
    facets = {}
    for facet in FACETS:
        values = aggs[facet]["values"]
        selected = {str(v) for v in params.selected(facet)}
        facets[facet] = [
            {"value": b["key"], "count": b["doc_count"], "selected": str(b["key"]) in selected}
            for b in values["buckets"]
        ]
    return facets


def run_search(es: Elasticsearch, index: str, params: SearchParams) -> dict:
    body = build_search(params)
    with es_errors():
        response = es.search(index=index, **body)
    aggs = response.get("aggregations", {})
    return {
        "total": response["hits"]["total"]["value"],
        "page": params.page,
        "size": params.size,
        "hits": [format_hit(h) for h in response["hits"]["hits"]],
        "facets": format_facets(aggs, params),
        "facets_truncated": {
            f: aggs[f]["values"].get("sum_other_doc_count", 0) > 0 for f in FACETS
        },
    }
