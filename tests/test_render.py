"""The renderer: grid model of the three national tables, and each output format."""

from __future__ import annotations

import io
import json
import re
import shutil
from itertools import count
from pathlib import Path

import docx
import pytest
from bs4 import BeautifulSoup
from docx.oxml.ns import qn

from extractor import schema
from extractor.render import (
    RenderOptions,
    active_disclosure_grid,
    applications_grid,
    manuscript,
    placements,
    render,
    render_bytes,
    review_litigation_grid,
    slots,
    table_grid,
    wording,
)
from extractor.render.layout import split_label
from extractor.render.text import cell_lines, pipe_lines, tab_lines

GOLD_DIR = Path(__file__).resolve().parents[1] / "annotations" / "gold"
needs_soffice = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")


def make_gold(fmt: str = "2021", script: str = "simplified") -> dict:
    """A report whose every value is distinct (1001, 1002, …), so each can be found exactly once."""
    numbers = count(1001)
    disclosure = {}
    for row in schema.disclosure_rows(fmt):
        disclosure[row.key] = {
            key: (float(next(numbers)) + 0.25 if schema.is_amount_field(fmt, row.key, key) else next(numbers))
            for key, _ in row.fields
        }
    applications = {row: {col: next(numbers) for col, _ in schema.application_columns(fmt)}
                    for row, _ in schema.application_rows(fmt)}
    review = {group: {field: next(numbers) for field, _ in schema.review_fields()}
              for group, _ in schema.review_groups()}
    sections = [{"id": key, "title": title, "text": f"{title}的第一段。\n{title}的第二段。"}
                for key, title in schema.sections()]
    return {
        "report": {"organization": "测试县人民政府", "year": 2024, "format_version": fmt, "script": script},
        "sections": sections,
        "tables": {"active_disclosure": disclosure, "applications": applications, "review_litigation": review},
        "extras": {"title": "测试县人民政府2024年政府信息公开工作年度报告", "preamble": ["本报告依据条例编制。"],
                   "signature": ["测试县人民政府", "2025年1月20日"], "trailer": ["附件.pdf"]},
    }


def value_positions(grid) -> dict[tuple[str, str], tuple[int, int, str]]:
    found: dict = {}
    for placed in placements(grid):
        if placed.cell.role == "value":
            assert placed.cell.key not in found, f"value {placed.cell.key} printed twice"
            found[placed.cell.key] = (placed.row, placed.col, placed.cell.text)
    return found


# --- grid model -------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt, result_rows", [("2021", 22), ("2019", 20)])
def test_applications_grid_places_every_value_once(fmt, result_rows):
    gold = make_gold(fmt)
    grid = applications_grid(fmt, gold["tables"]["applications"])
    rows, columns = schema.application_rows(fmt), schema.application_columns(fmt)
    assert grid.columns == 10 and len(grid.rows) == 3 + len(rows)
    assert all(len(row) == 10 for row in slots(grid))
    results = next(p for p in placements(grid) if p.cell.text == wording.RESULTS)
    assert (results.row, results.col, results.cell.rowspan) == (5, 0, result_rows)
    positions = value_positions(grid)
    assert len(positions) == len(rows) * len(columns)
    for r, (row_key, _) in enumerate(rows):
        for c, (col_key, _) in enumerate(columns):
            assert positions[(row_key, col_key)] == (3 + r, 3 + c, str(gold["tables"]["applications"][row_key][col_key]))


def test_applications_grid_header_and_label_columns():
    grid = applications_grid("2021", {})
    cells = {(p.row, p.col): p.cell for p in placements(grid)}
    note = cells[(0, 0)]
    assert (note.role, note.rowspan, note.colspan) == ("note", 3, 3) and note.text == wording.BALANCE_NOTE
    assert (cells[(0, 3)].text, cells[(0, 3)].colspan) == (wording.APPLICANT, 7)
    assert (cells[(1, 3)].rowspan, cells[(1, 4)].colspan, cells[(1, 9)].rowspan) == (2, 5, 2)
    assert [cells[(2, c)].text for c in range(4, 9)] == [t for _, t in schema.application_columns("2021")[1:6]]
    groups = {p.cell.text: p.cell.rowspan for p in placements(grid) if p.col == 1 and p.row >= 5}
    assert [groups[g] for g in ("（三）不予公开", "（四）无法提供", "（五）不予处理", "（六）其他处理")] == [8, 3, 5, 3]
    leaves = [p.cell.text for p in placements(grid) if p.col == 2 and p.cell.role == "label"]
    assert leaves[0] == "1.属于国家秘密" and leaves[-1] == "3.其他" and len(leaves) == 19
    # Rows without a leaf span the group and leaf columns.
    assert cells[(5, 1)].colspan == 2 and cells[(26, 1)].colspan == 2
    assert cells[(3, 0)].colspan == 3 and cells[(27, 0)].colspan == 3


def test_applications_grid_2019_other_is_one_row():
    cells = {(p.row, p.col): p.cell for p in placements(applications_grid("2019", {}))}
    other = cells[(23, 1)]
    assert other.text == "（六）其他处理" and other.colspan == 2 and other.rowspan == 1


def test_split_label():
    assert split_label("（三）不予公开 1.属于国家秘密") == ("（三）不予公开", "1.属于国家秘密")
    assert split_label("（七）总计") == (None, "（七）总计")


def test_active_disclosure_grid_2021_blocks():
    gold = make_gold("2021")
    grid = active_disclosure_grid("2021", gold["tables"]["active_disclosure"])
    assert grid.columns == 4 and len(grid.rows) == 14
    titles = [p.cell.text for p in placements(grid) if p.cell.role == "title"]
    assert titles == ["第二十条第（一）项", "第二十条第（五）项", "第二十条第（六）项", "第二十条第（八）项"]
    cells = {(p.row, p.col): p.cell for p in placements(grid)}
    assert (cells[(5, 1)].text, cells[(5, 1)].colspan) == ("本年处理决定数量", 3)
    assert cells[(6, 1)].colspan == 3 and cells[(6, 1)].key == ("administrative_licensing", "decisions")
    assert cells[(13, 1)].text == "1010.25"  # an amount keeps its fraction
    positions = value_positions(grid)
    assert positions[("normative_documents", "in_force")][:2] == (3, 3)
    assert len(positions) == sum(len(r.fields) for r in schema.disclosure_rows("2021"))


def test_active_disclosure_grid_2019_blocks():
    grid = active_disclosure_grid("2019", make_gold("2019")["tables"]["active_disclosure"])
    assert len(grid.rows) == 18
    cells = {(p.row, p.col): p.cell for p in placements(grid)}
    assert [cells[(1, c)].text for c in range(1, 4)] == ["本年新制作数量", "本年新公开数量", "对外公开总数量"]
    assert cells[(7, 0)].text == "其他对外管理服务事项"
    assert (cells[(13, 2)].text, cells[(13, 2)].colspan) == ("本年增/减", 2)  # (八) has two fields
    assert (cells[(17, 0)].text, cells[(17, 2)].colspan) == ("政府集中采购", 2)


def test_review_litigation_grid():
    gold = make_gold()
    grid = review_litigation_grid(gold["tables"]["review_litigation"])
    assert grid.columns == 15 and len(grid.rows) == 4
    cells = {(p.row, p.col): p.cell for p in placements(grid)}
    assert (cells[(0, 0)].text, cells[(0, 0)].colspan, cells[(0, 5)].text, cells[(0, 5)].colspan) == (
        "行政复议", 5, "行政诉讼", 10)
    assert all(cells[(1, c)].rowspan == 2 for c in range(5))
    assert (cells[(1, 5)].text, cells[(1, 10)].text) == ("未经复议直接起诉", "复议后起诉")
    positions = value_positions(grid)
    for g, (group, _) in enumerate(schema.review_groups()):
        for f, (field, _) in enumerate(schema.review_fields()):
            assert positions[(group, field)] == (3, 5 * g + f, str(gold["tables"]["review_litigation"][group][field]))


def test_missing_rows_and_fields_print_empty():
    values = {"new_received": {"natural_person": 3, "total": None}}
    positions = value_positions(applications_grid("2021", values))
    assert positions[("new_received", "natural_person")][2] == "3"
    assert positions[("new_received", "total")][2] == ""
    assert positions[("carried_forward", "total")][2] == ""


def test_traditional_script_converts_fixed_labels_only():
    gold = make_gold("2021", "traditional")
    texts = {p.cell.text for t in schema.TABLES for p in placements(table_grid(t, gold))}
    assert {"規章", "申請人情況", "行政複議", "信息內容"} <= texts
    assert not {"规章", "申请人情况", "行政复议"} & texts
    assert "1001" in texts  # values untouched
    ms = manuscript(gold)
    assert ms.running_title.endswith("政府信息公開工作年度報告")
    assert ms.blocks[0].text == gold["extras"]["title"]  # printed text is never converted


# --- document and text layouts -----------------------------------------------------------------

def test_manuscript_block_order():
    gold = make_gold()
    gold["sections"] = [s for s in gold["sections"] if s["id"] != "review_litigation"]  # its table remains
    kinds = [(b.kind, b.section) for b in manuscript(gold).blocks]
    assert kinds[:3] == [("title", None), ("paragraph", None), ("heading", "overview")]
    assert kinds.index(("table", "applications")) == kinds.index(("heading", "applications")) + 3
    assert ("heading", "review_litigation") in kinds and ("table", "review_litigation") in kinds
    assert kinds[-3:] == [("signature", None), ("signature", None), ("trailer", None)]
    gold["extras"]["title"] = None
    assert manuscript(gold).blocks[0].kind == "paragraph"
    titled = manuscript(gold, RenderOptions(default_title=True)).blocks[0]
    assert (titled.kind, titled.text) == ("title", "测试县人民政府2024年政府信息公开工作年度报告")


def test_text_layouts_like_the_seeds():
    grid = active_disclosure_grid("2021", make_gold()["tables"]["active_disclosure"])
    pipe = pipe_lines(grid)
    assert pipe[0] == "第二十条第（一）项 | |||"
    assert pipe[5] == "信息内容 | 本年处理决定数量 | ||"
    assert pipe[-1] == "行政事业性收费 | 1010.25 |"  # a table's last row has no padding run
    assert pipe_lines(grid, "inline")[0] == "第二十条第（一）项 |  |  |  |"
    cells = cell_lines(grid)
    assert cells[:3] == ["第二十条第（一）项 |", "|||", "信息内容 |"]
    assert cells[-2:] == ["行政事业性收费 |", "1010.25 |"]
    tabs = tab_lines(applications_grid("2021", {}))
    assert all(line.count("\t") == 9 for line in tabs)
    assert tabs[0].startswith(wording.BALANCE_NOTE + "\t\t\t" + wording.APPLICANT)


def test_text_render_gbk(tmp_path):
    gold = make_gold()
    path = render(gold, "txt-tabs", tmp_path, name="report", encoding="gbk", blank_lines=True)
    text = path.read_bytes().decode("gbk")
    assert path.suffix == ".txt" and "\n\n一、总体情况\n\n" in text
    assert "（一）予以公开\t\t" + "\t".join(str(v) for v in gold["tables"]["applications"]["granted"].values()) in text


def test_unknown_option_is_refused(tmp_path):
    with pytest.raises(TypeError, match="unknown render option"):
        render(make_gold(), "html", tmp_path, encodng="gbk")
    with pytest.raises(ValueError, match="merged"):
        render(make_gold(), "txt-pipe", tmp_path, merged="sideways")


# --- HTML and DOCX ------------------------------------------------------------------------------

def test_html_page(tmp_path):
    gold = make_gold()
    path = render(gold, "html", tmp_path, name="page", encoding="gbk")
    raw = path.read_bytes()
    soup = BeautifulSoup(raw.decode("gbk"), "html.parser")
    assert soup.find("meta", charset="gbk") and soup.find("script") and soup.find("style")
    assert soup.select(".nav a") and soup.select(".footer a")
    assert soup.find("h1").get_text() == gold["extras"]["title"]
    tables = soup.find_all("table", border="1")
    assert len(tables) == 3
    assert tables[1].find("td", rowspan="22").get_text() == wording.RESULTS
    assert tables[2].find("td", colspan="10").get_text() == "行政诉讼"
    texts = [td.get_text() for table in tables for td in table.find_all("td")]
    for table in schema.TABLES:
        for row in gold["tables"][table].values():
            for value in row.values():
                assert texts.count(str(value).removesuffix(".0")) == 1
    content = soup.find(id="zoom").get_text("\n")
    assert content.index("一、总体情况") < content.index("二、主动公开政府信息情况的第二段") < content.index("规章")


def test_docx_has_merged_cells_header_and_page_field(tmp_path):
    gold = make_gold()
    document = docx.Document(str(render(gold, "docx", tmp_path, name="report", page_break_before=["applications"])))
    assert len(document.tables) == 3
    disclosure, applications, review = document.tables
    assert applications.cell(5, 0)._tc is applications.cell(26, 0)._tc  # 三、本年度办理结果 spans 22 rows
    assert applications.cell(5, 0).text == wording.RESULTS
    assert applications.cell(0, 3)._tc.grid_span == 7 and review.cell(0, 5)._tc.grid_span == 10
    assert disclosure.cell(5, 1).text == "本年处理决定数量" and disclosure.cell(5, 1)._tc.grid_span == 3
    assert applications.cell(3 + 2, 3).text == str(gold["tables"]["applications"]["granted"]["natural_person"])
    assert applications.style.name == "Table Grid"
    section = document.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
    assert "测试县人民政府" in section.header.paragraphs[0].text
    assert wording.REPORT_NAME in section.header.paragraphs[0].text
    footer = section.footer._element.xml
    assert "fldChar" in footer and " PAGE " in footer and section.footer.paragraphs[0].text.startswith("- ")
    fonts = document.styles["Normal"].element.rPr.rFonts
    assert "CJK" in fonts.get(qn("w:eastAsia"))
    body = document.element.body
    breaks = [br for br in body.iter(qn("w:br")) if br.get(qn("w:type")) == "page"]
    assert len(breaks) == 1
    assert document.paragraphs[0].text == gold["extras"]["title"]


def test_render_bytes_matches_file(tmp_path):
    gold = make_gold()
    assert render_bytes(gold, "txt-pipe") == render(gold, "txt-pipe", tmp_path, name="x").read_bytes()
    assert docx.Document(io.BytesIO(render_bytes(gold, "docx"))).tables


@pytest.mark.skipif(not GOLD_DIR.is_dir(), reason="no gold annotations")
@pytest.mark.parametrize("fmt", ["txt-pipe", "txt-cells", "txt-tabs", "html", "docx"])
def test_seed_gold_files_render(tmp_path, fmt):
    for gold_path in sorted(GOLD_DIR.glob("*/gold.json")):
        gold = json.loads(gold_path.read_text("utf-8"))
        path = render(gold, fmt, tmp_path / gold_path.parent.name)
        assert path.stat().st_size > 1000


# --- LibreOffice --------------------------------------------------------------------------------

def _label_text(pages) -> str:
    """Text of the non-figure table cells of all pages, joined: a row broken across a page
    break leaves its label in two cells, one at the foot of a page and one at the head of the next."""
    cells = (re.sub(r"\s+", "", cell or "") for page in pages for table in page.extract_tables()
             for row in table for cell in row)
    return "".join(cell for cell in cells if not cell.isdigit())


@pytest.mark.slow
@needs_soffice
def test_pdf_runs_over_pages_with_numbers_and_all_row_labels(tmp_path):
    import pdfplumber

    gold = make_gold()
    path = render(gold, "pdf", tmp_path, name="report", page_break_before=["applications"])
    with pdfplumber.open(path) as pdf:
        pages = pdf.pages
        assert len(pages) >= 2
        texts = [page.extract_text() or "" for page in pages]
        for number, text in enumerate(texts, start=1):
            assert f"- {number} -" in text
        labels = _label_text(pages)
        for _, label in schema.application_rows("2021"):
            leaf = split_label(label)[1]
            assert re.sub(r"\s+", "", leaf) in labels, leaf
        # The forced break puts the applications table at the top of a page; it then runs onto the next.
        start = next(i for i, t in enumerate(texts) if wording.APPLICANT in t)
        assert "三、收到和处理政府信息公开申请情况" in texts[start - 1]
        assert "四、结转下年度继续办理" in re.sub(r"\s+", "", texts[start + 1])


@pytest.mark.slow
@needs_soffice
def test_doc_is_a_word_97_file(tmp_path):
    path = render(make_gold("2019", "traditional"), "doc", tmp_path)
    assert path.suffix == ".doc" and path.read_bytes()[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    assert path.stem.endswith("政府信息公開工作年度報告")
