"""The synthetic report generator: valid figures, no test-split leakage, right labels,
deterministic corpora, and the rule-based pipeline on what it generates."""

from __future__ import annotations

import json
import random
import re
import shutil
from collections import Counter
from difflib import SequenceMatcher
from pathlib import Path

import pytest
from conftest import GOLD_DIR, load_gold

from extractor import schema
from extractor.dataset import data_hash, read_jsonl
from extractor.evaluation.compare import MISSING, compare_tables
from extractor.labels import Label
from extractor.loaders import load
from extractor.loaders.text import tokens_from_text
from extractor.normalize import for_matching, is_traditional
from extractor.pipeline import extract
from extractor.synth import (
    Recipe,
    generate_corpus,
    make_sample,
    mess,
    pool,
    random_gold,
)
from extractor.synth.corpus import doc_id_of, document_rng, split_of
from extractor.synth.figures import RULES, failing_rules
from extractor.synth.sample import render_file, tokens_sha256

FAST_FORMATS = {"txt-pipe": 2, "txt-cells": 1, "txt-tabs": 1, "html": 2, "docx": 1}
GOLD_KEYS = {"schema_version", "doc_id", "report", "sections", "tables", "extras"}


def sample(seed: int, tmp_path: Path, **kwargs):
    return make_sample(document_rng(seed, 0), f"t{seed}", tmp_path, **kwargs)


# --- random gold ---------------------------------------------------------------------------------

def test_random_gold_holds_every_rule_unless_marked_broken_and_then_only_that_rule_fails():
    broken = set()
    for seed in range(300):
        gold = random_gold(random.Random(seed))
        rule = gold["extras"]["broken_rule"]
        assert failing_rules(gold["tables"], gold["report"]["format_version"]) == ({rule} if rule else set()), seed
        broken.add(rule)
    assert broken == {None, *RULES}


@pytest.mark.parametrize("fmt", schema.FORMAT_VERSIONS)
@pytest.mark.parametrize("rule", RULES)
def test_each_rule_can_be_broken_alone(fmt, rule):
    for seed in range(5):
        gold = random_gold(random.Random(seed), format_version=fmt, broken_rule=rule, blank_share=0.3)
        assert failing_rules(gold["tables"], fmt) == {rule}


def test_random_gold_has_the_shape_of_the_hand_made_gold():
    real = load_gold("seed-000")
    for seed in range(40):
        gold = random_gold(random.Random(seed))
        fmt, year = gold["report"]["format_version"], gold["report"]["year"]
        assert GOLD_KEYS <= set(real) and set(gold) == GOLD_KEYS
        assert set(real["extras"]) <= set(gold["extras"])
        assert [s["id"] for s in gold["sections"]] == [key for key, _ in schema.sections()]
        assert (fmt == "2019") == (year in (2019, 2020)) and 2019 <= year <= 2025
        tables = gold["tables"]
        assert set(tables["applications"]) == {k for k, _ in schema.application_rows(fmt)}
        for row in schema.disclosure_rows(fmt):
            assert set(tables["active_disclosure"][row.key]) == {k for k, _ in row.fields}
        values = [v for t in tables.values() for row in t.values() for v in row.values()]
        assert all(v is None or isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)
        prose = "".join(s["text"] for s in gold["sections"])
        assert is_traditional(prose) == (gold["report"]["script"] == "traditional")


def test_random_gold_mixes_formats_scripts_and_figures_like_real_reports():
    golds = [random_gold(random.Random(seed)) for seed in range(300)]

    def share(pred) -> float:
        return sum(map(pred, golds)) / len(golds)

    assert 0.75 < share(lambda g: g["report"]["format_version"] == "2021") < 0.95
    assert 0.1 < share(lambda g: g["report"]["script"] == "traditional") < 0.3
    assert 0.05 < share(lambda g: g["extras"]["broken_rule"] is not None) < 0.16
    assert len({g["report"]["organization"] for g in golds}) > 280
    values = [v for g in golds for t in g["tables"].values() for row in t.values() for v in row.values()]
    assert values.count(0) > len(values) / 2  # mostly zeros
    assert any(isinstance(v, float) and not v.is_integer() for v in values)  # amounts like 2648.52
    assert any(isinstance(v, int) and v >= 10000 for v in values)  # and some large figures
    assert None in values


def test_random_gold_refuses_unknown_choices_and_impossible_years():
    with pytest.raises(TypeError, match="colour"):
        random_gold(random.Random(0), colour="red")
    with pytest.raises(ValueError, match="2019 format"):
        random_gold(random.Random(0), format_version="2019", year=2024)


# --- the sentence pool never holds held-out sentences -----------------------------------------------

def _splits() -> dict:
    return json.loads((GOLD_DIR / "splits.json").read_text("utf-8"))


def test_the_shipped_sentence_pool_is_built_from_train_and_dev_seeds_only(tmp_path):
    splits = _splits()
    assert pool.training_seed_ids(GOLD_DIR) == sorted(splits["train"] + splits["dev"])
    assert not set(pool.training_seed_ids(GOLD_DIR)) & set(splits["test"])
    rebuilt = pool.build(GOLD_DIR, tmp_path / "sentences.txt").read_text("utf-8")
    shipped = (Path(pool.__file__).parent / "data" / "sentences.txt").read_text("utf-8")
    assert rebuilt == shipped, "data/sentences.txt is stale: run python -m extractor.synth.make_pool"


def _skeleton(sentence: str) -> str:
    """Words only, without placeholders and figures: what a leaked sentence would keep."""
    return "".join(ch for ch in for_matching(re.sub(r"\{\w+\}", "", sentence)) if not ch.isdigit())


def _sentences(doc_id: str) -> list[str]:
    gold = load_gold(doc_id)
    texts = [(s["id"], s["text"]) for s in gold["sections"]] + [("preamble", "\n".join(gold["extras"]["preamble"]))]
    return [sentence for section, text in texts for _, sentence in pool.sentences_of(section, text)]


def _similar(a: str, b: str) -> bool:
    return SequenceMatcher(None, a, b, autojunk=False).ratio() >= 0.8


def test_no_sentence_of_a_test_seed_is_in_the_pool_or_the_templates():
    splits = _splits()
    seen_in_training = {_skeleton(s) for doc_id in splits["train"] + splits["dev"] for s in _sentences(doc_id)}
    held_out = {_skeleton(s) for doc_id in splits["test"] for s in _sentences(doc_id)} - seen_in_training
    # Formulas every report prints (统计期限为…) occur in training seeds too: those are not held out.
    held_out = {s for s in held_out if not any(_similar(s, t) for t in seen_in_training)}
    assert len(held_out) > 40
    ours = [_skeleton(s) for sentences in (*pool.sentences().values(), *pool.templates().values()) for s in sentences]
    for sentence in held_out:
        for candidate in ours:
            assert not _similar(sentence, candidate), (sentence, candidate)


# --- mess ----------------------------------------------------------------------------------------------

def _cells(text: str) -> list[str]:
    return [t.text for t in tokens_from_text(text)]


@pytest.mark.parametrize("layout", ["pipe", "tabs"])
def test_wrapped_rows_keep_every_cell_in_order(layout, tmp_path):
    gold = random_gold(random.Random(3), script="simplified")
    path = render_file(gold, Recipe(f"txt-{layout}", blank_mark="/"), random.Random(0), tmp_path, "r")
    text = path.read_text("utf-8")
    wrapped = mess.mess_text(text, random.Random(1), layout, ("wrap_rows",))
    assert wrapped.count("\n") > text.count("\n")
    assert _cells(wrapped) == _cells(text)


def test_a_shifted_row_gets_exactly_one_more_empty_cell(tmp_path):
    gold = random_gold(random.Random(3), script="simplified")
    text = render_file(gold, Recipe("txt-pipe", blank_mark="/"), random.Random(0), tmp_path, "r").read_text("utf-8")
    shifted = mess.shift_values(text.split("\n"), random.Random(2), "pipe")
    changed = [(a, b) for a, b in zip(text.split("\n"), shifted) if a != b]
    assert changed and all(b.count("|") == a.count("|") + 1 for a, b in changed)
    assert [c for c in _cells("\n".join(shifted)) if c] == [c for c in _cells(text) if c]


def test_a_wrapped_label_is_joined_again_by_the_text_loader(tmp_path):
    gold = random_gold(random.Random(3), script="simplified")
    text = render_file(gold, Recipe("txt-pipe", blank_mark="/"), random.Random(0), tmp_path, "r").read_text("utf-8")
    wrapped = mess.mess_text(text, random.Random(5), "pipe", ("wrap_labels",))
    assert wrapped.count("\n") > text.count("\n")
    assert _cells(wrapped) == _cells(text)


# --- labels ----------------------------------------------------------------------------------------------

def test_labels_of_a_messy_pipe_copy(tmp_path):
    recipe = Recipe("txt-pipe", {"merged": "trailing"}, blank_mark="/", cell_mess=("lose_header_words",),
                    text_mess=("wrap_rows", "blank_lines"))
    s = make_sample(random.Random(11), "p", tmp_path, recipe=recipe, format_version="2021", script="simplified",
                    blank_share=0.0)
    labelled = list(zip((t.text for t in s.labelled.tokens), s.labelled.labels))
    label_of = {text: label for text, label in labelled}
    assert label_of["（七）总计"] == Label.ROW_LABEL
    assert label_of["第二十条第（一）项"] == Label.TABLE_TITLE
    headings = [text for text, label in labelled if label == Label.SECTION_HEADING]
    assert headings == [sec["title"] for sec in s.gold["sections"]]
    assert ("结果", Label.COLUMN_HEADER) in labelled  # 结果纠正 with its second word lost
    new = s.gold["tables"]["applications"]["new_received"]["natural_person"]
    row = next(i for i, (text, _) in enumerate(labelled) if text == "一、本年新收政府信息公开申请数量")
    assert labelled[row + 1] == (str(new), Label.CELL_VALUE)
    assert s.labelled.origin == "synth" and s.labelled.layout == "txt-pipe-messy"


def _value_cells(gold: dict) -> int:
    return sum(1 for t in gold["tables"].values() for row in t.values() for v in row.values() if v is not None)


@pytest.mark.parametrize("fmt", sorted(FAST_FORMATS))
def test_every_figure_heading_and_row_label_is_labelled(fmt, tmp_path):
    for seed in range(6):
        s = sample(seed, tmp_path / str(seed), formats={fmt: 1}, mess_share=0.0, blank_share=0.0)
        count = Counter(label for t, label in zip(s.labelled.tokens, s.labelled.labels) if t.text.strip()).get
        assert count(Label.SECTION_HEADING, 0) == 6
        assert count(Label.CELL_VALUE, 0) == _value_cells(s.gold), s.path
        fmt_version = s.gold["report"]["format_version"]
        groups = 5 if fmt_version == "2021" else 4
        assert count(Label.ROW_LABEL, 0) == len(schema.disclosure_rows(fmt_version)) + len(
            schema.application_rows(fmt_version)) + groups


def test_blank_marks_in_table_cells_are_values_even_where_prose_says_the_same(tmp_path):
    recipe = Recipe("html", {}, html_template="cms", blank_mark="无")
    s = make_sample(random.Random(4), "h", tmp_path, recipe=recipe, blank_share=1.0)
    marks = [label for t, label in zip(s.labelled.tokens, s.labelled.labels) if t.text == "无" and t.table is not None]
    assert marks and set(marks) == {Label.CELL_VALUE}


@pytest.mark.slow
def test_a_pdf_sample_is_labelled_and_hashed_by_its_tokens(tmp_path):
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice not installed")
    s = sample(2, tmp_path, formats={"pdf": 1}, mess_share=0.0)
    assert s.path.suffix == ".pdf" and s.labelled.format == "pdf"
    assert s.labelled.sha256 == tokens_sha256(load(s.path))
    assert sum(label == Label.SECTION_HEADING for label in s.labelled.labels) >= 6
    assert Label.CELL_VALUE in s.labelled.labels


# --- determinism and the corpus ------------------------------------------------------------------------

def test_a_sample_is_the_same_for_the_same_seed(tmp_path):
    a = sample(7, tmp_path / "a", formats=FAST_FORMATS)
    b = sample(7, tmp_path / "b", formats=FAST_FORMATS)
    assert a.labelled.to_json() == b.labelled.to_json()
    assert a.path.read_bytes() == b.path.read_bytes()
    assert a.gold == b.gold


def test_docx_samples_are_byte_identical(tmp_path):
    a = sample(1, tmp_path / "a", formats={"docx": 1})
    b = sample(1, tmp_path / "b", formats={"docx": 1})
    assert a.path.read_bytes() == b.path.read_bytes()


def test_splits_are_eight_one_one_per_block_of_ten():
    for seed in (0, 1):
        for block in range(3):
            splits = [split_of(seed, block * 10 + i) for i in range(10)]
            assert sorted(splits) == ["dev"] + ["test"] + ["train"] * 8
    assert [split_of(5, i) for i in range(30)] != [split_of(6, i) for i in range(30)]


def test_generate_corpus_writes_three_splits_and_a_manifest_deterministically(tmp_path):
    first = generate_corpus(tmp_path / "a", 10, seed=3, formats=FAST_FORMATS, progress=False)
    second = generate_corpus(tmp_path / "b", 10, seed=3, formats=FAST_FORMATS, workers=2, progress=False)
    paths = [tmp_path / "a" / f"{split}.jsonl" for split in ("train", "dev", "test")]
    for name in ("train.jsonl", "dev.jsonl", "test.jsonl", "manifest.json"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    manifest = json.loads((tmp_path / "a" / "manifest.json").read_text("utf-8"))
    assert manifest["seed"] == 3 and manifest["data_hash"] == data_hash(paths) == first["data_hash"]
    assert manifest["counts"]["split"] == {"train": 8, "dev": 1, "test": 1}
    assert sum(manifest["counts"]["layout"].values()) == 10 and first["seconds"] > 0
    docs = [doc for path in paths for doc in read_jsonl(path)]
    assert sorted(d.doc_id for d in docs) == [doc_id_of(3, i) for i in range(10)]
    for doc in docs:
        assert doc.origin == "synth" and doc.layout in manifest["counts"]["layout"]
        gold = json.loads((tmp_path / "a" / "gold" / f"{doc.doc_id}.json").read_text("utf-8"))
        assert gold["doc_id"] == doc.doc_id and gold["source"]["sha256"] == doc.sha256
        assert (tmp_path / "a" / "gold" / gold["source"]["file"]).is_file()
    assert second["data_hash"] == first["data_hash"]


# --- the rule-based pipeline on generated reports --------------------------------------------------------

def _extract(s) -> tuple[dict, list]:
    result = extract(s.path)
    return result, compare_tables(result["tables"], s.gold["tables"])[1]


def test_pipeline_gives_the_gold_tables_of_clean_documents_and_never_a_silent_error_on_messy_ones(tmp_path):
    clean = messy = 0
    for i in range(60):
        s = make_sample(document_rng(21, i), doc_id_of(21, i), tmp_path, formats=FAST_FORMATS, mess_share=0.5)
        result, diffs = _extract(s)
        where = f"{s.path} {s.recipe}"
        if not s.recipe.messy:
            clean += 1
            assert diffs == [], f"{where}: {[str(d) for d in diffs]}"
            if s.gold["extras"]["broken_rule"]:
                assert result["status"] == "needs_review", where
        else:
            messy += 1
            assert not (result["status"] == "ok" and diffs), f"silent error in {where}: {[str(d) for d in diffs]}"
        if result["status"] == "ok":
            assert s.gold["extras"]["broken_rule"] is None, where
    assert clean >= 20 and messy >= 20


def test_an_empty_cell_inserted_into_a_row_with_a_blank_edge_is_never_placed_silently(tmp_path):
    gold = random_gold(random.Random(1), format_version="2021", script="simplified", broken_rule=None, blank_share=0.0)
    row = gold["tables"]["applications"]["denied_three_safeties"]
    assert not any(row.values())
    row.update(social_organization=None, legal_service=None, total=None)  # blanks count as 0: rules hold
    path = render_file(gold, Recipe("txt-pipe", {"merged": "trailing"}, blank_mark=""), random.Random(0), tmp_path, "r")
    text = path.read_text("utf-8")
    printed = "3.危及“三安全一稳定” | 0 | 0 | 0 | | | 0 | | ||"
    assert printed in text
    path.write_text(text.replace(printed, "3.危及“三安全一稳定” | 0 | 0 | | 0 | | | 0 | | ||"), "utf-8")
    result = extract(path)
    diffs = compare_tables(result["tables"], gold["tables"])[1]
    wrong = [d for d in diffs if d.got != MISSING]
    assert not (result["status"] == "ok" and wrong), [str(d) for d in wrong]


@pytest.mark.parametrize("layout", ["pipe", "cells", "tabs"])
def test_page_furniture_lines_are_labelled_furniture_and_a_bare_page_number_comes_with_its_header(layout, tmp_path):
    bare = 0
    for seed in range(8):
        recipe = Recipe(f"txt-{layout}", blank_mark="/", text_mess=("page_furniture",))
        s = make_sample(random.Random(seed), f"f{seed}", tmp_path, recipe=recipe, script="simplified")
        lines = s.path.read_text("utf-8").split("\n")
        furniture = s.gold["extras"]["furniture_lines"]
        assert furniture and all(isinstance(n, int) for n in furniture)
        labelled = {t.line: label for t, label in zip(s.labelled.tokens, s.labelled.labels) if not t.cell}
        assert all(labelled[n] == Label.FURNITURE for n in furniture if lines[n].strip())
        # every other token keeps the label it has without the page furniture
        assert Label.FURNITURE not in {label for t, label in zip(s.labelled.tokens, s.labelled.labels)
                                       if t.line not in furniture and t.text.strip().isdigit()}
        for n in furniture:
            if lines[n].strip().isdigit():
                bare += 1
                assert n + 1 in furniture and not lines[n + 1].strip().isdigit()
    assert bare  # the hardest style (a page number that reads like a figure) was drawn
