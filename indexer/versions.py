"""What made a file's records, so that a re-run skips the files indexed by the same code with
the same settings: the document record keeps ``reading_version``, and a file whose content,
place and reading version are all in the index already is not read again."""

import hashlib
from functools import cache
from pathlib import Path

from indexer.ocr import OcrOptions

PACKAGE = Path(__file__).resolve().parent
_READ_BY = (".py", ".txt", ".toml", ".json")  # the indexer's code and its data files


@cache
def code_version() -> str:
    """A digest of the indexer's code and data: any change to them is a new version (nobody has
    to remember to bump a number, at the cost of re-indexing after changes that did not matter)."""
    digest = hashlib.sha256()
    for path in sorted(PACKAGE.rglob("*")):
        if path.suffix in _READ_BY and "__pycache__" not in path.parts and path.is_file():
            digest.update(path.relative_to(PACKAGE).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def reading_version(ocr: OcrOptions, reader: str) -> str:
    """The code's version with how files are read: the PDF reader, and how scanned pages are
    read (a file indexed with OCR off is read again with it on)."""
    ocr_part = f"ocr-{ocr.mode}" + (f"-{ocr.engine}" if ocr.engine else "")
    return f"{code_version()}/{reader}/{ocr_part}"
