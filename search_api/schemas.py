"""What the search routes answer, for the OpenAPI page. The routes return their JSON directly
(FastAPI does not validate or re-serialize it: BENCHMARKS.md); tests/test_schemas.py validates
real answers against these models, which forbid fields they do not name, so the two cannot
drift apart."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from indexer.model import Amount, Change, DocType, Kind, Level, Source, Target


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


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
    sort: str
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


class Ready(Strict):
    status: Literal["ready"]
    index: str


class Healthy(Strict):
    status: Literal["ok"]
