"""The response models of the OpenAPI page (search_api/schemas.py) against real answers: each
model forbids fields it does not name, so an answer that grows or changes a field fails here
until its model says so."""

import pytest

from search_api.app import app
from search_api.schemas import (
    CompareResponse,
    DepartmentView,
    DocumentList,
    DocumentView,
    Generations,
    Healthy,
    IndexingStatus,
    Ready,
    RolledBack,
    SearchResponse,
    SuggestResponse,
    TimelineResponse,
)
from tests.conftest import client_for
from tests.test_generations import copy_samples, run_cli

SEARCHES = [
    ("/api/search", {"q": "民意速办"}),
    ("/api/search", {"q": "民意速办", "page": 2, "size": 3}),
    ("/api/search", {"kind": "line_item", "sort": "amount_desc", "size": 50}),
    ("/api/search", {"kind": "project", "district": "福田区", "size": 50}),
    ("/api/search", {"kind": "project", "amount_min": 0, "amount_max": 1000}),
    ("/api/search", {"q": "政数局"}),  # a related term: expansions
    ("/api/indicators", {"q": "满意度", "op": "≥", "value_min": 90, "target_unit": "%"}),
]


@pytest.mark.parametrize(("path", "params"), SEARCHES)
def test_search_answers_are_their_model(seed_api, path, params):
    response = seed_api.get(path, params=params)
    assert response.status_code == 200
    body = SearchResponse.model_validate(response.json())
    assert body.total > 0 and body.hits


def test_every_kind_of_hit_is_its_model(seed_api):
    kinds = seed_api.get("/api/search", params={"size": 1}).json()["facets"]["kind"]
    for kind in (k["value"] for k in kinds):
        body = seed_api.get("/api/search", params={"kind": kind, "size": 100}).json()
        assert SearchResponse.model_validate(body).hits, kind


def test_cursor_pages_are_their_model(seed_api):
    first = seed_api.get("/api/search", params={"kind": "line_item", "cursor": "start"}).json()
    assert SearchResponse.model_validate(first).next_cursor
    second = seed_api.get(
        "/api/search", params={"kind": "line_item", "cursor": first["next_cursor"]}
    ).json()
    assert SearchResponse.model_validate(second).facets is None


def test_the_other_answers_are_their_models(seed_api):
    timeline = seed_api.get("/api/projects/timeline", params={"q": "一般管理事务"}).json()
    assert TimelineResponse.model_validate(timeline).series
    suggestions = seed_api.get("/api/suggest", params={"q": "民意"}).json()
    assert SuggestResponse.model_validate(suggestions).suggestions
    IndexingStatus.model_validate(seed_api.get("/api/status").json())
    Ready.model_validate(seed_api.get("/readyz").json())
    Healthy.model_validate(seed_api.get("/healthz").json())


def test_a_model_refuses_a_field_it_does_not_name(seed_api):
    body = seed_api.get("/api/search", params={"q": "民意速办"}).json()
    body["hits"][0]["unexpected"] = 1
    with pytest.raises(ValueError, match="unexpected"):
        SearchResponse.model_validate(body)


def test_related_terms_are_their_model(seed_api):
    body = seed_api.get("/api/search", params={"q": "政数局"}).json()
    expansions = SearchResponse.model_validate(body).expansions
    assert expansions and all(e.for_ == "政数局" for e in expansions)


def test_the_document_answers_are_their_models(seed_api):
    listing = DocumentList.model_validate(seed_api.get("/api/documents").json())
    assert listing.documents
    for doc in listing.documents:
        view = seed_api.get(f"/api/documents/{doc.id}", params={"page": 1}).json()
        assert DocumentView.model_validate(view).outline
        department = seed_api.get(f"/api/departments/{doc.department}").json()
        assert DepartmentView.model_validate(department).years
    compared = seed_api.get("/api/compare", params={"q": "政务服务数据管理局"}).json()
    assert CompareResponse.model_validate(compared).bodies


def test_the_admin_answers_are_their_models(es, fresh_settings, tmp_path, monkeypatch):
    assert run_cli(monkeypatch, fresh_settings, [str(copy_samples(tmp_path / "one"))]) == 0
    assert run_cli(monkeypatch, fresh_settings, ["--rebuild", str(tmp_path / "one")]) == 0
    client = client_for(fresh_settings.model_copy(update={"admin_token": "a-test-token"}))
    good = {"Authorization": "Bearer a-test-token"}
    try:
        listing = client.get("/api/admin/generations", headers=good).json()
        assert len(Generations.model_validate(listing).generations) == 2
        rolled = client.post("/api/admin/rollback", headers=good).json()
        assert RolledBack.model_validate(rolled).current == listing["previous"]
    finally:
        app.dependency_overrides.clear()
