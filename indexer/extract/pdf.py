"""PDF text with pdfplumber, page by page (pages are closed as we go, so memory stays flat).

Ruled tables come out as rows of tab-separated cells (a cell's wrapped lines joined), in their
place among the page's text lines; the parsers read them like the OCR seeds' tab-separated rows.
"""

import logging
from pathlib import Path

import pdfplumber
from pdfminer.pdfdocument import PDFPasswordIncorrect
from pdfplumber.utils.exceptions import PdfminerException

from indexer.extract.base import Extracted, ExtractionError, Page
from indexer.textnorm import join_pieces, normalize_text

# pdfminer warns about every odd font descriptor (Chromium's PDFs have many); the text is fine.
logging.getLogger("pdfminer").setLevel(logging.ERROR)

# A page with fewer characters than this has no real text layer (a scan, or only page numbers).
MIN_TEXT_CHARS_PER_PAGE = 20


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


def table_rows(rows: list[list[str | None]]) -> list[str]:
    return ["\t".join(cell_text(cell) for cell in row) for row in rows if any(row)]


def page_text(page) -> str:
    """The page's text with each ruled table replaced by its tab-separated rows."""
    x0, top, x1, bottom = page.bbox
    # A table drawn partly off the page is read for its part on the page; one wholly off it
    # is not shown by any viewer and is left out.
    tables = sorted(
        (t for t in page.find_tables() if t.bbox[1] < bottom and t.bbox[3] > top),
        key=lambda t: t.bbox[1],
    )
    if not tables:
        return page.extract_text() or ""
    parts: list[str] = []
    cursor = top
    for table in tables:
        t_top, t_bottom = max(table.bbox[1], top), min(table.bbox[3], bottom)
        if t_top > cursor:
            parts.append(page.crop((x0, cursor, x1, t_top)).extract_text() or "")
        parts.extend(table_rows(table.extract()))
        cursor = max(cursor, t_bottom)
    if cursor < bottom:
        parts.append(page.crop((x0, cursor, x1, bottom)).extract_text() or "")
    return "\n".join(part for part in parts if part)


def raised_by_pdf_library(exc: BaseException) -> bool:
    """Whether the innermost frame of the exception's traceback is pdfminer's or pdfplumber's:
    a malformed file, rather than a bug of ours or an interruption (a time limit)."""
    tb, module = exc.__traceback__, ""
    while tb is not None:
        module = tb.tb_frame.f_globals.get("__name__", "")
        tb = tb.tb_next
    return module.startswith(("pdfminer", "pdfplumber"))


class PdfExtractor:
    extensions = (".pdf",)

    def extract(self, path: Path) -> Extracted:
        sniff(path)
        pages: list[Page] = []
        try:
            with pdfplumber.open(path) as pdf:
                for number, page in enumerate(pdf.pages, 1):
                    text = page_text(page)
                    page.close()
                    pages.append(Page(number=number, text=normalize_text(text)))
        except Exception as exc:  # noqa: BLE001 - sorted below: the file's fault or not
            # pdfplumber wraps what pdfminer raises while opening or reading a page
            cause = exc.args[0] if isinstance(exc, PdfminerException) and exc.args else exc
            if isinstance(cause, PDFPasswordIncorrect):
                raise ExtractionError("the PDF is encrypted with a password") from exc
            if isinstance(cause, (RecursionError, MemoryError)) or not raised_by_pdf_library(cause):
                raise cause from None  # a limit, an interruption or our bug: the caller's
            raise ExtractionError(f"broken PDF: {cause!r}") from exc
        if not pages:
            raise ExtractionError("the PDF has no pages")
        chars = sum(len("".join(p.text.split())) for p in pages)
        if chars < MIN_TEXT_CHARS_PER_PAGE * len(pages) / 4:
            raise ExtractionError(
                f"no text layer ({len(pages)} pages, {chars} characters of text): a scanned PDF? "
                "Run OCR on it first"
            )
        return Extracted(pages=pages)
