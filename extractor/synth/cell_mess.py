"""Mess in the printed table cells, whatever the file format: what real copies do to the words
and figures of the national tables without changing a figure's value.

Each transform maps a rendered manuscript (extractor.render.Manuscript) to a new
one; `mess_cells` applies the named ones. The gold is untouched: every value
printed here still reads as the gold value (normalize.number_text and
for_matching fold it back).
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import replace

from ..normalize import clean
from ..render import Cell, Grid, Manuscript
from .script import add_pinyin

# Header words that copies cut short (seed 000 prints 结果 for 结果纠正) or split (商业 企业):
# simplified text -> length of the part that survives.
LOSABLE_HEADERS = {"结果维持": 2, "结果纠正": 2, "其他结果": 2, "尚未审结": 2, "商业企业": 2, "科研机构": 2,
                   "社会公益组织": 4, "法律服务机构": 4}
_FULL_WIDTH = str.maketrans("0123456789.-", "０１２３４５６７８９．－")
_NUMBER = re.compile(r"^(-?)(\d+)(\.\d+)?$")

CellMap = Callable[[Cell, random.Random], Cell]


def map_cells(ms: Manuscript, rng: random.Random, fn: CellMap) -> Manuscript:
    """The manuscript with `fn` applied to every table cell, in document order."""
    blocks = []
    for block in ms.blocks:
        if block.grid is not None:
            grid = block.grid
            rows = tuple(tuple(fn(cell, rng) for cell in row) for row in grid.rows)
            block = replace(block, grid=Grid(grid.table, grid.columns, rows))
        blocks.append(block)
    return replace(ms, blocks=tuple(blocks))


def lose_header_words(cell: Cell, rng: random.Random) -> Cell:
    """结果纠正 -> 结果, or split by a space: 商业企业 -> 商业 企业."""
    keep = LOSABLE_HEADERS.get(clean(cell.text))
    if cell.role != "header" or keep is None or rng.random() < 0.3:
        return cell
    text = cell.text[:keep] if rng.random() < 0.6 else cell.text[:keep] + " " + cell.text[keep:]
    return replace(cell, text=text)


def _number_parts(cell: Cell) -> re.Match | None:
    return _NUMBER.match(cell.text) if cell.role == "value" else None


def fullwidth_digits(cell: Cell, rng: random.Random) -> Cell:
    """２６４８．５２ for 2648.52."""
    if _number_parts(cell) is None:
        return cell
    return replace(cell, text=cell.text.translate(_FULL_WIDTH))


def spaced_numbers(cell: Cell, rng: random.Random) -> Cell:
    """A stray space before the last three whole digits: 10 865, 2 648.52."""
    parts = _number_parts(cell)
    if parts is None or len(parts.group(2)) < 4:
        return cell
    sign, whole, fraction = parts.group(1), parts.group(2), parts.group(3) or ""
    return replace(cell, text=f"{sign}{whole[:-3]} {whole[-3:]}{fraction}")


def thousands_separators(cell: Cell, rng: random.Random) -> Cell:
    """10,865 and 2,648.52."""
    parts = _number_parts(cell)
    if parts is None or len(parts.group(2)) < 4:
        return cell
    return replace(cell, text=f"{parts.group(1)}{int(parts.group(2)):,}{parts.group(3) or ''}")


def label_pinyin(glossed: frozenset[str]) -> CellMap:
    """Inline pinyin after the glossed characters of labels and headers (traditional copies)."""

    def gloss(cell: Cell, rng: random.Random) -> Cell:
        if cell.role == "value" or not glossed:
            return cell
        return replace(cell, text=add_pinyin(cell.text, glossed))

    return gloss


CELL_MESSES = ("lose_header_words", "fullwidth_digits", "spaced_numbers", "thousands_separators", "label_pinyin")


def mess_cells(ms: Manuscript, rng: random.Random, names: tuple[str, ...],
               glossed: frozenset[str] = frozenset()) -> Manuscript:
    """Apply the named cell transforms (CELL_MESSES) in that order."""
    simple = {"lose_header_words": lose_header_words, "fullwidth_digits": fullwidth_digits,
              "spaced_numbers": spaced_numbers, "thousands_separators": thousands_separators}
    for name in names:
        if name == "label_pinyin":
            ms = map_cells(ms, rng, label_pinyin(glossed))
        elif name in simple:
            ms = map_cells(ms, rng, simple[name])
        else:
            raise ValueError(f"unknown cell mess {name!r}; known: {CELL_MESSES}")
    return ms
