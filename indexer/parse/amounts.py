"""Amounts and year-over-year changes as numbers.

Text is NFKC-normalized (full-width digits arrive as ASCII). OCR scatters spaces through
figures (``1,555. 39``, ``20, 439. 03``); they are closed up before reading.
"""

import re

from indexer.model import Change

# A figure as printed, possibly with OCR spaces after its separators.
NUMBER = r"\d{1,3}(?:,\s?\d{3})+(?:\.\s?\d+)?|\d+(?:\.\s?\d+)?"
# A figure followed by 万元 (or 万 alone, as in "1,606.54 万、").
WAN = re.compile(rf"({NUMBER})\s*万(?:元|(?=[^\u4e00-\u9fff]|$))")
_CELL = re.compile(rf"^-?\s*(?:{NUMBER})$")


def parse_amount(text: str) -> float:
    """'9,769.67' -> 9769.67; '1,555. 39' -> 1555.39; '20, 439. 03' -> 20439.03."""
    return float(re.sub(r"[,\s]", "", text))


def is_amount(cell: str) -> bool:
    """A table cell holding one figure (amounts, counts), nothing else."""
    return bool(_CELL.match(cell.strip()))


_CHANGE = re.compile(
    r"(?:较|比)\s*(20\d\d)\s*年[^,，。;；]{0,10}?"
    r"(增加|减少|持平|不变)\s*(?:(" + NUMBER + r")\s*万元)?"
    r"(?:\s*[,，]\s*(增长|增加|下降|减少)\s*(" + NUMBER + r")\s*%)?"
)


def find_change(text: str) -> Change | None:
    """The first year-over-year change stated in the text, signed (减少/下降 negative):
    '较2023年年初预算增加4,521.51万元,增长28.4%' -> base_year=2023, wan=4521.51, pct=28.4."""
    match = _CHANGE.search(text)
    if not match:
        return None
    year, verb, wan, pct_verb, pct = match.groups()
    sign = -1 if verb == "减少" else 1
    change = Change(base_year=int(year), wan=None, pct=None)
    if verb in ("持平", "不变"):
        change.wan, change.pct = 0.0, 0.0
    if wan:
        change.wan = sign * parse_amount(wan)
    if pct:
        change.pct = (-1 if pct_verb in ("下降", "减少") else 1) * parse_amount(pct)
    return change
