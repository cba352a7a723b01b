"""Lines into blocks: prose, or a table with its title, unit, header and rows.

    lines ──► blocks: Prose(lines) | Table(title, standard, unit, header, rows, pages)

A table starts at a title line (``表3 支出总表``, ``2026年部门收支总体情况表``, ``表一`` then a
title line) that is followed by what a table has: a unit line (``单位：万元``), header cells or
rows of figures. A contents page lists the same titles without any of that, so it stays prose.
A table printed without a title is introduced by a sentence and starts at its header
(``…重点项目绩效目标情况如下：`` then 项目名称 | 预算数 | 绩效目标). A table ends at the next title,
a heading of the text (第X部分 …), or a sentence, except a form (a 绩效目标表), whose cells hold
sentences. A table that runs onto the next page goes on there: the page's first lines are
rows, or repeat the title (with or without ``（续）``) and the header, which are not read twice.
Each table keeps its lines as printed too, for the readers of forms.

Each table knows its unit (元 or 万元, as its unit line prints it: ``scale`` turns its figures
into 万元) and the standard table of the national template it is (``standard``), recognised
by what its title says whatever the numbering or wording (DOMAIN.md, "Across the country"),
or by its header's columns where the title does not say.
The readers of projects, indicators and table rows take blocks from here instead of each
finding tables in lines on its own.
"""

import re
from dataclasses import dataclass, field

from indexer.parse.amounts import is_amount
from indexer.parse.lines import Line
from indexer.sections import clean_line, heading_level

# "表7 一般公共预算支出表", "表一", "五、一般公共预算…", "(十一)…": the numbering is dropped
# (a numeral never eats the 一 of 一般); a unit's code before a project's name is kept
# ("301007_…分局_…项目绩效目标表").
_TITLE = re.compile(
    r"^(?:(?:表\s*(?:\d+(?:-\d+)?|[一二三四五六七八九十]+(?!般))|[一二三四五六七八九十]+(?!般)"
    r"|\([一二三四五六七八九十]+\))\s*[:：.、]?\s*)?(?:\d{4}年度?)?"
    r"(?P<title>(?:\d+_?)?[^\d\s(（:：][^\s。;；]{1,50}?表)(?:\s*[(（](?:续|[^)）]{1,12})[)）])?$"
)
_QUALIFIER = re.compile(r"表\s+[^\s\d:：,，。]{1,6}$")
_NUMBER_ONLY = re.compile(r"^表\s*[\d一二三四五六七八九十]+(?:-\d+)?$")
_UNIT = re.compile(r"单位\s*[:：]\s*(万元|元)")
_META = re.compile(r"^(?:部门名称|单位名称|编制单位|编制部门|预算单位|部门)\s*[:：]|单位\s*[:：]")
_CONTINUED = re.compile(r"[(（]续[)）]|^续表")
_PROSE = re.compile(r"。|,[\u4e00-\u9fff]{4}")
_NOTE = re.compile(r"^(?:注|说明|备注)\s*[:：\d]")
# A numbering row under the header: "栏次 1 2 3", "** ** 1 2 3 4", "甲 乙 1 2"
_NUMBERING = re.compile(r"^(?:[*\s甲乙丙丁栏次序号]|\d{1,2}(?!\d))*$")
_LOOKAHEAD = 6  # lines after a title in which a table must show itself
_CODE_TITLE = re.compile(r"[^\d]{0,3}\d+表")  # "公开02表": a label beside the title, not one
# "2024年，本部门重点项目绩效目标情况如下：": a table's lead-in, its subject the table's title
_LEAD_IN = re.compile(r"(?:本部门|本单位)?(?P<title>[^,，。;；:：]{2,30}?)(?:情况)?如下[:：]?$")
_LEAD_IN_HEADER = 4  # lines after a lead-in that hold its header (wrapped: 项目名 / 称)
_FORMS = ("部门整体支出绩效目标表", "项目支出绩效目标表")

# The national template's tables (财政部 部门预算公开), from what their titles say; the first
# rule that matches names the table. Order matters: 基本支出 before 支出, 财政拨款 before 收支.
STANDARD_TABLES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern))
    for name, pattern in (
        ("部门整体支出绩效目标表", r"整体.{0,6}绩效目标"),
        ("项目支出绩效目标表", r"绩效(?:目标|表)"),
        ("财政拨款收支总表", r"财政拨款收支"),
        ("收支总表", r"收支(?:预算)?总(?:表|体)|收支预算(?:总)?表|财务收支"),
        ("收入总表", r"收入(?:预算)?总(?:表|体)|收入预算表"),
        ("“三公”经费支出表", r"三公"),
        ("政府性基金预算支出表", r"政府性基金"),
        ("国有资本经营预算支出表", r"国有资本经营"),
        ("机关运行经费表", r"机关运行经费"),
        ("政府采购预算表", r"政府采购"),
        ("一般公共预算基本支出表", r"基本支出"),
        ("一般公共预算项目支出表", r"一般公共预算项目支出"),
        ("项目支出表", r"项目(?:支出|预算)"),
        ("财政拨款支出表", r"财政拨款.{0,4}支出"),
        ("一般公共预算支出表", r"一般公共预算.{0,6}支出"),
        ("支出总表", r"支出(?:预算)?总(?:表|体)|支出预算表|本年支出"),
    )
)


# What a table's header says, for a title that names no standard table ("表3 2026年预算明细
# 表"); every pattern must match the header's column names. A 项目名称 column alone is no sign:
# transfer-payment and key-project tables have one too.
_STANDARD_HEADERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("“三公”经费支出表", (r"公务接待", r"公务用车")),
    ("收支总表", (r"^收入", r"^支出")),
    ("一般公共预算基本支出表", (r"科目|分类", r"人员经费|工资福利", r"公用经费|商品和服务")),
    ("支出总表", (r"科目|分类", r"基本支出", r"项目支出")),
    ("收入总表", (r"科目|分类", r"一般公共预算", r"事业收入|其他收入")),
    ("项目支出绩效目标表", (r"指标名称|三级指标", r"指标值|目标值")),
)


def standard_by_header(columns: list[str]) -> str | None:
    names = [re.sub(r"\s+", "", c) for c in columns if c]
    for name, patterns in _STANDARD_HEADERS:
        if all(any(re.search(p, c) for c in names) for p in patterns):
            return name
    return None


def standard_table(title: str) -> str | None:
    compact = re.sub(r"\s+", "", title)
    for name, pattern in STANDARD_TABLES:
        if pattern.search(compact):
            return name
    return None


@dataclass
class Row:
    cells: list[str]  # a ruled table's cells (empty ones kept: their place is a column)
    line: Line

    @property
    def page(self) -> int:
        return self.line.page


@dataclass
class Table:
    title: str  # the title, its numbering and a leading year left out
    standard: str | None  # the national template's name for it, if it is one of those
    unit: str | None  # 元 or 万元, as the table prints it
    header: list[list[str]] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    first_page: int = 0
    last_page: int = 0
    meta: list[str] = field(default_factory=list)  # 部门名称：… lines
    printed: str = ""  # the title lines as printed, numbering and year included
    lines: list[Line] = field(default_factory=list)  # every line under the title, in order
    introduced: bool = False  # printed without a title, after a lead-in sentence

    @property
    def is_form(self) -> bool:
        """A 绩效目标表 (or a table introduced as one): a form whose cells hold sentences."""
        return "绩效" in self.title or self.standard in _FORMS

    @property
    def scale(self) -> float:
        """What the table's figures are multiplied by to be 万元."""
        return 1 / 10000 if self.unit == "元" else 1.0

    def columns(self, width: int) -> list[str]:
        """A name per column: the header cells above it, stacked headers joined by "·"; a cell
        left empty under a spanning parent takes the parent's name."""
        names = [""] * width
        for level, row in enumerate(self.header):
            cells = row + [""] * (width - len(row))
            below = self.header[level + 1] if level + 1 < len(self.header) else []
            parent = ""
            for i in range(width):
                cell = cells[i]
                if cell:
                    parent = cell
                elif not (i < len(below) and below[i]):
                    parent = ""
                name = cell or (parent if i < len(below) and below[i] else "")
                if name:
                    names[i] = f"{names[i]}·{name}" if names[i] else name
        return names

    def column(self, pattern: str, width: int) -> int | None:
        """The first column whose name matches ``pattern``."""
        for i, name in enumerate(self.columns(width)):
            if re.search(pattern, name):
                return i
        return None


@dataclass
class Prose:
    lines: list[Line] = field(default_factory=list)


Block = Table | Prose


def cells_of(line: Line) -> list[str]:
    """A ruled row's cells, or a plain-text row's tokens with words rejoined
    ('机关事业单位 基本养老保险缴费支出 156.00' -> two cells)."""
    if line.is_tabbed:
        return line.cells
    tokens: list[str] = []
    for token in line.text.split():
        wordy = not is_amount(token) and not re.fullmatch(r"\[?\d{3,7}\]?", token)
        if tokens and wordy and not is_amount(tokens[-1]) and not _code(tokens[-1]):
            tokens[-1] += token
        else:
            tokens.append(token)
    return tokens


def _code(token: str) -> bool:
    return bool(re.fullmatch(r"\[?\d{3,7}\]?", token))


def has_figures(cells: list[str]) -> bool:
    return any(c and is_amount(c) and not re.fullmatch(r"(?:19|20)\d\d", c) for c in cells)


def _title_of(line: Line, following: Line | None) -> tuple[str, int] | None:
    """The table title a line is (and how many lines it takes: 表一 on its own line, then the
    title), or None."""
    if line.is_tabbed and len([c for c in line.cells if c]) != 1:
        return None
    # "…绩效目标表 一级项目": a qualifier printed in brackets that were drawn apart from it
    text = _QUALIFIER.sub("表", clean_line(line.text.replace("\t", " ")))
    text = re.sub(r"\s+", "", text)
    if _NUMBER_ONLY.match(text) and following is not None and not following.is_tabbed:
        joined = _title_of(Line(f"{text}：{following.text}", line.page), None)
        return (joined[0], 2) if joined else None
    if len(text) > 60 or is_amount(text) or _PROSE.search(text):
        return None
    match = _TITLE.match(text)
    if not match or _CODE_TITLE.fullmatch(match["title"]):
        return None
    return match["title"], 1


def join_wrapped_titles(lines: list[Line]) -> list[Line]:
    """A table title wrapped at the top of its page ("…机场公安综" / "合修缮改造项目绩效目标表")
    as one line: the first line of a page, short and no sentence, followed by a title line."""
    joined: list[Line] = []
    for line in lines:
        previous = joined[-1] if joined else None
        if (
            previous is not None
            and previous.page == line.page
            and not previous.is_tabbed
            and not line.is_tabbed
            and (len(joined) == 1 or joined[-2].page != line.page)
            and len(previous.text) <= 40
            and not _PROSE.search(previous.text)
            and not has_figures(cells_of(previous))
            and _title_of(previous, None) is None
            and (_title_of(line, None) is not None or len(line.text.strip()) <= 6)
            and _title_of(Line(previous.text + line.text.strip(), line.page), None) is not None
        ):
            joined[-1] = Line(previous.text + line.text.strip(), line.page)
            continue
        joined.append(line)
    return joined


def _shows_a_table(lines: list[Line], start: int) -> bool:
    """After a title: a unit or meta line, header cells, or figures, before any other title
    or sentence."""
    for line in lines[start : start + _LOOKAHEAD]:
        text = line.text
        if _UNIT.search(text) or _META.search(text) or line.is_tabbed:
            return True
        if _PROSE.search(text) or _title_of(line, None):
            return False
        if has_figures(cells_of(line)):
            return True
    return False


def _ends_table(table: Table, line: Line) -> bool:
    """A heading of the text ends a table; a sentence ends one too, unless the table is a form
    (its 年度目标 and 绩效目标 cells are sentences)."""
    if line.is_tabbed:
        return False
    text = clean_line(line.text)
    if _NOTE.match(text):
        return False
    if _PROSE.search(text) and not has_figures(cells_of(line)) and not table.is_form:
        return True
    return heading_level(text) in (0, 1)


def _lead_in(lines: list[Line], start: int) -> str | None:
    """A table printed without a title, introduced by a sentence (``…重点项目绩效目标情况如下：``)
    and headed by a 项目名称 (or 项目) column, perhaps wrapped: the sentence's subject is its
    title."""
    line = lines[start]
    if line.is_tabbed or "如下" not in line.text:  # spares the search on most lines
        return None
    match = _LEAD_IN.search(line.text)
    if not match:
        return None
    following = lines[start + 1 : start + 1 + _LEAD_IN_HEADER]
    joined = re.sub(r"\s+", "", "".join(x.text for x in following))
    if "项目名称" in joined or any(x.is_tabbed and "项目" in x.cells for x in following):
        return match["title"]
    return None


def to_blocks(lines: list[Line]) -> list[Block]:
    blocks: list[Block] = []
    table: Table | None = None
    i = 0
    while i < len(lines):
        line = lines[i]
        title = _title_of(line, lines[i + 1] if i + 1 < len(lines) else None)
        if title and _shows_a_table(lines, i + title[1]):
            name, size = title
            if table is not None and _continues(table, name, line):
                i += size  # the title repeated on the next page: the same table goes on
                continue
            printed = "".join(x.text for x in lines[i : i + size])
            table = Table(name, standard_table(name), None, first_page=line.page)
            table.printed = re.sub(r"\s+", "", printed)
            table.last_page = line.page
            blocks.append(table)
            i += size
            continue
        lead_in = _lead_in(lines, i)
        if lead_in:
            table = Table(lead_in, None, None, first_page=line.page, last_page=line.page)
            table.introduced = True
            table.printed = re.sub(r"\s+", "", line.text)
            blocks.append(table)
            i += 1
            continue
        if table is not None and _ends_table(table, line):
            table = None
        if table is None:
            if not blocks or not isinstance(blocks[-1], Prose):
                blocks.append(Prose())
            prose = blocks[-1]
            assert isinstance(prose, Prose)
            prose.lines.append(line)
            i += 1
            continue
        _add_line(table, line)
        i += 1
    for table in tables(blocks):
        if table.standard is None and table.header and not table.introduced:
            width = max((len(r.cells) for r in table.rows), default=0)
            table.standard = standard_by_header(table.columns(width))
    return blocks


def _continues(table: Table, title: str, line: Line) -> bool:
    return line.page > table.last_page and (
        title == table.title or bool(_CONTINUED.search(line.text))
    )


def _add_line(table: Table, line: Line) -> None:
    text = line.text
    table.lines.append(line)
    unit = _UNIT.search(text)
    if unit and table.unit is None:
        table.unit = unit.group(1)
    cells = cells_of(line)
    table.last_page = max(table.last_page, line.page)
    if len([c for c in cells if c]) <= 2 and _META.search(text) and not has_figures(cells):
        table.meta.append(text)
        return
    if has_figures(cells):
        table.rows.append(Row(cells, line))
        return
    if _NUMBERING.match(" ".join(c for c in cells if c)):
        return
    compact = [re.sub(r"\s+", "", c) for c in cells]  # "项 目" is 项目
    if not table.rows:
        if line.is_tabbed:
            table.header.append(compact)
        return
    if line.is_tabbed and compact in table.header:
        return  # the header repeated on the next page
    table.rows.append(Row(cells, line))  # a row without figures: a name, a category, a note


def tables(blocks: list[Block], standard: str | None = None) -> list[Table]:
    found = [b for b in blocks if isinstance(b, Table)]
    return [t for t in found if standard is None or t.standard == standard]
