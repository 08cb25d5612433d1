"""A Document as model input: one stream of structure markers and characters, cut into windows.

Every token becomes

    [PG] or [NL]   when it starts a new page / a new line (nothing when it continues a line)
    [P] [C] [G] [G0] [F]   what the loader says it is: a prose piece, a delimited text cell,
                   a grid cell (column 0: [G0]), page furniture
    [M]            a merged grid cell (spanning rows or columns)
    [E] or [U]     for an empty cell / an unreadable (cid) piece, instead of characters
    characters     of clean(text), lowercased, whitespace dropped, every digit as "0";
                   long texts keep their first HEAD and last TAIL characters around a
                   length marker: [L21] up to 40 characters, [L41] up to 80, [L81] longer

The document stream is framed by [BOS] ... [EOS] so that a window knows when it sees the
document's beginning or end (titles, signatures). A token's label sits on its first
position; every other position is ignored by the loss (-100). The model input adds to that
first position a summary of the token (the mean embedding of its other pieces, see
`summary`), so the label position sees the whole token from the first layer on:
without it a small model learns far more slowly to gather a token's characters.

Documents are longer than a model's 512 positions: `windows` cuts the stream at token
boundaries with overlap, and `owners` gives each token to the one window where it is most
central, which is the window whose prediction it takes at inference.

Everything here is a pure function of its arguments.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise

from ..labels import LABELS
from ..normalize import clean
from ..tokens import Token

ENCODING_VERSION = 1  # bump when the stream changes: models record it and are refused otherwise

PAD, UNK, CLS, SEP, MASK = "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"
SPECIAL_TOKENS = (PAD, UNK, CLS, SEP, MASK)
NEW_LINE, NEW_PAGE = "[NL]", "[PG]"
PROSE, TEXT_CELL, GRID_CELL, GRID_COL0, FURNITURE = "[P]", "[C]", "[G]", "[G0]", "[F]"
MERGED, EMPTY, UNREADABLE = "[M]", "[E]", "[U]"
CUT_MARKERS = ((40, "[L21]"), (80, "[L41]"), (None, "[L81]"))  # (longest length, marker) of a cut text
BEGIN, END = "[BOS]", "[EOS]"
MARKERS = (NEW_LINE, NEW_PAGE, PROSE, TEXT_CELL, GRID_CELL, GRID_COL0, FURNITURE, MERGED, EMPTY, UNREADABLE,
           *(marker for _, marker in CUT_MARKERS), BEGIN, END)

IGNORE = -100  # label of positions the loss does not see
HEAD, TAIL = 16, 4  # characters kept of a long text
MAX_POSITIONS = 512  # a window, with [CLS] and [SEP]
OVERLAP = 128  # positions shared by consecutive windows at inference

LABEL_IDS = {label: i for i, label in enumerate(LABELS)}


@dataclass(frozen=True)
class EncodingSettings:
    """What a model was trained with; stored in its meta.json and used again at inference."""

    head: int = HEAD
    tail: int = TAIL
    max_positions: int = MAX_POSITIONS
    overlap: int = OVERLAP
    version: int = ENCODING_VERSION
    summary: str = "mean"  # the token summary added at each first position (see summary.py)
    # Layout features embedded at every position of a token (layout.FEATURES); () for a text-only
    # model, and for every model whose meta.json predates them.
    layout: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        out = {"version": self.version, "head": self.head, "tail": self.tail,
               "max_positions": self.max_positions, "overlap": self.overlap, "summary": self.summary}
        if self.layout:
            out["layout"] = list(self.layout)
        return out

    @classmethod
    def from_dict(cls, data: Mapping) -> EncodingSettings:
        return cls(head=data["head"], tail=data["tail"], max_positions=data["max_positions"],
                   overlap=data["overlap"], version=data["version"], summary=data.get("summary", "mean"),
                   layout=tuple(data.get("layout", ())))


DEFAULT_SETTINGS = EncodingSettings()


def cut_marker(length: int) -> str:
    """The marker standing for the middle of a cut text: it keeps the text's length class."""
    return next(marker for longest, marker in CUT_MARKERS if longest is None or length <= longest)


def text_pieces(text: str, head: int = HEAD, tail: int = TAIL) -> list[str]:
    """The characters a token's text contributes: folded, digits as 0, long texts cut."""
    chars = [("0" if "0" <= c <= "9" else c) for c in clean(text).lower() if not c.isspace()]
    if len(chars) > head + tail:
        return chars[:head] + [cut_marker(len(chars))] + (chars[-tail:] if tail else [])
    return chars


def kind_marker(tok: Token) -> str:
    if tok.furniture:
        return FURNITURE
    if tok.table is not None:
        return GRID_COL0 if tok.col == 0 else GRID_CELL
    return TEXT_CELL if tok.cell else PROSE


def token_pieces(tok: Token, previous: Token | None, settings: EncodingSettings = DEFAULT_SETTINGS) -> list[str]:
    """The positions one token takes in the stream (its label goes on the first)."""
    pieces = []
    if previous is None or tok.page != previous.page:
        pieces.append(NEW_PAGE if previous is not None else NEW_LINE)
    elif tok.line != previous.line:
        pieces.append(NEW_LINE)
    pieces.append(kind_marker(tok))
    if tok.table is not None and (tok.rowspan > 1 or tok.colspan > 1):
        pieces.append(MERGED)
    if tok.unreadable:
        pieces.append(UNREADABLE)
        return pieces
    chars = text_pieces(tok.text, settings.head, settings.tail)
    pieces += chars if chars else [EMPTY]
    return pieces


@dataclass(frozen=True)
class Encoded:
    """A document's stream: `pieces` (markers and characters) and where each token starts."""

    pieces: tuple[str, ...]
    starts: tuple[int, ...]  # position of token i's first piece (where its label sits)

    def __len__(self) -> int:
        return len(self.pieces)


def encode_tokens(tokens: Sequence[Token], settings: EncodingSettings = DEFAULT_SETTINGS) -> Encoded:
    """The stream of a token sequence: [BOS], every token's pieces, [EOS]."""
    pieces = [BEGIN]
    starts = []
    previous = None
    for tok in tokens:
        starts.append(len(pieces))
        pieces += token_pieces(tok, previous, settings)
        previous = tok
    pieces.append(END)
    return Encoded(tuple(pieces), tuple(starts))


def piece_labels(encoded: Encoded, labels: Sequence[str]) -> list[int]:
    """Label id per position: the token's label on its first piece, IGNORE elsewhere."""
    if len(labels) != len(encoded.starts):
        raise ValueError(f"{len(encoded.starts)} tokens but {len(labels)} labels")
    out = [IGNORE] * len(encoded.pieces)
    for start, label in zip(encoded.starts, labels):
        out[start] = LABEL_IDS[getattr(label, "value", label)]
    return out


def piece_ids(pieces: Sequence[str], vocab: Mapping[str, int], unk_id: int) -> list[int]:
    """Vocabulary ids of pieces; characters the vocabulary lacks become [UNK]."""
    return [vocab.get(p, unk_id) for p in pieces]


@dataclass(frozen=True)
class Window:
    """Positions [start, end) of the stream (framed by [CLS] … [SEP] when fed to the model)."""

    start: int
    end: int


def windows(encoded: Encoded, max_positions: int = MAX_POSITIONS, overlap: int = OVERLAP) -> list[Window]:
    """Windows of at most max_positions - 2 stream positions, cut between tokens, consecutive
    windows sharing about `overlap` positions; together they cover the whole stream."""
    room = max_positions - 2
    if overlap >= room:
        raise ValueError(f"overlap {overlap} must be smaller than the window ({room} positions)")
    total = len(encoded.pieces)
    cuts = sorted({0, total, *encoded.starts})  # a window starts and ends between tokens
    out: list[Window] = []
    start = 0
    while True:
        end = _last_cut_at_most(cuts, start + room)
        if end <= start:
            raise ValueError(f"a token longer than {room} positions")  # cannot happen: tokens are cut at HEAD+TAIL
        out.append(Window(start, end))
        if end >= total:
            return out
        nxt = _first_cut_at_least(cuts, end - overlap)
        start = nxt if nxt > start else end


def _last_cut_at_most(cuts: list[int], limit: int) -> int:
    from bisect import bisect_right

    return cuts[bisect_right(cuts, limit) - 1]


def _first_cut_at_least(cuts: list[int], limit: int) -> int:
    from bisect import bisect_left

    return cuts[min(bisect_left(cuts, limit), len(cuts) - 1)]


def owners(encoded: Encoded, spans: Sequence[Window]) -> list[int]:
    """For each token, the index of the window where its label position is most central
    (the earlier window on a tie)."""
    out = []
    first = 0
    for pos in encoded.starts:
        while spans[first].end <= pos:
            first += 1
        best, best_margin = first, -1
        for w in range(first, len(spans)):
            span = spans[w]
            if span.start > pos:
                break
            margin = min(pos - span.start, span.end - 1 - pos)
            if margin > best_margin:
                best, best_margin = w, margin
        out.append(best)
    return out


def token_masks(encoded: Encoded) -> tuple[list[bool], list[bool]]:
    """Per stream position: is it a token's first position (where its label sits), and is it
    one of a token's other positions (what the token's summary is pooled from)."""
    first = [False] * len(encoded.pieces)
    inner = [False] * len(encoded.pieces)
    bounds = list(encoded.starts) + [len(encoded.pieces) - 1]  # the last token ends before [EOS]
    for start, end in pairwise(bounds):
        first[start] = True
        inner[start + 1:end] = [True] * (end - start - 1)
    return first, inner


def window_masks(masks: tuple[Sequence[bool], Sequence[bool]], span: Window) -> tuple[list[bool], list[bool]]:
    """`token_masks` aligned with `window_input` ([CLS] and [SEP] in neither)."""
    first, inner = masks
    return [False, *first[span.start:span.end], False], [False, *inner[span.start:span.end], False]


def window_input(ids: Sequence[int], span: Window, cls_id: int, sep_id: int) -> list[int]:
    """Model input ids of one window: [CLS] stream[start:end] [SEP]."""
    return [cls_id, *ids[span.start:span.end], sep_id]


def window_labels(position_labels: Sequence[int], span: Window) -> list[int]:
    """Labels aligned with `window_input` ([CLS] and [SEP] ignored)."""
    return [IGNORE, *position_labels[span.start:span.end], IGNORE]
