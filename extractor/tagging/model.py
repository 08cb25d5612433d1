"""The trained token classifier as a Tagger: a versioned model directory (extractor.ml.registry)."""

from __future__ import annotations

from pathlib import Path

from ..labels import LABELS, Label
from ..tokens import Document
from . import Tag


class ModelTagger:
    """Tags with a token-classification model, by name ("tagger": its newest usable version),
    id ("tagger-0.1.0") or directory; the default is the newest shipped tagger.

    Raises extractor.ml.registry.ModelMismatch, with what to do, for a model that does not fit
    this code."""

    def __init__(self, model: str | Path | None = None, *, batch_size: int = 16, constrained: bool = True,
                 runtime: str = "auto") -> None:
        from ..ml import registry
        from ..ml.encoding import EncodingSettings
        from ..ml.inference import Predictor

        if model is None:
            info = registry.default_model()
            if info is None:
                raise registry.ModelMismatch(
                    f"no usable trained tagger in {registry.models_dir()}; train one with `ogi train`, "
                    "or use --tagger rules")
        else:
            info = registry.resolve(model, kind=registry.TOKEN_CLASSIFIER)
        self.info = info
        self.name = info.name
        self.version = info.version
        # runtime "auto": the model's exported ONNX graph where it has one (no torch), else torch
        self.predictor = Predictor.load(info.path, EncodingSettings.from_dict(info.meta["encoding"]), batch_size,
                                        runtime)
        self.constrained = constrained  # the schema's constraints on the labels (extractor.ml.constraints)

    def tag(self, doc: Document) -> list[Tag]:
        return [Tag(Label(LABELS[i]), round(p, 4)) for i, p in self.predictor.predict(doc.tokens, self.constrained)]
