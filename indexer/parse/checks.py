"""Consistency checks the documents themselves allow (DOMAIN.md, "Identities"), reported as
data-quality warnings on the document record. Rounding (尾数误差) allows a few 0.01.

(The listed projects adding up to the stated 项目支出 is checked where the lists are read,
projects.list_projects.)"""

import re

from indexer.parse.amounts import NUMBER, is_amount, parse_amount
from indexer.parse.blocks import Block, tables
from indexer.parse.lines import Flat
from indexer.parse.projects import TOLERANCE_WAN


def _differs(a: float, b: float) -> bool:
    return abs(a - b) > TOLERANCE_WAN


# The rows that carry a 收支总表's total: 收入总计 (Shenzhen, Shanghai …), else the 总计 or 合计
# row (Chongqing prints it first, above the items).
_TOTAL_NAMES = ("收入总计", "收入合计总计", "总计", "合计")


def table_total(blocks: list[Block]) -> float | None:
    """The 收支总表's total in 万元 (converted when the table is in 元), or None."""
    for table in tables(blocks, "收支总表"):
        for name in _TOTAL_NAMES:
            for row in table.rows:
                cells = [re.sub(r"\s+", "", c) for c in row.cells if c.strip()]
                if cells and cells[0] == name:
                    figures = [c for c in cells[1:] if is_amount(c)]
                    if figures:
                        return round(parse_amount(figures[0]) * table.scale, 2)
    return None


def check_total(stated: float | None, tabled: float | None) -> list[str]:
    """The total the text states equals the 收支总表's. A total stated in whole 万元
    (Shanghai: "40,870万元") is the table's rounded."""
    if stated is None or tabled is None:
        return []
    rounded = stated == int(stated) and abs(tabled - stated) < 0.5
    if _differs(stated, tabled) and not rounded:
        return [f"总额: the text states {stated:.2f} 万元, the 收支总表 {tabled:.2f} 万元"]
    return []


# The 三公 total as the check reads it, in the wording its parts' patterns were read against.
_SANGONG = re.compile(rf"[“\"]?三公[”\"]?经费(?:财政拨款)?预算(?:数)?(?:为)?\s*({NUMBER})\s*万元")
# … and as budgets state it at all: "安排“三公”经费44.94万元", "“三公”经费支出预算 2.02 万元".
_SANGONG_STATED = re.compile(
    rf"[“\"]?三公[”\"]?经费(?:财政拨款)?(?:支出)?(?:预算)?(?:数)?(?:为)?\s*({NUMBER})\s*万元"
)
_PARTS = {
    "因公出国(境)费": re.compile(rf"因公出国\(境\)费用?[^\d]{{0,16}}?({NUMBER})\s*万元"),
    "公务接待费": re.compile(rf"公务接待费[^\d]{{0,16}}?({NUMBER})\s*万元"),
    "公务用车购置及运行维护费": re.compile(
        rf"公务用车购置(?:和|及)运行(?:维护)?费[^\d]{{0,16}}?({NUMBER})\s*万元"
    ),
}


def stated_sangong(flat: Flat) -> float | None:
    """The 三公经费 the text states (万元), if it does."""
    total = _SANGONG_STATED.search(flat.text)
    return parse_amount(total.group(1)) if total else None


def check_sangong(flat: Flat) -> list[str]:
    """三公经费 = 因公出国(境)费 + 公务接待费 + 公务用车购置及运行维护费, as stated."""
    total = _SANGONG.search(flat.text)
    if not total:
        return []
    rest = flat.text[total.end() :]
    parts = {}
    for name, pattern in _PARTS.items():
        match = pattern.search(rest)
        if not match:
            return []
        parts[name] = parse_amount(match.group(1))
    stated = parse_amount(total.group(1))
    if _differs(sum(parts.values()), stated):
        listed = " + ".join(f"{k} {v:g}" for k, v in parts.items())
        return [
            f"三公经费: {listed} = {sum(parts.values()):.2f} 万元, "
            f"the text states {stated:.2f} 万元"
        ]
    return []
