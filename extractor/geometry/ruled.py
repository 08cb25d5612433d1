"""Ruled tables: cell boxes from ruling lines (pdfplumber's lines strategy), and words placed in them.

    edges_to_table_cells   ruling edges -> cell boxes per table
    grid_cells             cell boxes -> grid boundaries and (row, col, rowspan, colspan)
    build_table_part       cell boxes + words -> a TablePart with each cell's text
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from pdfplumber.table import TableSettings, cells_to_tables, edges_to_intersections

from .words import (
    DEFAULT_SETTINGS,
    Box,
    LayoutSettings,
    Placed,
    Word,
    chars_word,
    group_lines,
    join_pieces,
    run_text,
)

TABLE_SETTINGS = {"vertical_strategy": "lines", "horizontal_strategy": "lines"}


class Cell(NamedTuple):
    """One real (possibly merged) table cell on one page, with its grid place within its part."""

    bbox: Box
    row: int
    col: int
    rowspan: int
    colspan: int
    text: str


class TablePart(NamedTuple):
    """The piece of a ruled table that lies on one page."""

    bbox: Box
    xs: tuple[float, ...]  # column boundaries, left to right
    ys: tuple[float, ...]  # row boundaries, top to bottom
    cells: tuple[Cell, ...]


def intersections_to_cells(intersections: dict) -> list[Box]:
    """pdfplumber's `table.intersections_to_cells`, same cells, without its quadratic scans.

    For every crossing point (sorted), the smallest rectangle whose four
    corners are crossings joined by ruling edges. pdfplumber re-filters all
    later points and rebuilds edge sets for every test; here each point's
    column, row and edge sets are indexed once.
    """
    v_edges = {pt: {(e["x0"], e["top"], e["x1"], e["bottom"]) for e in hit["v"]} for pt, hit in intersections.items()}
    h_edges = {pt: {(e["x0"], e["top"], e["x1"], e["bottom"]) for e in hit["h"]} for pt, hit in intersections.items()}
    points = sorted(intersections)
    same_x: dict[float, list] = defaultdict(list)
    same_y: dict[float, list] = defaultdict(list)
    for pt in points:  # sorted by (x, y): columns come out top to bottom, rows left to right
        same_x[pt[0]].append(pt)
        same_y[pt[1]].append(pt)

    def v_connects(a, b) -> bool:
        return not v_edges[a].isdisjoint(v_edges[b])

    def h_connects(a, b) -> bool:
        return not h_edges[a].isdisjoint(h_edges[b])

    cells = []
    for pt in points:
        below = [q for q in same_x[pt[0]] if q[1] > pt[1]]
        right = [q for q in same_y[pt[1]] if q[0] > pt[0]]
        found = None
        for below_pt in below:
            if not v_connects(pt, below_pt):
                continue
            for right_pt in right:
                if not h_connects(pt, right_pt):
                    continue
                corner = (right_pt[0], below_pt[1])
                if corner in intersections and v_connects(corner, right_pt) and h_connects(corner, below_pt):
                    found = (pt[0], pt[1], corner[0], corner[1])
                    break
            if found:
                break
        if found:
            cells.append(found)
    return cells


# A ruling line this far from level (or plumb) in points is still a horizontal (vertical) line.
_RULE_SLANT = 0.05


def straight_edges(edges: Iterable[dict]) -> list[dict]:
    """Ruling edges made exactly horizontal or vertical, coordinates rounded to 1/1000 pt.

    A page drawn under a rotation (a landscape table drawn turned, shown upright by the page's
    /Rotate) leaves float noise in the lines' ends (79.39999999999998,
    a rise of 1e-14): pdfplumber then calls a level line vertical, and the crossings of one ruling
    line no longer share a coordinate, so no cell closes. Slanted lines are not rules and go.
    """
    out = []
    for edge in edges:
        x0, x1, top, bottom = (round(edge[k], 3) for k in ("x0", "x1", "top", "bottom"))
        if bottom - top <= _RULE_SLANT and x1 - x0 > bottom - top:
            out.append({**edge, "x0": x0, "x1": x1, "top": top, "bottom": top, "width": x1 - x0, "height": 0.0,
                        "orientation": "h"})
        elif x1 - x0 <= _RULE_SLANT:
            out.append({**edge, "x0": x0, "x1": x0, "top": top, "bottom": bottom, "width": 0.0,
                        "height": bottom - top, "orientation": "v"})
    return out


def edges_to_table_cells(edges: list[dict], settings: TableSettings) -> list[list[Box]]:
    """Cell boxes of each table formed by ruling edges (pdfplumber edge dicts, merged and filtered)."""
    intersections = edges_to_intersections(edges, settings.intersection_x_tolerance,
                                           settings.intersection_y_tolerance)
    return cells_to_tables(intersections_to_cells(intersections))


def snap(values: Iterable[float], tolerance: float) -> tuple[float, ...]:
    """Sorted distinct boundaries; values within `tolerance` of their neighbour become one (their mean)."""
    clusters: list[list[float]] = []
    for v in sorted(values):
        if clusters and v - clusters[-1][-1] <= tolerance:
            clusters[-1].append(v)
        else:
            clusters.append([v])
    return tuple(sum(c) / len(c) for c in clusters)


def nearest(boundaries: Sequence[float], value: float) -> int:
    """Index of the boundary closest to `value`."""
    i = bisect_left(boundaries, value)
    if i == 0:
        return 0
    if i == len(boundaries):
        return i - 1
    return i if boundaries[i] - value < value - boundaries[i - 1] else i - 1


def grid_cells(boxes: Sequence[Box], tolerance: float) -> tuple[tuple[float, ...], tuple[float, ...], list[Placed]]:
    """Grid boundaries of a table and, per cell box, (box, row, col, rowspan, colspan)."""
    xs = snap([b[0] for b in boxes] + [b[2] for b in boxes], tolerance)
    ys = snap([b[1] for b in boxes] + [b[3] for b in boxes], tolerance)
    placed = []
    seen = set()
    for box in sorted(boxes, key=lambda b: (b[1], b[0])):
        row, col = nearest(ys, box[1]), nearest(xs, box[0])
        if (row, col) in seen:
            continue  # the same cell found twice (double ruling lines)
        seen.add((row, col))
        rowspan = max(1, nearest(ys, box[3]) - row)
        colspan = max(1, nearest(xs, box[2]) - col)
        placed.append((box, row, col, rowspan, colspan))
    return xs, ys, placed


def assign_words(words: Sequence[Word], xs: Sequence[float], ys: Sequence[float],
                 placed: Sequence[Placed]) -> tuple[list[list[Word]], list[Word]]:
    """Words per placed cell (by the word's centre), and the words that fall in no cell.

    A word that runs over a column boundary (text of neighbouring cells printed
    too close together) is split by the cells its characters fall in.
    """
    owner: dict[tuple[int, int], int] = {}
    for index, (_, row, col, rowspan, colspan) in enumerate(placed):
        for r in range(row, row + rowspan):
            for c in range(col, col + colspan):
                owner.setdefault((r, c), index)
    x_first, x_last, y_first, y_last = xs[0], xs[-1], ys[0], ys[-1]

    def cell_at(x: float, y: float) -> int | None:
        if x_first <= x <= x_last and y_first <= y <= y_last:
            return owner.get((max(0, bisect_left(ys, y) - 1), max(0, bisect_left(xs, x) - 1)))
        return None

    inside: list[list[Word]] = [[] for _ in placed]
    outside: list[Word] = []
    for word in words:
        i = bisect_left(xs, word.x0 + 1.0)
        if word.chars and i < len(xs) and xs[i] < word.x1 - 1.0 and y_first <= word.top <= y_last:
            pieces = split_word(word, lambda c: cell_at((c["x0"] + c["x1"]) / 2, (c["top"] + c["bottom"]) / 2))
        else:
            pieces = [(cell_at((word.x0 + word.x1) / 2, (word.top + word.bottom) / 2), word)]
        for index, piece in pieces:
            (outside if index is None else inside[index]).append(piece)
    return inside, outside


def split_word(word: Word, cell_of) -> list[tuple[int | None, Word]]:
    """A word cut where its characters change cell; [(cell, word)] unchanged when they never do."""
    groups: list[tuple[int | None, list[dict]]] = []
    for char in word.chars:
        cell = cell_of(char)
        if groups and groups[-1][0] == cell:
            groups[-1][1].append(char)
        else:
            groups.append((cell, [char]))
    if len(groups) == 1:
        return [(groups[0][0], word)]
    return [(cell, chars_word(chars)) for cell, chars in groups]


def cell_text(words: Sequence[Word], overlap: float = 0.5) -> str:
    """A cell's words in reading order; wrapped lines joined (no space next to Chinese text)."""
    return join_pieces(run_text(line) for line in group_lines(words, overlap))


def build_table_part(boxes: Sequence[Box], words: Sequence[Word],
                     settings: LayoutSettings = DEFAULT_SETTINGS) -> tuple[TablePart, list[Word]]:
    """A table part from pdfplumber's cell boxes and the page's words; returns the words left outside it."""
    xs, ys, placed = grid_cells(boxes, settings.snap_tolerance)
    inside, outside = assign_words(words, xs, ys, placed)
    cells = tuple(Cell(box, row, col, rowspan, colspan, cell_text(ws, settings.line_overlap))
                  for (box, row, col, rowspan, colspan), ws in zip(placed, inside))
    bbox = (xs[0], ys[0], xs[-1], ys[-1])
    return TablePart(bbox, xs, ys, cells), outside
