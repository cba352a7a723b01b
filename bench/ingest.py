"""``make bench-ingest``: ingest speed of each PDF path against pdfplumber alone, in one run.

    .venv/bin/python -m bench.ingest [FOLDER]   (default ../shared/realpdfs/shenzhen-2026)

On the same files, one process each unless said:
- pypdfium2's own text extraction, and pdfplumber's text extraction alone (the baseline);
- each reader's lines (characters, rulings, tables and text assembly: indexer.extract.pdf);
- end-to-end ingest with each reader into a fresh index (the indexer's command, its workers,
  parsing, segmenting and bulk-indexing included), and an unchanged re-run of it.

Prints a Markdown table (BENCHMARKS.md records it with the command and the machine).
"""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pypdfium2 as pdfium

from bench.run import pages_of, pdfplumber_only
from indexer.admin import drop_index
from indexer.es import make_client
from indexer.extract import READERS
from indexer.extract.pdf import pdfium_pages, pdfplumber_pages
from indexer.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT.parent / "shared" / "realpdfs" / "shenzhen-2026"


def timed(work) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def pypdfium2_text(paths: list[Path]) -> None:
    for path in paths:
        document = pdfium.PdfDocument(path)
        for page in document:
            page.get_textpage().get_text_range()
        document.close()


def indexer_run(paths: list[Path], prefix: str, reader: str) -> float:
    """Wall-clock seconds of the indexer's command over the files (into ES_INDEX_PREFIX)."""
    env = {**os.environ, "ES_INDEX_PREFIX": prefix}
    command = [sys.executable, "-m", "indexer", *map(str, paths), "--pdf-reader", reader]
    started = time.perf_counter()
    subprocess.run(command, env=env, check=True, stderr=subprocess.DEVNULL, cwd=ROOT)
    return time.perf_counter() - started


def main(argv: list[str]) -> None:
    folder = Path(argv[0]) if argv else DEFAULT
    paths = sorted(folder.rglob("*.pdf"))
    if not paths:
        sys.exit(f"no PDFs under {folder}")
    pages = pages_of(paths)
    base = pdfplumber_only(paths)
    rows = [
        ("pypdfium2 text extraction alone (1 process)", timed(lambda: pypdfium2_text(paths))),
        ("pdfplumber text extraction alone (1 process): the baseline", base),
        (
            "lines by the pdfium reader (1 process)",
            timed(lambda: [pdfium_pages(p) for p in paths]),
        ),
        (
            "lines by the pdfplumber reader (1 process)",
            timed(lambda: [pdfplumber_pages(p) for p in paths]),
        ),
    ]
    for reader in READERS:
        settings = Settings(es_index_prefix=f"bench-ingest-{uuid.uuid4().hex[:8]}")
        try:
            first = indexer_run(paths, settings.es_index_prefix, reader)
            again = indexer_run(paths, settings.es_index_prefix, reader)
        finally:
            drop_index(make_client(settings), settings)
        rows.append(
            (f"end-to-end ingest, {reader} reader, fresh index ({os.cpu_count()} workers)", first)
        )
        rows.append(
            (f"unchanged re-run, {reader} reader ({again / first:.1%} of the first)", again)
        )
    print(f"{len(paths)} PDFs, {pages} pages, in {folder.name}\n")
    print("| measure | seconds | pages/s | × pdfplumber alone |")
    print("| --- | --- | --- | --- |")
    for name, seconds in rows:
        print(f"| {name} | {seconds:.1f} | {pages / seconds:.1f} | {base / seconds:.2f} |")


if __name__ == "__main__":
    main(sys.argv[1:])
