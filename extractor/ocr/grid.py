"""Ruling lines found in a page image, as the edges pdfplumber would have read from a PDF.

    ruling masks ──► segments (pixels) ──► edges (points) ──► merge_edges ──► pdf.edges_to_table_cells

From the edges on, the chain is the PDF loader's own (`extractor.loaders.pdf`),
so a scanned table becomes the same cell boxes, grid rows and columns, and
merged-cell spans as the same table printed in a PDF with a text layer.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import cv2
import numpy as np
from pdfplumber.table import TableSettings, merge_edges
from pdfplumber.utils import filter_edges

from ..geometry.ruled import TABLE_SETTINGS, edges_to_table_cells
from ..geometry.words import Box

MIN_CELL_POINTS = 8.0  # a table cell is at least this wide and high (a line of small print)


class Segment(NamedTuple):
    """A straight ruling-line piece in pixels: along its axis from `start` to `end`, at `at` across it."""

    orientation: str  # "h" or "v"
    at: float
    start: float
    end: float


def mask_segments(mask: np.ndarray, orientation: str, min_length: int, max_thickness: int) -> list[Segment]:
    """The line pieces of one ruling mask; blobs thicker than `max_thickness` (filled areas) are not lines."""
    count, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    segments = []
    for x, y, w, h, _ in stats[1:count]:
        length, thickness = (w, h) if orientation == "h" else (h, w)
        if length < min_length or thickness > max_thickness + length * 0.04:  # a residual tilt thickens a line
            continue
        if orientation == "h":
            segments.append(Segment("h", y + h / 2, float(x), float(x + w)))
        else:
            segments.append(Segment("v", x + w / 2, float(y), float(y + h)))
    return segments


def anchored(segments: Sequence[Segment], tolerance: float) -> list[Segment]:
    """The segments that reach across at least two segments of the other orientation.

    A table's ruling line runs from one ruling line to another at least; a chain of letter
    strokes and specks that happens to be long and straight ends inside a cell, and would
    split it. `tolerance`: how far short of a line a segment may stop and still reach it.
    """
    by_orientation = {"h": [s for s in segments if s.orientation == "h"],
                      "v": [s for s in segments if s.orientation == "v"]}
    kept = []
    for seg in segments:
        across = by_orientation["v" if seg.orientation == "h" else "h"]
        crossed = {round(other.at) for other in across
                   if seg.start - tolerance <= other.at <= seg.end + tolerance
                   and other.start - tolerance <= seg.at <= other.end + tolerance}
        if len(crossed) >= 2 and max(crossed) - min(crossed) > 2 * tolerance:
            kept.append(seg)
    return kept


def segment_edges(segments: Sequence[Segment], scale: float) -> list[dict]:
    """pdfplumber edge dicts (points) of line segments (pixels × `scale`)."""
    edges = []
    for seg in segments:
        at, start, end = seg.at * scale, seg.start * scale, seg.end * scale
        if seg.orientation == "h":
            edges.append({"object_type": "line", "orientation": "h", "x0": start, "x1": end, "top": at,
                          "bottom": at, "width": end - start, "height": 0.0})
        else:
            edges.append({"object_type": "line", "orientation": "v", "x0": at, "x1": at, "top": start,
                          "bottom": end, "width": 0.0, "height": end - start})
    return edges


def table_cells(edges: list[dict]) -> list[list[Box]]:
    """Cell boxes of each ruled table, with pdfplumber's lines-strategy tolerances (points)."""
    settings = TableSettings.resolve(TABLE_SETTINGS)
    edges = merge_edges(edges, snap_x_tolerance=settings.snap_x_tolerance,
                        snap_y_tolerance=settings.snap_y_tolerance,
                        join_x_tolerance=settings.join_x_tolerance, join_y_tolerance=settings.join_y_tolerance)
    edges = filter_edges(edges, min_length=settings.edge_min_length)
    # One-cell boxes are frames drawn around text, not tables (as in the PDF loader).
    return [cells for cells in edges_to_table_cells(edges, settings) if len(cells) > 1 and plausible(cells)]


def plausible(cells: Sequence[Box], min_cell: float = MIN_CELL_POINTS) -> bool:
    """A table whose typical cell can hold text: the strokes of a large bold title also cross
    like ruling lines, but around cells a few points across."""
    widths = sorted(b[2] - b[0] for b in cells)
    heights = sorted(b[3] - b[1] for b in cells)
    return widths[len(widths) // 2] >= min_cell and heights[len(heights) // 2] >= min_cell


def find_tables(horizontal: np.ndarray, vertical: np.ndarray, scale: float, min_length: int,
                max_thickness: int, reach: int) -> list[list[Box]]:
    """Cell boxes (points) of each ruled table in a page image's ruling masks, top to bottom.

    Lengths are in pixels: `min_length` and `max_thickness` of a line, `reach` of the gap a
    line may leave where it meets another; `scale` converts pixels to points.
    """
    segments = (mask_segments(horizontal, "h", min_length, max_thickness)
                + mask_segments(vertical, "v", min_length, max_thickness))
    tables = table_cells(segment_edges(anchored(segments, reach), scale))
    return sorted(tables, key=lambda cells: min(b[1] for b in cells))
