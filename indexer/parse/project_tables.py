"""Projects from the national template's tables, read from blocks (blocks.py):

- a table with a 项目名称 column (项目支出表, or a 绩效目标表 that lists one project a row): each
  row a project, its amount from the first amount column (总计, 合计, 金额, 预算数 …), its unit
  from a 单位名称 column where there is one;
- a project's own 绩效目标表 printed as a form: ``项目名称 | X | 主管部门 | …`` then
  ``当年预算 | 88,197.35`` (or 资金总额, 年度资金总额, 本年预算 …).

Amounts are converted per table (元 or 万元). Rows that sum others (合计, 小计, 总计) are not
projects.
"""

import re

from indexer.parse.amounts import is_amount, parse_amount
from indexer.parse.blocks import Block, Table, tables
from indexer.parse.names import clean_name, has_letters
from indexer.parse.projects import Project, Source, named_unit

PROJECT_COLUMN = r"(?:^|·)项目名称$"  # a list's column of project names
_AMOUNT_COLUMN = r"总计|合计|金额|预算数|预算$|小计|资金总额|本年预算|当年预算|拨款"
_UNIT_COLUMN = r"(?:^|·)(?:单位名称|预算单位|资金使用单位)$"
_TOTALS = re.compile(r"^(?:合计|小计|总计|本年合计|共计)$|^[一二三四五六七八九十]+、")
_FORM_NAME = "项目名称"
# What stands beside 项目名称 in a list's header row, not a project's name
_HEADING = re.compile(r"名称|指标|^(?:总计|合计|金额|预算数|主管部门)")
_FORM_AMOUNT = re.compile(
    r"^(?:当年预算|本年预算|资金总额|年度资金总额|项目资金|预算金额|项目总额)"
)
_PROJECT_TABLES = ("项目支出表", "项目支出绩效目标表")


def table_projects(blocks: list[Block], units: list[str]) -> list[Project]:
    projects: list[Project] = []
    for table in tables(blocks):
        if table.standard not in _PROJECT_TABLES:
            continue
        # a form's 当年预算 (or …) has its figure beside it in the same row; a list's amount
        # columns are named in its header
        projects += _form_project(table, units) or _row_projects(table)
    return projects


def _row_projects(table: Table) -> list[Project]:
    width = max((len(r.cells) for r in table.rows), default=0)
    name_at = table.column(PROJECT_COLUMN, width)
    if name_at is None:
        return []
    columns = table.columns(width)
    amount_at = next(
        (i for i, c in enumerate(columns) if i > name_at and re.search(_AMOUNT_COLUMN, c)), None
    )
    unit_at = table.column(_UNIT_COLUMN, width)
    projects = []
    for row in table.rows:
        cells = row.cells + [""] * (width - len(row.cells))
        name = clean_name(re.sub(r"\s+", "", cells[name_at]))
        figures = [c for c in cells[name_at + 1 :] if c and is_amount(c)]
        at = cells[amount_at] if amount_at is not None else ""
        amount = at if at and is_amount(at) else (figures[0] if figures else None)
        if not name or amount is None or _TOTALS.search(name) or len(name) > 80:
            continue
        if not has_letters(name):
            continue
        value = round(parse_amount(amount) * table.scale, 2)
        unit = cells[unit_at].strip() or None if unit_at is not None else None
        projects.append(
            Project(
                name=name,
                amount_wan=value,
                page=row.page,
                unit=unit,
                sources=[Source("project_table", row.page, value)],
            )
        )
    return projects


# A title that names no project: the kind of table only ("2026年市级项目支出绩效目标表")
_GENERIC_TITLE = re.compile(
    r"^(?:\d{4}年度?)?(?:部门|单位|市级|区级|县级|本级)*(?:预算)?"
    r"(?:项目支出|重点项目|一般性项目|重点专项资金|专项资金|项目|整体支出)?"
    r"(?:预算)?绩效(?:目标)?(?:申报|自评)?表$"
)


_NUMBERING = re.compile(
    r"^(?:表\d+|表[一二三四五六七八九十]+|[一二三四五六七八九十]+、|\(\S{1,3}\))[:：.、]?"
)


def project_of_title(table: Table) -> str | None:
    """A project's own table names it in its title: "X项目绩效目标表" -> "X项目" (a year in
    the name kept: 2026年食堂食材…项目 is not 2025's)."""
    if _GENERIC_TITLE.match(table.title) or "整体" in table.title:
        return None
    printed = _NUMBERING.sub("", table.printed or table.title)
    printed = re.sub(r"[(（](?:续|[^)）]{1,12})[)）]$", "", printed)
    name = re.sub(r"(?:预算)?绩效(?:目标)?(?:申报)?表$", "", printed)
    return clean_name(name) if len(name) >= 2 else None


def form_name(table: Table) -> str | None:
    """The project a project's own form names beside 项目名称 (the first lines of a form hold
    no figure, so the table layer took them for its header)."""
    for cells in [*table.header, *(row.cells for row in table.rows)]:
        name = name_beside(cells)
        if name:
            return name
    return None


def name_beside(raw: list[str]) -> str | None:
    """The name in the cell after a 项目名称 cell, unless that is another heading."""
    cells = [re.sub(r"\s+", "", c) for c in raw]
    for i, cell in enumerate(cells):
        rest = [c for c in cells[i + 1 :] if c]
        if cell == _FORM_NAME and rest and not _HEADING.search(rest[0]):
            return clean_name(rest[0])
    return None


def _form_project(table: Table, units: list[str]) -> list[Project]:
    """One project's form: its name beside 项目名称, its amount beside 当年预算 (or …), its
    unit where a line above or in it names one of the document's units (项目实施单位 …)."""
    amount = unit = None
    page = table.first_page
    # the form's first lines hold no figure, so the table layer took them for its header
    lines = [(cells, table.first_page) for cells in table.header]
    lines += [(row.cells, row.page) for row in table.rows]
    for text in table.meta:
        unit = unit or named_unit(text, units)
    for raw, _ in lines[:8]:
        unit = unit or named_unit("\t".join(raw), units)
    for raw, at in lines:
        cells = [re.sub(r"\s+", "", c) for c in raw]
        for i, cell in enumerate(cells):
            rest = [c for c in cells[i + 1 :] if c]
            if _FORM_AMOUNT.match(cell) and amount is None:
                figure = next((c for c in rest if is_amount(c)), None)
                if figure:
                    amount, page = round(parse_amount(figure) * table.scale, 2), at
    name = form_name(table) or project_of_title(table)
    if not name or amount is None:
        return []
    source = Source("project_table", page, amount)
    return [Project(name=name, amount_wan=amount, page=page, unit=unit, sources=[source])]
