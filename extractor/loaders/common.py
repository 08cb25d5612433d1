"""Pieces shared by the loaders of formats with real tables (HTML, Word): text joining,
the prose-line and table-grid items a walk yields, and their token stream."""

from __future__ import annotations

import re
import sysconfig
import traceback
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from ..tokens import LoadError, Token

MB = 1024 * 1024

_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_WHITESPACE = re.compile(r"\s+")
_LINE_BREAKS = re.compile(r"[\r\n\f\v\x1c-\x1e\x85\u2028\u2029]")
# Quotes, dashes and ellipses sit between Chinese characters as often as CJK punctuation does.
_CJK_PUNCTUATION = frozenset("“”‘’—…·")


def is_cjk(char: str) -> bool:
    """A character of Chinese (or other East Asian) text, including full-width punctuation."""
    code = ord(char)
    return (
        0x2E80 <= code <= 0x9FFF  # radicals, CJK symbols and punctuation, kana, ideographs
        or 0xF900 <= code <= 0xFAFF
        or 0xFE30 <= code <= 0xFE4F
        or 0xFF00 <= code <= 0xFFEF  # full-width forms
        or 0x20000 <= code <= 0x3FFFF
        or char in _CJK_PUNCTUATION
    )


def _glue(left: str, right: str) -> str:
    """What goes between two pieces of one line: nothing between CJK characters, else a space."""
    return "" if is_cjk(left[-1]) and is_cjk(right[0]) else " "


def strip_invisible(text: str) -> str:
    """`text` without zero-width characters and soft hyphens."""
    return _ZERO_WIDTH.sub("", text)


def collapse_whitespace(text: str) -> str:
    """Runs of whitespace become one space; a line break between two CJK characters vanishes.

    A source line break inside Chinese text is never a space (CSS segment-break rule).
    """
    text = _ZERO_WIDTH.sub("", text)

    def replace(match: re.Match) -> str:
        run, start, end = match.group(), match.start(), match.end()
        if ("\n" in run or "\r" in run) and 0 < start and end < len(text):
            return _glue(text[start - 1], text[end])
        return " "

    return _WHITESPACE.sub(replace, text).strip()


def join_pieces(pieces: Iterable[str]) -> str:
    """Pieces of one cell (its paragraphs, lines) as one text.

    Pieces join with nothing between two CJK characters, else with a space.
    """
    out = ""
    for piece in pieces:
        piece = piece.strip()
        if not piece:
            continue
        out = piece if not out else out + _glue(out, piece) + piece
    return out


# --- items: what a walk of a document yields, and their tokens ----------------


@dataclass(frozen=True)
class Line:
    """One line outside a table grid: its text, and as printed (`raw`: tabs and runs of spaces
    kept, where the source has them) for the text-row reader."""

    text: str
    raw: str = ""


@dataclass(frozen=True)
class GridCell:
    """One cell of a table at its top-left grid position (0-based) after merged cells are expanded."""

    row: int
    col: int
    rowspan: int
    colspan: int
    text: str


@dataclass(frozen=True)
class Grid:
    """A data table: its cells in row order, then column order."""

    cells: tuple[GridCell, ...]


def tokens_from_items(items: Iterable[Line | Grid], max_tokens: int,
                      read_lines: Callable[[str], list[Token]] | None = None) -> list[Token]:
    """Token stream of lines and grids: one line number per line and per grid row, one
    document-wide table index per grid. `read_lines`: the text-row reader (the text loader's
    `tokens_from_text`) that each run of lines between grids goes through, so a table typed as
    paragraphs (one cell a paragraph, tab-separated rows, aligned spaces) reads as in a .txt;
    without it every line is a prose token."""
    tokens: list[Token] = []
    run: list[Line] = []
    line = table = 0

    def check(count: int) -> None:
        if count > max_tokens:
            raise LoadError(f"the document holds more than {max_tokens} lines and cells; that is not a single report")

    def flush() -> None:
        nonlocal line, table
        if read_lines is None:
            tokens.extend(Token(text=item.text, line=line + n) for n, item in enumerate(run))
        elif run:
            # one item one line of the text it is read as, whatever breaks its raw text holds
            read = read_lines("\n".join(_LINE_BREAKS.sub(" ", item.raw or item.text) for item in run))
            tables = {t.table for t in read if t.table is not None}
            tokens.extend(replace(t, line=t.line + line, table=None if t.table is None else t.table + table)
                          for t in read)
            table += max(tables) + 1 if tables else 0
        line += len(run)
        run.clear()

    for item in items:
        if isinstance(item, Line):
            run.append(item)
            check(len(tokens) + len(run))
            continue
        flush()
        if not item.cells:
            continue
        row = item.cells[0].row
        for cell in item.cells:
            if cell.row != row:
                row = cell.row
                line += 1
            tokens.append(Token(text=cell.text, line=line, cell=True, table=table, row=cell.row,
                                col=cell.col, rowspan=cell.rowspan, colspan=cell.colspan))
        line += 1
        table += 1
        check(len(tokens))
    flush()
    check(len(tokens))
    return tokens


# Where installed code lives (site-packages before the standard library, which holds it)
_LIBRARY_ROOTS = sorted({Path(sysconfig.get_paths()[key]).resolve() for key in ("purelib", "platlib", "stdlib")},
                        key=lambda root: len(root.parts), reverse=True)


def library_of(filename: str) -> str | None:
    """The installed top-level package or module a traceback frame's source file belongs to
    ("zipfile", "docx", "lxml"); None for our own code. A C module (zlib) has no frames: its
    errors show in the Python module that called it (zipfile)."""
    if filename.startswith("<frozen "):  # a standard-library module frozen into the interpreter
        return filename.removeprefix("<frozen ").removesuffix(">").split(".")[0]
    where = Path(filename).resolve()
    for root in _LIBRARY_ROOTS:
        if where.is_relative_to(root):
            return where.relative_to(root).parts[0].removesuffix(".py")
    return None


@contextmanager
def damaged_file(what: str, packages: Mapping[str, str]) -> Iterator[None]:
    """Turn an exception that a reading library raised inside its own code into LoadError("damaged
    <what>: <plain words> (<the library's words>)"), so that a damaged file is reported as damaged,
    not as our bug. `packages`: library name -> what its failure means in plain words. An exception
    raised in our own code passes through: that one is ours to fix. Where another library raised
    it on a reading library's behalf (python-docx handing posixpath.join the missing Target of a
    relationship), the reading library that called it counts."""
    try:
        yield
    except (LoadError, MemoryError):
        raise
    except Exception as exc:  # a truncated zip gives ValueError("negative seek value") in zipfile
        library = reading_library(traceback.extract_tb(exc.__traceback__), packages)
        if library is None:
            raise
        detail = str(exc) or type(exc).__name__
        raise LoadError(f"damaged {what}: {packages[library]} ({detail})") from None


def reading_library(frames: traceback.StackSummary, packages: Mapping[str, str]) -> str | None:
    """The reading library (a key of `packages`) in whose code an exception arose; None when it
    arose in our code. From the innermost frame outward, past other libraries, up to our own first."""
    for frame in reversed(frames):
        library = library_of(frame.filename)
        if library is None:
            return None
        if library in packages:
            return library
    return None
