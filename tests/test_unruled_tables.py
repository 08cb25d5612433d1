"""Tables without ruling lines: read by position (extractor/geometry/columns.py), never guessed.

Regression tests for issue 15: reports printed with no ruling lines, with horizontal rules only
(three-line tables) or an outer frame only, and text copies made by poppler's pdftotext, came
out almost empty; a PDF page box of non-numbers failed as an internal error.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from extractor.geometry.columns import read_tables
from extractor.geometry.positions import Piece, PosLine
from extractor.pipeline import extract
from extractor.render import render
from extractor.tagging import get_tagger

GOLD = Path(__file__).resolve().parent.parent / "annotations" / "gold"
RULES = get_tagger("rules")


def line(number: int, *pieces: tuple[str, float, float], page: int = 1, height: float = 10.0) -> PosLine:
    top = 100.0 + number * 15.0
    return PosLine(tuple(Piece(t, x0, x1) for t, x0, x1 in pieces), page, top, top + height, number)


def disclosure_block(middle: tuple[str, float, float] | None) -> list[PosLine]:
    row = [("规章", 40, 60), ("5", 150, 156)] + ([middle] if middle else []) + [("7", 350, 356)]
    return [
        line(0, ("信息内容", 40, 80), ("本年制发件数", 120, 186), ("本年废止件数", 220, 286), ("现行有效件数", 320, 386)),
        line(1, *row),
        line(2, ("行政规范性文件", 30, 100), ("1", 150, 156), ("2", 250, 256), ("3", 350, 356)),
    ]


def extract_text(tmp_path: Path, text: str) -> dict:
    """The result of a text copy holding `text`."""
    path = tmp_path / "copy.txt"
    path.write_text(text, encoding="utf-8")
    return extract(path, tagger=RULES)


def cells_of(table) -> dict[tuple[int, int], str]:
    return {(c.row, c.col): c.text for c in table.cells if not c.header}


def test_a_blank_cell_is_recognised_by_position_not_by_order():
    (table,) = read_tables(disclosure_block(None), unit=10.5)
    cells = cells_of(table)
    # label column 0, figure columns 1..3: the middle figure of 规章 is blank, the last one is 7
    assert [cells[(1, c)] for c in range(4)] == ["规章", "5", "", "7"]
    assert [cells[(2, c)] for c in range(4)] == ["行政规范性文件", "1", "2", "3"]


def test_a_figure_standing_between_two_columns_is_not_placed():
    # 「9」 straddles the second and third columns of a row with a blank: neither position nor
    # order can settle it, so no grid is made (the assembly then names the row)
    block = disclosure_block(None)
    block[1] = line(1, ("规章", 40, 60), ("5", 150, 156), ("9", 280, 300))
    assert read_tables(block, unit=10.5) == []


def test_full_rows_that_do_not_line_up_are_read_in_order():
    # every row prints all three figures: their order settles the columns, wherever they stand
    (table,) = read_tables(disclosure_block(("9", 280, 300)), unit=10.5)
    assert [cells_of(table)[(1, c)] for c in range(4)] == ["规章", "5", "9", "7"]


def test_a_column_shifted_a_few_points_is_read_where_it_still_lines_up_and_refused_where_it_does_not():
    shifted = disclosure_block(("4", 252, 258))  # two points off the column: still under it
    (table,) = read_tables(shifted, unit=10.5)
    assert cells_of(table)[(1, 2)] == "4"
    ragged = disclosure_block(None)  # a figure beside its column, overlapping none of its figures, and a blank
    ragged[1] = line(1, ("规章", 40, 60), ("4", 262, 268), ("7", 350, 356))
    assert read_tables(ragged, unit=10.5) == []


def test_text_copies_with_shifted_rows_fall_back_to_order_and_never_misplace(tmp_path):
    # pdftotext -layout shifts figures by a few display columns where labels differ in width
    text = ("二、主动公开政府信息情况\n"
            "                    第二十条第（一）项\n"
            "     信息内容           本年制发件数   本年废止件数    现行有效件数\n"
            "      规章               3          0       4\n"
            "   行政规范性文件             5          1       6\n")
    table = extract_text(tmp_path, text)["tables"]["active_disclosure"]
    assert table["regulations"] == {"issued": 3, "repealed": 0, "in_force": 4}
    assert table["normative_documents"] == {"issued": 5, "repealed": 1, "in_force": 6}


def _gold(name: str) -> dict:
    return json.loads((GOLD / name / "gold.json").read_text("utf-8"))


def _score(result: dict, gold: dict) -> tuple[int, int, list[str]]:
    """(cells right, cells in gold, wrong cells: a figure other than the gold's)."""
    right = total = 0
    wrong = []
    for table, rows in gold["tables"].items():
        for row, cells in rows.items():
            for column, value in cells.items():
                total += 1
                got = result["tables"].get(table, {}).get(row, {})
                if column in got and got[column] == value:
                    right += 1
                elif column in got:
                    wrong.append(f"{table}.{row}.{column}: {got[column]!r} for {value!r}")
    return right, total, wrong


@pytest.fixture(scope="module")
def unruled(tmp_path_factory):
    out = tmp_path_factory.mktemp("unruled")
    return {(seed, rules): render(_gold(seed), "pdf", out / rules, name=seed, table_rules=rules)
            for seed in ("seed-000", "seed-003") for rules in ("none", "three-line", "horizontal", "frame")}


@pytest.mark.slow
@pytest.mark.parametrize("rules", ["none", "three-line", "horizontal", "frame"])
@pytest.mark.parametrize("seed", ["seed-000", "seed-003"])
def test_pdf_tables_without_vertical_rules_are_read_exactly(unruled, seed, rules):
    gold = _gold(seed)
    result = extract(unruled[(seed, rules)], tagger=RULES)
    right, total, wrong = _score(result, gold)
    assert wrong == []
    assert right == total, result["errors"]
    assert result["status"] == "ok", result["errors"]
    assert result["report"]["organization"] == gold["report"]["organization"]
    assert result["report"]["year"] == gold["report"]["year"]


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is installed by scripts/setup")
@pytest.mark.parametrize("mode", ["-layout", "-raw"])
def test_pdftotext_copies_are_read_and_never_wrong(unruled, tmp_path, mode):
    # before issue 15 no cell at all was read; now both read seed-000 whole (-layout: every
    # figure's column lines up with its header word, or the row is read in order)
    gold = _gold("seed-000")
    copy = tmp_path / "seed-000.txt"
    subprocess.run(["pdftotext", mode, "-enc", "UTF-8", str(unruled[("seed-000", "none")]), str(copy)], check=True)
    result = extract(copy, tagger=RULES)
    right, total, wrong = _score(result, gold)
    assert wrong == []
    assert (right, result["status"]) == (total, "ok"), result["errors"]


def test_a_page_box_of_non_numbers_is_named_damaged_not_an_internal_error(tmp_path):
    source = Path(__file__).resolve().parent.parent / "examples" / "seed-004.pdf"
    data = source.read_bytes()
    assert b"/MediaBox" in data
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(data.replace(b"/MediaBox [", b"/MediaBox [/x ", 1) if b"/MediaBox [" in data
                       else data.replace(b"/MediaBox[", b"/MediaBox[/x ", 1))
    result = extract(broken, tagger=RULES)
    assert not any("internal error" in error for error in result["errors"]), result["errors"]


def _reworded_docx(src: Path, dst: Path, old: str, new: str) -> Path:
    from docx import Document as Docx

    doc = Docx(str(src))
    replaced = 0
    for table in doc.tables:
        for row in table.rows:
            for cell in row.cells:
                for paragraph in cell.paragraphs:
                    for run in paragraph.runs:
                        replaced += old in run.text
                        run.text = run.text.replace(old, new)
    assert replaced
    doc.save(str(dst))
    return dst


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["txt-pipe", "txt-spaces", "html", "docx", "pdf"])
def test_a_total_row_printed_he_ji_is_the_total_row_in_every_format(tmp_path, fmt):
    # issue 15: 「（七）合计」 (not 总计) lost the last result row in every format
    from extractor.convert import convert

    gold = _gold("seed-000")
    if fmt in ("docx", "pdf"):
        docx = render(gold, "docx", tmp_path, name="grid", table_rules="none")
        path = _reworded_docx(docx, tmp_path / "reworded.docx", "（七）总计", "（七）合计")
        if fmt == "pdf":
            path = convert(path, "pdf", tmp_path / "pdf")
    else:
        path = render(gold, fmt, tmp_path, name="copy")
        text = path.read_text("utf-8")
        assert "（七）总计" in text
        path.write_text(text.replace("（七）总计", "（七）合计"), "utf-8")
    result = extract(path, tagger=RULES)
    assert result["tables"]["applications"]["total_processed"] == gold["tables"]["applications"]["total_processed"]
    assert not any("total_processed" in error for error in result["errors"]), result["errors"]


def _zeros_blank(gold: dict) -> dict:
    """The 2019 format's habit: zero figures printed as blank cells (blanks count as 0 in the rules)."""
    out = json.loads(json.dumps(gold))
    for rows in out["tables"].values():
        for cells in rows.values():
            for column, value in cells.items():
                if value == 0:
                    cells[column] = None
    return out


@pytest.mark.slow
@pytest.mark.parametrize("fmt,options", [("pdf", {"table_rules": "none"}), ("pdf", {"table_rules": "three-line"}),
                                         ("txt-spaces", {"spacing": "aligned"}),
                                         ("txt-spaces", {"spacing": "ideographic"})])
def test_blank_cells_of_the_2019_format_are_read_by_position(tmp_path, fmt, options):
    fixture = Path(__file__).resolve().parent / "fixtures" / "report-2019.json"
    gold = _zeros_blank(json.loads(fixture.read_text("utf-8")))
    blanks = sum(v is None for rows in gold["tables"].values() for cells in rows.values() for v in cells.values())
    assert blanks > 20  # blanks in first, middle and last columns, and whole rows
    result = extract(render(gold, fmt, tmp_path, name="r2019", **options), tagger=RULES)
    right, total, wrong = _score(result, gold)
    assert wrong == []
    assert right == total, result["errors"]
    assert result["report"]["format_version"] == "2019"


def test_a_pdftotext_copy_that_collapses_a_blank_cell_never_moves_a_figure_into_it(tmp_path):
    # pdftotext -layout printed this row's 0 (現行有效件數) under 本年廢止件數: a blank cell collapsed
    # and digits drift from CJK headers. By position it reads repealed = 0; it must be named instead.
    text = ("二、主动公开政府信息情况\n"
            "                     第二十條第（一）項\n"
            "      信息內容           本年制發件數   本年廢止件數          現行有效件數\n"
            "       規章               3                       0\n"
            "     行政規範性文件\n")
    result = extract_text(tmp_path, text)
    regulations = result["tables"].get("active_disclosure", {}).get("regulations")
    assert regulations in (None, {"issued": 3, "repealed": None, "in_force": 0}), regulations
    assert result["status"] != "ok"


APPLICANTS = ("natural_person", "commercial_enterprise", "research_institution", "social_organization",
              "legal_service", "other_organization", "total")


def test_pdftotext_layout_prints_group_labels_beside_row_labels_and_the_rows_are_still_read(tmp_path):
    # pdftotext -layout of the results block (a generated report, traditional script): the group
    # column's pieces stand on the lines of row labels (「年度辦 （二）部分公開…」), beside figures
    # (「處理      26    0 …」) and between a label's halves; each row is still read whole
    text = (Path(__file__).parent / "fixtures" / "pdftotext-layout-results-block.txt").read_text(encoding="utf-8")
    result = extract_text(tmp_path, text)
    rows = result["tables"]["applications"]
    expected = {"partially_granted": (216, 0, 19, 0, 0, 0, 235), "not_processed_excessive": (26, 0, 5, 0, 0, 0, 31),
                "other_unpaid_fee": (17, 0, 2, 0, 0, 0, 19), "other_no_correction": (85, 0, 5, 0, 0, 0, 90),
                "other_other": (137, 0, 9, 0, 0, 0, 146), "total_processed": (2737, 0, 243, 0, 0, 0, 2980)}
    for key, figures in expected.items():
        assert tuple(rows[key][c] for c in APPLICANTS) == figures, (key, rows.get(key))
    assert not [e for e in result["errors"] if "not a row of the standard format" in e or "has no cells" in e]


def test_a_group_label_cut_in_two_beside_a_wrapped_row_label_names_its_group(tmp_path):
    # 「（六）其他 1.申請人無正當理由逾」 over 「處理   期不補正、行政機關不」: the group 其他处理 in
    # two pieces beside a row label's two lines, not the row 3.其他 of that group
    text = (Path(__file__).parent / "fixtures" / "pdftotext-layout-results-block-2.txt").read_text(encoding="utf-8")
    result = extract_text(tmp_path, text)
    rows = result["tables"]["applications"]
    for key in ("other_no_correction", "other_unpaid_fee", "other_other"):
        assert tuple(rows[key][c] for c in APPLICANTS) == (0,) * 7, (key, rows.get(key))
    assert not [e for e in result["errors"] if "not a row of the standard format" in e or "has no cells" in e]


def test_figures_squeezed_to_one_space_in_a_layout_copy_are_two_cells():
    from extractor.loaders.text import display_pieces

    pieces = display_pieces(" 0  0  0  0  0  0  1  2  0  3 13  0   3   0  6")
    assert [p.text for p in pieces] == ["0", "0", "0", "0", "0", "0", "1", "2", "0", "3", "13", "0", "3", "0", "6"]
    assert pieces[10].x0 == pieces[9].x1 + 1
    # a row whose figures are all parted by one space (pdftotext -raw) is read by order, not position
    assert [p.text for p in display_pieces("规章 0 0 0")] == ["规章 0 0 0"]


@pytest.mark.slow
@pytest.mark.parametrize("report", ["2019", "seed-000"])
@pytest.mark.parametrize("rules", ["none", "three-line"])
def test_a_first_column_blank_on_every_row_a_blank_first_row_and_a_blank_review_table(tmp_path, rules, report):
    # the first figure column of the disclosure blocks printed blank on every row (本年制发件数),
    # the first row blank all through (above the block's first figure line), and the review table
    # with no figure at all: every cell read blank, none misplaced
    if report == "2019":
        gold = _zeros_blank(json.loads((Path(__file__).resolve().parent / "fixtures" / "report-2019.json")
                                       .read_text("utf-8")))
    else:
        gold = json.loads(json.dumps(_gold(report)))
    disclosure = gold["tables"]["active_disclosure"]
    for cells in disclosure.values():
        if len(cells) > 1:
            cells[next(iter(cells))] = None
    first = next(iter(disclosure))
    disclosure[first] = dict.fromkeys(disclosure[first])
    gold["tables"]["review_litigation"] = {row: dict.fromkeys(cells)
                                           for row, cells in gold["tables"]["review_litigation"].items()}
    result = extract(render(gold, "pdf", tmp_path, name="blank", table_rules=rules), tagger=RULES)
    right, total, wrong = _score(result, gold)
    assert wrong == []
    assert right == total, result["errors"]
    assert result["tables"]["review_litigation"]["administrative_review"]["total"] is None


@pytest.mark.slow
@pytest.mark.parametrize("fmt,options", [("pdf", {"table_rules": "none"}), ("txt-spaces", {"spacing": "ideographic"}),
                                         ("txt-spaces", {"spacing": "aligned"})])
def test_a_report_that_prints_one_figure_in_all_its_tables_is_read_blank_elsewhere(tmp_path, fmt, options):
    # a small body's report: every cell blank but one (行政许可 121). The disclosure table holds a
    # single labelled figure, the applications table none (its labels run onto the next page),
    # the review table none (in a copy with ideographic spaces, a line of those spaces only)
    gold = json.loads(json.dumps(_gold("seed-000")))
    for table, rows in gold["tables"].items():
        gold["tables"][table] = {row: dict.fromkeys(cells) for row, cells in rows.items()}
    gold["tables"]["active_disclosure"]["administrative_licensing"]["decisions"] = 121
    result = extract(render(gold, fmt, tmp_path, name="small", **options), tagger=RULES)
    right, total, wrong = _score(result, gold)
    assert wrong == []
    assert right == total, result["errors"]
