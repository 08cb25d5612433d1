"""Text loader: reports copied out of PDFs and web pages as plain text.

Handles the layouts such copies take: pipe rows (`a | b | c |`), one cell per
line (`a |`), tab-separated rows, cells wrapped onto the next line, blank
padding cells. A line without delimiters is prose. Nothing is interpreted here:
a delimited piece becomes a `cell=True` token, a plain line a prose token.
"""

from __future__ import annotations

from pathlib import Path

from charset_normalizer import from_bytes

from .. import matching
from ..normalize import clean
from ..tokens import Document, LoadError, Token

MAX_BYTES = 20 * 1024 * 1024


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


def _continues_cell(fragment: str, next_cell: str) -> bool:
    """Whether `fragment` (a piece with no terminator) runs on into `next_cell` on the next line."""
    if not fragment or not next_cell or _is_value_text(fragment) or _is_value_text(next_cell):
        return False
    if len(fragment) > 60 or matching.match_section_heading(fragment):
        return False
    # A next cell that opens with its own outline number or is a block title starts afresh.
    return matching.strip_numbering(next_cell) == clean(next_cell).strip() and not matching.is_block_title(next_cell)


def join_wrapped(rows: list[tuple[int, list[str], bool] | tuple[int, str]]) -> list[tuple[int, list[str], bool] | tuple[int, str]]:
    """Join cells wrapped onto the next line.

    In a table whose cells end with `|`, an unterminated piece (a plain line
    between table lines, or the text after a row's last `|`) is the start of a
    cell that continues on the next line. Only words are joined, never figures:
    two numbers are never glued into one.
    """
    out: list = []
    carry: str | None = None
    for i, item in enumerate(rows):
        is_table = len(item) == 3
        prev_table = i > 0 and len(rows[i - 1]) == 3
        next_table = i + 1 < len(rows) and len(rows[i + 1]) == 3
        if carry is not None:
            if is_table and item[1] and _continues_cell(carry, item[1][0]):
                cells = [carry + item[1][0]] + item[1][1:]
                item = (item[0], cells, item[2])
            else:
                out.append((item[0], [carry], True))
            carry = None
        if not is_table:
            text = item[1]
            if prev_table and next_table and rows[i + 1][2] and rows[i + 1][1] \
                    and _continues_cell(text, rows[i + 1][1][0]):
                carry = text
                continue
            out.append(item)
            continue
        line_no, cells, terminated = item
        if not terminated and cells and next_table and rows[i + 1][1] \
                and _continues_cell(cells[-1], rows[i + 1][1][0]):
            carry = cells[-1]
            cells = cells[:-1]
        out.append((line_no, cells, True))
    if carry is not None:
        out.append((len(rows), [carry], True))
    return out


def tokens_from_text(text: str) -> list[Token]:
    """Token stream of a report's text."""
    rows: list = []
    for line_no, raw in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n")):
        if not raw.strip():
            continue
        split = split_line(raw)
        if split is None:
            rows.append((line_no, raw.strip()))
        else:
            rows.append((line_no, split[0], split[1]))
    tokens: list[Token] = []
    for item in join_wrapped(rows):
        if len(item) == 2:
            tokens.append(Token(text=item[1], line=item[0]))
        else:
            tokens.extend(Token(text=cell, line=item[0], cell=True) for cell in item[1])
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
