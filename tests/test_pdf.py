"""PDF extraction: good files keep their page numbers; bad files are refused with a reason."""

import pytest

from indexer.extract import ExtractionError, extractor_for
from indexer.records import build_records
from tests.pdfs import encrypted_pdf, rotated_table_pdf, text_pdf

GOOD_PAGES = [
    "Department budget page one with enough text to count",
    "Page two of the budget with more words in it",
]


def extract(path):
    return extractor_for(path).extract(path)


def test_text_pdf_pages_are_numbered(tmp_path):
    path = tmp_path / "good.pdf"
    path.write_bytes(text_pdf(GOOD_PAGES))
    extracted = extract(path)
    assert [p.number for p in extracted.pages] == [1, 2]
    assert "page one" in extracted.pages[0].text
    assert "Page two" in extracted.pages[1].text


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty"),
        (b"<!DOCTYPE html><html><body>404</body></html>", "not a PDF"),
        (bytes(range(256)) * 16, "not a PDF"),
        (text_pdf(["", ""]), "no text layer"),
        (text_pdf(GOOD_PAGES)[:300], "broken PDF"),
    ],
    ids=["zero-bytes", "html-named-pdf", "binary-junk", "scanned-no-text", "truncated"],
)
def test_bad_pdfs_are_refused_with_a_reason(tmp_path, content, reason):
    path = tmp_path / "bad.pdf"
    path.write_bytes(content)
    with pytest.raises(ExtractionError, match=reason):
        extract(path)


def test_encrypted_pdf_is_reported(tmp_path):
    path = tmp_path / "locked.pdf"
    encrypted_pdf(path, text_pdf(GOOD_PAGES))
    with pytest.raises(ExtractionError, match="encrypted"):
        extract(path)


def test_real_shenzhen_pdf_metadata_and_section_pages(shared):
    path = shared / "realpdfs" / "shenzhen-2026" / "2026年深圳市统计局部门预算.pdf"
    extracted = extract(path)
    records = build_records(path, "x", extracted)
    doc = records[0]
    assert (doc.department, doc.district, doc.city, doc.year) == (
        "深圳市统计局(本级)",
        "市本级",
        "深圳市",
        2026,
    )
    assert doc.pages == len(extracted.pages) > 20
    pages = {r.title: r.page for r in records[1:]}
    # The narrative starts after the cover and the table of contents, and runs in page order.
    assert pages["一、部门职责"] > 1
    assert pages["一、部门职责"] <= pages["第二部分 部门预算收支总体情况"] <= pages["二、表格部分"]


def test_ruled_tables_come_out_as_cells_with_wrapped_cells_joined(tmp_path):
    from tests.pdfs import table_pdf

    path = tmp_path / "table.pdf"
    path.write_bytes(
        table_pdf(
            "Table 5 project spending",
            [
                ["Project", "Amount"],
                ["Operations and\nmaintenance", "953.52"],
                ["Reserve", "20.00"],
            ],
        )
    )
    lines = extract(path).pages[0].text.split("\n")
    assert lines == [
        "Table 5 project spending",
        "Project\tAmount",
        "Operations and maintenance\t953.52",
        "Reserve\t20.00",
    ]


def test_a_landscape_page_stored_rotated_reads_in_reading_order(tmp_path):
    rows = [
        ["Code", "Name", "Amount"],
        ["201", "General services", "1,234.50"],
        ["205", "Schools", "99.00"],
    ]
    path = tmp_path / "rotated.pdf"
    path.write_bytes(rotated_table_pdf("Expenditure table", rows))
    lines = extractor_for(path).extract(path).pages[0].text.splitlines()
    assert lines == ["Expenditure table", *("\t".join(row) for row in rows)]
