"""pdfplumber's table finder, text assembly and cropping, each done in fewer steps with the same
result as pdfplumber's own (``tests/test_layout.py`` compares them on every page of the
real PDFs). The pdfium reader uses them; the pdfplumber reader, the reference, does not.

The table finder's slowest step is finding the cells among the rulings' intersections.

pdfplumber looks, for each intersection, through every later intersection for those below and
to the right of it, and compares the rulings through two points by building sets of their boxes
again for each pair. Here the points below and to the right come from the point's column and
row, and each point's sets are built once.
"""

from collections.abc import Callable, Iterator
from itertools import groupby, pairwise
from operator import itemgetter
from typing import Any

from pdfplumber.page import Page
from pdfplumber.table import (
    Table,
    TableFinder,
    TableSettings,
    cells_to_tables,
    edges_to_intersections,
)
from pdfplumber.utils import clip_obj, obj_to_bbox
from pdfplumber.utils.text import LIGATURES

Point = tuple[float, float]
Bbox = tuple[float, float, float, float]


class FastTableFinder(TableFinder):
    """pdfplumber's TableFinder with its default settings, finding the cells below."""

    def __init__(self, page: Page):
        self.page, self.settings = page, TableSettings.resolve(None)
        self.edges = self.get_edges()
        self.intersections = edges_to_intersections(
            self.edges,
            self.settings.intersection_x_tolerance,
            self.settings.intersection_y_tolerance,
        )
        self.cells = intersections_to_cells(self.intersections)
        self.tables = [Table(page, group) for group in cells_to_tables(self.cells)]


def intersections_to_cells(intersections: dict) -> list[Bbox]:
    """pdfplumber's ``table.intersections_to_cells``: for each intersection in order, the
    smallest cell with it as the top-left corner whose four sides are drawn: the first point
    below it on a vertical ruling through both, and then the first point to its right on a
    horizontal ruling through both, whose corner opposite it is an intersection joined to both
    by rulings."""
    vertical = {p: {obj_to_bbox(e) for e in edges["v"]} for p, edges in intersections.items()}
    horizontal = {p: {obj_to_bbox(e) for e in edges["h"]} for p, edges in intersections.items()}
    points = sorted(intersections)
    column: dict[float, list[Point]] = {}  # each x's points, top to bottom
    row: dict[float, list[Point]] = {}  # each top's points, left to right
    for point in points:
        column.setdefault(point[0], []).append(point)
        row.setdefault(point[1], []).append(point)

    def cell(pt: Point) -> Bbox | None:
        x, top = pt
        below = [p for p in column[x] if p[1] > top]
        right = [p for p in row[top] if p[0] > x]
        for below_pt in below:
            if vertical[pt].isdisjoint(vertical[below_pt]):
                continue
            for right_pt in right:
                if horizontal[pt].isdisjoint(horizontal[right_pt]):
                    continue
                corner = (right_pt[0], below_pt[1])
                if (
                    corner in intersections
                    and not vertical[corner].isdisjoint(vertical[right_pt])
                    and not horizontal[corner].isdisjoint(horizontal[below_pt])
                ):
                    return (x, top, *corner)
        return None

    return [found for found in map(cell, points) if found]


def cell_text(chars: list[dict]) -> str:
    """pdfplumber's ``utils.extract_text(chars)`` with its default settings: the words
    (``_words``) grouped into lines by their tops, in the order of the tops, and joined with
    spaces and line breaks."""
    lines = _clusters(list(_words(chars)), itemgetter(0))
    return "\n".join(" ".join(text for _, text, _ in line) for line in lines)


def text_lines(chars: list[dict]) -> list[tuple[str, Bbox]]:
    """pdfplumber's ``chars_to_textmap(chars).extract_text_lines()`` with its default settings
    (no layout): the words (``_words``) grouped into lines by their tops, in the order the
    words come, each line with the box of its characters. A line of nothing but empty words is
    left out."""
    lines = []
    for line in _clusters(list(_words(chars)), itemgetter(0), keep_order=True):
        text = " ".join(word for _, word, _ in line).strip(" ")  # empty words space nothing
        if text:
            boxes = [c for _, _, word_chars in line for c in word_chars if c["text"]]
            box = (
                min(c["x0"] for c in boxes),
                min(c["top"] for c in boxes),
                max(c["x1"] for c in boxes),
                max(c["bottom"] for c in boxes),
            )
            lines.append((text, box))
    return lines


def _words(chars: list[dict]) -> Iterator[tuple[float, str, list[dict]]]:
    """pdfplumber's WordExtractor with its default settings: the words of ``chars`` (each its
    top, text and characters), in its order: characters grouped by uprightness, into lines (by
    top within 3 pt; turned text by x0), each line in reading order, cut into words at a space
    or a gap of more than 3 pt."""

    def word_of(word: list[dict]) -> tuple[float, str, list[dict]]:
        text = "".join(LIGATURES.get(c["text"], c["text"] or "") for c in word)
        return min(c["top"] for c in word), text, word

    in_line: Callable[[dict], Any]  # a line's reading order
    for upright, run in groupby(chars, key=itemgetter("upright")):
        if upright:
            lines = _clusters(list(run), itemgetter("top"))
            in_line = itemgetter("x0")
            across, along, end = "top", "x0", "x1"
        else:  # read top to bottom, its lines left to right
            lines = _clusters(list(run), itemgetter("x0"))
            in_line = itemgetter("top", "bottom")
            across, along, end = "x0", "top", "bottom"
        for line in lines:
            word: list[dict] = []
            for char in sorted(line, key=in_line):
                text = char["text"]
                if text.isspace() or text == "":
                    if word:
                        yield word_of(word)
                    if text == "":  # pdfplumber's split at punctuation, with none given
                        yield word_of([char])
                    word = []
                elif word and _begins_word(word[-1], char, across, along, end):
                    yield word_of(word)
                    word = [char]
                else:
                    word.append(char)
            if word:
                yield word_of(word)


_TOLERANCE = 3  # pdfplumber's default x and y tolerance, in points


def _begins_word(previous: dict, char: dict, across: str, along: str, end: str) -> bool:
    return (
        char[along] < previous[along]
        or char[along] > previous[end] + _TOLERANCE
        or abs(char[across] - previous[across]) > _TOLERANCE
    )


def _clusters(items: list, key, keep_order: bool = False) -> list[list]:
    """pdfplumber's ``cluster_objects``: items whose keys chain within the tolerance of each
    other, each group in the items' order; the groups in the order of their keys, or with
    ``keep_order`` (pdfplumber's ``preserve_order``) as the items come, a group split where
    another's items come between."""
    values = sorted({key(item) for item in items})
    if all(b <= a + _TOLERANCE for a, b in pairwise(values)):
        return [items] if items else []  # one group: the usual cell
    group_of: dict[float, int] = {}
    group, last = 0, values[0]
    for value in values:
        if value > last + _TOLERANCE:
            group += 1
        group_of[value], last = group, value
    ordered = items if keep_order else sorted(items, key=lambda item: group_of[key(item)])
    return [list(g) for _, g in groupby(ordered, key=lambda item: group_of[key(item)])]


def crop_chars(chars: list[dict], region: Bbox) -> list[dict]:
    """pdfplumber's ``crop_to_bbox(chars, region)``, without copying the characters wholly
    inside (their copies would equal them, as PdfiumPage makes a character's width and height
    from its box): the characters in the region, those across its edge cut to it."""
    left, top, right, bottom = region
    kept = []
    for char in chars:
        x0, x1, c_top, c_bottom = char["x0"], char["x1"], char["top"], char["bottom"]
        if c_bottom < top or c_top > bottom or x1 < left or x0 > right:
            continue  # no overlap
        if (
            left <= x0 <= x1 <= right
            and top <= c_top <= c_bottom <= bottom
            and x1 - x0 + c_bottom - c_top > 0
        ):
            kept.append(char)
        elif clipped := clip_obj(char, region):
            kept.append(clipped)
    return kept
