"""End to end on the messiest layouts: plain-text copies with every kind of mess, never trained on.

The gold seeds and the synthetic test split are mostly tidy, and there the rules tagger already
places every figure. What a learned tagger must earn its place on is the mess real copies show:
pipe, one-cell-per-line and tab copies with wrapped rows and labels, shifted values, lost header
words, full-width digits, inline pinyin and page headers and numbers copied into the text (a bare
page number between a row's cells reads like a figure). This module generates such a held-out set
(its own seed, so none of its reports is in the training data), extracts every document with each
tagger and counts, per layout:

    cells right / gold cells, documents fully right, documents `ok`,
    silent errors: wrong cells in documents that claim `ok` (must be 0 for every tagger).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path

from .data import CACHE_DIR, synthetic_corpus

TEXT_FORMATS = ("txt-pipe", "txt-cells", "txt-tabs")
SEED_OFFSET = 7919  # the messiest set's seed = training seed + this: other reports than the training ones
DEFAULT_DOCS = 90


def messiest_corpus(n_docs: int = DEFAULT_DOCS, seed: int = SEED_OFFSET, *, cache_dir: Path = CACHE_DIR,
                    progress: bool = False) -> Path:
    """A folder of `n_docs` text reports, every one messy (cached by size, seed and generator code)."""
    out = synthetic_corpus(n_docs, seed, cache_dir=cache_dir, formats=TEXT_FORMATS, mess_share=1.0,
                           progress=progress)
    if out is None:
        raise RuntimeError("extractor.synth is needed to build the messiest-layouts set")
    return out


def _documents(corpus: Path) -> list[tuple[str, str, Path, dict]]:
    """(doc id, layout, file, gold) of every document of a generated corpus."""
    layouts = {}
    for split in ("train", "dev", "test"):
        path = corpus / f"{split}.jsonl"
        if path.is_file():
            for line in path.read_text("utf-8").splitlines():
                record = json.loads(line)
                layouts[record["doc_id"]] = record.get("layout") or "?"
    out = []
    for gold_path in sorted((corpus / "gold").glob("*.json")):
        gold = json.loads(gold_path.read_text("utf-8"))
        source = gold_path.parent / gold["source"]["file"]
        out.append((gold_path.stem, layouts.get(gold_path.stem, "?"), source, gold))
    return out


def evaluate(taggers: Mapping[str, object], corpus: Path) -> dict:
    """Per tagger: totals and per-layout figures (see the module doc) on the documents of `corpus`."""
    from ..evaluation.compare import compare, compare_tables
    from ..pipeline import extract_full

    docs = _documents(corpus)
    out: dict = {}
    for name, tagger in taggers.items():
        groups: dict[str, dict] = defaultdict(lambda: {"cells": 0, "wrong_cells": 0, "exact_documents": 0,
                                                        "ok_documents": 0, "silent_errors": 0, "documents": 0})
        for _doc_id, layout, source, gold in docs:
            result = extract_full(source, tagger=tagger).result
            cells, wrong = compare_tables(result.get("tables", {}), gold["tables"])
            ok = result["status"] == "ok"
            for key in ("all", layout.removesuffix("-messy")):
                g = groups[key]
                g["cells"] += cells
                g["wrong_cells"] += len(wrong)
                g["exact_documents"] += not compare(result, gold)
                g["ok_documents"] += ok
                g["silent_errors"] += len(wrong) if ok else 0
                g["documents"] += 1
        for g in groups.values():
            g["cell_accuracy"] = round(1 - g["wrong_cells"] / g["cells"], 4) if g["cells"] else None
        out[name] = {"all": groups.pop("all"), "by_layout": dict(sorted(groups.items()))}
    return out


def messiest_metrics(model_path: Path, *, seed: int = 0, n_docs: int = DEFAULT_DOCS, kind: str = "model",
                     cache_dir: Path = CACHE_DIR, progress: bool = False) -> dict:
    """The model at `model_path` against the rules tagger on the messiest-layouts set."""
    from ..tagging import get_tagger

    corpus = messiest_corpus(n_docs, seed + SEED_OFFSET, cache_dir=cache_dir, progress=progress)
    results = evaluate({Path(model_path).name: get_tagger(kind, model=str(model_path)), "rules": get_tagger("rules")},
                       corpus)
    return {"set": f"{corpus.name}: {n_docs} text copies (pipe, cells, tabs), all messy, seed {seed + SEED_OFFSET}",
            "taggers": results}
