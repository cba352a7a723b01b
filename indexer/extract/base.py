from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

PAGE_BREAK = "\n\f\n"


class ExtractionError(Exception):
    """A data problem with one file (undecodable, empty, broken). Reported, never fatal."""


@dataclass
class Page:
    number: int | None  # 1-based PDF page, None for text files
    text: str  # normalized


@dataclass
class Extracted:
    pages: list[Page]
    encoding: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        """All pages, separated by form feeds (sections.py counts them to know the page)."""
        return PAGE_BREAK.join(page.text for page in self.pages)


class Extractor(Protocol):
    extensions: tuple[str, ...]

    def extract(self, path: Path) -> Extracted: ...
