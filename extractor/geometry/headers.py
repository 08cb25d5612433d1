"""Header words over figure columns: which word heads which column of a table without ruling lines.

The figure columns come from `columns.figure_columns`; here they meet the header: a column
printed blank on every row is found under its own word (`header_columns`), header words wrapped
over several lines make stacks (`header_stacks`), and figures set apart from their words (set
right under words set left, a Word table's usual cells) pair with their stacks by order
(`paired_columns`).
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations, pairwise
from math import comb

from .labels import STACK_GAP
from .positions import PosLine, overlaps

MAX_PAIRINGS = 10_000  # ways to pair figure columns with header stacks worth trying
TOUCH = 0.1  # characters: a cell and the next one's word overlapping this little only touch (1 pt at 10 pt)
ALIGNED = 0.15  # characters: figure columns standing alike from their header stacks (1.5 pt at 10 pt)
MISALIGNED = 0.6  # and another pairing this uneven at least, to prefer the even one


def header_columns(header: Sequence[PosLine], columns: list[tuple[float, float]], left: float,
                   unit: float) -> list[tuple[float, float]]:
    """`columns` with a column for each header word that stands right of the labels over no figure
    column (a column printed blank on every row), when it fits between its neighbours."""
    extra: list[tuple[float, float]] = []
    # A word that close to a figure column is that column's; columns a character or less apart
    # (Word's narrow review table: 15 columns of 25 pt) leave less room: a quarter of their pitch.
    pitches = sorted(b0 - a0 for (a0, _), (b0, _) in pairwise(columns))
    pitch = pitches[len(pitches) // 2] if pitches else float("inf")
    slack = min(1.0 * unit, 0.25 * pitch)
    # a word over a column is its own; one beside it only within half a pitch of its middle: 總計
    # centred over a column printed blank, 6 pt left of the next column's figures set left, heads
    # the blank one

    def claims(x0: float, x1: float, piece) -> bool:
        return overlaps(piece.x0, piece.x1, x0, x1) or (
            overlaps(piece.x0, piece.x1, x0, x1, slack) and abs(piece.middle - (x0 + x1) / 2) <= 0.5 * pitch)

    # narrowest first: a word over several columns (法人或其他组织) is no column of its own
    for piece in sorted((p for line in header for p in line.pieces), key=lambda p: p.x1 - p.x0):
        if piece.x0 < left or any(claims(x0, x1, piece) for x0, x1 in columns):
            continue
        if any(overlaps(piece.x0, piece.x1, x0, x1) for x0, x1 in extra):
            continue
        extra.append((piece.x0, piece.x1))
    return sorted(columns + extra)


def header_stacks(header: Sequence[PosLine], left: float) -> list[tuple[float, float]]:
    """The header's column words as (x0, x1) stacks, left to right: words right of `left` stacked
    where a header wraps (法 / 律 / 服 / 务 / 机 / 构, over up to four lines), read from the bottom
    line up. A word over two stacks or more (法人或其他组织) spans columns and makes none, and so does
    one over a stack it does not touch (申请人情况, above the spanning words: a header of a group)."""
    stacks: list[list[float]] = []  # x0, x1, top
    for line in sorted(header, key=lambda line: (line.page, line.top), reverse=True):
        gap = STACK_GAP * max(line.bottom - line.top, 1e-6)
        for piece in line.pieces:
            if piece.middle <= left:
                continue
            hits = [stack for stack in stacks if overlaps(piece.x0, piece.x1, stack[0], stack[1])]
            if len(hits) > 1:
                continue
            if not hits:
                stacks.append([piece.x0, piece.x1, line.top])
                continue
            stack = hits[0]
            if stack[2] - line.bottom > gap:
                continue  # not the next line of its words: a header over a group
            stack[:] = [min(stack[0], piece.x0), max(stack[1], piece.x1), line.top]
    stacks.sort()
    if any(a[1] > b[0] for a, b in pairwise(stacks)):
        return []
    return [(x0, x1) for x0, x1, _ in stacks]


def paired_columns(header: Sequence[PosLine], columns: Sequence[tuple[float, float]], left: float, unit: float = 10.0
                   ) -> list[tuple[float, float]] | None:
    """Columns where each figure column pairs with the header stack of its cell, in order: the one
    way to pair them in which every pair's extent (its cell) stays clear of the next pair and of
    every stack left without figures (a column printed blank on every row, kept as a column).
    This settles figures set right under words set left (a Word table's usual cells), which need
    not overlap at all in a narrow column; None when no pairing or more than one holds."""
    stacks = header_stacks(header, left)
    if not columns or len(stacks) < len(columns) or comb(len(stacks), len(columns)) > MAX_PAIRINGS:
        return None
    touch = TOUCH * unit
    held: list[tuple[float, list[tuple[float, float]]]] = []
    for chosen in combinations(range(len(stacks)), len(columns)):
        cells = [(min(stacks[k][0], c0), max(stacks[k][1], c1)) for k, (c0, c1) in zip(chosen, columns, strict=True)]
        # (a figure set right touches the next cell's word set left: TOUCH of overlap is none)
        if any(a1 - touch >= b0 for (_, a1), (b0, _) in pairwise(cells)):
            continue
        blank = [stacks[k] for k in range(len(stacks)) if k not in chosen]
        if any(overlaps(b0 + touch, b1 - touch, c0, c1) for b0, b1 in blank for c0, c1 in cells):
            continue
        held.append((_alignment_spread(stacks, chosen, columns), sorted(cells + blank)))
    if len(held) == 1:
        return held[0][1]
    if len(held) < 2:
        return None
    # Two pairings hold (a column printed blank: 2 figures under 3 headers). A table sets all its
    # figures alike and all its header words alike, so in the true pairing every figure column
    # stands the same way from its stack (set right under words set left: its right edge the same
    # distance right of the word's); taken only when no other pairing comes near.
    held.sort(key=lambda pair: pair[0])
    (best, cells), (second, _) = held[0], held[1]
    if best <= ALIGNED * unit and second >= max(3 * best, MISALIGNED * unit):
        return cells
    return None


def _alignment_spread(stacks: Sequence[tuple[float, float]], chosen: Sequence[int],
                      columns: Sequence[tuple[float, float]]) -> float:
    """How unevenly the figure columns stand from the stacks `chosen` for them: the spread of their
    offsets from the stack's left edge, right edge or middle, or from the next stack's left edge
    (the cell's border: figures set right in cells whose words are set left), whichever is least;
    inf where no anchor compares two pairs."""
    spreads = []
    pairs = list(zip(chosen, columns, strict=True))
    for anchor in (lambda k: stacks[k][0], lambda k: stacks[k][1], lambda k: sum(stacks[k]) / 2):
        for edge in (0, 1):
            offsets = [column[edge] - anchor(k) for k, column in pairs]
            if len(offsets) >= 2:
                spreads.append(max(offsets) - min(offsets))
    bordered = [column[1] - stacks[k + 1][0] for k, column in pairs if k + 1 < len(stacks)]
    if len(bordered) >= 2:
        spreads.append(max(bordered) - min(bordered))
    return min(spreads, default=float("inf"))


def headed(header: Sequence[PosLine], columns: Sequence[tuple[float, float]], left: float, unit: float) -> bool:
    """Whether every column of figures stands under a header word of its own (one over that column
    alone): a figure printed between two columns makes a column no header word stands over."""
    own = set()
    for line in header:
        for piece in line.pieces:
            if piece.x1 <= left:
                continue
            hits = [k for k, (x0, x1) in enumerate(columns) if overlaps(piece.x0, piece.x1, x0, x1, 0.5 * unit)]
            if len(hits) == 1:
                own.add(hits[0])
    return len(own) == len(columns)
