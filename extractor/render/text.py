"""Plain-text layouts, like a careless copy out of a PDF or a web page (see the seeds).

pipe:  one grid row per line, `a | b | c |`
cells: one cell per line, `a |`
tabs:  one grid row per line, cells joined by tabs, covered slots empty
Prose blocks are plain lines.
"""

from __future__ import annotations

from .document import Manuscript
from .grid import Grid, slots
from .options import RenderOptions

LAYOUTS = ("pipe", "cells", "tabs")


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


def table_lines(grid: Grid, layout: str, merged: str = "trailing") -> list[str]:
    if layout == "pipe":
        return pipe_lines(grid, merged)
    if layout == "cells":
        return cell_lines(grid, merged)
    if layout == "tabs":
        return tab_lines(grid)
    raise ValueError(f"unknown text layout {layout!r} (expected one of {LAYOUTS})")


def render_text(ms: Manuscript, layout: str, options: RenderOptions | None = None) -> str:
    """The whole report as text in `layout`, ending with a newline."""
    options = options or RenderOptions()
    chunks: list[list[str]] = []
    for block in ms.blocks:
        if block.kind == "table":
            chunks.append(table_lines(block.grid, layout, options.merged))
        else:
            chunks.append([block.text])
    separator = "\n\n" if options.blank_lines else "\n"
    return separator.join("\n".join(chunk) for chunk in chunks) + "\n"


def encode_text(text: str, encoding: str) -> bytes:
    """Bytes of a text file; "gbk" is written as GB18030, identical to GBK for every GBK character,
    so rare characters GBK lacks survive instead of turning into '?'."""
    return text.encode("gb18030" if encoding == "gbk" else encoding)
