"""Training examples: labelled documents as model windows, batches and masked-language-model inputs."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from ..tokens import Token
from .encoding import (
    DEFAULT_SETTINGS,
    IGNORE,
    EncodingSettings,
    encode_tokens,
    piece_labels,
    token_masks,
    window_input,
    window_labels,
    window_masks,
    windows,
)
from .layout import position_features, window_features
from .tokenizer import PieceVocab


@dataclass(frozen=True)
class Example:
    input_ids: tuple[int, ...]
    labels: tuple[int, ...]  # label id per position, IGNORE where there is none
    first: tuple[bool, ...]  # a token's first position (see encoding.token_masks)
    inner: tuple[bool, ...]  # a token's other positions
    layout: Any = None  # layout.window_features (positions x features, uint8), None without layout features


def tagging_examples(docs: Iterable[tuple[Sequence[Token], Sequence[str]]], vocab: PieceVocab,
                     settings: EncodingSettings = DEFAULT_SETTINGS, overlap: int | None = None) -> list[Example]:
    """Every window of every (tokens, labels) document, with all its tokens' labels.

    Training windows overlap more than inference windows (`overlap`, default half a window), so
    most tokens are seen in two contexts."""
    overlap = (settings.max_positions - 2) // 2 if overlap is None else overlap
    out = []
    for tokens, labels in docs:
        encoded = encode_tokens(tokens, settings)
        ids = vocab.encode(encoded)
        position_labels = piece_labels(encoded, labels)
        masks = token_masks(encoded)
        layout = position_features(tokens, encoded, settings.layout) if settings.layout else None
        for span in windows(encoded, settings.max_positions, overlap):
            first, inner = window_masks(masks, span)
            out.append(Example(tuple(window_input(ids, span, vocab.cls_id, vocab.sep_id)),
                               tuple(window_labels(position_labels, span)), tuple(first), tuple(inner),
                               None if layout is None else window_features(layout, span.start, span.end)))
    return out


def text_examples(token_lists: Iterable[Sequence[Token]], vocab: PieceVocab,
                  settings: EncodingSettings = DEFAULT_SETTINGS) -> list[Example]:
    """Windows for masked language modelling (no labels: they come from masking)."""
    out = []
    for tokens in token_lists:
        encoded = encode_tokens(tokens, settings)
        ids = vocab.encode(encoded)
        masks = token_masks(encoded)
        for span in windows(encoded, settings.max_positions, settings.overlap):
            seq = tuple(window_input(ids, span, vocab.cls_id, vocab.sep_id))
            first, inner = window_masks(masks, span)
            out.append(Example(seq, (IGNORE,) * len(seq), tuple(first), tuple(inner)))
    return out


def collate(batch: Sequence[Example], pad_id: int) -> dict:
    """Padded tensors: input_ids, attention_mask, labels, first, inner (and layout, when the
    examples have layout features)."""
    import torch

    width = max(len(ex.input_ids) for ex in batch)
    ids = torch.full((len(batch), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(batch), width), dtype=torch.long)
    labels = torch.full((len(batch), width), IGNORE, dtype=torch.long)
    first = torch.zeros((len(batch), width), dtype=torch.bool)
    inner = torch.zeros((len(batch), width), dtype=torch.bool)
    with_layout = batch[0].layout is not None
    layout = torch.zeros((len(batch), width, batch[0].layout.shape[1]), dtype=torch.long) if with_layout else None
    for i, ex in enumerate(batch):
        n = len(ex.input_ids)
        ids[i, :n] = torch.tensor(ex.input_ids)
        mask[i, :n] = 1
        labels[i, :n] = torch.tensor(ex.labels)
        first[i, :n] = torch.tensor(ex.first)
        inner[i, :n] = torch.tensor(ex.inner)
        if layout is not None:
            layout[i, :n] = torch.from_numpy(ex.layout).long()
    out = {"input_ids": ids, "attention_mask": mask, "labels": labels, "first": first, "inner": inner}
    if layout is not None:
        out["layout"] = layout
    return out


def mask_for_mlm(input_ids, attention_mask, vocab: PieceVocab, generator, probability: float = 0.15):
    """BERT masking: of the chosen positions 80 % become [MASK], 10 % a random piece, 10 % stay.
    Returns (masked input ids, labels with IGNORE where nothing is predicted)."""
    import torch

    special = torch.tensor(sorted(vocab.special_ids))
    candidates = attention_mask.bool() & ~torch.isin(input_ids, special)
    chosen = (torch.rand(input_ids.shape, generator=generator) < probability) & candidates
    labels = torch.where(chosen, input_ids, torch.full_like(input_ids, IGNORE))
    masked = input_ids.clone()
    roll = torch.rand(input_ids.shape, generator=generator)
    masked[chosen & (roll < 0.8)] = vocab.mask_id
    randomised = chosen & (roll >= 0.8) & (roll < 0.9)
    masked[randomised] = torch.randint(len(vocab), input_ids.shape, generator=generator)[randomised]
    return masked, labels


def unknown_characters(input_ids, vocab: PieceVocab, generator, probability: float):
    """Some characters replaced by [UNK], so that the model learns to read around characters its
    vocabulary lacks (real reports print many the training corpus never shows)."""
    import torch

    if probability <= 0:
        return input_ids
    reserved = torch.tensor(sorted(vocab.special_ids | vocab.marker_ids))
    chosen = (torch.rand(input_ids.shape, generator=generator) < probability) & ~torch.isin(input_ids, reserved)
    return torch.where(chosen, torch.full_like(input_ids, vocab.unk_id), input_ids)


def batch_order(n: int, batch_size: int, generator) -> list[list[int]]:
    """Example indices shuffled by `generator` (a seeded torch.Generator) into batches."""
    import torch

    order = torch.randperm(n, generator=generator).tolist()
    return [order[i:i + batch_size] for i in range(0, n, batch_size)]
