"""The eval harness: its metrics on hand-made cases, the gold set's layouts, and one end-to-end run."""

import copy
import json
import shutil

import pytest
from click.testing import CliRunner
from conftest import GOLD_DIR, load_gold

from extractor.cli import main
from extractor.evaluation.goldset import gold_docs, input_for, parse_formats, text_layout
from extractor.evaluation.metrics import confusion, score_document, status_figures, summarize, token_figures
from extractor.evaluation.report import compare_runs, resolve_metrics
from extractor.render import render_bytes

REVIEW = {"administrative_review": {"upheld": 1, "corrected": 0, "other": 0, "pending": 0, "total": 1},
          "litigation_direct": {"upheld": 0, "corrected": 0, "other": 0, "pending": 0, "total": 0}}


def tiny_gold(review=REVIEW) -> dict:
    return {"doc_id": "tiny", "report": {"organization": "某街道", "year": 2024, "format_version": "2021",
                                         "script": "simplified"},
            "sections": [{"id": "overview", "title": "一、总体情况", "text": "全年公开信息。"}],
            "tables": {"review_litigation": copy.deepcopy(review)}}


def result_of(gold: dict, *, status: str = "ok") -> dict:
    return {"status": status, "report": dict(gold["report"]), "sections": copy.deepcopy(gold["sections"]),
            "tables": copy.deepcopy(gold["tables"]), "checks": [], "errors": [], "source": {"pages": 1}}


def score(result: dict, gold: dict):
    return score_document(result, gold, fmt="txt", layout="txt-pipe")


# --- metrics on hand-made cases ---------------------------------------------------------------

def test_a_right_result_scores_full_marks():
    gold = tiny_gold()
    s = score(result_of(gold), gold)
    assert (s.cells_total, s.cells_right, s.cells_wrong) == (10, 10, 0)
    assert s.exact and s.outcome == "ok_right"
    assert summarize([s])["cells"]["accuracy"] == 1.0


def test_known_wrong_cells_give_the_known_accuracy():
    gold = tiny_gold()
    result = result_of(gold)
    result["tables"]["review_litigation"]["administrative_review"]["upheld"] = 7  # wrong value
    del result["tables"]["review_litigation"]["litigation_direct"]["total"]  # missing cell
    s = score(result, gold)
    assert s.cells_wrong == 2 and s.cells_right == 8
    figures = summarize([s])["cells"]
    assert figures["accuracy"] == pytest.approx(0.8)
    assert figures["by_table"]["review_litigation"] == {"cells": 10, "right": 8, "accuracy": pytest.approx(0.8)}


def test_an_extra_cell_is_wrong_and_counted_in_the_denominator():
    gold = tiny_gold()
    result = result_of(gold)
    result["tables"]["review_litigation"]["administrative_review"]["invented"] = 3
    s = score(result, gold)
    assert (s.cells_total, s.cells_extra, s.cells_right) == (10, 1, 10)
    assert summarize([s])["cells"]["accuracy"] == pytest.approx(10 / 11)


def test_accuracy_pools_cells_over_documents():
    gold = tiny_gold()
    wrong = result_of(gold)
    wrong["tables"]["review_litigation"]["administrative_review"]["total"] = 2
    figures = summarize([score(result_of(gold), gold), score(wrong, gold)])
    assert figures["cells"]["accuracy"] == pytest.approx(19 / 20)
    assert figures["documents"]["all_cells_right"] == 1 and figures["documents"]["all_cells_right_rate"] == 0.5


def test_ok_with_a_wrong_cell_is_a_silent_error():
    gold = tiny_gold()
    result = result_of(gold, status="ok")
    result["tables"]["review_litigation"]["litigation_direct"]["upheld"] = 1
    s = score(result, gold)
    assert s.outcome == "silent_error"
    status = status_figures([s, score(result_of(gold), gold)])
    assert status["silent_errors"] == 1 and status["ok"] == 2 and status["silent_error_rate"] == 0.5


def test_needs_review_with_every_cell_right_is_flagged_but_right():
    gold = tiny_gold()
    s = score(result_of(gold, status="needs_review"), gold)
    assert s.outcome == "flagged_right"
    status = status_figures([s])
    assert status["flagged_right"] == 1 and status["flagged_wrong"] == 0 and status["silent_errors"] == 0


def test_needs_review_with_a_wrong_cell_is_flagged_and_wrong():
    gold = tiny_gold()
    result = result_of(gold, status="needs_review")
    result["tables"]["review_litigation"]["administrative_review"]["upheld"] = None
    status = status_figures([score(result, gold)])
    assert status["flagged_wrong"] == 1 and status["flag_precision"] == 1.0


def test_a_flag_the_printed_figures_call_for_is_flagged_right_expected():
    broken = copy.deepcopy(REVIEW)
    broken["administrative_review"]["total"] = 5  # 1 + 0 + 0 + 0 is printed as 5
    gold = tiny_gold(broken)
    s = score(result_of(gold, status="needs_review"), gold)
    assert s.gold_breaks_rule and s.outcome == "flagged_right_expected"


def test_a_wrong_section_body_is_not_exact_but_cells_stay_right():
    gold = tiny_gold()
    result = result_of(gold)
    result["sections"][0]["text"] = "全年公开信息。一、总体情况"
    s = score(result, gold)
    assert s.all_cells_right and not s.exact and s.outcome == "ok_other_wrong"
    sections = summarize([s])["sections"]
    assert sections["heading_accuracy"] == 1.0 and sections["body_accuracy"] == 0.0


def test_per_label_precision_recall_f1_on_a_tiny_list():
    gold = ["prose", "prose", "cell_value", "cell_value", "title"]
    tags = ["prose", "cell_value", "cell_value", "cell_value", "title"]
    figures = token_figures(gold, tags)
    prose, value, title = (figures["per_label"][k] for k in ("prose", "cell_value", "title"))
    assert (prose["precision"], prose["recall"], prose["f1"], prose["support"]) == (1.0, 0.5, pytest.approx(2 / 3), 2)
    assert (value["precision"], value["recall"], value["f1"]) == (pytest.approx(2 / 3), 1.0, pytest.approx(0.8))
    assert title["f1"] == 1.0
    assert set(figures["per_label"]) == {"title", "cell_value", "prose"}  # labels never seen are left out
    assert figures["macro"]["f1"] == pytest.approx((2 / 3 + 0.8 + 1.0) / 3)
    assert figures["accuracy"] == pytest.approx(4 / 5)


def test_confusion_counts_gold_rows_against_tag_columns():
    matrix = confusion(["prose", "prose", "title"], ["prose", "title", "title"], labels=("title", "prose"))
    assert matrix == [[1, 0], [1, 1]]


# --- the gold set -----------------------------------------------------------------------------

def test_text_layouts_are_told_by_their_shape():
    gold = load_gold("seed-000")
    for layout in ("txt-pipe", "txt-cells", "txt-tabs"):
        assert text_layout(render_bytes(gold, layout).decode("utf-8")) == layout
    assert text_layout("一、总体情况\n全年公开信息。\n") == "txt-plain"


def test_annotation_splits_choose_the_documents():
    assert [d.doc_id for d in gold_docs(GOLD_DIR, "dev")] == ["seed-002"]
    assert len(gold_docs(GOLD_DIR, "all")) == len(list(GOLD_DIR.glob("*/gold.json")))
    doc = gold_docs(GOLD_DIR, "dev")[0]
    assert doc.source.name == "source.txt" and doc.split == "dev"


def test_a_flat_synthetic_gold_folder_is_read_and_rendered(tmp_path):
    corpus = tmp_path / "synth"
    (corpus / "gold").mkdir(parents=True)
    gold = load_gold("seed-001")
    gold["doc_id"] = "synth-0001"
    gold["source"] = {"file": "synth-0001.txt", "format": "txt"}
    (corpus / "gold" / "synth-0001.json").write_text(json.dumps(gold, ensure_ascii=False), "utf-8")
    (corpus / "synth-0001.txt").write_bytes(render_bytes(gold, "txt-tabs"))
    for given in (corpus, corpus / "gold"):
        docs = gold_docs(given, "test")  # no splits.json: every document in every split
        assert [(d.doc_id, d.split, d.source.name) for d in docs] == [("synth-0001", "all", "synth-0001.txt")]
    cache = tmp_path / "cache"
    txt = input_for(docs[0], "txt", cache)
    html = input_for(docs[0], "html", cache)
    assert (txt.origin, html.origin) == ("source", "rendered")
    assert html.path.is_relative_to(cache) and html.path.suffix == ".html"
    assert input_for(docs[0], "html", cache).path == html.path  # cached


def test_unknown_formats_are_refused():
    assert parse_formats("txt, html,txt") == ["txt", "html"]
    with pytest.raises(ValueError):
        parse_formats("txt,odt")


def test_scanned_pdf_is_asked_for_by_name_or_with_all():
    assert "scanned-pdf" not in parse_formats("default")
    assert parse_formats("all") == ["txt", "html", "docx", "doc", "pdf", "scanned-pdf"]
    assert parse_formats("pdf,all") == ["pdf", "txt", "html", "docx", "doc", "scanned-pdf"]
    assert parse_formats("scanned-pdf") == ["scanned-pdf"]


def test_scanned_inputs_are_cached_by_the_scanners_code_too(tmp_path, monkeypatch):
    from extractor.evaluation import goldset

    doc = gold_docs(GOLD_DIR, "test")[0]
    scanned, pdf = (goldset.render_cache_path(doc, fmt, tmp_path) for fmt in ("scanned-pdf", "pdf"))
    assert scanned.parent == pdf.parent  # the same gold, rendered by the same renderer
    assert scanned.name == f"scanned-pdf-{goldset.scanner_hash()}"
    assert {"ocr/scan.py", "ocr/image.py", "loaders/scanned.py"} <= set(goldset.SCANNER_CODE)
    # Another scanner (here: its code without one of its files) is another cache folder.
    monkeypatch.setattr(goldset, "SCANNER_CODE", goldset.SCANNER_CODE[1:])
    goldset.scanner_hash.cache_clear()
    try:
        assert goldset.render_cache_path(doc, "scanned-pdf", tmp_path) != scanned
    finally:
        goldset.scanner_hash.cache_clear()


# --- end to end -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def eval_run(tmp_path_factory):
    """`ogi eval` with the rules tagger on the dev seed, as text and HTML."""
    tmp = tmp_path_factory.mktemp("eval")
    args = ["eval", "--tagger", "rules", "--split", "dev", "--formats", "txt,html", "--no-baselines",
            "--no-challenge", "--out", str(tmp / "reports"), "--cache", str(tmp / "cache")]
    outcome = CliRunner().invoke(main, args)
    assert outcome.exit_code == 0, outcome.output
    return tmp, outcome.output


def test_eval_writes_metrics_report_and_figures(eval_run):
    tmp, output = eval_run
    out = tmp / "reports" / "rules-1"
    assert "cell accuracy" in output and str(out / "report.md") in output
    metrics = json.loads((out / "metrics.json").read_text("utf-8"))
    assert {"schema", "run", "overall", "by_format", "by_layout", "documents", "baselines"} <= set(metrics)
    run = metrics["run"]
    assert run["tagger"] == "rules" and run["model"] == {"name": "rules", "version": "1"}
    assert run["gold"]["split"] == "dev" and run["gold"]["documents"] == ["seed-002"]
    assert run["code"]["package_version"] and run["date"]
    assert set(metrics["by_format"]) == {"txt", "html"}
    assert set(metrics["by_layout"]) == {"txt-tabs", "grid"}
    overall = metrics["overall"]
    assert {"documents", "cells", "sections", "report_fields", "tokens", "checks", "status", "throughput",
            "confusion"} <= set(overall)
    assert overall["documents"]["inputs"] == 2 and overall["cells"]["cells"] == 400
    assert overall["status"]["silent_errors"] == 0
    assert overall["tokens"]["tokens"] > 0 and "cell_value" in overall["tokens"]["per_label"]
    assert overall["throughput"]["pages_per_second"] > 0
    assert [d["format"] for d in metrics["documents"]] == ["txt", "html"]
    report = (out / "report.md").read_text("utf-8")
    for heading in ("## Headline", "## Status honesty", "## Accuracy by format", "## Token tags",
                    "## Worst documents", "## Baselines", "## Versions"):
        assert heading in report
    for name in ("f1_per_label", "confusion", "accuracy_by_format", "accuracy_by_version"):
        png = out / "figures" / f"{name}.png"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert f"figures/{name}.png" in report


def test_compare_prints_the_difference_between_two_versions(eval_run):
    tmp, _ = eval_run
    reports = tmp / "reports"
    older = reports / "rules-0"
    shutil.copytree(reports / "rules-1", older)
    metrics = json.loads((older / "metrics.json").read_text("utf-8"))
    metrics["run"]["report"] = "rules-0"
    metrics["overall"]["cells"]["accuracy"] = 0.9
    metrics["overall"]["status"]["silent_errors"] = 2
    (older / "metrics.json").write_text(json.dumps(metrics), "utf-8")
    outcome = CliRunner().invoke(main, ["eval", "--compare", "rules-0", "rules-1", "--out", str(reports)])
    assert outcome.exit_code == 0, outcome.output
    lines = {line.split("  ")[0].strip(): line for line in outcome.output.splitlines()}
    assert "+10.0 pt" in lines["cell accuracy"] and "-2" in lines["silent errors (ok with a wrong cell; must be 0)"]
    assert "different gold" not in outcome.output
    assert compare_runs(resolve_metrics("rules-1", reports), metrics).startswith("A = rules-1")
    missing = CliRunner().invoke(main, ["eval", "--compare", "rules-0", "nope", "--out", str(reports)])
    assert missing.exit_code == 2 and "rules-0" in missing.output


def test_a_worst_document_lists_its_wrong_cells():
    from extractor.evaluation.metrics import doc_record
    from extractor.evaluation.report import render_report

    gold = tiny_gold()
    result = result_of(gold)
    result["tables"]["review_litigation"]["administrative_review"]["upheld"] = 7
    s = score(result, gold)
    metrics = {"run": {"report": "x-1", "tagger": "x", "model": {"name": "x", "version": "1"},
                       "gold": {"dir": "g", "split": "test", "documents": ["tiny"], "hash": "0" * 64},
                       "formats": ["txt"], "inputs": 1, "skipped_inputs": [], "date": "2026-01-01T00:00:00",
                       "code": {"package_version": "0"}},
               "overall": summarize([s], with_confusion=True), "by_format": {"txt": summarize([s])},
               "by_layout": {"txt-pipe": summarize([s])}, "documents": [doc_record(s)], "baselines": {}}
    text = render_report(metrics, [metrics])
    assert "Silent error" in text
    assert "| review_litigation.administrative_review.upheld | 1 | 7 |" in text


class CellsAsProse:
    """A deliberately bad tagger: the rules, with every 37th figure called prose."""

    name, version = "bad", "0.1"

    def __init__(self):
        from extractor.tagging import get_tagger

        self.rules = get_tagger("rules")

    def tag(self, doc):
        from extractor.labels import Label
        from extractor.tagging import Tag

        return [Tag(Label.PROSE) if tag.label == Label.CELL_VALUE and i % 37 == 0 else tag
                for i, tag in enumerate(self.rules.tag(doc))]


def test_a_worse_tagger_is_reported_against_the_baselines_and_earlier_versions(tmp_path, eval_run, monkeypatch):
    from extractor.evaluation import harness

    real_get_tagger = harness.get_tagger

    def get_tagger(name, **kwargs):
        if name == "sklearn":
            raise ModuleNotFoundError("No module named 'extractor.tagging.sklearn'")
        return real_get_tagger(name, **kwargs)

    monkeypatch.setattr(harness, "get_tagger", get_tagger)
    cached, _ = eval_run
    reports = tmp_path / "reports"
    shutil.copytree(cached / "reports" / "rules-1", reports / "rules-1")
    settings = harness.EvalSettings(split="dev", formats=("txt", "html"), out_dir=reports,
                                    cache_dir=cached / "cache", gold_dir=GOLD_DIR, progress=False)
    out = harness.run_eval(settings, tagger=CellsAsProse())
    assert out == reports / "bad-0.1"
    metrics = json.loads((out / "metrics.json").read_text("utf-8"))
    assert metrics["overall"]["cells"]["accuracy"] < 1.0
    assert metrics["overall"]["status"]["silent_errors"] == metrics["overall"]["status"]["silent_error"]
    assert metrics["baselines"]["rules"]["overall"]["cells"]["accuracy"] == 1.0
    assert "extractor.tagging.sklearn" in metrics["baselines"]["sklearn"]["unavailable"]
    report = (out / "report.md").read_text("utf-8")
    worst = report.split("## Worst documents")[1].split("## Baselines")[0]
    assert "### seed-002 as" in worst and "| cell | expected | got |" in worst
    assert "| bad-0.1 (this run) | rules 1 |" in report
    assert "sklearn: not run" in report
    versions = report.split("## Versions")[1]
    assert "| rules-1 |" in versions and "| bad-0.1 (this run) |" in versions
