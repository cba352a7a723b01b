import pytest

from indexer.metadata import extract_metadata
from indexer.textnorm import normalize_text


def meta_of(text: str):
    return extract_metadata(normalize_text(text))


def test_title_with_year_first():
    meta = meta_of("2025 年示例市东湖区政务服务数据管理局部门预算\n收入 1 万元")
    assert (meta.department, meta.year, meta.district, meta.city) == (
        "示例市东湖区政务服务数据管理局",
        2025,
        "东湖区",
        "示例市",
    )


def test_title_with_department_first_and_summary_tag():
    meta = meta_of("示例市西山区财政局 2020 年部门预算（汇总）")
    assert (meta.department, meta.year, meta.district) == ("示例市西山区财政局", 2020, "西山区")


def test_city_level_department_is_shi_benji():
    meta = meta_of("2024年示例市数据管理局(本级)部门预算收入44,972.11万元")
    assert meta.district == "市本级"
    assert meta.department == "示例市数据管理局(本级)"
    assert meta.total_wan == 44972.11


def test_the_body_outvotes_a_cut_title():
    text = (
        "城市建设中心\n\n部门预算\n\n"
        + "2024 年示例市东湖区城市建设中心部门预算收入 9.5 万元。\n" * 2
    )
    meta = meta_of(text)
    assert (meta.department, meta.year) == ("示例市东湖区城市建设中心", 2024)


def test_ocr_spaces_inside_amounts():
    meta = meta_of("2024 年示例市甲局部门预算收入 1,555. 39 万元")
    assert meta.total_wan == 1555.39


def test_units_listed_with_and_inside_names():
    meta = meta_of(
        "2020年示例市乙局部门预算。单位范围包括：示例市乙局（本级）、示例市乙服务中心和示例市数据和"
        "信息中心共 3 家基层单位。"
    )
    assert meta.units == ["示例市乙局(本级)", "示例市乙服务中心", "示例市数据和信息中心"]
    assert meta.unit is None


# The seed corpus, as described in ../shared/corpus/README.md (names NFKC-normalized).
SEEDS = {
    "000": ("深圳市福田区民意速办和智慧城市建设中心", "福田区", 2024, 9769.67),
    "001": ("深圳市政务服务和数据管理局(本级)", "市本级", 2024, 44972.11),
    "002": ("深圳市福田区政务服务数据管理局", "福田区", 2020, 10251.69),
    "003": ("深圳市罗湖区智慧城市建设中心", "罗湖区", 2024, 5574.90),
    "004": ("深圳市罗湖区政务服务数据管理局(本级)", "罗湖区", 2024, 3020.16),
}


@pytest.mark.parametrize("prefix", sorted(SEEDS))
def test_seed_metadata(seed_files, prefix):
    (path,) = [p for p in seed_files if p.name.startswith(prefix)]
    meta = extract_metadata(normalize_text(path.read_text(encoding="utf-8")))
    department, district, year, total = SEEDS[prefix]
    assert meta.department == department
    assert meta.district == district
    assert meta.year == year
    assert meta.city == "深圳市"
    assert meta.total_wan == pytest.approx(total)


def test_seed_with_three_units(seed_files):
    (path,) = [p for p in seed_files if p.name.startswith("002")]
    meta = extract_metadata(normalize_text(path.read_text(encoding="utf-8")))
    assert meta.units == [
        "深圳市福田区政务服务数据管理局(本级)",
        "深圳市福田区政务服务中心",
        "深圳市福田区数据管理中心",
    ]
