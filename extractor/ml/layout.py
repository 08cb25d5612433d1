"""Where each token stands on the page, as small integer features the model embeds (LayoutLM-style).

A model trained with layout features (`EncodingSettings.layout`, recorded in its meta.json) adds
to the input embedding of every position of a token one learned vector per feature
(`graph.LayoutEmbeddings`): the token's quantised position, its grid cell, its place in its line.
Feature value 0 means "not known" and always embeds to zero, so a token without a position reads
as a model without layout reads it. A model without layout features gets no layout input at all.

What the Token carries, and so what the features are (bucket counts are part of a feature's
name's meaning: a changed scheme is a new name, and a model naming an unknown one is refused):

    x0, x1, y      bbox left, right and top over the document's page extent (PDF, OCR: the loader
                   knows no page size, so the extent is the widest right edge plus the narrowest
                   left margin, the same for y), in 16 buckets; 0 without a bbox
    text_col       without a bbox: the display column (East Asian width) where the token starts in
                   its line, counting one column between the line's pieces, in buckets of 4 up to
                   128; 0 with a bbox
    grid_row/col   the grid cell's row and column (HTML, DOCX, ruled PDF), clipped; 0 off a grid
    line_index     the token's place among its line's tokens, and line_tokens their number (clipped)
    page           the page number, clipped

Whether a token is a cell, a grid cell or page furniture is already in the stream as a marker
([C] [G] [G0] [F], see `encoding`), so it is not repeated here. Font size and weight are not
features: no loader puts them on a Token.

Pure functions of the tokens; no torch.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from itertools import pairwise

from ..tokens import Token
from .encoding import Encoded

LAYOUT_FILE = "layout.safetensors"  # the feature embeddings, beside the model's own weights
POSITION_BUCKETS = 16
TEXT_COLUMN_WIDTH, TEXT_COLUMN_BUCKETS = 4, 32
# name -> table size (values 0 .. size - 1; 0: not known)
FEATURES: dict[str, int] = {
    "x0": POSITION_BUCKETS + 1,
    "x1": POSITION_BUCKETS + 1,
    "y": POSITION_BUCKETS + 1,
    "text_col": TEXT_COLUMN_BUCKETS + 1,
    "grid_row": 33,
    "grid_col": 17,
    "line_index": 17,
    "line_tokens": 17,
    "page": 9,
}
ALL_FEATURES: tuple[str, ...] = tuple(FEATURES)
NO_LAYOUT: tuple[str, ...] = ()


class UnknownFeature(ValueError):
    """A model names a layout feature this code does not compute."""


def check_features(names: Sequence[str]) -> tuple[str, ...]:
    unknown = [name for name in names if name not in FEATURES]
    if unknown:
        raise UnknownFeature(f"layout feature(s) {unknown} unknown to this code (it knows {list(FEATURES)})")
    return tuple(names)


def table_sizes(names: Sequence[str]) -> list[int]:
    return [FEATURES[name] for name in check_features(names)]


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _bucket(value: float, low: float, extent: float, buckets: int = POSITION_BUCKETS) -> int:
    if extent <= 0:
        return 0
    return 1 + min(buckets - 1, max(0, int((value - low) / extent * buckets)))


def _clipped(value: int | None, size: int) -> int:
    return 0 if value is None else 1 + min(size - 2, max(0, value))


def token_features(tokens: Sequence[Token], names: Sequence[str]) -> list[tuple[int, ...]]:
    """Per token, its value of each feature in `names` (in that order)."""
    names = check_features(names)
    boxed = [tok.bbox for tok in tokens if tok.bbox is not None]
    width = height = 0.0
    if boxed:
        width = max(b[2] for b in boxed) + max(0.0, min(b[0] for b in boxed))
        height = max(b[3] for b in boxed) + max(0.0, min(b[1] for b in boxed))
    line_of = [(tok.page, tok.line) for tok in tokens]
    counts: dict[tuple[int, int], int] = {}
    for key in line_of:
        counts[key] = counts.get(key, 0) + 1
    out = []
    index, column, last = 0, 0, None
    for tok, key in zip(tokens, line_of):
        if key != last:
            index, column, last = 0, 0, key
        values = {
            "x0": _bucket(tok.bbox[0], 0.0, width) if tok.bbox else 0,
            "x1": _bucket(tok.bbox[2], 0.0, width) if tok.bbox else 0,
            "y": _bucket(tok.bbox[1], 0.0, height) if tok.bbox else 0,
            "text_col": 0 if tok.bbox else _clipped(column // TEXT_COLUMN_WIDTH, FEATURES["text_col"]),
            "grid_row": _clipped(tok.row if tok.table is not None else None, FEATURES["grid_row"]),
            "grid_col": _clipped(tok.col if tok.table is not None else None, FEATURES["grid_col"]),
            "line_index": _clipped(index, FEATURES["line_index"]),
            "line_tokens": _clipped(counts[key] - 1, FEATURES["line_tokens"]),
            "page": _clipped(tok.page - 1, FEATURES["page"]),
        }
        out.append(tuple(values[name] for name in names))
        index += 1
        column += display_width(tok.text) + 1
    return out


def position_features(tokens: Sequence[Token], encoded: Encoded, names: Sequence[str]):
    """Per stream position of `encoded` (the stream of `tokens`), its token's features:
    a (positions, features) uint8 array, zeros on [BOS] and [EOS]."""
    import numpy as np

    per_token = token_features(tokens, names)
    out = np.zeros((len(encoded.pieces), len(names)), dtype=np.uint8)
    bounds = [*encoded.starts, len(encoded.pieces) - 1]  # the last token ends before [EOS]
    for values, (start, end) in zip(per_token, pairwise(bounds)):
        out[start:end] = values
    return out


def window_features(features, start: int, end: int):
    """`position_features` aligned with `encoding.window_input` (zeros on [CLS] and [SEP])."""
    import numpy as np

    out = np.zeros((end - start + 2, features.shape[1]), dtype=features.dtype)
    out[1:-1] = features[start:end]
    return out
