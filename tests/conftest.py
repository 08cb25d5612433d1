import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GOLD_DIR = ROOT / "annotations" / "gold"
SEED_IDS = sorted(p.name for p in GOLD_DIR.glob("seed-*"))


def load_gold(doc_id: str) -> dict:
    return json.loads((GOLD_DIR / doc_id / "gold.json").read_text("utf-8"))


@pytest.fixture(params=SEED_IDS)
def seed(request):
    """(doc_id, gold dict, path of the source text) for each seed."""
    doc_id = request.param
    return doc_id, load_gold(doc_id), GOLD_DIR / doc_id / "source.txt"
