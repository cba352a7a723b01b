"""Narrative text into sections with their heading chain (第X部分 > 一、 > (一))."""

import re
from collections.abc import Iterator
from dataclasses import dataclass

from indexer.extract.base import Box, Page, union

_NUM = "一二三四五六七八九十"
# (level, pattern); text is NFKC-normalized, so （一） arrives as (一).
_HEADINGS = [
    (0, re.compile(rf"^[{_NUM}]+、\s*(文字部分|表格部分)$")),
    (1, re.compile(rf"^第[{_NUM}]+部分")),
    (2, re.compile(rf"^[{_NUM}]+、")),
    (3, re.compile(rf"^\(\s*[{_NUM}]+\s*\)")),
    (2, re.compile(rf"^表\s*[\d{_NUM}]+\s*\S")),
]
# Table rows look like headings ("一、财政拨款 9,769.67 …") but carry amounts or tab cells.
_NOT_HEADING = re.compile(r"[。,;:\t]|\d\.\d")
_MAX_HEADING_LEN = 40
_PAGE_NUMBER = re.compile(r"^\d{1,3}$")


@dataclass
class Section:
    title: str
    path: list[str]
    text: str
    position: int  # order of the section in the document
    page_index: int = 0  # 0-based page (form feeds counted) where the section starts
    bbox: Box | None = None  # its heading and lines on that page


def heading_level(line: str) -> int | None:
    """The heading level of a line, or None for body text.

    Headings are short, with no clause punctuation and no amounts: "(一)贯彻执行…," is a list
    item and "一、财政拨款 9,769.67" a table row.
    """
    if len(line) > _MAX_HEADING_LEN or _NOT_HEADING.search(line):
        return None
    for level, pattern in _HEADINGS:
        if pattern.match(line):
            return level
    return None


def clean_line(line: str) -> str:
    """Markdown-ish OCR output: '#### 一、部门职责' and '- (一)…' are plain lines to us."""
    line = line.strip()
    line = re.sub(r"^#+\s*", "", line)
    line = re.sub(r"^[-*]\s+", "", line)
    return re.sub(r"\s{2,}", " ", line)


def split_sections(text: str, pages: list[Page] | None = None) -> Iterator[Section]:
    """Yields the sections that have body text, each with the chain of headings above it (and
    the box of its lines on its first page, from ``pages``, the extracted pages ``text`` joins).

    Headings with nothing under them (a table of contents) yield nothing.
    """
    stack: list[tuple[int, str]] = []
    body: list[str] = []
    title = ""
    position = 0
    page_index = 0  # the page of the current line
    at = -1  # the current line's index on its page
    start_page = 0  # the page where the current section started
    boxes: list[Box] = []  # of the section's lines on its first page

    def flush() -> Section | None:
        content = "\n".join(body).strip()
        if not content:
            return None
        path = [t for _, t in stack]
        return Section(
            title=title or content.split("\n", 1)[0][:40],
            path=path,
            text=content,
            position=position,
            page_index=start_page,
            bbox=union(boxes),
        )

    def box() -> Box | None:
        return pages[page_index].box(at) if pages and page_index < len(pages) else None

    for raw in text.split("\n"):
        at += 1
        if raw == "\f":  # a page break (extract/base.py)
            page_index, at = page_index + 1, -1
            if not body:
                start_page, boxes = page_index, []
            continue
        line = clean_line(raw)
        level = heading_level(line) if line else None
        if level is None:
            if line and not _PAGE_NUMBER.match(line):
                body.append(line)
                if page_index == start_page and (line_box := box()):
                    boxes.append(line_box)
            continue
        section = flush()
        if section:
            yield section
            position += 1
        body = []
        start_page = page_index
        boxes = [b for b in (box(),) if b]
        if level == 1 and stack and stack[0][1].endswith("表格部分"):
            # The narrative parts never sit inside the tables part: that "二、表格部分" was
            # a line of the table of contents.
            stack.clear()
        while stack and stack[-1][0] >= level:
            stack.pop()
        stack.append((level, line))
        title = line
    section = flush()
    if section:
        yield section
