"""Rows of the standard budget tables (收支总表, 支出总表, 按功能/经济分类, 三公经费, 政府采购 …):
``2080505 机关事业单位基本养老保险缴费支出 156.00``, ``一、财政拨款 9,769.67``.

Read from the tables of the table layer (blocks.py). Each row keeps its table's standard name
(the national template's, where the title says which; else the title) and printed title, its
classification code with its parent (the code's prefix in the same table: ``2010301`` under
``20103``), its name and its figures in 万元, named by the header's columns where the table came
as cells. A row may hold two items side by side: the 收支总表 prints 收入 and 支出 in one row
(``一、财政拨款 9,769.67 一、一般公共服务支出 8,930.46``).

Tables of performance targets and of projects are read elsewhere (indicators.py, projects.py).
"""

import re
from dataclasses import dataclass, field

from indexer.parse.amounts import is_amount, parse_amount
from indexer.parse.blocks import Block, Table, has_figures, tables
from indexer.parse.names import clean_name

# Read elsewhere (projects, indicators), or not budget figures
_OTHER_TABLES = ("项目支出绩效目标表", "部门整体支出绩效目标表")
_OTHER_TITLES = re.compile(r"绩效|申报|项目支出及其他支出|重点项目")
_CODE = re.compile(r"^\[?(\d{3,7})\]?$")
_CODE_AND_NAME = re.compile(r"^\[(\d{3,7})\]\s*(\S.*)$")  # Guangzhou: "[30107]绩效工资"
_NOT_A_NAME = re.compile(r"^注|[。;；]|^单位[:：]|^部门名称")


@dataclass
class LineItem:
    table: str
    code: str | None
    name: str
    amounts: list[tuple[str, float]] = field(default_factory=list)
    page: int = 0
    title: str = ""  # the table's title as printed
    parent_code: str | None = None


def find_line_items(blocks: list[Block]) -> list[LineItem]:
    items: list[LineItem] = []
    for table in tables(blocks):
        if table.standard in _OTHER_TABLES or _OTHER_TITLES.search(table.title):
            continue
        items += _table_items(table)
    return items


def _table_items(table: Table) -> list[LineItem]:
    width = max((len(r.cells) for r in table.rows), default=0)
    columns = table.columns(width) if table.header else []
    items: list[LineItem] = []
    codes: list[str] = []
    for row in table.rows:
        if not has_figures(row.cells):
            continue
        tabbed = row.line.is_tabbed
        name = table.standard or table.title
        for item in _items(row.cells, name, columns if tabbed else [], row.page):
            item.amounts = [(c, round(v * table.scale, 6)) for c, v in item.amounts]
            item.title = table.printed or table.title
            if item.code:
                item.parent_code = next(
                    (c for c in reversed(codes) if item.code.startswith(c) and c != item.code),
                    None,
                )
                codes.append(item.code)
            items.append(item)
    return items


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
