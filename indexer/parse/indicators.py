"""Performance indicators (绩效指标): 一级 / 二级 / 三级指标 and 目标值 rows.

The grids are read inside the forms (绩效目标表) that the table layer found (blocks.py): a grid
starts at its header line (一级指标 … 目标值/指标值) and ends at the next header, the form's next
field (备注, 项目名称 …) or the form's end. Its project is the one the form names (beside 项目名称,
or in its title), its unit the one a line above it names. Its rows arrive in two shapes:

- tab-separated cells (PDF ruled tables, OCR output): the header says which column holds the
  name and which the target; a row with fewer cells is read from the right (target last, the
  name before it);
- flattened lines (text extracted without tables): ``name target`` on one line, or a name
  wrapped over several lines and then its target; targets wrapped in two are re-joined.

The 一级/二级 labels are printed once per span. PDF text puts a merged cell's label where its
middle is, so a label may come after some of the rows it spans. When the first label of a
table comes before any row, labels head their rows; otherwise each boundary between two labels
is placed where the rows' names and targets fit the labels best (a 率 with a % target is a
质量指标, a count a 数量指标, a deadline a 时效指标 …). 一级 follows from 二级 where the domain
fixes it (数量指标 is always under 产出指标).
"""

import re
from dataclasses import dataclass

from indexer.model import Target
from indexer.parse.blocks import Block, tables
from indexer.parse.lines import Line
from indexer.parse.names import clean_name, has_letters
from indexer.parse.project_tables import name_beside, project_of_title
from indexer.parse.projects import named_unit
from indexer.parse.targets import parse_target
from indexer.sections import clean_line
from indexer.textnorm import join_pieces

LEVEL1 = ("产出指标", "效益指标", "满意度指标", "成本指标", "投入指标")
# 二级 label -> its 一级 (None where documents differ)
LEVEL2 = {
    "数量指标": "产出指标",
    "质量指标": "产出指标",
    "时效指标": "产出指标",
    "工作时效": "产出指标",
    "成本指标": "产出指标",
    "经济成本指标": "成本指标",
    "社会成本指标": "成本指标",
    "生态环境成本指标": "成本指标",
    "经济效益指标": "效益指标",
    "社会效益指标": "效益指标",
    "生态效益指标": "效益指标",
    "可持续影响指标": "效益指标",
    "可持续影响": "效益指标",
    "服务对象满意度指标": "满意度指标",
    "其他满意度指标": "满意度指标",
    "测算明细": "投入指标",
    "资金支出进度": "投入指标",
}
_IGNORED = ("年度绩效指标", "绩效目标指标", "绩效指标", "年度绩效目标")
_LABELS = sorted({*LEVEL1, *LEVEL2, *_IGNORED}, key=len, reverse=True)
_NO_INDICATOR = {"不适用", "不涉及", "无", "/", "-", "—"}

_WORD = (
    "显著|满足|有效|有所提升|有所降低|良好|优秀|及时|及时完成|及时有效|安全|正常|稳定|是|否|达标|"
    "合格|提升|基本满意|非常满意|满意|有效提供|有效加强|不适用|不涉及|无|持续|逐步提升|明显提升|较好|好评|全年"
)
_WORDS = rf"(?:{_WORD})(?:[、，,](?:{_WORD}))*"
_FIGURE = (
    r"(?:每月|每年|全年|年度|每季度|每周)?[≥≤><=]?\s*\d[\d,.]*\s*"
    r"(?:%|[^\s\d;；,，。、]{1,5})?"
)
_DATE = r"\d{4}\s*年\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?"
_ONE = rf"(?:{_DATE}|\d+\*\d+小时|{_FIGURE}|{_WORDS})"
_TARGET = rf"{_ONE}(?:\s*[;；]\s*{_ONE})*"
_TARGET_ONLY = re.compile(rf"^{_TARGET}$")
_ROW = re.compile(rf"^(?P<name>.*?\S)\s+(?P<target>{_TARGET})$")
_OPEN_TARGET = re.compile(r"^[≥≤><=\d].*[;；]\s*[≥≤><=]?$")
_HEADER = re.compile(r"一级\s*指标")
_PROJECT_NAME_CELL = re.compile(r"^项目名称\s+(\S.*?)\s+项目属性")


@dataclass
class Indicator:
    name: str
    target: Target
    page: int
    level1: str | None = None
    level2: str | None = None
    project: str | None = None
    unit: str | None = None


@dataclass
class _Row:
    name: str
    raw_target: str
    page: int


@dataclass
class _Label:
    text: str
    at: int  # the number of rows read before it
    column: str | None = None  # "level1" / "level2" when the header's columns say so
    anchored: bool = False  # printed on the same line as a row (its span's middle is that row)

    @property
    def centre(self) -> float:
        return self.at + 0.5 if self.anchored else self.at


def label_of(text: str) -> str | None:
    compacted = re.sub(r"\s+", "", text)
    return compacted if compacted in _LABELS else None


def find_indicators(blocks: list[Block], units: list[str]) -> list[Indicator]:
    """The indicator grids of the forms (绩效目标表) the table layer found: each from its header
    line to the next header or the form's next field (备注, 项目名称 …)."""
    indicators: list[Indicator] = []
    for table in tables(blocks):
        if not table.is_form:
            continue
        lines = table.lines
        starts = [i for i, line in enumerate(lines) if _HEADER.search(line.text)]
        for number, start in enumerate(starts):
            end = _grid_end(lines, start, starts[number + 1] if number + 1 < len(starts) else None)
            project = _project_above(lines[:start]) or project_of_title(table)
            above = (named_unit(line.text, units) for line in reversed(lines[:start]))
            unit = next(filter(None, above), None)
            rows, labels = _read_table(lines[start:end])
            for indicator in _assign_levels(rows, labels):
                indicator.project, indicator.unit = project, unit
                indicators.append(indicator)
    return indicators


def _grid_end(lines: list[Line], start: int, next_start: int | None) -> int:
    stop = next_start if next_start is not None else len(lines)
    for index in range(start + 1, stop):
        text = clean_line(lines[index].text)
        if text.startswith(("备注", "注:", "注：", "项目名称", "部门名称", "单位名称")):
            return index
    return stop


def _project_above(lines: list[Line]) -> str | None:
    """The project a form names beside 项目名称 before its grid (a table may hold several
    projects' forms: 002 prints one title over each)."""
    for line in reversed(lines):
        if line.is_tabbed and "项目属性" in line.cells:
            return name_beside(line.cells)
        cell = _PROJECT_NAME_CELL.match(re.sub(r"\s+", " ", line.text))
        if cell:
            return clean_name(cell.group(1))
    return None


def _read_table(lines: list[Line]) -> tuple[list[_Row], list[_Label]]:
    rows: list[_Row] = []
    labels: list[_Label] = []
    header = lines[0].cells if lines[0].is_tabbed else None
    columns = _columns(header) if header else None
    pending: list[str] = []
    last_from_line = -2  # index of the line that produced the last row
    body = _merge_wrapped(lines[1:])
    for index, line in enumerate(body):
        rows_before, labels_before = len(rows), len(labels)
        if line.is_tabbed:
            _read_cells(line, columns, rows, labels)
        else:
            last_from_line, pending = _read_line(line, index, rows, labels, pending, last_from_line)
        if len(rows) > rows_before:
            for label in labels[labels_before:]:
                label.anchored = True
    return rows, labels


def _read_line(
    line: Line,
    index: int,
    rows: list[_Row],
    labels: list[_Label],
    pending: list[str],
    last_from_line: int,
) -> tuple[int, list[str]]:
    """One flattened line: leading labels, then a row, a wrapped name piece or a target."""
    text = line.text
    # leading labels: "产出指标 数量指标", "成本指标 支出进度达标率 ≥90%"
    while True:
        label = next((lb for lb in _LABELS if text.replace(" ", "").startswith(lb)), None)
        if not label:
            break
        if label not in _IGNORED:
            labels.append(_Label(label, len(rows)))
        text = _drop_prefix(text, label)
    if not text:
        return last_from_line, pending
    if _TARGET_ONLY.match(text) and (pending or not text[0].isdigit() or rows):
        if pending:
            rows.append(_Row(join_pieces(pending), text, line.page))
            pending = []
            last_from_line = index
        elif rows and last_from_line == index - 1 and _is_word_target(text):
            # "…有效期 1 年" then "满足": the first "target" ended the name
            previous = rows[-1]
            previous.name = f"{previous.name}{previous.raw_target}"
            previous.raw_target = text
            last_from_line = index
        return last_from_line, pending
    match = _ROW.match(text)
    if match and label_of(match["name"]) is None:
        rows.append(_Row(join_pieces([*pending, match["name"]]), match["target"], line.page))
        pending = []
        last_from_line = index
    elif len(text) == 1 and rows and last_from_line == index - 1 and not pending:
        rows[-1].raw_target += text  # "≥40000 宗工" / "单": the unit wrapped
    else:
        pending.append(text)
    return last_from_line, pending


def _closed_up(target: str) -> str:
    """'保障常态化开 展社区综合信 息采集工作': a wrapped cell's Chinese joined back."""
    return re.sub(r"(?<=[\u4e00-\u9fff]) (?=[\u4e00-\u9fff])", "", target)


def _is_word_target(text: str) -> bool:
    return bool(re.fullmatch(_WORDS, text))


def _drop_prefix(text: str, label: str) -> str:
    """Removes label from the start of text, whatever spaces the extraction put inside it."""
    taken = 0
    for index, char in enumerate(text):
        if not char.isspace():
            taken += 1
        if taken == len(label):
            return text[index + 1 :].strip()
    return ""


def _merge_wrapped(lines: list[Line]) -> list[Line]:
    """Labels and targets wrapped over two lines ('可持续影响指' / '标', '≥100 张;≥' / '50 份')
    joined back."""
    out: list[Line] = []
    for line in lines:
        if out and not line.is_tabbed and not out[-1].is_tabbed:
            previous = out[-1].text
            joined = re.sub(r"\s+", "", previous + line.text)
            prefix = re.sub(r"\s+", "", previous)
            wrapped_label = any(
                lb.startswith(prefix) and lb != prefix and joined.startswith(lb) for lb in _LABELS
            )
            if wrapped_label or _OPEN_TARGET.match(previous):
                out[-1] = Line(previous + line.text, out[-1].page)
                continue
        out.append(line)
    return out


def _columns(header: list[str]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, cell in enumerate(header):
        compacted = cell.replace(" ", "")
        if compacted.startswith("一级"):
            columns["level1"] = index
        elif compacted.startswith("二级"):
            columns["level2"] = index
        elif compacted.startswith(("三级", "指标内容", "指标名称")) and "name" not in columns:
            columns["name"] = index
        elif compacted in ("目标值", "指标值"):
            columns["target"] = index
    columns["width"] = len(header)
    return columns


def _read_cells(line: Line, columns: dict[str, int] | None, rows: list[_Row], labels: list[_Label]):
    cells = line.cells
    for index, cell in enumerate(cells):
        label = label_of(cell)
        if label and label not in _IGNORED:
            column = None  # the names say the level, except 成本指标 (一级 in some tables)
            if label in LEVEL1 and label in LEVEL2 and columns and len(cells) >= columns["width"]:
                column = next((k for k in ("level1", "level2") if columns.get(k) == index), None)
            labels.append(_Label(label, len(rows), column))
    filled = [(i, c) for i, c in enumerate(cells) if c and not label_of(c)]
    if len(filled) < 2:
        return
    name = ""
    if columns and "name" in columns and "target" in columns and len(cells) >= columns["width"]:
        at = columns["target"] if cells[columns["target"]] else filled[-1][0]
        target = cells[at]
        name = join_pieces([c for i, c in filled if columns["name"] <= i < at])
    if not name:  # fewer cells, or a row shifted left: read from the right
        target, name = filled[-1][1], filled[-2][1]
        if filled[-2][0] != filled[-1][0] - 1 and label_of(cells[filled[-1][0] - 1] or "x"):
            return  # the cell before the last is a label: a description with no target
    if name and target:
        rows.append(_Row(name, _closed_up(target), line.page))


def _fits(level2: str, row: _Row) -> bool:
    name, target = row.name, parse_target(row.raw_target, row.name)
    unit = target.unit or ""
    if "数量" in level2:
        return (
            bool(unit)
            and unit not in ("%", "日期", "小时", "分钟", "天")
            or name.endswith(("数", "数量"))
        )
    if "质量" in level2:
        return unit == "%" or "率" in name
    if "时效" in level2:
        return unit in ("日期", "小时", "分钟", "天") or any(
            w in name for w in ("及时", "时效", "时间", "时限", "响应")
        )
    if "成本" in level2:
        return unit in ("万元", "元", "万") or any(
            w in name for w in ("成本", "经费", "进度", "支出")
        )
    if "满意" in level2:
        return "满意" in name
    if "效益" in level2 or "影响" in level2:
        return target.value is None
    return False


def _placeholder(label: _Label, rows: list[_Row]) -> bool:
    return (
        label.anchored and label.at < len(rows) and clean_name(rows[label.at].name) in _NO_INDICATOR
    )


def _boundary_score(
    rows: list[_Row], first: str, second: str, lo: int, hi: int, boundary: int
) -> int:
    """How well rows lo..boundary fit label first and boundary..hi label second."""
    fit = sum(_fits(first, rows[r]) - _fits(second, rows[r]) for r in range(lo, boundary))
    return fit + sum(_fits(second, rows[r]) - _fits(first, rows[r]) for r in range(boundary, hi))


def _level2_spans(rows: list[_Row], labels: list[_Label]) -> list[str | None]:
    """The 二级 label of every row (see the module docstring)."""
    level2 = [
        lb
        for lb in labels
        if lb.column == "level2"
        or (
            lb.column is None
            and lb.text in LEVEL2
            and not (
                lb.text == "成本指标"
                and any(x.column == "level1" and x.at == lb.at for x in labels)
            )
        )
    ]
    result: list[str | None] = [None] * len(rows)
    if not level2:
        return result
    if level2[0].at == 0:  # labels head their rows
        for index, label in enumerate(level2):
            end = level2[index + 1].at if index + 1 < len(level2) else len(rows)
            for row in range(label.at, end):
                result[row] = label.text
        return result
    bounds = [0]
    for current, following in zip(level2, level2[1:], strict=False):
        lo, hi = max(current.at, bounds[-1]), max(following.at, bounds[-1])
        # a level with nothing to report prints its label on its one 不适用 row
        if _placeholder(following, rows):
            bounds.append(hi)
            continue
        if _placeholder(current, rows):
            bounds.append(min(current.at + 1, hi))
            continue
        # a centred label has as many rows of its span after it as before it
        prior = min(max(2 * current.centre - bounds[-1], lo), hi)
        scores = {
            b: _boundary_score(rows, current.text, following.text, lo, hi, b)
            for b in range(lo, hi + 1)
        }
        bounds.append(
            max(scores, key=lambda b: (scores[b] - 0.5 * abs(b - prior), -abs(b - prior)))
        )
    bounds.append(len(rows))
    for index, label in enumerate(level2):
        for row in range(bounds[index], bounds[index + 1]):
            result[row] = label.text
    return result


def _assign_levels(rows: list[_Row], labels: list[_Label]) -> list[Indicator]:
    level2 = _level2_spans(rows, labels)
    level1_labels = [
        lb
        for lb in labels
        if lb.column == "level1"
        or (lb.column is None and lb.text in LEVEL1 and lb.text not in LEVEL2)
    ]
    indicators = []
    for index, row in enumerate(rows):
        name = clean_name(row.name)
        if name in _NO_INDICATOR or name == row.raw_target or not has_letters(name):
            continue  # 不适用 rows, "全年 全年", table rules ("-----")
        level1 = LEVEL2.get(level2[index] or "")
        if level1_labels and (level1 is None or level2[index] in ("成本指标",)):
            before = [lb for lb in level1_labels if lb.at <= index]
            level1 = (before[-1] if before else level1_labels[0]).text
        indicators.append(
            Indicator(
                name=name,
                target=parse_target(row.raw_target, name),
                page=row.page,
                level1=level1,
                level2=level2[index],
            )
        )
    return indicators
