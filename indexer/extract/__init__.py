"""One extractor per format, chosen by the file extensions each declares.

A new format is a new small module registered in EXTRACTORS, not a branch in a long ``if``.
"""

from pathlib import Path

from indexer.extract.base import READERS, Extracted, ExtractionError, Extractor
from indexer.extract.pdf import PdfExtractor
from indexer.extract.text import TextExtractor

EXTRACTORS: list[Extractor] = [TextExtractor(), PdfExtractor()]


def extractor_for(path: Path) -> Extractor | None:
    suffix = path.suffix.lower()
    for extractor in EXTRACTORS:
        if suffix in extractor.extensions:
            return extractor
    return None


def supported_extensions() -> set[str]:
    return {ext for extractor in EXTRACTORS for ext in extractor.extensions}


__all__ = [
    "EXTRACTORS",
    "READERS",
    "ExtractionError",
    "Extracted",
    "Extractor",
    "extractor_for",
    "supported_extensions",
]
