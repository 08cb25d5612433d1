"""The frozen challenge set in every eval report: refused when its gold is not its manifest's, its
figures per tagger, format and variation in metrics.json and report.md."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import ROOT

from extractor.evaluation import harness
from extractor.evaluation.challenge import CHALLENGE_DIR, load_challenge
from extractor.evaluation.report import summary_line
from extractor.synth import challenge

COMMITTED = ROOT / "annotations" / "challenge"


def test_a_changed_gold_file_is_refused_before_any_evaluation(tmp_path):
    shutil.copytree(COMMITTED, tmp_path / "challenge")
    path = next((tmp_path / "challenge" / "gold").glob("*.json"))
    gold = json.loads(path.read_text("utf-8"))
    gold["tables"]["applications"]["new_received"]["total"] = 99999
    path.write_text(json.dumps(gold, ensure_ascii=False), "utf-8")
    with pytest.raises(ValueError, match="differs from its manifest .*: regenerate it with"):
        load_challenge(tmp_path / "challenge")
    settings = harness.EvalSettings(split="dev", formats=("txt",), out_dir=tmp_path / "reports",
                                    cache_dir=tmp_path / "cache", tagger="rules", baselines=False,
                                    figures=False, progress=False, challenge_dir=tmp_path / "challenge")
    with pytest.raises(ValueError, match="differs from its manifest"):
        harness.run_eval(settings)
    assert not (tmp_path / "reports").exists()



def small_set(tmp_path: Path, formats: dict[int, list[str]]) -> Path:
    """The first documents of the committed set, each read in the formats given (fast ones)."""
    folder = tmp_path / "challenge"
    manifest = json.loads((COMMITTED / "manifest.json").read_text("utf-8"))
    (folder / "gold").mkdir(parents=True)
    ids = sorted(manifest["documents"])
    texts = {}
    for index in formats:
        doc_id = ids[index]
        texts[doc_id] = (COMMITTED / "gold" / f"{doc_id}.json").read_text("utf-8")
        (folder / "gold" / f"{doc_id}.json").write_text(texts[doc_id], "utf-8")
    manifest["documents"] = {ids[i]: {**manifest["documents"][ids[i]], "formats": f} for i, f in formats.items()}
    manifest["gold_sha256"] = challenge.gold_sha256(texts)
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), "utf-8")
    return folder


def test_every_eval_report_carries_the_challenge_figures_per_tagger_format_and_variation(tmp_path):
    folder = small_set(tmp_path, {15: ["txt"], 14: ["html", "txt-spaces"]})
    settings = harness.EvalSettings(split="dev", formats=("txt",), out_dir=tmp_path / "reports",
                                    cache_dir=tmp_path / "cache", tagger="rules", baselines=False,
                                    figures=False, progress=False, challenge_dir=folder)
    out = harness.run_eval(settings)
    metrics = json.loads((out / "metrics.json").read_text("utf-8"))
    block = metrics["challenge"]
    assert block["set"]["documents"] == 2 and block["set"]["inputs"] == 3
    rules = block["taggers"]["rules"]
    assert rules["model"] == {"name": "rules", "version": "1"}
    assert rules["overall"]["documents"]["inputs"] == 3
    assert set(rules["by_format"]) == {"txt", "html", "txt-spaces"}
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    expected = {v for d in manifest["documents"].values() for v in d["variations"]}
    assert expected <= set(rules["by_variation"])
    assert sum(g["inputs"] for g in rules["by_format"].values()) == 3
    assert [d["format"] for d in rules["documents"]] == ["html", "txt-spaces", "txt"]  # by document, then format
    assert metrics["overall"]["documents"]["inputs"] == 1  # the gold set's own figures are apart
    report = (out / "report.md").read_text("utf-8")
    assert "## Challenge set (frozen, never tuned on" in report
    assert "All cells right per format:" in report and "| txt-spaces |" in report
    assert "challenge set, inputs with every cell right: rules" in summary_line(metrics)


def test_ogi_eval_reads_the_committed_challenge_set_unless_told_not_to():
    from click.testing import CliRunner

    from extractor.cli import main

    assert CHALLENGE_DIR == COMMITTED
    assert load_challenge().manifest["n_docs"] == len(load_challenge().docs)
    help_text = CliRunner().invoke(main, ["eval", "--help"]).output
    assert "--challenge / --no-challenge" in help_text and "annotations/challenge" in help_text
