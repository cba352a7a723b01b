"""A pure query builder: search parameters in, an Elasticsearch request body out.

Built in small steps (text query, filters, post filter, facet aggregations, highlight, sort)
so each can be tested as a dict without a node. User input only ever reaches Elasticsearch as
the text of ``match``/``match_phrase`` queries or as exact filter values, never as query syntax.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal, get_args

from indexer import segment
from indexer.admin import TOKEN_FIELDS
from indexer.model import KINDS
from search_api.expand import Expansion, expansions

# Multi-select facets: each a keyword field, OR within a field, AND across fields
FACETS = (
    "kind",
    "doc_type",
    "province",
    "city",
    "district",
    "level",
    "year",
    "department",
    "unit",
    "level1",
    "level2",
)
# The district facet counts "city/district" places, so two cities' 市本级 stay apart; its
# filter takes such a place, or a bare district name (every city's).
FACET_FIELDS = {"district": "place"}
PLACE_SEPARATOR = "/"
FACET_SIZE = 50  # values per facet, by default
MAX_FACET_SIZE = 500
Sort = Literal["relevance", "amount_desc", "amount_asc", "year_desc", "year_asc"]
SORTS: dict[Sort, list] = {
    "relevance": [],
    "amount_desc": [{"amount_wan": {"order": "desc", "missing": "_last"}}],
    "amount_asc": [{"amount_wan": {"order": "asc", "missing": "_last"}}],
    "year_desc": [{"year": {"order": "desc", "missing": "_last"}}],
    "year_asc": [{"year": {"order": "asc", "missing": "_last"}}],
}
# Labelled 万元 ranges for the amount facet: (label, from, to)
AMOUNT_RANGES = (
    ("10万以下", None, 10),
    ("10–100万", 10, 100),
    ("100–1000万", 100, 1000),
    ("1000万–1亿", 1000, 10000),
    ("1亿以上", 10000, None),
)
Op = Literal["≥", "≤", ">", "<", "="]
TARGET_OPS: tuple[str, ...] = get_args(Op)
MAX_Q_LENGTH = 200
MAX_SIZE = 100
MAX_WINDOW = 10_000  # Elasticsearch's index.max_result_window
SNIPPET_CHARS = 160
# Left out of the hits' _source: the text (a snippet stands for it) and its segmented views,
# which are as long again and would only be parsed to be dropped.
UNSHOWN = ["text", "source_root", *TOKEN_FIELDS]
MIN_YEAR, MAX_YEAR = 1949, 2200


@dataclass
class SearchParams:
    q: str = ""
    kind: list[str] = field(default_factory=list)
    doc_type: list[str] = field(default_factory=list)
    province: list[str] = field(default_factory=list)
    city: list[str] = field(default_factory=list)
    district: list[str] = field(default_factory=list)
    level: list[str] = field(default_factory=list)
    year: list[int] = field(default_factory=list)
    department: list[str] = field(default_factory=list)
    unit: list[str] = field(default_factory=list)
    level1: list[str] = field(default_factory=list)
    level2: list[str] = field(default_factory=list)
    amount_min: float | None = None
    amount_max: float | None = None
    document_id: list[str] = field(default_factory=list)  # search within documents
    # indicator targets (/api/indicators)
    op: list[str] = field(default_factory=list)
    value_min: float | None = None
    value_max: float | None = None
    target_unit: list[str] = field(default_factory=list)
    page: int = 1
    size: int = 10
    sort: Sort = "relevance"
    expand: bool = True
    facet_size: int = FACET_SIZE

    def selected(self, facet: str) -> list:
        return getattr(self, facet)


def text_query(q: str, boost: float = 1.0, lean: bool = False) -> dict:
    """Three views of the text, each matched its own way (mappings/records.v4.json):
    jieba precise tokens (all words required), jieba search-mode tokens (recall), and the
    original text on the standard analyzer as a phrase (a safety net for segmentation misses).

    A lean query (a related term's) keeps the precise tokens only: the recall clauses cost the
    most on a large index (BENCHMARKS.md) and matter least for a term the user did not type.
    """
    q = q.strip()
    if not q:
        return {"match_all": {}}
    words = segment.joined(segment.tokens(q))
    should = [
        {"match": {"title_tokens": {"query": words, "operator": "and", "boost": 4}}},
        {"match": {"text_tokens": {"query": words, "operator": "and", "boost": 2}}},
    ]
    if not lean:
        search_words = segment.joined(segment.search_tokens(q))
        should += [
            {"match": {"text_search": {"query": search_words, "minimum_should_match": "2<75%"}}},
            {"match_phrase": {"title": {"query": q, "boost": 2}}},
            {"match_phrase": {"text": {"query": q}}},
        ]
    return {"bool": {"should": should, "minimum_should_match": 1, "boost": boost}}


def used_expansions(params: "SearchParams") -> list[Expansion]:
    return expansions(params.q.strip()) if params.expand and params.q.strip() else []


def expanded_query(params: "SearchParams") -> dict:
    """The text query, or (with related terms) any of the query and its expansions."""
    extra = used_expansions(params)
    if not extra:
        return text_query(params.q)
    return {
        "dis_max": {
            "queries": [
                text_query(params.q),
                *(text_query(e.query, e.weight, lean=True) for e in extra),
            ]
        }
    }


def facet_filters(params: SearchParams) -> dict[str, dict]:
    """A terms filter per facet with a selection: OR within a field, AND across fields."""
    return {
        facet: (
            district_filter(params.district)
            if facet == "district"
            else {"terms": {facet: params.selected(facet)}}
        )
        for facet in FACETS
        if params.selected(facet)
    }


def district_filter(values: list[str]) -> dict:
    """Places ("深圳市/福田区") match their place, bare names ("福田区") any city's."""
    places = [v for v in values if PLACE_SEPARATOR in v]
    names = [v for v in values if PLACE_SEPARATOR not in v]
    either = [{"terms": {"place": places}}] if places else []
    either += [{"terms": {"district": names}}] if names else []
    return (
        either[0] if len(either) == 1 else {"bool": {"should": either, "minimum_should_match": 1}}
    )


def amount_filter(params: SearchParams) -> dict | None:
    bounds = {}
    if params.amount_min is not None:
        bounds["gte"] = params.amount_min
    if params.amount_max is not None:
        bounds["lte"] = params.amount_max
    return {"range": {"amount_wan": bounds}} if bounds else None


def target_filters(params: SearchParams) -> list[dict]:
    """Indicator targets: op, value range, unit."""
    filters: list[dict] = []
    if params.op:
        filters.append({"terms": {"target.op": params.op}})
    if params.target_unit:
        filters.append({"terms": {"target.unit": params.target_unit}})
    bounds = {}
    if params.value_min is not None:
        bounds["gte"] = params.value_min
    if params.value_max is not None:
        bounds["lte"] = params.value_max
    if bounds:
        filters.append({"range": {"target.value": bounds}})
    return filters


# Budget facts first: a project or an indicator that matches outranks a table row that
# merely names the department, and the sections that mention it.
KIND_WEIGHTS = {"project": 1.6, "indicator": 1.4, "document": 1.0, "section": 0.9, "line_item": 0.6}


def weighted(query: dict) -> dict:
    return {
        "function_score": {
            "query": query,
            "functions": [
                {"filter": {"term": {"kind": kind}}, "weight": weight}
                for kind, weight in KIND_WEIGHTS.items()
            ],
            "score_mode": "first",
            "boost_mode": "multiply",
        }
    }


def base_query(params: SearchParams) -> dict:
    """The text query, narrowed by the filters that are not facets (they apply to counts too)."""
    amount = amount_filter(params)
    filters = ([amount] if amount else []) + target_filters(params)
    if params.document_id:
        filters.append({"terms": {"document_id": params.document_id}})
    query = weighted(expanded_query(params)) if params.q.strip() else expanded_query(params)
    if not filters:
        return query
    return {"bool": {"must": [query], "filter": filters}}


def name_query(q: str) -> dict:
    """A record's name (title) matching all the words, for the timeline."""
    return {
        "bool": {
            "should": [
                {
                    "match": {
                        "title_tokens": {
                            "query": segment.joined(segment.tokens(q)),
                            "operator": "and",
                        }
                    }
                },
                {"match_phrase": {"title": {"query": q}}},
            ],
            "minimum_should_match": 1,
        }
    }


def post_filter(filters: dict[str, dict]) -> dict | None:
    return {"bool": {"filter": list(filters.values())}} if filters else None


def facet_aggs(filters: dict[str, dict], size: int = FACET_SIZE) -> dict:
    """Multi-select facets: each facet's counts apply every selection except its own, so
    choosing 福田区 still shows how many hits 罗湖区 would add. The year histogram and the
    amount ranges describe the hits as selected."""
    aggs = {}
    for facet in FACETS:
        others = [f for name, f in filters.items() if name != facet]
        terms = {"terms": {"field": FACET_FIELDS.get(facet, facet), "size": size}}
        aggs[facet] = {
            "filter": {"bool": {"filter": others}} if others else {"match_all": {}},
            "aggs": {"values": terms},
        }
    ranges = [
        {"key": label, **({"from": lo} if lo is not None else {}), **({"to": hi} if hi else {})}
        for label, lo, hi in AMOUNT_RANGES
    ]
    aggs["selected"] = {
        "filter": {"bool": {"filter": list(filters.values())}} if filters else {"match_all": {}},
        "aggs": {
            "year_histogram": {"histogram": {"field": "year", "interval": 1, "min_doc_count": 1}},
            "amount_ranges": {"range": {"field": "amount_wan", "ranges": ranges}},
        },
    }
    return aggs


def highlight(q: str, extra: Sequence[Expansion] = ()) -> dict:
    """Highlights on the original text, one phrase per query word (and per word of the
    expansions used), so a snippet shows the text exactly as written with each word marked."""
    words = list(
        dict.fromkeys(w for text in (q, *(e.term for e in extra)) for w in segment.tokens(text))
    )
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
    """The chosen order, then relevance (or, when browsing, newest first), then position."""
    if params.q.strip():
        return [*SORTS[params.sort], "_score", {"year": "desc"}, {"position": "asc"}]
    return [*SORTS[params.sort], {"year": "desc"}, {"document_id": "asc"}, {"position": "asc"}]


def build_search(params: SearchParams, with_aggs: bool = True) -> dict:
    filters = facet_filters(params)
    body: dict = {
        "query": base_query(params),
        "highlight": highlight(params.q, used_expansions(params)),
        "sort": sort(params),
        "from_": (params.page - 1) * params.size,
        "size": params.size,
        "track_total_hits": True,
        "source_excludes": UNSHOWN,
    }
    if with_aggs:
        body["aggs"] = facet_aggs(filters, params.facet_size)
    pf = post_filter(filters)
    if pf:
        body["post_filter"] = pf
    return body


def years_problem(years: list[int]) -> str | None:
    """What is wrong with a year filter, if anything (a year out of range is a 400, not the
    index's integer overflow)."""
    if any(not MIN_YEAR <= y <= MAX_YEAR for y in years):
        return f"year must be between {MIN_YEAR} and {MAX_YEAR}"
    return None


def validate(params: SearchParams, deep: bool = False) -> str | None:
    """A message for parameters out of range, or None. A deep (cursor) scroll has no window."""
    unknown = [k for k in params.kind if k not in KINDS]
    if unknown:
        return f"unknown kind {unknown[0]!r}; one of {', '.join(KINDS)}"
    if params.sort not in SORTS:
        return f"unknown sort {params.sort!r}; one of {', '.join(SORTS)}"
    bad_op = [o for o in params.op if o not in TARGET_OPS]
    if bad_op:
        return f"unknown op {bad_op[0]!r}; one of {' '.join(TARGET_OPS)}"
    if not 1 <= params.facet_size <= MAX_FACET_SIZE:
        return f"facet_size must be between 1 and {MAX_FACET_SIZE}"
    if len(params.q) > MAX_Q_LENGTH:
        return f"q is too long ({len(params.q)} characters; at most {MAX_Q_LENGTH})"
    if not deep and params.page * params.size > MAX_WINDOW:
        return f"page * size may not exceed {MAX_WINDOW}; narrow the search with filters"
    if problem := years_problem(params.year):
        return problem
    amounts = [a for a in (params.amount_min, params.amount_max) if a is not None]
    if not all(math.isfinite(a) for a in amounts):
        return "amount_min and amount_max must be finite numbers (万元)"
    values = [v for v in (params.value_min, params.value_max) if v is not None]
    if not all(math.isfinite(v) for v in values):
        return "value_min and value_max must be finite numbers"
    if (
        params.value_min is not None
        and params.value_max is not None
        and params.value_min > params.value_max
    ):
        return "value_min is greater than value_max"
    if (
        params.amount_min is not None
        and params.amount_max is not None
        and params.amount_min > params.amount_max
    ):
        return "amount_min is greater than amount_max"
    return None
