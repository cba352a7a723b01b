"""The record model shared by the indexer and the API.

Everything searchable is a Record with a ``kind`` (API.md, "Records"). The mapping in
mappings/records.v4.json must agree with these fields; tests/test_mapping.py checks that.
"""

from typing import Literal

from pydantic import BaseModel

Kind = Literal["document", "section", "project", "indicator", "line_item"]
KINDS: tuple[str, ...] = ("document", "section", "project", "indicator", "line_item")


class Target(BaseModel):
    """A parsed indicator target: ``≥90%`` -> raw="≥90%", op="≥", value=90, unit="%"."""

    raw: str
    op: str | None = None
    value: float | None = None
    unit: str | None = None


class Amount(BaseModel):
    """One amount column of a budget-table row."""

    column: str
    value: float


class Source(BaseModel):
    """One place a document names a project (its 项目支出 list, a table …)."""

    kind: str
    page: int | None = None
    amount_wan: float | None = None


class Change(BaseModel):
    """A year-over-year change the text states: 较2023年…增加4,521.51万元,增长28.4%."""

    base_year: int
    wan: float | None = None
    pct: float | None = None


DocType = Literal["部门预算", "单位预算", "部门决算", "单位决算", "other"]
Level = Literal["中央", "省级", "市级", "区县级"]


class DocumentMeta(BaseModel):
    """What a document says about itself; copied onto each of its records."""

    doc_type: DocType | None = None
    province: str | None = None
    level: Level | None = None
    department: str | None = None
    unit: str | None = None
    units: list[str] = []
    district: str | None = None
    city: str | None = None
    year: int | None = None
    total_wan: float | None = None
    change: Change | None = None  # the total's change on the year before, as stated


class Record(BaseModel):
    id: str
    kind: Kind
    document_id: str
    title: str
    text: str = ""
    position: int = 0
    # copied from the document
    doc_type: DocType | None = None
    department: str | None = None
    unit: str | None = None
    province: str | None = None
    city: str | None = None
    district: str | None = None
    place: str | None = None  # "city/district": the district facet, never merging 市本级s
    level: Level | None = None
    year: int | None = None
    source_file: str | None = None  # relative to the folder indexed, never a server path
    source_key: str | None = None  # the file on the indexing machine (sources.source_key)
    source_root: str | None = None  # a document's folder indexed: stored, never shown
    reading_version: str | None = None  # a document's: what read it (versions.py)
    page: int | None = None
    ocr: bool | None = None  # read by OCR (a scanned page): the text may hold misreadings
    ocr_confidence: float | None = None  # the page's mean OCR confidence (a document: its pages')
    bbox: list[float] | None = None  # [x0, top, x1, bottom] on the page, in PDF points
    path: list[str] = []
    # document
    units: list[str] = []
    total_wan: float | None = None
    sangong_wan: float | None = None  # the 三公经费 the text states
    pages: int | None = None
    warnings: list[str] = []
    # project / indicator / line item
    name: str | None = None
    amount_wan: float | None = None
    parent: str | None = None
    level1: str | None = None
    level2: str | None = None
    target: Target | None = None
    project: str | None = None  # the project an indicator belongs to (project-level tables)
    sources: list[Source] = []
    change: Change | None = None
    table: str | None = None  # a line item's table: the national template's name for it
    table_title: str | None = None  # … and its title as printed
    code: str | None = None  # a line item's 科目编码 (its parent's code is in ``parent``)
    amounts: list[Amount] = []
