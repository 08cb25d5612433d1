"""Labels of a token sequence from a token-classification model: windows in, one prediction per token out."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..tokens import Token
from .constraints import decode
from .encoding import (
    DEFAULT_SETTINGS,
    EncodingSettings,
    encode_tokens,
    owners,
    token_masks,
    window_input,
    window_masks,
    windows,
)
from .summary import input_embeddings
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
             ) -> Predictor:
        from transformers import AutoModelForTokenClassification

        from .runtime import quiet_transformers
        from .tokenizer import load_tokenizer

        quiet_transformers()
        model = AutoModelForTokenClassification.from_pretrained(str(path))
        return cls(model, PieceVocab.of(load_tokenizer(path)), settings, batch_size)

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
        masks = token_masks(encoded)
        out: list[list[float]] = [[]] * len(tokens)
        with torch.inference_mode():
            for first in range(0, len(spans), self.batch_size):
                chunk = range(first, min(first + self.batch_size, len(spans)))
                width = max(spans[w].end - spans[w].start + 2 for w in chunk)
                input_ids = torch.full((len(chunk), width), self.vocab.pad_id, dtype=torch.long)
                attention = torch.zeros((len(chunk), width), dtype=torch.long)
                firsts = torch.zeros((len(chunk), width), dtype=torch.bool)
                inners = torch.zeros((len(chunk), width), dtype=torch.bool)
                for i, w in enumerate(chunk):
                    x = window_input(ids, spans[w], self.vocab.cls_id, self.vocab.sep_id)
                    f, n = window_masks(masks, spans[w])
                    input_ids[i, :len(x)] = torch.tensor(x)
                    attention[i, :len(x)] = 1
                    firsts[i, :len(x)] = torch.tensor(f)
                    inners[i, :len(x)] = torch.tensor(n)
                embeds = input_embeddings(self.model, input_ids, firsts, inners)
                logits = self.model(inputs_embeds=embeds, attention_mask=attention).logits
                probs = torch.softmax(logits.float(), dim=-1)
                for i, w in enumerate(chunk):
                    for token, pos in wanted[w]:
                        out[token] = probs[i, pos].tolist()
        return out
