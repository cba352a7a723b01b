"""Scanned pages read by OCR inside the normal ingest (indexer/ocr.py, extract/pdf.py).

The whole path runs on a scan made here from a real text PDF: its pages rendered to images
(one turned 90°, as a landscape table is scanned), skewed, JPEG-compressed and put in an
image-only PDF. The amounts checked were read by eye from the original pages.
"""

import io
import signal
import time
import uuid
from pathlib import Path

import numpy
import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageOps

from indexer.bulk import FileOutcome
from indexer.cli import ocr_status
from indexer.extract import ExtractionError, extractor_for
from indexer.limits import FileTimeout, PageTimeout, time_limit
from indexer.ocr import (
    OcrOptions,
    OcrPage,
    available_engines,
    clean_figures,
    unturned,
    usable_text,
    white_paper,
)
from indexer.progress import Progress
from indexer.records import build_records
from indexer.sources import SourceFile
from tests.pdfs import text_pdf

AUDIT = "realpdfs/shenzhen-2026/2026年深圳市审计局部门预算.pdf"
# 1-based pages of the audit bureau's budget: the totals in prose, the 收支总表 (landscape,
# over two pages) and the 项目支出总表 (landscape)
PAGES = (10, 17, 18, 26)
TURNED = 17  # scanned turned by 90°


def scan(source: Path, pages: tuple[int, ...], target: Path, dpi: int = 150) -> Path:
    """An image-only PDF of ``pages``: each rendered, skewed by 0.7°, saved as JPEG."""
    document = pdfium.PdfDocument(source)
    images = []
    for number in pages:
        image = document[number - 1].render(scale=dpi / 72).to_pil().convert("RGB")
        if number == TURNED:
            image = image.rotate(90, expand=True)
        image = image.rotate(0.7, resample=Image.BICUBIC, expand=True, fillcolor="white")
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=60)
        images.append(Image.open(io.BytesIO(buffer.getvalue())))
    document.close()
    images[0].save(target, save_all=True, append_images=images[1:], resolution=dpi)
    return target


@pytest.fixture(scope="module")
def scanned(shared, tmp_path_factory):
    if not available_engines():
        pytest.fail("no OCR engine is installed: `make test` installs one (pyproject, OCR)")
    path = scan(shared / AUDIT, PAGES, tmp_path_factory.mktemp("scan") / "scanned.pdf")
    return path, extractor_for(path).extract(path)


def test_a_scan_is_read_with_its_amounts_exact(scanned):
    path, extracted = scanned
    assert extracted.ocr_pages == len(PAGES)
    records = build_records(path, "scan", extracted)
    document = records[0]
    assert (document.department, document.year) == ("深圳市审计局", 2026)
    assert document.total_wan == 10737.69
    assert document.ocr is True and document.ocr_confidence > 0.9
    projects = {r.name: r.amount_wan for r in records if r.kind == "project"}
    assert projects == {
        "规划类经费": 6.5,
        "审计管理业务": 506.95,
        "信息化(财政审核)": 80.0,
        "预算准备金": 20.0,
        "综合管理": 918.01,
    }
    paged = [r for r in records if r.page is not None]
    assert paged and all(r.ocr is True and r.ocr_confidence > 0.5 for r in paged)


def test_records_from_a_scan_carry_their_box_on_the_scanned_page(scanned, shared):
    """The 项目支出总表's rows (the scan's last page) are boxed where the printed page has them:
    each row's centre, with the scan's 0.7° skew undone, lies within its printed row (22 points
    high)."""
    path, extracted = scanned
    rows = {
        r.name: r.bbox
        for r in build_records(path, "scan", extracted)
        if r.kind == "project" and r.page == len(PAGES)
    }
    original = shared / AUDIT
    printed = {
        r.name: r.bbox
        for r in build_records(original, "text", extractor_for(original).extract(original))
        if r.kind == "line_item" and r.page == PAGES[-1]
    }
    scan_size = pdfium.PdfDocument(path)[len(PAGES) - 1].get_size()
    page_size = pdfium.PdfDocument(original)[PAGES[-1] - 1].get_size()
    assert len(rows) == 5
    for name, box in rows.items():
        centre = ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)
        x, y = unturned(centre, 0.7, page_size, scan_size)
        x0, top, x1, bottom = printed[name]
        assert x0 <= x <= x1 and top <= y <= bottom, (name, (x, y), printed[name])


def test_a_box_on_the_turned_and_levelled_image_maps_back_to_the_page():
    page = Image.new("L", (600, 400), 255)
    page.paste(0, (100, 50, 220, 80))  # a row of print at 72 dpi: points are pixels
    turned = page.rotate(-90, expand=True)
    levelled = turned.rotate(1.5, resample=Image.BICUBIC, expand=True, fillcolor=255)
    read = ImageOps.invert(levelled).point(lambda v: 255 if v > 128 else 0).getbbox()
    reading = OcrPage(turns=[(-90, page.size, turned.size), (1.5, turned.size, levelled.size)])
    x0, top, x1, bottom = reading.page_box(read, dpi=72)
    # the box read is the tilted row's bounding box: a little larger than the row
    assert abs(x0 - 100) < 3 and abs(x1 - 220) < 3
    assert 40 < top <= 50 and 80 <= bottom < 90


def test_the_turned_table_page_yields_its_rows(scanned):
    path, extracted = scanned
    records = build_records(path, "scan", extracted)
    items = {
        (r.name, a.value)
        for r in records
        if r.kind == "line_item" and r.table == "收支总表"
        for a in r.amounts
    }
    for row in (("行政运行", 5466.52), ("一般行政管理事务", 919.44), ("审计业务", 490.15)):
        assert row in items, row
    assert {r.page for r in records if r.kind == "line_item"} >= {2}  # the turned page


def test_a_scan_without_an_engine_or_with_ocr_off_is_reported_not_read(shared, tmp_path):
    path = scan(shared / AUDIT, (10,), tmp_path / "scan.pdf", dpi=96)
    pdf = extractor_for(path)
    with pytest.raises(ExtractionError, match="no OCR engine is installed"):
        pdf.extract(path, OcrOptions(engine="an-engine-not-installed"))
    with pytest.raises(ExtractionError, match="OCR is off"):
        pdf.extract(path, OcrOptions(mode="off"))


def test_a_text_layer_that_is_mostly_unmapped_glyphs_is_not_usable():
    assert usable_text("2026年深圳市审计局部门预算收入10,737.69万元")
    assert not usable_text("第 3 页")  # next to nothing
    assert not usable_text("\ue001\ue002\ue003\ue004" * 10 + "部门预算")  # private-use glyphs
    assert not usable_text("(cid:12)(cid:40)(cid:7)" * 10)


@pytest.mark.parametrize(
    ("read", "meant"),
    [
        ("2.573.40", "2,573.40"),  # commas read as points
        ("1.234.567.89万元", "1,234,567.89万元"),
        ("36,289.100", "36,289,100"),  # the last comma read as a point (two decimals at most)
        ("20.871.880", "20,871,880"),  # whole yuan
        ("13.697,230\t98,083:000", "13,697,230\t98,083,000"),
        ("1,069. 826", "1,069,826"),
        ("14,902.37350,034.42", "14,902.37 350,034.42"),  # two cells read as one word
        ("1,413.78", "1,413.78"),
        ("12.5%", "12.5%"),
        ("3.141", "3.141"),
        ("1:500", "1:500"),
        ("0.1234", "0.1234"),
    ],
)
def test_misread_separators_in_figures_are_put_right(read, meant):
    assert clean_figures(read) == meant


def test_a_scans_grainy_paper_is_made_white_and_a_clean_page_left_alone():
    clean = Image.new("L", (200, 100), 255)
    clean.paste(0, (20, 40, 180, 60))  # a bar of print
    assert white_paper(clean).tobytes() == clean.tobytes()
    grain = numpy.random.default_rng(1).normal(220, 8, (100, 200)).clip(0, 255)
    grainy = Image.fromarray(grain.astype("uint8"))
    grainy.paste(30, (20, 40, 180, 60))
    whitened = white_paper(grainy)
    paper = [whitened.getpixel((x, y)) for x in range(0, 200, 7) for y in (5, 90)]
    assert sum(1 for v in paper if v == 255) > 0.9 * len(paper)
    assert whitened.getpixel((100, 50)) < 60  # the print stays dark


def test_a_page_limit_inside_a_file_limit_leaves_the_file_limit_running():
    with time_limit(30):
        with pytest.raises(PageTimeout), time_limit(0.05, PageTimeout):
            time.sleep(5)  # the work the page limit interrupts
        left, _ = signal.getitimer(signal.ITIMER_REAL)
        assert 25 < left <= 30
    assert signal.getitimer(signal.ITIMER_REAL)[0] == 0


def test_a_file_limit_that_runs_out_during_a_page_is_the_files():
    with pytest.raises(FileTimeout), time_limit(0.05), time_limit(30, PageTimeout):
        time.sleep(5)
    assert signal.getitimer(signal.ITIMER_REAL)[0] == 0


def test_the_progress_line_counts_ocr_pages_apart():
    out = io.StringIO()
    progress = Progress(2, out)
    progress.file(FileOutcome(SourceFile.of(Path("scan.pdf")), records=4, pages=19, ocr_pages=19))
    line = out.getvalue()
    assert "scan.pdf: 4 records (19 pages by OCR)" in line
    assert "19 by OCR" in line


def test_ocr_off_and_a_missing_engine_are_said_at_the_start():
    assert ocr_status(OcrOptions(mode="off")) == "OCR off"
    missing = ocr_status(OcrOptions(engine="an-engine-not-installed"))
    assert "not installed" in missing and "reported, not read" in missing


def test_force_reads_a_page_that_has_a_text_layer(tmp_path):
    if not available_engines():
        pytest.fail("no OCR engine is installed: `make test` installs one (pyproject, OCR)")
    path = tmp_path / "text.pdf"
    path.write_bytes(text_pdf(["Project expenditure 1,234.56"]))
    extracted = extractor_for(path).extract(path, OcrOptions(mode="force"))
    assert extracted.ocr_pages == 1
    assert "1,234.56" in extracted.pages[0].text


@pytest.mark.es
def test_a_scanned_pdf_is_indexed_and_its_records_found_by_search(es, scanned):
    from indexer.admin import drop_index
    from tests.conftest import _settings, client_for, quiet_ingest

    path, _ = scanned
    settings = _settings(f"test-ocr-{uuid.uuid4().hex[:8]}")
    report = quiet_ingest([path.parent], settings, es)
    try:
        assert not report.failed, report.summary()
        client = client_for(settings)
        body = client.get("/api/search", params={"q": "审计管理业务", "kind": "project"}).json()
        hit = next(h for h in body["hits"] if h["title"] == "审计管理业务")
        assert (hit["amount_wan"], hit["ocr"]) == (506.95, True)
        assert hit["ocr_confidence"] > 0.5
    finally:
        drop_index(es, settings)
