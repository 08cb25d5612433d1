"""The model graph the tagger runs, as one torch module: graph inputs in, label probabilities out.

`TaggingGraph` wraps a token-classification model with everything the Predictor runs around it
(the token summary of `summary.input_embeddings`, the softmax), so that torch inference and the
ONNX export (`onnx_export`) run one and the same computation. Its forward's parameters are the
inputs `inference.batch_inputs` builds, by name: a model that reads more inputs adds them in both
places and nowhere else. A model with layout features (`layout`) holds a `LayoutEmbeddings` beside
its transformer (saved as layout.safetensors in its directory) and takes one more input, `layout`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import torch

from .layout import LAYOUT_FILE, table_sizes
from .summary import input_embeddings

TEXT_INPUTS = ("input_ids", "attention_mask", "first", "inner")
LAYOUT_INPUT = "layout"


class LayoutEmbeddings(torch.nn.Module):
    """One embedding table per layout feature (layout.FEATURES), summed per position; a feature's
    value 0 ("not known") embeds to zero. Starts at zero, so fine-tuning a text-only base begins
    from the text-only model."""

    def __init__(self, names, hidden: int) -> None:
        super().__init__()
        sizes = table_sizes(names)
        self.names = tuple(names)
        self.weight = torch.nn.Parameter(torch.zeros(sum(sizes), hidden))
        offsets = [sum(sizes[:i]) for i in range(len(sizes))]
        self.register_buffer("offsets", torch.tensor(offsets, dtype=torch.long), persistent=False)

    def forward(self, layout):
        layout = layout.long()
        vectors = torch.nn.functional.embedding(layout + self.offsets, self.weight)
        known = (layout > 0).to(vectors.dtype).unsqueeze(-1)
        return (vectors * known).sum(dim=2)

    def save(self, directory: Path | str) -> None:
        from safetensors.torch import save_file

        save_file({"weight": self.weight.detach().contiguous()}, str(Path(directory) / LAYOUT_FILE),
                  metadata={"features": ",".join(self.names)})

    @classmethod
    def load(cls, directory: Path | str, names, hidden: int) -> LayoutEmbeddings:
        from safetensors.torch import load_file

        module = cls(names, hidden)
        weight = load_file(str(Path(directory) / LAYOUT_FILE))["weight"]
        if weight.shape != module.weight.shape:
            raise ValueError(f"{directory}/{LAYOUT_FILE} holds a {tuple(weight.shape)} table, the features "
                             f"{list(names)} need {tuple(module.weight.shape)}")
        with torch.no_grad():
            module.weight.copy_(weight)
        return module


def layout_features_of(directory: Path | str) -> tuple[str, ...]:
    """The layout features the model in `directory` was trained with (its meta.json), () for none."""
    from . import registry

    try:
        meta = registry.read_meta(Path(directory))
    except registry.ModelMismatch:
        return ()
    return tuple((meta.get("encoding") or {}).get("layout", ()))


class TaggingGraph(torch.nn.Module):
    """input ids, attention mask and the token masks of a batch of windows (and, for a model with
    layout features, their layout) -> label probabilities."""

    def __init__(self, model, layout: LayoutEmbeddings | None = None) -> None:
        super().__init__()
        self.model = model
        self.layout = layout

    @property
    def input_names(self) -> tuple[str, ...]:
        return TEXT_INPUTS + ((LAYOUT_INPUT,) if self.layout is not None else ())

    def logits(self, input_ids, attention_mask, first, inner, layout=None):
        if (layout is None) != (self.layout is None):
            raise ValueError("layout input given to a model without layout features, or missing for one with them")
        embeds = input_embeddings(self.model, input_ids, first, inner, self.layout, layout)
        return self.model(inputs_embeds=embeds, attention_mask=attention_mask).logits

    def forward(self, input_ids, attention_mask, first, inner, layout=None):
        logits = self.logits(input_ids, attention_mask, first, inner, layout)
        return torch.softmax(logits.float(), dim=-1)


def to_tensors(inputs: Mapping) -> dict[str, torch.Tensor]:
    """numpy graph inputs (inference.batch_inputs) as torch tensors of the same dtypes."""
    return {name: torch.from_numpy(value) for name, value in inputs.items()}


class TorchRunner:
    """Runs a token-classification model by torch on the Predictor's batches (numpy in, numpy out)."""

    def __init__(self, model, tokenizer=None, layout: LayoutEmbeddings | None = None) -> None:
        self.graph = TaggingGraph(model, layout).eval()  # the training loop sets its model back to train()
        self.tokenizer = tokenizer

    @classmethod
    def load(cls, path: Path | str, **options) -> TorchRunner:
        """The model in directory `path`; `options` go to from_pretrained (attn_implementation, say)."""
        from transformers import AutoModelForTokenClassification

        from .runtime import quiet_transformers
        from .tokenizer import load_tokenizer

        quiet_transformers()
        model = AutoModelForTokenClassification.from_pretrained(str(path), **options)
        features = layout_features_of(path)
        layout = LayoutEmbeddings.load(path, features, model.config.hidden_size).eval() if features else None
        return cls(model.eval(), load_tokenizer(path), layout)

    def __call__(self, inputs: Mapping):
        with torch.inference_mode():
            return self.graph(**to_tensors(inputs)).numpy()
