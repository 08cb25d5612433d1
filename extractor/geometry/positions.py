"""Positioned text: the plain data the table readers work on, whatever unit positions are in."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Piece:
    """A run of text on one line, with its horizontal extent."""

    text: str
    x0: float
    x1: float

    @property
    def middle(self) -> float:
        return (self.x0 + self.x1) / 2


@dataclass(frozen=True)
class PosLine:
    """One line of positioned pieces, left to right. `top`/`bottom` order lines within a page (PDF
    points, or the line number for text); `number` is the caller's line number."""

    pieces: tuple[Piece, ...]
    page: int
    top: float
    bottom: float
    number: int

    @property
    def text(self) -> str:
        return "".join(p.text for p in self.pieces)


@dataclass(frozen=True)
class PosCell:
    """One cell of a table read by position: grid row and column, its text, and where it stood."""

    row: int
    col: int
    text: str
    page: int
    line: int
    box: tuple[float, float, float, float] | None  # x0, top, x1, bottom of what it was read from
    header: bool = False


@dataclass
class PosTable:
    """A table read by position: the lines it consumed and its cells in row, then column order."""

    lines: list[int]  # indices into the lines given
    cells: list[PosCell] = field(default_factory=list)


def overlaps(a0: float, a1: float, b0: float, b1: float, slack: float = 0.0) -> bool:
    return a0 < b1 + slack and b0 < a1 + slack


NO_COLUMN = -1  # a header cell that names no column (figures placed by order)
