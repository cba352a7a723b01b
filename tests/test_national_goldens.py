"""The parser against the national goldens (tests/golden/national/, read by eye from the pages),
on one document per city of ../shared/national: every metadata field and the total right, and
at least 90% of the hand-read projects and indicators found with their amounts and targets (the
issue's targets). `make eval` measures all 115 documents; the suite reads only these."""

import pytest

from bench.eval import FIELDS, compare, goldens, parse_one

DOCUMENTS = (
    "北京/2026年北京市统计局部门预算.pdf",  # prose only: the total from the text
    "上海/2026年上海市交通运输局_部门预算.pdf",  # a 单位预算, tables in 元
    "广州/2026年广州市人民政府办公厅部门预算.pdf",  # project rows under unit subtotals
    "重庆/2026年重庆市规划和自然资源局部门预算.pdf",  # operator, value and unit in columns
    "泉州/2026年泉州市公安局部门预算.pdf",  # one 绩效目标表 per project, titles wrapped
    "杭州/2026年杭州市司法局部门预算.pdf",  # a 项目支出表 with unit and project columns
    "无锡/信访局_2026年部门预算.pdf",  # named 2026, a 2025 budget
    "苏州/2026年苏州市水务局部门预算.pdf",  # a bureau's own 单位预算
    "惠州/2026年惠州市民政局部门预算.pdf",  # a gazette notice, not a budget
)


@pytest.mark.parametrize("key", DOCUMENTS)
def test_a_citys_document_against_its_golden(shared, key):
    want = goldens()[key]
    got = parse_one(shared / "national" / key)
    assert "error" not in got, got.get("error")
    result = compare(got, want)
    wrong = {f: (got["meta"][f], want[f]) for f in FIELDS if not result["fields"][f]}
    assert not wrong, wrong
    assert result["total"] is not False, (got["total_wan"], want["total_wan"])
    for kind in ("projects", "indicators"):
        found = result.get(kind) or []
        if found:
            assert sum(found) >= 0.9 * len(found), f"{kind}: {sum(found)} of {len(found)}"
