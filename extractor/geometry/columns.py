"""Tables without ruling lines: rows and columns from where the text stands.

A report printed without ruling lines (or with horizontal rules only, or an outer frame), a
`pdftotext -layout` copy and an unruled scan all keep one thing: figures of one column stand one
above the other. This module reads such tables from positioned lines, whatever unit the positions
are in (PDF points, or display columns of a text line, a CJK character being two):

    figure_lines      which lines print figures apart from their text (the table's body)
    table_regions     runs of figure lines, with the header lines above them, split into blocks
    figure_columns    the columns: figures of the block clustered by their horizontal extent, and
                      header words over no figure (a column printed blank in every row)
    read_block        one block: its columns, its rows (labels from `labels`), one cell per
                      column, blank where nothing stands under it; or by order where every row
                      is full; blocks and tables printed without any figure as rows of blanks

A figure is placed by the column it stands in, never by its order in the line; a blank cell is a
column with nothing under it. Where position cannot settle a column (a figure over two columns,
two figures of one line in one column, text among the figures), the block is not read by
position at all: its lines go on as before and the assembly names the rows it cannot place.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from itertools import pairwise

from .. import matching, schema
from ..normalize import clean
from ..values import looks_like_value
from .headers import TOUCH, headed, header_columns, paired_columns
from .labels import STACK_GAP, Stack, label_stacks, numbered, own_row, rows_of
from .positions import NO_COLUMN, Piece, PosCell, PosLine, PosTable, overlaps
from .words import join_pieces

# Tolerances in character widths (`unit`: the body font's em in points, or two display columns).
FIGURE_GAP = 0.5  # a figure stands apart from the text before it by at least this
MAX_GAP_LINES = 40  # non-figure lines a table body may hold between two figure lines (wrapped labels, blank rows)
MAX_HEADER_LINES = 30  # lines above the first figure line that may be the table's header (one word a line in -raw copies)
MIN_COLUMN_GAP = 1.0  # columns of figures stand at least this far apart where positions are approximate
EXACT_COLUMN_GAP = 0.25  # and this far where they are exact (a Word table's figures 3 pt apart at 12 pt)
EXACT_SLACK = 0.1  # a slack up to this means exact positions (PDF points, OCR boxes)
PROSE_SHARE = 0.6  # a piece at least this share of the widest piece's width is a line of prose
SENTENCE_ENDS = "。；;：:！!？?"


# --- which lines belong to a table -------------------------------------------------------

def is_figure(text: str) -> bool:
    """A printed figure or blank mark, one word: 「0 0 0」 is three figures, never 000."""
    printed = clean(text).strip()
    return printed != "" and not any(ch.isspace() for ch in printed) and looks_like_value(text)


class FigureEdges:
    """Where the figures of a page's lines start and end (exact positions only): a figure closer to
    its label than FIGURE_GAP still is one where its edge is that of figures on two other lines."""

    TOLERANCE = 0.3  # points

    def __init__(self, lines: Sequence[PosLine], unit: float, wide: float) -> None:
        self._edges: dict[int, list[tuple[float, float, int]]] = {}
        for line in lines:
            for piece in figure_pieces(line, unit, wide):
                self._edges.setdefault(line.page, []).append((piece.x0, piece.x1, line.number))

    def lines_up(self, piece: Piece, line: PosLine) -> bool:
        other = {n for x0, x1, n in self._edges.get(line.page, ())
                 if n != line.number and (abs(x0 - piece.x0) <= self.TOLERANCE or abs(x1 - piece.x1) <= self.TOLERANCE)}
        return len(other) >= 2


# A bracketed remark, also one cut by a line break: opened and not closed, or closed and not opened.
_BRACKETED = re.compile(r"[（(][^（）()]*(?:[）)]|$)|^[^（）()]*[）)]")


def _sentence(text: str) -> bool:
    """Prose, not a label: sentence punctuation, or a comma outside brackets (labels put their
    remarks in brackets: （区分处理的，只计这一情形，不计其他情形）)."""
    bare = _BRACKETED.sub("", text)
    return any(mark in bare for mark in "。；;：:，,") or len(clean(bare)) > 60


def figure_pieces(line: PosLine, unit: float, wide: float = 0.0, edges: FigureEdges | None = None) -> list[Piece]:
    """The figures a line prints apart from its text: trailing pieces that read as figures, each
    standing at least FIGURE_GAP characters from the piece before it, or (`edges`: exact positions)
    closer, where it lines up with figures of other lines (a label and its figure 1 pt apart in a
    tight cell). A sentence has none (one narrower than `wide` that ends no sentence is a wrapped
    label: see `_prose`)."""
    pieces = line.pieces
    figures: list[Piece] = []
    i = len(pieces) - 1
    while i >= 0 and is_figure(pieces[i].text):
        if i > 0 and pieces[i].x0 - pieces[i - 1].x1 < FIGURE_GAP * unit and not (
                edges is not None and pieces[i].x0 > pieces[i - 1].x1 and edges.lines_up(pieces[i], line)):
            break
        figures.append(pieces[i])
        i -= 1
    if not figures:
        return []
    label = "".join(p.text for p in pieces[: i + 1])
    if _prose(label, pieces[: i + 1], wide) or (i >= 0 and matching.match_section_heading(label)):
        return []
    return figures[::-1]


def prose_width(lines: Sequence[PosLine]) -> float:
    """How wide a piece of prose is: PROSE_SHARE of the widest piece among `lines` (a line of a
    paragraph runs across the text width; a table cell's text is as narrow as its column)."""
    return PROSE_SHARE * max((p.x1 - p.x0 for line in lines for p in line.pieces), default=0.0)


def _stops_table(line: PosLine, wide: float = 0.0) -> bool:
    """A line no table holds: a section heading, or a sentence. A sentence narrower than `wide`
    (prose_width) that does not end a sentence is a cell's text wrapped in its column (「计这一情形，
    不计」 of a wrapped row label, 「和，等于第三项加第四」 of the header's note), not prose."""
    return bool(matching.match_section_heading(line.text)) or _prose(line.text, line.pieces, wide)


def _prose(text: str, pieces: Sequence[Piece], wide: float) -> bool:
    """Whether `text` (printed as `pieces`) is prose: a sentence as wide as prose (`wide`), or one
    that ends a sentence. A narrower one is a cell's text wrapped in its column."""
    if not _sentence(text):
        return False
    widest = max((p.x1 - p.x0 for p in pieces), default=0.0)
    return widest >= wide or clean(text).rstrip()[-1:] in SENTENCE_ENDS


def table_regions(lines: Sequence[PosLine], unit: float, edges: FigureEdges | None = None,
                  fmt: str | None = None) -> list[tuple[int, int, int]]:
    """(first header line, first figure line, last line) of each table body, as indices. With
    `fmt`, a line opening a row label of that format is a row of the body (printed blank), so a
    sparse table whose blank rows wrap over more than MAX_GAP_LINES lines stays one table."""
    wide = prose_width(lines)
    found_at = [figure_pieces(line, unit, wide, edges) for line in lines]
    figure_at = [bool(found) for found in found_at]
    regions = []
    i = 0
    while i < len(lines):
        if not figure_at[i]:
            blank = _blank_table(lines, i, figure_at, wide)
            if blank is not None:
                regions.append((i, i, blank))
                i = blank + 1
            else:
                i += 1
            continue
        start = last = anchor = i
        j = i + 1
        while j < len(lines) and j - anchor <= MAX_GAP_LINES + 1 and _near(lines[anchor], lines[j]):
            if _stops_table(lines[j], wide) and not figure_at[j]:
                break
            if figure_at[j]:
                last = anchor = j
            elif fmt is not None and _opens_row(lines[j], fmt):
                anchor = j
            j += 1
        # wrapped label lines just under the last figure line belong to it
        end = last
        while end + 1 < len(lines) and end + 1 < j and lines[end + 1].page == lines[last].page \
                and lines[end + 1].top - lines[end].bottom < STACK_GAP * (lines[end].bottom - lines[end].top) \
                and not _stops_table(lines[end + 1], wide):
            end += 1
        # blocks printed without any figure after the last one (the 2019 format's blank blocks):
        # a block title or a header line (信息内容 …) and the short labels under it
        blank_block = any(_block_title(lines[k]) or _opens_header(lines[k]) for k in range(last + 1, end + 1))
        while end + 1 < len(lines) and not _stops_table(lines[end + 1], wide) and not figure_at[end + 1]:
            nxt = lines[end + 1]
            if _block_title(nxt) or _opens_header(nxt):
                blank_block = True
            elif not (blank_block and len(clean(nxt.text)) <= 30):
                break
            end += 1
        head = start
        while head - 1 >= 0 and start - (head - 1) <= MAX_HEADER_LINES and not _stops_table(lines[head - 1], wide) \
                and not figure_at[head - 1]:
            head -= 1
        rows = [(lines[k], found_at[k]) for k in range(start, last + 1)]
        figures = [p for _, found in rows for p in found]
        # a table has a row of figures, or figures after labels on two lines or more (a lone number
        # is a page number, one labelled figure a line of its own)
        labelled = [found for line, found in rows if found and line.pieces[0] is not found[0]]
        # (or, under a header line of the disclosure table, one labelled figure: the rest printed blank)
        tabular = any(len(found) >= 2 for _, found in rows) or len(labelled) >= 2 or (
            len(labelled) == 1 and any(_opens_header(lines[k]) for k in range(head, start)))
        if tabular and any(any(ch.isdigit() for ch in p.text) for p in figures):
            regions.append((head, start, end))
        i = j if j > end else end + 1
    return regions


def _blank_table(lines: Sequence[PosLine], i: int, figure_at: list[bool], wide: float) -> int | None:
    """The last line of a table that prints no figure at all, opening at line `i` with its header
    (申请人情况, or 信息内容 …): short label lines up to the next sentence or section heading; None
    when a figure follows first (the ordinary reading takes it) or nothing follows."""
    line = lines[i]
    if not ("申请人情况" in matching.core(line.text) or _opens_header(line) or _opens_review(line)):
        return None
    end = i
    while end + 1 < len(lines) and not _stops_table(lines[end + 1], wide) and lines[end + 1].page - line.page <= 1:
        if figure_at[end + 1]:
            return None
        end += 1
    return end if end - i >= 2 else None


def _near(above: PosLine, below: PosLine) -> bool:
    """Whether `below` follows `above` closely enough to be in one table: on the same page within
    MAX_GAP_LINES line heights, or at the top of a later page (a table running on)."""
    if below.page != above.page:
        return True
    height = max(above.bottom - above.top, 1e-6)
    return (below.top - above.bottom) <= (MAX_GAP_LINES + 1) * height


def _block_title(line: PosLine) -> bool:
    return matching.is_block_title(line.text)


def _opens_review(line: PosLine) -> bool:
    """The first header line of the review and litigation table (「行政复议  行政诉讼」), not the
    section heading that names them."""
    core = matching.core(line.text)
    return core.startswith("行政复议") and len(core) <= 12 and not matching.match_section_heading(line.text)


def _opens_header(line: PosLine) -> bool:
    return bool(line.pieces) and matching.core(line.pieces[0].text) == "信息内容"


def split_blocks(lines: Sequence[PosLine], head: int, end: int, unit: float, wide: float = 0.0,
                 edges: FigureEdges | None = None) -> list[tuple[int, int]]:
    """A region cut into blocks, each with its own header: at block titles (第二十条第（一）项) and at
    header lines (信息内容 …) that follow figures. (first, last) indices, title lines left out."""
    blocks = []
    first = head
    for k in range(head, end + 1):
        line = lines[k]
        if _block_title(line) and not figure_pieces(line, unit, wide, edges):
            if k > first:
                blocks.append((first, k - 1))
            first = k + 1
        elif _opens_header(line) and any(figure_pieces(lines[n], unit, wide, edges) for n in range(first, k)):
            # header words wrapped above 信息内容 (its cell is centred on them) stay in its block
            blocks.append((first, k - 1))
            first = k
    if first <= end:
        blocks.append((first, end))
    return blocks


# --- columns ----------------------------------------------------------------------------


def figure_columns(figures: Sequence[Sequence[Piece]], unit: float, slack: float = 0.05
                   ) -> list[tuple[float, float]] | None:
    """Columns as (x0, x1) from the figures of each figure line: pieces that overlap horizontally
    stand in one column. None when a column would hold two figures of one line (a figure spread
    over two columns, or columns too close to tell apart)."""
    spans: list[list[float]] = []  # x0, x1
    members: list[list[int]] = []  # line index of every figure in the column
    for n, line in enumerate(figures):
        for piece in line:
            hits = [k for k, (x0, x1) in enumerate(spans) if overlaps(piece.x0, piece.x1, x0, x1, slack * unit)]
            if not hits:
                spans.append([piece.x0, piece.x1])
                members.append([n])
                continue
            keep = hits[0]
            for k in reversed(hits[1:]):  # the piece bridges columns: they are one
                spans[keep] = [min(spans[keep][0], spans[k][0]), max(spans[keep][1], spans[k][1])]
                members[keep] += members.pop(k)
                spans.pop(k)
            spans[keep] = [min(spans[keep][0], piece.x0), max(spans[keep][1], piece.x1)]
            members[keep].append(n)
    for column in members:
        if len(column) != len(set(column)):
            return None
    columns = sorted((x0, x1) for x0, x1 in spans)
    # Every column's figures share a point (a common left or right edge, or centre): figures
    # that only chain into a column, each overlapping the next, are ragged, not aligned.
    for x0, x1 in columns:
        inside = [p for line in figures for p in line if x0 <= p.middle <= x1]
        if max(p.x0 for p in inside) > min(p.x1 for p in inside) + slack * unit:
            return None
    # Columns closer than a character cannot be told apart where positions are approximate; exact
    # positions (PDF points, OCR boxes) part them down to a quarter of a character.
    gap = (EXACT_COLUMN_GAP if slack <= EXACT_SLACK else MIN_COLUMN_GAP) * unit
    if any(b0 - a1 < gap for (_, a1), (b0, _) in pairwise(columns)):
        return None
    return columns


def column_of(piece: Piece, columns: Sequence[tuple[float, float]], unit: float, slack: float = 0.05) -> int | None:
    """The column a piece stands in: the only one it overlaps; None over two or over none. Where
    positions are exact (PDF points), a piece near two stands in the one it overlaps by more than
    TOUCH (a figure set right against the next cell's word); a text copy's display columns are
    too coarse for that."""
    hits = [k for k, (x0, x1) in enumerate(columns) if overlaps(piece.x0, piece.x1, x0, x1, slack * unit)]
    if len(hits) > 1 and slack <= EXACT_SLACK:
        hits = [k for k in hits if overlaps(piece.x0, piece.x1, *columns[k], -TOUCH * unit)]
    return hits[0] if len(hits) == 1 else None


# --- one block ---------------------------------------------------------------------------

def positional_columns(figures: dict[int, list[Piece]], figure_lines: list[int], header: Sequence[PosLine],
                       unit: float, slack: float, labelled: bool = True, label_edge: float | None = None
                       ) -> list[tuple[float, float]] | None:
    """The block's columns by position, or None when position cannot settle them: figures that do
    not line up, more columns than any row fills where positions are approximate, or a column with
    no header word of its own. `labelled`: the rows print labels left of their figures (without
    them, as in the review table, a header word left of the first figure heads a blank column).
    `label_edge`: where the row labels end; a header word between it and the first figures heads
    a first column printed blank on every row (本年制发件数 over 规章 and 行政规范性文件)."""
    columns = figure_columns([figures[k] for k in figure_lines], unit, slack)
    if columns is None:
        return None
    is_headed = bool(header) and headed(header, columns, columns[0][0], unit)
    if header and not is_headed and slack <= EXACT_SLACK:
        # exact positions: figures set apart from their header words (right under left) pair by order
        left = columns[0][0] if label_edge is None else min(columns[0][0], label_edge)
        paired = paired_columns(header, columns, left if labelled else float("-inf"), unit)
        if paired is not None:
            columns, is_headed = paired, True
    if header and not is_headed:
        return None
    if slack > EXACT_SLACK and not is_headed and len(columns) != max(len(figures[k]) for k in figure_lines):
        # Approximate positions (a text copy) without a header over every column place a figure
        # only under columns some row fills entirely: more columns than any row has figures means
        # rows that do not line up.
        return None
    if slack > EXACT_SLACK and not lined_up(figures, figure_lines, header, columns):
        return None
    left = columns[0][0] if label_edge is None else min(columns[0][0], label_edge)
    columns = header_columns(header, columns, left - 0.01 if labelled else float("-inf"), unit)
    for k in figure_lines:  # a figure over two columns (a header column added beside it)
        if any(column_of(p, columns, unit, slack) is None for p in figures[k]):
            return None
    return columns


def lined_up(figures: dict[int, list[Piece]], figure_lines: list[int], header: Sequence[PosLine],
             columns: Sequence[tuple[float, float]]) -> bool:
    """Whether a text copy's columns line up exactly: the figures of each column share their first
    or their last display column, and so does a header word over them. Copies made by pdftotext
    -layout only approximate the page (digits and CJK characters drift apart, a blank cell
    collapses), so there a figure's place is trusted only where it lines up to the character."""
    if not header:
        return False
    words = [p for line in header for p in line.pieces]
    for x0, x1 in columns:
        inside = [p for k in figure_lines for p in figures[k] if x0 <= p.middle <= x1]
        starts, ends = {p.x0 for p in inside}, {p.x1 for p in inside}
        edge_ok = (len(starts) == 1 and any(w.x0 in starts for w in words)) or \
                  (len(ends) == 1 and any(w.x1 in ends for w in words))
        if not edge_ok:
            return False
    return True


def read_block(lines: Sequence[PosLine], first: int, last: int, unit: float, row0: int, slack: float = 0.05,
               fmt: str = "2021", stack_gap: float = STACK_GAP, blank_rows: bool = False, wide: float = 0.0,
               edges: FigureEdges | None = None) -> tuple[list[PosCell], list[int]] | None:
    """Cells of one block (header row, then one row per figure line) and the lines it consumed;
    None when position cannot settle its columns. `blank_rows`: a row label with nothing printed
    right of it is a row of blank cells (where the source shows all it prints: a text layer, a
    text copy; never an OCR reading, which may miss faint print)."""
    indices = list(range(first, last + 1))
    figures = {k: figure_pieces(lines[k], unit, wide, edges) for k in indices}
    figure_lines = [k for k in indices if figures[k]]
    if not figure_lines:
        return _blank_block(lines, indices, unit, row0, stack_gap, fmt) if blank_rows else None
    body_first = _first_body_line(lines, indices, figures, figure_lines, fmt)
    header = [lines[k] for k in indices if k < body_first]
    labels = [p for k in indices if k >= body_first for p in lines[k].pieces if p not in figures[k]]
    labelled = bool(labels)
    label_edge = max((p.x1 for p in labels), default=None)
    columns = positional_columns(figures, figure_lines, header, unit, slack, labelled, label_edge)
    ordinal = columns is None
    if columns is not None:
        left = columns[0][0]
        placed = {k: {column_of(p, columns, unit, slack): p for p in figures[k]} for k in figure_lines}
    else:
        # Position cannot settle the columns. Where every row prints the same number of figures,
        # their order does (no row has a blank to place); otherwise the block is not read here.
        counts = {len(figures[k]) for k in figure_lines}
        if len(counts) != 1:
            return None
        n = counts.pop()
        columns = [(min(figures[k][c].x0 for k in figure_lines), max(figures[k][c].x1 for k in figure_lines))
                   for c in range(n)]
        left = columns[0][0]
        placed = {k: dict(enumerate(figures[k])) for k in figure_lines}
    # Every piece right of the labels in the body must be one of the row's figures.
    for k in indices:
        if k < figure_lines[0]:
            continue
        for piece in lines[k].pieces:
            if piece.x1 > left + 0.01 and piece not in placed.get(k, {}).values():
                if ordinal and (k not in placed or piece.x1 <= figures[k][0].x0 + 0.01):
                    continue  # in order, labels end where the line's own figures begin
                return None
    body = [k for k in indices if k >= body_first]
    edges = {k: figures[k][0].x0 if figures[k] else float("inf") for k in body} if ordinal else left
    stacks = label_stacks(lines, body, edges, set(figure_lines), stack_gap, fmt)
    rows = rows_of(lines, figure_lines, stacks, fmt, blank_rows and not ordinal)
    if rows is None:
        return None
    return _block_cells(lines, rows, header, columns, left, placed, row0, unit, headed=not ordinal), indices


def _first_body_line(lines: Sequence[PosLine], indices: list[int], figures: dict[int, list[Piece]],
                     figure_lines: list[int], fmt: str) -> int:
    """Where the block's rows begin: at its first figure line, or above it at a row label printed
    blank (「规章」 with nothing right of it, under the header): a line of labels only, left of every
    figure, that opens an outline number or reads as a row by itself."""
    first_figure = min(p.x0 for k in figure_lines for p in figures[k])
    for k in indices[1:]:
        if k >= figure_lines[0]:
            break
        if _opens_row(lines[k], fmt) and all(p.x1 < first_figure for p in lines[k].pieces):
            return k
    return figure_lines[0]


def _opens_row(line: PosLine, fmt: str) -> bool:
    """A line whose first piece is a row label: it opens an outline number or reads as a row."""
    return bool(line.pieces) and (numbered(line.pieces[0].text) or own_row(line.pieces[0].text, fmt))


def _block_cells(lines: Sequence[PosLine], rows: dict[int, list[Stack]], header: Sequence[PosLine],
                 columns: list[tuple[float, float]], left: float, placed: dict[int, dict[int, Piece]], row0: int,
                 unit: float, headed: bool = True) -> list[PosCell]:
    """The block's cells: the header row, then each row top to bottom (a line with no figures
    placed is a row of blank cells). `headed`: the header words stand over the columns they name;
    without (figures placed by their order), header words are given no column (`NO_COLUMN`), so
    nothing maps a figure to a column by a header it does not stand under."""
    cells: list[PosCell] = []
    label_cols = max((len(labels) for labels in rows.values()), default=1) or 1
    row = row0
    if header:
        found = _header_cells(header, columns, left, label_cols, row, unit)
        cells.extend(found if headed else [replace(c, col=NO_COLUMN) for c in found])
        row += 1
    for k in sorted(rows, key=lambda k: (lines[k].page, lines[k].top)):
        line = lines[k]
        for c, stack in enumerate(rows[k]):
            cells.append(PosCell(row, c, stack.text, stack.page, line.number,
                                 (stack.x0, stack.top, stack.x1, stack.bottom)))
        for c in range(len(columns)):
            piece = placed.get(k, {}).get(c)
            box = None if piece is None else (piece.x0, line.top, piece.x1, line.bottom)
            cells.append(PosCell(row, label_cols + c, "" if piece is None else piece.text, line.page,
                                 line.number, box))
        row += 1
    return cells


def _blank_block(lines: Sequence[PosLine], indices: list[int], unit: float, row0: int, stack_gap: float,
                 fmt: str) -> tuple[list[PosCell], list[int]] | None:
    """A block that prints no figure at all (the 2019 format leaves whole blocks, even whole tables,
    blank): its header lines up to the first row label, its columns the header words right of the
    row labels, each row label a row of blanks."""
    if indices and _opens_review(lines[indices[0]]):
        return _blank_review(lines, indices, unit, row0)
    body_start = next((n for n, k in enumerate(indices) if n > 0 and _opens_row(lines[k], fmt)), None)
    if body_start is None:
        return None
    header, body = [lines[k] for k in indices[:body_start]], indices[body_start:]
    left = max(p.x1 for k in body for p in lines[k].pieces)
    columns = header_columns(header, [], left + 0.01, unit)
    if not columns:
        return None
    stacks = label_stacks(lines, body, left + 0.01, set(), stack_gap, fmt)
    rows = rows_of(lines, [], stacks, fmt, blank_rows=True)
    if rows is None:
        return None
    return _block_cells(lines, rows, header, columns, columns[0][0], {}, row0, unit), indices


def _blank_review(lines: Sequence[PosLine], indices: list[int], unit: float, row0: int
                  ) -> tuple[list[PosCell], list[int]] | None:
    """The review and litigation table printed with no figure at all (its one row has no label):
    a row of blanks under its header, when the header words stand over exactly its columns."""
    header = [lines[k] for k in indices]
    columns = header_columns(header, [], float("-inf"), unit)
    if len(columns) != len(schema.review_groups()) * len(schema.review_fields()):
        return None
    cells = _block_cells(lines, {indices[-1]: []}, header, columns, float("-inf"), {}, row0, unit)
    return cells, indices


def _first_column(piece: Piece, columns: Sequence[tuple[float, float]]) -> int:
    return next((k for k, (x0, x1) in enumerate(columns) if overlaps(piece.x0, piece.x1, x0, x1)), 0)


def _header_cells(header: Sequence[PosLine], columns: list[tuple[float, float]], left: float, label_cols: int,
                  row: int, unit: float) -> list[PosCell]:
    """The header as one row: the words over each column stacked top to bottom into its cell; words
    over the labels, or over several columns (申请人情况), as cells of their own before them."""
    over: dict[int, list[tuple[PosLine, Piece]]] = {}
    wide: list[tuple[PosLine, Piece]] = []
    for line in header:
        for piece in line.pieces:
            c = column_of(piece, columns, unit) if piece.x1 > left else None
            if c is None:
                wide.append((line, piece))
            else:
                over.setdefault(c, []).append((line, piece))
    cells = [PosCell(row, 0 if piece.x1 <= left else label_cols + _first_column(piece, columns), piece.text,
                     line.page, line.number, (piece.x0, line.top, piece.x1, line.bottom), True)
             for line, piece in wide]
    for c in sorted(over):
        parts = over[c]
        line = parts[0][0]
        box = (min(p.x0 for _, p in parts), parts[0][0].top, max(p.x1 for _, p in parts), parts[-1][0].bottom)
        cells.append(PosCell(row, label_cols + c, join_pieces(p.text for _, p in parts), line.page, line.number,
                             box, True))
    return cells


# --- the whole stream ---------------------------------------------------------------------

def read_tables(lines: Sequence[PosLine], unit: float, slack: float = 0.05, fmt: str | None = None,
                stack_gap: float = STACK_GAP, blank_rows: bool = True) -> list[PosTable]:
    """Every table without ruling lines among `lines` (in reading order, furniture left out).
    `slack`: how far (in characters) figures of one column may stand apart: little where positions
    are exact (PDF points), more in a text copy whose spaces only approximate the page.
    `stack_gap`: the vertical gap, in line heights, within one wrapped label (a text copy prints a
    row's figures on a line of their own between the halves of its label)."""
    fmt = fmt or matching.detect_format([line.text for line in lines])
    wide = prose_width(lines)
    edges = FigureEdges(lines, unit, wide) if slack <= EXACT_SLACK else None
    tables = []
    for head, _, end in table_regions(lines, unit, edges, fmt):
        table = PosTable(lines=[])
        row = 0
        for first, last in split_blocks(lines, head, end, unit, wide, edges):
            read = read_block(lines, first, last, unit, row, slack, fmt, stack_gap, blank_rows, wide, edges)
            if read is None:
                continue
            cells, used = read
            table.cells.extend(cells)
            table.lines.extend(used)
            row = max(c.row for c in cells) + 1
        if table.cells:
            tables.append(table)
    return tables
