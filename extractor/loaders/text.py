"""Text loader: reports copied out of PDFs and web pages as plain text.

Handles the layouts such copies take: pipe rows (`a | b | c |`), one cell per
line (`a |`), tab-separated rows, cells wrapped onto the next line, blank
padding cells. A line without delimiters is prose. Nothing is interpreted here:
a delimited piece becomes a `cell=True` token, a plain line a prose token.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from charset_normalizer import from_bytes

from .. import matching
from ..normalize import clean
from ..tokens import Document, LoadError, Token
from ..vocabulary import PAGE_NUMBER_PATTERN

MAX_BYTES = 20 * 1024 * 1024
_PAGE_NUMBER = re.compile(PAGE_NUMBER_PATTERN)
_RUNNING_HEADER_MIN = 10  # characters: shorter repeated lines (其他, 无) are ordinary report words


def decode(data: bytes) -> str:
    """Bytes to text: UTF-8 (with or without BOM), UTF-16 with BOM, else the best guess (GBK included)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        best = from_bytes(data).best()
        if best is None:
            raise LoadError("not a text file: its bytes decode in no known encoding") from None
        return str(best)


def split_line(line: str) -> tuple[list[str], bool] | None:
    """Cells of a delimited line and whether its last cell is terminated; None for a plain line.

    `a | b |` gives (["a", "b"], True); `a | b` gives (["a", "b"], False);
    `a<TAB>b` gives (["a", "b"], True): a tab row ends at the line's end.
    """
    if "|" in line:
        pieces = [p.strip() for p in line.split("|")]
        terminated = line.rstrip().endswith("|")
        return (pieces[:-1] if terminated else pieces), terminated
    if "\t" in line:
        return [p.strip() for p in line.split("\t")], True
    return None


def _is_value_text(text: str) -> bool:
    stripped = text.replace(" ", "").replace(",", "").replace(".", "", 1).lstrip("+-")
    return stripped.isdigit()


def running_headers(lines: list["TextLine"]) -> set[int]:
    """Numbers of the plain lines that repeat an earlier plain line of 10 or more characters with no
    sentence end: a page header (the report's running title) copied out of a PDF with each page.
    The first printing stays text (it is usually the title itself)."""
    seen: Counter[str] = Counter()
    out = set()
    for line in lines:
        if line.is_row:
            continue
        key = clean(line.text).replace(" ", "")
        if len(key) < _RUNNING_HEADER_MIN or "。" in key:
            continue
        if seen[key]:
            out.add(line.number)
        seen[key] += 1
    return out


def is_page_furniture(text: str) -> bool:
    """A page number as footers print it (- 3 -, 第3页 共9页, 3/9)."""
    return bool(_PAGE_NUMBER.match(clean(text).strip()))


def _continues_cell(fragment: str, next_cell: str) -> bool:
    """Whether `fragment` (a piece with no terminator) runs on into `next_cell` on the next line."""
    if not fragment or not next_cell or _is_value_text(fragment) or _is_value_text(next_cell):
        return False
    if is_page_furniture(fragment):
        return False
    if len(fragment) > 60 or matching.match_section_heading(fragment):
        return False
    # A next cell that opens with its own outline number or is a block title starts afresh.
    return matching.strip_numbering(next_cell) == clean(next_cell).strip() and not matching.is_block_title(next_cell)


@dataclass
class TextLine:
    """One non-blank line: its cells when delimited (None for a plain line)."""

    number: int
    text: str
    cells: list[str] | None = None
    terminated: bool = True  # the last cell ends on this line

    @property
    def is_row(self) -> bool:
        return self.cells is not None


def parse_lines(text: str) -> list[TextLine]:
    lines = []
    for number, raw in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n")):
        if not raw.strip():
            continue
        split = split_line(raw)
        if split is None:
            lines.append(TextLine(number, raw.strip()))
        else:
            lines.append(TextLine(number, raw.strip(), split[0], split[1]))
    return lines


def join_wrapped(lines: list[TextLine], furniture: set[int] = frozenset()) -> list[TextLine]:
    """Join cells wrapped onto the next line.

    In a table whose cells end with `|`, an unterminated piece (a plain line
    between table rows, or the text after a row's last `|`) is the start of a
    cell that continues on the next line. Only words are joined, never figures:
    two numbers are never glued into one, nor page furniture (`furniture`: line numbers of
    running headers) onto a cell.
    """
    out: list[TextLine] = []
    carry: str | None = None
    for i, line in enumerate(lines):
        nxt = lines[i + 1] if i + 1 < len(lines) else None
        if carry is not None:  # the previous line's piece continues here (checked below)
            line = TextLine(line.number, line.text, [carry + line.cells[0]] + line.cells[1:], line.terminated)
            carry = None
        next_opens = nxt is not None and nxt.is_row and nxt.terminated and bool(nxt.cells)
        if not line.is_row:
            prev_row = i > 0 and lines[i - 1].is_row
            if prev_row and next_opens and line.number not in furniture and _continues_cell(line.text, nxt.cells[0]):
                carry = line.text
            else:
                out.append(line)
            continue
        if not line.terminated and line.cells and next_opens and _continues_cell(line.cells[-1], nxt.cells[0]):
            carry = line.cells[-1]
            line = TextLine(line.number, line.text, line.cells[:-1], True)
        out.append(line)
    return out


def tokens_from_text(text: str) -> list[Token]:
    """Token stream of a report's text."""
    tokens: list[Token] = []
    lines = parse_lines(text)
    headers = running_headers(lines)
    for line in join_wrapped(lines, headers):
        if line.cells is None:
            tokens.append(Token(text=line.text, line=line.number, furniture=line.number in headers))
        else:
            tokens.extend(Token(text=cell, line=line.number, cell=True) for cell in line.cells)
    return tokens


def load(path: Path, *, max_bytes: int = MAX_BYTES) -> Document:
    data = Path(path).read_bytes()
    if len(data) > max_bytes:
        raise LoadError(f"text file of {len(data) // 1024 // 1024} MB is over the {max_bytes // 1024 // 1024} MB limit")
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise LoadError("not a text file: it holds binary data")
    text = decode(data)
    if not text.strip():
        raise LoadError("the file is empty")
    return Document(tokens=tokens_from_text(text), format="txt", pages=1)
