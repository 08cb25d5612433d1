"""The annotation loop's pure parts: task text and offsets, spans <-> token labels, gold from labels."""

import json
from pathlib import Path

import pytest
from conftest import GOLD_DIR, ROOT, SEED_IDS, load_gold

from extractor.annotation import tasks as T
from extractor.annotation.changes import ChangeCount
from extractor.annotation.config import config_labels, label_config
from extractor.annotation.gold import gold_from_labels
from extractor.annotation.pull import (
    PullReport,
    _new_split,
    choose_annotation,
    write_gold,
)
from extractor.evaluation.compare import compare
from extractor.labelling import gold_labels
from extractor.labels import LABELS, Label
from extractor.loaders import load
from extractor.tagging import Tag
from extractor.tokens import Token

L = Label


def region(start, end, label, text=None, **extra):
    value = {"start": start, "end": end, "labels": [label]}
    if text is not None:
        value["text"] = text
    return {"from_name": "label", "to_name": "text", "type": "labels", "value": value, **extra}


TOKENS = [
    Token("报告标题", page=1, line=0),
    Token("第一段\n续行", page=1, line=1),
    Token("信息内容", page=1, line=2, cell=True, table=0, row=0, col=0),
    Token("", page=1, line=2, cell=True, table=0, row=0, col=1),
    Token("规章", page=2, line=3, cell=True, table=0, row=1, col=0),
    Token("5", page=2, line=3, cell=True, table=0, row=1, col=1),
    Token("落款", page=2, line=4),
]


def test_layout_shows_lines_cells_pages_and_tables():
    task = T.layout(TOKENS)
    assert task.text.split("\n") == [
        "报告标题",
        "第一段 续行",
        "┌──── 表格1 ────",
        "信息内容 | ∅",
        "──── 第2页 ────",
        "规章 | 5",
        "└──── 表格1 完 ────",
        "落款",
    ]


def test_offsets_point_at_each_token_as_shown():
    task = T.layout(TOKENS)
    assert [task.text[s:e] for s, e in task.offsets] == [T.shown(t.text) for t in TOKENS]
    assert all(e > s for s, e in task.offsets)  # every token, even a blank cell, can be selected


def test_shown_text_stays_on_its_line_with_browser_whitespace():
    assert T.shown("  第一段 \n\n 续行\t ") == "第一段 续行"
    assert T.shown("a\u2028b") == "a b"
    assert T.shown("\u3000首行缩进") == "\u3000首行缩进"
    assert T.shown("\u3000") == T.shown("") == T.shown(" \n") == "∅"
    assert T.layout([]) == T.TaskText("", [])


@pytest.mark.parametrize("name", ["seed-000.html", "seed-001.docx", "seed-004.pdf"])
def test_real_documents_lay_out_one_piece_per_token_in_order(name):
    doc = load(ROOT / "examples" / name)
    task = T.layout(doc.tokens)
    starts = [s for s, _ in task.offsets]
    assert starts == sorted(starts) and len(set(starts)) == len(starts)
    assert all("\n" not in task.text[s:e] and e > s for s, e in task.offsets)
    labels = [Label.PROSE if i % 3 else Label.CELL_VALUE for i in range(len(doc.tokens))]
    result = T.prediction_result([Tag(label) for label in labels], task)
    assert T.token_labels(result, task.offsets, task.text) == labels


def test_prediction_round_trips_to_the_same_labels():
    labels = [L.TITLE, L.PROSE, L.COLUMN_HEADER, L.CELL_VALUE, L.ROW_LABEL, L.CELL_VALUE, L.SIGNATURE]
    task = T.layout(TOKENS)
    pred = T.prediction([Tag(label, 0.5 + i / 20) for i, label in enumerate(labels)], task, "rules-1")
    assert pred["model_version"] == "rules-1"
    assert pred["score"] == pytest.approx(sum(0.5 + i / 20 for i in range(7)) / 7, abs=1e-6)
    assert pred["result"][3]["value"]["text"] == "∅"
    assert T.token_labels(pred["result"], task.offsets, task.text) == labels


def test_one_span_over_a_whole_line_labels_every_token_on_it():
    task = T.layout(TOKENS)
    start, end = task.offsets[4][0], task.offsets[5][1]  # "规章 | 5", separator included
    assert T.token_labels([region(start, end, "note")], task.offsets)[4:6] == [L.NOTE, L.NOTE]


def test_partial_overlaps_most_characters_win_and_ties_go_to_the_later_span():
    offsets = [(0, 10)]
    assert T.token_labels([region(0, 3, "prose"), region(3, 10, "title")], offsets) == [L.TITLE]
    assert T.token_labels([region(0, 7, "prose"), region(7, 10, "title")], offsets) == [L.PROSE]
    assert T.token_labels([region(0, 5, "prose"), region(5, 10, "title")], offsets) == [L.TITLE]
    assert T.token_labels([region(1, 2, "note")], offsets) == [L.NOTE]


def test_uncovered_tokens_are_none_and_separators_belong_to_no_token():
    task = T.layout(TOKENS)
    sep = task.offsets[2][1]  # the " | " after 信息内容
    labels = T.token_labels([region(sep, sep + 3, "prose")], task.offsets)
    assert labels == [None] * len(TOKENS)
    assert T.uncovered_lines(labels, TOKENS, limit=2) == ["page 1: 报告标题", "page 1: 第一段 续行", "… 5 more"]


def test_regions_of_other_controls_are_ignored():
    other = {"from_name": "comment", "type": "textarea", "value": {"text": ["x"]}}
    assert T.token_labels([other, region(0, 4, "title")], [(0, 4)]) == [L.TITLE]


@pytest.mark.parametrize("value, message", [
    ({"start": 0, "end": 4, "labels": ["heading"]}, "unknown label"),
    ({"start": 0, "end": 4, "labels": ["prose", "title"]}, "exactly one label"),
    ({"start": 0, "end": 4, "labels": []}, "exactly one label"),
])
def test_bad_regions_are_refused(value, message):
    with pytest.raises(T.AnnotationError, match=message):
        T.token_labels([{"from_name": "label", "type": "labels", "value": value}], [(0, 4)])


def test_spans_counted_in_utf16_units_are_recognised_by_their_text():
    text = "𠀀甲 | 乙丙"  # a character beyond the BMP counts 2 in UTF-16
    offsets = [(0, 2), (5, 7)]
    assert T.token_labels([region(6, 8, "prose", text="乙丙")], offsets, text) == [None, L.PROSE]
    assert T.token_labels([region(5, 7, "prose", text="乙丙")], offsets, text) == [None, L.PROSE]


def test_priority_puts_failed_checks_then_needs_review_then_low_confidence_first():
    sure, unsure = [Tag(L.PROSE, 1.0)] * 4, [Tag(L.PROSE, 0.5)] * 4
    failing = [{"rule": "applications.balance", "ok": False}]
    ranked = sorted([
        ("ok-sure", T.priority("ok", [], sure)),
        ("ok-unsure", T.priority("ok", [], unsure)),
        ("review-sure", T.priority("needs_review", [], sure)),
        ("checks-sure", T.priority("needs_review", failing, sure)),
        ("failed", T.priority("failed", [], unsure)),
    ], key=lambda pair: -pair[1])
    assert [name for name, _ in ranked] == ["failed", "checks-sure", "review-sure", "ok-unsure", "ok-sure"]


def test_doc_ids_are_file_name_slugs_with_the_hash():
    sha = "ab12cd34" + "0" * 56
    assert T.doc_id_for("Seed 004 (final)", sha) == "seed-004-final-ab12cd34"
    assert T.doc_id_for("安丘市2024年报告", sha) == "安丘市2024年报告-ab12cd34"
    assert T.slug("2024 reports") == "2024-reports"
    assert T.slug("***") == "doc"


def test_label_config_offers_exactly_the_tag_set_and_is_the_reviewed_file():
    xml = label_config()
    assert config_labels(xml) == list(LABELS)
    assert (ROOT / "annotations" / "labelstudio" / "config.xml").read_text("utf-8") == xml, \
        "regenerate with: .venv/bin/ogi annotate config -o annotations/labelstudio/config.xml"


@pytest.mark.parametrize("doc_id", SEED_IDS)
def test_gold_from_corrected_labels_is_the_hand_gold(doc_id):
    """Labels that are right give back the gold: tables from printed figures, sections and extras from labels."""
    gold = load_gold(doc_id)
    doc = load(GOLD_DIR / doc_id / "source.txt")
    made, _ = gold_from_labels(doc, gold_labels(doc, gold), doc_id=doc_id, source_file="source.txt",
                                   sha256=gold["source"]["sha256"])
    assert compare(made, gold) == []
    assert made["extras"] == gold["extras"]
    assert made["source"] == gold["source"]


def test_gold_from_labels_is_none_when_the_labels_make_no_report():
    doc = load(GOLD_DIR / "seed-000" / "source.txt")
    made, notes = gold_from_labels(doc, [L.PROSE] * len(doc.tokens), doc_id="x", source_file="source.txt",
                                   sha256="0")
    assert made is None and "not an annual report" in notes[0]


def test_change_count_per_label():
    count = ChangeCount()
    assert count.add([L.PROSE, L.PROSE, L.SIGNATURE, L.CELL_VALUE], [L.PROSE, L.SIGNATURE, L.SIGNATURE, L.NOTE]) == 2
    summary = count.summary()
    assert (summary["tokens"], summary["changed"], summary["error_rate"]) == (4, 2, 0.5)
    assert summary["per_label"]["prose"] == {"predicted": 2, "changed": 1, "error_rate": 0.5, "corrected": 1,
                                             "added": 0}
    assert summary["per_label"]["signature"]["added"] == 1
    assert summary["per_label"]["title"]["error_rate"] is None
    assert {(c["model"], c["annotator"]) for c in summary["confusion"]} == {("prose", "signature"),
                                                                           ("cell_value", "note")}
    assert "prose" in count.table()


def test_the_annotation_that_counts():
    anns = [{"id": 1, "result": [], "updated_at": "2025-01-02"},
            {"id": 2, "result": [], "updated_at": "2025-01-03", "was_cancelled": True},
            {"id": 3, "result": [], "updated_at": "2025-01-01", "ground_truth": True},
            {"id": 4, "result": [], "updated_at": "2025-01-04"}]
    assert choose_annotation(anns)["id"] == 3
    assert choose_annotation(anns[:2] + anns[3:])["id"] == 4
    assert choose_annotation([anns[1]]) is None


def test_a_new_document_that_is_a_held_out_report_joins_its_split():
    splits = {"train": ["a"], "dev": [], "test": ["t"]}
    reports = {("某局", 2024): "t", ("另局", 2024): "a"}
    twin = {"report": {"organization": "某局", "year": 2024}}
    other = {"report": {"organization": "新局", "year": 2024}}
    report = PullReport("p")
    assert _new_split("new", other, None, splits, reports, report) == "train"
    assert _new_split("new", other, "dev", splits, reports, report) == "dev"
    assert _new_split("new", twin, None, splits, reports, report) == "test"
    assert report.notes and not report.conflicts
    assert _new_split("new", twin, "train", splits, reports, report) == "test"
    assert report.conflicts


def test_write_gold_never_overwrites_a_hand_made_gold(tmp_path: Path):
    folder = tmp_path / "seed-000"
    folder.mkdir()
    hand = load_gold("seed-000")
    (folder / "gold.json").write_text(json.dumps(hand), "utf-8")
    outcome = write_gold(folder, {"source": {"file": "source.txt"}}, [], GOLD_DIR / "seed-000" / "source.txt",
                         hand["source"]["sha256"], {})
    assert outcome.startswith("kept")
    assert json.loads((folder / "gold.json").read_text("utf-8")) == hand


def test_write_gold_needs_the_source_and_a_report(tmp_path: Path):
    assert write_gold(tmp_path / "x", {"source": {"file": "source.txt"}}, [], None, "0", {}).startswith(
        "not written: source file not found")
    assert write_gold(tmp_path / "x", None, ["no sections"], GOLD_DIR / "seed-000" / "source.txt", "0", {}) \
        .startswith("not written: the labels do not make a report")
    assert not (tmp_path / "x").exists()
