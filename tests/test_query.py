"""The query builder's dicts, without Elasticsearch."""

from search_api.query import SearchParams, build_search, highlight, text_query, validate


def test_empty_query_browses_everything_sorted_by_year():
    body = build_search(SearchParams())
    assert body["query"] == {"match_all": {}}
    assert body["sort"][0] == {"year": "desc"}
    assert "post_filter" not in body


def test_user_text_only_reaches_match_queries():
    hostile = 'title:* OR (民意速办" AND kind:document'
    query = text_query(hostile)
    clauses = query["bool"]["should"]
    kinds = {next(iter(c)) for c in clauses}
    assert kinds == {"match", "match_phrase"}  # never query_string syntax
    phrases = [c["match_phrase"] for c in clauses if "match_phrase" in c]
    assert {"query": hostile} in [p["text"] for p in phrases if "text" in p]


def test_filters_or_within_and_across_fields_in_the_post_filter():
    body = build_search(SearchParams(district=["福田区", "罗湖区"], year=[2024]))
    filters = body["post_filter"]["bool"]["filter"]
    assert {"terms": {"district": ["福田区", "罗湖区"]}} in filters
    assert {"terms": {"year": [2024]}} in filters


def test_each_facet_ignores_its_own_selection():
    body = build_search(SearchParams(district=["福田区"], year=[2024]))
    district_agg = body["aggs"]["district"]["filter"]["bool"]["filter"]
    year_agg = body["aggs"]["year"]["filter"]["bool"]["filter"]
    assert district_agg == [{"terms": {"year": [2024]}}]
    assert year_agg == [{"terms": {"district": ["福田区"]}}]
    assert body["aggs"]["kind"]["filter"]["bool"]["filter"] == [
        {"terms": {"district": ["福田区"]}},
        {"terms": {"year": [2024]}},
    ]


def test_amount_range_narrows_the_query_itself():
    body = build_search(SearchParams(q="运维", amount_min=10, amount_max=20))
    assert body["query"]["bool"]["filter"] == [{"range": {"amount_wan": {"gte": 10, "lte": 20}}}]


def test_highlight_uses_one_phrase_per_query_word_on_the_original_text():
    hl = highlight("民意速办 满意度")
    should = hl["fields"]["text"]["highlight_query"]["bool"]["should"]
    assert should == [{"match_phrase": {"text": "民意速办"}}, {"match_phrase": {"text": "满意度"}}]
    assert hl["encoder"] == "html"


def test_paging():
    body = build_search(SearchParams(page=3, size=20))
    assert (body["from_"], body["size"]) == (40, 20)


def test_limits():
    assert validate(SearchParams(q="x" * 201))
    assert validate(SearchParams(page=200, size=100))
    assert validate(SearchParams(amount_min=5, amount_max=1))
    assert validate(SearchParams(year=[99999999999]))
    assert validate(SearchParams(amount_min=float("nan")))
    assert validate(SearchParams(amount_max=float("inf")))
    assert validate(SearchParams(q="民意速办", page=2, size=100)) is None


def test_budget_facts_outrank_table_rows_and_sections():
    query = build_search(SearchParams(q="民意速办"))["query"]
    weights = {
        f["filter"]["term"]["kind"]: f["weight"] for f in query["function_score"]["functions"]
    }
    assert weights["project"] > weights["section"] > weights["line_item"]
    # browsing (no words) keeps the plain order
    assert "function_score" not in build_search(SearchParams())["query"]
