"""The two PDF readers make the same records: PDFium's characters and rulings (the default)
and pdfminer's layout analysis (pdfplumber, the reference), over every page of the real PDFs.

By design, two things may differ (indexer/extract/pdfium_page.py): coordinates in the fifth
significant digit (PDFium computes in single precision), so boxes are compared to 0.1 pt; and
PDFium leaves out some spaces the file draws over other characters, so text is compared with
its whitespace removed. Every other value (titles, codes, amounts, pages, record ids) must be
equal."""

import re

import pytest

from indexer.extract import extractor_for
from indexer.ocr import OcrOptions
from indexer.records import build_records
from indexer.workers import record_source
from tests.pdfs import rotated_table_pdf, table_pdf

OFF = OcrOptions(mode="off")  # the text layers are compared; OCR would read both alike


def records(path, reader: str) -> dict[str, dict]:
    extracted = extractor_for(path).extract(path, OFF, reader)
    built = build_records(path, "x", extracted)
    return {record.id: record_source(record) for record in built}


def comparable(value):
    """A value as the readers must agree on it: strings without whitespace, tokens left out
    (they follow the text)."""
    if isinstance(value, str):
        return re.sub(r"\s+", "", value)
    if isinstance(value, list):
        return [comparable(v) for v in value]
    if isinstance(value, dict):
        return {k: comparable(v) for k, v in value.items() if not k.endswith("_tokens")}
    return value


def differences(reference, other, where="") -> list[str]:
    """Where two records differ beyond the by-design tolerances: boxes to 0.1 pt (rounded to
    one decimal, a difference in the fifth digit can show as 0.1), and a text cut at a length
    (a document's opening text) may hold more when it has fewer spaces."""
    if (
        where.endswith(".bbox")
        and reference
        and other
        and all(abs(a - b) <= 0.1 + 1e-6 for a, b in zip(reference, other, strict=True))
    ):
        return []
    if isinstance(reference, dict) and isinstance(other, dict):
        if reference.keys() != other.keys():
            return [f"{where}: fields {sorted(reference)} != {sorted(other)}"]
        return [d for k in reference for d in differences(reference[k], other[k], f"{where}.{k}")]
    if isinstance(reference, list) and isinstance(other, list) and len(reference) == len(other):
        return [
            d
            for i, (a, b) in enumerate(zip(reference, other, strict=True))
            for d in differences(a, b, f"{where}[{i}]")
        ]
    if isinstance(reference, str) and isinstance(other, str) and reference != other:
        shorter, longer = sorted((reference, other), key=len)
        if longer.startswith(shorter) and len(shorter) >= 0.9 * len(longer):
            return []
    return [] if reference == other else [f"{where}: {str(reference)[:200]} != {str(other)[:200]}"]


def real_pdfs(shared):
    return sorted((shared / "realpdfs").rglob("*.pdf"))


def test_both_readers_make_the_same_records_from_every_real_pdf(shared):
    paths = real_pdfs(shared)
    assert len(paths) >= 27
    for path in paths:
        reference, fast = records(path, "pdfplumber"), records(path, "pdfium")
        assert fast.keys() == reference.keys(), path.name
        found = [
            f"{path.name} {record_id}{d}"
            for record_id in reference
            for d in differences(comparable(reference[record_id]), comparable(fast[record_id]))
        ]
        assert not found, "\n".join(found[:10])


def test_the_comparison_catches_a_changed_amount_and_a_moved_box():
    record = {"title": "一、部门 职责", "amounts": [{"value": 12.5}], "bbox": [1.0, 2.0, 3.0, 4.0]}
    assert not differences(comparable(record), comparable({**record, "title": "一、部门职责"}))
    assert differences(comparable(record), comparable({**record, "amounts": [{"value": 12.6}]}))
    assert differences(comparable(record), comparable({**record, "bbox": [1.0, 2.0, 3.0, 4.2]}))
    assert differences(comparable(record), comparable({**record, "title": "二、部门职责"}))
    assert differences(comparable(record), comparable({**record, "title": "一、部门"}))


@pytest.mark.parametrize("reader", ["pdfium", "pdfplumber"])
def test_each_reader_reads_ruled_tables_and_turned_pages(tmp_path, reader):
    path = tmp_path / "table.pdf"
    path.write_bytes(table_pdf("Table 5", [["Project", "Amount"], ["Ops and\nupkeep", "953.52"]]))
    lines = extractor_for(path).extract(path, OFF, reader).pages[0].text.split("\n")
    assert lines == ["Table 5", "Project\tAmount", "Ops and upkeep\t953.52"]
    rows = [["Code", "Name", "Amount"], ["201", "General services", "1,234.50"]]
    turned = tmp_path / "turned.pdf"
    turned.write_bytes(rotated_table_pdf("Expenditure table", rows))
    text = extractor_for(turned).extract(turned, OFF, reader).pages[0].text
    assert text.split("\n") == ["Expenditure table", *("\t".join(row) for row in rows)]
