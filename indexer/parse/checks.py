"""Consistency checks the documents themselves allow (DOMAIN.md, "Identities"), reported as
data-quality warnings on the document record. Rounding (尾数误差) allows a few 0.01.

(The listed projects adding up to the stated 项目支出 is checked where the lists are read,
projects.list_projects.)"""

import re

from indexer.parse.amounts import NUMBER, parse_amount
from indexer.parse.lines import Flat, Line
from indexer.parse.projects import TOLERANCE_WAN


def _differs(a: float, b: float) -> bool:
    return abs(a - b) > TOLERANCE_WAN


_TOTAL_ROW = re.compile(rf"^(?:收入总计|收\s*入\s*总\s*计)\s+({NUMBER})")


def check_total(lines: list[Line], total_wan: float | None) -> list[str]:
    """The total the text states equals the 收支总表's 收入总计."""
    if total_wan is None:
        return []
    for line in lines:
        match = _TOTAL_ROW.match(line.text.replace("\t", " ").strip())
        if match:
            table_total = parse_amount(match.group(1))
            if abs(table_total / 10000 - total_wan) < 1:
                table_total /= 10000  # the table is in 元 (Shanghai)
            if _differs(table_total, total_wan):
                return [
                    f"总额: the text states {total_wan:.2f} 万元, "
                    f"the 收支总表 {table_total:.2f} 万元"
                ]
            return []
    return []


_SANGONG = re.compile(rf"“?三公”?经费(?:财政拨款)?预算(?:数)?(?:为)?\s*({NUMBER})\s*万元")
_PARTS = {
    "因公出国(境)费": re.compile(rf"因公出国\(境\)费用?[^\d]{{0,16}}?({NUMBER})\s*万元"),
    "公务接待费": re.compile(rf"公务接待费[^\d]{{0,16}}?({NUMBER})\s*万元"),
    "公务用车购置及运行维护费": re.compile(
        rf"公务用车购置(?:和|及)运行(?:维护)?费[^\d]{{0,16}}?({NUMBER})\s*万元"
    ),
}


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
