"""Taggers label every token of a Document with its role (see labels.Label).

All taggers share one interface, so the pipeline does not know which one runs:
the rule-based baseline here, the scikit-learn baseline and the trained token
classifier.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache
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


TAGGER_NAMES = ("model", "rules", "sklearn")
log = logging.getLogger(__name__)


def get_tagger(name: str | None = None, *, model: str | None = None) -> Tagger:
    """The tagger called `name` (see TAGGER_NAMES; None: `default_tagger()`).

    `model` picks a trained version where the tagger has one: a model name ("tagger": its
    newest usable version), an id ("tagger-0.1.0") or a model directory. A trained model that
    does not fit this code raises extractor.ml.registry.ModelMismatch (a ValueError) saying why.
    """
    if name is None:
        return default_tagger() if model is None else get_tagger("model", model=model)
    if name == "rules":
        from .rules import RuleTagger

        return RuleTagger()
    if name == "model":
        return _model_tagger(model)
    if name == "sklearn":
        return _sklearn_tagger(model)
    raise ValueError(f"unknown tagger {name!r}; choose one of: {', '.join(TAGGER_NAMES)}")


def default_tagger() -> Tagger:
    """The shipped token classifier (newest usable version) when there is one and torch is
    installed, else the rule tagger."""
    try:
        from ..ml import registry

        if registry.default_model() is not None:
            return _model_tagger(None)
    except ImportError as exc:  # the ml extra (torch, transformers) is not installed
        log.info("no model tagger (%s): using the rule tagger", exc)
    from .rules import RuleTagger

    return RuleTagger()


def _model_tagger(model: str | None) -> Tagger:
    from ..ml import registry

    info = registry.default_model() if model is None else registry.resolve(model, kind=registry.TOKEN_CLASSIFIER)
    if info is None:
        raise registry.ModelMismatch(f"no usable trained tagger in {registry.models_dir()}; train one with "
                                     "`ogi train`, or use --tagger rules")
    return _loaded("model", str(info.path))


def _sklearn_tagger(model: str | None) -> Tagger:
    from ..ml import registry

    info = registry.resolve(model or "sklearn", kind=registry.SKLEARN)
    return _loaded("sklearn", str(info.path))


@lru_cache(maxsize=8)
def _loaded(kind: str, path: str) -> Tagger:
    """A trained tagger, loaded once per process (taggers hold no per-document state)."""
    if kind == "model":
        from .model import ModelTagger

        return ModelTagger(path)
    from .sklearn_tagger import SklearnTagger

    return SklearnTagger(path)
