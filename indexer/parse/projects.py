"""Projects with their amounts, from every place a budget names them.

- the 项目支出 list of 第三部分: ``1.信息化运维项目 953.52 万元,主要包括:…``, with the sub-items
  its text names with an amount (``一是电子政务运行维护 3404.48 万元``); one list per unit;
- the 年度主要任务 rows of the 整体支出绩效目标表 (task name, content, 总额 …);
- the 重点项目 table of 第七部分 (unit, project, 预算数, 绩效目标);
- the rows of the 项目支出总表 (and Guangzhou's 项目支出及其他支出预算表);
- a 上海 project's 经费情况说明 (``项目总预算1720.00万``);
- project tables and project-level 绩效目标表 (project_tables.py).

The tables among these are read from the table layer's blocks (blocks.py), the lists and
notes from the text.

The same project found in several places becomes one Project that lists its sources.
"""

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from indexer.model import Change
from indexer.parse.amounts import NUMBER, find_change, is_amount, parse_amount
from indexer.parse.blocks import Block, tables, to_blocks
from indexer.parse.lines import Flat, Line, split_numbers
from indexer.parse.names import clean_name, has_letters, normalize_name
from indexer.sections import clean_line, heading_level
from indexer.textnorm import join_pieces


@dataclass
class Source:
    """One place a project is named (model.Source once the page index is a page number)."""

    kind: str  # list | task | key_project | summary_table | project_table | project_note
    page: int  # 0-based page index
    amount_wan: float | None


@dataclass
class Project:
    name: str
    amount_wan: float | None
    page: int
    unit: str | None = None
    parent: str | None = None
    description: str = ""
    change: Change | None = None
    sources: list[Source] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, str, str, tuple[str, ...]]:
        """Unit, parent, normalized name, and the years the name gives: within one document
        '2025年SM信息化运维项目' and '2026年SM信息化运维项目' are two projects."""
        years = tuple(re.findall(r"20\d\d", self.name))
        return (self.unit or "", self.parent or "", normalize_name(self.name), years)


# A name: no clause punctuation; digits only as part of a word (12345热线, 4G, (2024)).
_NAME = r"(?:[^\s\d,，。;；:：、]|\d+(?=\s?[^\d.,\s万])| (?=\S))+?"
_LIST_START = re.compile(rf"项目支出\s*({NUMBER})\s*万元[^。]{{0,6}}?(?:具体|主要)(?:包括|如下)")
_SUB_ITEM = re.compile(
    rf"(?:^|(?<=[,，;；:：、。])|(?<=万元)|[一二三四五六七八九十]是|用于|包括|包含|其中)\s*({_NAME})\s*({NUMBER})\s*万(?:元|(?![\u4e00-\u9fff]))"
)
_LEADING_WORDS = re.compile(
    r"^(?:[一二三四五六七八九十]是|主要用于|主要包括|主要是|用于|包括|包含|其中|以及|及|和|与|含|为)+"
)
_NOT_A_NAME = re.compile(
    r"原因|增加|减少|增长|下降|持平|^[较比]|合计|共计|总计|小计|预算|^年|^\d+年?$"
)
_MAX_NAME = 60


# A numbered item's name sits between its number and its amount, so it may hold a 、
# (发展规划、计划与实施业务), which separates sub-items elsewhere.
_ITEM_NAME = _NAME.replace(":：、]", ":：]")


def _item_pattern(number: int) -> re.Pattern[str]:
    return re.compile(rf"(?<![\d.]){number}\s*[.、．]\s*({_ITEM_NAME})\s*({NUMBER})\s*万元")


def _good_name(name: str) -> bool:
    if name[:1].isdigit() and not re.match(r"20\d\d年", name):
        return False  # "4台台式计算机共 2.4 万元" counts items; "2023年…" is a year tag
    return 1 < len(name) <= _MAX_NAME and not _NOT_A_NAME.search(name)


def _list_end(flat: Flat, start: int) -> int:
    """Where a 项目支出 list ends: the next heading line (第四部分, 二、, (五) …)."""
    for index in range(flat.line_index(start) + 1, len(flat.lines)):
        text = clean_line(flat.lines[index].text)
        if heading_level(text) is not None or re.match(r"^[(（][一二三四五六七八九十]+[)）]", text):
            return flat.starts[index]
    return len(flat.text)


def _unit_before(flat: Flat, offset: int, units: list[str]) -> str | None:
    """The unit whose name was last written before offset (002 lists projects unit by unit)."""
    best, best_at = None, -1
    for unit in units:
        at = flat.text.rfind(unit, 0, offset)
        if at > best_at:
            best, best_at = unit, at
    return best


_SINGLE_ITEM = re.compile(rf"[:：]?\s*({_ITEM_NAME})\s*({NUMBER})\s*万元")
TOLERANCE_WAN = 0.1  # rounding (尾数误差) allows a few 0.01


def list_projects(flat: Flat, units: list[str]) -> tuple[list[Project], list[str]]:
    """The numbered 项目支出 lists and the sub-items named in each item's text.

    A list with one project may leave it unnumbered ("具体包括:工程管理 1,421.35 万元,…").
    The items of each list must add up to the 项目支出 it states; where they do not, a
    warning says so (an item the parser missed, or a document that does not add up).
    """
    projects: list[Project] = []
    warnings: list[str] = []
    for start_match in _LIST_START.finditer(flat.text):
        start, end = start_match.end(), _list_end(flat, start_match.end())
        unit = _unit_before(flat, start_match.start(), units) if len(units) > 1 else None
        items = []
        number, position = 1, start
        while match := _item_pattern(number).search(flat.text, position, end):
            items.append(match)
            number, position = number + 1, match.end()
        if not items and (single := _SINGLE_ITEM.match(flat.text, start, end)):
            items.append(single)
        for index, match in enumerate(items):
            body_end = items[index + 1].start() if index + 1 < len(items) else end
            body = flat.text[match.end() : body_end]
            name = clean_name(_LEADING_WORDS.sub("", match.group(1)))
            project = Project(
                name=name,
                amount_wan=parse_amount(match.group(2)),
                page=flat.spot(match.start(), body_end),
                unit=unit,
                description=clean_name(body),
                change=find_change(body),
            )
            projects.append(project)
            projects.extend(_sub_items(flat, project, body, match.end()))
        stated = parse_amount(start_match.group(1))
        listed = sum(parse_amount(m.group(2)) for m in items)
        if abs(listed - stated) > TOLERANCE_WAN:
            where = f" ({unit})" if unit else ""
            warnings.append(
                f"项目支出{where}: the listed projects add up to {listed:.2f} 万元, "
                f"the text states {stated:.2f} 万元"
            )
    return projects, warnings


def _sub_items(flat: Flat, parent: Project, body: str, offset: int) -> list[Project]:
    subs = []
    for match in _SUB_ITEM.finditer(body):
        start = match.start(1)
        if body[:start].rstrip().endswith("、"):
            # "秀峰、横岗、塘背收费站运营管理费用 1,487.40 万元": one item whose name lists
            # places; back to the clause start unless an amount lies between
            clause = max(body.rfind(d, 0, start) for d in ",，;；:：。") + 1
            if "万" not in body[clause:start]:
                start = clause
        name = clean_name(_LEADING_WORDS.sub("", body[start : match.end(1)].strip()))
        if not _good_name(name):
            continue
        sentence_end = body.find("。", match.end())
        subs.append(
            Project(
                name=name,
                amount_wan=parse_amount(match.group(2)),
                page=flat.spot(offset + start, offset + match.end()),
                unit=parent.unit,
                parent=parent.name,
                description=clean_name(body[start : sentence_end if sentence_end > 0 else None]),
            )
        )
    return subs


# ---- tables -------------------------------------------------------------------------------

_TASK_HEADER = "预算金额(万元)总额其中:财政拨款其中:其他资金主要内容任务名称年度主要任务"
_CONTENT_START = re.compile(r"^(?:主要|用于|开展|保障|负责|承担|应付|人员经费|在编|\d+[.、])")
_NOT_A_PROJECT = re.compile(r"^基本支出|^金额合计|^合计|^总计|^小计")


def _is_header_fragment(text: str) -> bool:
    compacted = re.sub(r"\s+", "", text).replace("：", ":").replace("（", "(").replace("）", ")")
    return bool(compacted) and compacted in _TASK_HEADER


def task_projects(blocks: list[Block], units: list[str]) -> list[Project]:
    """年度主要任务 rows of a 部门整体支出绩效目标表: from the line naming 任务名称 to 金额合计."""
    projects: list[Project] = []
    for table in tables(blocks, "部门整体支出绩效目标表"):
        unit = None
        inside = False
        pending: list[Line] = []
        for line in table.lines:
            text = line.text
            if not inside:
                unit = named_unit(text, units) or unit
                if "任务名称" in text:
                    inside, pending = True, []
                continue
            if "金额合计" in text or "年度总体目标" in text or "一级指标" in text:
                break
            if line.is_tabbed:
                project = _task_from_cells(line)
            else:
                if _is_header_fragment(text) or text in ("年度主要任务", "年度主要", "任务"):
                    continue
                pending.append(line)
                name_part, numbers = split_numbers(text)
                if len(numbers) < 2:
                    continue
                project = _task_from_lines(pending, name_part)
                pending = []
            if project and not _NOT_A_PROJECT.match(project.name):
                project.unit = unit if len(units) > 1 else None
                projects.append(project)
    return projects


def named_unit(text: str, units: list[str]) -> str | None:
    """The unit a table heading line names ('部门(单位)名称 X', '项目实施单位 X'); X may omit
    its (本级). The 主管部门 named on the same line is the supervisor, not the unit."""
    if len(units) < 2 or not any(k in text for k in ("名称", "单位")):
        return None
    compacted = re.sub(r"\s+", "", text).split("主管部门")[0]
    found = []
    for unit in units:
        at = compacted.find(unit)
        if at < 0:
            at = compacted.find(unit.removesuffix("(本级)"))
        if at >= 0:
            found.append((at, -len(unit), unit))
    return min(found)[2] if found else None


def _task_from_cells(line: Line) -> Project | None:
    cells = [c for c in line.cells if c]
    numbers: list[str] = []
    while cells and is_amount(cells[-1]):
        numbers.insert(0, cells.pop())
    if not numbers or not cells:
        return None
    # [garbled label,] name, content: the name is the cell before the content
    name = cells[-2] if len(cells) >= 2 else cells[0]
    return Project(
        name=clean_name(name),
        amount_wan=parse_amount(numbers[0]),
        page=line.page,
        description=cells[-1] if len(cells) >= 2 else "",
        sources=[Source("task", line.page, parse_amount(numbers[0]))],
    )


def _task_from_lines(rows: list[Line], last_text: str) -> Project | None:
    """A wrapped task row: name lines (short, no punctuation), then content, then figures."""
    texts = [r.text for r in rows[:-1]] + ([last_text] if last_text else [])
    _, numbers = split_numbers(rows[-1].text)
    if not texts:
        return None
    first = texts[0]
    if " " in first and not _CONTENT_START.match(first):
        name, content = first.split(" ", 1)[0], [first.split(" ", 1)[1], *texts[1:]]
    else:
        name_parts = []
        for text in texts:
            if len(text) > 10 or re.search(r"[,，。;；、]", text) or _CONTENT_START.match(text):
                break
            name_parts.append(text)
        if not name_parts:
            return None
        name, content = join_pieces(name_parts), texts[len(name_parts) :]
    amount = parse_amount(numbers[0])
    return Project(
        name=clean_name(name),
        amount_wan=amount,
        page=rows[0].page,
        description=clean_name(join_pieces(content)),
        sources=[Source("task", rows[0].page, amount)],
    )


_KEY_ROW = re.compile(rf"^({_NAME})\s+({NUMBER})(?:\s+(.*))?$")


def key_projects(blocks: list[Block], units: list[str]) -> list[Project]:
    """The 重点项目 table of 第七部分 (printed without a title, after "…重点项目绩效目标情况如
    下："): project, 预算数, 绩效目标 (and the unit, in newer ones)."""
    projects: list[Project] = []
    for table in tables(blocks):
        if table.standard is None and "重点项目" in table.title:
            projects += _key_rows(table.lines, units)
    return projects


def _key_rows(lines: list[Line], units: list[str]) -> list[Project]:
    projects: list[Project] = []
    columns: dict[str, int] = {}
    name_parts: list[str] = []
    row_may_start = True
    for line in lines:
        text = line.text
        if heading_level(clean_line(text)) == 2 and not line.is_tabbed:
            break  # the next part of 第七部分 (二、…)
        if line.is_tabbed:
            cells = line.cells
            if any("项目名称" in c or c == "项目" for c in cells):
                columns = {
                    "name": next(i for i, c in enumerate(cells) if "项目名称" in c or c == "项目"),
                    "amount": next(
                        (i for i, c in enumerate(cells) if "预算" in c and "名称" not in c), -1
                    ),
                    "unit": next((i for i, c in enumerate(cells) if "单位名称" in c), -1),
                }
                continue
            if not columns or columns["amount"] < 0 or len(cells) <= columns["amount"]:
                continue
            name, amount = cells[columns["name"]], cells[columns["amount"]]
            if not name or not is_amount(amount):
                continue  # a goal carried over from the previous page
            unit = cells[columns["unit"]] if columns["unit"] >= 0 else None
            projects.append(_key_project(name, amount, line.page, unit, units))
            continue
        # flattened: "名称 预算数 绩效目标…" starting after a finished sentence, or a name
        # wrapped a few characters a line (003) above a line holding only the amount
        match = _KEY_ROW.match(text)
        accepted = False
        if is_amount(text) and name_parts:
            projects.append(_key_project(join_pieces(name_parts), text, line.page, None, units))
            accepted = True
        elif match and row_may_start and not re.search(r"[,，。;；:：、]", match.group(1)):
            projects.append(_key_project(match.group(1), match.group(2), line.page, None, units))
            accepted = True
        short = len(text) <= 6 and not re.search(
            r"[\d,，。;；:：、()（）]|绩效|预算|名称|万元", text
        )
        name_parts = [*name_parts, text] if short else []
        row_may_start = accepted or text.endswith(("。", "绩效目标"))
    return projects


def _key_project(name: str, amount: str, page: int, unit: str | None, units: list[str]) -> Project:
    value = parse_amount(amount)
    unit = clean_name(unit) if unit else None
    return Project(
        name=clean_name(name),
        amount_wan=value,
        page=page,
        unit=unit if unit in units and len(units) > 1 else None,
        sources=[Source("key_project", page, value)],
    )


# 支出项目类别 rows that group projects rather than name one
_CATEGORIES = {"合计", "总计", "一般性项目", "履职类项目"}
_SUMMARY_TITLE = re.compile(
    r"^(?:表\s*\S{1,3}[:：]?\s*)?(?:部门预算)?项目支出(?:及其他支出)?(?:预算)?总?表$"
)
_ORG_END = re.compile(r"(?:局|中心|委员会|办公室|署|院|站|所|队|馆|部|\(本级\)|\(汇总\))$")


def summary_projects(
    blocks: list[Block], units: list[str], department: str | None
) -> list[Project]:
    """Rows of the 项目支出总表 (from the table layer): a project name and its figures (总计
    first). Rows naming the department or a unit are subtotals, not projects; a name wrapped
    over the lines above its figures (a table flattened into text) is joined to them."""
    projects: list[Project] = []
    orgs = set(units) | ({department} if department else set())
    for table in tables(blocks, "项目支出表"):
        if not _SUMMARY_TITLE.match(table.title):
            continue
        pending: list[str] = []
        unit = None
        for row in table.rows:
            line = row.line
            if line.is_tabbed:
                cells = line.cells
                if not cells or not cells[0] or len(cells) < 3 or not is_amount(cells[1]):
                    continue
                name, first = clean_name(cells[0]), cells[1]
            else:
                name_part, numbers = split_numbers(line.text)
                if len(numbers) < 4:
                    pending.append(name_part)
                    continue
                name = clean_name(join_pieces([*_name_tail(pending), name_part]))
                first, pending = numbers[0], []
            if not name or len(name) > _MAX_NAME or name in _CATEGORIES or "名称" in name:
                continue
            if _is_org(name, orgs):
                if len(units) > 1:
                    unit = next((u for u in units if u == name), None)  # None: the department
                elif not units and name != department:
                    unit = name  # Guangzhou names its 下属单位 only in these rows
                else:
                    unit = None
                continue
            if not has_letters(name):
                continue
            value = round(parse_amount(first) * table.scale, 2)
            projects.append(
                Project(
                    name=name,
                    amount_wan=value,
                    page=line.page,
                    unit=unit,
                    sources=[Source("summary_table", line.page, value)],
                )
            )
    return projects


def _name_tail(pending: list[str]) -> list[str]:
    """The lines just above a figures line that belong to its name: short wrapped pieces,
    not the table's column headers."""
    tail: list[str] = []
    for text in reversed(pending):
        if (
            not text
            or len(text) > 8
            or re.search(r"[:：,，。]|拨款|收入|资金|结转|总计|小计|合计", text)
        ):
            break
        tail.insert(0, text)
    return tail[-3:]


def _is_org(name: str, orgs: set[str]) -> bool:
    if name in orgs:
        return True
    return bool(re.match(r"^\S{2,7}?[市省区县]", name) and _ORG_END.search(name))


_NOTE_TITLE = re.compile(r"^(?P<name>[^,，。:：\d]{2,40}?)情况说明$")
_NOTE_BUDGET = re.compile(rf"项目总预算\s*({NUMBER})\s*万")


def note_projects(lines: list[Line]) -> list[Project]:
    """Shanghai's '<项目>经费情况说明' pages: 六、年度预算安排 '项目总预算1720.00万,其中…'."""
    projects = []
    for index, line in enumerate(lines):
        title = _NOTE_TITLE.match(line.text)
        if not title or re.search(r"相关|编制|整体|部门|预算情况", title["name"]):
            continue
        following = Flat(lines[index + 1 : index + 40])
        budget = _NOTE_BUDGET.search(following.text)
        if not budget:
            continue
        value = parse_amount(budget.group(1))
        sentence_end = following.text.find("。", budget.end())
        project = Project(
            name=clean_name(title["name"]),
            amount_wan=value,
            page=following.page_at(budget.start()),
            sources=[Source("project_note", line.page, value)],
        )
        projects.append(project)
        tail = following.text[budget.end() : sentence_end if sentence_end > 0 else None]
        projects.extend(_sub_items(following, project, tail, budget.end()))
    return projects


def _same_project(project: Project, merged: list[Project]) -> Project | None:
    """The already found project this one names again, if any.

    Exact (unit, parent, normalized name) first. Then, for top-level projects: a table row with
    no unit matches the one unit's project of that name; a name cut short in a narrow column
    with the same amount matches the one name it begins; a misprint (一般管理事物) matches a
    near-identical name with the same amount.

    A list or a table names each project once, so two items of one kind never merge (two
    sub-items may share a name: 上年结转; two units may each have a 业务用房物业管理费).
    Project-level 绩效目标表 are the exception: 002 prints two for some projects.
    """
    kind = project.sources[0].kind
    if kind != "project_table":
        merged = [p for p in merged if kind not in {s.kind for s in p.sources}]
    exact = [p for p in merged if p.key == project.key]
    if exact:
        return exact[0]
    if project.parent:
        return None
    unit, _, name, years = project.key
    # the same name and amount (a form for a list's item or sub-item, its unit unsaid)
    same = [
        p
        for p in merged
        if p.key[2] == name
        and p.key[3] == years
        and p.amount_wan == project.amount_wan
        and (not unit or not p.unit or p.unit == unit)
    ]
    if len(same) == 1:
        return same[0]
    candidates = [
        p
        for p in merged
        if not p.parent and (not unit or not p.unit or p.unit == unit) and p.key[3] == years
    ]
    same_name = [p for p in candidates if p.key[2] == name]
    if len(same_name) == 1:
        return same_name[0]
    if len(name) >= 4:
        prefixed = [p for p in candidates if p.key[2].startswith(name) or name.startswith(p.key[2])]
        if (
            len(prefixed) == 1
            and min(len(prefixed[0].key[2]), len(name)) >= 4
            and prefixed[0].amount_wan == project.amount_wan
        ):
            return prefixed[0]
    if not same_name:
        # a project-level table for what the 项目支出 list names as a sub-item (perhaps with
        # a longer name: 人工智能应用创新服务中心日常运营 / …日常运营和监督, same amount)
        subs = [
            p
            for p in merged
            if p.parent
            and (not unit or p.unit == unit)
            and p.key[3] == years
            and (
                p.key[2] == name
                or (p.amount_wan == project.amount_wan and p.key[2].startswith(name))
            )
        ]
        if len(subs) == 1:
            return subs[0]
    similar = [
        p
        for p in candidates
        if p.amount_wan == project.amount_wan
        and SequenceMatcher(None, p.key[2], name).ratio() >= 0.75
    ]
    return similar[0] if len(similar) == 1 else None


def merge_projects(found: list[Project]) -> tuple[list[Project], list[str]]:
    """One project per place it is named, sources listed, in first-seen order.

    Amounts that disagree between the places a document names a project become warnings.
    """
    merged: list[Project] = []
    warnings: list[str] = []
    for project in found:
        if not project.sources:
            project.sources = [Source("list", project.page, project.amount_wan)]
        existing = _same_project(project, merged)
        if existing is None:
            merged.append(project)
            continue
        existing.sources.extend(project.sources)
        existing.unit = existing.unit or project.unit
        if not existing.description and project.description:
            existing.description = project.description
        if (
            project.amount_wan is not None
            and existing.amount_wan is not None
            and abs(project.amount_wan - existing.amount_wan) > 0.05
        ):
            warnings.append(
                f"项目「{existing.name}」: {existing.amount_wan:g} 万元 "
                f"({existing.sources[0].kind}) but {project.amount_wan:g} 万元 "
                f"({project.sources[0].kind})"
            )
    return merged, warnings


def find_projects(
    lines: list[Line], units: list[str], department: str | None, blocks: list[Block] | None = None
) -> tuple[list[Project], list[str]]:
    from indexer.parse.project_tables import table_projects  # it builds on this module

    blocks = to_blocks(lines) if blocks is None else blocks
    flat = Flat(lines)
    found, list_warnings = list_projects(flat, units)
    found += task_projects(blocks, units)
    found += key_projects(blocks, units)
    found += summary_projects(blocks, units, department)
    found += note_projects(lines)
    found += table_projects(blocks, units)
    projects, merge_warnings = merge_projects(found)
    return projects, list_warnings + merge_warnings
