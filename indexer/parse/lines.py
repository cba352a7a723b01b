"""The document as lines with their pages, and the same text flattened for sentence patterns."""

import bisect
import re
from dataclasses import dataclass

from indexer.extract.base import Box, Page, union
from indexer.parse.amounts import is_amount

# "- 35 -", "35", and Quanzhou's letter-spaced "2 4": page numbers, not content.
_SPACES = re.compile(r"\s+")
_PAGE_NUMBER = re.compile(r"^(?:-\s*\d{1,3}\s*-|\d{1,3}|\d \d)$")


class Spot(int):
    """A 0-based page index (form feeds counted) that also knows the box, on its page, of the
    line it was read from: ``Line.page`` is one, so every record a parser makes from a line (a
    project's ``page=line.page``) carries the line's box along with its page."""

    box: Box | None

    def __new__(cls, page: int, box: Box | None = None) -> "Spot":
        spot = super().__new__(cls, page)
        spot.box = box
        return spot


@dataclass
class Line:
    text: str  # stripped; table cells separated by tabs
    page: int  # 0-based page index (form feeds counted): a Spot, with the line's box

    @property
    def cells(self) -> list[str]:
        """Tab-separated cells with the empty ones kept (their position is a column)."""
        return [_SPACES.sub(" ", cell).strip() for cell in self.text.split("\t")]

    @property
    def is_tabbed(self) -> bool:
        return "\t" in self.text


def document_lines(text: str, pages: list[Page] | None = None) -> list[Line]:
    """Non-blank lines, each with the page it is on (and its box there, from ``pages``, the
    extracted pages ``text`` joins); page numbers ("- 35 -", or a bare number next to a page
    break) dropped. Tabs are kept: a leading empty cell is a column."""
    raw_lines = text.split("\n")
    lines: list[Line] = []
    page = 0
    at = -1  # the line's index on its page
    for index, raw in enumerate(raw_lines):
        at += 1
        if raw == "\f":
            page, at = page + 1, -1
            continue
        stripped = raw.strip(" \u3000\r") if "\t" in raw else raw.strip()
        if not stripped.strip():
            continue
        if _PAGE_NUMBER.match(stripped.strip()) and (
            stripped.startswith("-") or _next_to_page_break(raw_lines, index)
        ):
            continue
        box = pages[page].box(at) if pages and page < len(pages) else None
        lines.append(Line(stripped, Spot(page, box)))
    return lines


def _next_to_page_break(lines: list[str], index: int) -> bool:
    def neighbour(step: int) -> str | None:
        at = index + step
        while 0 <= at < len(lines) and lines[at] != "\f" and not lines[at].strip():
            at += step
        return lines[at] if 0 <= at < len(lines) else None

    return "\f" in (neighbour(-1), neighbour(1)) or neighbour(1) is None


class Flat:
    """Lines joined without separators (a wrapped sentence reads whole), with each character's
    line and page still known."""

    def __init__(self, lines: list[Line]):
        self.lines = lines
        self.starts: list[int] = []
        parts = []
        offset = 0
        for line in lines:
            self.starts.append(offset)
            text = line.text.replace("\t", " ")
            parts.append(text)
            offset += len(text)
        self.text = "".join(parts)

    def line_index(self, offset: int) -> int:
        return max(0, bisect.bisect_right(self.starts, offset) - 1)

    def page_at(self, offset: int) -> int:
        return self.lines[self.line_index(offset)].page if self.lines else 0

    def spot(self, start: int, end: int) -> int:
        """The page of ``start``, with the box of the lines from ``start`` to ``end`` on it (a
        list item wrapped over several lines)."""
        if not self.lines:
            return 0
        first, last = self.line_index(start), self.line_index(max(start, end - 1))
        page = self.lines[first].page
        boxes = [
            line.page.box
            for line in self.lines[first : last + 1]
            if line.page == page and isinstance(line.page, Spot) and line.page.box
        ]
        return Spot(page, union(boxes))

    def at_line_start(self, offset: int) -> bool:
        index = bisect.bisect_left(self.starts, offset)
        return index < len(self.starts) and self.starts[index] == offset


def split_numbers(text: str) -> tuple[str, list[str]]:
    """'信息化运维项目 953.52 953.52 0.00' -> ('信息化运维项目', ['953.52', '953.52', '0.00']).

    Trailing figures only; a figure inside the name stays there.
    """
    tokens = text.split()
    numbers: list[str] = []
    while tokens and is_amount(tokens[-1]):
        numbers.insert(0, tokens.pop())
    return " ".join(tokens), numbers
