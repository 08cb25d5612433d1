"""The mutation probe (extractor/evaluation/mutations.py): gold reports damaged in ways the
synthetic generator does not make must never come out `ok` with a figure the document does not print."""

import random

import pytest

from extractor.evaluation import mutations as M


def test_mutations_do_what_they_say():
    text = "二、主动公开\n规章 | 10865 | 0 |\n五、存在的主要问题"
    broken = M.TEXT_MUTATIONS["figure broken after 2 digits"](text, random.Random(0))
    assert "| 10\n865 |" in broken.text and broken.kind == "damaged"
    changed = M.TEXT_MUTATIONS["figure changed"](text, random.Random(1))
    assert changed.kind == "changed" and changed.new_value != 10865
    assert f"{changed.new_value:,}" in changed.text or f"| {changed.new_value} |" in changed.text
    separated = M.TEXT_MUTATIONS["thousands separators"](text, random.Random(0)).text
    assert ("10,865" in separated) != ("10，865" in separated) and "| 0 |" in separated


def test_a_silent_error_is_judged_as_one():
    gold = {"active_disclosure": {"regulations": {"issued": 5}}}
    ok = {"status": "ok", "tables": {"active_disclosure": {"regulations": {"issued": 6}}}}
    assert M.judge(ok, gold, M.Mutated("", "same"))
    assert not M.judge({**ok, "status": "needs_review"}, gold, M.Mutated("", "same"))
    assert not M.judge(ok, gold, M.Mutated("", "changed", 6))
    assert M.judge(ok, gold, M.Mutated("", "damaged"))  # a damaged cell may only come out blank
    blank = {"status": "ok", "tables": {"active_disclosure": {"regulations": {"issued": None}}}}
    assert not M.judge(blank, gold, M.Mutated("", "damaged"))


@pytest.mark.parametrize("tagger,media", [("rules", ["txt", "html"]), ("model", ["txt"])])
def test_no_mutation_of_the_seeds_gives_a_silent_error(tagger, media):
    outcomes = M.run([tagger], media, copies=1, progress=False)
    assert len(outcomes) >= 5 * len(M.TEXT_MUTATIONS)
    assert [(o.mutation, o.doc) for o in outcomes if o.silent] == []
    # Damage that leaves every figure as printed is read through, not merely flagged.
    assert [(o.mutation, o.doc) for o in outcomes if o.flagged_unchanged] == []
