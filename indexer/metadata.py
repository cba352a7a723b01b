"""Document metadata from the text itself: department, units, district, city, year, total.

File names carry no meaning; a title page may be cut off. So the department and year are
voted on across every sentence of the form "2024年<部门>部门预算…" (or "<部门>2020年部门预算"),
which budgets repeat in their 第二部分 and elsewhere.
"""

import re
from collections import Counter

from indexer.model import DocumentMeta
from indexer.parse.amounts import find_change, parse_amount
from indexer.textnorm import compact

_NAME = r"(?:(?!所有|纳入|项目)[\u4e00-\u9fff()]){4,40}?"
# A department name begins with a place: optional province, then a city.
_PLACE = r"(?:[\u4e00-\u9fff]{2,7}?(?:省|自治区))?[\u4e00-\u9fff]{2,7}?市"
_DEPT = rf"((?:中共)?{_PLACE}{_NAME})"
_KIND = r"部门(?:预算|决算)"
_YEAR_THEN_DEPT = re.compile(rf"(20\d\d)年度?{_DEPT}(?:\(汇总\))?{_KIND}")
_DEPT_THEN_YEAR = re.compile(rf"{_DEPT}(20\d\d)年度?{_KIND}")
# Shanghai: "上海市普陀区2025年区级部门预算" then "预算主管部门:上海市普陀区商务委员会"
_SUPERVISOR = re.compile(
    rf"(20\d\d)年(?:区级|市级)?{_KIND}预算主管部门:?{_DEPT}(?=目录|[一二三四五六七八九十]、|$)"
)
_CITY = re.compile(r"^(?:中共)?(?:[\u4e00-\u9fff]{2,7}?(?:省|自治区))?([\u4e00-\u9fff]{2,7}?市)")
# Table headings name the department too: "部门名称:深圳市审计局 单位:万元"
_NAMED = re.compile(
    rf"部门名称\s*[:：\t]\s*((?:中共)?{_PLACE}[\u4e00-\u9fff()]{{2,40}}?)(?=\s|单位|$)", re.M
)
# A district (or county) right after the city: 深圳市福田区…, 上海市普陀区…
_DISTRICT = re.compile(r"^([\u4e00-\u9fff]{1,3}(?:新区|区|县))")
_AMOUNT = r"(\d[\d,]*(?:\.\d+)?)万元"
_TOTAL = re.compile(rf"部门(?:预算|决算)(?:收入|支出)(?:总计|合计)?(?:为|是)?{_AMOUNT}")
_TOTAL_SENTENCE = re.compile(rf"收入预算(?:总计|合计)?(?:为|是)?{_AMOUNT}")
_TOTAL_ROW = re.compile(r"^收入总计\s+(\d[\d,]*\.\d+)", re.M)
_UNITS = re.compile(r"包括:?([\u4e00-\u9fff()、]{2,400}?)共(\d+)家(?:基层|预算)?单位")
# Guangzhou: "…纳入本部门预算编制范围的下属单位预算。下属单位具体包括:A、B、C。"
_SUBORDINATES = re.compile(r"下属(?:预算)?单位(?:具体)?包括:?([\u4e00-\u9fff()、]{2,400}?)[。;]")


def _strip_trailing(name: str) -> str:
    # "…中心部门预算" leaves the name clean; "…局(本级)" keeps its (本级), as the document does.
    return name.rstrip("的")


def extract_metadata(text: str) -> DocumentMeta:
    flat = compact(text.replace("\n", "").replace("\f", ""))
    votes: Counter[tuple[str, int]] = Counter()
    for match in _YEAR_THEN_DEPT.finditer(flat):
        votes[(_strip_trailing(match.group(2)), int(match.group(1)))] += 1
    for match in _DEPT_THEN_YEAR.finditer(flat):
        votes[(_strip_trailing(match.group(1)), int(match.group(2)))] += 1
    for match in _SUPERVISOR.finditer(flat):
        votes[(match.group(2), int(match.group(1)))] += 3

    if not votes:
        for match in _NAMED.finditer(text):
            votes[(compact(match.group(1)), _year_fallback(flat) or 0)] += 1

    meta = DocumentMeta()
    if votes:
        (department, year), _ = votes.most_common(1)[0]
        meta.department = department
        meta.year = year or None
    else:
        meta.year = _year_fallback(flat)

    if meta.department:
        city_match = _CITY.match(meta.department)
        if city_match:
            meta.city = city_match.group(1)
            rest = meta.department[city_match.end() :]
            district_match = _DISTRICT.match(rest)
            meta.district = district_match.group(1) if district_match else "市本级"

    total = _TOTAL.search(flat) or _TOTAL_SENTENCE.search(flat) or _TOTAL_ROW.search(text)
    if total:
        meta.total_wan = parse_amount(total.group(1))
        if total.re is not _TOTAL_ROW:
            # "…收入 9,769.67万元,较2023年年初预算增加54.52万元,增长0.6%"
            meta.change = find_change(flat[total.end() : total.end() + 60])

    meta.units = _units(flat)
    if len(meta.units) == 1:
        meta.unit = meta.units[0]
    return meta


def _units(flat: str) -> list[str]:
    """The 基层单位 a department budget covers: '包括:A、B和C共3家基层单位', or the
    下属单位 a Guangzhou budget lists besides the department itself."""
    for match in _UNITS.finditer(flat):
        names = [n for n in match.group(1).split("、") if n]
        count = int(match.group(2))
        if len(names) < count and names:
            # "…A和B": split on 和 only where the next name starts like the first one
            # (深圳市…), since 和 also occurs inside names (民意速办和智慧城市建设中心).
            prefix = re.escape(names[0][:3])
            names = names[:-1] + re.split(rf"和(?={prefix})", names[-1])
        if len(names) == count:
            return names
    subordinates = _SUBORDINATES.search(flat)
    if subordinates:
        return [n for n in subordinates.group(1).split("、") if n]
    return []


def _year_fallback(flat: str) -> int | None:
    years = Counter(int(y) for y in re.findall(r"(20\d\d)年", flat))
    return years.most_common(1)[0][0] if years else None
