"""Document metadata from the text itself: what kind of document, whose, where, which year.

File names carry no meaning (publishers mislabel files); a title page may be cut off or be an
image. So:
- the department and year are voted on across every sentence of the form
  "2024年<部门>部门预算…" (or "<部门>2020年部门预算"), which budgets repeat;
- the kind (部门预算, 单位预算, 部门决算, 单位决算) is read from the title on the first pages, and
  a document with no budget title and hardly a mention of one is ``other``: a notice, a report,
  a form, indexed as text with no budget metadata invented;
- a 单位预算 names its unit (预算单位：…, or "…（本级）单位预算") and its department
  (主管部门：…, or the department the unit's name starts with);
- province, city, district and level come from the start of the body's name (places.py).
"""

import re
from collections import Counter
from typing import cast

from indexer.model import DocType, DocumentMeta
from indexer.parse.amounts import find_change, parse_amount
from indexer.places import CITY_LEVEL, Place, place_of
from indexer.textnorm import compact

# A name never runs over a title's own words ("…部门预算公开无锡市…") or a sentence's.
_NAME = r"(?:(?!所有|纳入|项目|预算|决算|公开|年度)[\u4e00-\u9fff()]){2,40}?"
# A department name begins with a place: optional province, then a city.
# A body's name begins with its place: a city (with its province), a district or county on its
# own (海淀区…), a province (广东省…), or the state (国家…) for a central body.
_PLACE = (
    r"(?!年|度)(?:(?:[\u4e00-\u9fff]{2,7}?(?:省|自治区))?[\u4e00-\u9fff]{2,7}?市"
    r"|[\u4e00-\u9fff]{2,7}?(?:省|自治区)|[\u4e00-\u9fff]{1,6}?(?:区|县|旗)(?=[\u4e00-\u9fff]{2})"
    r"|国家|中华人民共和国)"
)
_DEPT = rf"((?:中共|中国共产党)?{_PLACE}{_NAME})"
_KIND = r"(?:部门|单位)(?:预算|决算)"
_YEAR_THEN_DEPT = re.compile(rf"(20\d\d)年度?{_DEPT}(?:\(汇总\))?{_KIND}")
# "北京市统计局部门2026年度部门预算", "…委员会2026部门预算"
_DEPT_THEN_YEAR = re.compile(rf"{_DEPT}(20\d\d)年?度?(?:市级|区级|县级)?{_KIND}")
# Shanghai: "上海市普陀区2025年区级部门预算" then "预算主管部门:上海市普陀区商务委员会"
_SUPERVISOR = re.compile(
    rf"(20\d\d)年(?:区级|市级)?{_KIND}预算主管部门:?{_DEPT}(?=目录|[一二三四五六七八九十]、|$)"
)
_CITY = re.compile(r"^(?:中共)?(?:[\u4e00-\u9fff]{2,7}?(?:省|自治区))?([\u4e00-\u9fff]{2,7}?市)")
# Table headings name the department too: "部门名称:深圳市审计局 单位:万元"
_NAMED = re.compile(
    rf"(?:部门|单位)名称\s*[:：\t]\s*((?:中共)?{_PLACE}[\u4e00-\u9fff()]{{2,40}}?)(?=\s|单位|$)",
    re.M,
)
# A title whose year the text layer moved elsewhere: "重庆市气象局 年部门预算情况说明"
_DEPT_WITHOUT_YEAR = re.compile(rf"{_DEPT}年度?(?:市级|区级|县级)?{_KIND}")
# A district (or county) right after the city: 深圳市福田区…, 上海市普陀区…
_DISTRICT = re.compile(r"^([\u4e00-\u9fff]{1,3}(?:新区|区|县))")
_AMOUNT = r"(\d[\d,]*(?:\.\d+)?)万元"
_TOTAL = re.compile(rf"部门(?:预算|决算)(?:收入|支出)(?:总计|合计)?(?:为|是)?{_AMOUNT}")
_TOTAL_SENTENCE = re.compile(rf"收入预算(?:总计|合计)?(?:为|是)?{_AMOUNT}")
_TOTAL_ROW = re.compile(r"^收入总计\s+(\d[\d,]*\.\d+)", re.M)
_UNITS = re.compile(r"包括:?([\u4e00-\u9fff()、]{2,400}?)共(\d+)家(?:基层|预算)?单位")
# Guangzhou: "…纳入本部门预算编制范围的下属单位预算。下属单位具体包括:A、B、C。"
_SUBORDINATES = re.compile(r"下属(?:预算)?单位(?:具体)?包括:?([\u4e00-\u9fff()、]{2,400}?)[。;]")


# The title on the first pages: "2026年度<名称>（本级）单位预算公开", "<名称>2026年部门预算",
# "上海市2026年市级单位预算" — the kind and stage of the first one found.
_TITLE = re.compile(
    r"(?:20\d\d年度?[\u4e00-\u9fff()]{2,40}?|[\u4e00-\u9fff()]{2,40}?20\d\d年?度?"
    r"(?:市级|区级|县级)?)(部门|单位)(预算|决算)"
)
_ANY_KIND = re.compile(r"(部门|单位)(预算|决算)")
# "预算单位：上海市…中心" on a cover: the rest of its line (read in the text, not the flat copy)
_BUDGET_UNIT = re.compile(r"预算单位\s*[:：]\s*([\u4e00-\u9fff()（） ]{2,60}?)\s*(?:20\d\d年|\n|$)")
_SUPERVISED_BY = re.compile(
    r"(?:预算)?主管部门[:：]?((?:中共)?[\u4e00-\u9fff()]{2,40}?)(?=目录|[一二三四五六七八九十]、|$)"
)
_OWN_UNIT = re.compile(r"\(本级\)$")
# The ends of department names: a unit named "<department><something>" belongs to it.
_DEPARTMENT_END = re.compile(r"(?:局|委员会|厅|办公室|署|委)")
_HEAD_PAGES = 3
# A document that is not a budget may still mention one in passing; a budget names its kind
# many times (titles, 说明, table headings).
_MIN_KIND_MENTIONS = 2
# … and speaks of the standard tables: 收支总表, 绩效目标表 …
_TABLE_WORDS = re.compile(r"收支总|收支预算|收入总|支出总|财政拨款|三公|绩效目标|项目支出")
_MIN_TABLE_WORDS = 3
# A unit's department, as the unit describes itself: "…是上海市交通委员会下属事业单位"
_PARENT_STATED = re.compile(
    r"(?:是|隶属于|隶属)((?:中共)?[\u4e00-\u9fff]{2,30}?(?:局|委员会|厅|办公室|委|部|署))"
    r"(?:\([\u4e00-\u9fff]{1,20}\))?(?:下属|直属|所属|管理的|[,，。])"
)


def _strip_trailing(name: str) -> str:
    # "…中心部门预算" leaves the name clean; "…局(本级)" keeps its (本级), as the document does;
    # Beijing's "北京市统计局部门 2026 年度部门预算" names the department with 部门 after it.
    name = name.rstrip("的")
    if name.endswith("部门") and len(name) > 6:
        name = name[:-2]
    return name


def doc_type_of(head: str, flat: str) -> DocType:
    """部门预算, 单位预算, 部门决算 or 单位决算 from the title on the first pages, else from
    what the whole text says most; ``other`` when it hardly speaks of a budget at all."""
    title = _TITLE.search(head)
    if title:
        # (部门|单位)(预算|决算): one of the four kinds
        return cast(DocType, title.group(1) + title.group(2))
    if "预算单位:" in head or "预算单位：" in head:
        return "单位预算"
    mentions = Counter(m.group(0) for m in _ANY_KIND.finditer(flat))
    table_words = len(_TABLE_WORDS.findall(flat))
    if sum(mentions.values()) >= _MIN_KIND_MENTIONS and table_words >= _MIN_TABLE_WORDS:
        return cast(DocType, mentions.most_common(1)[0][0])  # (部门|单位)(预算|决算) again
    return "other"


def _department_of_unit(unit: str, flat: str) -> str | None:
    """A unit's department: as stated (主管部门：…), else the unit itself when it is a
    department's own budget (…局（本级）), else the department its name starts with."""
    stated = _SUPERVISED_BY.search(flat)
    if stated:
        return stated.group(1)
    for parent in _PARENT_STATED.finditer(flat[:3000]):
        name = parent.group(1)
        if name != unit and place_of(name) is not None:
            return name
    if _OWN_UNIT.search(unit):
        return unit[: -len("(本级)")]
    ends = [m.end() for m in _DEPARTMENT_END.finditer(unit)]
    inner = [end for end in ends if end < len(unit) and unit[end] not in "(（"]
    if inner:
        return unit[: inner[-1]]
    return unit if ends and ends[-1] == len(unit) else None


def extract_metadata(text: str) -> DocumentMeta:
    flat = compact(text.replace("\n", "").replace("\f", ""))
    head_text = "\n".join(text.split("\f")[:_HEAD_PAGES])
    head = compact(head_text.replace("\n", ""))
    doc_type = doc_type_of(head, flat)
    if doc_type == "other":
        return DocumentMeta(doc_type="other")
    votes: Counter[tuple[str, int]] = Counter()
    for match in _YEAR_THEN_DEPT.finditer(flat):
        votes[(_strip_trailing(match.group(2)), int(match.group(1)))] += 1
    for match in _DEPT_THEN_YEAR.finditer(flat):
        votes[(_strip_trailing(match.group(1)), int(match.group(2)))] += 1
    for match in _SUPERVISOR.finditer(flat):
        votes[(match.group(2), int(match.group(1)))] += 3

    if not votes:
        year = _title_year(head_text) or _year_fallback(flat)
        for match in _DEPT_WITHOUT_YEAR.finditer(flat):
            votes[(_strip_trailing(match.group(1)), year or 0)] += 1
    if not votes:
        for match in _NAMED.finditer(text):
            votes[(compact(match.group(1)), _year_fallback(flat) or 0)] += 1

    meta = DocumentMeta(doc_type=doc_type)
    if votes:
        (department, year), _ = votes.most_common(1)[0]
        meta.department = department
        meta.year = year or None
    else:
        meta.year = _year_fallback(flat)
    if doc_type.startswith("单位"):
        _read_unit(meta, head_text, flat)
    _place(meta, head)

    total = _TOTAL.search(flat) or _TOTAL_SENTENCE.search(flat) or _TOTAL_ROW.search(text)
    if total:
        meta.total_wan = parse_amount(total.group(1))
        if total.re is not _TOTAL_ROW:
            # "…收入 9,769.67万元,较2023年年初预算增加54.52万元,增长0.6%"
            meta.change = find_change(flat[total.end() : total.end() + 60])

    if not doc_type.startswith("单位"):
        meta.units = _units(flat)
        # one unit named as the whole (共1家) is the budget's unit; one 下属单位 is not: the
        # department itself is a unit beside it
        if len(meta.units) == 1 and not _SUBORDINATES.search(flat):
            meta.unit = meta.units[0]
    return meta


def _read_unit(meta: DocumentMeta, head_text: str, flat: str) -> None:
    """A 单位预算's unit (预算单位：…, or the body its title names) and department."""
    named = _BUDGET_UNIT.search(head_text)
    unit = compact(named.group(1)).replace(" ", "") if named else meta.department
    if not unit:
        return
    meta.unit = unit
    meta.units = [unit]
    meta.department = _department_of_unit(unit, flat)
    if not meta.year:
        meta.year = _year_fallback(compact(head_text))


def _place(meta: DocumentMeta, head: str) -> None:
    """Province, city, district and level from the body's name; the national code table
    first, then (a place it does not know) the name's own 市 and 区/县."""
    for name in (meta.department, meta.unit):
        place = place_of(name) if name else None
        if place is not None:
            meta.province, meta.city, meta.level = place.province, place.city, place.level
            meta.district = place.district
            return
    if meta.department:
        city_match = _CITY.match(meta.department)
        if city_match:
            meta.city = city_match.group(1)
            rest = meta.department[city_match.end() :]
            district_match = _DISTRICT.match(rest)
            meta.district = district_match.group(1) if district_match else CITY_LEVEL
            return
    place = _first_place(head)
    if place is not None:
        meta.province, meta.city, meta.level = place.province, place.city, place.level
        meta.district = place.district


def _first_place(head: str, within: int = 200) -> Place | None:
    """The first place the opening text names (上海市2026年市级单位预算 …): a title page
    that names the place but not the body. A central body is named, never guessed here."""
    for start in range(min(len(head), within)):
        if head[start] not in "省市区县":
            continue
        for back in range(2, 8):
            if start - back < 0:
                break
            place = place_of(head[start - back : start + 12])
            if place is not None and place.level != "中央" and place.end >= back + 1:
                return place
    return None


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


# A year printed beside the title but moved by the text layer: "…局 年部门预算情况说明\n2026"
def _title_year(head_text: str) -> int | None:
    """The year nearest the first mention of the kind of budget on the first pages."""
    found = re.search(r"(部\s*门|单\s*位)\s*(预\s*算|决\s*算)", head_text)
    if not found:
        return None
    window = head_text[max(0, found.start() - 30) : found.end() + 30]
    years = [int(m.group(1)) for m in re.finditer(r"(?<!\d)(20\d\d)(?!\d)", window)]
    return years[0] if years else None
