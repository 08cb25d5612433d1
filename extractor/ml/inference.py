"""Labels of a token sequence from a token-classification model: windows in, one prediction per token out."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..tokens import Token
from .encoding import DEFAULT_SETTINGS, EncodingSettings, encode_tokens, owners, window_input, windows
from .tokenizer import PieceVocab


class Predictor:
    """A loaded model with its vocabulary and encoding settings."""

    def __init__(self, model, vocab: PieceVocab, settings: EncodingSettings = DEFAULT_SETTINGS,
                 batch_size: int = 16) -> None:
        self.model = model.eval()
        self.vocab = vocab
        self.settings = settings
        self.batch_size = batch_size

    @classmethod
    def load(cls, path: Path | str, settings: EncodingSettings = DEFAULT_SETTINGS, batch_size: int = 16
             ) -> "Predictor":
        from transformers import AutoModelForTokenClassification

        from .runtime import quiet_transformers
        from .tokenizer import load_tokenizer

        quiet_transformers()
        model = AutoModelForTokenClassification.from_pretrained(str(path))
        return cls(model, PieceVocab.of(load_tokenizer(path)), settings, batch_size)

    def predict(self, tokens: Sequence[Token]) -> list[tuple[int, float]]:
        """(label index into LABELS, probability) per token; each token read in the window
        where it is most central."""
        import torch

        if not tokens:
            return []
        encoded = encode_tokens(tokens, self.settings)
        ids = self.vocab.encode(encoded)
        spans = windows(encoded, self.settings.max_positions, self.settings.overlap)
        owner = owners(encoded, spans)
        wanted: list[list[tuple[int, int]]] = [[] for _ in spans]  # window -> (token, position in window)
        for token, (w, start) in enumerate(zip(owner, encoded.starts)):
            wanted[w].append((token, start - spans[w].start + 1))  # +1: the [CLS] in front
        out: list[tuple[int, float]] = [(0, 0.0)] * len(tokens)
        with torch.inference_mode():
            for first in range(0, len(spans), self.batch_size):
                chunk = range(first, min(first + self.batch_size, len(spans)))
                inputs = [window_input(ids, spans[w], self.vocab.cls_id, self.vocab.sep_id) for w in chunk]
                width = max(len(x) for x in inputs)
                input_ids = torch.full((len(inputs), width), self.vocab.pad_id, dtype=torch.long)
                mask = torch.zeros((len(inputs), width), dtype=torch.long)
                for i, x in enumerate(inputs):
                    input_ids[i, :len(x)] = torch.tensor(x)
                    mask[i, :len(x)] = 1
                probs = torch.softmax(self.model(input_ids=input_ids, attention_mask=mask).logits.float(), dim=-1)
                best_p, best = probs.max(dim=-1)
                for i, w in enumerate(chunk):
                    for token, pos in wanted[w]:
                        out[token] = (int(best[i, pos]), float(best_p[i, pos]))
        return out
