"""PDF text, page by page (pages are closed as we go, so memory stays flat).

Ruled tables come out as rows of tab-separated cells (a cell's wrapped lines joined), in their
place among the page's text lines; the parsers read them like the OCR seeds' tab-separated rows.

Two readers make the same lines: pdfplumber's table finder and text assembly run either on the
characters and rulings PDFium reads (``pdfium``, the default, many times faster) or on pdfminer's
layout analysis (``pdfplumber``, the reference). See pdfium_page.py for where they differ.
"""

import logging
import re
from bisect import bisect_left
from pathlib import Path

import pdfplumber
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_raw
from pdfminer.pdfdocument import PDFPasswordIncorrect
from pdfplumber.table import Table
from pdfplumber.utils import chars_to_textmap, crop_to_bbox, extract_text
from pdfplumber.utils.exceptions import PdfminerException

from indexer.extract import layout
from indexer.extract.base import READERS, Box, Extracted, ExtractionError, Page
from indexer.extract.pdfium_page import FORM_DEPTH, PdfiumPage
from indexer.limits import PageTimeout, time_limit
from indexer.ocr import (
    MIN_TEXT_CHARS,
    OCR_DPI,
    Engine,
    OcrError,
    OcrOptions,
    OcrPage,
    garbled,
    upright,
)
from indexer.textnorm import join_pieces, normalize_line

# pdfminer warns about every odd font descriptor (Chromium's PDFs have many); the text is fine.
logging.getLogger("pdfminer").setLevel(logging.ERROR)


def sniff(path: Path) -> None:
    """Refuses files that are not PDFs whatever their name says (PDF allows junk before
    the header, within the first kilobyte)."""
    with path.open("rb") as f:
        head = f.read(1024)
    if not head:
        raise ExtractionError("the file is empty (zero bytes)")
    if b"%PDF-" not in head:
        lowered = head.lower()
        kind = "HTML" if b"<html" in lowered or b"<!doctype" in lowered else "something else"
        raise ExtractionError(f"not a PDF: no %PDF- header (the content looks like {kind})")


def cell_text(cell: str | None) -> str:
    """A table cell's wrapped lines joined."""
    return join_pieces((cell or "").split("\n")).replace("\t", " ")


def table_rows(table: Table, fast: bool = False) -> list[tuple[str, Box]]:
    """A table's rows with text, as tab-separated cells, each with the box of its row; with
    ``fast``, each cell's text by layout.cell_text.

    pdfplumber's Table.extract, with the same rule (a character belongs to the row and cell its
    middle is in) and the same text, but finding a row's characters by bisection instead of
    testing every character of the page against every row."""
    chars = table.page.chars
    by_middle = sorted(((c["top"] + c["bottom"]) / 2, i) for i, c in enumerate(chars))
    middles = [middle for middle, _ in by_middle]
    rows = []
    for row in table.rows:
        x0, top, x1, bottom = row.bbox
        band = by_middle[bisect_left(middles, top) : bisect_left(middles, bottom)]
        inside = sorted(i for _, i in band)  # in the page's order, as pdfplumber keeps them
        row_chars = [chars[i] for i in inside if x0 <= (chars[i]["x0"] + chars[i]["x1"]) / 2 < x1]
        cells = [None if cell is None else _cell_text(row_chars, cell, fast) for cell in row.cells]
        if any(cells):
            rows.append(("\t".join(cell_text(cell) for cell in cells), row.bbox))
    return rows


def _cell_text(chars: list[dict], cell: Box, fast: bool) -> str:
    x0, top, x1, bottom = cell
    inside = [
        c
        for c in chars
        if x0 <= (c["x0"] + c["x1"]) / 2 < x1 and top <= (c["top"] + c["bottom"]) / 2 < bottom
    ]
    if not inside:
        return ""
    return layout.cell_text(inside) if fast else extract_text(inside)


def text_lines(chars: list[dict], region: Box) -> list[tuple[str, Box]]:
    """The lines of text of ``chars`` in a page's ``region``, each with the box of its
    characters: pdfplumber's ``extract_text_lines()`` of a page with that box and these chars
    (for a part of the page, its chars cropped to it, without cropping its other objects)."""
    x0, top, x1, bottom = region
    textmap = chars_to_textmap(
        chars,
        layout_bbox=region,
        layout_width=x1 - x0,
        layout_height=bottom - top,
    )
    return [
        (line["text"], (line["x0"], line["top"], line["x1"], line["bottom"]))
        for line in textmap.extract_text_lines(return_chars=False)
    ]


def page_lines(page, fast: bool = False) -> list[tuple[str, Box]]:
    """The page's lines with their boxes, each ruled table replaced by its tab-separated rows.
    ``fast``: layout.py's table finder, text assembly and cropping instead of pdfplumber's own
    (the same lines, for a PdfiumPage's characters)."""
    x0, top, x1, bottom = page.bbox

    def lines_of(chars: list[dict], part: Box) -> list[tuple[str, Box]]:
        return layout.text_lines(chars) if fast else text_lines(chars, part)

    def lines_in(part: Box) -> list[tuple[str, Box]]:
        chars = layout.crop_chars(page.chars, part) if fast else crop_to_bbox(page.chars, part)
        return lines_of(chars, part)

    found = layout.FastTableFinder(page).tables if fast else page.find_tables()
    # A table drawn partly off the page is read for its part on the page; one wholly off it
    # is not shown by any viewer and is left out.
    ruled = sorted(
        (t for t in found if t.bbox[1] < bottom and t.bbox[3] > top),
        key=lambda t: t.bbox[1],
    )
    lines: list[tuple[str, Box]] = []
    cursor = top
    for table in ruled:
        t_top, t_bottom = max(table.bbox[1], top), min(table.bbox[3], bottom)
        if t_top > cursor:
            lines += lines_in((x0, cursor, x1, t_top))
        lines += table_rows(table, fast)
        cursor = max(cursor, t_bottom)
    if cursor < bottom:
        lines += lines_in((x0, cursor, x1, bottom)) if ruled else lines_of(page.chars, page.bbox)
    return lines


def _rounded(box: Box) -> Box:
    return tuple(round(float(v), 1) for v in box)  # type: ignore[return-value]


def raised_by_pdf_library(exc: BaseException) -> bool:
    """Whether the innermost frame of the exception's traceback is pdfminer's or pdfplumber's:
    a malformed file, rather than a bug of ours or an interruption (a time limit)."""
    tb, module = exc.__traceback__, ""
    while tb is not None:
        module = tb.tb_frame.f_globals.get("__name__", "")
        tb = tb.tb_next
    return module.startswith(("pdfminer", "pdfplumber"))


class PdfExtractor:
    def extract(
        self, path: Path, ocr: OcrOptions | None = None, reader: str = READERS[0]
    ) -> Extracted:
        """The text of every page, read by ``reader`` (one of READERS); pages without a usable
        text layer are read by OCR (``ocr``: auto by default, see OcrOptions)."""
        ocr = ocr or OcrOptions()
        sniff(path)
        pages = pdfium_pages(path) if reader == "pdfium" else pdfplumber_pages(path)
        if not pages:
            raise ExtractionError("the PDF has no pages")
        extracted = Extracted(pages=pages)
        unread = [page for page in pages if ocr.wants(page.text)]
        engine_missing = read_scanned(path, unread, ocr, extracted.notes) if unread else False
        chars = sum(len("".join(p.text.split())) for p in pages)
        if chars < MIN_TEXT_CHARS * len(pages) / 4:
            why = (
                "and OCR is off (--ocr=off)"
                if ocr.mode == "off"
                else "and no OCR engine is installed (see README, OCR)"
                if engine_missing
                else "from which OCR read nothing"
            )
            raise ExtractionError(
                f"no text layer ({len(pages)} pages, {chars} characters of text): "
                f"a scanned PDF, {why}"
            )
        return extracted


def text_page(number: int, lines: list[tuple[str, Box]]) -> Page:
    normalized = [(normalize_line(text), box) for text, box in lines]
    return Page(
        number=number,
        text="\n".join(text for text, _ in normalized),
        boxes=[_rounded(box) for _, box in normalized],
    )


def pdfium_pages(path: Path) -> list[Page]:
    """Every page's lines from the characters and rulings PDFium reads."""
    try:
        document = pdfium.PdfDocument(path)
    except pdfium.PdfiumError as exc:
        if exc.err_code == pdfium_raw.FPDF_ERR_PASSWORD:
            raise ExtractionError("the PDF is encrypted with a password") from exc
        raise ExtractionError(f"broken PDF: {exc}") from exc
    pages: list[Page] = []
    try:
        for index in range(len(document)):
            page = document[index]
            try:
                lines = page_lines(PdfiumPage(page, index + 1), fast=True)
                pages.append(text_page(index + 1, lines))
            except pdfium.PdfiumError as exc:
                raise ExtractionError(f"broken PDF: page {index + 1}: {exc}") from exc
            finally:
                page.close()
    finally:
        document.close()
    return pages


def without_hidden_spaces(page: pdfplumber.page.Page) -> pdfplumber.page.Page:
    """The page without the spaces placed on their own over another character (set apart from
    the line's text, its middle over a character of the line: a space laid over the "0" of
    "10" would split it into "1 0"). PDFium leaves them out of its characters; so does the
    reference reader, so that both read "10"."""
    by_line: dict[int, list[dict]] = {}
    for char in page.chars:
        if char["text"] != " ":
            by_line.setdefault(round(char["top"]), []).append(char)
    hidden: set[int] = set()
    for char in page.chars:
        if char["text"] == " ":
            middle = (char["x0"] + char["x1"]) / 2
            near = [c for key in (-1, 0, 1) for c in by_line.get(round(char["top"]) + key, ())]
            if any(c["x0"] < middle < c["x1"] and c["top"] != char["top"] for c in near):
                hidden.add(id(char))
    return page.filter(lambda obj: id(obj) not in hidden) if hidden else page


def pdfplumber_pages(path: Path) -> list[Page]:
    """Every page's lines from pdfminer's layout analysis (the reference reader)."""
    pages: list[Page] = []
    try:
        with pdfplumber.open(path) as pdf:
            for number, page in enumerate(pdf.pages, 1):
                pages.append(text_page(number, page_lines(without_hidden_spaces(page))))
                page.close()
    except Exception as exc:  # noqa: BLE001 - sorted below: the file's fault or not
        # pdfplumber wraps what pdfminer raises while opening or reading a page
        cause = exc.args[0] if isinstance(exc, PdfminerException) and exc.args else exc
        if isinstance(cause, PDFPasswordIncorrect):
            raise ExtractionError("the PDF is encrypted with a password") from exc
        if isinstance(cause, (RecursionError, MemoryError)) or not raised_by_pdf_library(cause):
            raise cause from None  # a limit, an interruption or our bug: the caller's
        raise ExtractionError(f"broken PDF: {cause!r}") from exc
    return pages


def read_scanned(path: Path, pages: list[Page], ocr: OcrOptions, notes: list[str]) -> bool:
    """Reads ``pages`` by OCR, each rendered at OCR_DPI under its own time limit, into their
    text (tables tab-separated, as page_lines writes them) and confidence. A figure read with
    low confidence becomes a note: the document's data-quality warning. A blank page is left
    as it is, and so is (unless OCR is forced) a page whose short text layer is all it prints,
    such as a cover; the engine is loaded at the first page with ink on it. Returns whether
    the engine was needed and could not be loaded."""
    engine: Engine | None = None
    try:
        document = pdfium.PdfDocument(path)
    except pdfium.PdfiumError as exc:  # pdfplumber read it, PDFium cannot render it
        notes.append(f"scanned pages not read: PDFium cannot open the file ({exc})")
        return False
    try:
        for page in pages:
            assert page.number is not None
            try:
                pdf_page = document[page.number - 1]
                if ocr.mode == "auto" and not garbled(page.text) and not pictured(pdf_page):
                    continue  # a few words of text and nothing else printed: already read
                image = pdf_page.render(scale=OCR_DPI / 72).to_pil()
            except pdfium.PdfiumError as exc:
                notes.append(f"第{page.number}页: not read: PDFium cannot render it ({exc})")
                continue
            if image.convert("L").getextrema()[0] > _BLANK:
                continue  # nothing printed on it
            engine = engine or ocr.load()
            if engine is None:
                return True
            try:
                with time_limit(ocr.page_seconds, PageTimeout):
                    reading = upright(engine, image, OCR_DPI)
            except PageTimeout:
                notes.append(
                    f"第{page.number}页: OCR took longer than {ocr.page_seconds:g} s; not read"
                )
                continue
            except OcrError as exc:
                notes.append(f"第{page.number}页: not read: {exc}")
                continue
            lines = [(normalize_line(text), box) for text, box in reading.lines]
            page.text = "\n".join(text for text, _ in lines)
            page.boxes = [_rounded(reading.page_box(box, OCR_DPI)) for _, box in lines]
            page.ocr_confidence = round(reading.confidence, 3)
            notes += _doubtful_figures(page.number, reading)
    finally:
        document.close()
    return False


def pictured(page: pdfium.PdfPage) -> bool:
    """Whether the page prints something OCR could read besides its text layer: an image (a
    scan), or many paths (text drawn as outlines, a glyph a path)."""
    paths = 0
    for obj in page.get_objects(max_depth=FORM_DEPTH):
        if obj.type == pdfium_raw.FPDF_PAGEOBJ_IMAGE:
            return True
        paths += obj.type == pdfium_raw.FPDF_PAGEOBJ_PATH
    return paths >= _OUTLINE_PATHS


_OUTLINE_PATHS = 100  # this many paths on a page with next to no text: text drawn as outlines
_BLANK = 200  # a page whose darkest pixel is lighter than this grey has nothing printed on it


AMOUNT_CONFIDENCE = 0.9  # a figure OCR read with less confidence is flagged
_FIGURE = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+\.\d{2}")
_MAX_FLAGGED = 5  # figures flagged per page; more are counted


def _doubtful_figures(number: int, reading: OcrPage) -> list[str]:
    doubtful = [
        w for w in reading.words if w.confidence < AMOUNT_CONFIDENCE and _FIGURE.search(w.text)
    ]
    notes = [
        f"第{number}页: OCR read 「{w.text}」 with confidence {w.confidence:.2f}; check the page"
        for w in doubtful[:_MAX_FLAGGED]
    ]
    if len(doubtful) > _MAX_FLAGGED:
        notes.append(
            f"第{number}页: {len(doubtful) - _MAX_FLAGGED} more figures read with low confidence"
        )
    return notes
