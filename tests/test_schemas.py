"""The response models of the OpenAPI page (search_api/schemas.py) against real answers: each
model forbids fields it does not name, so an answer that grows or changes a field fails here
until its model says so."""

import pytest

from indexer.model import Amount, Change, Record, Source, Target
from search_api import export, pages, timeline
from search_api.documents import format_document
from search_api.query import FACET_FIELDS, FACETS, UNSHOWN
from search_api.schemas import (
    COMPARED_PROJECT_FIELDS,
    DEPARTMENT_PROJECT_FIELDS,
    DOCUMENT_FIELDS,
    HIT_FIELDS,
    OUTLINE_FIELDS,
    POINT_FIELDS,
    SECTION_FIELDS,
    ComparedProject,
    CompareResponse,
    DepartmentProject,
    DepartmentView,
    DocumentFields,
    DocumentList,
    DocumentView,
    Generations,
    Healthy,
    Hit,
    IndexingStatus,
    OutlineEntry,
    Point,
    Ready,
    RolledBack,
    SearchResponse,
    SectionText,
    Strict,
    SuggestResponse,
    TimelineResponse,
    record_fields,
)
from search_api.search import format_hit
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
    listing = client.get("/api/admin/generations", headers=good).json()
    assert len(Generations.model_validate(listing).generations) == 2
    rolled = client.post("/api/admin/rollback", headers=good).json()
    assert RolledBack.model_validate(rolled).current == listing["previous"]


# What each answer computes itself; every other field it names is copied from a record.
COMPUTED = [
    (Hit, {"id", "snippet", "score"}, HIT_FIELDS),
    (DocumentFields, {"id"}, DOCUMENT_FIELDS),  # a document's id is its records' document_id
    (Point, {"id", "organisation", "change_wan", "change_pct"}, POINT_FIELDS),
    (OutlineEntry, {"id"}, OUTLINE_FIELDS),
    (SectionText, {"id"}, SECTION_FIELDS),
    (DepartmentProject, {"id"}, DEPARTMENT_PROJECT_FIELDS),
    (ComparedProject, {"id"}, COMPARED_PROJECT_FIELDS),
]


@pytest.mark.parametrize(("model", "computed", "copied"), COMPUTED)
def test_every_record_field_an_answer_names_is_a_field_of_the_record_model(model, computed, copied):
    named = [name for name in model.model_fields if name not in computed]
    assert [name for name in named if name not in Record.model_fields] == []
    assert list(copied) == named  # what the API copies: all of them, in the model's order


def test_every_record_field_the_api_fetches_is_a_field_of_the_record_model():
    fetched = {
        "export": export.FIELDS,
        "timeline": timeline.SOURCE_FIELDS,
        "pages": [*pages.FILE_FIELDS, *pages.BOX_FIELDS],
        "facets": [*FACETS, *FACET_FIELDS.values()],
    }
    unknown = {
        use: [name for name in names if name not in Record.model_fields]
        for use, names in fetched.items()
    }
    assert unknown == {use: [] for use in fetched}


def test_a_field_the_record_model_does_not_have_is_refused():
    class Renamed(Strict):
        id: str
        amount: float | None  # the record's is amount_wan

    with pytest.raises(TypeError, match="amount"):
        record_fields(Renamed, computed=("id",))
    assert record_fields(Renamed, computed=("id", "amount")) == ()
    with pytest.raises(TypeError, match="snipet"):
        record_fields(Hit, computed=("id", "snipet", "score"))


# A record with every field set, so that a field copied under another name shows as None.
FULL_RECORD = Record(
    id="r1",
    kind="project",
    document_id="d1",
    title="民意速办",
    text="民意速办项目",
    position=3,
    doc_type="部门预算",
    department="深圳市福田区政务服务数据管理局",
    unit="深圳市福田区民意速办和智慧城市建设中心",
    province="广东省",
    city="深圳市",
    district="福田区",
    place="深圳市/福田区",
    level="区县级",
    year=2024,
    source_file="futian.pdf",
    source_key="futian.pdf:1",
    source_root="/budgets",
    reading_version="v1",
    page=12,
    ocr=False,
    ocr_confidence=0.97,
    bbox=[1.0, 2.0, 3.0, 4.0],
    path=["第三部分", "项目支出"],
    units=["深圳市福田区民意速办和智慧城市建设中心"],
    total_wan=9769.67,
    sangong_wan=12.5,
    pages=40,
    warnings=["a warning"],
    name="民意速办",
    amount_wan=581.18,
    parent="民意速办和智慧城市",
    level1="产出指标",
    level2="质量指标",
    target=Target(raw="≥90%", op="≥", value=90, unit="%"),
    project="民意速办",
    sources=[Source(kind="list", page=3, amount_wan=581.18)],
    change=Change(base_year=2023, wan=1.5, pct=2.5),
    table="收支总表",
    table_title="收支总表",
    code="2080505",
    amounts=[Amount(column="合计", value=581.18)],
)


def test_hits_and_document_views_copy_each_field_from_the_record_field_of_its_name():
    assert all(value not in (None, [], "") for value in FULL_RECORD.model_dump().values())
    # the record as a hit's _source holds it (the unshown fields left out)
    source = {k: v for k, v in FULL_RECORD.model_dump(mode="json").items() if k not in UNSHOWN}
    hit = format_hit(
        {
            "_id": "r1",
            "_source": source,
            "_score": 2.5,
            "highlight": {"text": ["<mark>民意</mark>"]},
        }
    )
    assert Hit.model_validate(hit).id == "r1"
    assert {name: hit[name] for name in HIT_FIELDS} == {name: source[name] for name in HIT_FIELDS}
    document = format_document(source)
    assert DocumentFields.model_validate(document).id == "d1"
    assert {name: document[name] for name in DOCUMENT_FIELDS} == {
        name: source[name] for name in DOCUMENT_FIELDS
    }
    # the timeline's hit holds only what timeline_body asks for
    fetched = {name: source[name] for name in timeline.SOURCE_FIELDS}
    (series,) = timeline.build_series([{"_id": "r1", "_source": fetched}], timeline.Lineage())
    (point,) = series["points"]
    assert Point.model_validate(point).organisation == FULL_RECORD.unit
    assert {name: point[name] for name in POINT_FIELDS} == {
        name: source[name] for name in POINT_FIELDS
    }
