"""PDF text with pdfplumber, page by page (pages are closed as we go, so memory stays flat)."""

from pathlib import Path

import pdfplumber
from pdfminer.pdfdocument import PDFPasswordIncorrect
from pdfplumber.utils.exceptions import PdfminerException

from indexer.extract.base import Extracted, ExtractionError, Page
from indexer.textnorm import normalize_text

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


class PdfExtractor:
    extensions = (".pdf",)

    def extract(self, path: Path) -> Extracted:
        sniff(path)
        pages: list[Page] = []
        try:
            with pdfplumber.open(path) as pdf:
                for number, page in enumerate(pdf.pages, 1):
                    text = page.extract_text() or ""
                    page.close()
                    pages.append(Page(number=number, text=normalize_text(text)))
        except PdfminerException as exc:
            cause = exc.args[0] if exc.args else exc
            if isinstance(cause, PDFPasswordIncorrect):
                raise ExtractionError("the PDF is encrypted with a password") from exc
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
