"""The HTTP API against the real node, over the five seed budgets."""

import html

import pytest
from fastapi.testclient import TestClient

from indexer.settings import Settings, get_settings
from search_api.app import app
from tests.conftest import client_for

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
    assert facet.get("福田区", 0) > 0


def test_snippets_mark_the_words_as_written(seed_api, es, seed_index):
    settings, _ = seed_index
    body = seed_api.get("/api/search", params={"q": "民意速办", "size": 20}).json()
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
    districts = {f["value"] for f in body["facets"]["district"]}
    years = {f["value"] for f in body["facets"]["year"]}
    assert {"福田区", "罗湖区", "市本级"} <= districts
    assert {2020, 2024} <= years
    assert body["total"] == sum(f["count"] for f in body["facets"]["kind"])


def test_filters_and_multi_select_facet_counts(seed_api):
    all_ = seed_api.get("/api/search").json()
    counts = {f["value"]: f["count"] for f in all_["facets"]["district"]}
    one = seed_api.get("/api/search", params={"district": "罗湖区"}).json()
    assert one["total"] == counts["罗湖区"]
    assert {h["district"] for h in one["hits"]} == {"罗湖区"}
    # the district facet still offers the other districts with their own counts
    assert {f["value"]: f["count"] for f in one["facets"]["district"]} == counts
    assert [f["selected"] for f in one["facets"]["district"] if f["value"] == "罗湖区"] == [True]
    both = seed_api.get("/api/search", params=[("district", "罗湖区"), ("district", "市本级")])
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
    try:
        assert_error_shape(client.get("/api/search", params={"q": "x"}), 503, "index_missing")
        assert_error_shape(client.get("/readyz"), 503, "index_missing")
    finally:
        app.dependency_overrides.clear()


def test_elasticsearch_unreachable_is_503_json():
    app.dependency_overrides[get_settings] = lambda: Settings(
        es_url="http://127.0.0.1:9", es_timeout=2
    )
    try:
        client = TestClient(app)
        for path in ("/api/search?q=民意速办", "/api/documents", "/readyz", "/api/documents/abc"):
            assert_error_shape(client.get(path), 503)
        assert client.get("/healthz").status_code == 200
    finally:
        app.dependency_overrides.clear()


def test_openapi_page(seed_api):
    assert seed_api.get("/docs").status_code == 200
    spec = seed_api.get("/openapi.json").json()
    assert "/api/search" in spec["paths"]
