"""One page image read by OCR into the PDF loader's PageLayout.

    straighten ─► ink ─► ruling lines ─► table grids (the PDF loader's chain, via grid.py)
              ─► text boxes (detector) cut at cell borders, fitted to their ink, plus ink in
                 cells the detector missed
              ─► crops without ruling lines; short pieces in table cells read a line at a time
                 as strips ─► words with confidences
              ─► table parts and text lines (pdf.build_table_part, pdf.make_text_lines)

Coordinates leave this module in points from the straightened page's top-left,
as the PDF loader's do, so everything after it (page furniture, tables joined
across pages, the token stream) is the PDF loader's own code.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from typing import NamedTuple

import cv2
import numpy as np

from ..geometry.pages import PageLayout
from ..geometry.ruled import TablePart, build_table_part, grid_cells
from ..geometry.words import DEFAULT_SETTINGS, Word, glyph_cuts, make_text_lines
from . import image as img
from .engine import Engine, Line, Reading
from .grid import find_tables
from .settings import OcrSettings

DETECT_DPI = 140  # the detector reads a page at this resolution (its boxes are scaled back)
RULE_MIN_POINTS = 14.0  # a ruling line is at least this long (longer than any letter stroke of body text)
RULE_MAX_POINTS = 3.0  # and at most this thick
RULE_REACH_POINTS = 1.0  # and stops at most this short of the lines it meets
SPECK_POINTS = 3.0  # ink smaller than this both ways is dirt, not a mark
FAINT_CONTRAST = 24  # in a cell without ink, grey this much darker than the cell's paper is faint print
CROP_MARGIN = 0.1  # white margin around a crop's ink, as a share of its height
STRIP_GAP = 0.6  # white between the cells of a strip, in line heights
STRIP_MAX_WIDTH = 6.0  # a table piece wider than this many line heights is read alone
MISSED_HEIGHT = (0.5, 1.3)  # ink no detector box touched, this share of the median box height, is text
MISSED_WIDTH = 6.0  # and at most this many box heights wide
CELL_BLANK = 1.5  # blank this many line heights wide inside one detector box parts two cells
MISSED_AREA = 0.02  # of strokes of at least this many square box heights of ink each
UNREAD = "\ufffd"  # the text of ink that could not be recognised (never parses as a figure)


class OcrWord(NamedTuple):
    """One recognised piece of text with where it stands (points), how sure the reading is, and
    the most weight another digit had at any of its digits (`Reading.rival`)."""

    word: Word
    confidence: float
    rival: float = 0.0


class ReadPage(NamedTuple):
    layout: PageLayout
    words: tuple[OcrWord, ...]
    skew: float  # degrees the page image was turned by before reading


PixelBox = tuple[int, int, int, int]  # x0, top, x1, bottom in pixels


# --- boxes ---------------------------------------------------------------------------

def quad_box(quad: np.ndarray, factor: float) -> tuple[float, float, float, float]:
    """The upright pixel box of a detector quadrilateral found on an image scaled by `factor`."""
    return (float(quad[:, 0].min()) / factor, float(quad[:, 1].min()) / factor,
            float(quad[:, 0].max()) / factor, float(quad[:, 1].max()) / factor)


def cut_at_cells(box: tuple[float, float, float, float], cells_px: Sequence[Sequence[float]],
                 slack: float) -> list[tuple[float, float, float, float]]:
    """A detected box cut at the cell borders it crosses (text of two cells read as one line).

    Only borders of cells at the box's height count: a merged cell's text is not cut at
    column lines that stop above it.
    """
    x0, top, x1, bottom = box
    middle = (top + bottom) / 2
    cuts = sorted({edge for cell in cells_px if cell[1] <= middle <= cell[3] and cell[0] < x1 and cell[2] > x0
                   for edge in (cell[0], cell[2]) if x0 + slack < edge < x1 - slack})
    edges = [x0, *cuts, x1]
    return [(a, top, b, bottom) for a, b in pairwise(edges)]


class InkBlobs(NamedTuple):
    """Connected ink of a page: a label image and each label's box (x0, top, x1, bottom)."""

    labels: np.ndarray
    boxes: np.ndarray  # row per label (row 0: background)


def ink_blobs(ink: np.ndarray) -> InkBlobs:
    _, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    boxes = np.column_stack([stats[:, 0], stats[:, 1], stats[:, 0] + stats[:, 2], stats[:, 1] + stats[:, 3]])
    return InkBlobs(labels, boxes)


def tighten(box: tuple[float, float, float, float], blobs: InkBlobs, reach: float = 0.5) -> PixelBox | None:
    """The box fitted to the ink it touches: whole glyphs, even where the detector's box clipped
    one, but no blob reaching further than `reach` box heights beyond it (a stray line).
    None when the box holds no ink."""
    height, width = blobs.labels.shape
    x0, top = max(0, int(box[0])), max(0, int(box[1]))
    x1, bottom = min(width, int(np.ceil(box[2]))), min(height, int(np.ceil(box[3])))
    if x1 <= x0 or bottom <= top:
        return None
    touched = np.unique(blobs.labels[top:bottom, x0:x1])
    touched = touched[touched > 0]
    if len(touched) == 0:
        return None
    found = blobs.boxes[touched]
    margin = reach * (bottom - top)
    fits = ((found[:, 0] >= x0 - margin) & (found[:, 2] <= x1 + margin)
            & (found[:, 1] >= top - margin) & (found[:, 3] <= bottom + margin))
    if fits.any():
        found = found[fits]
        return (int(found[:, 0].min()), int(found[:, 1].min()), int(found[:, 2].max()), int(found[:, 3].max()))
    return (x0, top, x1, bottom)  # only overlong ink: keep the detector's box


def drop_contained(boxes: Sequence[PixelBox], slack: int = 1) -> list[PixelBox]:
    """The boxes without those lying inside another (the detector boxes a row's last figure once
    alone and once in the line of the whole row; read twice, it printed 「0 0」 in one cell)."""
    kept = []
    for i, box in enumerate(boxes):
        inside = any(j != i and (other != box or j < i) and other[0] - slack <= box[0] and other[1] - slack <= box[1]
                     and box[2] <= other[2] + slack and box[3] <= other[3] + slack
                     for j, other in enumerate(boxes))
        if not inside:
            kept.append(box)
    return kept


def missed_ink(blobs: InkBlobs, boxes: Sequence[PixelBox], cells_px: Sequence[Sequence[float]]) -> list[PixelBox]:
    """Boxes around glyph-sized ink outside ruled tables that no detector box touches: the detector
    passes over a lone thin figure (a 「1」 standing alone in a table without ruling lines, missed in
    a third of such rows) and short outline numbers (「三、」 over a wrapped group label), which would
    read as a blank cell or a label cut short. Untouched strokes (ink of MISSED_AREA: a scan's
    noise is less) closer than half a line height make one box (「11」, the strokes of 三); a box MISSED_HEIGHT of the page's median box height tall and
    at most MISSED_WIDTH heights wide is text (a rule, an underline or a seal is not)."""
    if not boxes or len(blobs.boxes) < 2:
        return []
    height = float(np.median([b[3] - b[1] for b in boxes]))
    touched = np.zeros(len(blobs.boxes), bool)
    touched[0] = True
    for x0, top, x1, bottom in boxes:
        touched[np.unique(blobs.labels[top:bottom, x0:x1])] = True
    found = blobs.boxes
    area = np.bincount(blobs.labels.ravel(), minlength=len(found))
    wanted = ~touched & (area >= MISSED_AREA * height * height)  # a stroke, not the dust of a scan
    for cell in cells_px:
        inside = ((found[:, 0] + found[:, 2]) / 2 >= cell[0]) & ((found[:, 0] + found[:, 2]) / 2 <= cell[2]) \
            & ((found[:, 1] + found[:, 3]) / 2 >= cell[1]) & ((found[:, 1] + found[:, 3]) / 2 <= cell[3])
        wanted &= ~inside
    if not wanted.any():
        return []
    ink = wanted[blobs.labels].astype(np.uint8) * 255
    reach = max(1, round(0.25 * height))
    joined = cv2.dilate(ink, np.ones((2 * reach + 1, 2 * reach + 1), np.uint8))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    out = []
    for k in range(1, count):
        x, y, w, h = (int(v) for v in stats[k, :4])
        ys, xs = np.nonzero((labels[y:y + h, x:x + w] == k) & (ink[y:y + h, x:x + w] > 0))
        if not len(xs):
            continue
        box = (x + int(xs.min()), y + int(ys.min()), x + int(xs.max()) + 1, y + int(ys.max()) + 1)
        tall, wide = box[3] - box[1], box[2] - box[0]
        if MISSED_HEIGHT[0] * height <= tall <= MISSED_HEIGHT[1] * height and wide <= MISSED_WIDTH * height:
            out.append(box)
    return sorted(out)


def crop(gray: np.ndarray, box: PixelBox, margin: float = CROP_MARGIN) -> np.ndarray:
    """The box's pixels with a white margin around them (the recogniser's usual framing)."""
    x0, top, x1, bottom = box
    pad = max(2, round(margin * (bottom - top)))
    return cv2.copyMakeBorder(gray[top:bottom, x0:x1], pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=255)


def centre_in(box: Sequence[float], area: Sequence[float]) -> bool:
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    return area[0] <= cx <= area[2] and area[1] <= cy <= area[3]


# --- tables --------------------------------------------------------------------------

def grid_line_mask(shape: tuple[int, int], grids_px: Sequence[tuple[Sequence[float], Sequence[float]]],
                   reach: int) -> np.ndarray:
    """Pixels within `reach` of a table's grid lines: where ruling ink may be erased without
    touching text outside tables (a bold heading's strokes also form long runs)."""
    mask = np.zeros(shape, np.uint8)
    for xs, ys in grids_px:
        left, right, top, bottom = int(xs[0]), int(xs[-1]), int(ys[0]), int(ys[-1])
        for x in xs:
            cv2.line(mask, (round(x), top), (round(x), bottom), 255, 2 * reach + 1)
        for y in ys:
            cv2.line(mask, (left, round(y)), (right, round(y)), 255, 2 * reach + 1)
    return mask


def missed_cell_ink(cells_px: Sequence[tuple[float, float, float, float]], found: Sequence[Sequence[float]],
                    ink: np.ndarray, gray: np.ndarray, min_size: int, inset: int) -> list[PixelBox]:
    """Boxes around the ink of table cells where the detector found no text, so nothing
    printed in a cell is silently read as blank. A cell without ink is also searched for faint
    print (`faint_marks` of the grey image): a faded figure lighter than the page's ink level."""
    boxes = []
    for cell in cells_px:
        if any(centre_in(box, cell) for box in found):
            continue
        x0, top, x1, bottom = (int(cell[0]) + inset, int(cell[1]) + inset,
                               int(cell[2]) - inset, int(cell[3]) - inset)
        if x1 <= x0 or bottom <= top:
            continue
        blobs = (img.ink_boxes(ink[top:bottom, x0:x1], min_size)
                 or img.ink_boxes(faint_marks(gray[top:bottom, x0:x1]), min_size))
        if blobs:
            boxes.append((x0 + min(b[0] for b in blobs), top + min(b[1] for b in blobs),
                          x0 + max(b[2] for b in blobs), top + max(b[3] for b in blobs)))
    return boxes


def faint_marks(region: np.ndarray, contrast: int = FAINT_CONTRAST) -> np.ndarray:
    """Pixels (255) of a grey cell clearly darker than its own paper (its median level): print
    too light for the page's ink threshold. A shaded but empty cell has none."""
    paper = int(np.median(region)) if region.size else 255
    return np.where(region.astype(np.int16) < paper - contrast, 255, 0).astype(np.uint8)


# --- reading ---------------------------------------------------------------------------

class Strip(NamedTuple):
    """Crops of one visual line set side by side in one image, and the x span of each."""

    image: np.ndarray
    spans: tuple[tuple[float, float], ...]


def visual_lines(boxes: Sequence[PixelBox], drift: float = 0.3) -> list[list[int]]:
    """Indices of boxes standing on one line, top to bottom, each line left to right.

    A box joins a line when its middle is within `drift` of the taller height from the
    line's first box: a two-line label beside a figure centred in its row stays apart.
    """
    lines: list[list[int]] = []
    for i in sorted(range(len(boxes)), key=lambda k: ((boxes[k][1] + boxes[k][3]) / 2, boxes[k][0])):
        box = boxes[i]
        if lines:
            first = boxes[lines[-1][0]]
            tallest = max(first[3] - first[1], box[3] - box[1])
            if abs((box[1] + box[3]) - (first[1] + first[3])) / 2 <= drift * tallest:
                lines[-1].append(i)
                continue
        lines.append([i])
    return [sorted(line, key=lambda k: boxes[k][0]) for line in lines]


def compose_strip(gray: np.ndarray, boxes: Sequence[PixelBox], gap: float = STRIP_GAP,
                  margin: float = CROP_MARGIN) -> Strip:
    """The boxes' pixels side by side on one white strip, centred on one line and `gap` line
    heights apart: a row of table cells read as one line, so a lone digit is read with its
    neighbours (alone, a "1" or "0" is often doubtful)."""
    height = max(b[3] - b[1] for b in boxes)
    space, pad = max(4, round(gap * height)), max(2, round(margin * height))
    width = sum(b[2] - b[0] for b in boxes) + space * (len(boxes) - 1) + 2 * pad
    canvas = np.full((height + 2 * pad, width), 255, np.uint8)
    spans = []
    x = pad
    for x0, y0, x1, y1 in boxes:
        y = pad + (height - (y1 - y0)) // 2
        canvas[y:y + y1 - y0, x:x + x1 - x0] = gray[y0:y1, x0:x1]
        spans.append((x - space / 2, x + x1 - x0 + space / 2))
        x += x1 - x0 + space
    return Strip(canvas, tuple(spans))


def digit_advance(lines: Sequence[Line], heights: Sequence[float]) -> float:
    """A digit's advance on the page (pixels): the median centre-to-centre pitch of neighbouring
    digits read within one box and closer than the box is high (digits of one figure); half the
    median box height where the page prints no such figure."""
    pitches = sorted(b.x - a.x for line, height in zip(lines, heights) for a, b in pairwise(line.glyphs)
                     if a.text.isdigit() and b.text.isdigit() and 0 < b.x - a.x < height)
    if len(pitches) >= 3:
        return pitches[len(pitches) // 2]
    return 0.5 * sorted(heights)[len(heights) // 2] if heights else 10.0


def blank_runs(blank: np.ndarray, least: float) -> list[tuple[int, int]]:
    """(start, end) of the runs of True in `blank` at least `least` long, inside it (not at its ends)."""
    runs, start = [], None
    for i, empty in enumerate(blank):
        if empty and start is None:
            start = i
        elif not empty and start is not None:
            if start > 0 and i - start >= least:
                runs.append((start, i))
            start = None
    return runs


def split_box(box: PixelBox, line: Line, ink: np.ndarray, advance: float) -> list[tuple[PixelBox, Reading]]:
    """A box read alone, cut where it holds two cells' text (`geometry.words.glyph_cuts`: figures of
    a row printed without ruling lines, boxed as one line), and wherever its ink leaves CELL_BLANK
    line heights blank (no line of text does; the recogniser may have passed over the figure
    beyond: 「7147      0」 read 「7147」), each piece fitted to its ink."""
    x0, top, x1, bottom = box
    pad = max(2, round(CROP_MARGIN * (bottom - top)))  # as `crop` frames it
    glyphs = [g for g in line.glyphs if g.text.strip()]  # a space the recogniser read is no glyph to cut at
    blank = ~(ink[top:bottom, x0:x1] > 0).any(axis=0)
    wide = blank_runs(blank, CELL_BLANK * (bottom - top))
    centres = [x0 - pad + g.x for g in glyphs]
    gaps, middles = [], []
    for left, right in pairwise(centres):
        a, b = max(0, int(left) - x0), min(len(blank), int(right) - x0)
        run = best = start = 0
        for i in range(a, b):
            run = run + 1 if blank[i] else 0
            if run > best:
                best, start = run, i - run + 1
        gaps.append(float(best))
        middles.append(x0 + start + best / 2 if best else (left + right) / 2)
    cuts = [middles[k - 1] for k in glyph_cuts([g.text for g in glyphs], centres, gaps, advance)]
    cuts += [x0 + (a + b) / 2 for a, b in wide if not any(x0 + a <= cut <= x0 + b for cut in cuts)]
    if not cuts:
        return [(box, line.reading())]
    edges = [float(x0), *sorted(cuts), float(x1)]
    pieces = []
    for start, end in pairwise(edges):
        columns = np.nonzero(~blank[max(0, int(start) - x0):max(0, int(end) - x0)])[0] + max(0, int(start) - x0)
        if not len(columns):
            continue
        piece = (x0 + int(columns[0]), top, x0 + int(columns[-1]) + 1, bottom)
        pieces.append((piece, line.reading(start - x0 + pad, end - x0 + pad)))
    return pieces


def read_boxes(gray: np.ndarray, boxes: Sequence[PixelBox], in_table: Sequence[bool], engine: Engine,
               ink: np.ndarray | None = None, fine: np.ndarray | None = None
               ) -> tuple[list[PixelBox], list[Reading]]:
    """The boxes and the reading of each: short pieces in table cells (figures, short labels) line by
    line as strips, others alone (beside a long line of Chinese a lone "0" tends to read as "〇").
    With `ink`, a box outside ruled tables that holds two cells' text is cut in two (`split_box`).
    `fine`: the image boxes outside ruled tables are read from (thin strokes kept: `image.despeckle`);
    ruled cells are read from `gray`, on which OCR's confidence thresholds were measured."""
    fine = gray if fine is None else fine
    readings: list[Reading | None] = [None] * len(boxes)
    short = [table and box[2] - box[0] <= STRIP_MAX_WIDTH * (box[3] - box[1]) for box, table in zip(boxes, in_table)]
    singles = [i for i, fits in enumerate(short) if not fits]
    tabled = [i for i, fits in enumerate(short) if fits]
    groups = [[tabled[k] for k in line] for line in visual_lines([boxes[i] for i in tabled])]
    strips = [compose_strip(gray, [boxes[i] for i in group]) for group in groups]
    lines = engine.read_lines([crop(gray if in_table[i] else fine, boxes[i]) for i in singles]
                              + [strip.image for strip in strips])
    for i, line in zip(singles, lines):
        readings[i] = line.reading()
    for group, strip, line in zip(groups, strips, lines[len(singles):]):
        for i, (start, end) in zip(group, strip.spans):
            readings[i] = line.reading(start, end)
    if ink is None:
        return list(boxes), readings  # type: ignore[return-value]
    advance = digit_advance(lines[:len(singles)], [boxes[i][3] - boxes[i][1] for i in singles])
    split = dict(zip(singles, lines))
    pieces = [split_box(box, split[i], ink, advance) if i in split and not in_table[i] else [(box, reading)]
              for i, (box, reading) in enumerate(zip(boxes, readings))]
    # the cells of a cut box read again as a strip, as a ruled table's are: read as one long line,
    # the last figure of a row may come out doubled (「0 0」)
    cut = [i for i, parts in enumerate(pieces) if len(parts) > 1]
    strips = [compose_strip(fine, [box for box, _ in pieces[i]]) for i in cut]
    for i, strip, line in zip(cut, strips, engine.read_lines([strip.image for strip in strips])):
        pieces[i] = [(box, line.reading(start, end)) for (box, _), (start, end) in zip(pieces[i], strip.spans)]
    return [box for parts in pieces for box, _ in parts], [reading for parts in pieces for _, reading in parts]


# --- the page --------------------------------------------------------------------------

def read_page_image(gray: np.ndarray, number: int, engine: Engine, settings: OcrSettings) -> ReadPage:
    """A grey page image at `settings.dpi` read into a PageLayout (points) with word confidences."""
    px = settings.dpi / 72.0  # pixels per point
    scale = 1.0 / px
    straight, skew = img.deskew(gray)
    ink = img.ink_mask(straight)
    horizontal, vertical = img.ruling_masks(ink, round(RULE_MIN_POINTS * px))
    tables = find_tables(horizontal, vertical, scale, round(RULE_MIN_POINTS * px), round(RULE_MAX_POINTS * px),
                         max(3, round(RULE_REACH_POINTS * px)))
    grids = [grid_cells(boxes, DEFAULT_SETTINGS.snap_tolerance)[:2] for boxes in tables]
    grids_px = [([x * px for x in xs], [y * px for y in ys]) for xs, ys in grids]

    rules = cv2.bitwise_or(horizontal, vertical)
    rules = cv2.bitwise_and(rules, grid_line_mask(rules.shape, grids_px, round(RULE_MAX_POINTS * px)))
    # Text is read from a median-filtered copy (speckle gone) with the table's ruling lines painted
    # out; outside ruled tables from a despeckled one, which keeps strokes the filter erases: ink
    # no detector box touched, boxes fitted to ink and the blank between cells in one box too.
    median = cv2.medianBlur(straight, 3)
    clean = img.erase(median, rules)
    fine = img.erase(img.despeckle(straight, median), rules)
    off_rules = cv2.bitwise_not(cv2.dilate(rules, np.ones((5, 5), np.uint8)))
    text_ink = cv2.bitwise_and(img.ink_mask(fine), off_rules)
    blobs = ink_blobs(text_ink)

    cells_px = [tuple(c * px for c in cell) for cells in tables for cell in cells]
    factor = DETECT_DPI / settings.dpi
    detected = [piece for quad in engine.detect(img.resample(straight, factor))
                for piece in cut_at_cells(quad_box(quad, factor), cells_px, slack=2 * px)]
    boxes = drop_contained([b for b in (tighten(box, blobs) for box in detected) if b is not None])
    boxes += missed_cell_ink(cells_px, boxes, text_ink, clean, round(SPECK_POINTS * px), inset=round(1.5 * px))
    boxes += missed_ink(blobs, boxes, cells_px)
    in_table = [any(centre_in(box, cell) for cell in cells_px) for box in boxes]
    boxes, readings = read_boxes(clean, boxes, in_table, engine, text_ink, fine) if boxes else ([], [])
    words = page_words(boxes, readings, cells_px, scale)

    height, width = gray.shape
    parts: list[TablePart] = []
    remaining = [w.word for w in words]
    for cells in tables:
        part, remaining = build_table_part(cells, remaining, DEFAULT_SETTINGS)
        parts.append(part)
    layout = PageLayout(number=number, bbox=(0.0, 0.0, width * scale, height * scale),
                        lines=tuple(make_text_lines(remaining, DEFAULT_SETTINGS)), tables=tuple(parts),
                        has_text=bool(words), has_images=True)
    return ReadPage(layout, tuple(words), skew)


def page_words(boxes: Sequence[PixelBox], readings: Sequence[Reading],
               cells_px: Sequence[Sequence[float]], scale: float) -> list[OcrWord]:
    """Recognised words in points. Ink that reads as nothing is dropped, except as the only
    content of a table cell: there it stays, as UNREAD, so the cell is not taken for blank."""
    read_cells = {i for box, reading in zip(boxes, readings) if reading.text.strip()
                  for i, cell in enumerate(cells_px) if centre_in(box, cell)}
    words = []
    for box, reading in zip(boxes, readings):
        text, confidence = reading.text.strip(), reading.confidence
        if not text:
            cells = {i for i, cell in enumerate(cells_px) if centre_in(box, cell)}
            if not cells or cells & read_cells:
                continue  # a smudge outside the tables, or beside text in its cell
            text, confidence = UNREAD, 0.0
        words.append(OcrWord(Word(text, box[0] * scale, box[1] * scale, box[2] * scale, box[3] * scale),
                             confidence, reading.rival))
    return words
