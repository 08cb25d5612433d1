"""Plain-text layouts, like a careless copy out of a PDF or a web page (see the seeds).

pipe:   one grid row per line, `a | b | c |`
cells:  one cell per line, `a |`
tabs:   one grid row per line, cells joined by tabs, covered slots empty
spaces: one grid row per line, cells apart by spaces only, as copied out of a PDF reader
        (`RenderOptions.spacing`: aligned by display width, single spaces or U+3000; long row
        labels wrapped onto the next line with `label_wrap`)
Prose blocks are plain lines.
"""

from __future__ import annotations

import unicodedata

from .document import Manuscript
from .grid import Grid, Placed, placements, slots
from .options import RenderOptions

LAYOUTS = ("pipe", "cells", "tabs", "spaces")
IDEOGRAPHIC_SPACE = "\u3000"
WRAPPED_ROLES = ("label", "note")  # cells whose text `label_wrap` wraps: row labels and the balance note


def _piece(text: str) -> str:
    return f"{text} |" if text else "|"


def _row_parts(grid: Grid) -> list[tuple[list[str], list[str | None]]]:
    """Per row: the texts of the cells anchored there, and every slot's text (None where covered)."""
    out = []
    for row in slots(grid):
        anchors = [placed.cell.text for placed, anchor in row if anchor]
        out.append((anchors, [placed.cell.text if anchor else None for placed, anchor in row]))
    return out


def pipe_lines(grid: Grid, merged: str = "trailing") -> list[str]:
    """`a | b |` rows. "trailing": covered slots as a run of bare '|' after the row's cells,
    dropped on the table's last row (seed 000); "inline": an empty cell in place."""
    rows = _row_parts(grid)
    lines = []
    for i, (anchors, row) in enumerate(rows):
        if merged == "inline":
            lines.append(" | ".join(text or "" for text in row) + " |")
            continue
        line = " ".join(_piece(text) for text in anchors)
        covered = row.count(None)
        if covered and i < len(rows) - 1:
            line += " " + "|" * covered
        lines.append(line)
    return lines


def cell_lines(grid: Grid, merged: str = "trailing") -> list[str]:
    """One `text |` line per cell. "trailing": a row's covered slots as one '||' line after
    its cells, none on the table's last row (seed 003); "inline": one '|' line per covered slot."""
    rows = _row_parts(grid)
    lines = []
    for i, (anchors, row) in enumerate(rows):
        if merged == "inline":
            lines += [_piece(text) if text is not None else "|" for text in row]
            continue
        lines += [_piece(text) for text in anchors]
        covered = row.count(None)
        if covered and i < len(rows) - 1:
            lines.append("|" * covered)
    return lines


def tab_lines(grid: Grid) -> list[str]:
    """Rows of tab-joined slot texts, covered slots empty (seed 002)."""
    return ["\t".join(text or "" for text in row) for _, row in _row_parts(grid)]


def display_width(text: str) -> int:
    """Columns `text` takes in a monospaced view: wide and full-width characters (CJK) take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 0 if unicodedata.combining(ch) else 1
               for ch in text)


# Line-breaking rules of Chinese typesetting: no line opens with closing punctuation, none ends
# with opening punctuation.
_NO_LINE_START = set("、，。：；！？）》」』】〕”’,.:;!?)]%")
_NO_LINE_END = set("（《「『【〔“‘([")


def _cut_allowed(text: str, i: int) -> bool:
    """Whether a label may wrap before text[i]: not inside a run of Latin letters or digits, nor
    against the punctuation rules of Chinese typesetting."""
    before, after = text[i - 1], text[i]
    if before.isascii() and before.isalnum() and after.isascii() and after.isalnum():
        return False
    return after not in _NO_LINE_START and before not in _NO_LINE_END


def wrap_label(text: str, limit: int) -> tuple[str, str]:
    """(first line, rest) of a label wider than `limit` display columns, cut near its middle;
    (text, "") when it fits or `limit` is 0."""
    if not limit or display_width(text) <= limit or len(text) < 4:
        return text, ""
    half = display_width(text) / 2
    cuts = [i for i in range(2, len(text) - 1) if _cut_allowed(text, i)]
    if not cuts:
        return text, ""
    cut = min(cuts, key=lambda i: abs(display_width(text[:i]) - half))
    return text[:cut], text[cut:]


def _wrapped_rows(grid: Grid, limit: int) -> list[list[tuple[Placed, str]]]:
    """Printed lines of a table: per grid row, its anchored cells with their text, then, when a
    label (or the note) wrapped, a line of the second halves at the same cells."""
    rows: list[list[tuple[Placed, str]]] = [[] for _ in grid.rows]
    for placed in placements(grid):
        rows[placed.row].append((placed, placed.cell.text))
    lines = []
    for row in rows:
        split = [(placed, *wrap_label(text, limit if placed.cell.role in WRAPPED_ROLES else 0)) for placed, text in row]
        lines.append([(placed, head) for placed, head, _ in split])
        tails = [(placed, tail) for placed, _, tail in split if tail]
        if tails:
            lines.append(tails)
    return lines


def _column_starts(lines: list[list[tuple[Placed, str]]], columns: int, gap: int) -> list[int]:
    """Display column where each grid column starts: wide enough for every text, spans included."""
    widths = [0] * columns
    spanned = []
    for line in lines:
        for placed, text in line:
            if placed.cell.colspan == 1:
                widths[placed.col] = max(widths[placed.col], display_width(text))
            elif text:
                spanned.append((placed.cell.colspan, placed.col, display_width(text)))
    for span, col, width in sorted(spanned):  # narrow spans first: they widen the columns wider ones cross
        room = sum(widths[col:col + span]) + gap * (span - 1)
        if width > room:
            widths[col + span - 1] += width - room
    starts, x = [], 0
    for width in widths:
        starts.append(x)
        x += width + gap
    return starts


def space_lines(grid: Grid, spacing: str = "aligned", gap: int = 2, label_wrap: int = 0) -> list[str]:
    """Rows with cells apart by spaces only. "aligned": each cell at its column's start, columns
    as wide as their widest text in display width, at least `gap` spaces apart (blank cells stay
    as space); "single": non-blank cells joined by one space; "ideographic": every cell joined by
    one U+3000, so a blank cell leaves two in a row (or one at the line's end). A label wider than
    `label_wrap` columns wraps, its second half on the next line."""
    lines = _wrapped_rows(grid, label_wrap)
    if spacing == "single":
        return [" ".join(text for _, text in line if text) for line in lines]
    if spacing == "ideographic":
        return [IDEOGRAPHIC_SPACE.join(text for _, text in line) for line in lines]
    if spacing != "aligned":
        raise ValueError(f"unknown spacing {spacing!r} (expected aligned, single or ideographic)")
    starts = _column_starts(lines, grid.columns, gap)
    out = []
    for line in lines:
        printed = ""
        for placed, text in line:
            if not text:
                continue
            width = display_width(printed)
            pad = starts[placed.col] - width if width < starts[placed.col] else (gap if printed else 0)
            printed += " " * pad + text
        out.append(printed)
    return out


def table_lines(grid: Grid, layout: str, merged: str = "trailing", options: RenderOptions | None = None) -> list[str]:
    if layout == "pipe":
        return pipe_lines(grid, merged)
    if layout == "cells":
        return cell_lines(grid, merged)
    if layout == "tabs":
        return tab_lines(grid)
    if layout == "spaces":
        options = options or RenderOptions()
        return space_lines(grid, options.spacing, options.column_gap, options.label_wrap)
    raise ValueError(f"unknown text layout {layout!r} (expected one of {LAYOUTS})")


def render_text(ms: Manuscript, layout: str, options: RenderOptions | None = None) -> str:
    """The whole report as text in `layout`, ending with a newline."""
    options = options or RenderOptions()
    chunks: list[list[str]] = []
    for block in ms.blocks:
        if block.kind == "table":
            chunks.append(table_lines(block.grid, layout, options.merged, options))
        else:
            chunks.append([block.text])
    separator = "\n\n" if options.blank_lines else "\n"
    return separator.join("\n".join(chunk) for chunk in chunks) + "\n"


def encode_text(text: str, encoding: str) -> bytes:
    """Bytes of a text file; "gbk" is written as GB18030, identical to GBK for every GBK character,
    so rare characters GBK lacks survive instead of turning into '?'."""
    return text.encode("gb18030" if encoding == "gbk" else encoding)
