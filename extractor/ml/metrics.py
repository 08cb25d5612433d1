"""Token-tagging scores: per-label precision, recall and F1, and their macro average."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from ..labels import LABELS


def _value(label) -> str:
    return getattr(label, "value", label)


def per_label(gold: Sequence, predicted: Sequence) -> dict[str, dict]:
    """label -> precision, recall, f1, support (gold count), for every label in gold or predictions."""
    if len(gold) != len(predicted):
        raise ValueError(f"{len(gold)} gold labels but {len(predicted)} predictions")
    gold = [_value(x) for x in gold]
    predicted = [_value(x) for x in predicted]
    true_pos = Counter(g for g, p in zip(gold, predicted) if g == p)
    gold_n, pred_n = Counter(gold), Counter(predicted)
    out = {}
    for label in LABELS:
        if not gold_n[label] and not pred_n[label]:
            continue
        tp = true_pos[label]
        precision = tp / pred_n[label] if pred_n[label] else 0.0
        recall = tp / gold_n[label] if gold_n[label] else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        out[label] = {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
                      "support": gold_n[label]}
    return out


def macro_f1(gold: Sequence, predicted: Sequence) -> float:
    """Unweighted mean F1 over the labels present in gold or predictions (1.0 for no tokens)."""
    scores = per_label(gold, predicted)
    if not scores:
        return 1.0
    return sum(s["f1"] for s in scores.values()) / len(scores)


def accuracy(gold: Sequence, predicted: Sequence) -> float:
    if not gold:
        return 1.0
    return sum(_value(g) == _value(p) for g, p in zip(gold, predicted)) / len(gold)


def scores(gold: Sequence, predicted: Sequence) -> dict:
    """The summary stored in meta.json: macro F1, accuracy, tokens and per-label F1."""
    labels = per_label(gold, predicted)
    return {"macro_f1": round(macro_f1(gold, predicted), 4), "accuracy": round(accuracy(gold, predicted), 4),
            "tokens": len(gold), "per_label": {k: v["f1"] for k, v in labels.items()}}
