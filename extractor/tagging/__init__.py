"""Taggers label every token of a Document with its role (see labels.Label).

All taggers share one interface, so the pipeline does not know which one runs:
the rule-based baseline here, the scikit-learn baseline and the trained token
classifier.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from ..labels import Label
from ..tokens import Document


@dataclass(frozen=True, slots=True)
class Tag:
    label: Label
    confidence: float = 1.0


class Tagger(Protocol):
    name: str
    version: str

    def tag(self, doc: Document) -> list[Tag]:
        """One Tag per token of `doc`, in token order."""
        ...


TAGGER_NAMES = ("rules",)


def get_tagger(name: str = "rules", *, model: str | None = None) -> Tagger:
    """The tagger called `name` (see TAGGER_NAMES); `model` picks a trained version where the tagger has one."""
    if name == "rules":
        from .rules import RuleTagger

        return RuleTagger()
    raise ValueError(f"unknown tagger {name!r}; choose one of: {', '.join(TAGGER_NAMES)}")
