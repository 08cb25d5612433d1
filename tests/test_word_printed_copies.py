"""Text copies of Word-printed PDFs (issue 26 item 6): `pdftotext -raw` drops blank cells and
prints narrow header cells a character a line, so a copy can be read by order only; a document
that prints all its cells must then be read whole, and the rest named, never guessed."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from extractor.loaders.text import tokens_from_text
from extractor.pipeline import extract
from extractor.render import render
from extractor.synth import wordprint_set
from extractor.tagging import get_tagger

RULES = get_tagger("rules")
FIXTURES = Path(__file__).resolve().parent / "fixtures"
REVIEW_HEADER = ("行政复议 行政诉讼\n" + "\n".join("结果维持结果纠正其他结果尚未审结总计") + "\n未经复议直接起诉 复议后起诉\n"
                 + "\n".join("结果维持结果纠正其他结果尚未审结总计" * 2))


def test_the_last_character_of_a_header_printed_a_character_a_line_is_no_row_label(tmp_path):
    # 「计」 of 总计 stands right above the review table's figures: it was taken for the label of a
    # row of no table, and the fifteen figures were lost with it
    text = (f"四、因政府信息公开工作被申请行政复议、提起行政诉讼情况\n{REVIEW_HEADER}\n"
            + " ".join(str(n) for n in range(1, 16)) + "\n五、存在的主要问题及改进情况\n无。\n")
    path = tmp_path / "copy.txt"
    path.write_text(text, encoding="utf-8")
    result = extract(path, tagger=RULES)
    review = result["tables"]["review_litigation"]
    assert review["administrative_review"] == {"upheld": 1, "corrected": 2, "other": 3, "pending": 4, "total": 5}
    assert review["litigation_after_review"]["total"] == 15
    assert not any("not a row of the standard format" in e for e in result["errors"]), result["errors"]


def test_a_page_number_printed_as_a_bare_figure_at_each_page_end_is_furniture():
    title = "某某街道办事处2024年政府信息公开工作年度报告"
    text = (f"{title}\n一、总体情况\n行政许可\n7\n1\n\f{title}\n二、主动公开\n行政处罚\n5\n2\n\f{title}\n"
            "行政强制\n4\n3\n\f")
    toks = tokens_from_text(text)
    assert [t.text for t in toks if t.furniture and t.text != title] == ["1", "2", "3"]
    assert not any(t.furniture for t in toks if t.text in ("7", "5", "4"))


def test_bare_figures_at_page_ends_that_count_no_pages_stay_figures():
    text = "行政许可\n12\n\f行政处罚\n40\n\f行政强制\n3\n\f"
    assert not any(t.furniture for t in tokens_from_text(text))


def test_two_rows_printing_the_same_figures_are_no_running_header():
    text = "1.本机关不掌握相关政府信息\n3011 0 0 0 0 0 3011\n8.属于行政查询事项\n3011 0 0 0 0 0 3011\n"
    toks = tokens_from_text(text)
    assert not any(t.furniture for t in toks)
    assert [t.text for t in toks if t.cell].count("3011") == 4


@pytest.fixture(scope="module")
def raw_copies(tmp_path_factory):
    """`pdftotext -raw` copies of Word-printed PDFs (no ruling lines) of tuning documents that print
    every cell: 2019 format with bare page numbers (1), traditional script with the review header a
    character a line (2), two rows printing the same figures (16)."""
    out = tmp_path_factory.mktemp("raw")
    copies = {}
    for index in (1, 2, 16):
        gold = wordprint_set.wordprint_gold(wordprint_set.TUNING_SEED, index)
        pdf = render(gold, "pdf", out / str(index), name="report", table_rules="none", geometry="word")
        copy = out / f"{index}.txt"
        subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(pdf), str(copy)], check=True)
        copies[index] = (gold, copy)
    return copies


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdftotext") is None,
                    reason="LibreOffice and poppler-utils are installed by scripts/setup")
@pytest.mark.parametrize("index", [1, 2, 16])
def test_a_raw_copy_of_a_word_printed_report_that_prints_every_cell_is_read_whole(raw_copies, index):
    gold, copy = raw_copies[index]
    assert all(v is not None for t in gold["tables"].values() for r in t.values() for v in r.values())
    result = extract(Path(copy), tagger=RULES)
    assert result["tables"] == gold["tables"], result["errors"]
    assert result["status"] == "ok", result["errors"]


def test_the_rest_of_a_label_printed_after_its_figures_across_a_page_break_completes_its_row():
    title = "杏花乡人民政府2025年政府信息公开工作年度报告"
    text = (f"{title}\n（四）无\n法提供\n1.本机关\n不掌握相\n关政府信\n息\n1 0 0 0 0 0 1\n2.没有现 2 0 0 0 0 0 2\n— 3 —\n"
            f"\f{title}\n成信息需\n要另行制\n作\n3.补正后\n申请内容\n仍不明确\n3 0 0 0 0 0 3\n")
    rows = {}
    label = None
    for token in tokens_from_text(text):
        if token.cell and not token.text.isdigit():
            label = token.text
            rows[label] = []
        elif token.cell:
            rows[label].append(token.text)
    assert rows == {"1.本机关不掌握相关政府信息": ["1", "0", "0", "0", "0", "0", "1"],
                    "2.没有现成信息需要另行制作": ["2", "0", "0", "0", "0", "0", "2"],
                    "3.补正后申请内容仍不明确": ["3", "0", "0", "0", "0", "0", "3"]}


def test_a_cut_label_whose_next_lines_make_no_row_stays_as_printed():
    # the lines after 「2.没有现 …」 open the next row's label: nothing is joined onto the cut one
    toks = tokens_from_text("2.没有现 2 0 0 0 0 0 2\n3.补正后\n申请内容\n仍不明确\n3 0 0 0 0 0 3\n")
    assert "2.没有现 2 0 0 0 0 0 2" in [t.text for t in toks if not t.cell]


def test_a_label_printed_above_and_below_its_figures_in_a_layout_copy_is_its_row():
    # pdftotext -layout sets the figures level with the middle of a narrow label cell
    text = ("           1.属于国\n                   5   0     0    0     0    0   5\n            家秘密\n"
            "             3.危\n           及“三安\n                   2   0     0    0     0    0   2\n"
            "            全一稳\n             定”\n")
    labels = [t.text for t in tokens_from_text(text) if t.cell and not t.text.isdigit()]
    assert labels == ["1.属于国家秘密", "3.危及“三安全一稳定”"]


def test_the_middle_line_of_a_label_beside_its_figures_in_a_layout_copy_is_its_row():
    # pdftotext -layout of a Word-printed applications table (tuning document 9 of seed 2612002):
    # three-line labels with the figures beside the middle line (「2.其他法律行」 「政法规禁止公   0 …」
    # 「开」), after a group label's piece too (「法提供   握相关政府信   0 …」); the block's columns do not
    # line up with its header, so its rows are read in order
    result = extract(FIXTURES / "word-layout-applications.txt", tagger=RULES)
    applications = result["tables"]["applications"]
    for row in ("denied_prohibited_by_law", "unable_not_held", "unable_needs_creation"):
        assert row in applications and None not in applications[row].values(), (row, result["errors"])
    assert not any("has no cells for its figures" in error for error in result["errors"]), result["errors"]
