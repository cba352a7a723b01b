"""A corpus of bad files made here, indexed beside good ones by the indexer as users run it:
each bad file is reported with its reason, every good file is indexed, and the indexer's
memory (all its processes) stays bounded."""

import codecs
import os
import subprocess
import sys
import time

import pytest

from bench.run import tree_rss_mb
from tests.conftest import ROOT, SAMPLES
from tests.pdfs import encrypted_pdf, text_pdf

pytestmark = pytest.mark.es
MEMORY_BOUND_MB = 1024  # the real PDFs take about 500 MB (BENCHMARKS.md)
LONG_PDF_PAGES = 500


def budget_text() -> str:
    return (SAMPLES / "donghu-2025.txt").read_text(encoding="utf-8")


def make_corpus(folder):
    """(bad files with the reason each must be reported with, good files)."""
    folder.mkdir()
    bad = {
        "empty.txt": ("", "the file is empty"),
        "zero.pdf": (b"", "the file is empty (zero bytes)"),
        "truncated.pdf": (text_pdf(["page text long enough to count"] * 3)[:400], "broken PDF"),
        "scan.pdf": (text_pdf([""] * 4), "no text layer"),
        "page.pdf": ("<!DOCTYPE html><html><body>404</body></html>", "not a PDF"),
        "junk.txt": (os.urandom(64 * 1024), "binary data"),
        "huge.txt": (None, "too large for one budget"),
    }
    for name, (content, _) in bad.items():
        path = folder / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        elif content is not None:
            path.write_text(content, encoding="utf-8")
    with (folder / "huge.txt").open("w", encoding="utf-8") as f:  # 50 MB of budget text
        text = budget_text()
        for _ in range(50 * 2**20 // len(text.encode()) + 1):
            f.write(text)
    encrypted_pdf(folder / "locked.pdf", text_pdf(["budget page with some text"] * 2))
    bad["locked.pdf"] = (None, "encrypted with a password")

    good = ["gb18030.txt", "utf16.txt", "long.pdf", "city-2025.txt"]
    (folder / "gb18030.txt").write_bytes(budget_text().encode("gb18030"))
    (folder / "utf16.txt").write_bytes(
        codecs.BOM_UTF16_LE + (SAMPLES / "donghu-2024.txt").read_text("utf-8").encode("utf-16-le")
    )
    pages = [f"Page {n}: project expenditure line {n}, amount {n}.00" for n in range(1, 501)]
    (folder / "long.pdf").write_bytes(text_pdf(pages))
    (folder / "city-2025.txt").write_bytes((SAMPLES / "city-2025.txt").read_bytes())
    return {name: reason for name, (_, reason) in bad.items()}, good


def test_bad_files_are_reported_good_ones_indexed_and_memory_stays_bounded(
    es, fresh_settings, tmp_path
):
    bad, good = make_corpus(tmp_path / "corpus")
    env = {**os.environ, "ES_INDEX_PREFIX": fresh_settings.es_index_prefix}
    log = tmp_path / "indexer.log"
    with log.open("w") as out:
        indexer = subprocess.Popen(
            [sys.executable, "-m", "indexer", str(tmp_path / "corpus")],
            cwd=ROOT,
            env=env,
            stderr=out,
            stdout=out,
        )
        peak = 0.0
        while indexer.poll() is None:
            peak = max(peak, tree_rss_mb(indexer.pid))
            time.sleep(0.05)
    report = log.read_text()
    assert indexer.returncode == 1, report
    for name, reason in bad.items():
        line = next((x for x in report.splitlines() if "FAILED " in x and name in x), "")
        assert reason in line, (name, reason, report[-3000:])
    assert f"indexed {len(good)} of {len(good) + len(bad)} files" in report
    es.indices.refresh(index=fresh_settings.alias)
    documents = es.search(
        index=fresh_settings.alias, query={"term": {"kind": "document"}}, size=20
    )["hits"]["hits"]
    indexed = sorted(h["_source"]["source_file"] for h in documents)
    assert indexed == sorted(good)
    long_pdf = next(
        h["_source"] for h in documents if h["_source"]["source_file"].endswith("long.pdf")
    )
    assert long_pdf["pages"] == LONG_PDF_PAGES
    assert 0 < peak < MEMORY_BOUND_MB, f"peak {peak:.0f} MB"
