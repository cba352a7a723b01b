"""Indicators from 绩效目标表 whose target is printed over separate columns, read from blocks:
``指标名称 | 指标性质 | 指标值 | 计量单位`` (``保障窗口正常运行天数 | ≥ | 240 | 天``), the layout
of several cities' 部门整体 and project tables (DOMAIN.md, "Layouts that trip parsers").

The target is the operator, the value and the unit joined (``≥240天``), then parsed as any
target. Level columns (一级指标, 二级指标), where a table has them, carry their label down over
the rows a merged cell spans; a table listing several projects (项目名称 column) carries each
project's name down over its indicators; a project's own form names its project once.

The indicators a budget system exports as coded text in one cell (Guangdong's
``1-产出指标;11-数量指标;道路养护长度;实施周期指标值:47.1公里;年度指标值:47.1公里。``) are
read from any table row that holds them, with the row's project.

Tables whose target sits in one cell are read by indicators.py.
"""

import re

from indexer.parse.amounts import is_amount
from indexer.parse.blocks import Block, Row, Table, tables
from indexer.parse.indicators import Indicator
from indexer.parse.names import clean_name, has_letters
from indexer.parse.project_tables import PROJECT_COLUMN, form_name
from indexer.parse.targets import parse_target

_NAME = r"(?:三级指标|指标名称|指标内容|绩效指标名称)$"
_VALUE = r"(?:指标值|目标值|年度指标值|指标值\(.*\))$"
_OP = r"(?:指标性质|运算符号?|符号|比较符)$"
_UNIT = r"(?:计量单位|度量单位|指标单位)$"
_LEVEL1 = r"一级指标$"
_LEVEL2 = r"二级指标$"
_TABLES = ("部门整体支出绩效目标表", "项目支出绩效目标表")


_CODED = re.compile(
    r"\d-(?P<level1>[\u4e00-\u9fff]{2,8});\d{2,3}-(?P<level2>[\u4e00-\u9fff]{2,12});"
    r"(?P<name>[^;]{1,80});(?:实施周期指标值:[^;]*;)?年度指标值:(?P<target>.*?)"
    r"(?=。?\d{1,2}、\d-|。?$)"
)


def column_indicators(blocks: list[Block]) -> list[Indicator]:
    found: list[Indicator] = []
    for table in tables(blocks):
        if table.standard in _TABLES:
            found += _read(table)
    return found + coded_indicators(blocks)


def coded_indicators(blocks: list[Block]) -> list[Indicator]:
    """Coded indicators in any row, in a table or not: the row's first other cell that is
    not a figure names the project (项目 | 预算数 | 绩效目标)."""
    rows: list[tuple[list[str], int]] = []
    for block in blocks:
        if isinstance(block, Table):
            rows += [(r.cells, r.page) for r in block.rows]
        else:
            rows += [(line.cells, line.page) for line in block.lines]
    found = []
    for raw, page in rows:
        cells = [re.sub(r"\s+", "", c).replace("；", ";").replace("：", ":") for c in raw]
        for index, cell in enumerate(cells):
            matches = list(_CODED.finditer(cell))
            if not matches:
                continue
            others = [c for i, c in enumerate(cells) if i != index and c and not is_amount(c)]
            project = clean_name(others[0]) if others else None
            for match in matches:
                found.append(
                    Indicator(
                        name=match["name"],
                        target=parse_target(match["target"].rstrip("。"), match["name"]),
                        page=page,
                        level1=match["level1"],
                        level2=match["level2"],
                        project=project,
                    )
                )
    return found


_COLUMNS = (
    ("name", _NAME),
    ("value", _VALUE),
    ("op", _OP),
    ("unit", _UNIT),
    ("level1", _LEVEL1),
    ("level2", _LEVEL2),
    ("project", PROJECT_COLUMN),
)


def _read(table: Table) -> list[Indicator]:
    found: list[Indicator] = []
    carried: dict[str, str | None] = {"level1": None, "level2": None, "project": None}
    for number, (columns, rows) in enumerate(_runs(table)):
        # a column by its header's words only: the figures of a cell printed over the header
        # ("100计量。单位") are no part of its name
        words = [re.sub(r"[^\u4e00-\u9fff·()]", "", c) for c in columns]
        at = {
            key: next((i for i, w in enumerate(words) if re.search(pattern, w)), None)
            for key, pattern in _COLUMNS
        }
        if at["name"] is None or at["value"] is None or (at["op"] is None and at["unit"] is None):
            continue
        if number == 0 and at["project"] is None:
            carried["project"] = form_name(table)
        found += _read_rows(rows, at, carried)
    return found


def _read_rows(
    rows: list[Row], at: dict[str, int | None], carried: dict[str, str | None]
) -> list[Indicator]:
    found = []
    for row in rows:
        raw_cells = [re.sub(r"\s+", "", c) for c in row.cells]
        cells = {
            key: raw_cells[i] if i is not None and i < len(raw_cells) else ""
            for key, i in at.items()
        }
        for key in ("level1", "level2", "project"):
            if cells[key]:
                carried[key] = clean_name(cells[key]) if key == "project" else cells[key]
                if key == "level1":
                    carried["level2"] = None  # a new 一级 span starts its own 二级 labels
        name, value, op, unit = cells["name"], cells["value"], cells["op"], cells["unit"]
        if not name or not value or re.search(_NAME, name):
            continue
        if not has_letters(name):
            continue  # a stray line of figures (the last row again, a page number)
        raw = f"{op}{value}{unit if unit not in value else ''}"
        found.append(
            Indicator(
                name=name,
                target=parse_target(raw, name),
                page=row.page,
                level1=carried["level1"],
                level2=carried["level2"],
                project=carried["project"],
            )
        )
    return found


def _heads(cells: list[str]) -> bool:
    return any(re.search(_NAME, c) for c in cells) and any(re.search(_VALUE, c) for c in cells)


def _runs(table: Table) -> list[tuple[list[str], list[Row]]]:
    """The indicator columns' names and the rows under them: the table's header, then each
    row inside the table that heads indicators (a project's form: its name and money first,
    then 指标名称 | 指标性质 | 指标值 | 计量单位; or the header printed again on the next page,
    its columns laid out anew)."""
    width = max((len(r.cells) for r in table.rows), default=0)
    header = table.columns(width)
    runs: list[tuple[list[str], list[Row]]] = [(header, [])] if _heads(header) else []
    for row in table.rows:
        cells = [re.sub(r"\s+", "", c) for c in row.cells]
        if _heads(cells):
            runs.append((cells, []))
        elif runs:
            runs[-1][1].append(row)
    return runs
