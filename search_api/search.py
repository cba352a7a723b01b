"""Runs a built query and shapes the response of API.md."""

import re

from elasticsearch import AsyncElasticsearch

from search_api import cursor as cursors
from search_api import store
from search_api.query import (
    AMOUNT_RANGES,
    FACETS,
    PLACE_SEPARATOR,
    SearchParams,
    build_search,
    used_expansions,
)
from search_api.schemas import HIT_FIELDS

_ADJACENT_MARKS = re.compile(r"</mark>(\s*)<mark>")


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
    for value in facets["district"]:
        # "深圳市/福田区": shown with its city, selected by its place or by its bare name
        city, _, district = value["value"].rpartition(PLACE_SEPARATOR)
        value.update(city=city or None, district=district, label=f"{city} {district}".strip())
        value["selected"] = value["selected"] or district in params.district
    return facets


def format_ranges(aggs: dict, params: SearchParams) -> list[dict]:
    """The labelled amount ranges with their counts; selected when amount_min/amount_max are
    exactly a range's bounds (the page sets them so)."""
    out = []
    for (label, lo, hi), bucket in zip(
        AMOUNT_RANGES, aggs["selected"]["amount_ranges"]["buckets"], strict=True
    ):
        out.append(
            {
                "value": label,
                "amount_min": lo,
                "amount_max": hi,
                "count": bucket["doc_count"],
                "selected": (params.amount_min, params.amount_max) == (lo, hi),
            }
        )
    return out


def search_response(response: dict, params: SearchParams) -> dict:
    aggs = response.get("aggregations")
    out = {
        "total": response["hits"]["total"]["value"],
        "page": params.page,
        "size": params.size,
        "sort": params.sort,
        "expansions": [e.as_dict() for e in used_expansions(params)],
        "hits": [format_hit(h) for h in response["hits"]["hits"]],
    }
    if aggs:
        out["facets"] = format_facets(aggs, params)
        out["facets_truncated"] = {
            f: aggs[f]["values"].get("sum_other_doc_count", 0) > 0 for f in FACETS
        }
        out["histogram"] = {
            "year": [
                {"year": int(b["key"]), "count": b["doc_count"]}
                for b in aggs["selected"]["year_histogram"]["buckets"]
            ]
        }
        out["amount_ranges"] = format_ranges(aggs, params)
    return out


async def run_search(
    es: AsyncElasticsearch, index: str, params: SearchParams, cursor: str = ""
) -> dict:
    """One page of hits: by page number, or (cursor) after the last hit of the previous page,
    which goes past the 10,000-hit window. Facets come with the first page."""
    if not cursor:
        with store.es_errors():
            response = await store.search(es, index, build_search(params), cache=True)
        return search_response(response, params)
    body = build_search(params, with_aggs=cursor == cursors.START)
    scrolled, next_cursor = await cursors.page(es, index, body, cursor)
    return {**search_response(scrolled, params), "page": None, "next_cursor": next_cursor}
