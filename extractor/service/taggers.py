"""Which tagger a request gets: `tagger=` and `model=` resolved, in the API process, without loading it.

A choice is canonical (a model directory, not a name), so the worker that loads it and the
results store agree on what ran, and a bad choice is refused before any upload is read.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass

from ..bulk.job import ModelInfo, TaggerSpec
from ..tagging import TAGGER_NAMES


@dataclass(frozen=True)
class TaggerChoice:
    spec: TaggerSpec  # what a worker loads
    model: ModelInfo  # the name and version its results carry

    def as_dict(self) -> dict:
        return {"tagger": self.spec.name, "name": self.model.name, "version": self.model.version,
                "id": f"{self.model.name}-{self.model.version}"}


def rules_choice() -> TaggerChoice:
    from ..tagging.rules import RuleTagger

    return TaggerChoice(TaggerSpec("rules"), ModelInfo(str(RuleTagger.name), str(RuleTagger.version)))


def _torch_installed() -> bool:
    return all(importlib.util.find_spec(name) is not None for name in ("torch", "transformers"))


def _registry():
    try:
        from ..ml import registry
    except ImportError as exc:
        raise ValueError(f"trained models need the ml extra (pip install 'ogi-extractor[ml]'): {exc}") from None
    return registry


def _trained(tagger: str, info) -> TaggerChoice:
    if tagger == "model" and not _torch_installed():
        raise ValueError("the model tagger needs torch and transformers (pip install 'ogi-extractor[ml]'); "
                         "use tagger=rules")
    return TaggerChoice(TaggerSpec(tagger, str(info.path)), ModelInfo(info.name, info.version))


def choose(tagger: str | None = None, model: str | None = None) -> TaggerChoice:
    """The tagger `get_tagger(tagger, model=model)` would load; ValueError with a plain reason if none fits.

    Neither given: the newest usable shipped model when torch is installed, else the rule tagger
    (as `extractor.tagging.default_tagger`). Only `model` given: its kind says which tagger reads it.
    """
    if tagger is not None and tagger not in TAGGER_NAMES:
        raise ValueError(f"unknown tagger {tagger!r}; choose one of: {', '.join(TAGGER_NAMES)}")
    if tagger == "rules":
        if model is not None:
            raise ValueError("the rules tagger has no trained versions: leave out model, or choose another tagger")
        return rules_choice()
    if tagger is None and model is None:
        try:
            from ..ml import registry
        except ImportError:
            return rules_choice()
        info = registry.default_model()
        return _trained("model", info) if info is not None and _torch_installed() else rules_choice()
    registry = _registry()
    if tagger == "sklearn":
        return _trained("sklearn", registry.resolve(model or "sklearn", kind=registry.SKLEARN))
    if tagger == "model":
        info = (registry.default_model() if model is None
                else registry.resolve(model, kind=registry.TOKEN_CLASSIFIER))
        if info is None:
            raise ValueError(f"no usable trained tagger in {registry.models_dir()}; train one with `ogi train`, "
                             "or use tagger=rules")
        return _trained("model", info)
    info = registry.resolve(model)  # only model given: its kind decides the tagger
    kinds = {registry.TOKEN_CLASSIFIER: "model", registry.SKLEARN: "sklearn"}
    if info.kind not in kinds:
        raise ValueError(f"model {info.id} is a {info.kind} model, not a tagger; choose a token-classifier "
                         "or sklearn model")
    return _trained(kinds[info.kind], info)


def list_models(default: TaggerChoice) -> dict:
    """What GET /v1/models answers: the default, and every tagger and trained model with its usability."""
    rules = rules_choice()
    models = [{**rules.as_dict(), "kind": "rules", "usable": True, "problem": None,
               "default": rules.model == default.model}]
    try:
        from ..ml import registry
    except ImportError:
        registry = None
    if registry is not None:
        kinds = {registry.TOKEN_CLASSIFIER: "model", registry.SKLEARN: "sklearn"}
        for info in registry.list_models():
            problem = registry.usable(info)
            models.append({"tagger": kinds.get(info.kind), "name": info.name, "version": info.version,
                           "id": info.id, "kind": info.kind, "usable": problem is None, "problem": problem,
                           "default": ModelInfo(info.name, info.version) == default.model})
    return {"default": default.as_dict(), "taggers": list(TAGGER_NAMES), "models": models}
