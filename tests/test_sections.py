from indexer.sections import heading_level, split_sections

DOC = """2025年示例市甲局部门预算
目录
第一部分 部门概况
第二部分 部门预算收支总体情况
一、文字部分
第一部分 部门概况
一、部门职责
负责示例工作。
(一)主要职能
(一)贯彻执行国家、省、市关于政务服务的法律、法规和政策,组织实施。
二、机构设置
下设办公室。
第二部分 部门预算收支总体情况
收入 10 万元。
二、表格部分
表 1 收支总表
一、财政拨款 9,769.67 一、一般公共服务支出 8,930.46
"""


def test_heading_levels():
    assert heading_level("第三部分 部门预算支出具体情况") == 1
    assert heading_level("一、部门职责") == 2
    assert heading_level("(二)机构设置") == 3
    # a list item and a table row are body text
    assert (
        heading_level("(一)贯彻执行国家、省、市关于政务服务的法律、法规和政策,组织实施。") is None
    )
    assert heading_level("一、财政拨款 9,769.67 一、一般公共服务支出 8,930.46") is None


def test_sections_carry_their_heading_chain():
    sections = list(split_sections(DOC))
    by_title = {s.title: s for s in sections}
    assert by_title["一、部门职责"].path == ["一、文字部分", "第一部分 部门概况", "一、部门职责"]
    assert by_title["一、部门职责"].text == "负责示例工作。"
    assert by_title["(一)主要职能"].path[-2:] == ["一、部门职责", "(一)主要职能"]
    assert by_title["二、机构设置"].path == ["一、文字部分", "第一部分 部门概况", "二、机构设置"]
    assert by_title["表 1 收支总表"].path == ["二、表格部分", "表 1 收支总表"]
    # the table of contents has no body, so it yields no sections of its own
    assert [s.title for s in sections].count("第一部分 部门概况") == 0
    assert sections[0].text.startswith("2025年示例市甲局部门预算")
