"""Indicator targets (目标值) into {raw, op, value, unit}.

≥90%            op ≥, value 90, unit %
每月≥95%        op ≥, value 95, unit %      (a period before the comparison is kept in raw)
≤2 小时         op ≤, value 2, unit 小时
24小时内        op ≤, value 24, unit 小时   (内 = within)
556台           op =, value 556, unit 台    (a bare figure is the target itself)
1 on a rate     op =, value 100, unit %     (spreadsheet export of 100%; the row name ends in 率)
2024年12月31日  op ≤, value 20241231, unit 日期  (a deadline, as a sortable yyyymmdd number)
≥70 个;100%     the first part parsed, raw kept whole
显著, 满足      op, value and unit null
"""

import re

from indexer.model import Target
from indexer.parse.amounts import NUMBER, parse_amount

_WORD_OPS = {
    "大于等于": "≥",
    "不低于": "≥",
    "不少于": "≥",
    "至少": "≥",
    "小于等于": "≤",
    "不高于": "≤",
    "不超过": "≤",
    "低于": "<",
    "小于": "<",
    "高于": ">",
    "大于": ">",
    "等于": "=",
}
_OP = r"[≥≤><=]|" + "|".join(_WORD_OPS)
_PERIOD = r"每月|每年|每季度|每周|每日|每天|全年|年度|累计|年均"
_FIGURE = re.compile(
    rf"^(?:{_PERIOD})?(?P<op>{_OP})?(?P<num>{NUMBER})(?P<unit>[^\d;,。]{{0,8}}?)(?P<within>内|以内)?$"
)
_DATE = re.compile(r"^(?P<y>20\d\d)年(?P<m>\d{1,2})月(?:(?P<d>\d{1,2})日)?(?:前|之前|以前)?$")
_RATES = ("率", "满意度", "比例", "比率")
_PARTS = re.compile(r"[;；]")
# OCR misreads in unit position (corpus 001: "≥1600 ↑" for 个).
_OCR_UNITS = {"↑": "个", "λ": "人"}


def parse_target(raw: str, name: str = "") -> Target:
    raw = raw.strip()
    first = _PARTS.split(raw, maxsplit=1)[0]
    text = re.sub(r"\s+", "", first)
    target = Target(raw=raw)

    date = _DATE.match(text)
    if date:
        day = int(date["d"] or 1)
        target.op, target.unit = "≤", "日期"
        target.value = float(f"{date['y']}{int(date['m']):02d}{day:02d}")
        return target

    figure = _FIGURE.match(text)
    if not figure:
        return target
    unit = figure["unit"] or None
    if unit:
        unit = _OCR_UNITS.get(unit, unit)
    op = figure["op"]
    target.op = _WORD_OPS.get(op, op) if op else ("≤" if figure["within"] else "=")
    target.value = parse_amount(figure["num"])
    target.unit = unit
    if not unit and not op and target.value == 1 and name.rstrip(")）").endswith(_RATES):
        target.value, target.unit = 100.0, "%"
    return target
