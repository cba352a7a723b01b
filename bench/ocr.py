"""``make bench-ocr``: OCR engines compared on scans made from text PDFs, whose text layer is
the truth (issue 12: choose the engine by measurement).

    .venv/bin/python -m bench.ocr [--pages 22] [--workers 2] [--engines tesseract,rapidocr]

Pages of the PDFs in ../shared (realpdfs and national, a few per city) are rendered with
PDFium and degraded as scans are:

- ``300``, ``150``, ``96``: clean renderings at that resolution;
- ``scan 150``, ``scan 96``: skewed by ±1°, with noise, JPEG artefacts and a red seal over
  the text;
- ``rotated 150``: the page turned 90° (a landscape table stored sideways), which the engine
  must turn back.

Each image is then resampled to ``OCR_DPI``, as the indexer renders a scanned page to read it.

Each engine reads every image (one thread per process, ``--workers`` processes, as the indexer
would run it). Scores against the page's text layer, after the indexer's own text
normalisation:

- Chinese character accuracy: the Han characters in common (as multisets, so that a table's
  cells read in another order are not errors) over the larger count, text layer or OCR;
- digit accuracy: the same on the digits only;
- amounts exact: the share of the text layer's amounts (``1,234.56``, ``12.50``) that the
  OCR text holds exactly (OCR spaces after separators are closed up, as the parser does);
- seconds per page: one worker's time to turn, level and read a page; and the throughput of
  ``--workers`` processes over all images (rendering included).
"""

import argparse
import io
import math
import re
import sys
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL import Image, ImageChops, ImageDraw

from indexer.ocr import ENGINES, OCR_DPI, Engine, available_engines, upright
from indexer.parse.amounts import NUMBER
from indexer.textnorm import normalize_text

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
VARIANTS = ("300", "150", "96", "scan 150", "scan 96", "rotated 150")
# an amount as budgets print them: thousands separated, or two decimals
_AMOUNT = re.compile(rf"(?<![\d.])(?:{NUMBER})(?![\d])")


def sample_pages(count: int) -> list[tuple[Path, int]]:
    """Two pages (near 30% and 70% of the document: prose and tables) of one PDF per folder of
    realpdfs and national, in a fixed order, up to ``count`` pages. Only pages without images:
    an image's text (a chart's labels) is not in the text layer, which is the truth here."""
    folders = sorted(p for p in (SHARED / "realpdfs").iterdir() if p.is_dir())
    folders += sorted(p for p in (SHARED / "national").iterdir() if p.is_dir())
    pages: list[tuple[Path, int]] = []
    for folder in folders:
        for path in sorted(folder.glob("*.pdf")):
            pdf = pdfium.PdfDocument(path)
            n = len(pdf)
            chosen = [_text_only(pdf, i) for i in (int(n * 0.3), int(n * 0.7))]
            chosen = [i for i in chosen if i is not None]
            pdf.close()
            if len(chosen) == 2:
                pages += [(path, i) for i in chosen]
                break  # one document per folder
    return pages[:count]


def _text_only(pdf: pdfium.PdfDocument, start: int) -> int | None:
    """The first page from ``start`` on with text (200 characters or more) and no image."""
    for index in range(start, min(start + 5, len(pdf))):
        images = list(pdf[index].get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,)))
        if not images and len(_truth(pdf, index)) > 200:
            return index
    return None


def _truth(pdf: pdfium.PdfDocument, index: int) -> str:
    return normalize_text(pdf[index].get_textpage().get_text_range())


def render(path: Path, index: int, variant: str, seed: int) -> Image.Image:
    dpi = int(variant.split()[-1])
    pdf = pdfium.PdfDocument(path)
    image = pdf[index].render(scale=dpi / 72).to_pil().convert("RGB")
    pdf.close()
    if variant.startswith("scan"):
        image = _scanned(image, seed)
    if variant.startswith("rotated"):
        image = image.rotate(90, expand=True)
    # the indexer renders a page to OCR at OCR_DPI, whatever its scan's resolution
    scale = OCR_DPI / dpi
    if scale != 1:
        size = (round(image.width * scale), round(image.height * scale))
        image = image.resize(size, Image.LANCZOS if scale < 1 else Image.BICUBIC)
    return image


def _scanned(image: Image.Image, seed: int) -> Image.Image:
    """Skew ±1°, a red seal over the text, noise and JPEG artefacts."""
    width, height = image.size
    # the seal is ink over the print, as a stamp is: drawn on white, multiplied in
    seal = Image.new("RGB", image.size, "white")
    draw = ImageDraw.Draw(seal)
    radius = int(width * 0.11)
    cx, cy = int(width * (0.55 + 0.2 * (seed % 2))), int(height * 0.45)
    ring = max(3, width // 150)
    red = (215, 40, 40)
    draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), outline=red, width=ring)
    star = [
        (
            cx + radius * 0.35 * math.cos(math.radians(a)),
            cy + radius * 0.35 * math.sin(math.radians(a)),
        )
        for a in range(-90, 630, 144)
    ]
    draw.polygon(star, fill=red)
    image = ImageChops.multiply(image, seal)
    image = image.rotate(
        1.0 if seed % 2 else -1.0, resample=Image.BICUBIC, expand=True, fillcolor="white"
    )
    # grey noise (σ 60 around mid-grey, as Image.effect_noise makes) from the page's seed, so
    # that every run measures the same scans
    grain = numpy.random.default_rng(seed).normal(128, 60, (image.height, image.width))
    noise = Image.fromarray(grain.clip(0, 255).astype("uint8")).convert("RGB")
    image = ImageChops.multiply(
        image, Image.blend(Image.new("RGB", image.size, "white"), noise, 0.25)
    )
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=40)
    return Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")


def accuracy(truth: str, got: str) -> float | None:
    """Characters in common (as multisets) over the longer of the two: a character missed or
    one too many both count. Order-free, as the OCR's reading order of a table's cells may
    rightly differ from the text layer's."""
    if not truth:
        return None
    common = sum((Counter(truth) & Counter(got)).values())
    return common / max(len(truth), len(got))


def amounts(text: str) -> Counter[str]:
    found = Counter()
    for match in _AMOUNT.finditer(text):
        figure = re.sub(r"\s", "", match.group(0))
        if "," in figure or re.search(r"\.\d\d$", figure):
            found[figure] += 1
    return found


def score(truth: str, got: str) -> dict[str, float | None]:
    got = normalize_text(got)
    han = lambda s: "".join(re.findall(r"[\u4e00-\u9fff]", s))  # noqa: E731
    digits = lambda s: "".join(re.findall(r"\d", s))  # noqa: E731
    want, have = amounts(truth), amounts(got)
    return {
        "han": accuracy(han(truth), han(got)),
        "digits": accuracy(digits(truth), digits(got)),
        "amounts": sum((want & have).values()) / sum(want.values()) if want else None,
        "amount_count": sum(want.values()),
    }


_ENGINE: Engine | None = None  # one per worker process, loaded once


def _load(engine_name: str) -> None:
    global _ENGINE
    _ENGINE = ENGINES[engine_name]()
    _ENGINE.words(Image.new("RGB", (200, 60), "white"))  # models loaded before the clock runs


def read_one(job: tuple[Path, int, str, int]) -> dict:
    path, index, variant, seed = job
    assert _ENGINE is not None
    image = render(path, index, variant, seed)
    started = time.perf_counter()
    page = upright(_ENGINE, image, OCR_DPI)
    seconds = time.perf_counter() - started
    pdf = pdfium.PdfDocument(path)
    truth = _truth(pdf, index)
    pdf.close()
    return {"variant": variant, "seconds": seconds, "angle": page.angle, **score(truth, page.text)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=22)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--engines", help="comma-separated (default: every one installed)")
    args = parser.parse_args(argv)
    if not SHARED.exists():
        print(f"no {SHARED}: the benchmark renders its PDFs", file=sys.stderr)
        return 2
    engines = [e for e in (args.engines or ",".join(available_engines())).split(",") if e]
    missing = [e for e in engines if e not in available_engines()]
    if missing:
        print(f"not installed: {', '.join(missing)}", file=sys.stderr)
        return 2
    pages = sample_pages(args.pages)
    print(f"{len(pages)} pages from {len({p for p, _ in pages})} PDFs", file=sys.stderr)
    jobs = [
        (path, index, variant, seed)
        for seed, (path, index) in enumerate(pages)
        for variant in VARIANTS
    ]
    rows, throughput = [], {}
    for engine in engines:
        started = time.perf_counter()
        with ProcessPoolExecutor(args.workers, initializer=_load, initargs=(engine,)) as pool:
            results = list(pool.map(read_one, jobs))
        throughput[engine] = (time.perf_counter() - started) / len(jobs)
        for variant in VARIANTS:
            rows.append(_summary(engine, variant, [r for r in results if r["variant"] == variant]))
            print(_row(rows[-1]), file=sys.stderr, flush=True)
    print(
        "| engine | scan | Chinese characters | digits | amounts exact | s/page, one worker |"
        "\n| --- | --- | --- | --- | --- | --- |"
    )
    for row in rows:
        print(_row(row))
    print()
    for engine, seconds in throughput.items():
        print(
            f"- {engine}: {seconds:.2f} s/page over all {len(jobs)} images with "
            f"{args.workers} workers in parallel (rendering included)"
        )
    return 0


def _summary(engine: str, variant: str, results: list[dict]) -> dict:
    def mean(key: str) -> float:
        values = [r[key] for r in results if r[key] is not None]
        return sum(values) / len(values) if values else float("nan")

    exact = sum(r["amounts"] * r["amount_count"] for r in results if r["amounts"] is not None)
    total = sum(r["amount_count"] for r in results)
    return {
        "engine": engine,
        "variant": variant,
        "han": mean("han"),
        "digits": mean("digits"),
        "amounts": exact / total if total else float("nan"),
        "amount_total": total,
        "per_page": mean("seconds"),
        "pages": len(results),
    }


def _row(row: dict) -> str:
    return (
        f"| {row['engine']} | {row['variant']} | {row['han']:.1%} | {row['digits']:.2%} | "
        f"{row['amounts']:.1%} (of {row['amount_total']}) | {row['per_page']:.2f} |"
    )


if __name__ == "__main__":
    sys.exit(main())
