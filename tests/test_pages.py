"""Citing a hit: record boxes, the original file, and its pages rendered with the box drawn
(issue 13), against the real node, over a real budget PDF and a text budget."""

import io
from pathlib import Path

import pdfplumber
import pytest
from PIL import Image

from indexer.admin import ensure_index
from indexer.bulk import index_prepared
from indexer.model import Record
from indexer.sources import SourceFile
from indexer.workers import Prepared, record_source
from search_api.pages import PAGE_SCALE, PageCache
from tests.conftest import client_for


@pytest.fixture
def cited(cited_index):
    folder, settings = cited_index
    return folder, settings, client_for(settings)


def _document_id(client, source_file: str) -> str:
    documents = client.get("/api/documents").json()["documents"]
    (doc,) = [d for d in documents if d["source_file"] == source_file]
    return doc["id"]


def _records(client, q: str, kind: str, source_file: str = "audit.pdf") -> list[dict]:
    params = {"q": q, "kind": kind, "document_id": _document_id(client, source_file), "size": 100}
    return client.get("/api/search", params=params).json()["hits"]


def _text_in(folder: Path, page: int, bbox: list[float]) -> str:
    with pdfplumber.open(folder / "audit.pdf") as pdf:
        return "".join(pdf.pages[page - 1].crop(bbox).extract_text().split())


def test_records_carry_the_box_of_the_row_or_lines_they_were_read_from(cited):
    folder, _, client = cited
    project = _records(client, q="审计管理业务", kind="project")[0]
    assert project["page"] and project["bbox"]
    # what is printed inside the box is the project's row
    assert "审计管理业务" in _text_in(folder, project["page"], project["bbox"])
    (item,) = [r for r in _records(client, "行政运行", "line_item") if r["table"] == "收支总表"]
    inside = _text_in(folder, item["page"], item["bbox"])
    assert "行政运行" in inside and "5,466.52" in inside
    section = _records(client, q="部门职责", kind="section")[0]
    assert section["bbox"]
    inside = _text_in(folder, section["page"], section["bbox"])
    assert len(inside) > 50  # the section's lines, not a sliver
    text_hit = _records(client, "民意速办", "project", "seed.txt")[0]
    assert text_hit["bbox"] is None  # a text file has no page to box


def test_the_original_file_is_served_inline(cited):
    folder, _, client = cited
    pdf = client.get(f"/api/documents/{_document_id(client, 'audit.pdf')}/file")
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["content-disposition"].startswith("inline")
    assert pdf.content == (folder / "audit.pdf").read_bytes()
    text = client.get(f"/api/documents/{_document_id(client, 'seed.txt')}/file")
    assert text.headers["content-type"] == "text/plain; charset=utf-8"
    assert text.content == (folder / "seed.txt").read_bytes()


def test_a_page_is_rendered_with_the_records_box_drawn(cited):
    _, _, client = cited
    project = _records(client, q="审计管理业务", kind="project")[0]
    doc = project["document_id"]
    url = f"/api/documents/{doc}/pages/{project['page']}.png"
    plain = client.get(url)
    assert plain.status_code == 200 and plain.headers["content-type"] == "image/png"
    marked = client.get(url, params={"highlight": project["id"]})
    plain_image = Image.open(io.BytesIO(plain.content)).convert("RGB")
    marked_image = Image.open(io.BytesIO(marked.content)).convert("RGB")
    assert plain_image.size == marked_image.size
    x0, top, x1, bottom = (round(v * PAGE_SCALE) for v in project["bbox"])
    # the frame drawn just outside the box, in amber; nothing changed far from it
    r, g, b = marked_image.getpixel((x0 - 5, (top + bottom) // 2))
    assert r > 200 and 150 < g < 230 and b < 120, (r, g, b)
    assert plain_image.getpixel((x0 - 5, (top + bottom) // 2)) != (r, g, b)
    assert marked_image.getpixel((5, 5)) == plain_image.getpixel((5, 5))
    # a record on another page leaves this one unmarked
    other = client.get(f"/api/documents/{doc}/pages/1.png", params={"highlight": project["id"]})
    assert other.status_code == 200


@pytest.mark.parametrize(
    ("path", "why"),
    [
        ("/api/documents/0123456789abcdef/file", "no document"),
        ("/api/documents/0123456789abcdef/pages/1.png", "no document"),
        ("/api/documents/{pdf}/pages/999.png", "out of range"),
        ("/api/documents/{text}/pages/1.png", "text"),
        ("/api/documents/{pdf}/pages/1.png?highlight=no-such-record", "no record"),
    ],
)
def test_unknown_documents_pages_and_records_are_404_json(cited, path, why):
    _, _, client = cited
    path = path.format(pdf=_document_id(client, "audit.pdf"), text=_document_id(client, "seed.txt"))
    response = client.get(path)
    assert response.status_code == 404
    assert why in response.json()["error"]["message"]


def test_a_file_whose_name_leads_out_of_its_folder_is_refused(es, tmp_path, fresh_settings):
    root = tmp_path / "indexed"
    root.mkdir()
    (tmp_path / "secret.pdf").write_bytes(b"%PDF-1.4 not for the API")
    ensure_index(es, fresh_settings)
    record = Record(
        id="escape-document",
        kind="document",
        document_id="escape",
        title="escape",
        source_file="../secret.pdf",
        source_root=str(root),
    )
    prepared = Prepared(SourceFile.of(root / "x.pdf"), sources=[(record.id, record_source(record))])
    index_prepared(es, fresh_settings.alias, [prepared], lambda _: None, replace=False)
    es.indices.refresh(index=fresh_settings.alias)
    response = client_for(fresh_settings).get("/api/documents/escape/file")
    assert response.status_code == 404
    assert "outside the folder indexed" in response.json()["error"]["message"]
    assert response.content.find(b"not for the API") < 0


def test_the_page_cache_keeps_the_most_recent_pages_within_its_bound(tmp_path):
    cache = PageCache(tmp_path / "pages", max_bytes=2500)
    for n in range(5):
        cache.put(bytes(1000), "doc", n, None)
    kept = list((tmp_path / "pages").glob("*.png"))
    assert sum(p.stat().st_size for p in kept) <= 2500
    assert cache.get("doc", 4, None) == bytes(1000)  # the newest stays
    assert cache.get("doc", 0, None) is None  # the oldest went


def test_the_document_view_gets_the_text_of_the_sections_on_a_page(cited):
    _, _, client = cited
    section = _records(client, q="部门职责", kind="section")[0]
    doc = client.get(
        f"/api/documents/{section['document_id']}", params={"page": section["page"]}
    ).json()
    ids = [s["id"] for s in doc["page_sections"]]
    assert section["id"] in ids
    assert all(s["text"] for s in doc["page_sections"])
