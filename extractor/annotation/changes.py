"""What annotators changed against the model's pre-annotations, per label: the model's real-world error rate."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..labels import LABELS, Label


@dataclass
class ChangeCount:
    """Token counts over every pulled document that had a pre-annotation."""

    documents: int = 0
    tokens: int = 0
    predicted: Counter = field(default_factory=Counter)  # label the model gave -> tokens
    corrected: Counter = field(default_factory=Counter)  # label after correction -> tokens
    changed: Counter = field(default_factory=Counter)  # model's label -> tokens annotators relabelled
    added: Counter = field(default_factory=Counter)  # corrected label -> tokens the model labelled otherwise
    confusion: Counter = field(default_factory=Counter)  # (model's, corrected) -> tokens, changed only

    def add(self, predicted: Sequence[Label], corrected: Sequence[Label]) -> int:
        """Count one document; returns how many of its tokens were changed."""
        if len(predicted) != len(corrected):
            raise ValueError(f"{len(predicted)} predicted labels for {len(corrected)} tokens")
        self.documents += 1
        self.tokens += len(corrected)
        n = 0
        for before, after in zip(predicted, corrected):
            self.predicted[before.value] += 1
            self.corrected[after.value] += 1
            if before != after:
                n += 1
                self.changed[before.value] += 1
                self.added[after.value] += 1
                self.confusion[(before.value, after.value)] += 1
        return n

    @property
    def total_changed(self) -> int:
        return sum(self.changed.values())

    def summary(self) -> dict:
        """As JSON: totals, per label (predicted, changed, error_rate, corrected, added), and the confusions."""
        per_label = {}
        for label in LABELS:
            predicted = self.predicted[label]
            per_label[label] = {
                "predicted": predicted, "changed": self.changed[label],
                "error_rate": round(self.changed[label] / predicted, 6) if predicted else None,
                "corrected": self.corrected[label], "added": self.added[label],
            }
        return {
            "documents": self.documents, "tokens": self.tokens, "changed": self.total_changed,
            "error_rate": round(self.total_changed / self.tokens, 6) if self.tokens else None,
            "per_label": per_label,
            "confusion": [{"model": a, "annotator": b, "tokens": n}
                          for (a, b), n in sorted(self.confusion.items(), key=lambda kv: (-kv[1], kv[0]))],
        }

    def table(self) -> str:
        """A plain-text table, one row per label, for the terminal."""
        head = f"{'label':<16}{'model':>8}{'changed':>9}{'error':>8}{'final':>8}{'added':>8}"
        rows = [head, "-" * len(head)]
        for label, row in self.summary()["per_label"].items():
            rate = "-" if row["error_rate"] is None else f"{100 * row['error_rate']:.1f}%"
            rows.append(f"{label:<16}{row['predicted']:>8}{row['changed']:>9}{rate:>8}"
                        f"{row['corrected']:>8}{row['added']:>8}")
        rate = "-" if not self.tokens else f"{100 * self.total_changed / self.tokens:.1f}%"
        rows.append("-" * len(head))
        rows.append(f"{'all':<16}{self.tokens:>8}{self.total_changed:>9}{rate:>8}{self.tokens:>8}"
                    f"{self.total_changed:>8}")
        return "\n".join(rows)
