"""The model graph the tagger runs, as one torch module: graph inputs in, label probabilities out.

`TaggingGraph` wraps a token-classification model with everything the Predictor runs around it
(the token summary of `summary.input_embeddings`, the softmax), so that torch inference and the
ONNX export (`onnx_export`) run one and the same computation. Its forward's parameters are the
inputs `inference.batch_inputs` builds, by name: a model that reads more inputs (layout
positions, say) adds them in both places and nowhere else.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import torch

from .summary import input_embeddings


class TaggingGraph(torch.nn.Module):
    """input ids, attention mask and the token masks of a batch of windows -> label probabilities."""

    def __init__(self, model) -> None:
        super().__init__()
        self.model = model

    def forward(self, input_ids, attention_mask, first, inner):
        embeds = input_embeddings(self.model, input_ids, first, inner)
        logits = self.model(inputs_embeds=embeds, attention_mask=attention_mask).logits
        return torch.softmax(logits.float(), dim=-1)


def to_tensors(inputs: Mapping) -> dict[str, torch.Tensor]:
    """numpy graph inputs (inference.batch_inputs) as torch tensors of the same dtypes."""
    return {name: torch.from_numpy(value) for name, value in inputs.items()}


class TorchRunner:
    """Runs a token-classification model by torch on the Predictor's batches (numpy in, numpy out)."""

    def __init__(self, model, tokenizer=None) -> None:
        self.graph = TaggingGraph(model).eval()  # the training loop sets its model back to train()
        self.tokenizer = tokenizer

    @classmethod
    def load(cls, path: Path | str, **options) -> TorchRunner:
        """The model in directory `path`; `options` go to from_pretrained (attn_implementation, say)."""
        from transformers import AutoModelForTokenClassification

        from .runtime import quiet_transformers
        from .tokenizer import load_tokenizer

        quiet_transformers()
        model = AutoModelForTokenClassification.from_pretrained(str(path), **options)
        return cls(model.eval(), load_tokenizer(path))

    def __call__(self, inputs: Mapping):
        with torch.inference_mode():
            return self.graph(**to_tensors(inputs)).numpy()
