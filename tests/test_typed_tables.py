"""Tables typed as paragraphs: a Word file (or a web page) whose table is its lines, not a grid.

Many reports are made by pasting a copy of the table into Word: one cell a paragraph (`规章 |`,
`0 |`), rows typed with tabs, or a `pdftotext` copy with its aligned spaces. Such paragraphs go
through the same text-row reader as a `.txt` file, so each must read exactly as the `.txt` whose
lines it holds.
"""

import docx
import pytest

from extractor.convert import convert
from extractor.evaluation.compare import compare
from extractor.loaders import docx as docx_loader
from extractor.loaders import text as text_loader
from extractor.loaders.text import display_width
from extractor.pipeline import extract
from extractor.tagging import get_tagger


def typed_docx(lines: list[str], path):
    """A Word file of one paragraph per line (a tab is Word's tab, spaces as typed)."""
    document = docx.Document()
    for line in lines:
        document.add_paragraph(line)
    document.save(path)
    return path


def test_a_seed_typed_into_word_paragraph_by_paragraph_reads_as_its_text(seed, tmp_path):
    doc_id, gold, source = seed
    path = typed_docx(source.read_text("utf-8").splitlines(), tmp_path / f"{doc_id}.docx")
    as_text = extract(source, tagger=get_tagger("rules"))
    as_word = extract(path, tagger=get_tagger("rules"))
    assert compare(as_word, gold) == []
    assert as_word["status"] == "ok", as_word["errors"]
    for key in ("report", "sections", "tables", "checks"):
        assert as_word[key] == as_text[key], key


def test_rows_typed_with_word_tabs_are_cells(tmp_path):
    path = typed_docx(["二、主动公开政府信息情况", "信息内容\t本年制发件数\t本年废止件数\t现行有效件数",
                       "规章\t1\t0\t5", "行政规范性文件\t3\t2\t40"], tmp_path / "tabs.docx")
    tokens = docx_loader.load(path).tokens
    assert [t.text for t in tokens if t.cell and t.line == 2] == ["规章", "1", "0", "5"]
    assert [t.text for t in tokens if t.cell and t.line == 3] == ["行政规范性文件", "3", "2", "40"]


def test_a_pdftotext_copy_pasted_into_word_keeps_its_alignment(tmp_path):
    # aligned by runs of spaces, a blank cell under 本年废止件数: read by position, as in a .txt
    def row(label: str, *figures: str) -> str:  # figures right-aligned under the header words
        line = label + " " * (20 - display_width(label))
        for n, figure in enumerate(figures):
            line += " " * (20 + 16 * n + 12 - display_width(line) - len(figure)) + figure
        return line.rstrip()

    lines = ["二、主动公开政府信息情况", "信息内容" + " " * 12 + "本年制发件数    本年废止件数    现行有效件数",
             row("规章", "1", "", "5"), row("行政规范性文件", "3", "2", "40")]
    path = typed_docx(lines, tmp_path / "layout.docx")
    text = tmp_path / "layout.txt"
    text.write_text("\n".join(lines) + "\n", "utf-8")
    word_cells = [(t.text, t.row, t.col) for t in docx_loader.load(path).tokens if t.cell]
    assert word_cells == [(t.text, t.row, t.col) for t in text_loader.load(text).tokens if t.cell]
    assert ("", 1, 2) in word_cells  # the blank cell has its column


def test_text_runs_between_word_grids_keep_their_own_table_numbers(tmp_path):
    document = docx.Document()
    document.add_paragraph("二、主动公开政府信息情况")
    grid = document.add_table(rows=2, cols=2)
    grid.cell(0, 0).text, grid.cell(0, 1).text = "信息内容", "年度"
    grid.cell(1, 0).text, grid.cell(1, 1).text = "规章", "1"
    for line in ("信息内容\u3000本年制发件数\u3000本年废止件数", "规章\u30001\u30000"):
        document.add_paragraph(line)  # a table joined by ideographic spaces: a grid of its own
    path = tmp_path / "mixed.docx"
    document.save(path)
    tokens = docx_loader.load(path).tokens
    tables = {t.table for t in tokens if t.table is not None}
    assert tables == {0, 1}
    assert [t.text for t in tokens if t.table == 1 and t.row == 1] == ["规章", "1", "0"]
    lines = [t.line for t in tokens]
    assert lines == sorted(lines)


@pytest.mark.parametrize("seed", ["seed-002"], indirect=True)
def test_a_legacy_doc_of_typed_rows_reads_as_its_text(seed, tmp_path):
    # seed-002 is tab-separated: the .doc LibreOffice writes keeps Word's tabs
    doc_id, gold, source = seed
    path = typed_docx(source.read_text("utf-8").splitlines(), tmp_path / f"{doc_id}.docx")
    doc = convert(path, "doc", tmp_path)
    result = extract(doc, tagger=get_tagger("rules"))
    assert result["source"]["format"] == "doc"
    assert compare(result, gold) == []
    assert result["status"] == "ok", result["errors"]


def test_a_line_break_inside_a_line_never_shifts_the_lines_after_it():
    # a stray carriage return in a Word run is no line of its own: the grid after it keeps its line
    from extractor.loaders.common import Grid, GridCell, Line, tokens_from_items
    from extractor.loaders.text import tokens_from_text

    items = [Line("开头 结尾", "开头\r结尾"), Line("正文"), Grid((GridCell(0, 0, 1, 1, "规章"), GridCell(0, 1, 1, 1, "1")))]
    tokens = tokens_from_items(items, 100, tokens_from_text)
    assert [(t.text, t.line) for t in tokens] == [("开头 结尾", 0), ("正文", 1), ("规章", 2), ("1", 2)]
