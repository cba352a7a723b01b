"""Plain text and Markdown (including OCR output in a markdown-like form)."""

from pathlib import Path

from indexer.extract.base import READERS, Extracted, ExtractionError, Page
from indexer.ocr import OcrOptions
from indexer.textnorm import DecodeError, decode_bytes, normalize_text

# A budget's text runs to a few hundred kilobytes; a file far beyond that is not one (a log, a
# dump, several documents run together), and reading it whole would cost memory for nothing.
MAX_TEXT_BYTES = 20 * 1024 * 1024


class TextExtractor:
    def extract(
        self, path: Path, ocr: OcrOptions | None = None, reader: str = READERS[0]
    ) -> Extracted:
        """(``ocr`` and ``reader`` do not apply to text.)"""
        size = path.stat().st_size
        if size > MAX_TEXT_BYTES:
            raise ExtractionError(
                f"too large for one budget ({size / 2**20:.0f} MB; at most "
                f"{MAX_TEXT_BYTES // 2**20} MB): split it into one file per document"
            )
        data = path.read_bytes()
        if not data.strip():
            raise ExtractionError("the file is empty")
        try:
            text, encoding = decode_bytes(data)
        except DecodeError as exc:
            raise ExtractionError(str(exc)) from exc
        text = normalize_text(text)
        if not text.strip():
            raise ExtractionError("the file has no text after decoding")
        return Extracted(pages=[Page(number=None, text=text)], encoding=encoding)
