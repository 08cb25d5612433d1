"""Table layouts real reports come in (issue 15): tables ruled other than as a full grid, text
copies without delimiters, the eval formats and the generator's share of them."""

from __future__ import annotations

import io
import json
import random
import re
import shutil
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import docx
import pytest
from bs4 import BeautifulSoup
from docx.oxml.ns import qn
from test_render import make_gold

from extractor.evaluation import goldset
from extractor.render import FORMATS, RenderOptions, applications_grid, render, render_bytes, table_grid
from extractor.render.layout import format_value
from extractor.render.pdftext import furniture_lines
from extractor.render.rules import TABLE_RULES, cell_sides, header_rows, horizontal_lines, vertical_lines
from extractor.render.text import display_width, space_lines, wrap_label
from extractor.synth.figures import BLANK_COLUMNS, blank_columns, failing_rules, printed_rows
from extractor.synth.gold import random_gold
from extractor.synth.recipe import OFFICE_FORMATS, random_recipe

needs_soffice = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
needs_pdftotext = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler's pdftotext not installed")
IDEOGRAPHIC_SPACE = "\u3000"


def figures_of(gold: dict) -> list[str]:
    """Every table figure as printed (make_gold's figures are all distinct)."""
    return [format_value(v) for table in gold["tables"].values() for row in table.values() for v in row.values()]


# --- validation ---------------------------------------------------------------------------------

def test_a_wrong_table_rules_value_is_refused_with_the_choices():
    with pytest.raises(ValueError, match=r"table_rules='dotted'.*'grid', 'none', 'horizontal', 'three-line', 'frame'"):
        RenderOptions(table_rules="dotted")
    with pytest.raises(ValueError, match="table_rules"):
        render(make_gold(), "pdf", "/nonexistent/never-written", table_rules="Grid")  # before LibreOffice runs
    assert RenderOptions.of(table_rules="three-line").table_rules == "three-line"


@pytest.mark.parametrize("option, value, words", [
    ("spacing", "tabs", "spacing"), ("label_wrap", 3, "8 to 200"), ("label_wrap", True, "label_wrap"),
    ("column_gap", 0, "1 to 8"),
])
def test_text_spacing_options_are_validated(option, value, words):
    with pytest.raises(ValueError, match=words):
        RenderOptions.of(**{option: value})


def test_the_new_formats_are_render_formats():
    assert {"txt-spaces", "txt-layout", "txt-raw"} <= set(FORMATS)
    with pytest.raises(ValueError, match="no in-memory rendering"):
        render_bytes(make_gold(), "txt-layout")


# --- the rules as data --------------------------------------------------------------------------

def test_rule_lines_of_each_layout():
    grid = applications_grid("2021", {})
    rows, cols, head = len(grid.rows), grid.columns, header_rows(grid)
    assert head == 3
    expected = {
        "grid": (set(range(rows + 1)), set(range(cols + 1))),
        "none": (set(), set()),
        "horizontal": (set(range(rows + 1)), set()),
        "three-line": ({0, head, rows}, set()),
        "frame": ({0, rows}, {0, cols}),
    }
    for rules, (across, down) in expected.items():
        assert set(horizontal_lines(rules, grid)) == across, rules
        assert set(vertical_lines(rules, grid)) == down, rules
    three = horizontal_lines("three-line", grid)
    assert three[0] == three[rows] > three[head]  # heavy top and bottom, thin header rule


def test_a_merged_cell_hides_the_rules_it_spans():
    grid = applications_grid("2021", {})
    sides = cell_sides(grid, "horizontal")
    assert sides[(0, 0)] == {"top": 0.5, "bottom": 0.5}  # the note spans the three header rows
    assert sides[(5, 0)] == {"top": 0.5, "bottom": 0.5}  # 三、本年度办理结果 spans 22 rows
    assert all(not s for s in cell_sides(grid, "none").values())


# --- DOCX and HTML -------------------------------------------------------------------------------

def _docx_tables(rules: str):
    return docx.Document(io.BytesIO(render_bytes(make_gold(), "docx", table_rules=rules))).tables


def test_docx_borders_of_an_unruled_table_are_all_nil():
    for table in _docx_tables("none"):
        tbl_pr = table._tbl.tblPr
        assert tbl_pr.find(qn("w:tblStyle")) is None  # no "Table Grid" style to draw them
        borders = tbl_pr.find(qn("w:tblBorders"))
        assert [b.get(qn("w:val")) for b in borders] == ["nil"] * 6
        assert not table._tbl.xpath(".//w:tcBorders")


def test_docx_three_line_table_rules_its_header_with_cell_borders():
    disclosure, applications, review = _docx_tables("three-line")
    borders = applications._tbl.tblPr.find(qn("w:tblBorders"))
    assert {b.tag.split("}")[1]: (b.get(qn("w:val")), b.get(qn("w:sz"))) for b in borders} == {
        "top": ("single", "12"), "left": ("nil", None), "bottom": ("single", "12"), "right": ("nil", None),
        "insideH": ("nil", None), "insideV": ("nil", None)}
    for table, head in ((disclosure, 2), (applications, 3), (review, 3)):
        ruled = [r for r, row in enumerate(table.rows) if row._tr.xpath("./w:tc/w:tcPr/w:tcBorders/w:bottom")]
        assert ruled == [head - 1]
        assert all(tc.tcPr.find(qn("w:tcBorders")) is not None for tc in table.rows[head - 1]._tr.tc_lst)


def test_docx_grid_is_unchanged():
    for table in _docx_tables("grid"):
        assert table.style.name == "Table Grid" and table._tbl.tblPr.find(qn("w:tblBorders")) is None


def test_html_borders_follow_the_rules():
    def cells(rules):
        soup = BeautifulSoup(render_bytes(make_gold(), "html", table_rules=rules).decode(), "html.parser")
        return soup.select("#zoom table"), soup.select("#zoom td")

    tables, tds = cells("grid")
    assert all(t["border"] == "1" for t in tables) and not any(td.get("style") for td in tds)
    tables, tds = cells("none")
    assert all(t["border"] == "0" for t in tables) and {td["style"] for td in tds} == {"border:none"}
    _, tds = cells("horizontal")
    styles = " ".join(td["style"] for td in tds)
    assert "border-top" in styles and "border-bottom" in styles
    assert "border-left" not in styles and "border-right" not in styles


# --- txt-spaces -----------------------------------------------------------------------------------

def _table_lines(text: str, first: str, last: str) -> list[str]:
    lines = text.split("\n")
    start = next(i for i, line in enumerate(lines) if line.startswith(first))
    end = next(i for i, line in enumerate(lines) if i > start and line.startswith(last))
    return lines[start:end + 1]


@pytest.mark.parametrize("spacing", ["aligned", "single", "ideographic"])
def test_txt_spaces_holds_every_figure_and_no_delimiter(spacing):
    gold = make_gold()
    text = render_bytes(gold, "txt-spaces", spacing=spacing).decode()
    words = Counter(w for line in text.split("\n") for w in re.split(r"[ \u3000]+", line) if w)
    for figure in figures_of(gold):
        assert words[figure] == 1, figure
    assert "|" not in text and "\t" not in text


def _word_columns(line: str) -> list[tuple[int, str]]:
    """(display column where it starts, word) of each word of a line."""
    return [(display_width(line[:m.start()]), m.group()) for m in re.finditer(r"[^ \u3000]+", line)]


def test_txt_spaces_aligned_lines_figure_columns_up_by_display_width():
    gold = make_gold()
    lines = render_bytes(gold, "txt-spaces").decode().split("\n")
    received = next(line for line in lines if line.startswith("一、本年新收"))
    processed = next(line for line in lines if "（七）总计" in line)
    columns = [[start for start, _ in _word_columns(line)[-7:]] for line in (received, processed)]
    assert columns[0] == columns[1]  # the same display columns, though the labels differ
    assert [w for _, w in _word_columns(received)[-7:]] == [str(v) for v in gold["tables"]["applications"][
        "new_received"].values()]
    results = next(line for line in lines if line.startswith("三、本年度办理结果"))
    assert _word_columns(results)[1] == (display_width("三、本年度办理结果") + 2, "（一）予以公开")


def test_txt_spaces_single_and_ideographic_rows():
    gold = make_gold()
    granted = gold["tables"]["applications"]["granted"]
    single = render_bytes(gold, "txt-spaces", spacing="single").decode()
    assert "三、本年度办理结果 （一）予以公开 " + " ".join(map(str, granted.values())) + "\n" in single
    ideographic = render_bytes(gold, "txt-spaces", spacing="ideographic").decode()
    assert "（一）予以公开\u3000" + IDEOGRAPHIC_SPACE.join(map(str, granted.values())) + "\n" in ideographic


def test_txt_spaces_blank_cells():
    gold = make_gold()
    row = gold["tables"]["applications"]["granted"]
    row["natural_person"] = row["other_organization"] = row["total"] = None  # first, a middle and the last column
    lines = {spacing: next(line for line in space_lines(table_grid("applications", gold), spacing)
                           if "予以公开" in line) for spacing in ("aligned", "single", "ideographic")}
    shown = [str(v) for v in row.values() if v is not None]
    assert lines["single"].endswith("（一）予以公开 " + " ".join(shown))  # blank cells vanish
    pieces = lines["ideographic"].split(IDEOGRAPHIC_SPACE)
    assert pieces[-8:] == ["（一）予以公开"] + [format_value(v) for v in row.values()] and pieces[-1] == ""  # kept
    assert lines["aligned"].rstrip() == lines["aligned"] and lines["aligned"].endswith(shown[-1])


def test_long_labels_wrap_their_second_half_onto_the_next_line():
    assert wrap_label("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", 0)[1] == ""
    head, tail = wrap_label("2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", 24)
    assert head + tail == "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"
    assert not tail.startswith("、") and abs(display_width(head) - display_width(tail)) <= 4
    gold = make_gold()
    for spacing in ("aligned", "single"):
        lines = render_bytes(gold, "txt-spaces", spacing=spacing, label_wrap=20).decode().split("\n")
        partial = next(i for i, line in enumerate(lines) if line.lstrip().startswith("（二）部分公开"))
        assert str(gold["tables"]["applications"]["partially_granted"]["total"]) in lines[partial]
        joined = lines[partial].split()[0] + lines[partial + 1].strip()
        assert joined.startswith("（二）部分公开（区分处理的") and joined.endswith("不计其他情形）")


# --- PDF rulings and pdftotext copies (LibreOffice) -----------------------------------------------

@pytest.fixture(scope="module")
def renders(tmp_path_factory):
    """make_gold rendered once per table_rules value as PDF, and as txt-layout (unruled) and txt-raw."""
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice not installed")
    out = tmp_path_factory.mktemp("layouts")
    gold = make_gold()
    jobs = {rules: ("pdf", {"table_rules": rules}) for rules in TABLE_RULES}
    if shutil.which("pdftotext") is not None:
        jobs |= {"txt-layout": ("txt-layout", {"table_rules": "none"}), "txt-raw": ("txt-raw", {})}
    with ThreadPoolExecutor(max_workers=4) as pool:  # each conversion has its own LibreOffice profile
        futures = {name: pool.submit(render, gold, fmt, out / name, name="report", **options)
                   for name, (fmt, options) in jobs.items()}
        return gold, {name: future.result() for name, future in futures.items()}


def _edges(path) -> tuple[list[dict], list[tuple[int, int, int]]]:
    """pdfplumber's edges of every page, and each page's count of lines, rects and curves."""
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        return ([edge for page in pdf.pages for edge in page.edges],
                [(len(page.lines), len(page.rects), len(page.curves)) for page in pdf.pages])


@pytest.mark.slow
@needs_soffice
def test_pdf_grid_rules_every_cell(renders):
    edges, _ = _edges(renders[1]["grid"])
    kinds = Counter(edge["orientation"] for edge in edges)
    assert kinds["h"] > 40 and kinds["v"] > 40


@pytest.mark.slow
@needs_soffice
def test_pdf_without_rules_draws_no_line_at_all(renders):
    edges, shapes = _edges(renders[1]["none"])
    assert edges == [] and all(shape == (0, 0, 0) for shape in shapes)


@pytest.mark.slow
@needs_soffice
def test_pdf_horizontal_rules_only(renders):
    edges, _ = _edges(renders[1]["horizontal"])
    kinds = Counter(edge["orientation"] for edge in edges)
    assert kinds["v"] == 0 and kinds["h"] > 40  # a rule between every two rows


@pytest.mark.slow
@needs_soffice
def test_pdf_three_line_tables(renders):
    edges, _ = _edges(renders[1]["three-line"])
    assert {edge["orientation"] for edge in edges} == {"h"}
    widths = Counter(round(edge["linewidth"], 1) for edge in edges)
    assert widths == {1.5: 6, 0.5: 3}  # per table: heavy above and below, thin under the header
    assert len({(round(edge["x0"]), round(edge["x1"])) for edge in edges}) == 1  # each across the whole table


@pytest.mark.slow
@needs_soffice
def test_pdf_outer_frame_only(renders):
    edges, _ = _edges(renders[1]["frame"])
    across = [edge for edge in edges if edge["orientation"] == "h"]
    down = [edge for edge in edges if edge["orientation"] == "v"]
    assert len(across) == 6  # each table's top and bottom (a table running onto the next page is open there)
    assert len({round(edge["x0"]) for edge in down}) == 2  # the left and right sides, nothing inside


@pytest.mark.slow
@needs_soffice
@needs_pdftotext
@pytest.mark.parametrize("fmt", ["txt-layout", "txt-raw"])
def test_pdftotext_copies_hold_every_figure(renders, fmt):
    gold, paths = renders
    text = paths[fmt].read_text("utf-8")
    assert paths[fmt].suffix == ".txt" and "\f" in text and "|" not in text
    words = Counter(text.split())
    for figure in figures_of(gold):
        assert words[figure] == 1, figure
    furniture = [text.split("\n")[i].strip(" \f") for i in furniture_lines(text, "测试县人民政府2024年政府信息公开工作年度报告")]
    assert any(re.fullmatch(r"-\s*1\s*-", line) for line in furniture)
    assert sum(re.sub(r"\s", "", line) == "测试县人民政府2024年政府信息公开工作年度报告" for line in furniture) >= 2


@pytest.mark.slow
@needs_soffice
@needs_pdftotext
def test_txt_layout_prints_a_table_row_on_one_line(renders):
    gold, paths = renders
    granted = [str(v) for v in gold["tables"]["applications"]["granted"].values()]
    line = next(line for line in paths["txt-layout"].read_text("utf-8").split("\n") if granted[0] in line)
    assert re.search(r"（一）予以公开\s{2,}" + r"\s+".join(granted) + "$", line)  # narrow columns: one space apart


# --- eval formats ---------------------------------------------------------------------------------

def test_eval_layout_formats_and_group():
    assert goldset.parse_formats("layouts") == list(goldset.LAYOUT_FORMATS)
    assert goldset.parse_formats("default") == list(goldset.DEFAULT_FORMATS) == ["txt", "html", "docx", "doc", "pdf"]
    assert {"pdf-unruled", "pdf-horizontal", "pdf-three-line", "pdf-frame", "docx-unruled", "txt-layout", "txt-raw",
            "txt-spaces"} <= set(goldset.LAYOUT_FORMATS)
    assert "scanned-pdf-unruled" in goldset.SCANNED_FORMATS and "scanned-pdf-unruled" not in goldset.LAYOUT_FORMATS
    assert goldset.RENDERINGS["pdf-unruled"] == ("pdf", {"table_rules": "none"})
    for name in goldset.EVAL_FORMATS:
        fmt, options = goldset.RENDERINGS[name]
        assert fmt in FORMATS and RenderOptions.of(**options)
    keys = {goldset.rendering_key(f) for f in goldset.EVAL_FORMATS if f not in goldset.SCANNED_FORMATS}
    assert len(keys) == len(goldset.EVAL_FORMATS) - len(goldset.SCANNED_FORMATS) - 1  # only txt and txt-pipe share
    assert goldset.score_format("txt-pipe") == "txt" and goldset.score_format("txt-raw") == "txt-raw"
    assert goldset.layout_of(None, "txt-spaces-single") == "txt-spaces-single"


def test_eval_renders_a_layout_format_with_its_options(tmp_path):
    gold = make_gold()
    gold_dir = tmp_path / "gold" / "d1"
    gold_dir.mkdir(parents=True)
    (gold_dir / "gold.json").write_text(json.dumps(gold, ensure_ascii=False), "utf-8")
    (doc,) = goldset.gold_docs(tmp_path / "gold", "all")
    plain = goldset.input_for(doc, "docx", tmp_path / "cache")
    unruled = goldset.input_for(doc, "docx-unruled", tmp_path / "cache")
    assert plain.path != unruled.path and unruled.origin == "rendered"
    assert docx.Document(str(plain.path)).tables[0].style.name == "Table Grid"
    assert docx.Document(str(unruled.path)).tables[0]._tbl.tblPr.find(qn("w:tblBorders")) is not None
    spaces = goldset.input_for(doc, "txt-spaces-ideographic", tmp_path / "cache")
    assert IDEOGRAPHIC_SPACE in spaces.path.read_text("utf-8")
    assert goldset.input_for(doc, "txt-spaces-ideographic", tmp_path / "cache").path == spaces.path  # cached


def test_eval_report_has_a_row_per_layout_format():
    from extractor.evaluation.metrics import doc_record, grouped, score_document, summarize
    from extractor.evaluation.report import render_report

    gold = make_gold()
    result = {"status": "ok", "report": dict(gold["report"]), "sections": gold["sections"], "tables": gold["tables"],
              "checks": [], "errors": [], "source": {"pages": 1}}
    layouts = {"txt": "txt-pipe", "pdf-unruled": "no-grid", "txt-layout": goldset.layout_of(None, "txt-layout"),
               "txt-spaces": goldset.layout_of(None, "txt-spaces")}
    scores = [score_document(result, gold, fmt=goldset.score_format(f), layout=layout) for f, layout in layouts.items()]
    metrics = {"run": {"report": "x-1", "tagger": "x", "model": {"name": "x", "version": "1"},
                       "gold": {"dir": "g", "split": "test", "documents": ["d"], "hash": "0" * 64},
                       "formats": ["txt", "pdf-unruled", "txt-layout", "txt-spaces"], "inputs": 4,
                       "skipped_inputs": [], "date": "2026-01-01T00:00:00", "code": {"package_version": "0"}},
               "overall": summarize(scores, with_confusion=True), "by_format": grouped(scores, lambda s: s.format),
               "by_layout": grouped(scores, lambda s: s.layout), "documents": [doc_record(s) for s in scores],
               "baselines": {}}
    text = render_report(metrics, [metrics])
    for name in ("txt", "pdf-unruled", "txt-layout", "txt-spaces"):
        assert f"| format {name} |" in text and f"| {name} | 1 |" in text
    assert "| layout txt-layout |" in text and "| layout no-grid |" in text


# --- the generator ---------------------------------------------------------------------------------

def test_the_generator_draws_every_layout_by_seed():
    recipes = [random_recipe(random.Random(f"layouts:{i}")) for i in range(3000)]
    assert [r.layout for r in recipes[:50]] == [random_recipe(random.Random(f"layouts:{i}")).layout
                                                 for i in range(50)]  # the same seed, the same recipe
    formats = Counter(r.fmt for r in recipes)
    assert {"txt-spaces", "txt-layout", "txt-raw"} <= set(formats) and {"txt-layout", "txt-raw"} <= set(OFFICE_FORMATS)
    office = [r for r in recipes if r.fmt in ("docx", "doc", "pdf")]
    shares = Counter(r.options["table_rules"] for r in office)
    assert set(shares) == set(TABLE_RULES) and 0.35 < shares["grid"] / len(office) < 0.65
    assert {"pdf-unruled", "pdf-three-line", "docx-horizontal", "docx-frame"} <= {r.layout for r in recipes}
    spaces = [r for r in recipes if r.fmt == "txt-spaces"]
    assert {r.options["spacing"] for r in spaces} == {"aligned", "single", "ideographic"}
    assert any(r.options["label_wrap"] for r in spaces) and any(not r.options["label_wrap"] for r in spaces)
    assert any("page_furniture" in r.text_mess for r in spaces)
    assert all(not r.text_mess for r in recipes if r.fmt in ("txt-layout", "txt-raw"))  # their own page furniture
    for r in recipes[:300]:
        RenderOptions.of(**r.options)


def test_blank_columns_leave_the_first_middle_and_last_figures_blank_and_every_rule_holds():
    gold = random_gold(random.Random(3), format_version="2019", broken_rule=None, blank_share=0.0)
    tables = blank_columns(random.Random(1), gold["tables"], BLANK_COLUMNS, share=1.0)
    blanked = 0
    for row, original in zip(printed_rows(tables), printed_rows(gold["tables"])):
        for spot, ((values, field), (before, _)) in enumerate(zip(row, original)):
            if spot in (0, len(row) - 1):  # first and last: blank exactly where the figure was 0
                assert (values[field] is None) == (before[field] == 0)
            blanked += values[field] is None
    assert blanked > sum(1 for row in printed_rows(tables) if len(row) > 1)  # the middle ones too
    assert failing_rules(tables, "2019") == set()  # blanks count as 0
    assert all(v is not None for t in gold["tables"].values() for r in t.values() for v in r.values())  # a copy
    drawn = Counter(tuple(random_gold(random.Random(i))["extras"]["blank_columns"]) for i in range(200))
    assert 0.1 < 1 - drawn[()] / 200 < 0.4 and {p for key in drawn for p in key} == set(BLANK_COLUMNS)
    assert random_gold(random.Random(5), blank_share=0.0)["extras"]["blank_columns"] == []


@pytest.mark.slow
@needs_soffice
@needs_pdftotext
def test_a_txt_layout_sample_marks_the_pdf_page_furniture(tmp_path):
    from extractor.labels import Label
    from extractor.synth import Recipe, make_sample

    recipe = Recipe("txt-layout", {"table_rules": "none", "page_header": True, "page_footer": True}, blank_mark="—")
    s = make_sample(random.Random(2), "t", tmp_path, recipe=recipe, broken_rule=None)
    assert s.path.suffix == ".txt" and s.gold["extras"]["furniture_lines"]
    labels = dict(zip((t.line for t in s.labelled.tokens), s.labelled.labels))
    assert {labels[i] for i in s.gold["extras"]["furniture_lines"] if i in labels} == {Label.FURNITURE}
    assert s.recipe.layout == "txt-layout"
