from pathlib import Path

import pytest

from extractor.loaders.text import load, tokens_from_text
from extractor.tokens import LoadError


def cells(text):
    return [t.text for t in tokens_from_text(text) if t.cell]


def test_pipe_rows_keep_blank_cells_in_place():
    assert cells("规章 | 0 |  | 3 |\n") == ["规章", "0", "", "3"]


def test_pipe_rows_without_trailing_bar():
    assert cells("规章 | 0 | 1 | 3\n行政许可 | 5\n") == ["规章", "0", "1", "3", "行政许可", "5"]


def test_one_cell_per_line_with_padding_lines():
    assert cells("规章 |\n0 |\n|||\n1 |\n") == ["规章", "0", "", "", "", "1"]


def test_tab_rows():
    assert cells("一、本年新收政府信息公开申请数量\t\t6\t0\n") == ["一、本年新收政府信息公开申请数量", "", "6", "0"]


def test_wrapped_label_in_one_cell_per_line_layout_is_joined():
    text = "0 |\n2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信\n息公开申请 |\n0 |\n"
    assert cells(text) == ["0", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "0"]


def test_wrapped_label_in_pipe_rows_is_joined():
    text = "(一)予以公开 | 2 |\n(二)部分公开(区分处理的,只计这一情形, | 0 | 1\n不计其他情形) | 3 |\n"
    # a value (1) left unterminated is never glued to the next line's words
    assert "不计其他情形)" in cells(text)
    text = "a | 1 |\n(二)部分公开(区分处理的,只计这一情形,\n不计其他情形) | 0 |\n"
    assert cells(text) == ["a", "1", "(二)部分公开(区分处理的,只计这一情形,不计其他情形)", "0"]


def test_figures_are_never_glued_across_lines():
    assert cells("行政许可 | 10\n865 |\n") == ["行政许可", "10", "865"]


def test_section_heading_between_tables_is_not_joined_to_a_cell():
    text = "行政事业性收费 | 0 |\n三、收到和处理政府信息公开申请情况\n申请人情况 |\n"
    toks = tokens_from_text(text)
    assert [t.text for t in toks if not t.cell] == ["三、收到和处理政府信息公开申请情况"]


def test_prose_lines_are_single_tokens():
    toks = tokens_from_text("一、总体情况\n\n  2024年,我街道……  \n")
    assert [(t.text, t.cell) for t in toks] == [("一、总体情况", False), ("2024年,我街道……", False)]


def test_gbk_file_decodes(tmp_path: Path):
    path = tmp_path / "gbk.txt"
    path.write_bytes("一、总体情况\n规章 | 0 |\n".encode("gbk"))
    assert [t.text for t in load(path).tokens] == ["一、总体情况", "规章", "0"]


def test_empty_and_binary_files_are_refused(tmp_path: Path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"  \n")
    with pytest.raises(LoadError, match="empty"):
        load(empty)
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"\x00\x01\x02" * 100)
    with pytest.raises(LoadError, match="binary"):
        load(binary)


def test_page_furniture_copied_into_a_table_is_never_glued_onto_a_cell():
    title = "某某街道办事处2024年政府信息公开工作年度报告"
    text = (f"{title}\n一、总体情况\n……\n规章 |\n0 |\n第 2 页 共 5 页\n{title}\n行政处罚 |\n3 |\n"
            f"- 3 -\n{title}\n行政强制 |\n1 |\n")
    toks = tokens_from_text(text)
    assert [t.text for t in toks if t.cell] == ["规章", "0", "行政处罚", "3", "行政强制", "1"]
    # the running header is furniture where it repeats; its first printing is the title
    assert [(t.text, t.furniture) for t in toks if t.text == title] == [(title, False), (title, True), (title, True)]
    assert not any(t.furniture for t in toks if t.text in ("第 2 页 共 5 页", "- 3 -"))  # the tagger's to say


def test_short_repeated_lines_are_not_running_headers():
    toks = tokens_from_text("无。\n其他\n无。\n其他\n本年度没有其他需要报告的事项\n")
    assert not any(t.furniture for t in toks)
