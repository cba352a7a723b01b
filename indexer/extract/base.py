from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from indexer.ocr import Box, OcrOptions

PAGE_BREAK = "\n\f\n"
# What reads a PDF's characters and rulings (extract/pdf.py); the first is the default.
READERS = ("pdfium", "pdfplumber")


class ExtractionError(Exception):
    """A data problem with one file (undecodable, empty, broken). Reported, never fatal."""


def union(boxes: list[Box]) -> Box | None:
    """The smallest box around ``boxes`` (None for none)."""
    if not boxes:
        return None
    x0s, tops, x1s, bottoms = zip(*boxes, strict=True)
    return (min(x0s), min(tops), max(x1s), max(bottoms))


@dataclass
class Page:
    number: int | None  # 1-based PDF page, None for text files
    text: str  # normalized
    ocr_confidence: float | None = None  # read by OCR: its mean confidence per character
    # where each line of ``text`` was read on the page (None: not known, as for a text file)
    boxes: list[Box | None] | None = None

    def box(self, line: int) -> Box | None:
        """The box of the text's ``line``-th line (0-based), if known."""
        return self.boxes[line] if self.boxes and line < len(self.boxes) else None


@dataclass
class Extracted:
    pages: list[Page]
    encoding: str | None = None
    notes: list[str] = field(default_factory=list)  # data-quality warnings from reading it

    @property
    def ocr_pages(self) -> int:
        return sum(1 for page in self.pages if page.ocr_confidence is not None)

    @property
    def text(self) -> str:
        """All pages, separated by form feeds (sections.py counts them to know the page)."""
        return PAGE_BREAK.join(page.text for page in self.pages)


class Extractor(Protocol):
    def extract(
        self, path: Path, ocr: OcrOptions | None = None, reader: str = READERS[0]
    ) -> Extracted: ...
