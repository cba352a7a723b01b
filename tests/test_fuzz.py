"""Hostile input, generated: hypothesis on the query builder and schemathesis on the OpenAPI
schema, both against the real node. No input may give a 5xx, and user text may only reach
Elasticsearch as the text of match queries or as exact filter values.

`make test` runs a short version (HYPOTHESIS_PROFILE=short, the default); `make soak` the
long one. Both are bounded by example counts, not by wall time.
"""

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search_api.app import create_app
from search_api.query import MAX_Q_LENGTH, SearchParams, build_search, validate
from search_api.suggest import suggest_body

pytestmark = pytest.mark.es
PROFILES = {"short": (300, 20), "soak": (5000, 500)}  # builder cases, schemathesis per route
BUILDER_CASES, API_CASES = PROFILES[os.environ.get("HYPOTHESIS_PROFILE", "short")]
# Query types that would interpret the user's text as syntax; none may appear in a body.
SYNTAX_QUERIES = {"query_string", "simple_query_string", "regexp", "script", "intervals"}
# Text with Lucene syntax, JSON-ish punctuation, CJK, control and odd Unicode characters.
hostile_text = st.lists(
    st.one_of(
        st.sampled_from([*"+-=&|!(){}[]^\"~*?:\\/<>#@%`'", "AND", "OR", "NOT", " ", "\x00"]),
        st.characters(codec="utf-8"),
        st.sampled_from(["民意速办", "政务热线", "满意度", "预算", "≥90%"]),
    ),
    max_size=80,
).map(lambda pieces: "".join(pieces)[:MAX_Q_LENGTH])
filter_values = st.lists(hostile_text.map(lambda t: t[:40]), max_size=3)


def bounded(examples: int) -> settings:
    """A fixed number of examples, the same ones every run, whatever each one takes."""
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )


def keys(node) -> set[str]:
    if isinstance(node, dict):
        return set(node) | {k for v in node.values() for k in keys(v)}
    if isinstance(node, list):
        return {k for v in node for k in keys(v)}
    return set()


@pytest.fixture(scope="module")
def seed_alias(seed_index):
    return seed_index[0].alias


@bounded(BUILDER_CASES)
@given(
    q=hostile_text,
    district=filter_values,
    department=filter_values,
    sort=st.sampled_from(["relevance", "amount_desc", "year_asc"]),
    amount=st.one_of(st.none(), st.floats(allow_nan=False, allow_infinity=False)),
    expand=st.booleans(),
)
def test_any_text_is_searched_as_text(
    es, seed_alias, q, district, department, sort, amount, expand
):
    params = SearchParams(
        q=q, district=district, department=department, sort=sort, amount_min=amount, expand=expand
    )
    if validate(params):
        return  # refused with a 400 before anything is built
    body = build_search(params)
    assert not keys(body) & SYNTAX_QUERIES
    es.search(index=seed_alias, **body)  # raises on any 4xx or 5xx from Elasticsearch


@bounded(BUILDER_CASES // 3)
@given(q=hostile_text.map(lambda t: t[:50]))
def test_suggestions_escape_wildcards(es, seed_alias, q):
    body = suggest_body(q)
    pattern = body["aggs"]["names"]["filter"]["bool"]["filter"][1]["wildcard"]["name"]["value"]
    inner = pattern[1:-1]
    # every * and ? the user typed is escaped; only the two added ones are wildcards
    unescaped = inner.replace("\\\\", "").replace("\\*", "").replace("\\?", "")
    assert "*" not in unescaped and "?" not in unescaped
    es.search(index=seed_alias, **body)


# The cases come from the schema an app serves (the same whatever its settings), and go to an
# app over the seed index.
schema = schemathesis.openapi.from_asgi("/openapi.json", create_app())


@pytest.fixture(scope="module")
def seed_app(seed_index):
    settings, _ = seed_index
    return create_app(settings)


@schema.parametrize()
@bounded(API_CASES)
def test_no_request_makes_the_api_fail(case, seed_app):
    response = case.call(app=seed_app)
    assert response.status_code < 500, (case.path, case.query, response.text[:300])
    if response.status_code >= 400:
        assert "error" in response.json()
