"""A document's original file, and its pages rendered as images with a record's box drawn.

The file is found from the document record: the folder it was indexed from (``source_root``,
stored and never shown) and its name under that folder. Only a file inside that folder is
served; a name that leads out of it (``..``, a link to elsewhere) is refused as not found.
Rendered pages are kept on disk, and the oldest dropped once the cache outgrows its bound.
"""

import contextlib
import hashlib
import io
import os
import threading
import time
from pathlib import Path

import pypdfium2 as pdfium
from elasticsearch import AsyncElasticsearch
from PIL import Image, ImageDraw

from search_api import store
from search_api.documents import of_document
from search_api.errors import NotFound

PAGE_SCALE = 2.0  # 144 dpi: small print legible
HIGHLIGHT = (255, 196, 0)  # the record's box: amber, outlined and lightly filled
MEDIA_TYPES = {".pdf": "application/pdf"}  # anything else indexed is text
_PDFIUM = threading.Lock()  # PDFium is not thread-safe; pages are rendered in threads
FILE_FIELDS = ["source_root", "source_file"]  # where a document record's file is
BOX_FIELDS = ["page", "bbox"]  # where a record was read from


def one_body(query: dict, fields: list[str]) -> dict:
    """The first record matching ``query``, with only ``fields`` in its source."""
    return {"query": query, "size": 1, "source_includes": fields}


async def _one(es: AsyncElasticsearch, index: str, query: dict, fields: list[str]) -> dict | None:
    with store.es_errors():
        response = await store.search(es, index, one_body(query, fields))
    hits = response["hits"]["hits"]
    return hits[0]["_source"] if hits else None


async def original_file(es: AsyncElasticsearch, index: str, document_id: str) -> Path:
    """The document's file on this machine; NotFound for an unknown document, a file no longer
    there, or one whose name leads out of the folder it was indexed from."""
    doc = await _one(es, index, of_document(document_id, "document"), FILE_FIELDS)
    if doc is None:
        raise NotFound(f"no document with id '{document_id}'")
    root, name = doc.get("source_root"), doc.get("source_file")
    if not root or not name:
        raise NotFound(f"document '{document_id}' was indexed without its file's place")
    folder = Path(root).resolve()
    path = (folder / name).resolve()
    if not path.is_relative_to(folder):
        raise NotFound(f"the file of document '{document_id}' is outside the folder indexed")
    if not path.is_file():
        raise NotFound(f"the file of document '{document_id}' is no longer there")
    return path


async def record_box(es: AsyncElasticsearch, index: str, document_id: str, record_id: str) -> tuple:
    """The record's (page, bbox); NotFound for a record not of this document."""
    query = of_document(document_id, None, {"ids": {"values": [record_id]}})
    record = await _one(es, index, query, BOX_FIELDS)
    if record is None:
        raise NotFound(f"no record '{record_id}' in document '{document_id}'")
    return record.get("page"), record.get("bbox")


def render_page(path: Path, number: int, box: list[float] | None) -> bytes:
    """Page ``number`` (1-based) as PNG with ``box`` (PDF points, top-left origin) drawn."""
    with _PDFIUM:
        try:
            pdf = pdfium.PdfDocument(path)
        except pdfium.PdfiumError as exc:
            raise NotFound(f"the file cannot be rendered: {exc}") from exc
        try:
            if not 1 <= number <= len(pdf):
                raise NotFound(f"page {number} is out of range (the document has {len(pdf)})")
            image = pdf[number - 1].render(scale=PAGE_SCALE).to_pil().convert("RGB")
        finally:
            pdf.close()
    if box:
        x0, top, x1, bottom = (v * PAGE_SCALE for v in box)
        pad = 3 * PAGE_SCALE
        around = (x0 - pad, top - pad, x1 + pad, bottom + pad)
        shade = image.copy()
        ImageDraw.Draw(shade).rectangle(around, fill=HIGHLIGHT)
        image = Image.blend(image, shade, 0.25)
        ImageDraw.Draw(image).rectangle(around, outline=HIGHLIGHT, width=3)
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=False)
    return buffer.getvalue()


def page_png(cache: "PageCache", path: Path, document_id: str, number: int, box) -> bytes:
    """The page as PNG, from the cache or rendered and kept (blocking: routes run it in a
    thread, so a render does not hold up other requests)."""
    key = (document_id, number, box)
    png = cache.get(*key)
    if png is None:
        png = render_page(path, number, box)
        cache.put(png, *key)
    return png


def _used_now(path: Path) -> None:
    """Marks a cached page used (the file clock is too coarse to order quick writes)."""
    now = time.time_ns()
    with contextlib.suppress(OSError):
        os.utime(path, ns=(now, now))


class PageCache:
    """Rendered pages on disk, at most ``max_bytes`` of them: the least recently used go."""

    def __init__(self, folder: Path, max_bytes: int):
        self.folder = folder
        self.max_bytes = max_bytes
        self._lock = threading.Lock()

    def path(self, *key: object) -> Path:
        digest = hashlib.sha256(repr(key).encode()).hexdigest()[:32]
        return self.folder / f"{digest}.png"

    def get(self, *key: object) -> bytes | None:
        path = self.path(*key)
        try:
            data = path.read_bytes()
        except OSError:
            return None
        _used_now(path)
        return data

    def put(self, data: bytes, *key: object) -> None:
        with self._lock:
            self.folder.mkdir(parents=True, exist_ok=True)
            path = self.path(*key)
            part = path.with_suffix(".part")
            part.write_bytes(data)
            part.replace(path)  # readers see the whole image or none
            _used_now(path)
            self._trim()

    def _trim(self) -> None:
        files = []
        for path in self.folder.glob("*.png"):
            try:
                stat = path.stat()
            except OSError:
                continue
            files.append((stat.st_mtime_ns, stat.st_size, path))
        total = sum(size for _, size, _ in files)
        for _, size, path in sorted(files):
            if total <= self.max_bytes:
                break
            path.unlink(missing_ok=True)
            total -= size
