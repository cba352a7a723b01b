"""A run's progress, a line per file as each is reported (cli.py's ingest)."""

import time

from indexer.bulk import FileOutcome


class Progress:
    """A line per file on stderr with the rate so far and the time left."""

    def __init__(self, total: int, out):
        self.total, self.out = total, out
        self.done = self.pages = self.ocr_pages = 0
        self.started = time.monotonic()

    def file(self, outcome: FileOutcome) -> None:
        self.done += 1
        self.pages += outcome.pages
        self.ocr_pages += outcome.ocr_pages
        elapsed = max(time.monotonic() - self.started, 1e-6)
        rate = self.done / elapsed
        eta = (self.total - self.done) / rate if rate else 0
        status = f"ERROR {outcome.error}" if outcome.error else f"{outcome.records} records"
        if outcome.ocr_pages:
            pages = "page" if outcome.ocr_pages == 1 else "pages"
            status += f" ({outcome.ocr_pages} {pages} by OCR)"
        if outcome.stale_removed:
            status += f" ({outcome.stale_removed} earlier records removed)"
        ocr = f", {self.ocr_pages} by OCR" if self.ocr_pages else ""
        print(
            f"[{self.done}/{self.total}] {outcome.source.name}: {status}  "
            f"({rate:.1f} files/s, {self.pages / elapsed:.1f} pages/s{ocr}, "
            f"ETA {int(eta // 60)}:{int(eta % 60):02d})",
            file=self.out,
            flush=True,
        )
