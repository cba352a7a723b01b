"""Rows of the standard budget tables (收支总表, 支出总表, 按功能/经济分类, 三公经费, 政府采购 …):
``2080505 机关事业单位基本养老保险缴费支出 156.00``, ``一、财政拨款 9,769.67``.

Each row keeps the table it is in (the last table title above it), its classification code
where it has one, its name and its figures, named by the header's columns where the table came
as cells. A row may hold two items side by side: the 收支总表 prints 收入 and 支出 in one row
(``一、财政拨款 9,769.67 一、一般公共服务支出 8,930.46``).

Tables of performance targets and of projects are read elsewhere (indicators.py, projects.py).
"""

import re
from dataclasses import dataclass, field

from indexer.parse.amounts import is_amount, parse_amount
from indexer.parse.lines import Line
from indexer.parse.names import clean_name
from indexer.sections import clean_line, heading_level

_TITLE = re.compile(
    r"^(?:表\s*[\d一二三四五六七八九十]+\s*[:：]?\s*)?(?:\d{4}年度?)?"
    r"(?P<title>[^\d\s(（]\S{1,40}?表)(?:\s*[(（]续[)）])?$"
)
# "编制部门:… 单位:元": figures in 元 are stored in 万元 like every other amount
_IN_YUAN = re.compile(r"单位\s*[:：]\s*元")
# Read elsewhere, or not budget figures
_OTHER_TABLES = re.compile(r"绩效|申报|项目支出总表|项目支出及其他支出|重点项目")
_CODE = re.compile(r"^\[?(\d{3,7})\]?$")
_CODE_AND_NAME = re.compile(r"^\[(\d{3,7})\]\s*(\S.*)$")  # Guangzhou: "[30107]绩效工资"
_HEADER_WORDS = re.compile(r"科目|项目|预算数|合计|小计|总计|单位|名称|金额|类别|款|项")
_PROSE = re.compile(r"。|,[\u4e00-\u9fff]")  # a sentence (text is NFKC: ，is ,)
_NOT_A_NAME = re.compile(r"^注|[。;；]|^单位[:：]|^部门名称")


@dataclass
class LineItem:
    table: str
    code: str | None
    name: str
    amounts: list[tuple[str, float]] = field(default_factory=list)
    page: int = 0


def find_line_items(lines: list[Line]) -> list[LineItem]:
    items: list[LineItem] = []
    table: str | None = None
    header: list[str] = []
    scale = 1.0
    for line in lines:
        text = clean_line(line.text)
        title = None if line.is_tabbed else _TITLE.match(re.sub(r"\s+", "", text))
        if title and not is_amount(text):
            name = title["title"]
            table = None if _OTHER_TABLES.search(name) else name
            header, scale = [], 1.0
            continue
        if _IN_YUAN.search(text):
            scale = 1 / 10000
        if table is None:
            continue
        if not line.is_tabbed and (
            _PROSE.search(text) or heading_level(clean_line(text)) in (0, 1)
        ):
            table = None  # prose or the next part: the table (or its contents entry) is over
            continue
        cells = line.cells if line.is_tabbed else _tokens(text)
        if not any(is_amount(c) and not re.fullmatch(r"\d{4}", c) for c in cells if c):
            if line.is_tabbed and _HEADER_WORDS.search(text) and not header:
                header = cells  # the first header row names the figures' columns
            continue
        for item in _items(cells, table, header if line.is_tabbed else [], line.page):
            item.amounts = [(column, round(value * scale, 6)) for column, value in item.amounts]
            items.append(item)
    return items


def _tokens(text: str) -> list[str]:
    """A flattened row's cells: its whitespace-separated tokens, Chinese words rejoined
    ('机关事业单位 基本养老保险缴费支出' stays one name)."""
    tokens: list[str] = []
    for token in text.split():
        text_like = not is_amount(token) and not _CODE.match(token)
        if tokens and text_like and not is_amount(tokens[-1]) and not _CODE.match(tokens[-1]):
            tokens[-1] += token
        else:
            tokens.append(token)
    return tokens


def _items(cells: list[str], table: str, header: list[str], page: int) -> list[LineItem]:
    """Items from one row: each run of [code] name figures… is one item."""
    items: list[LineItem] = []
    code: str | None = None
    name_parts: list[str] = []
    amounts: list[tuple[str, float]] = []

    def close() -> None:
        name = clean_name(" ".join(name_parts))
        if name and amounts and not _NOT_A_NAME.search(name) and len(name) <= 40:
            items.append(LineItem(table, code, name, list(amounts), page))

    last_text = -1
    for index, cell in enumerate(cells):
        if not cell:
            continue
        code_match, code_and_name = _CODE.match(cell), _CODE_AND_NAME.match(cell)
        if is_amount(cell) and not (code_match and not name_parts and not amounts and not code):
            column = header[index] if index < len(header) and header[index] else f"col{index + 1}"
            amounts.append((column, parse_amount(cell)))
            continue
        if amounts or (name_parts and index > last_text + 1):
            # a new item starts after the figures of the last one, or after an empty figure
            # cell ("2. 政府性基金 | | 三、社会保障和就业支出 | 380.81")
            close()
            code, name_parts, amounts = None, [], []
        last_text = index
        if code_and_name:
            code, name_parts = code_and_name.group(1), [code_and_name.group(2)]
        elif code_match and not name_parts:
            code = code_match.group(1)
        else:
            name_parts.append(cell)
    if amounts:
        close()
    return items
