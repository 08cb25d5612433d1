"""A tagger measured on the gold seeds in every format: token labels and end-to-end cells.

Each seed is read as received (its source file) and rendered into every input format
(txt layouts, HTML, DOCX, DOC, PDF). Token labels are scored against
`labelling.gold_labels`; the whole extraction with that tagger is compared cell by cell
with the gold (`evaluation.compare.compare_tables`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..evaluation.compare import compare, compare_tables
from ..labelling import gold_labels
from ..loaders import load
from ..tokens import Document
from .data import (
    CACHE_DIR,
    GOLD_DIR,
    SEED_FORMATS,
    SOURCE,
    gold_splits,
    load_gold,
    rendered_file,
)
from .metrics import scores


@dataclass(frozen=True)
class SeedDocument:
    doc_id: str
    split: str
    fmt: str
    document: Document
    gold: dict
    labels: tuple[str, ...]


def seed_documents(formats: Sequence[str] = SEED_FORMATS, *, gold_dir: Path = GOLD_DIR,
                   cache_dir: Path = CACHE_DIR) -> list[SeedDocument]:
    """Every gold seed in every format, loaded, with its gold token labels."""
    split_of = {doc_id: split for split, ids in gold_splits(gold_dir).items() for doc_id in ids}
    out = []
    for doc_id in sorted(split_of):
        gold = load_gold(doc_id, gold_dir)
        for fmt in formats:
            if fmt == SOURCE:
                path = Path(gold_dir) / doc_id / (gold.get("source") or {}).get("file", "source.txt")
            else:
                path = rendered_file(gold, fmt, cache_dir)
            doc = load(path)
            labels = tuple(label.value for label in gold_labels(doc, gold))
            out.append(SeedDocument(doc_id, split_of[doc_id], fmt, doc, gold, labels))
    return out


def token_scores(docs: Sequence[SeedDocument], predictions: Mapping[int, Sequence[str]]) -> dict:
    """Scores over all documents, by split and by format (predictions keyed by position in docs)."""
    groups: dict[str, dict[str, tuple[list, list]]] = {"by_split": defaultdict(lambda: ([], [])),
                                                       "by_format": defaultdict(lambda: ([], []))}
    gold_all, pred_all = [], []
    for i, doc in enumerate(docs):
        pred = list(predictions[i])
        gold_all += doc.labels
        pred_all += pred
        for group, key in (("by_split", doc.split), ("by_format", doc.fmt)):
            groups[group][key][0].extend(doc.labels)
            groups[group][key][1].extend(pred)
    out: dict = {"all": scores(gold_all, pred_all)}
    for group, by in groups.items():
        out[group] = {key: {k: v for k, v in scores(g, p).items() if k != "per_label"} for key, (g, p) in by.items()}
    return out


def end_to_end(doc: SeedDocument, tagger) -> tuple[int, int, bool]:
    """(gold cells, wrong cells, whole result right) of extracting `doc` with `tagger`."""
    from ..pipeline import empty_result, extract_document

    result = empty_result(f"{doc.doc_id}.{doc.fmt}", None, tagger)
    extract_document(doc.document, result, tagger)
    cells, wrong = compare_tables(result.get("tables", {}), doc.gold["tables"])
    return cells, len(wrong), not compare(result, doc.gold)


def evaluate_taggers(taggers: Mapping[str, object], docs: Sequence[SeedDocument] | None = None) -> dict:
    """Per tagger: token scores and end-to-end cell accuracy on the seed documents."""
    docs = seed_documents() if docs is None else docs
    out = {}
    for key, tagger in taggers.items():
        predictions = {}
        cells = wrong = exact = 0
        for i, doc in enumerate(docs):
            predictions[i] = [tag.label.value for tag in tagger.tag(doc.document)]
            n, bad, whole = end_to_end(doc, tagger)
            cells, wrong, exact = cells + n, wrong + bad, exact + whole
        out[key] = {"tokens": token_scores(docs, predictions),
                    "end_to_end": {"cell_accuracy": round(1 - wrong / cells, 4) if cells else None,
                                   "cells": cells, "wrong_cells": wrong, "exact_documents": exact,
                                   "documents": len(docs)}}
    return out


def label_confusions(docs: Sequence[SeedDocument], tagger, limit: int = 30) -> list[tuple[str, str, str, str]]:
    """(document, token text, gold, predicted) of mislabelled tokens: for reading what goes wrong."""
    out = []
    for doc in docs:
        for tok, gold, tag in zip(doc.document.tokens, doc.labels, tagger.tag(doc.document)):
            if tag.label.value != gold:
                out.append((f"{doc.doc_id}/{doc.fmt}", tok.text[:40], gold, tag.label.value))
                if len(out) >= limit:
                    return out
    return out

