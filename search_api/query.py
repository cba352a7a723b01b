"""A pure query builder: search parameters in, an Elasticsearch request body out.

Built in small steps (text query, filters, post filter, facet aggregations, highlight, sort)
so each can be tested as a dict without a node. User input only ever reaches Elasticsearch as
the text of ``match``/``match_phrase`` queries or as exact filter values, never as query syntax.
"""

import math
from dataclasses import dataclass, field

from indexer import segment
from indexer.model import KINDS

FACETS = ("kind", "district", "year", "department")
FACET_SIZE = 50
MAX_Q_LENGTH = 200
MAX_SIZE = 100
MAX_WINDOW = 10_000  # Elasticsearch's index.max_result_window
SNIPPET_CHARS = 160
MIN_YEAR, MAX_YEAR = 1949, 2200


@dataclass
class SearchParams:
    q: str = ""
    kind: list[str] = field(default_factory=list)
    district: list[str] = field(default_factory=list)
    year: list[int] = field(default_factory=list)
    department: list[str] = field(default_factory=list)
    amount_min: float | None = None
    amount_max: float | None = None
    page: int = 1
    size: int = 10

    def selected(self, facet: str) -> list:
        return getattr(self, facet)


def text_query(q: str) -> dict:
    """Three views of the text, each matched its own way (mappings/records.v2.json):
    jieba precise tokens (all words required), jieba search-mode tokens (recall), and the
    original text on the standard analyzer as a phrase (a safety net for segmentation misses).
    """
    q = q.strip()
    if not q:
        return {"match_all": {}}
    words = segment.joined(segment.tokens(q))
    search_words = segment.joined(segment.search_tokens(q))
    return {
        "bool": {
            "should": [
                {"match": {"title_tokens": {"query": words, "operator": "and", "boost": 4}}},
                {"match": {"text_tokens": {"query": words, "operator": "and", "boost": 2}}},
                {
                    "match": {
                        "text_search": {"query": search_words, "minimum_should_match": "2<75%"}
                    }
                },
                {"match_phrase": {"title": {"query": q, "boost": 2}}},
                {"match_phrase": {"text": {"query": q}}},
            ],
            "minimum_should_match": 1,
        }
    }


def facet_filters(params: SearchParams) -> dict[str, dict]:
    """A terms filter per facet with a selection: OR within a field, AND across fields."""
    return {
        facet: {"terms": {facet: params.selected(facet)}}
        for facet in FACETS
        if params.selected(facet)
    }


def amount_filter(params: SearchParams) -> dict | None:
    bounds = {}
    if params.amount_min is not None:
        bounds["gte"] = params.amount_min
    if params.amount_max is not None:
        bounds["lte"] = params.amount_max
    return {"range": {"amount_wan": bounds}} if bounds else None


def base_query(params: SearchParams) -> dict:
    """The text query, narrowed by the filters that are not facets (they apply to counts too)."""
    amount = amount_filter(params)
    query = text_query(params.q)
    if amount is None:
        return query
    return {"bool": {"must": [query], "filter": [amount]}}


def post_filter(filters: dict[str, dict]) -> dict | None:
    return {"bool": {"filter": list(filters.values())}} if filters else None


def facet_aggs(filters: dict[str, dict]) -> dict:
    """Multi-select facets: each facet's counts apply every selection except its own, so
    choosing 福田区 still shows how many hits 罗湖区 would add."""
    aggs = {}
    for facet in FACETS:
        others = [f for name, f in filters.items() if name != facet]
        terms = {"terms": {"field": facet, "size": FACET_SIZE}}
        aggs[facet] = {
            "filter": {"bool": {"filter": others}} if others else {"match_all": {}},
            "aggs": {"values": terms},
        }
    return aggs


def highlight(q: str) -> dict:
    """Highlights on the original text, one phrase per query word, so a snippet shows the text
    exactly as written (no segmentation spaces) with each word marked whole."""
    words = list(dict.fromkeys(segment.tokens(q)))
    text_field: dict = {
        "fragment_size": SNIPPET_CHARS,
        "number_of_fragments": 1,
        "no_match_size": SNIPPET_CHARS,
    }
    if words:
        text_field["highlight_query"] = {
            "bool": {"should": [{"match_phrase": {"text": w}} for w in words]}
        }
    return {
        "pre_tags": ["<mark>"],
        "post_tags": ["</mark>"],
        "encoder": "html",
        "fields": {"text": text_field},
    }


def sort(params: SearchParams) -> list:
    if params.q.strip():
        return ["_score", {"year": "desc"}, {"position": "asc"}]
    return [{"year": "desc"}, {"document_id": "asc"}, {"position": "asc"}]


def build_search(params: SearchParams) -> dict:
    filters = facet_filters(params)
    body: dict = {
        "query": base_query(params),
        "aggs": facet_aggs(filters),
        "highlight": highlight(params.q),
        "sort": sort(params),
        "from_": (params.page - 1) * params.size,
        "size": params.size,
        "track_total_hits": True,
        "source_excludes": ["text"],
    }
    pf = post_filter(filters)
    if pf:
        body["post_filter"] = pf
    return body


def validate(params: SearchParams) -> str | None:
    """A message for parameters out of range, or None."""
    unknown = [k for k in params.kind if k not in KINDS]
    if unknown:
        return f"unknown kind {unknown[0]!r}; one of {', '.join(KINDS)}"
    if len(params.q) > MAX_Q_LENGTH:
        return f"q is too long ({len(params.q)} characters; at most {MAX_Q_LENGTH})"
    if params.page * params.size > MAX_WINDOW:
        return f"page * size may not exceed {MAX_WINDOW}; narrow the search with filters"
    if any(not MIN_YEAR <= y <= MAX_YEAR for y in params.year):
        return f"year must be between {MIN_YEAR} and {MAX_YEAR}"
    amounts = [a for a in (params.amount_min, params.amount_max) if a is not None]
    if not all(math.isfinite(a) for a in amounts):
        return "amount_min and amount_max must be finite numbers (万元)"
    if (
        params.amount_min is not None
        and params.amount_max is not None
        and params.amount_min > params.amount_max
    ):
        return "amount_min is greater than amount_max"
    return None
