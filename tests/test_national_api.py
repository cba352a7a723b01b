"""Facets that span the country, through the API over budgets of two cities (synthetic texts
written here): doc_type, province, city and level facets and filters, and a district facet that
never merges two cities' 市本级; a notice is indexed as text with no budget metadata."""

import uuid

import pytest

from indexer.admin import drop_index
from tests.conftest import client_for, quiet_ingest

pytestmark = pytest.mark.es


def budget(department: str, total: str) -> str:
    return (
        f"2026年{department}部门预算\n\f\n"
        f"第一部分 部门概况\n{department}负责统计工作。\n"
        f"第二部分 2026年部门预算情况说明\n2026年{department}部门预算收入{total}万元。\n"
        "第三部分 2026年部门预算表\n表1 收支总表\n单位：万元\n"
        f"收入总计\t{total}\t支出总计\t{total}\n"
    )


@pytest.fixture(scope="module")
def two_cities(es, tmp_path_factory):
    from tests.conftest import _settings

    folder = tmp_path_factory.mktemp("national")
    (folder / "lanzhou.txt").write_text(budget("兰州市统计局", "1,200.00"), encoding="utf-8")
    (folder / "changsha.txt").write_text(budget("长沙市统计局", "3,400.50"), encoding="utf-8")
    (folder / "changsha-district.txt").write_text(
        budget("长沙市岳麓区统计局", "56.00"), encoding="utf-8"
    )
    (folder / "notice.txt").write_text(
        "兰州市人民政府办公厅关于做好防汛工作的通知\n各区县人民政府：请做好准备。\n",
        encoding="utf-8",
    )
    settings = _settings(f"test-national-{uuid.uuid4().hex[:8]}")
    report = quiet_ingest([folder], settings, es)
    assert not report.failed, report.summary()
    yield client_for(settings)
    drop_index(es, settings)


def facet(body: dict, name: str) -> dict:
    return {f["value"]: f["count"] for f in body["facets"][name]}


def test_two_cities_city_level_bodies_are_two_district_values(two_cities):
    body = two_cities.get("/api/search", params={"kind": "document"}).json()
    districts = {f["value"]: f for f in body["facets"]["district"]}
    assert {"兰州市/市本级", "长沙市/市本级", "长沙市/岳麓区"} <= set(districts)
    assert districts["兰州市/市本级"]["label"] == "兰州市 市本级"
    one = two_cities.get(
        "/api/search", params={"kind": "document", "district": "兰州市/市本级"}
    ).json()
    assert one["total"] == districts["兰州市/市本级"]["count"] == 1
    assert [(h["city"], h["district"]) for h in one["hits"]] == [("兰州市", "市本级")]


def test_doc_type_province_city_and_level_facets_and_filters(two_cities):
    body = two_cities.get("/api/search", params={"kind": "document"}).json()
    assert facet(body, "doc_type") == {"部门预算": 3, "other": 1}
    assert facet(body, "province") == {"湖南省": 2, "甘肃省": 1}
    assert facet(body, "city") == {"长沙市": 2, "兰州市": 1}
    assert facet(body, "level") == {"市级": 2, "区县级": 1}
    hunan = two_cities.get(
        "/api/search", params={"kind": "document", "province": "湖南省", "level": "区县级"}
    ).json()
    assert [h["department"] for h in hunan["hits"]] == ["长沙市岳麓区统计局"]
    assert hunan["hits"][0]["doc_type"] == "部门预算"


def test_a_notice_is_searchable_text_with_nothing_invented(two_cities):
    body = two_cities.get("/api/search", params={"q": "防汛", "doc_type": "other"}).json()
    assert body["total"] >= 1
    hit = body["hits"][0]
    assert (hit["department"], hit["year"], hit["city"]) == (None, None, None)


def test_source_file_is_relative_to_the_folder_indexed(two_cities):
    body = two_cities.get("/api/documents").json()
    files = sorted(d["source_file"] for d in body["documents"])
    assert files == ["changsha-district.txt", "changsha.txt", "lanzhou.txt", "notice.txt"]
