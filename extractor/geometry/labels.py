"""Row labels of a table without ruling lines: pieces stacked where a label wraps, each stack given
to its row (the figure line beside it), group labels to the first row of their group.

    label_stacks   label pieces stacked into wrapped cells (never two rows' own labels)
    rows_of        figure line -> its label cells; rows printed blank; group labels placed and
                   moved to their group's first row; group labels cut by a page break joined
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from .. import matching
from ..normalize import clean
from .positions import Piece, PosLine, overlaps
from .words import join_pieces

STACK_GAP = 0.9  # vertical gap (in line heights) within one wrapped label or header cell


@dataclass
class Stack:
    """Label pieces stacked one above the other: one wrapped cell."""

    pieces: list[tuple[int, Piece]]  # (line index, piece)
    x0: float
    x1: float
    top: float
    bottom: float
    page: int
    figure_lines: list[int] = field(default_factory=list)  # figure lines its pieces stand on
    beside: bool = False  # a row label of its own line stands to its right (a group label)

    @property
    def text(self) -> str:
        return join_pieces(p.text for _, p in self.pieces)


def _group_label(text: str, fmt: str) -> bool:
    """A group label of the applications table, not a row of its own (「（一）予以公开」 is a row,
    however like 「不予公开」 it reads)."""
    return matching.match_application_group(text, fmt) is not None and not own_row(text, fmt)


def own_row(text: str, fmt: str, threshold: float = 0.95) -> bool:
    """A label that reads as a row of the format all by itself."""
    score = max(matching.match_disclosure_row(text, fmt)[1], matching.match_application_row(text, fmt)[1])
    return score >= threshold


def numbered(text: str) -> bool:
    return matching.strip_numbering(text) != clean(text).strip()


def label_stacks(lines: Sequence[PosLine], indices: Sequence[int], left: float | dict[int, float],
                 figure_lines: set[int], stack_gap: float = STACK_GAP, fmt: str = "2021") -> list[Stack]:
    """Label pieces (those left of `left`, the first column) stacked into cells: a piece joins the
    cell above it when they overlap horizontally, the gap between them is under a line and it opens
    no outline number. Two pieces that each stand on a figure line join only as a group label
    (both with a row label of their own line to their right): 「规章」 over 「行政规范性文件」 are two
    rows, 「（五）不予」 over 「处理」 one group. A stack also has a figure line when one stands level
    with its middle lines (a figure centred on a label wrapped above and below it, as Word prints
    a row): 「二、上年结转政府信息 / 0 0 0 / 公开申请数量」, then 「三」 on the next figure line is
    another row's."""
    middles = {k: (lines[k].page, (lines[k].top + lines[k].bottom) / 2) for k in figure_lines}
    stacks: list[Stack] = []
    for k in indices:
        line = lines[k]
        height = max(line.bottom - line.top, 1e-6)
        edge = left.get(k, float("inf")) if isinstance(left, dict) else left
        labels = [piece for piece in line.pieces if piece.x1 <= edge + 0.01]
        for n, piece in enumerate(labels):
            on_figure = k if k in figure_lines else None
            beside = n + 1 < len(labels)  # another label of this line stands to its right
            best = None
            for stack in reversed(stacks):
                if stack.page != line.page or line.top - stack.bottom > stack_gap * height:
                    continue
                if not overlaps(piece.x0, piece.x1, stack.x0, stack.x1) or any(i == k for i, _ in stack.pieces):
                    continue
                if numbered(piece.text) or (own_row(piece.text, fmt) and own_row(stack.text, fmt)):
                    break  # 「规章」 over 「规范性文件」: each a row of its own
                if on_figure is not None and (stack.figure_lines or _covers(stack, middles)) \
                        and not (beside and stack.beside):
                    break
                best = stack
                break
            if best is None:
                stacks.append(Stack([(k, piece)], piece.x0, piece.x1, line.top, line.bottom, line.page,
                                    [on_figure] if on_figure is not None else [], beside))
            else:
                best.pieces.append((k, piece))
                best.x0, best.x1 = min(best.x0, piece.x0), max(best.x1, piece.x1)
                best.bottom = max(best.bottom, line.bottom)
                best.beside = best.beside or beside
                if on_figure is not None:
                    best.figure_lines.append(on_figure)
    return stacks


def _covers(stack: Stack, middles: dict[int, tuple[int, float]]) -> bool:
    """Whether the middle of a figure line lies within the stack's extent (strictly inside)."""
    return any(page == stack.page and stack.top < middle < stack.bottom for page, middle in middles.values())


def rows_of(lines: Sequence[PosLine], figure_lines: list[int], stacks: list[Stack], fmt: str = "2021",
          blank_rows: bool = False) -> dict[int, list[Stack]] | None:
    """Figure line -> its label cells, left to right. A stack goes to the figure line it stands on,
    else to the figure line its extent covers (the nearest to its middle). A group label printed
    beside several rows (left of their own labels) goes to the first of its rows: the one whose own
    label opens the numbering (1.) just above it. A stack beside no figure line fails the block."""
    rows: dict[int, list[Stack]] = {k: [] for k in figure_lines}
    groups: list[Stack] = []
    rest: list[Stack] = []  # beside no figure line
    for stack in stacks:
        if stack.figure_lines:
            rows[stack.figure_lines[0]].append(stack)
            continue
        height = max(stack.bottom - stack.top, 1e-6) / max(len(stack.pieces), 1)
        beside = [k for k in figure_lines if lines[k].page == stack.page
                  and stack.top - height / 4 < (lines[k].top + lines[k].bottom) / 2 < stack.bottom + height / 4]
        if beside:
            middle = (stack.top + stack.bottom) / 2
            rows[min(beside, key=lambda k: abs((lines[k].top + lines[k].bottom) / 2 - middle))].append(stack)
            continue
        if _group_label(stack.text, fmt) or any(
                other.x0 >= stack.x1 and other.page == stack.page and other.top < stack.bottom
                and stack.top < other.bottom for other in stacks):
            groups.append(stack)  # a group label beside the rows of its group: placed below
            continue
        rest.append(stack)
    last_blank: Stack | None = None  # the last row read blank, for its label's rest on the next page
    for stack in rest:
        # Words at the top of a page, over no figure: the rest of the row cut by the page break above.
        above = [k for k in figure_lines if lines[k].page < stack.page]
        below = [k for k in figure_lines if lines[k].page == stack.page and lines[k].top > stack.bottom]
        if above and rows[above[-1]] and not numbered(stack.text) and all(
                lines[k].top > stack.bottom for k in figure_lines if lines[k].page == stack.page) and below:
            last = max(rows[above[-1]], key=lambda s: s.x0)
            last.pieces.extend(stack.pieces)
            continue
        if blank_rows and matching.core(stack.text) and (len(stack.pieces) == 1 or own_row(stack.text, fmt, 0.85)) \
                and _alone(stack, lines, figure_lines, rows):
            rows[stack.pieces[0][0]] = [stack]  # a row label with nothing right of it: a blank row
            last_blank = stack
            continue
        if blank_rows and last_blank is not None and last_blank.page < stack.page and not numbered(stack.text) \
                and not any(other.page == stack.page and other.top < stack.top for other in stacks):
            last_blank.pieces.extend(stack.pieces)  # the top of a page: the rest of a blank row's label
            continue
        return None  # a label beside no figure: a row printed blank, or figures not read
    for group in groups:
        # the row nearest its middle on its page, else (a -raw copy prints it on lines of its own
        # before its rows) the first row below it
        middle = (group.top + group.bottom) / 2
        same = [k for k in rows if lines[k].page == group.page]
        below = [k for k in rows if (lines[k].page, lines[k].top) > (group.page, group.bottom)]
        if same:
            rows[min(same, key=lambda k: abs((lines[k].top + lines[k].bottom) / 2 - middle))].append(group)
        elif below:
            rows[min(below, key=lambda k: (lines[k].page, lines[k].top))].insert(0, group)
        else:
            return None
    for labels in rows.values():
        labels.sort(key=lambda s: s.x0)
    order = sorted(rows, key=lambda k: (lines[k].page, lines[k].top))
    _join_cut_groups(rows, order, fmt)
    # group labels: a row holding two label cells whose left one stands beside no numbered "1." row
    for n, k in enumerate(order):
        if len(rows[k]) < 2:
            continue
        group, leaf = rows[k][0], rows[k][-1]
        if group.x0 >= leaf.x0 or _numbered_first(leaf.text):
            continue
        for m in range(n - 1, -1, -1):
            above = rows[order[m]]
            if any(s.x0 < leaf.x0 and overlaps(s.x0, s.x1, group.x0, group.x1) for s in above[:-1]):
                break  # the row above has a group label of its own
            if above and _numbered_first(above[-1].text):
                rows[k].remove(group)
                above.insert(0, group)
                above.sort(key=lambda s: s.x0)
                break
    return rows


def _join_cut_groups(rows: dict[int, list[Stack]], order: list[int], fmt: str) -> None:
    """A group label cut by a page break (「（五）不予」 at the foot of a page, 「处理」 at the top of the
    next) is one label again: the lower piece opens no number and together they read as a group."""
    previous: Stack | None = None
    for k in order:
        for stack in list(rows[k][:-1]):  # a group label stands left of the row's own label
            if previous is not None and previous.page < stack.page and not numbered(stack.text) \
                    and matching.match_application_group(previous.text, fmt) is None \
                    and matching.match_application_group(previous.text + stack.text, fmt) is not None:
                previous.pieces.extend(stack.pieces)
                rows[k].remove(stack)
                continue
            previous = stack


def _alone(stack: Stack, lines: Sequence[PosLine], figure_lines: list[int], rows: dict[int, list[Stack]]) -> bool:
    """Whether a label beside no figure line is far from any figure line that has no label (figures
    printed off-centre from their label would be such a line)."""
    middle = (stack.top + stack.bottom) / 2
    height = stack.bottom - stack.top
    return all(rows.get(k) for k in figure_lines
               if lines[k].page == stack.page and abs((lines[k].top + lines[k].bottom) / 2 - middle) <= 1.5 * height)


def _numbered_first(text: str) -> bool:
    printed = clean(text).strip()
    return printed.startswith(("1.", "1、", "1．", "（1）", "(1)", "①"))
