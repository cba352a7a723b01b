"""What the search routes answer, for the OpenAPI page. The routes return their JSON directly
(FastAPI does not validate or re-serialize it: BENCHMARKS.md); tests/test_schemas.py validates
real answers against these models, which forbid fields they do not name, so the two cannot
drift apart.

What an answer copies from a record is named by the record model (indexer/model.py): each
model's record fields (``record_fields``: HIT_FIELDS, DOCUMENT_FIELDS …) are its fields but the
ones the API computes, and each must be a field of ``Record`` of the same name, or this module
fails to import. The routes copy those fields from the records' sources into plain dicts (no
model is built per hit: BENCHMARKS.md), so a field is named once; Hit's order is also the CSV
export's column order."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from indexer.model import Amount, Change, DocType, Kind, Level, Record, Source, Target
from search_api.query import Sort


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def record_fields(model: type[BaseModel], computed: tuple[str, ...] = ()) -> tuple[str, ...]:
    """The fields ``model`` copies from a record, in its order: all its fields but the
    ``computed`` ones. Each must be a field of the record model of the same name."""
    fields = tuple(model.model_fields)
    if unknown := [name for name in computed if name not in fields]:
        raise TypeError(f"{model.__name__} has no fields {unknown}")
    copied = tuple(name for name in fields if name not in computed)
    if strays := [name for name in copied if name not in Record.model_fields]:
        raise TypeError(
            f"{model.__name__} names {strays}, which the record model (indexer/model.py) "
            "does not have: rename them as the record does, or mark them computed"
        )
    return copied


class Hit(Strict):
    """A record found: its fields by kind (a project's parent, sources and stated change; an
    indicator's levels, target and project; a table row's table, code and amounts)."""

    id: str
    kind: Kind
    title: str
    document_id: str
    doc_type: DocType | None
    department: str | None
    unit: str | None = Field(description="预算单位")
    province: str | None
    city: str | None
    district: str | None
    level: Level | None
    year: int | None
    amount_wan: float | None = Field(description="万元")
    target: Target | None
    path: list[str] | None = Field(description="the section headings above the record")
    page: int | None
    bbox: list[float] | None = Field(description="[x0, top, x1, bottom] in PDF points")
    ocr: bool | None
    ocr_confidence: float | None
    parent: str | None
    sources: list[Source] | None
    change: Change | None
    level1: str | None
    level2: str | None
    project: str | None
    table: str | None
    code: str | None
    amounts: list[Amount] | None
    snippet: str = Field(description="HTML-escaped text with <mark> around the words found")
    score: float | None


# A hit's fields from its record: all of Hit's but its id (the record's _id), snippet and score
HIT_FIELDS = record_fields(Hit, computed=("id", "snippet", "score"))


class FacetValue(Strict):
    value: str | int
    count: int
    selected: bool
    # district values only: "深圳市/福田区" shown as its city and district
    city: str | None = None
    district: str | None = None
    label: str | None = None


class YearCount(Strict):
    year: int
    count: int


class Histogram(Strict):
    year: list[YearCount]


class AmountRange(Strict):
    value: str
    amount_min: float | None
    amount_max: float | None
    count: int
    selected: bool


class Expansion(Strict):
    term: str
    for_: str = Field(alias="for")
    relation: Literal["equivalent", "related"]


class SearchResponse(Strict):
    """/api/search and /api/indicators. Facets, histogram and amount ranges come with the
    first page (and a cursor's first page); a cursor's pages have ``next_cursor``."""

    total: int
    page: int | None
    size: int
    sort: Sort
    expansions: list[Expansion]
    hits: list[Hit]
    facets: dict[str, list[FacetValue]] | None = None
    facets_truncated: dict[str, bool] | None = None
    histogram: Histogram | None = None
    amount_ranges: list[AmountRange] | None = None
    next_cursor: str | None = None


class Point(Strict):
    year: int | None
    district: str | None
    department: str | None
    unit: str | None
    parent: str | None
    amount_wan: float | None
    page: int | None
    document_id: str
    id: str
    organisation: str = Field(description="the unit, or the unit a reorganisation made of it")
    change_wan: float | None = Field(description="on the same organisation's year before")
    change_pct: float | None


POINT_FIELDS = record_fields(Point, computed=("id", "organisation", "change_wan", "change_pct"))


class Series(Strict):
    name: str
    points: list[Point]


class TimelineResponse(Strict):
    q: str
    series: list[Series]


class Suggestion(Strict):
    text: str
    kind: Literal["name", "department"]
    count: int


class SuggestResponse(Strict):
    q: str
    suggestions: list[Suggestion]


class IndexingStatus(Strict):
    """The last indexing run on this machine; every field null but state when none ran."""

    state: Literal["indexing", "done", "failed", "interrupted"] | None
    total: int | None = None
    done: int | None = None
    failed: int | None = None
    unchanged: int | None = None
    records: int | None = None
    started: float | None = None
    updated: float | None = None
    synthetic: bool = Field(description="the index holds the synthetic demo, not real budgets")


class Ready(Strict):
    status: Literal["ready"]
    index: str


class Healthy(Strict):
    status: Literal["ok"]


class DocumentFields(Strict):
    """A document's metadata, as its document record holds it."""

    id: str
    title: str | None
    doc_type: DocType | None
    department: str | None
    unit: str | None = Field(description="预算单位")
    units: list[str] | None
    province: str | None
    city: str | None
    district: str | None
    level: Level | None
    year: int | None
    total_wan: float | None = Field(description="the budget's total, 万元")
    sangong_wan: float | None = Field(description="the 三公经费 the text states, 万元")
    source_file: str | None
    pages: int | None
    ocr: bool | None
    ocr_confidence: float | None
    warnings: list[str] | None
    change: Change | None


# A document's fields from its document record: all of DocumentFields' but the id, which is the
# record's document_id (not its own id)
DOCUMENT_FIELDS = record_fields(DocumentFields, computed=("id",))


class DocumentSummary(DocumentFields):
    record_counts: dict[str, int] = Field(description="records by kind")
    records: int


class DocumentList(Strict):
    total: int
    page: int
    size: int
    documents: list[DocumentSummary]


class OutlineEntry(Strict):
    id: str
    title: str
    path: list[str] | None = None
    page: int | None = None
    position: int | None = None


class SectionText(OutlineEntry):
    text: str | None = None


OUTLINE_FIELDS = record_fields(OutlineEntry, computed=("id",))
SECTION_FIELDS = record_fields(SectionText, computed=("id",))


class DocumentView(DocumentSummary):
    """One document: with ``page``, also the text of the sections on that page."""

    outline: list[OutlineEntry]
    page_sections: list[SectionText] | None = None


class DepartmentProject(Strict):
    id: str
    name: str | None = None
    amount_wan: float | None = None
    year: int | None = None
    unit: str | None = None
    page: int | None = None
    document_id: str | None = None


DEPARTMENT_PROJECT_FIELDS = record_fields(DepartmentProject, computed=("id",))


class DepartmentYear(Strict):
    year: int | None
    total_wan: float | None
    change: Change | None
    document: DocumentFields


class DepartmentView(Strict):
    department: str
    city: str | None
    district: str | None
    years: list[DepartmentYear]
    top_projects: list[DepartmentProject]


class ComparedProject(Strict):
    id: str
    name: str | None = None
    amount_wan: float | None = None
    page: int | None = None


COMPARED_PROJECT_FIELDS = record_fields(ComparedProject, computed=("id",))


class ComparedBody(DocumentFields):
    top_projects: list[ComparedProject]


class CompareResponse(Strict):
    q: str
    total: int
    bodies: list[ComparedBody]


class Generations(Strict):
    alias: str
    current: str | None
    previous: str | None
    generations: list[str]


class RolledBack(Strict):
    alias: str
    current: str
    was: str
