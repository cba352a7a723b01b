"""Extracted text into records: one document record and its section records."""

import hashlib
from pathlib import Path

from indexer.extract.base import Extracted
from indexer.metadata import extract_metadata
from indexer.model import DocumentMeta, Record
from indexer.sections import split_sections

_DOCUMENT_TEXT_CHARS = 2000


def document_id(path: Path) -> str:
    """Derived from the content, so the same file indexed twice (or from two places) is one.
    Streamed, so a large file is not held in memory for it."""
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()[:16]


def document_title(meta: DocumentMeta, fallback: str) -> str:
    if meta.department and meta.year:
        return f"{meta.year}年{meta.department}部门预算"
    return meta.department or fallback


def build_records(source_file: Path, doc_id: str, extracted: Extracted) -> list[Record]:
    text = extracted.text
    meta = extract_metadata(text)
    common = {
        "document_id": doc_id,
        "department": meta.department,
        "unit": meta.unit,
        "district": meta.district,
        "city": meta.city,
        "year": meta.year,
        "source_file": str(source_file),
    }
    warnings = []
    if not meta.department:
        warnings.append("department not found in the text")
    if not meta.year:
        warnings.append("year not found in the text")
    pages = [p.number for p in extracted.pages if p.number is not None]
    records = [
        Record(
            id=f"{doc_id}-document",
            kind="document",
            title=document_title(meta, source_file.stem),
            text=text[:_DOCUMENT_TEXT_CHARS],
            units=meta.units,
            total_wan=meta.total_wan,
            pages=max(pages) if pages else None,
            warnings=warnings,
            **common,
        )
    ]
    for section in split_sections(text):
        records.append(
            Record(
                id=f"{doc_id}-section-{len(records):04d}",
                kind="section",
                title=section.title,
                text=section.text,
                path=section.path,
                position=len(records),
                page=extracted.pages[section.page_index].number,
                **common,
            )
        )
    return records
