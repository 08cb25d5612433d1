"""Regenerate examples/: the seed reports rendered into each input format.

    .venv/bin/python scripts/make_examples.py

The files are made by extractor.render from the gold annotations; never edit them by hand.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from extractor.render import render

ROOT = Path(__file__).resolve().parent.parent
PLAN = {"seed-000": "html", "seed-001": "docx", "seed-002": "doc", "seed-004": "pdf"}


def main() -> None:
    out = ROOT / "examples"
    out.mkdir(exist_ok=True)
    for doc_id, fmt in PLAN.items():
        gold = json.loads((ROOT / "annotations" / "gold" / doc_id / "gold.json").read_text("utf-8"))
        path = render(gold, fmt, out, name=doc_id)
        print(path.relative_to(ROOT))
    shutil.copyfile(ROOT / "annotations" / "gold" / "seed-003" / "source.txt", out / "seed-003.txt")
    print("examples/seed-003.txt")


if __name__ == "__main__":
    main()
