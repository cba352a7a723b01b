"""/api/search and /api/indicators beyond the basics, against the real node: facets for unit and
levels, the year histogram and amount ranges, sorting, related terms, cursors."""

from search_api.expand import expansions


def get(api, path="/api/search", **params):
    response = api.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_unit_and_level_facets(seed_api):
    body = get(seed_api, kind="indicator", size=1)
    level1 = {f["value"] for f in body["facets"]["level1"]}
    assert {"产出指标", "效益指标", "满意度指标"} <= level1
    units = {f["value"] for f in body["facets"]["unit"]}
    assert "深圳市福田区政务服务中心" in units  # 002's units
    narrowed = get(seed_api, kind="indicator", level2="质量指标", size=100)
    assert narrowed["total"] > 0
    assert all(h["level2"] == "质量指标" for h in narrowed["hits"])


def test_year_histogram_and_amount_ranges_describe_the_hits(seed_api):
    body = get(seed_api, kind="project", size=1)
    assert sum(b["count"] for b in body["histogram"]["year"]) == body["total"]
    assert [b["year"] for b in body["histogram"]["year"]] == sorted({2020, 2024})
    ranges = body["amount_ranges"]
    assert [r["value"] for r in ranges][0] == "10万以下"
    assert sum(r["count"] for r in ranges) == body["total"]  # every project has an amount
    chosen = next(r for r in ranges if r["value"] == "100–1000万")
    hits = get(seed_api, kind="project", amount_min=100, amount_max=1000, size=100)
    assert hits["total"] == chosen["count"]
    assert all(100 <= h["amount_wan"] <= 1000 for h in hits["hits"])
    assert next(r for r in hits["amount_ranges"] if r["selected"])["value"] == "100–1000万"


def test_sorting_by_amount_and_year(seed_api):
    by_amount = get(seed_api, kind="project", sort="amount_desc", size=50)["hits"]
    amounts = [h["amount_wan"] for h in by_amount]
    assert amounts == sorted(amounts, reverse=True)
    by_year = get(seed_api, q="预算准备金", sort="year_asc", size=50)["hits"]
    years = [h["year"] for h in by_year]
    assert years == sorted(years) and years[0] == 2020
    bad = seed_api.get("/api/search", params={"sort": "price"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_parameter"


def test_related_terms_expand_the_query_and_say_so():
    concepts = (
        ("related", ("民意速办", "民生诉求")),
        ("equivalent", ("政数局", "政务服务数据管理局")),
    )
    assert [(e.term, e.relation) for e in expansions("福田 民意速办", concepts)] == [
        ("民生诉求", "related")
    ]
    assert expansions("福田 民意速办", concepts)[0].query == "福田 民生诉求"
    assert [e.term for e in expansions("政数局", concepts)] == ["政务服务数据管理局"]
    assert expansions("预算", concepts) == []


def test_expansions_in_the_api_rank_after_the_words_typed(seed_api):
    expanded = get(seed_api, q="民意速办", size=50)
    assert {"term": "民生诉求", "for": "民意速办", "relation": "related"} in expanded["expansions"]
    assert "民意速办" in expanded["hits"][0]["title"]  # the words typed come first
    assert any("<mark>民生诉求</mark>" in h["snippet"] for h in expanded["hits"])
    plain = get(seed_api, q="民意速办", size=50, expand="false")
    assert plain["expansions"] == []
    assert plain["total"] < expanded["total"]


def test_indicator_targets_in_one_request(seed_api):
    search = {"q": "满意度", "op": "≥", "value_min": 90, "size": 100}
    body = get(seed_api, "/api/indicators", **search, target_unit="%")
    assert body["total"] > 0
    for hit in body["hits"]:
        assert hit["kind"] == "indicator"
        target = hit["target"]
        assert target["op"] == "≥" and target["value"] >= 90 and target["unit"] == "%"
    assert get(seed_api, "/api/indicators", **search, target_unit="小时")["total"] == 0
    # unit is the 预算单位 here too, as on /api/search
    unit = body["hits"][0]["unit"]
    same_unit = get(seed_api, "/api/indicators", **search, target_unit="%", unit=unit)
    assert 0 < same_unit["total"] <= body["total"]
    assert {hit["unit"] for hit in same_unit["hits"]} == {unit}
    assert get(seed_api, "/api/indicators", **search, unit="%")["total"] == 0
    bad = seed_api.get("/api/indicators", params={"op": "~"})
    assert bad.status_code == 400


def test_a_cursor_pages_through_everything_once(seed_api):
    first = get(seed_api, kind="line_item", size=100, cursor="start")
    total, seen, cursor = first["total"], [h["id"] for h in first["hits"]], first["next_cursor"]
    assert total > 300 and first["facets"]
    while cursor:
        body = get(seed_api, kind="line_item", size=100, cursor=cursor)
        seen += [h["id"] for h in body["hits"]]
        cursor = body["next_cursor"]
    assert len(seen) == len(set(seen)) == total


def test_bad_cursors_are_400(seed_api):
    for cursor in ("not-a-cursor", "eyJwaXQiOiAieCIsICJhZnRlciI6IFsxXX0"):
        response = seed_api.get("/api/search", params={"cursor": cursor})
        assert response.status_code == 400, cursor
        assert response.json()["error"]["code"] == "invalid_cursor"


def test_search_within_one_document(seed_api):
    everywhere = get(seed_api, q="预算准备金", size=100)
    document_id = everywhere["hits"][0]["document_id"]
    within = get(seed_api, q="预算准备金", document_id=document_id, size=100)
    assert 0 < within["total"] < everywhere["total"]
    assert {h["document_id"] for h in within["hits"]} == {document_id}
