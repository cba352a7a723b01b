"""layout.py's table finder, text assembly and cropping against pdfplumber's own, which they
replace for the pdfium reader: the same lines, exactly (text and boxes), on every page of the
real PDFs, and the same text on made-up characters that reach the branches real pages rarely
do (turned text, ligatures, characters without text, lines that interleave)."""

import pypdfium2 as pdfium
import pytest
from pdfplumber.utils import crop_to_bbox, extract_text

from indexer.extract import layout
from indexer.extract.pdf import page_lines, text_lines
from indexer.extract.pdfium_page import PdfiumPage


def test_the_fast_layout_makes_pdfplumbers_lines_on_every_real_page(shared):
    paths = sorted((shared / "realpdfs").rglob("*.pdf"))
    assert len(paths) >= 27
    pages = 0
    for path in paths:
        document = pdfium.PdfDocument(path)
        try:
            for index in range(len(document)):
                pdf_page = document[index]
                page = PdfiumPage(pdf_page, index + 1)
                pdf_page.close()
                assert page_lines(page, fast=True) == page_lines(page), (path.name, index + 1)
                pages += 1
        finally:
            document.close()
    assert pages > 1000


def char(text: str, x0: float, top: float, size: float = 10.0, upright: bool = True) -> dict:
    return {
        "text": text,
        "x0": x0,
        "x1": x0 + size,
        "top": top,
        "bottom": top + size,
        "doctop": top,
        "width": size,
        "height": size,
        "upright": upright,
        "fontname": "F",
    }


CASES = {
    "one line": [char("项", 0, 0), char("目", 10, 0), char("A", 30, 0)],
    "a gap and a space": [char("a", 0, 0), char(" ", 10, 0), char("b", 20, 0), char("c", 34, 0)],
    "wrapped, out of order": [char("下", 0, 20), char("上", 0, 0), char("文", 10, 1)],
    "ligature and empty": [char("ﬁ", 0, 0), char("", 10, 0), char("x", 20, 0)],
    "turned": [char("竖", 0, 0, upright=False), char("排", 0, 10, upright=False)],
    "turned, two columns": [
        char("一", 20, 0, upright=False),
        char("二", 0, 0, upright=False),
        char("三", 0, 10, upright=False),
    ],
    "mixed": [char("横", 0, 0), char("竖", 50, 0, upright=False), char("字", 10, 0)],
    "lines that interleave": [char("a", 0, 0), char("b", 0, 20), char("c", 20, 2)],
    "chained tops": [char("a", 0, 0), char("b", 10, 2.5), char("c", 20, 5), char("d", 30, 9)],
    "just over the tolerance": [char("a", 0, 0), char("b", 13.2, 0), char("c", 30, 3.2)],
    "empty characters at the ends": [char("", 0, 0), char("a", 10, 0), char("", 60, 0)],
    "turned, one top, two sizes": [
        char("甲", 0, 0, size=12, upright=False),
        char("乙", 0, 0, upright=False),
    ],
    "overlapping": [char("重", 0, 0), char("叠", 4, 0), char("字", 2, 0)],
}


@pytest.mark.parametrize("name", CASES)
def test_cell_text_is_pdfplumbers_extract_text(name):
    assert layout.cell_text(CASES[name]) == extract_text(CASES[name])


@pytest.mark.parametrize("name", CASES)
def test_text_lines_are_pdfplumbers(name):
    chars = CASES[name]
    region = (0.0, 0.0, 100.0, 100.0)
    assert layout.text_lines(chars) == text_lines(chars, region)


def test_crop_keeps_and_cuts_as_pdfplumber_does():
    chars = [char("内", 10, 10), char("边", 95, 10), char("外", 200, 10), char("零", 50, 20, 0)]
    region = (0.0, 0.0, 100.0, 40.0)
    assert layout.crop_chars(chars, region) == crop_to_bbox(chars, region)
    assert [c["text"] for c in layout.crop_chars(chars, region)] == ["内", "边"]


def test_the_cells_are_pdfplumbers_on_a_ruled_grid_with_a_merged_cell():
    from pdfplumber.table import intersections_to_cells

    def edge(x0, top, x1, bottom):
        return {"x0": x0, "top": top, "x1": x1, "bottom": bottom}

    h = [edge(0, y, 30, y) for y in (0, 10, 20)]
    v = [edge(x, 0, x, 20) for x in (0, 30)] + [edge(10, 0, 10, 10), edge(20, 10, 20, 20)]
    points: dict = {}
    for e in h:
        for x in (0, 10, 20, 30):
            points.setdefault((x, e["top"]), {"v": [], "h": []})["h"].append(e)
    for e in v:
        for y in (0, 10, 20):
            if e["top"] <= y <= e["bottom"] and (e["x0"], y) in points:
                points[(e["x0"], y)]["v"].append(e)
    assert layout.intersections_to_cells(points) == intersections_to_cells(points)
    assert len(layout.intersections_to_cells(points)) == 4
