"""End to end on the five real seeds as users receive them (text copied out of PDFs and pages)."""

import pytest

from extractor.evaluation.compare import compare
from extractor.pipeline import extract
from extractor.tagging import get_tagger


def differences(result: dict, gold: dict, tagger: str) -> list[str]:
    """What differs from the gold. The rules tagger must be exact; the model tagger (the default)
    must get every figure, heading and report field, and may lose a line of a section body
    (its token scores are in its model card)."""
    diffs = compare(result, gold)
    return diffs if tagger == "rules" else [d for d in diffs if "body differs" not in d]


@pytest.mark.parametrize("tagger", ["rules", "model"])
def test_seed_text_extracts_exactly_as_gold(seed, tagger):
    _, gold, path = seed
    result = extract(path, tagger=get_tagger(tagger))
    assert differences(result, gold, tagger) == []
    assert result["status"] == "ok", result["errors"]
    assert all(check["ok"] for check in result["checks"])
    assert result["source"]["format"] == "txt"


@pytest.mark.parametrize("tagger", ["rules", "model"])
@pytest.mark.parametrize("split_at", [1, 2])
def test_a_figure_broken_across_lines_is_never_read_silently(tmp_path, tagger, split_at):
    # seed-004 prints 10865 licensing decisions; a careless copy breaks it into "1" / "0865" or
    # "10" / "865". The loose digits look like a page number: the cell must be named, never `ok`.
    from conftest import GOLD_DIR

    text = (GOLD_DIR / "seed-004" / "source.txt").read_text("utf-8")
    assert "\n10865 |\n" in text
    broken = tmp_path / "broken.txt"
    broken.write_text(text.replace("\n10865 |\n", f"\n{'10865'[:split_at]}\n{'10865'[split_at:]} |\n", 1), "utf-8")
    result = extract(broken, tagger=get_tagger(tagger))
    licensing = (result["tables"]["active_disclosure"].get("administrative_licensing") or {}).get("decisions")
    if licensing != 10865:
        assert result["status"] == "needs_review"
        assert any("administrative_licensing" in e for e in result["errors"]), result["errors"]
