"""Labels of a token sequence from a token-classification model: windows in, one prediction per token out.

The model input of every batch of windows is built here, once, as numpy arrays named after the
inputs of the model graph (`graph.TaggingGraph`: input ids and masks in, label probabilities out).
Two runners take the same arrays: ONNX Runtime when the model directory holds an exported graph
(`onnx_runtime`, no torch imported), else torch (`graph.TorchRunner`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..tokens import Token
from .constraints import decode
from .encoding import (
    DEFAULT_SETTINGS,
    EncodingSettings,
    Window,
    encode_tokens,
    owners,
    token_masks,
    window_input,
    window_masks,
    windows,
)
from .layout import position_features, window_features
from .tokenizer import PieceVocab

log = logging.getLogger(__name__)

# One batch of windows in: the graph's inputs by name (numpy arrays, batch x positions).
# Out: label probabilities, batch x positions x labels (numpy float32).
Runner = Callable[[Mapping[str, Any]], Any]
RUNTIMES = ("auto", "onnx", "torch")


@dataclass(frozen=True)
class WindowPlan:
    """A token sequence as model windows, and where each token's prediction is read."""

    ids: list[int]  # vocabulary id per stream position
    masks: tuple[list[bool], list[bool]]  # encoding.token_masks
    spans: list[Window]
    wanted: list[list[tuple[int, int]]]  # per window: (token, its label position in the window input)
    layout: Any = None  # layout.position_features (positions x features), None for a text-only model


def plan_windows(tokens: Sequence[Token], vocab: PieceVocab, settings: EncodingSettings = DEFAULT_SETTINGS
                 ) -> WindowPlan:
    """Windows over the stream of `tokens`; each token is read in the window where it is most central."""
    encoded = encode_tokens(tokens, settings)
    spans = windows(encoded, settings.max_positions, settings.overlap)
    wanted: list[list[tuple[int, int]]] = [[] for _ in spans]
    for token, (w, start) in enumerate(zip(owners(encoded, spans), encoded.starts)):
        wanted[w].append((token, start - spans[w].start + 1))  # +1: the [CLS] in front
    layout = position_features(tokens, encoded, settings.layout) if settings.layout else None
    return WindowPlan(vocab.encode(encoded), token_masks(encoded), spans, wanted, layout)


def batch_inputs(plan: WindowPlan, chunk: Sequence[int], vocab: PieceVocab) -> dict:
    """The graph inputs of windows `chunk` of `plan`, padded to the longest of them."""
    import numpy as np

    width = max(plan.spans[w].end - plan.spans[w].start + 2 for w in chunk)
    input_ids = np.full((len(chunk), width), vocab.pad_id, dtype=np.int64)
    attention = np.zeros((len(chunk), width), dtype=np.int64)
    first = np.zeros((len(chunk), width), dtype=np.bool_)
    inner = np.zeros((len(chunk), width), dtype=np.bool_)
    layout = None if plan.layout is None else np.zeros((len(chunk), width, plan.layout.shape[1]), dtype=np.int64)
    for i, w in enumerate(chunk):
        x = window_input(plan.ids, plan.spans[w], vocab.cls_id, vocab.sep_id)
        f, n = window_masks(plan.masks, plan.spans[w])
        input_ids[i, :len(x)] = x
        attention[i, :len(x)] = 1
        first[i, :len(x)] = f
        inner[i, :len(x)] = n
        if layout is not None:
            layout[i, :len(x)] = window_features(plan.layout, plan.spans[w].start, plan.spans[w].end)
    inputs = {"input_ids": input_ids, "attention_mask": attention, "first": first, "inner": inner}
    if layout is not None:
        inputs["layout"] = layout
    return inputs


class Predictor:
    """A model runner with its vocabulary and encoding settings."""

    def __init__(self, runner: Runner, vocab: PieceVocab, settings: EncodingSettings = DEFAULT_SETTINGS,
                 batch_size: int = 16, runtime: str = "torch") -> None:
        self.runner = runner
        self.vocab = vocab
        self.settings = settings
        self.batch_size = batch_size
        self.runtime = runtime  # what runs the graph: "onnx" (and which file) or "torch"

    @classmethod
    def load(cls, path: Path | str, settings: EncodingSettings = DEFAULT_SETTINGS, batch_size: int = 16,
             runtime: str = "auto") -> Predictor:
        """The model in directory `path`: by ONNX Runtime where the directory holds its exported graph
        (runtime "auto" or "onnx"), else by torch ("auto" or "torch")."""
        from . import onnx_runtime

        if runtime not in RUNTIMES:
            raise ValueError(f"runtime {runtime!r}: choose one of {', '.join(RUNTIMES)}")
        path = Path(path)
        graph = onnx_runtime.exported_graph(path) if runtime != "torch" else None
        if graph is not None:
            try:
                runner = onnx_runtime.OnnxRunner(graph)
            except ImportError as exc:  # onnxruntime not installed: torch can still run the model
                if runtime == "onnx":
                    raise
                log.info("no ONNX Runtime (%s): running %s with torch", exc, path)
            else:
                return cls(runner, PieceVocab.from_files(path), settings, batch_size, f"onnx:{graph.name}")
        elif runtime == "onnx":
            raise FileNotFoundError(f"{path} holds no exported ONNX graph; export it with "
                                    f"`python -m extractor.ml.onnx_export {path}`")
        from .graph import TorchRunner

        runner = TorchRunner.load(path)
        return cls(runner, PieceVocab.of(runner.tokenizer), settings, batch_size, "torch")

    def predict(self, tokens: Sequence[Token], constrained: bool = True) -> list[tuple[int, float]]:
        """(label index into LABELS, probability) per token: the most probable label, within the
        schema's constraints unless constrained=False (see constraints.py)."""
        probabilities = self.probabilities(tokens)
        if constrained:
            return decode(tokens, probabilities)
        return [(max(range(len(p)), key=p.__getitem__), max(p)) for p in probabilities]

    def probabilities(self, tokens: Sequence[Token]) -> list[list[float]]:
        """Label probabilities (in LABELS order) per token, each token read in the window where
        it is most central."""
        if not tokens:
            return []
        plan = plan_windows(tokens, self.vocab, self.settings)
        out: list[list[float]] = [[]] * len(tokens)
        for first in range(0, len(plan.spans), self.batch_size):
            chunk = range(first, min(first + self.batch_size, len(plan.spans)))
            probs = self.runner(batch_inputs(plan, chunk, self.vocab))
            for i, w in enumerate(chunk):
                rows = plan.wanted[w]
                picked = probs[i, [pos for _, pos in rows]].tolist()
                for (token, _), p in zip(rows, picked):
                    out[token] = p
        return out
