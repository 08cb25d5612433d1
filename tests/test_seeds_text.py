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
    doc_id, gold, path = seed
    result = extract(path, tagger=get_tagger(tagger))
    assert differences(result, gold, tagger) == []
    assert result["status"] == "ok", result["errors"]
    assert all(check["ok"] for check in result["checks"])
    assert result["source"]["format"] == "txt"
