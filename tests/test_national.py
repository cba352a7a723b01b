"""Metadata and tables of the national template, from synthetic texts written here: where a
body sits (province, city, district, level), the kind of document, a 单位预算's unit and
department, and the table layer (titles, units, stacked headers, tables across pages)."""

import pytest

from indexer.metadata import extract_metadata
from indexer.parse.blocks import Table, standard_table, to_blocks
from indexer.parse.checks import table_total
from indexer.parse.lines import document_lines
from indexer.places import place_key, place_of
from indexer.textnorm import normalize_text


@pytest.mark.parametrize(
    ("name", "province", "city", "district", "level"),
    [
        ("深圳市福田区政务服务数据管理局", "广东省", "深圳市", "福田区", "区县级"),
        ("中共北京市委宣传部", "北京市", "北京市", "市本级", "省级"),
        ("中国共产党广州市委员会宣传部", "广东省", "广州市", "市本级", "市级"),
        ("上海市浦东新区财政局", "上海市", "上海市", "浦东新区", "区县级"),
        ("晋江市财政局", "福建省", "泉州市", "晋江市", "区县级"),
        ("广东省财政厅", "广东省", None, None, "省级"),
        ("国家统计局", None, None, None, "中央"),
        ("兰州市统计局", "甘肃省", "兰州市", "市本级", "市级"),
        ("海淀区教育委员会", "北京市", "北京市", "海淀区", "区县级"),
    ],
)
def test_places_from_the_national_division_table(name, province, city, district, level):
    place = place_of(name)
    assert (place.province, place.city, place.district, place.level) == (
        province,
        city,
        district,
        level,
    )


def test_a_name_without_a_place_is_not_placed():
    assert place_of("中山大学附属学校") is None


def test_two_cities_city_level_bodies_are_two_places():
    assert place_key("深圳市", "市本级") != place_key("广州市", "市本级")


def meta_of(text: str):
    return extract_metadata(normalize_text(text))


def test_a_department_budget_with_a_three_character_name():
    meta = meta_of("兰州市统计局2026年度部门预算\n\f\n目录\n一、收支总表\n二、收入总表\n")
    assert (meta.doc_type, meta.department, meta.year) == ("部门预算", "兰州市统计局", 2026)
    assert (meta.province, meta.city, meta.district, meta.level) == (
        "甘肃省",
        "兰州市",
        "市本级",
        "市级",
    )


@pytest.mark.parametrize(
    ("title", "doc_type", "department", "year", "level"),
    [
        ("2026年海淀区教育委员会部门预算", "部门预算", "海淀区教育委员会", 2026, "区县级"),
        ("广东省财政厅2026年部门预算", "部门预算", "广东省财政厅", 2026, "省级"),
        ("国家统计局2026年部门预算", "部门预算", "国家统计局", 2026, "中央"),
        ("2025年度北京市朝阳区民政局部门决算", "部门决算", "北京市朝阳区民政局", 2025, "区县级"),
    ],
)
def test_bodies_of_every_level(title, doc_type, department, year, level):
    meta = meta_of(f"{title}\n\f\n收支总表\n{title}说明。\n")
    assert (meta.doc_type, meta.department, meta.year, meta.level) == (
        doc_type,
        department,
        year,
        level,
    )
    if level == "中央":
        assert (meta.province, meta.city, meta.district) == (None, None, None)


def test_a_unit_budget_names_its_unit_and_the_department_it_belongs_to():
    text = (
        "长沙市2026年市级单位预算\n预算单位：长沙市水文监测中心\n\f\n"
        "长沙市水文监测中心主要职能\n长沙市水文监测中心隶属于长沙市水利局，负责水文监测。\n"
    )
    meta = meta_of(text)
    assert (meta.doc_type, meta.unit, meta.department) == (
        "单位预算",
        "长沙市水文监测中心",
        "长沙市水利局",
    )
    assert (meta.city, meta.level, meta.year) == ("长沙市", "市级", 2026)


def test_a_bureaus_own_unit_budget_belongs_to_the_bureau():
    meta = meta_of("2026年度兰州市统计局（本级）单位预算公开\n")
    assert (meta.doc_type, meta.unit, meta.department) == (
        "单位预算",
        "兰州市统计局(本级)",
        "兰州市统计局",
    )


def test_a_notice_is_other_with_nothing_invented():
    meta = meta_of("兰州市人民政府办公厅关于做好2026年防汛工作的通知\n各区县人民政府：……\n")
    assert meta.doc_type == "other"
    assert (meta.department, meta.year, meta.city, meta.total_wan) == (None, None, None, None)


def test_a_title_whose_year_the_text_layer_moved():
    text = "兰州市气象局 年部门预算情况说明\n2026\n一、单位基本情况\n" + (
        "2025年部门预算执行良好。收支总表、收入总表、支出总表、财政拨款收支总表。\n" * 3
    )
    meta = meta_of(text)
    assert (meta.department, meta.year) == ("兰州市气象局", 2026)


def blocks_of(text: str):
    return to_blocks(document_lines(normalize_text(text)))


def test_a_contents_page_is_prose_and_a_titled_table_is_a_table():
    text = (
        "目录\n一、收支总表\n二、收入总表\n\f\n"
        "表一\n2026年部门收支总体情况表\n单位名称：兰州市统计局 单位：元\n"
        "收入\t\t支出\t\n项目\t预算数\t项目\t预算数\n"
        "合计\t1,234,500.00\t合计\t1,234,500.00\n"
        "一、一般公共预算资金\t1,234,500.00\t一、一般公共服务支出\t1,234,500.00\n"
    )
    found = [b for b in blocks_of(text) if isinstance(b, Table)]
    assert len(found) == 1
    table = found[0]
    assert (table.title, table.standard, table.unit) == ("部门收支总体情况表", "收支总表", "元")
    assert table.columns(4) == ["收入·项目", "收入·预算数", "支出·项目", "支出·预算数"]
    assert table_total(blocks_of(text)) == 123.45  # 元 -> 万元, from the 合计 row


def test_a_table_goes_on_over_the_next_page_without_reading_its_header_twice():
    text = (
        "表10 市级部门项目支出预算表\n部门名称：兰州市统计局 单位：万元\n"
        "单位名称\t项目名称\t总计\n"
        "兰州市统计局\t普查经费\t10.00\n\f\n"
        "表10 市级部门项目支出预算表（续）\n单位名称\t项目名称\t总计\n"
        "兰州市统计局\t调查经费\t20.50\n"
    )
    found = [b for b in blocks_of(text) if isinstance(b, Table)]
    assert len(found) == 1
    table = found[0]
    assert table.standard == "项目支出表"
    assert [r.cells for r in table.rows] == [
        ["兰州市统计局", "普查经费", "10.00"],
        ["兰州市统计局", "调查经费", "20.50"],
    ]
    assert (table.first_page, table.last_page) == (0, 1)


@pytest.mark.parametrize(
    ("title", "standard"),
    [
        ("财务收支预算总表", "收支总表"),
        ("部门综合预算收支总表", "收支总表"),
        ("一般公共预算基本支出情况表（按经济分类科目）", "一般公共预算基本支出表"),
        ("财政拨款安排的行政经费及“三公”经费预算表", "“三公”经费支出表"),
        ("部门预算项目支出及其他支出预算表", "项目支出表"),
        ("部门整体支出绩效目标表", "部门整体支出绩效目标表"),
        ("财政拨款收支总体情况表", "财政拨款收支总表"),
        ("政府采购预算明细表", "政府采购预算表"),
    ],
)
def test_standard_tables_by_what_their_titles_say(title, standard):
    assert standard_table(title) == standard


def test_a_projects_own_form_named_by_its_title_even_when_it_starts_with_figures():
    from indexer.parse.project_tables import table_projects

    text = (
        "12345热线运营项目绩效目标表\n"
        "专项资金情况(万元)\t资金总额:\t57.00\t\n"
        "\t财政拨款:\t57.00\t\n"
        "绩效目标指标\t一级指标\t二级指标\t三级指标\t目标值\n"
        "\t产出指标\t数量指标\t接听量\t≥100万次\n"
    )
    found = [b for b in blocks_of(text) if isinstance(b, Table)]
    assert [(t.title, t.standard) for t in found] == [
        ("12345热线运营项目绩效目标表", "项目支出绩效目标表")
    ]
    projects = table_projects(found, [])
    assert [(p.name, p.amount_wan) for p in projects] == [("12345热线运营项目", 57.0)]


def test_an_untitled_key_project_table_after_its_lead_in():
    from indexer.parse.projects import key_projects

    text = (
        "2026年,本单位重点项目绩效目标情况如下:\n"
        "二级预算单位名称\t一级项目名称\t预算数(万元)\t绩效目标\n"
        "兰州市统计局(本级)\t普查经费\t1,010.50\t1.完成普查。2.按时公开结果。\n"
        "\t\t\t保障调查质量达标率达95%。\n"
        "兰州市统计局(本级)\t调查经费\t20.00\t完成年度调查。\n"
        "第八部分 名词解释\n"
    )
    blocks = blocks_of(text)
    found = [b for b in blocks if isinstance(b, Table)]
    assert [(t.title, t.standard) for t in found] == [("重点项目绩效目标", None)]
    projects = key_projects(blocks, [])
    assert [(p.name, p.amount_wan, p.sources[0].kind) for p in projects] == [
        ("普查经费", 1010.5, "key_project"),
        ("调查经费", 20.0, "key_project"),
    ]


def test_a_form_holds_sentences_and_its_indicators_keep_to_it():
    from indexer.parse.indicator_tables import column_indicators
    from indexer.parse.indicators import find_indicators

    text = (
        "表十\n2026年部门整体绩效目标表\n单位名称:兰州市统计局\n"
        "年度总体目标\n完成普查。按时公开结果。\n"
        "一级指标 二级指标 三级指标 目标值\n"
        "产出指标 数量指标 普查户数 ≥1000户\n\f\n"
        "表十一\n2026年市级一般性项目绩效目标表 一级项目\n单位:万元\n"
        "项目名称\t调查经费\t主管部门\t兰州市统计局\n"
        "当年预算\t20.00\t\t\n"
        "指标名称\t指标性质\t指标值\t计量单位\n"
        "调查样本数\t≥\t500\t个\n"
    )
    blocks = blocks_of(text)
    found = [b for b in blocks if isinstance(b, Table)]
    assert [(t.title, t.standard) for t in found] == [
        ("部门整体绩效目标表", "部门整体支出绩效目标表"),
        ("市级一般性项目绩效目标表", "项目支出绩效目标表"),
    ]
    got = [(i.project, i.name, i.target.raw) for i in find_indicators(blocks, [])]
    assert got == [(None, "普查户数", "≥1000户")]
    got = [(i.project, i.name, i.target.raw) for i in column_indicators(blocks)]
    assert got == [("调查经费", "调查样本数", "≥500个")]


def test_a_standard_table_by_its_header_when_its_title_does_not_say():
    text = (
        "表3\n2026年部门预算明细表\n单位:万元\n"
        "科目编码\t科目名称\t合计\t基本支出\t项目支出\n"
        "201\t一般公共服务支出\t30.00\t10.00\t20.00\n\f\n"
        "表4\n2026年部门经费安排表\n单位:万元\n"
        "科目编码\t科目名称\t合计\t人员经费\t公用经费\n"
        "201\t一般公共服务支出\t10.00\t8.00\t2.00\n"
    )
    found = [b for b in blocks_of(text) if isinstance(b, Table)]
    assert [(t.title, t.standard) for t in found] == [
        ("部门预算明细表", "支出总表"),
        ("部门经费安排表", "一般公共预算基本支出表"),
    ]
