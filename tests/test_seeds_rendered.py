"""End to end: every seed (and a 2019-format report) rendered by LibreOffice into every input
format, in the official table layout, extracts with every cell and section right."""

import json
from pathlib import Path

import pytest
from conftest import ROOT, SEED_IDS, load_gold

from extractor.evaluation.compare import compare
from extractor.loaders import load
from extractor.pipeline import extract
from extractor.render import render
from extractor.tagging import get_tagger
from test_seeds_text import differences

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
