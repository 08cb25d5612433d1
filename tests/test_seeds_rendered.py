"""End to end: every seed (and a 2019-format report) rendered by LibreOffice into every input
format, in the official table layout, extracts with every cell and section right."""

import json
from pathlib import Path

import pytest
from conftest import ROOT, SEED_IDS, load_gold
from test_seeds_text import differences

from extractor.evaluation.compare import compare
from extractor.loaders import load
from extractor.pipeline import extract
from extractor.render import render
from extractor.tagging import get_tagger

GOLDS = {doc_id: load_gold(doc_id) for doc_id in SEED_IDS}
GOLDS["fixture-2019"] = json.loads((ROOT / "tests" / "fixtures" / "report-2019.json").read_text("utf-8"))
FORMATS = ("html", "docx", "doc", "pdf")


@pytest.fixture(scope="session")
def rendered(tmp_path_factory) -> dict[tuple[str, str], Path]:
    out = tmp_path_factory.mktemp("rendered")
    return {(doc_id, fmt): render(gold, fmt, out / f"{doc_id}-{fmt}")
            for doc_id, gold in GOLDS.items() for fmt in FORMATS}


@pytest.mark.slow
@pytest.mark.parametrize("tagger", ["rules", "model"])
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("doc_id", sorted(GOLDS))
def test_rendered_report_extracts_exactly(rendered, doc_id, fmt, tagger):
    result = extract(rendered[(doc_id, fmt)], tagger=get_tagger(tagger))
    assert result["source"]["format"] == fmt
    assert differences(result, GOLDS[doc_id], tagger) == []
    assert result["status"] == "ok", result["errors"]


@pytest.mark.slow
def test_pdf_tables_cross_page_breaks_and_furniture_is_recognised(rendered):
    doc = load(rendered[("seed-004", "pdf")])
    assert doc.pages >= 3
    app_pages = {t.page for t in doc.tokens if t.table is not None and t.text in ("(七)总计", "1.属于国家秘密", "四、结转下年度继续办理")}
    assert len(app_pages) >= 1
    table_pages = {}
    for tok in doc.tokens:
        if tok.table is not None:
            table_pages.setdefault(tok.table, set()).add(tok.page)
    assert any(len(pages) > 1 for pages in table_pages.values()), "no table runs across a page break"
    furniture = [t.text for t in doc.tokens if t.furniture]
    assert any(text.strip("- ").isdigit() for text in furniture), furniture


@pytest.mark.slow
def test_table_forced_onto_a_new_page_still_extracts(tmp_path):
    gold = GOLDS["seed-000"]
    path = render(gold, "pdf", tmp_path, page_break_before=["applications", "review_litigation"])
    result = extract(path)
    assert compare(result, gold) == [] and result["status"] == "ok"


@pytest.mark.slow
def test_a_pdf_that_is_not_a_report_fails_plainly(tmp_path):
    from docx import Document as Docx

    from extractor.convert import convert

    doc = Docx()
    doc.add_heading("会议通知", 1)
    doc.add_paragraph("定于下周一上午九时在三楼会议室召开全体会议，请准时参加。")
    doc.save(tmp_path / "notice.docx")
    pdf = convert(tmp_path / "notice.docx", "pdf", tmp_path)
    result = extract(pdf)
    assert result["status"] == "failed"
    assert "not an annual report" in result["errors"][0]


@pytest.mark.parametrize("tagger", ["rules", "model"])
def test_pages_drawn_turned_and_shown_upright_by_rotate_extract_exactly(rendered, tmp_path, tagger):
    # Landscape pages: the content drawn turned a quarter (here by pypdf), on a page whose
    # /Rotate shows it upright. The turn leaves float noise in the ruling lines
    # (a rise of 1e-14 made pdfplumber call level lines vertical and no table cell closed).
    from pypdf import PdfWriter, Transformation
    from pypdf.generic import RectangleObject

    writer = PdfWriter(clone_from=rendered[("seed-004", "pdf")])
    for page in writer.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        page.add_transformation(Transformation().rotate(-90).translate(0, width))
        page.mediabox = page.cropbox = RectangleObject([0, 0, height, width])
        page.rotate(270)
    turned = tmp_path / "turned.pdf"
    writer.write(turned)
    result = extract(turned, tagger=get_tagger(tagger))
    assert differences(result, GOLDS["seed-004"], tagger) == []
    assert result["status"] == "ok", result["errors"]


def test_pages_shown_turned_fail_or_are_named_with_what_to_do(rendered, tmp_path):
    from pypdf import PdfWriter

    source = rendered[("seed-004", "pdf")]
    sideways = PdfWriter(clone_from=source)
    for page in sideways.pages:
        page.rotate(90)
    sideways.write(tmp_path / "sideways.pdf")
    result = extract(tmp_path / "sideways.pdf", tagger=get_tagger("rules"))
    assert result["status"] == "failed"
    assert "sideways or upside down" in result["errors"][0] and "turn the pages upright" in result["errors"][0]

    one = PdfWriter(clone_from=source)
    one.pages[0].rotate(180)
    one.write(tmp_path / "one-turned.pdf")
    result = extract(tmp_path / "one-turned.pdf", tagger=get_tagger("rules"))
    assert result["status"] == "needs_review"
    assert any(e.startswith("page 1: its text runs sideways or upside down") for e in result["errors"])
