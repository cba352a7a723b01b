"""The HTTP API against the real node, over the five seed budgets."""

import html
import json
import uuid
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from indexer.admin import drop_index
from indexer.settings import Settings
from search_api.app import create_app
from tests.conftest import _settings, client_for, quiet_ingest

pytestmark = pytest.mark.es


def assert_error_shape(response, status: int, code: str | None = None):
    assert response.status_code == status
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}
    assert body["error"]["message"]
    if code:
        assert body["error"]["code"] == code


def test_minyi_suban_finds_futian_2024(seed_api):
    body = seed_api.get("/api/search", params={"q": "民意速办"}).json()
    assert body["total"] > 0
    top = body["hits"][0]
    assert (top["district"], top["year"]) == ("福田区", 2024)
    facet = {f["value"]: f["count"] for f in body["facets"]["district"]}
    assert facet.get("深圳市/福田区", 0) > 0


def test_snippets_mark_the_words_as_written(seed_api, es, seed_index):
    settings, _ = seed_index
    params = {"q": "民意速办", "size": 20, "expand": "false"}
    body = seed_api.get("/api/search", params=params).json()
    snippets = {h["id"]: h["snippet"] for h in body["hits"] if "<mark>" in h["snippet"]}
    assert len(snippets) >= 5
    for record_id, snippet in snippets.items():
        assert "<mark>民意速办</mark>" in snippet
        # The snippet is the stored text exactly as written: no spaces from segmentation.
        plain = html.unescape(snippet.replace("<mark>", "").replace("</mark>", ""))
        text = es.get(index=settings.alias, id=record_id)["_source"]["text"]
        assert plain in text


def test_snippet_html_is_escaped(seed_api):
    body = seed_api.get("/api/search", params={"q": "<script>民意速办"}).json()
    for hit in body["hits"]:
        assert "<script>" not in hit["snippet"]


def test_browsing_everything_shows_district_and_year_facets(seed_api):
    body = seed_api.get("/api/search").json()
    districts = {(f["city"], f["district"]) for f in body["facets"]["district"]}
    years = {f["value"] for f in body["facets"]["year"]}
    assert {("深圳市", "福田区"), ("深圳市", "罗湖区"), ("深圳市", "市本级")} <= districts
    # each district is shown with its city
    assert all(f["label"] == f"{f['city']} {f['district']}" for f in body["facets"]["district"])
    assert {2020, 2024} <= years
    assert body["total"] == sum(f["count"] for f in body["facets"]["kind"])


def test_filters_and_multi_select_facet_counts(seed_api):
    all_ = seed_api.get("/api/search").json()
    counts = {f["district"]: f["count"] for f in all_["facets"]["district"]}
    for bare_or_place in ("罗湖区", "深圳市/罗湖区"):
        one = seed_api.get("/api/search", params={"district": bare_or_place}).json()
        assert one["total"] == counts["罗湖区"]
        assert {h["district"] for h in one["hits"]} == {"罗湖区"}
        # the district facet still offers the other districts with their own counts
        assert {f["district"]: f["count"] for f in one["facets"]["district"]} == counts
        selected = [f["selected"] for f in one["facets"]["district"] if f["district"] == "罗湖区"]
        assert selected == [True]
    both = seed_api.get(
        "/api/search", params=[("district", "罗湖区"), ("district", "深圳市/市本级")]
    )
    assert both.json()["total"] == counts["罗湖区"] + counts["市本级"]
    narrowed = seed_api.get("/api/search", params={"district": "福田区", "year": 2020}).json()
    assert narrowed["total"] > 0
    assert {(h["district"], h["year"]) for h in narrowed["hits"]} == {("福田区", 2020)}


def test_kind_filter_and_paging(seed_api):
    docs = seed_api.get("/api/search", params={"kind": "document", "size": 2}).json()
    assert docs["total"] == 5 and len(docs["hits"]) == 2
    page3 = seed_api.get("/api/search", params={"kind": "document", "size": 2, "page": 3}).json()
    assert len(page3["hits"]) == 1
    ids = {h["id"] for h in docs["hits"]} | {h["id"] for h in page3["hits"]}
    assert len(ids) == 3


def test_documents_list_with_record_counts(seed_api):
    body = seed_api.get("/api/documents").json()
    assert body["total"] == 5
    for doc in body["documents"]:
        assert doc["record_counts"]["document"] == 1
        assert doc["record_counts"]["section"] > 5
        assert doc["records"] == sum(doc["record_counts"].values())
    one = seed_api.get(f"/api/documents/{body['documents'][0]['id']}").json()
    assert one["outline"] and all(s["path"] for s in one["outline"][1:])
    assert_error_shape(seed_api.get("/api/documents/nope"), 404, "not_found")


@pytest.mark.parametrize(
    "params",
    [
        {"size": 101},
        {"page": 0},
        {"year": "二〇二四"},
        {"kind": "bogus"},
        {"q": "民" * 201},
        {"page": 101, "size": 100},
        {"amount_min": 5, "amount_max": 1},
        {"year": "99999999999"},
        {"amount_min": "nan"},
        {"amount_min": "x"},
        {"facet_size": 0},
        {"facet_size": 501},
        {"district": [f"区{n}" for n in range(51)]},
        {"cursor": "x" * 4001},
        {"q": "民", "cursor": "not-a-cursor"},
    ],
)
def test_bad_parameters_are_400_json(seed_api, params):
    assert_error_shape(seed_api.get("/api/search", params=params), 400)


def test_unknown_path_is_404_json(seed_api):
    assert_error_shape(seed_api.get("/api/nothing-here"), 404, "not_found")


def test_health_and_readiness(seed_api):
    assert seed_api.get("/healthz").json() == {"status": "ok"}
    assert seed_api.get("/readyz").status_code == 200


def test_missing_index_is_503_json(es):
    client = client_for(Settings(es_index_prefix="test-never-created"))
    assert_error_shape(client.get("/api/search", params={"q": "x"}), 503, "index_missing")
    assert_error_shape(client.get("/readyz"), 503, "index_missing")


def test_elasticsearch_unreachable_is_503_json():
    client = client_for(Settings(es_url="http://127.0.0.1:9", es_timeout=2))
    for path in ("/api/search?q=民意速办", "/api/documents", "/readyz", "/api/documents/abc"):
        assert_error_shape(client.get(path), 503)
    assert client.get("/healthz").status_code == 200


def test_openapi_page(seed_api):
    assert seed_api.get("/docs").status_code == 200
    spec = seed_api.get("/openapi.json").json()
    assert "/api/search" in spec["paths"]


def test_the_served_contract_is_the_checked_in_one():
    """A change to the API's schema is deliberate: `make openapi` writes tests/openapi.json,
    and the diff shows what changed for the API's users."""
    served = TestClient(create_app()).get("/openapi.json").json()
    checked_in = json.loads((Path(__file__).parent / "openapi.json").read_text(encoding="utf-8"))
    assert served == checked_in, "the API's contract changed: if meant, run 'make openapi'"
    operations = [op for path in served["paths"].values() for op in path.values()]
    assert all("422" not in op["responses"] for op in operations)  # bad input is a 400
    search = served["paths"]["/api/search"]["get"]["responses"]
    for status in ("400", "429", "503"):
        assert search[status]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/ErrorBody"
        }
    indicator_params = {
        p["name"]: p for p in served["paths"]["/api/indicators"]["get"]["parameters"]
    }
    assert {"target_unit", "unit"} <= set(indicator_params)
    # closed sets of values are enums in the schema
    assert indicator_params["sort"]["schema"]["enum"][0] == "relevance"
    assert indicator_params["op"]["schema"]["items"]["enum"] == ["≥", "≤", ">", "<", "="]
    search_params = {p["name"]: p for p in served["paths"]["/api/search"]["get"]["parameters"]}
    assert "project" in search_params["kind"]["schema"]["items"]["enum"]
    assert "部门预算" in search_params["doc_type"]["schema"]["items"]["enum"]


def test_projects_are_hits_with_their_amount_unit_and_sources(seed_api):
    body = seed_api.get("/api/search", params={"q": "民意速办", "kind": "project"}).json()
    top = body["hits"][0]
    assert (top["title"], top["amount_wan"], top["district"], top["year"]) == (
        "民意速办",
        581.18,
        "福田区",
        2024,
    )
    assert top["parent"] == "民意速办和智慧城市"
    assert top["unit"] == "深圳市福田区民意速办和智慧城市建设中心"
    parent = seed_api.get(
        "/api/search", params={"q": "民意速办和智慧城市", "kind": "project", "size": 1}
    ).json()["hits"][0]
    assert parent["amount_wan"] == 5290.57
    assert {s["kind"] for s in parent["sources"]} == {
        "list",
        "task",
        "key_project",
        "summary_table",
    }


def test_indicator_hits_carry_parsed_targets_and_levels(seed_api):
    body = seed_api.get(
        "/api/search", params={"q": "平台事件分拨准确率", "kind": "indicator"}
    ).json()
    top = body["hits"][0]
    assert top["title"] == "平台事件分拨准确率"
    assert top["target"] == {"raw": "≥90%", "op": "≥", "value": 90.0, "unit": "%"}
    assert (top["level1"], top["level2"]) == ("产出指标", "质量指标")


def test_line_items_carry_code_and_amounts(seed_api):
    coded = seed_api.get("/api/search", params={"q": "2080505", "kind": "line_item"}).json()
    assert coded["total"] > 0
    for hit in coded["hits"]:
        assert hit["code"] == "2080505"
        assert hit["title"] == "2080505 机关事业单位基本养老保险缴费支出"
        assert hit["table"] and hit["amounts"]
    totals = seed_api.get("/api/search", params={"q": "收入总计", "kind": "line_item"}).json()
    futian = [h for h in totals["hits"] if h["title"] == "收入总计" and h["year"] == 2024]
    assert any(h["amounts"][0]["value"] == 9769.67 for h in futian)


@pytest.fixture(scope="module")
def pdf_api(es, shared):
    settings = _settings(f"test-pdf-{uuid.uuid4().hex[:8]}")
    pdf = shared / "realpdfs" / "shenzhen-2026" / "2026年深圳市审计局部门预算.pdf"
    report = quiet_ingest([pdf], settings, es)
    assert not report.failed, report.summary()
    yield client_for(settings)
    drop_index(es, settings)


def test_pdf_project_hits_carry_page_numbers(pdf_api):
    body = pdf_api.get("/api/search", params={"q": "审计管理业务", "kind": "project"}).json()
    top = body["hits"][0]
    assert (top["title"], top["amount_wan"], top["district"], top["year"]) == (
        "审计管理业务",
        506.95,
        "市本级",
        2026,
    )
    # the 项目支出 list is on page 11 of that PDF; the other places it is named have pages too
    assert top["page"] == 11
    assert all(source["page"] for source in top["sources"])
