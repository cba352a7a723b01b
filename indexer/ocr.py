"""OCR of page images into words with their boxes and confidences.

Three engines sit behind one interface, so that they can be measured against each other
(bench/ocr.py, BENCHMARKS.md "OCR"):

- ``tesseract``: Tesseract 5 with ``chi_sim`` (Debian's tesseract-ocr, tesseract-ocr-chi-sim),
  run as its command line with TSV output, one thread per process (the workers are the
  parallelism; Tesseract's own threads only slow a busy machine down);
- ``rapidocr``: RapidOCR on onnxruntime, PP-OCR models from inside its wheel (no download);
- ``rapidocr-openvino``: the same models on Intel's OpenVINO runtime.

Before reading, a page is de-skewed (up to ±2°) and turned upright (a landscape table stored
sideways): see ``upright``.
"""

from __future__ import annotations

import bisect
import importlib
import importlib.util
import io
import math
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, cast

if TYPE_CHECKING:  # PIL is imported where a page is read by OCR: a run that reads no scan
    from PIL import Image  # (most, and every unchanged re-run) does not load it

from indexer.textnorm import join_pieces

# x0, top, x1, bottom: on an image in pixels, on a page in PDF points (top-left origin)
Box = tuple[float, float, float, float]

OCR_DPI = 150  # the resolution pages are rendered at to be read (BENCHMARKS.md, "OCR")
# A first reading with less than this share of confident characters may be sideways.
_UPRIGHT_CONFIDENCE = 0.6
_CONFIDENT = 0.5  # a character read with at least this confidence counts as read


class OcrError(Exception):
    """The engine could not read an image (it crashed, or is not installed)."""


@dataclass
class Word:
    text: str
    box: tuple[float, float, float, float]  # x0, top, x1, bottom, in the image's pixels
    confidence: float  # 0..1


@dataclass
class OcrPage:
    words: list[Word] = field(default_factory=list)
    angle: int = 0  # degrees the image was turned (clockwise) to read it
    rules: list[float] = field(default_factory=list)  # y of the horizontal lines drawn
    # the rotations that made the image read from the page's (upright, levelled), in order:
    # (degrees counter-clockwise, size before, size after), to map boxes back to the page
    turns: list[tuple[float, tuple[int, int], tuple[int, int]]] = field(default_factory=list)

    @property
    def chars(self) -> int:
        return sum(len(w.text) for w in self.words)

    @property
    def confidence(self) -> float:
        """Mean confidence per character."""
        if not self.chars:
            return 0.0
        return sum(w.confidence * len(w.text) for w in self.words) / self.chars

    @property
    def confident_chars(self) -> int:
        return sum(len(w.text) for w in self.words if w.confidence >= _CONFIDENT)

    @property
    def reads_well(self) -> bool:
        return bool(self.chars) and self.confident_chars >= _UPRIGHT_CONFIDENCE * self.chars

    @property
    def text(self) -> str:
        return "\n".join(text for text, _ in self.lines)

    @property
    def lines(self) -> list[tuple[str, Box]]:
        """The words as lines of text, in reading order, each with its box on the image read.
        A line's words far apart (more than ``_CELL_GAP`` character heights) are cells: runs
        of lines with several cells are a table, whose columns are found from the positions
        of its fullest rows, and are written tab-separated with empty cells kept, as the PDF
        extractor writes ruled tables. Misread separators in figures are put right."""
        rows = _ruled_rows(_lines(self.words), self.rules)
        out: list[tuple[str, Box]] = []
        start = 0
        while start < len(rows):
            end = start
            while end < len(rows) and len(rows[end]) >= 2:
                end += 1
            if end == start:
                out.append((rows[start][0].text, _row_box(rows[start])))
                start += 1
                continue
            out += _tabulate(rows[start:end])
            start = end
        return [(clean_figures(text), box) for text, box in out]

    def page_box(self, box: Box, dpi: int) -> Box:
        """A box on the image read, on the page as it is printed (PDF points, top-left origin):
        the page's rotations undone, corner by corner."""
        corners = [(box[0], box[1]), (box[2], box[1]), (box[0], box[3]), (box[2], box[3])]
        for degrees, before, after in reversed(self.turns):
            corners = [unturned(point, degrees, before, after) for point in corners]
        xs, ys = [x * 72 / dpi for x, _ in corners], [y * 72 / dpi for _, y in corners]
        return (min(xs), min(ys), max(xs), max(ys))


def unturned(
    point: tuple[float, float], degrees: float, before: tuple[int, int], after: tuple[int, int]
) -> tuple[float, float]:
    """Where a point of an image turned by PIL's ``rotate(degrees, expand=True)`` (about its
    centre, counter-clockwise as shown) was before the turn."""
    radians = math.radians(degrees)
    dx, dy = point[0] - after[0] / 2, point[1] - after[1] / 2
    return (
        before[0] / 2 + math.cos(radians) * dx - math.sin(radians) * dy,
        before[1] / 2 + math.sin(radians) * dx + math.cos(radians) * dy,
    )


def _row_box(cells: list[_Cell]) -> Box:
    return (
        min(c.x0 for c in cells),
        min(c.top for c in cells),
        max(c.x1 for c in cells),
        max(c.bottom for c in cells),
    )


@dataclass
class _Cell:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float

    @property
    def centre(self) -> float:
        return (self.x0 + self.x1) / 2


_CELL_GAP = 1.5  # character heights between two words of one line that make them two cells
_FIGURE_GAP = 0.3  # two figures side by side are two cells even closer than that
_FIGURE_END = re.compile(r"\d$")
_FIGURE_START = re.compile(r"^-?\d")


def _lines(words: list[Word]) -> list[list[Word]]:
    """Words whose boxes share most of their height, each line left to right."""
    lines: list[list[Word]] = []
    for word in sorted(words, key=lambda w: (w.box[1] + w.box[3]) / 2):
        line = lines[-1] if lines else None
        if line and _same_line(line[-1], word):
            line.append(word)
        else:
            lines.append([word])
    for line in lines:
        line.sort(key=lambda w: w.box[0])
    return lines


def _ruled_rows(lines: list[list[Word]], rules: list[float]) -> list[list[_Cell]]:
    """Each line's cells; lines between the same two drawn rules, close together, are one
    table row whose cells wrapped ("深圳市交通运输局（本" / "级）"): their cells are joined
    column by column where the table is laid out (_tabulate)."""
    rows: list[list[_Cell]] = []
    bands: list[int | None] = []
    heights = sorted(w.box[3] - w.box[1] for line in lines for w in line) or [1.0]
    line_height = heights[len(heights) // 2]
    for line in lines:
        centre = sum((w.box[1] + w.box[3]) / 2 for w in line) / len(line)
        at = bisect.bisect(rules, centre)
        inside = 0 < at < len(rules) and rules[at] - rules[at - 1] <= _ROW_LINES * line_height
        band = at if inside else None
        if band is not None and bands and bands[-1] == band:
            rows[-1] += _cells(line)
        else:
            rows.append(_cells(line))
        bands.append(band)
    return rows


_ROW_LINES = 5  # a table row's wrapped cells span at most this many lines of text


def _cells(line: list[Word]) -> list[_Cell]:
    cells = [_Cell(line[0].text, *_extent(line[0]))]
    for left, right in zip(line, line[1:], strict=False):
        height = max(1.0, left.box[3] - left.box[1])
        gap = right.box[0] - left.box[2]
        figures = _FIGURE_END.search(left.text) and _FIGURE_START.match(right.text)
        if gap > _CELL_GAP * height or (figures and gap > _FIGURE_GAP * height):
            cells.append(_Cell(right.text, *_extent(right)))
            continue
        cell = cells[-1]
        cell.text += (" " if gap > 0.8 * height else "") + right.text
        cell.x1 = right.box[2]
        cell.top, cell.bottom = min(cell.top, right.box[1]), max(cell.bottom, right.box[3])
    return cells


def _extent(word: Word) -> tuple[float, float, float, float]:
    """A word's x0, x1, top, bottom (a cell's fields)."""
    return word.box[0], word.box[2], word.box[1], word.box[3]


def _tabulate(rows: list[list[_Cell]]) -> list[tuple[str, Box]]:
    """Rows of cells placed in columns: the columns are the x-extents of the cells of the rows
    with the most cells (a header cell spanning several columns does not merge them); every
    cell goes to the column its centre falls in, or the nearest."""
    fullest = max(len(row) for row in rows)
    extents = sorted((c.x0, c.x1) for row in rows if len(row) == fullest for c in row)
    columns: list[list[float]] = []
    for x0, x1 in extents:
        if columns and x0 <= columns[-1][1]:
            columns[-1][1] = max(columns[-1][1], x1)
        else:
            columns.append([x0, x1])

    def column_of(cell: _Cell) -> int:
        def distance(column: list[float]) -> float:
            return max(column[0] - cell.centre, cell.centre - column[1], 0.0)

        return min(range(len(columns)), key=lambda i: distance(columns[i]))

    lines = []
    for row in rows:
        placed = [""] * len(columns)
        for cell in row:
            at = column_of(cell)
            placed[at] = join_pieces([placed[at], cell.text]) if placed[at] else cell.text
        lines.append(("\t".join(placed), _row_box(row)))
    return lines


def _same_line(a: Word, b: Word) -> bool:
    overlap = min(a.box[3], b.box[3]) - max(a.box[1], b.box[1])
    return overlap > 0.5 * min(a.box[3] - a.box[1], b.box[3] - b.box[1])


# A figure with its thousands grouped, as an engine may read its separators: commas read as
# points ("2.573.40", "20.871.880", "36,289.100": budgets print at most two decimals) or as a
# colon ("98,083:000"), with two decimals or none.
_GROUPED = re.compile(r"(?<![\d.,:;])\d{1,3}(?:[.,:;] ?\d{3})+(?:\.\d{1,2})?(?![\d.,:;])")
# Two figures of neighbouring cells read as one word: "14,902.37350,034.42".
_GLUED = re.compile(r"(?<=\.\d\d)(?=\d{1,3}(?:,\d{3})*\.\d\d(?!\d))")


def clean_figures(text: str) -> str:
    """The figures of a page's text with their misread separators put right."""
    return _GLUED.sub(" ", _GROUPED.sub(_grouped, text))


def _grouped(match: re.Match[str]) -> str:
    figure = match.group(0)
    decimals = re.search(r"\.\d{1,2}$", figure)
    whole = figure[: decimals.start()] if decimals else figure
    whole = whole.replace(" ", "")
    separators = re.findall(r"[.,:;]", whole)
    if len(separators) == 1 and not decimals and separators[0] != ",":
        return figure  # "3.141", "1:500": one separator alone may be what it says
    return re.sub(r"[.:;]", ",", whole) + (decimals.group(0) if decimals else "")


class Engine(Protocol):
    name: str

    def words(self, image: Image.Image, dpi: int | None = None) -> list[Word]: ...


class EngineClass(Protocol):
    """An engine's class: whether it is installed, and the engine it makes."""

    def installed(self) -> bool: ...

    def __call__(self) -> Engine: ...


class Tesseract:
    name = "tesseract"

    @staticmethod
    def installed() -> bool:
        if not shutil.which("tesseract"):
            return False
        listed = subprocess.run(
            ["tesseract", "--list-langs"], capture_output=True, text=True, check=False
        )
        return "chi_sim" in listed.stdout.split()

    def words(self, image: Image.Image, dpi: int | None = None) -> list[Word]:
        buffer = io.BytesIO()
        image.save(buffer, "PNG")
        command = ["tesseract", "stdin", "stdout", "-l", "chi_sim", "--psm", "3"]
        if dpi:
            command += ["--dpi", str(dpi)]
        env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
        try:
            done = subprocess.run(
                [*command, "tsv"], input=buffer.getvalue(), capture_output=True, env=env, check=True
            )
        except (OSError, subprocess.CalledProcessError) as exc:
            raise OcrError(f"tesseract failed: {exc}") from exc
        return _tsv_words(done.stdout.decode("utf-8", "replace"))


def _tsv_words(tsv: str) -> list[Word]:
    """Tesseract's TSV: level … left top width height conf text; level 5 rows are words."""
    words = []
    for row in tsv.splitlines()[1:]:
        cells = row.split("\t")
        if len(cells) < 12 or cells[0] != "5" or not cells[11].strip():
            continue
        left, top, width, height = (float(c) for c in cells[6:10])
        confidence = max(0.0, float(cells[10])) / 100
        words.append(Word(cells[11].strip(), (left, top, left + width, top + height), confidence))
    return words


class RapidOcr:
    """RapidOCR's PP-OCR models, run by onnxruntime."""

    name = "rapidocr"
    module = "rapidocr_onnxruntime"
    threads = {"intra_op_num_threads": 1, "inter_op_num_threads": 1}
    # one per process: loading the models takes a second
    _engines: dict[str, Callable[..., Any]] = {}

    @classmethod
    def installed(cls) -> bool:
        return importlib.util.find_spec(cls.module) is not None

    def __init__(self) -> None:
        """Loads the runtime and the models once per process; OcrError if they cannot be (a
        library OpenCV needs, such as libGL, is missing)."""
        if self.module not in self._engines:
            try:
                runtime = importlib.import_module(self.module)
            except (ImportError, OSError) as exc:
                raise OcrError(f"{self.module} cannot be loaded: {exc}") from exc
            self._engines[self.module] = runtime.RapidOCR(**self.threads)
        self._engine = self._engines[self.module]

    def words(self, image: Image.Image, dpi: int | None = None) -> list[Word]:
        import numpy

        # no per-line 180° classifier: the page is turned as a whole (upright), and a line
        # read upside down must read badly for that to choose right
        try:
            result, _ = self._engine(numpy.asarray(image.convert("RGB")), use_cls=False)
        except Exception as exc:  # noqa: BLE001 - the runtime's failure on one page
            raise OcrError(f"{self.name} failed: {type(exc).__name__}: {exc}") from exc
        words = []
        for points, text, score in result or []:
            xs, ys = [p[0] for p in points], [p[1] for p in points]
            box = (min(xs), min(ys), max(xs), max(ys))
            words.append(Word(text, box, float(score)))
        return words


class RapidOcrOpenVino(RapidOcr):
    """The same models run by Intel's OpenVINO runtime."""

    name = "rapidocr-openvino"
    module = "rapidocr_openvino"
    threads = {"inference_num_threads": 1}


def _sideways(page: OcrPage) -> bool:
    """Most words of several characters stand taller than wide: lines that run down the image
    (an engine that turns each line to read it still reads such a page in the wrong order)."""
    long = [w for w in page.words if len(w.text) >= 3]
    tall = [w for w in long if (w.box[3] - w.box[1]) > 1.5 * (w.box[2] - w.box[0])]
    return bool(long) and len(tall) > len(long) / 2


@dataclass(frozen=True)
class OcrOptions:
    """When pages are read by OCR, and with what.

    ``auto``: pages without a usable text layer (next to no text, or mostly characters no font
    maps: private-use, U+FFFD, ``(cid:…)``); ``off``: never; ``force``: every page."""

    mode: str = "auto"
    engine: str | None = None  # None: the first installed of PREFERRED
    page_seconds: float = 120.0

    def wants(self, text: str) -> bool:
        if self.mode == "force":
            return True
        return self.mode == "auto" and not usable_text(text)

    def load(self) -> Engine | None:
        """The engine, loaded in this process, or None if it is not installed or cannot be
        loaded."""
        names = [self.engine] if self.engine else list(PREFERRED)
        for name in names:
            if name in ENGINES and ENGINES[name].installed():
                try:
                    return ENGINES[name]()
                except OcrError:
                    continue
        return None

    def probe(self) -> str | None:
        """The name of the engine ``load`` would give, found in a child process: the indexer's
        workers fork from this one, which must not carry the OCR runtime (memory) into them.
        The child runs at the lowest priority, so that it takes no time from the workers."""
        code = (
            "from indexer.ocr import OcrOptions\n"
            f"engine = OcrOptions(engine={self.engine!r}).load()\n"
            "print(engine.name if engine else '')"
        )
        done = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
            preexec_fn=lambda: os.nice(19),
        )
        return done.stdout.strip() or None


MODES = ("auto", "off", "force")
MIN_TEXT_CHARS = 20  # fewer characters on a page: no real text layer (a scan, page numbers)
_GARBAGE = re.compile(r"[\ue000-\uf8ff\ufffd]|\(cid:\d+\)")


def usable_text(text: str) -> bool:
    """Whether a page's text layer can be read: enough characters, most of them mapped."""
    return len("".join(text.split())) >= MIN_TEXT_CHARS and not garbled(text)


def garbled(text: str) -> bool:
    """Whether many of the text's characters are ones no font maps (private-use, U+FFFD,
    ``(cid:…)``): the text layer is there but cannot be read."""
    chars = len("".join(text.split()))
    garbage = sum(len(m.group(0)) for m in _GARBAGE.finditer(text))
    return chars > 0 and garbage >= 0.3 * chars


ENGINES: dict[str, EngineClass] = {
    "tesseract": Tesseract,
    "rapidocr": RapidOcr,
    "rapidocr-openvino": RapidOcrOpenVino,
}


# The engines by measured accuracy on scans, then speed (BENCHMARKS.md, "OCR").
PREFERRED = ("rapidocr-openvino", "rapidocr", "tesseract")


def available_engines() -> list[str]:
    return [name for name, engine in ENGINES.items() if engine.installed()]


def upright(engine: Engine, image: Image.Image, dpi: int | None = None) -> OcrPage:
    """The page de-skewed, turned upright and read.

    Which way the lines run is read off the image (blank rows between lines of text, or blank
    columns when the page lies sideways), and the page is read that way first (sideways: turned
    both ways, keeping the reading with more confident characters). If no reading reads well
    (a page of one line, a dense table, a page upside down), the other ways are tried too.
    """
    image = _without_seal(image)
    rows, columns = _blank_share(image)
    if columns > rows + _CLEAR:
        first: tuple[int, ...] = (90, 270)
    elif rows > columns + _CLEAR:
        first = (0,)
    else:
        first = (0, 90, 270)  # a dense ruled table: its lines do not tell
    readings: dict[int, OcrPage] = {}
    levelled: dict[int, Image.Image] = {}  # the image each reading read

    def read(turns: tuple[int, ...]) -> OcrPage:
        for turn in turns:
            if turn not in readings:
                turned = image.rotate(-turn, expand=True) if turn else image
                levelled[turn], skew_degrees = _level(turned)
                steps = [
                    (-turn, image.size, turned.size),
                    (skew_degrees, turned.size, levelled[turn].size),
                ]
                readings[turn] = OcrPage(engine.words(levelled[turn], dpi), turn, turns=steps)
                if readings[turn].reads_well and not _sideways(readings[turn]):
                    break
        # a reading whose lines run down the image is the page lying sideways, however well
        # an engine that turns each line read them
        done = list(readings.values())
        upright_ones = [reading for reading in done if not _sideways(reading)] or done
        return max(upright_ones, key=lambda reading: reading.confident_chars)

    best = read(first)
    if not best.reads_well or _sideways(best):
        best = read((0, 90, 270, 180))
    best.rules = _horizontal_rules(levelled[best.angle])
    return best


def _horizontal_rules(image: Image.Image) -> list[float]:
    """The y of each line drawn across the page (ink over most of the width the page's ink
    spans; a line of text never covers half of it)."""
    from PIL.Image import Resampling

    ink = _binary(image.convert("L"))
    box = ink.getbbox()
    if not box:
        return []
    span = (box[2] - box[0]) / ink.width
    profile = _values(ink.resize((1, ink.height), Resampling.BOX))
    rules: list[list[int]] = []
    for y, value in enumerate(profile):
        if value / 255 >= _RULE * span:
            if rules and rules[-1][-1] == y - 1:
                rules[-1].append(y)
            else:
                rules.append([y])
    return [sum(run) / len(run) for run in rules]


_RULE = 0.7  # share of the ink's width a drawn line covers
_CLEAR = 0.1  # how much more blank one direction must be to tell which way the lines run
_INK = 96  # inverted grey level above which a pixel is ink (noise and a light scan are not)
_SKEW_STEPS = [x / 4 for x in range(-8, 9)]  # ±2°, by a quarter degree


def _values(image: Image.Image) -> tuple[float, ...]:
    """A one-band image's pixel values, row after row (Pillow types the many-band case too)."""
    return cast(tuple[float, ...], image.get_flattened_data())


def _without_seal(image: Image.Image) -> Image.Image:
    """The page in grey from its red channel: a red seal (印章) printed over the figures turns
    as light as the paper, black print stays black. The paper's grain is then made white
    (``white_paper``)."""
    grey = image.convert("RGB").getchannel("R") if image.mode not in ("L", "1") else image
    return white_paper(grey.convert("L")).convert("RGB")


_PAPER_SPREAD = 2  # grain down to this many standard deviations under the paper turns white


def white_paper(gray: Image.Image) -> Image.Image:
    """The page with the noise of its paper (a scan's grain, JPEG artefacts) turned white and
    its ink stretched to match. The paper is most of a page, so its grey is the median pixel
    and the lower quartile is still paper: median minus quartile is 0.674 standard deviations
    of its grain (as of a normal spread). A clean rendering is unchanged."""
    histogram = gray.histogram()
    median, quartile = _percentile(histogram, 0.5), _percentile(histogram, 0.25)
    white = median - _PAPER_SPREAD * (median - quartile) / 0.674
    if not 0 < white < 255:
        return gray
    return gray.point(lambda v: 255 if v >= white else round(v * 255 / white))


def _percentile(histogram: list[int], share: float) -> int:
    total, seen = sum(histogram), 0
    for value, count in enumerate(histogram):
        seen += count
        if seen >= share * total:
            return value
    return len(histogram) - 1


def _ink(image: Image.Image, width: int = 800) -> Image.Image:
    """The image as ink (255) on nothing (0), at most ``width`` pixels wide, cropped to its ink."""
    from PIL.Image import Resampling

    gray = image.convert("L")
    if gray.width > width:
        gray = gray.resize((width, round(gray.height * width / gray.width)), Resampling.BOX)
    ink = _binary(gray)
    box = ink.getbbox()
    return ink.crop(box) if box else ink


def _binary(gray: Image.Image) -> Image.Image:
    """A grey page as ink (255) on nothing (0)."""
    from PIL import ImageOps

    return ImageOps.invert(gray).point(lambda v: 255 if v > _INK else 0)


def _blank_share(image: Image.Image) -> tuple[float, float]:
    """The share of blank rows and of blank columns across the page's ink."""
    from PIL.Image import Resampling

    ink = _ink(image)
    rows = _values(ink.resize((1, ink.height), Resampling.BOX))
    columns = _values(ink.resize((ink.width, 1), Resampling.BOX))
    return (
        sum(1 for v in rows if v < 3) / max(1, len(rows)),
        sum(1 for v in columns if v < 3) / max(1, len(columns)),
    )


def _level(image: Image.Image) -> tuple[Image.Image, float]:
    """The image with its lines level, and the degrees it was turned for that."""
    from PIL.Image import Resampling

    angle = skew(image)
    if not angle:
        return image, 0.0
    return image.rotate(angle, resample=Resampling.BICUBIC, expand=True, fillcolor="white"), angle


def skew(image: Image.Image) -> float:
    """The small rotation (degrees, counter-clockwise) that makes the page's lines level: the
    one whose row profile is sharpest (lines of ink, gaps of nothing)."""
    from PIL.Image import Resampling

    ink = _ink(image)

    def sharpness(angle: float) -> float:
        turned = ink.rotate(angle, resample=Resampling.BILINEAR, expand=True) if angle else ink
        profile = _values(turned.resize((1, turned.height), Resampling.BOX))
        mean = sum(profile) / len(profile)
        return sum((v - mean) ** 2 for v in profile) / len(profile)

    return max(_SKEW_STEPS, key=sharpness)
