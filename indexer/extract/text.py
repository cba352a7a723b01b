"""Plain text and Markdown (including OCR output in a markdown-like form)."""

from pathlib import Path

from indexer.extract.base import Extracted, ExtractionError, Page
from indexer.textnorm import DecodeError, decode_bytes, normalize_text


class TextExtractor:
    extensions = (".txt", ".md")

    def extract(self, path: Path) -> Extracted:
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
