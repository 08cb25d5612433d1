"""The frozen challenge set: what its command makes is what is committed, its seeds make no
training data, and its variations are printed as the manifest says (its eval: test_eval_challenge.py)."""

from __future__ import annotations

import json
import random

import pytest
from conftest import ROOT

from extractor.dataset import RESERVED_SEEDS, LabelledDoc, ReservedSeed, reserved_documents, write_jsonl
from extractor.evaluation.goldset import RENDERINGS
from extractor.labels import Label
from extractor.loaders import load
from extractor.normalize import for_matching
from extractor.render import render, render_bytes
from extractor.render.grid import Grid
from extractor.render.printed import apply_printed
from extractor.synth import challenge, generate_corpus, random_gold
from extractor.synth.__main__ import main as synth_main
from extractor.tokens import Token

COMMITTED = ROOT / "annotations" / "challenge"


def committed_gold(doc_id: str) -> dict:
    return json.loads((COMMITTED / "gold" / f"{doc_id}.json").read_text("utf-8"))


# --- frozen -------------------------------------------------------------------------------------

def test_the_committed_set_is_exactly_what_its_command_makes():
    manifest = json.loads((COMMITTED / "manifest.json").read_text("utf-8"))
    assert manifest["command"] == challenge.command("annotations/challenge", manifest["n_docs"], manifest["seed"])
    built, texts = challenge.build(manifest["n_docs"], manifest["seed"], "annotations/challenge")
    on_disk = {p.stem: p.read_text("utf-8") for p in (COMMITTED / "gold").glob("*.json")}
    changed = sorted(doc_id for doc_id in texts if on_disk.get(doc_id) != texts[doc_id])
    assert not changed, (f"the generator no longer makes the frozen challenge set ({len(changed)} documents differ, "
                         f"e.g. {changed[:3]}): keep the set as committed, or bump CHALLENGE_VERSION and regenerate")
    assert set(on_disk) == set(texts)
    assert built == manifest
    assert challenge.gold_sha256(on_disk) == manifest["gold_sha256"]


# --- held out of training -----------------------------------------------------------------------

def test_the_reserved_seeds_are_the_challenge_sets_and_none_of_the_other_held_out_sets():
    assert challenge.CHALLENGE_SEED in RESERVED_SEEDS
    for seed in (0, 1, 7919, 1515001, 1515999):  # training default, messiest, layouts tuning and held-out
        assert seed not in RESERVED_SEEDS


def test_no_training_corpus_is_generated_from_a_reserved_seed(tmp_path, capsys):
    with pytest.raises(ReservedSeed, match="reserved for the frozen challenge set"):
        generate_corpus(tmp_path / "c", 1, RESERVED_SEEDS.start + 3, progress=False)
    assert not (tmp_path / "c").exists()
    with pytest.raises(SystemExit):
        synth_main([str(tmp_path / "d"), "--docs", "1", "--seed", str(challenge.CHALLENGE_SEED)])
    assert "reserved for the challenge set" in capsys.readouterr().err
    with pytest.raises(ValueError, match="reserved seed"):
        challenge.challenge_gold(1515999, 0)


def test_challenge_documents_and_reserved_seed_documents_are_told_apart():
    ids = ["synth-1700000-00003", "synth-1700999-00000", "synth-1701000-00000", "synth-0-00001",
           "challenge-1700000-007", "seed-000/pdf/0", "synth-1515999-00001"]
    assert reserved_documents(ids) == ["synth-1700000-00003", "synth-1700999-00000", "challenge-1700000-007"]


def test_training_data_holding_a_challenge_document_is_refused(tmp_path):
    from extractor.ml.data import gather

    tokens = [Token("本年新收政府信息公开申请数量"), Token("3")]
    docs = [LabelledDoc(doc_id, "synth", "txt", "txt-pipe", f"{n:064x}", tokens, [Label.ROW_LABEL, Label.CELL_VALUE])
            for n, doc_id in enumerate(["synth-1-00000", "synth-1700001-00004"])]
    write_jsonl(docs, tmp_path / "data" / "train.jsonl")
    (tmp_path / "annotations").mkdir()
    with pytest.raises(ReservedSeed, match="synth-1700001-00004"):
        gather(tmp_path / "data", use_gold=False, annotations_dir=tmp_path / "annotations", progress=False)
    write_jsonl(docs[:1], tmp_path / "data" / "train.jsonl")
    assert [d.doc_id for d in gather(tmp_path / "data", use_gold=False, annotations_dir=tmp_path / "annotations",
                                     progress=False).train] == ["synth-1-00000"]


# --- what the set holds -------------------------------------------------------------------------

def test_the_set_covers_every_layout_variation_format_and_script_several_times():
    manifest = json.loads((COMMITTED / "manifest.json").read_text("utf-8"))
    counts = manifest["counts"]
    assert set(challenge.CHALLENGE_FORMATS) <= set(RENDERINGS)
    assert set(counts["format"]) == set(challenge.CHALLENGE_FORMATS) and min(counts["format"].values()) >= 3
    assert set(counts["variation"]) == set(challenge.VARIATIONS) and min(counts["variation"].values()) >= 3
    assert set(counts["format_version"]) == {"2019", "2021"} and min(counts["format_version"].values()) >= 16
    assert set(counts["script"]) == {"simplified", "traditional"} and min(counts["script"].values()) >= 16
    assert all(len(d["variations"]) >= 2 for d in manifest["documents"].values())
    assert "scanned-pdf" not in counts["format"]  # no OCR: every eval run reads the set


def _printed_text(doc_id: str, fmt: str = "txt-pipe") -> tuple[dict, str]:
    gold = committed_gold(doc_id)
    return gold, for_matching(render_bytes(gold, fmt).decode("utf-8"))


def test_reworded_rows_added_rows_and_ocr_figures_are_printed_and_the_gold_keeps_the_true_figures():
    manifest = json.loads((COMMITTED / "manifest.json").read_text("utf-8"))
    seen = set()
    for doc_id, entry in manifest["documents"].items():
        gold, text = _printed_text(doc_id)
        printed = gold["extras"].get("printed") or {}
        for label in (printed.get("labels") or {}).values():
            assert for_matching(label) in text
        for row in printed.get("extra_rows") or []:
            assert for_matching(row["label"]) in text
        for path, shown in (printed.get("values") or {}).items():
            table, row, column = path.split(".")
            true = gold["tables"][table][row][column]
            assert isinstance(true, int) and shown != str(true) and len(shown) == len(str(true))
            seen.add("ocr_figures")
        if "row_wordings" in entry["variations"]:
            assert printed["labels"]
            seen.add("row_wordings")
        if "extra_rows" in entry["variations"]:
            assert printed["extra_rows"]
            seen.add("extra_rows")
        if "headings_unnumbered" in entry["variations"]:
            assert not any(s["title"][0] in "一二三四五六" for s in gold["sections"])
            seen.add("headings_unnumbered")
        if "prose_quotes_labels" in entry["variations"]:
            assert any("“" in s["text"] and "件" in s["text"] for s in gold["sections"])
            seen.add("prose_quotes_labels")
    assert seen == {"ocr_figures", "row_wordings", "extra_rows", "headings_unnumbered", "prose_quotes_labels"}


def test_printed_rows_reach_a_docx_and_a_pdf_as_real_table_rows(tmp_path):
    gold = random_gold(random.Random(3), format_version="2021", script="simplified", broken_share=0)
    gold["extras"]["printed"] = {
        "labels": {"applications.new_received": "本年新收申请数量", "applications.total_processed": "（七）合计"},
        "values": {"applications.carried_over.total": "l"},
        "extra_rows": [{"table": "applications", "after": "new_received", "label": "其中：网上申请",
                        "values": [1, 0, 0, 0, 0, 0, 1]}]}
    docx = load(render(gold, "docx", tmp_path / "docx", name="report"))
    rows: dict[tuple, list[str]] = {}
    for tok in docx.tokens:
        if tok.table is not None:
            rows.setdefault((tok.table, tok.row), []).append(tok.text.strip())
    assert ["其中：网上申请", "1", "0", "0", "0", "0", "0", "1"] in [cells[:8] for cells in rows.values()]
    for fmt in ("docx", "pdf"):
        doc = docx if fmt == "docx" else load(render(gold, fmt, tmp_path / fmt, name="report"))
        words = for_matching("".join(tok.text for tok in doc.tokens))
        for text in ("本年新收申请数量", "（七）合计", "其中：网上申请"):
            assert for_matching(text) in words, (fmt, text)
        assert for_matching("二、上年结转政府信息公开申请数量") in words


def test_printed_extras_are_checked():
    grid = Grid("applications", 1, ())
    with pytest.raises(ValueError, match="unknown extras.printed key"):
        apply_printed(grid, {"label": {}})
    gold = random_gold(random.Random(5), format_version="2021")
    gold["extras"]["printed"] = {"extra_rows": [{"table": "applications", "after": "granted", "label": "其中：x",
                                                 "values": [0] * 7}]}
    with pytest.raises(ValueError, match="over several rows"):
        render_bytes(gold, "txt-pipe")
    gold["extras"]["printed"] = {"extra_rows": [{"table": "applications", "after": "new_received", "label": "其中：x",
                                                 "values": [0] * 3}]}
    with pytest.raises(ValueError, match="3 figures for a row of 7"):
        render_bytes(gold, "txt-pipe")
