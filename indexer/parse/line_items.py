"""Rows of the standard budget tables (收支总表, 支出总表, 按功能/经济分类 …) that carry a
classification code: ``2080505 机关事业单位基本养老保险缴费支出 156.00``.

Each row keeps the table it is in (the last table title above it), its code, its name and its
figures, named by the header's columns where the table came as cells.
"""

import re
from dataclasses import dataclass, field

from indexer.parse.amounts import is_amount, parse_amount
from indexer.parse.lines import Line, split_numbers
from indexer.parse.names import clean_name

_TITLE = re.compile(
    r"^(?:表\s*[\d一二三四五六七八九十]+\s*[:：]?\s*)?(?P<title>\S{2,30}?表)(?:\s*[(（]续[)）])?$"
)
_CODE = re.compile(r"^\[?(\d{3,7})\]?(?:\s+|(?=[^\d.,\s])|$)(\S.*)?$")
_FLAT_ROW = re.compile(r"^(\d{3,7})\s+(\S.*)$")


@dataclass
class LineItem:
    table: str
    code: str
    name: str
    amounts: list[tuple[str, float]] = field(default_factory=list)
    page: int = 0


def find_line_items(lines: list[Line]) -> list[LineItem]:
    items: list[LineItem] = []
    table = None
    header: list[str] = []
    for line in lines:
        text = line.text.strip()
        title = _TITLE.match(re.sub(r"\s+", "", text)) if not line.is_tabbed else None
        if title and not is_amount(text):
            table, header = title["title"], []
            continue
        if table is None:
            continue
        item = (
            _from_cells(line, table, header) if line.is_tabbed else _from_text(line, table, header)
        )
        if item:
            items.append(item)
        elif "科目名称" in text or "功能分类科目" in text:
            # the header naming the figures' columns (the first header row, where there are two)
            header = line.cells if line.is_tabbed else text.split()
    return items


def _from_cells(line: Line, table: str, header: list[str]) -> LineItem | None:
    cells = line.cells
    for index, cell in enumerate(cells):
        match = _CODE.match(cell)
        if not match or (is_amount(cell) and not re.fullmatch(r"\d{3,7}", cell)):
            continue
        name = match.group(2) or (cells[index + 1] if index + 1 < len(cells) else "")
        rest = cells[index + (1 if match.group(2) else 2) :]
        amounts = []
        for offset, value in enumerate(rest):
            if value and is_amount(value):
                column_index = len(cells) - len(rest) + offset
                column = (
                    header[column_index] if column_index < len(header) else f"col{column_index}"
                )
                amounts.append((column or f"col{column_index}", parse_amount(value)))
        if name and amounts and not is_amount(name):
            return LineItem(table, match.group(1), clean_name(name), amounts, line.page)
        return None
    return None


def _from_text(line: Line, table: str, header: list[str]) -> LineItem | None:
    match = _FLAT_ROW.match(line.text)
    if not match:
        return None
    name, numbers = split_numbers(match.group(2))
    if not name or not numbers or re.search(r"\d", name):
        return None
    # "预算单位 科目编码 科目名称 支出总计 基本支出 项目支出": figures follow 科目名称
    columns = header[header.index("科目名称") + 1 :] if "科目名称" in header else []
    if len(columns) != len(numbers):
        columns = [f"col{i + 1}" for i in range(len(numbers))]
    amounts = [(column, parse_amount(n)) for column, n in zip(columns, numbers, strict=True)]
    return LineItem(table, match.group(1), clean_name(name), amounts, line.page)
