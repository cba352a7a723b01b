"""The timeline, suggestions, department view and exports, against the real node."""

import csv
import io
import json
from pathlib import Path

import pytest

from indexer.admin import ensure_index
from indexer.bulk import index_prepared
from indexer.model import Record
from indexer.sources import SourceFile
from indexer.workers import Prepared, record_source
from search_api.schemas import Point
from search_api.timeline import Lineage, build_series
from tests.conftest import client_for


def test_timeline_groups_a_project_across_years_and_a_reorganisation(seed_api):
    body = seed_api.get("/api/projects/timeline", params={"q": "一般管理事务"}).json()
    series = body["series"][0]
    assert series["name"] == "一般管理事务"
    assert [p["year"] for p in series["points"]] == [2020, 2020, 2020, 2024]
    centre = "深圳市福田区民意速办和智慧城市建设中心"
    # the 2020 数据管理中心 became the 2024 centre (data/lineage.toml)
    orgs = {p["unit"]: p["organisation"] for p in series["points"]}
    assert orgs["深圳市福田区数据管理中心"] == centre
    assert orgs[centre] == centre
    assert seed_api.get("/api/projects/timeline").status_code == 400  # q is required


def test_a_timeline_that_finds_nothing_is_empty(seed_api):
    response = seed_api.get("/api/projects/timeline", params={"q": "没有这个项目名称"})
    assert response.status_code == 200
    assert response.json() == {"q": "没有这个项目名称", "series": []}


def hit(name, year, unit, amount, district="福田区"):
    source = {"name": name, "year": year, "unit": unit, "amount_wan": amount}
    return {"_id": f"{name}-{year}-{unit}", "_source": {**source, "district": district}}


def test_series_changes_follow_the_organisation_through_a_reorganisation():
    lineage = Lineage(names={"民意速办": "民意速办"}, successors={"分拨中心": "新中心"})
    hits = [
        hit("民意速办项目", 2024, "新中心", 600.0),
        hit("民意速办(2023)", 2023, "分拨中心", 500.0),
        hit("民意速办", 2023, "别的区中心", 100.0, "罗湖区"),
    ]
    (series,) = build_series(hits, lineage)
    by_year_unit = {(p["year"], p["unit"]): p for p in series["points"]}
    assert by_year_unit[(2024, "新中心")]["change_wan"] == 100.0
    assert by_year_unit[(2024, "新中心")]["change_pct"] == 20.0
    assert by_year_unit[(2023, "别的区中心")]["change_wan"] is None
    assert [p["year"] for p in series["points"]] == [2023, 2023, 2024]
    # every point names all of Point's fields, in its order, None where the record has none
    assert all(list(p) == list(Point.model_fields) for p in series["points"])
    assert {p["department"] for p in series["points"]} == {None}


def test_suggestions_begin_with_what_was_typed(seed_api):
    body = seed_api.get("/api/suggest", params={"q": "民意"}).json()
    names = [s["text"] for s in body["suggestions"] if s["kind"] == "name"]
    assert names[0].startswith("民意") and "民意速办" in names
    departments = [s["text"] for s in body["suggestions"] if s["kind"] == "department"]
    assert "深圳市福田区民意速办和智慧城市建设中心" in departments
    for hostile in ("*", "?", "\\", "民意*", "a" * 50):
        response = seed_api.get("/api/suggest", params={"q": hostile})
        assert response.status_code == 200, hostile
        assert all(hostile in s["text"] for s in response.json()["suggestions"])
    assert seed_api.get("/api/suggest", params={"q": "x" * 51}).status_code == 400


def test_department_view(seed_api):
    name = "深圳市福田区政务服务数据管理局"
    body = seed_api.get(f"/api/departments/{name}").json()
    assert [y["year"] for y in body["years"]] == [2020]
    assert body["years"][0]["total_wan"] == 10251.69
    assert body["years"][0]["change"] == {"base_year": 2019, "wan": 2628.04, "pct": 34.47}
    amounts = [p["amount_wan"] for p in body["top_projects"]]
    assert amounts == sorted(amounts, reverse=True)
    assert body["top_projects"][1]["name"] == "电子政务运行维护" and amounts[1] == 3271.35
    missing = seed_api.get("/api/departments/no-such-department")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


def test_csv_export_is_the_whole_result_set_for_a_spreadsheet(seed_api):
    params = {"q": "预算准备金"}
    total = seed_api.get("/api/search", params=params).json()["total"]
    response = seed_api.get("/api/search.csv", params=params)
    assert response.headers["content-type"].startswith("text/csv")
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == total
    assert {"document_id", "unit", "page", "source_file"} <= set(rows[0])
    assert any(r["title"] == "预算准备金" and r["amount_wan"] for r in rows)


def test_jsonl_export_keeps_the_nested_fields(seed_api):
    def exported(params: dict) -> dict[str, dict]:
        shown = seed_api.get("/api/search", params={**params, "size": 100}).json()
        response = seed_api.get("/api/search.jsonl", params=params)
        records = {r["id"]: r for r in map(json.loads, response.text.splitlines())}
        assert len(records) == shown["total"] <= 100
        for hit in shown["hits"]:
            for name in ("path", "sources", "change", "amounts", "target", "bbox"):
                assert records[hit["id"]][name] == hit[name], (hit["id"], name)
        return records

    projects = exported({"q": "民意速办", "kind": "project"})
    assert all(r["sources"] for r in projects.values())  # each where the document states it
    indicators = exported({"q": "满意度", "kind": "indicator"})
    assert all(r["target"]["raw"] for r in indicators.values())  # the whole target


def test_csv_cells_a_spreadsheet_would_run_are_text(es):
    from tests.conftest import _settings

    settings = _settings("test-formula")
    index = ensure_index(es, settings)
    titles = ['=HYPERLINK("http://example.invalid")', "+1+1", "-2+3", "@SUM(A1)", "预算准备金"]
    records = [
        Record(id=f"f{i}", kind="line_item", document_id="formula", title=t, amount_wan=-5.0)
        for i, t in enumerate(titles)
    ]
    one = Prepared(
        SourceFile.of(Path("formula")), sources=[(r.id, record_source(r)) for r in records]
    )
    index_prepared(es, index, [one], lambda _: None, replace=False)
    es.indices.refresh(index=index)
    try:
        response = client_for(settings).get("/api/search.csv", params={"kind": "line_item"})
        rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert sorted(r["title"] for r in rows) == sorted(
            ["'" + t for t in titles[:4]] + ["预算准备金"]
        )
        assert {r["amount_wan"] for r in rows} == {"-5.0"}  # numbers are left as they are
    finally:
        es.indices.delete(index=index)


@pytest.fixture(scope="module")
def big_api(es):
    """An index holding more than 10,000 records (synthetic, one line each)."""
    from tests.conftest import _settings

    settings = _settings("test-big")
    index = ensure_index(es, settings)
    records = (
        Record(id=f"r{i}", kind="line_item", document_id="big", title=f"行 {i}", year=2024)
        for i in range(10_500)
    )
    big = Prepared(SourceFile.of(Path("big")), sources=[(r.id, record_source(r)) for r in records])
    index_prepared(es, index, [big], lambda _: None, replace=False)
    es.indices.refresh(index=index)
    yield client_for(settings)
    es.indices.delete(index=index)


def test_exports_stream_past_ten_thousand_rows(big_api):
    response = big_api.get("/api/search.jsonl", params={"kind": "line_item"})
    ids = [json.loads(line)["id"] for line in response.text.splitlines()]
    assert len(ids) == len(set(ids)) == 10_500
    assert big_api.get("/api/search", params={"page": 200, "size": 100}).status_code == 400


def test_an_unknown_export_format_is_400(seed_api):
    response = seed_api.get("/api/search.xlsx")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_parameter"


def test_bodies_of_one_kind_are_compared_across_places_and_years(seed_api):
    body = seed_api.get("/api/compare", params={"q": "政务服务数据管理局"}).json()
    # the totals and 三公 as the two budgets state them
    shown = {(b["district"], b["year"]): (b["total_wan"], b["sangong_wan"]) for b in body["bodies"]}
    assert shown == {("罗湖区", 2024): (3020.16, 2.65), ("福田区", 2020): (10251.69, 9.34)}
    assert body["total"] == 2
    assert [b["year"] for b in body["bodies"]] == [2024, 2020]  # newest first
    for compared in body["bodies"]:
        amounts = [p["amount_wan"] for p in compared["top_projects"]]
        assert amounts and amounts == sorted(amounts, reverse=True)  # the largest first
        assert len(amounts) <= 5
    # the text is part of a name, never a pattern; q is required
    assert seed_api.get("/api/compare", params={"q": "*"}).json()["bodies"] == []
    assert seed_api.get("/api/compare").status_code == 400
    assert seed_api.get("/api/compare", params={"q": " "}).status_code == 400
    # a year beyond the index's integers is the caller's mistake (found by make soak's fuzzing)
    too_big = seed_api.get("/api/compare", params={"q": "局", "year": -(2**63) - 1})
    assert too_big.status_code == 400 and too_big.json()["error"]["code"] == "invalid_parameter"
