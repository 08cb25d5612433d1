"""End to end on the five real seeds as users receive them (text copied out of PDFs and pages)."""

from extractor.evaluation.compare import compare
from extractor.pipeline import extract


def test_seed_text_extracts_exactly_as_gold(seed):
    doc_id, gold, path = seed
    result = extract(path)
    assert compare(result, gold) == []
    assert result["status"] == "ok", result["errors"]
    assert all(check["ok"] for check in result["checks"])
    assert result["source"]["format"] == "txt"
