"""The parsing steps on small literals: amounts, changes, targets, indicator labels, projects."""

import pytest

from indexer.parse.amounts import find_change, parse_amount
from indexer.parse.blocks import to_blocks
from indexer.parse.checks import stated_sangong
from indexer.parse.indicators import find_indicators
from indexer.parse.lines import Flat, document_lines
from indexer.parse.projects import find_projects, list_projects
from indexer.parse.targets import parse_target


@pytest.mark.parametrize(
    "text, value",
    [("9,769.67", 9769.67), ("1,555. 39", 1555.39), ("20, 439. 03", 20439.03), ("320", 320)],
)
def test_amounts_in_ocr_forms(text, value):
    assert parse_amount(text) == value


def test_year_over_year_change_signed():
    change = find_change("较2023年年初预算增加4,521.51万元,增长28.4%")
    assert (change.base_year, change.wan, change.pct) == (2023, 4521.51, 28.4)
    change = find_change("较 2023 年预算减少 376.66 万元，下降 17.36%")
    assert (change.wan, change.pct) == (-376.66, -17.36)
    assert find_change("较 2023 年预算不变").wan == 0
    assert find_change("主要用于保障运行") is None


@pytest.mark.parametrize(
    "raw, name, parsed",
    [
        ("≥90%", "", ("≥", 90, "%")),
        ("每月≥95%", "", ("≥", 95, "%")),
        ("≤2 小时", "", ("≤", 2, "小时")),
        ("24小时内", "", ("≤", 24, "小时")),
        ("556台", "", ("=", 556, "台")),
        ("1", "整理档案数量完成率", ("=", 100, "%")),
        ("1", "开设专栏", ("=", 1, None)),
        ("2024年 12月 31日", "", ("≤", 20241231, "日期")),
        ("≥70 个；100%", "", ("≥", 70, "个")),
        ("≥1600 ↑", "", ("≥", 1600, "个")),
        ("显著", "", (None, None, None)),
        ("≥良好", "", (None, None, None)),
    ],
)
def test_targets(raw, name, parsed):
    target = parse_target(raw, name)
    assert target.raw == raw
    assert (target.op, target.value, target.unit) == parsed


LIST = """(四)项目支出 100.00万元,具体包括:
1.示例运维项目 60.00 万元,主要包括:一是机房运维 40 万
元,用于运行;二是网络服务 20 万元,用于连接。较2023年预算增加10万元,增长20%。
2.预算准备金 40.00 万元,主要用于应急。
第四部分 政府采购预算情况
"""


def test_project_list_with_sub_items_and_change():
    projects, warnings = list_projects(Flat(document_lines(LIST)), [])
    assert warnings == []
    got = [(p.parent, p.name, p.amount_wan) for p in projects]
    assert got == [
        (None, "示例运维项目", 60.0),
        ("示例运维项目", "机房运维", 40.0),
        ("示例运维项目", "网络服务", 20.0),
        (None, "预算准备金", 40.0),
    ]
    assert projects[0].change.wan == 10 and projects[0].change.pct == 20


def test_a_project_named_in_list_and_task_table_is_one_record_with_two_sources():
    text = (
        LIST
        + "示例中心整体支出绩效目标表\n单位：万元\n"
        + "任务名称 主要内容\n示例运维 主要用于运维 60.00 60.00 0.00\n金额合计 100.00 100.00 0.00\n"
    )
    projects, warnings = find_projects(document_lines(text), [], None)
    top = [p for p in projects if not p.parent]
    assert [p.name for p in top] == ["示例运维项目", "预算准备金"]
    assert [s.kind for s in top[0].sources] == ["list", "task"]
    assert warnings == []


TOP_LABELS = """一级指标 二级指标 三级指标 目标值
产出指标
数量指标
维护设备数量 556台
巡检次数 6次
质量指标
系统可用率 ≥99%
满意度指标 服务对象满意度指标 用户满意度 ≥90%
"""

# PDF text puts a merged cell's label at its middle: after some of the rows it spans.
CENTRED_LABELS = """一级指标 二级指标 三级指标 目标值
维护设备数量 556台
产出指标 数量指标
巡检次数 6次
培训人数 ≥300人
系统可用率 ≥99%
质量指标
故障率 ≤2%
满意度指标 服务对象满意度指标 用户满意度 ≥90%
"""


def form_indicators(grid: str):
    """The indicators of a grid printed in a project's 绩效目标表."""
    form = "监控系统运维项目绩效目标表\n单位：万元\n" + grid
    return find_indicators(to_blocks(document_lines(form)), [])


@pytest.mark.parametrize("text", [TOP_LABELS, CENTRED_LABELS])
def test_indicator_labels_carried_over_their_rows(text):
    indicators = form_indicators(text)
    assert {i.project for i in indicators} == {"监控系统运维项目"}
    got = {i.name: (i.level1, i.level2) for i in indicators}
    assert got["维护设备数量"] == ("产出指标", "数量指标")
    assert got["巡检次数"] == ("产出指标", "数量指标")
    assert got["系统可用率"] == ("产出指标", "质量指标")
    assert got["用户满意度"] == ("满意度指标", "服务对象满意度指标")


def test_indicator_rows_as_cells_and_wrapped_names():
    cells = (
        "\t一级指标\t二级指标\t三级指标\t目标值\n"
        "\t产出指标\t数量指标\t接入数量\t≥10 个\n"
        "\t\t\t不适用\t不适用\n"
    )
    wrapped = (
        "一级指标 二级指标 三级指标 目标值\n数量指标\n保障系统正常运行的监控点数\n量\n1918 个\n"
    )
    from_cells = form_indicators(cells)
    assert [(i.level2, i.name, i.target.value) for i in from_cells] == [
        ("数量指标", "接入数量", 10)
    ]
    from_lines = form_indicators(wrapped)
    assert [(i.name, i.target.raw) for i in from_lines] == [
        ("保障系统正常运行的监控点数量", "1918 个")
    ]


def test_inconsistent_documents_get_data_quality_warnings():
    from pathlib import Path

    from indexer.extract.base import Extracted, Page
    from indexer.records import build_records

    text = (
        "2025年示例市甲局部门预算\n"
        "2025年示例市甲局部门预算收入 150.00 万元。\n"
        "(四)项目支出 100.00万元,具体包括:\n"
        "1.示例运维项目 60.00 万元,主要用于运维。\n"
        "2.预算准备金 30.00 万元,主要用于应急。\n"
        "第四部分 政府采购预算情况\n"
        "2025年“三公”经费预算 10.00 万元。因公出国(境)费 2.00 万元,"
        "公务接待费 3.00 万元,公务用车购置及运行维护费 4.00 万元。\n"
        "收支总表\n收入总计 160.00 支出总计 160.00\n"
    )
    records = build_records(Path("x.txt"), "x", Extracted(pages=[Page(None, text)]))
    warnings = records[0].warnings
    assert any(w.startswith("项目支出") and "90.00" in w and "100.00" in w for w in warnings)
    assert any(w.startswith("总额") and "150.00" in w and "160.00" in w for w in warnings)
    assert any(w.startswith("三公经费") and "9.00" in w for w in warnings)


def test_line_items_with_codes_pairs_and_yuan():
    from indexer.parse.blocks import to_blocks
    from indexer.parse.line_items import find_line_items

    text = (
        "(十一)国有资本经营预算支出表\n"  # a contents entry, then prose: no table
        "本部门预算收入 100.00 万元,比上年增加 1.00 万元。\n"
        "表1 收支总表\n"
        "一、财政拨款 9,769.67 一、一般公共服务支出 8,930.46\n"
        "表 3 支出总表\n"
        "预算单位 科目编码 科目名称 支出总计 基本支出 项目支出\n"
        "201 一般公共服务支出 156.00 156.00 0.00\n"
        "2080505 机关事业单位基本养老保险缴费支出 156.00 156.00 0.00\n"
        "20805 行政事业单位养老支出 156.00 156.00 0.00\n"
        "2080506 机关事业单位职业年金缴费支出 1.00 1.00 0.00\n"
        "部门收入预算总表\n"
        "编制部门:示例市甲局 单位:元\n"
        "项目\t合计\n"
        "收入总计\t371,514,655.00\n"
    )
    items = find_line_items(to_blocks(document_lines(text)))
    got = [(i.table, i.code, i.parent_code, i.name, i.amounts) for i in items]
    assert got == [
        ("收支总表", None, None, "一、财政拨款", [("col2", 9769.67)]),
        ("收支总表", None, None, "一、一般公共服务支出", [("col4", 8930.46)]),
        (
            "支出总表",
            "201",
            None,
            "一般公共服务支出",
            [("col3", 156.0), ("col4", 156.0), ("col5", 0.0)],
        ),
        (
            "支出总表",
            "2080505",
            None,
            "机关事业单位基本养老保险缴费支出",
            [("col3", 156.0), ("col4", 156.0), ("col5", 0.0)],
        ),
        (
            "支出总表",
            "20805",
            None,
            "行政事业单位养老支出",
            [("col3", 156.0), ("col4", 156.0), ("col5", 0.0)],
        ),
        (
            "支出总表",
            "2080506",
            "20805",
            "机关事业单位职业年金缴费支出",
            [("col3", 1.0), ("col4", 1.0), ("col5", 0.0)],
        ),
        ("收入总表", None, None, "收入总计", [("合计", 37151.4655)]),
    ]
    # the printed title is kept beside the standard name
    assert items[-1].title == "部门收入预算总表"


@pytest.mark.parametrize(
    ("text", "stated"),
    [
        ("2024年“三公”经费财政拨款预算 9.34 万元，比上年减少。", 9.34),
        ('2024年财政拨款"三公"经费预算73万元,较上年增加。', 73.0),
        ("二、“三公”经费安排情况\n本部门财政拨款安排“三公”经费44.94万元,比上年减少", 44.94),
        ("一般公共预算拨款安排的“三公”经费支出预算 2.02 万元,与上年相同。", 2.02),
        ("“三公”经费支出预算表\n单位:万元", None),
    ],
)
def test_the_stated_sangong_is_read_in_each_wording(text, stated):
    assert stated_sangong(Flat(document_lines(text))) == stated
