"""The three things users come for, end to end over seeds and real PDFs of other cities."""

import uuid

import pytest

from indexer.admin import drop_index
from tests.conftest import _settings, client_for, quiet_ingest

OTHER_CITIES = (
    "2026年广州市政务服务和数据管理局部门预算.pdf",
    "2026年泉州市人民政府办公室部门预算.pdf",
)


@pytest.fixture(scope="module")
def api(es, shared, seed_files):
    settings = _settings(f"test-scenarios-{uuid.uuid4().hex[:8]}")
    pdfs = [shared / "realpdfs" / "other" / name for name in OTHER_CITIES]
    report = quiet_ingest([*seed_files, *pdfs], settings, es)
    assert not report.failed, report.summary()
    yield client_for(settings)
    drop_index(es, settings)


def test_a_project_across_years_and_places(api):
    series = api.get("/api/projects/timeline", params={"q": "预算准备金"}).json()["series"]
    points = series[0]["points"]
    assert series[0]["name"] == "预算准备金"
    assert {p["year"] for p in points} >= {2020, 2024}
    assert {p["district"] for p in points} >= {"福田区", "罗湖区", "市本级"}


def test_what_districts_spend_on_hotlines(api):
    body = api.get("/api/search", params={"q": "政务热线", "kind": "project", "size": 50}).json()
    cities = {h["city"] for h in body["hits"]}
    assert {"深圳市", "广州市"} <= cities  # 广州12345…热线 comes through the related terms
    districts = {f["value"]: f["count"] for f in body["facets"]["district"]}
    # each city's own bodies are their own district value, never one 市本级 for all
    assert {"深圳市/罗湖区", "广州市/市本级"} <= set(districts)
    luohu = api.get(
        "/api/search", params={"q": "政务热线", "kind": "project", "district": "深圳市/罗湖区"}
    ).json()
    assert luohu["total"] == districts["深圳市/罗湖区"]
    assert all(h["district"] == "罗湖区" for h in luohu["hits"])


def test_indicator_targets_across_cities(api):
    body = api.get(
        "/api/indicators", params={"q": "满意度", "op": "≥", "value_min": 90, "size": 100}
    ).json()
    assert {h["city"] for h in body["hits"]} >= {"深圳市", "泉州市"}
    quanzhou = [h for h in body["hits"] if h["city"] == "泉州市"]
    assert all(h["page"] for h in quanzhou)
    assert any(h["project"] for h in quanzhou)  # a project's own 绩效目标表
