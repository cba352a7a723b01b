"""One extractor per format, chosen by the file's extension.

A new format is a new small module registered in FORMATS, not a branch in a long ``if``. Each
module is imported on first use: the PDF reader's libraries take about 0.05 s to load, which a
run with nothing to read (an unchanged re-run) does not pay.
"""

import importlib
from functools import cache
from pathlib import Path

from indexer.extract.base import READERS, Extracted, ExtractionError, Extractor

# extension: (module, extractor class)
FORMATS: dict[str, tuple[str, str]] = {
    ".txt": ("indexer.extract.text", "TextExtractor"),
    ".md": ("indexer.extract.text", "TextExtractor"),
    ".pdf": ("indexer.extract.pdf", "PdfExtractor"),
}


@cache
def _extractor(module: str, name: str) -> Extractor:
    return getattr(importlib.import_module(module), name)()


def extractor_for(path: Path) -> Extractor | None:
    where = FORMATS.get(path.suffix.lower())
    return _extractor(*where) if where else None


def supported_extensions() -> set[str]:
    return set(FORMATS)


__all__ = [
    "FORMATS",
    "READERS",
    "ExtractionError",
    "Extracted",
    "Extractor",
    "extractor_for",
    "supported_extensions",
]
