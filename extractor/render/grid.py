"""The table grid model: rows of cells with spans, as HTML and Word tables have them.

A row lists only the cells that start in it (like HTML `<tr>`); a cell spanning
rows or columns covers slots of later rows and columns. `slots` expands that
into the full rectangle, which is what every renderer needs.
"""

from __future__ import annotations

from dataclasses import dataclass

ROLES = ("title", "header", "label", "value", "note")


@dataclass(frozen=True)
class Cell:
    text: str
    role: str
    rowspan: int = 1
    colspan: int = 1
    key: tuple[str, str] | None = None  # (row key, column key) of a value cell

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"unknown cell role {self.role!r}")
        if self.rowspan < 1 or self.colspan < 1:
            raise ValueError(f"bad span {self.rowspan}x{self.colspan} for cell {self.text!r}")


@dataclass(frozen=True)
class Grid:
    table: str  # canonical table key (active_disclosure, applications, review_litigation)
    columns: int
    rows: tuple[tuple[Cell, ...], ...]


@dataclass(frozen=True)
class Placed:
    """A cell at its top-left grid position."""

    row: int
    col: int
    cell: Cell


def placements(grid: Grid) -> list[Placed]:
    """Every cell with its grid position, in row order; raises if the grid is not a full rectangle."""
    taken: set[tuple[int, int]] = set()
    out: list[Placed] = []
    for r, row in enumerate(grid.rows):
        c = 0
        for cell in row:
            while (r, c) in taken:
                c += 1
            if c + cell.colspan > grid.columns or r + cell.rowspan > len(grid.rows):
                raise ValueError(f"{grid.table}: cell {cell.text!r} at ({r}, {c}) runs outside the grid")
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    if (r + dr, c + dc) in taken:
                        raise ValueError(f"{grid.table}: cell {cell.text!r} overlaps at ({r + dr}, {c + dc})")
                    taken.add((r + dr, c + dc))
            out.append(Placed(r, c, cell))
            c += cell.colspan
    missing = [(r, c) for r in range(len(grid.rows)) for c in range(grid.columns) if (r, c) not in taken]
    if missing:
        raise ValueError(f"{grid.table}: grid slots left empty, first at {missing[0]}")
    return out


def slots(grid: Grid) -> list[list[tuple[Placed, bool]]]:
    """The full rectangle: each slot holds its cell and whether it is the cell's top-left (anchor)."""
    table: list[list[tuple[Placed, bool] | None]] = [[None] * grid.columns for _ in grid.rows]
    for placed in placements(grid):
        for dr in range(placed.cell.rowspan):
            for dc in range(placed.cell.colspan):
                table[placed.row + dr][placed.col + dc] = (placed, dr == 0 and dc == 0)
    return table  # type: ignore[return-value]
