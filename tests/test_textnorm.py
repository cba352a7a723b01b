import pytest

from indexer.textnorm import (
    DecodeError,
    compact,
    decode_bytes,
    join_wrapped_lines,
    nfkc_one_to_one,
    normalize_text,
)

TEXT = "2024年部门预算收入1,234.50万元（本级）"


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030", "utf-16", "utf-16-le", "utf-8-sig"])
def test_decodes_each_accepted_encoding(encoding):
    text, _ = decode_bytes(TEXT.encode(encoding))
    assert text == TEXT


def test_gb18030_is_named_when_utf8_fails():
    assert decode_bytes(TEXT.encode("gb18030"))[1] == "gb18030"


def test_binary_junk_is_a_decode_error():
    with pytest.raises(DecodeError):
        decode_bytes(bytes(range(256)) * 4)


def test_nfkc_keeps_length_and_maps_full_width():
    source = "（一）ＡＢＣ１２３　㎡"
    out = nfkc_one_to_one(source)
    assert len(out) == len(source)
    # full-width letters, digits, brackets and space become ASCII; ㎡ (NFKC "m2") stays
    assert out == "(一)ABC123 ㎡"


def test_zero_width_characters_are_removed():
    assert normalize_text("民意\u200b速办\ufeff") == "民意速办"


WRAPPED = """第二部分 部门预算收支总体情况

2024 年示例市东湖区政务服务数据管理局部门预

算收入 1,234.50万元，较 2023年年初预算增加 34.50万元，增

长 2.9%。

一、部门职责
"""


def test_lines_wrapped_between_chinese_characters_are_joined():
    out = join_wrapped_lines(WRAPPED)
    assert "部门预算收入 1,234.50万元" in out
    assert "增长 2.9%。" in out
    # headings stay on their own lines
    assert "\n一、部门职责" in out
    assert out.startswith("第二部分 部门预算收支总体情况\n")


def test_compact_removes_spaces_inside_figures_and_between_words():
    assert compact("2024 年 部门 预算 1,555. 39 万元") == "2024年部门预算1,555.39万元"


def test_letter_spaced_runs_are_closed_up_and_words_kept():
    assert (
        normalize_text("2026 年 深 圳 市 交 通 运 输 局 部 门 预 算")
        == "2026 年深圳市交通运输局部门预算"
    )
    # two-character groups are words a PDF spaced on purpose, not letter-spacing
    assert normalize_text("深圳市福田区 政务服务数据 管理局") == "深圳市福田区 政务服务数据 管理局"


def test_table_rows_are_not_joined_as_wrapped_prose():
    prose = "这是一行很长的中文说明文字用于确定本文档的正常行宽度大约二十个字"
    text = "\n".join([prose, prose, prose, "项目名称\t预算数", "信息化运维\t953.52"])
    assert join_wrapped_lines(text).split("\n")[-2:] == ["项目名称\t预算数", "信息化运维\t953.52"]


def test_radical_forms_some_pdf_fonts_emit_read_as_characters():
    assert (
        normalize_text("深圳市⻰岗区交通运输局部⻔预算,⺠意速办")
        == "深圳市龙岗区交通运输局部门预算,民意速办"
    )
