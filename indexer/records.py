"""Extracted text into records: one document record and its section records."""

import re
from pathlib import Path
from typing import TypedDict

from indexer.extract.base import Extracted
from indexer.metadata import extract_metadata
from indexer.model import Amount, DocType, DocumentMeta, Kind, Level, Record, Source
from indexer.parse.blocks import join_wrapped_titles, to_blocks
from indexer.parse.checks import check_sangong, check_total, stated_sangong, table_total
from indexer.parse.indicator_tables import column_indicators
from indexer.parse.indicators import find_indicators
from indexer.parse.line_items import find_line_items
from indexer.parse.lines import Flat, document_lines
from indexer.parse.projects import find_projects
from indexer.places import place_key
from indexer.sections import split_sections
from indexer.sources import source_key
from indexer.textnorm import join_wrapped_lines

_DOCUMENT_TEXT_CHARS = 2000


class _Common(TypedDict):
    """The fields every record copies from its document."""

    document_id: str
    doc_type: DocType | None
    department: str | None
    unit: str | None
    province: str | None
    city: str | None
    district: str | None
    place: str | None
    level: Level | None
    year: int | None
    source_file: str
    source_key: str


def document_title(meta: DocumentMeta, fallback: str) -> str:
    body = meta.unit if meta.doc_type in ("单位预算", "单位决算") else meta.department
    if body and meta.year and meta.doc_type != "other":
        return f"{meta.year}年{body}{meta.doc_type}"
    return body or fallback


def _first_line(text: str, longest: int = 60) -> str | None:
    """The document's first line of words (its own title, where a file name may lie)."""
    for line in text.splitlines():
        words = " ".join(line.split())
        if len(re.sub(r"[\W\d_]", "", words)) >= 4:
            return words[:longest]
    return None


def build_records(
    source_file: Path,
    doc_id: str,
    extracted: Extracted,
    name: str | None = None,
    root: Path | None = None,
) -> list[Record]:
    """``name`` is what records show as their file (relative to ``root``, the folder indexed;
    the file's own name by default), never the server path. The document record keeps the
    root, unshown, for the API to serve the file from."""
    text = extracted.text
    meta = extract_metadata(text)
    common: _Common = {
        "document_id": doc_id,
        "doc_type": meta.doc_type,
        "department": meta.department,
        "unit": meta.unit,
        "province": meta.province,
        "city": meta.city,
        "district": meta.district,
        "place": place_key(meta.city, meta.district),
        "level": meta.level,
        "year": meta.year,
        "source_file": name or source_file.name,
        "source_key": source_key(source_file),
    }
    # A document that is not a budget is searchable text: no projects, indicators or table
    # rows are read into it, and no budget metadata is missed.
    budget = meta.doc_type != "other"
    sangong = None
    warnings = []
    if budget and not meta.department:
        warnings.append("department not found in the text")
    if budget and not meta.year:
        warnings.append("year not found in the text")
    lines = join_wrapped_titles(document_lines(text, extracted.pages)) if budget else []
    blocks = to_blocks(lines)
    projects, project_warnings = find_projects(lines, meta.units, meta.department, blocks)
    warnings += project_warnings
    if budget:
        # the 收支总表's total, to the cent, over the text's (which some cities round)
        tabled = table_total(blocks)
        warnings += check_total(meta.total_wan, tabled)
        meta.total_wan = tabled if tabled is not None else meta.total_wan
        flat = Flat(lines)
        warnings += check_sangong(flat)
        sangong = stated_sangong(flat)

    def page(index: int) -> int | None:
        return extracted.pages[index].number if index < len(extracted.pages) else None

    def bbox(spot: int) -> list[float] | None:
        """The box of the line a parser read a record from (its page index is a Spot)."""
        box = getattr(spot, "box", None)
        return list(box) if box else None

    pages = [p.number for p in extracted.pages if p.number is not None]
    # pages read by OCR: their records say so, with the page's confidence
    ocr = {p.number: p.ocr_confidence for p in extracted.pages if p.ocr_confidence is not None}
    records = [
        Record(
            id=f"{doc_id}-document",
            kind="document",
            title=document_title(meta, _first_line(text) or source_file.stem),
            text=text[:_DOCUMENT_TEXT_CHARS],
            units=meta.units,
            total_wan=meta.total_wan,
            sangong_wan=sangong,
            change=meta.change,
            pages=max(pages) if pages else None,
            source_root=str(root) if root else None,
            warnings=extracted.notes + warnings,
            ocr=True if ocr else None,
            ocr_confidence=round(sum(ocr.values()) / len(ocr), 3) if ocr else None,
            **common,
        )
    ]

    def add(kind: Kind, **fields) -> None:
        if fields.get("page") in ocr:
            fields.update(ocr=True, ocr_confidence=ocr[fields["page"]])
        records.append(
            Record(
                id=f"{doc_id}-{kind}-{len(records):04d}", kind=kind, position=len(records), **fields
            )
        )

    for section in split_sections(text, extracted.pages):
        add(
            "section",
            title=section.title,
            text=join_wrapped_lines(section.text),
            path=section.path,
            page=page(section.page_index),
            bbox=list(section.bbox) if section.bbox else None,
            **common,
        )
    for project in projects:
        add(
            "project",
            title=project.name,
            name=project.name,
            text=project.description,
            amount_wan=project.amount_wan,
            parent=project.parent,
            page=page(project.page),
            bbox=bbox(project.page),
            sources=[
                Source(kind=s.kind, page=page(s.page), amount_wan=s.amount_wan)
                for s in project.sources
            ],
            change=project.change,
            **{**common, "unit": project.unit or meta.unit},
        )
    indicators = find_indicators(blocks, meta.units)
    for indicator in indicators + column_indicators(blocks):
        levels = [x for x in (indicator.level1, indicator.level2) if x]
        add(
            "indicator",
            title=indicator.name,
            name=indicator.name,
            text=f"{' / '.join([*levels, indicator.name])}: {indicator.target.raw}",
            level1=indicator.level1,
            level2=indicator.level2,
            target=indicator.target,
            project=indicator.project,
            page=page(indicator.page),
            bbox=bbox(indicator.page),
            **{**common, "unit": indicator.unit or meta.unit},
        )
    for item in find_line_items(blocks):
        add(
            "line_item",
            title=" ".join(filter(None, (item.code, item.name))),
            name=item.name,
            text=f"{item.table}: {' '.join(filter(None, (item.code, item.name)))} "
            + " ".join(f"{column} {value:g}" for column, value in item.amounts),
            table=item.table,
            table_title=item.title,
            code=item.code,
            parent=item.parent_code,
            amounts=[Amount(column=c, value=v) for c, v in item.amounts],
            page=page(item.page),
            bbox=bbox(item.page),
            **common,
        )
    return records
