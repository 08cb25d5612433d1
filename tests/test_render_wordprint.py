"""The second renderer (issue 26): Word documents of drawn geometry, and the gold set it reads."""

from __future__ import annotations

import io
import random
import shutil

import docx
import pdfplumber
import pytest
from docx.oxml.ns import qn
from docx.shared import Pt

from extractor.evaluation import goldset
from extractor.render import RenderOptions, manuscript, render, render_bytes
from extractor.render.layout import format_value
from extractor.render.wordprint import build_word, word_style
from extractor.synth import wordprint_set
from extractor.synth.figures import enlarge, failing_rules, random_tables

needs_soffice = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")


def gold(index: int = 0) -> dict:
    return wordprint_set.wordprint_gold(wordprint_set.TUNING_SEED, index)


def test_an_unknown_geometry_is_refused_with_the_choices():
    with pytest.raises(ValueError, match=r"geometry='Word'.*'ours', 'word', 'word-tight'"):
        RenderOptions(geometry="Word")


def test_each_document_draws_its_own_style_and_keeps_it():
    styles = [word_style(manuscript(gold(i)), "word") for i in range(12)]
    assert styles[0] == word_style(manuscript(gold(0)), "word")  # the same report looks the same
    assert len({s.table_size for s in styles}) >= 3 and len({s.padding for s in styles}) >= 3
    assert all(9 <= s.table_size <= 12 and 0 <= s.padding <= 6 for s in styles)
    tight = word_style(manuscript(gold(0)), "word-tight")
    assert (tight.table_size, tight.padding, tight.padding_vertical) == (9.0, 0.0, 0.0)


def test_an_unruled_word_table_has_no_border_and_its_style_geometry():
    data = render_bytes(gold(1), "docx", table_rules="none", geometry="word")
    document = docx.Document(io.BytesIO(data))
    style = word_style(manuscript(gold(1)), "word")
    for table in document.tables:
        borders = table._tbl.tblPr.find(qn("w:tblBorders"))
        assert {side.get(qn("w:val")) for side in borders} == {"nil"}
        margin = table._tbl.tblPr.find(qn("w:tblCellMar")).find(qn("w:left"))
        assert int(margin.get(qn("w:w"))) == round(style.padding * 20)
        sizes = {run.font.size for row in table.rows for cell in row.cells for p in cell.paragraphs for run in p.runs}
        assert sizes == {Pt(style.table_size)}


def test_figure_columns_are_wide_enough_for_their_figures():
    for index in range(8):
        g = gold(index)
        document = build_word(manuscript(g), RenderOptions(table_rules="none", geometry="word"))
        style = word_style(manuscript(g), "word")
        for table in document.tables:
            for row in table.rows:
                for cell in row.cells:
                    text = cell.text
                    if text and text.replace(".", "").isdigit():
                        room = cell.width.pt - 2 * style.padding
                        assert room >= 0.6 * style.table_size * len(text), (g["doc_id"], text, room)


def test_large_figures_keep_every_rule_as_it_was_and_have_five_digits():
    seen_large = False
    for seed in range(30):
        rng = random.Random(seed)
        tables = random_tables(rng, "2021" if seed % 2 else "2019")
        fmt = "2021" if seed % 2 else "2019"
        before = failing_rules(tables, fmt)
        bigger = enlarge(rng, tables, fmt)
        assert failing_rules(bigger, fmt) == before
        totals = [v for row in bigger["applications"].values() for v in row.values() if v]
        seen_large |= any(v >= 10000 for v in totals)
    assert seen_large


def test_the_wordprint_set_is_made_of_both_formats_and_scripts(tmp_path):
    paths = wordprint_set.write_set(tmp_path, 8, wordprint_set.TUNING_SEED)
    docs = goldset.gold_docs(tmp_path, "all")
    assert [d.gold_path for d in docs] == sorted(paths)
    assert {(d.gold["report"]["format_version"], d.gold["report"]["script"]) for d in docs} == set(wordprint_set.TURNS)
    with pytest.raises(ValueError, match="reserved"):
        wordprint_set.write_set(tmp_path, 1, 1_700_005)


def test_the_word_eval_formats_render_through_the_second_renderer():
    assert set(goldset.FORMAT_GROUPS["word"]) <= set(goldset.RENDERINGS)
    for fmt in goldset.FORMAT_GROUPS["word"]:
        assert goldset.RENDER_OPTIONS[fmt]["geometry"].startswith("word")
    assert goldset.SCAN_SOURCES["word-scanned-unruled"] == "word-pdf-unruled"


@needs_soffice
def test_a_word_printed_pdf_prints_every_figure_with_no_line(tmp_path):
    g = gold(0)
    pdf = render(g, "pdf", tmp_path, name="report", table_rules="none", geometry="word")
    with pdfplumber.open(pdf) as document:
        words = {w["text"] for page in document.pages for w in page.extract_words()}
        assert not any(page.lines or page.rects for page in document.pages)
    for table in g["tables"].values():
        for row in table.values():
            for value in row.values():
                if value is not None:
                    assert format_value(value) in words or any(format_value(value) in w for w in words)
