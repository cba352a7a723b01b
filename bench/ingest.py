"""``make bench-ingest``: ingest speed of each PDF path against pdfplumber alone, in one run.

    .venv/bin/python -m bench.ingest [FOLDER]   (default ../shared/realpdfs/shenzhen-2026)

On the same files, one process each unless said; the baseline and end to end in three pairs
(their medians and the median of the pairs' ratios), the rest once:
- pypdfium2's own text extraction, and pdfplumber's text extraction alone (the baseline);
- each reader's lines (characters, rulings, tables and text assembly: indexer.extract.pdf);
- end-to-end ingest with each reader into a fresh index (the indexer's command, its workers,
  parsing, segmenting and bulk-indexing included), and an unchanged re-run of it.

Prints a Markdown table (BENCHMARKS.md records it with the command and the machine).
"""

import os
import statistics
import sys
import time
import uuid
from pathlib import Path

import pypdfium2 as pdfium

from bench.run import indexer_run, pages_of, pdfplumber_only
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


def fresh_run(paths: list[Path], reader: str) -> tuple[float, float]:
    """Seconds of the indexer's command into a new index, and of an unchanged re-run of it."""
    settings = Settings(es_index_prefix=f"bench-ingest-{uuid.uuid4().hex[:8]}")
    try:
        first = indexer_run(paths, settings, "--pdf-reader", reader)[0]
        return first, indexer_run(paths, settings, "--pdf-reader", reader)[0]
    finally:
        drop_index(make_client(settings), settings)


ROUNDS = 3  # pairs of the baseline and end to end: the machine's speed drifts between runs


def main(argv: list[str]) -> None:
    folder = Path(argv[0]) if argv else DEFAULT
    paths = sorted(folder.rglob("*.pdf"))
    if not paths:
        sys.exit(f"no PDFs under {folder}")
    pages = pages_of(paths)
    workers = f"{os.cpu_count()} workers"
    fresh_run(paths, READERS[0])  # untimed: warms the node (its JIT) and the files' cache
    rounds = []
    for _ in range(ROUNDS):
        base = pdfplumber_only(paths)
        first, again = fresh_run(paths, READERS[0])
        rounds.append((base, first, again))
    base = statistics.median(b for b, _, _ in rounds)
    rows = [
        ("pypdfium2 text extraction alone (1 process)", timed(lambda: pypdfium2_text(paths))),
        ("pdfplumber text extraction alone (1 process): the baseline, median", base),
        (
            "lines by the pdfium reader (1 process)",
            timed(lambda: [pdfium_pages(p) for p in paths]),
        ),
        (
            "lines by the pdfplumber reader (1 process)",
            timed(lambda: [pdfplumber_pages(p) for p in paths]),
        ),
        (
            f"end-to-end ingest, pdfium reader, fresh index ({workers}), median",
            statistics.median(f for _, f, _ in rounds),
        ),
        ("unchanged re-run, pdfium reader, median", statistics.median(a for _, _, a in rounds)),
    ]
    first, again = fresh_run(paths, "pdfplumber")
    rows.append((f"end-to-end ingest, pdfplumber reader, fresh index ({workers})", first))
    rows.append((f"unchanged re-run, pdfplumber reader ({again / first:.1%} of the first)", again))
    print(f"{len(paths)} PDFs, {pages} pages, in {folder.name}\n")
    print(f"End to end (pdfium reader) against pdfplumber alone, {ROUNDS} rounds, each pair run")
    print("one after the other (after an untimed warm-up run):\n")
    print("| round | pdfplumber alone (s) | end to end (s) | × pdfplumber alone | re-run (s) |")
    print("| --- | --- | --- | --- | --- |")
    for n, (b, f, a) in enumerate(rounds, 1):
        print(f"| {n} | {b:.1f} | {f:.1f} | {b / f:.2f} | {a:.2f} ({a / f:.1%} of the first) |")
    ratio = statistics.median(b / f for b, f, _ in rounds)
    rerun = statistics.median(a / f for _, f, a in rounds)
    print(f"| median | | | **{ratio:.2f}** | **{rerun:.1%}** of the first |\n")
    print("| measure | seconds | pages/s | × pdfplumber alone (its median) |")
    print("| --- | --- | --- | --- |")
    for name, seconds in rows:
        print(f"| {name} | {seconds:.1f} | {pages / seconds:.1f} | {base / seconds:.2f} |")


if __name__ == "__main__":
    main(sys.argv[1:])
