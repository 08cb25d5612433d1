"""Which ruling lines a table prints (the `table_rules` option), as pure data the writers read.

grid:       every cell ruled (Word's "Table Grid"), the official layout.
none:       no ruling line at all; columns show only by the alignment of the words.
horizontal: a rule above the table, between every two rows and under it; no vertical line.
three-line: the three-line table of Word/WPS templates: a heavy rule above the table, a thin
            one under the header rows and a heavy one under the last row, nothing else.
frame:      the outer frame only.

Lines are numbered like grid lines: horizontal line k runs above row k (k = len(rows) is the
bottom edge), vertical line j left of column j (j = columns is the right edge). Widths are in
points. The DOCX writer stores them as Word does (table borders, plus the header rule as cell
borders); the HTML writer as CSS borders per cell (`cell_sides`).
"""

from __future__ import annotations

from .grid import Grid, placements

TABLE_RULES = ("grid", "none", "horizontal", "three-line", "frame")
THIN, HEAVY = 0.5, 1.5
# Word's table-border sides; inside lines are drawn between rows (insideH) and columns (insideV).
TABLE_SIDES = ("top", "left", "bottom", "right", "insideH", "insideV")

_TABLE_BORDERS: dict[str, dict[str, float]] = {
    "grid": dict.fromkeys(TABLE_SIDES, THIN),
    "none": {},
    "horizontal": {"top": THIN, "bottom": THIN, "insideH": THIN},
    "three-line": {"top": HEAVY, "bottom": HEAVY},
    "frame": {"top": THIN, "left": THIN, "bottom": THIN, "right": THIN},
}


def check_rules(rules: str) -> str:
    if rules not in TABLE_RULES:
        raise ValueError(f"unknown table rules {rules!r}; expected one of {TABLE_RULES}")
    return rules


def header_rows(grid: Grid) -> int:
    """Rows before the first label or value cell: the table's header."""
    for r, row in enumerate(grid.rows):
        if any(cell.role in ("label", "value") for cell in row):
            return r
    return 0


def table_borders(rules: str) -> dict[str, float]:
    """Word table borders (TABLE_SIDES -> width); a side left out has no line."""
    return dict(_TABLE_BORDERS[check_rules(rules)])


def header_rule(rules: str, grid: Grid) -> float | None:
    """Width of the rule under the header rows, which only the three-line table draws on its own."""
    return THIN if check_rules(rules) == "three-line" and 0 < header_rows(grid) < len(grid.rows) else None


def horizontal_lines(rules: str, grid: Grid) -> dict[int, float]:
    """Horizontal line number -> width, for the lines the table prints."""
    borders, n = table_borders(rules), len(grid.rows)
    lines = {k: borders["insideH"] for k in range(1, n)} if "insideH" in borders else {}
    if "top" in borders:
        lines[0] = borders["top"]
    if "bottom" in borders:
        lines[n] = borders["bottom"]
    rule = header_rule(rules, grid)
    if rule is not None:
        lines[header_rows(grid)] = rule
    return lines


def vertical_lines(rules: str, grid: Grid) -> dict[int, float]:
    """Vertical line number -> width, for the lines the table prints."""
    borders, n = table_borders(rules), grid.columns
    lines = {j: borders["insideV"] for j in range(1, n)} if "insideV" in borders else {}
    if "left" in borders:
        lines[0] = borders["left"]
    if "right" in borders:
        lines[n] = borders["right"]
    return lines


def cell_sides(grid: Grid, rules: str) -> dict[tuple[int, int], dict[str, float]]:
    """(row, col) of each cell's top-left slot -> its ruled sides (top/bottom/left/right -> width).

    A line runs along a cell's edge only; a merged cell hides the lines it spans.
    """
    across, down = horizontal_lines(rules, grid), vertical_lines(rules, grid)
    out = {}
    for placed in placements(grid):
        edges = {"top": across.get(placed.row), "bottom": across.get(placed.row + placed.cell.rowspan),
                 "left": down.get(placed.col), "right": down.get(placed.col + placed.cell.colspan)}
        out[(placed.row, placed.col)] = {side: width for side, width in edges.items() if width is not None}
    return out
