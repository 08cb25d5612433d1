"""Text loader: reports copied out of PDFs and web pages as plain text.

Handles the layouts such copies take: pipe rows (`a | b | c |`), one cell per
line (`a |`), tab-separated rows, cells wrapped onto the next line, blank
padding cells. A line without delimiters is prose. Nothing is interpreted here:
a delimited piece becomes a `cell=True` token, a plain line a prose token.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from charset_normalizer import from_bytes

from .. import matching
from ..geometry.columns import is_figure, read_tables
from ..geometry.labels import numbered
from ..geometry.positions import NO_COLUMN, Piece, PosLine
from ..geometry.words import join_pieces
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
    if _ideographic(line):
        # cells joined by one ideographic space each, a blank cell leaving two in a row (also at
        # the line's start: a row without a label, or under a merged label)
        return [p.strip(" ") for p in line.strip(" \r\n").split("\u3000")], True
    return None


def _is_value_text(text: str) -> bool:
    stripped = text.replace(" ", "").replace(",", "").replace(".", "", 1).lstrip("+-")
    return stripped.isdigit()


def running_headers(lines: list[TextLine]) -> set[int]:
    """Numbers of the plain lines that repeat an earlier plain line of 10 or more characters with no
    sentence end: a page header (the report's running title) copied out of a PDF with each page.
    The first printing stays text (it is usually the title itself)."""
    seen: Counter[str] = Counter()
    out = set()
    for line in lines:
        if line.is_row:
            continue
        key = clean(line.text).replace(" ", "").replace("\u3000", "")
        if len(key) < _RUNNING_HEADER_MIN or "。" in key or key.startswith("信息内容"):
            continue  # (a table header repeated for each block of the table is no page header)
        if not any(ch.isalpha() for ch in key):
            continue  # a row's figures printed alike in two rows (3011 0 0 0 0 0 3011) are no header
        if seen[key]:
            out.add(line.number)
        seen[key] += 1
    return out


def is_page_furniture(text: str) -> bool:
    """A page number as footers print it (- 3 -, 第3页 共9页, 3/9)."""
    return bool(_PAGE_NUMBER.match(clean(text).strip()))


def bare_page_numbers(lines: list[TextLine], pages: dict[int, int]) -> set[int]:
    """Numbers of the lines that are a page number printed as a bare figure (「2」, as `pdftotext
    -raw` copies a footer): the last line of its page, whose figure is the page's ordinal plus the
    offset most such lines share (at least two of them), so a row's lone figure at a page end stays one."""
    last: dict[int, TextLine] = {}
    for line in lines:
        last[pages.get(line.number, 1)] = line
    found = {page: int(line.text) for page, line in last.items()
             if not line.is_row and re.fullmatch(r"\d{1,4}", line.text.strip())}
    offsets = Counter(value - page for page, value in found.items())
    if not offsets:
        return set()
    offset, count = offsets.most_common(1)[0]
    if count < 2:
        return set()
    return {last[page].number for page, value in found.items() if value - page == offset}


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
    raw: str = ""  # the line as printed, spaces kept (for display columns)

    @property
    def is_row(self) -> bool:
        return self.cells is not None


def _split(text: str) -> list[str]:
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def parse_lines(text: str) -> list[TextLine]:
    lines = []
    for number, raw in enumerate(_split(text)):
        raw = raw.replace("\f", "")
        if not raw.strip():
            if _blank_ideographic(raw) and lines and lines[-1].cells is not None and _ideographic(lines[-1].raw):
                # a row of blank cells under a row of cells joined by ideographic spaces
                lines.append(TextLine(number, "", [""] * (raw.count("\u3000") + 1), True, raw=raw))
            continue
        split = split_line(raw)
        if split is None:
            lines.append(TextLine(number, raw.strip(), raw=raw))
        else:
            lines.append(TextLine(number, raw.strip(), split[0], split[1], raw=raw))
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


# --- rows without delimiters: positions, then order ------------------------------------------

# Two spaces or more, full-width spaces, a tab, or one space between two CJK characters (which a
# copy of Chinese text only prints where the page left a gap).
_GAP = re.compile(r"(?: {2,}|\u3000+|\t|(?<=[\u3000-\u9fff\uff00-\uffef]) (?=[\u3000-\u9fff\uff00-\uffef]|\d{1,2}[.．、]))")
_SPACES = re.compile(r"\s+")
_SPACED_FIGURES = re.compile(r"^\d+(?: \d+)+$")


def display_width(text: str) -> int:
    """Columns a text takes on a terminal or in a monospaced copy: two for a wide (CJK) character."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def display_pieces(raw: str) -> list[Piece]:
    """A line's pieces where runs of two or more spaces, full-width spaces or tabs part them, each
    with its display columns (a `pdftotext -layout` copy keeps the page's alignment so)."""
    pieces = []
    column = 0
    position = 0
    for match in list(_GAP.finditer(raw)) + [None]:
        end = match.start() if match else len(raw)
        text = raw[position:end]
        stripped = text.strip()
        if stripped:
            lead = display_width(text[: len(text) - len(text.lstrip())])
            x0 = column + lead
            pieces.append(Piece(stripped, float(x0), float(x0 + display_width(stripped))))
        column += display_width(text)
        if match:
            column += display_width(match.group())
            position = match.end()
    if len(pieces) < 2:
        return pieces
    # in a line parted by runs of spaces, figures parted by one space are two cells (pdftotext
    # -layout squeezes two columns so: 「0  3 13  0」); a line parted by single spaces only is
    # read in order (row_cells), never by position
    out = []
    for piece in pieces:
        if not _SPACED_FIGURES.match(piece.text):
            out.append(piece)
            continue
        for part in re.finditer(r"\S+", piece.text):
            x0 = piece.x0 + part.start()
            out.append(Piece(part.group(), x0, x0 + len(part.group())))
    return out


def row_cells(text: str, fmt: str) -> list[str] | None:
    """A plain line read as a table row by order: a label and the figures after it, parted by
    spaces (`pdftotext -raw`, copies out of PDF readers), or figures alone. None for anything
    else: the label must read as a row of the format, so prose ending in a figure stays prose."""
    words = _SPACES.split(clean(text).strip())
    cut = len(words)
    while cut > 0 and is_figure(words[cut - 1]):
        cut -= 1
    if cut == len(words):
        return None
    label = join_pieces(words[:cut])
    figures = words[cut:]
    if not label:
        return figures if len(figures) >= 2 else None  # a lone figure may be a page number
    if len(label) > 60 or any(mark in label for mark in "。；;"):
        return None
    # a group label printed before the row's own (「（五）不予处理 1.信访举报投诉类申请 0 …」): its own cell
    for k in range(1, cut):
        group, rest = join_pieces(words[:k]), join_pieces(words[k:cut])
        opens_group = matching.match_application_group(group, fmt) is not None or matching.GROUP_NUMBER.match(group)
        if opens_group and numbered(rest) and _reads_as_row(rest, fmt):
            return [group, rest, *figures]
    return [label, *figures] if _reads_as_row(label, fmt) else None


def _reads_as_row(label: str, fmt: str) -> bool:
    """Whether a label reads as a row of the format's tables (so a line ending in figures is a row)."""
    score = max(matching.match_application_row(label, fmt)[1], matching.match_disclosure_row(label, fmt)[1])
    return score >= 0.8


def positioned_lines(lines: list[TextLine], skip: set[int], pages: dict[int, int]) -> list[PosLine]:
    out = []
    for line in lines:
        if line.is_row or line.number in skip:
            continue
        # Only runs of spaces carry positions: figures parted by single spaces (-raw copies,
        # copies out of PDF readers) are read in order instead (row_cells).
        pieces = display_pieces(line.raw)
        out.append(PosLine(tuple(pieces), pages.get(line.number, 1), float(line.number), line.number + 1.0,
                           line.number))
    return out


def page_of_lines(text: str) -> dict[int, int]:
    """Line number -> page, counting form feeds (pdftotext ends each page with one)."""
    pages = {}
    page = 1
    for number, raw in enumerate(_split(text)):
        page += raw.count("\f")
        pages[number] = page
    return pages


def tokens_from_text(text: str) -> list[Token]:
    """Token stream of a report's text: delimited rows as cells; rows aligned by spaces as a
    table read by position (geometry.columns); a label and its figures parted by spaces as cells
    in order; everything else as lines."""
    tokens: list[Token] = []
    lines = parse_lines(text)
    pages = page_of_lines(text)
    headers = running_headers(lines) | bare_page_numbers(lines, pages)  # furniture whatever their text says
    furniture = headers | {line.number for line in lines if not line.is_row and is_page_furniture(line.text)}
    fmt = matching.detect_format([line.text for line in lines])
    positioned = positioned_lines(lines, furniture, pages)
    tables = read_tables(positioned, unit=2.0, slack=0.75, fmt=fmt, stack_gap=1.5)
    starts = {min(positioned[k].number for k in table.lines): table for table in tables}
    consumed = {positioned[k].number for table in tables for k in table.lines}
    index = 0
    pending: list[int] = []  # tokens of label lines since the last row (a label wrapped above its figures)
    grid: tuple[int, int, int] | None = None  # table, last line, next row of the ideographic-space rows
    previous = -1
    for line in join_wrapped(lines, headers):
        before, previous = previous, line.number
        if line.number in starts:
            table = starts[line.number]
            tokens.extend(Token(text=cell.text, line=cell.line, cell=True, table=index, row=cell.row, col=cell.col)
                          if cell.col != NO_COLUMN else Token(text=cell.text, line=cell.line, cell=True)
                          for cell in table.cells)
            index += 1
            continue
        if line.number in consumed:
            continue
        if line.cells is None:
            cells = None if line.number in furniture else row_cells(line.text, fmt)
            fragment = ""
            if cells is None and line.number not in furniture:
                # 「處理      26    0 …」: a piece of the group label beside a row's figures
                fragment, rest = _group_fragment(line.text, fmt)
                figures = _SPACES.split(rest)
                cells = figures if fragment and looks_like_figure_row(figures) else None
            if line.number not in furniture and _join_group_label(tokens, pending, line.text, fmt):
                pending = []
            if cells is None and line.number not in furniture and _complete_group(tokens, line, fmt):
                continue
            if cells is None and line.number not in furniture and _complete_row(tokens, line, fmt, furniture):
                pending = []
                continue
            if cells is None and line.number not in furniture and _attach_middle(tokens, pending, line, fmt):
                pending = []
                continue
            if cells is None:
                if line.number not in furniture:
                    pending = _label_run(tokens, pending, line.text, fmt)
                # page numbers are passed over by the table readers, but they are the tagger's to label
                tokens.append(Token(text=line.text, line=line.number, furniture=line.number in headers))
                continue
            if not _attach_figures(tokens, pending, cells, line.number, fmt, fragment):
                if fragment:
                    tokens.append(Token(text=fragment, line=line.number))
                tokens.extend(Token(text=cell, line=line.number, cell=True) for cell in cells)
            pending = []
        elif _ideographic(line.raw) or _blank_ideographic(line.raw):
            # one ideographic space a cell boundary: each cell's column is its place in the line
            if grid is None or grid[1] != before:
                grid = (index, line.number, 0)
                index += 1
            table, _, row = grid
            tokens.extend(Token(text=cell, line=line.number, cell=True, table=table, row=row, col=col)
                          for col, cell in enumerate(line.cells))
            grid = (table, line.number, row + 1)
        else:
            tokens.extend(Token(text=cell, line=line.number, cell=True) for cell in line.cells)
    return tokens


def _blank_ideographic(raw: str) -> bool:
    """A line of ideographic spaces only, two or more: under ideographic-space rows, a row whose
    cells are all blank (the review table of a body with no case)."""
    body = raw.strip(" \r\n")
    return len(body) >= 2 and set(body) == {"\u3000"}


def _ideographic(raw: str) -> bool:
    """A row of cells joined by ideographic spaces (U+3000), as against a paragraph indented with
    them: spaces between three cells or more, before a figure, or after the last cell."""
    if "|" in raw or "\t" in raw:
        return False
    body = raw.strip(" \r\n").lstrip("\u3000")
    if "\u3000" not in body:
        return False
    pieces = body.split("\u3000")
    return len(pieces) >= 3 or body.endswith("\u3000") or any(_is_value_text(p.strip()) for p in pieces[1:])


def looks_like_figure_row(cells: list[str]) -> bool:
    return all(is_figure(cell) for cell in cells)


def _attach_figures(tokens: list[Token], pending: list[int], cells: list[str], number: int, fmt: str,
                    fragment: str = "") -> bool:
    """Figures alone under the lines of their wrapped label (tokens[pending]) made one row: the
    label's lines joined into one cell before them. Pieces of a wrapped group label printed on
    those lines (「年度辦 （二）部分公開…」, a line 「處理」 between two halves of a label) are kept
    out of the row's label, as tokens of their own. False, with nothing changed, where the
    lines do not read as a row's label."""
    if not pending or not looks_like_figure_row(cells):
        return False
    texts = [tokens[k].text for k in pending]
    label = join_pieces(texts)
    fragments: list[str] = []
    if not _reads_as_row(label, fmt):
        kept = []
        for i, text in enumerate(texts):
            if i and matching.is_group_fragment(text, fmt):
                fragments.append(text)
                continue
            piece, rest = _group_fragment(text, fmt)
            fragments += [piece] if piece else []
            kept.append(rest)
        label = join_pieces(kept)
        if not _reads_as_row(label, fmt):
            return False
    if len(fragments) > 1 and matching.match_application_group(join_pieces(fragments), fmt):
        fragments = [join_pieces(fragments)]  # 「（六）其他」 and 「處理」 beside a label's two lines
    first, inside = pending[0], set(pending)
    at = tokens[first].line
    others = [tokens[k] for k in range(first, len(tokens)) if k not in inside]
    del tokens[first:]
    tokens.extend(others)
    tokens.extend(Token(text=piece, line=at) for piece in fragments)
    if fragment:
        tokens.append(Token(text=fragment, line=number))
    tokens.append(Token(text=label, line=number, cell=True))
    tokens.extend(Token(text=cell, line=number, cell=True) for cell in cells)
    return True


def _attach_middle(tokens: list[Token], pending: list[int], line: TextLine, fmt: str) -> bool:
    """A line printing the middle piece of a wrapped row label beside the row's figures (「2.其他法律行」,
    「政法规禁止公   0 0 …」, 「开」, as `pdftotext -layout` sets a label of three lines), after a piece of
    a group label if one stands first (「法提供   握相关政府信   0 …」): the label's lines above and
    this piece made one row with the figures (`_attach_figures`; the lines below join it after)."""
    if not pending:
        return False
    words = _SPACES.split(clean(line.text).strip())
    start = 0
    while start < len(words) - 1 and matching.is_group_fragment(words[start], fmt):
        start += 1
    fragment, words = join_pieces(words[:start]), words[start:]
    cut = len(words)
    while cut > 0 and is_figure(words[cut - 1]):
        cut -= 1
    piece = join_pieces(words[:cut])
    if not piece or cut == len(words) or numbered(piece) or len(piece) > 20:
        return False
    tokens.append(Token(text=piece, line=line.number))
    if _attach_figures(tokens, [*pending, len(tokens) - 1], words[cut:], line.number, fmt, fragment):
        return True
    tokens.pop()
    return False


def _complete_group(tokens: list[Token], line: TextLine, fmt: str, reach: int = 4) -> bool:
    """The last piece of a group label printed lines below its start, past a row label wrapped
    beside it (「（六）其他」, 「2.申請人逾期未按收費」, 「處理」, as `pdftotext -layout` prints the left
    column): joined to the group's token, which then names its group. False where the line is
    not such a piece."""
    text = line.text.strip()
    if numbered(text) or not matching.is_group_fragment(text, fmt):
        return False
    for k in range(len(tokens) - 1, -1, -1):
        token = tokens[k]
        if token.line is None or token.line < line.number - reach:
            return False
        if token.cell or not matching.GROUP_NUMBER.match(token.text):
            continue
        joined = join_pieces([token.text, text])
        if matching.match_application_group(joined, fmt) and not matching.match_application_group(token.text, fmt):
            tokens[k] = token.with_text(joined)
            return True
        return False
    return False


def _complete_row(tokens: list[Token], line: TextLine, fmt: str, furniture: set[int], reach: int = 4) -> bool:
    """The rest of a row's label printed after its figures (「2.没有现 0 0 0 0 0 0 0」, a page break,
    「成信息需」 「要另行制」 「作」, as `pdftotext -raw` copies a label cut by the page): the label's
    lines joined, made one row with the figures, once they read as a row and the cut label alone did
    not. False, with nothing changed, where the line is no such rest."""
    text = clean(line.text).strip()
    if numbered(text) or len(text) > 20 or any(ch.isdigit() for ch in text) or matching.match_section_heading(text):
        return False
    rest = [text]
    for k in range(len(tokens) - 1, max(-1, len(tokens) - 2 - reach), -1):
        token = tokens[k]
        if token.furniture or token.line in furniture:
            continue
        if token.cell:
            return _extend_row_label(tokens, k, rest, fmt, furniture)
        words = _SPACES.split(clean(token.text).strip())
        cut = len(words)
        while cut > 0 and is_figure(words[cut - 1]):
            cut -= 1
        label = join_pieces(words[:cut])
        if cut == len(words):  # no figures: one more piece of the rest, if it is one
            if numbered(label) or len(label) > 20 or any(ch.isdigit() for ch in label):
                return False
            rest.insert(0, label)
            continue
        if not label or not numbered(label) or _reads_as_row(label, fmt):
            return False
        joined = join_pieces([label, *rest])
        if not _reads_as_row(joined, fmt) or not looks_like_figure_row(words[cut:]):
            return False
        kept = [t for t in tokens[k + 1:] if t.furniture or t.line in furniture]
        at = token.line
        del tokens[k:]
        tokens.append(Token(text=joined, line=at, cell=True))
        tokens.extend(Token(text=figure, line=at, cell=True) for figure in words[cut:])
        tokens.extend(kept)
        return True
    return False


def _extend_row_label(tokens: list[Token], last: int, rest: list[str], fmt: str, furniture: set[int]) -> bool:
    """More of a row label's rest (「要另行制」 「作」 after 「2.没有现成信息需」 already read as its row):
    joined onto the label cell of the row ending at tokens[last] where it stays the same row, read no
    worse. False where tokens[last] ends no such row."""
    k = last
    while k >= 0 and tokens[k].cell and tokens[k].line == tokens[last].line and is_figure(tokens[k].text):
        k -= 1
    if k == last or k < 0:
        return False
    if not tokens[k].cell:
        return _label_around_figures(tokens, k, last, rest, fmt, furniture)
    if tokens[k].line != tokens[last].line or not numbered(tokens[k].text):
        return False
    label = tokens[k].text
    joined = join_pieces([label, *rest])
    (key, score), (new_key, new_score) = (matching.match_application_row(text, fmt) for text in (label, joined))
    if key is None or new_key != key or new_score < score:
        return False
    kept = [t for t in tokens[last + 1:] if t.furniture or t.line in furniture]
    if len(kept) != len(tokens) - last - 1 - (len(rest) - 1):
        return False  # something other than furniture and the rest's earlier pieces stands between
    tokens[k] = tokens[k].with_text(joined)
    del tokens[last + 1:]
    tokens.extend(kept)
    return True


def _label_around_figures(tokens: list[Token], k: int, last: int, rest: list[str], fmt: str,
                          furniture: set[int], reach: int = 3) -> bool:
    """A row label printed above and below its figures (「1.属于国」, the figures, 「家秘密」: the
    figures stand level with the middle of a label cell), as `pdftotext -layout` copies narrow cells:
    the label lines above (tokens down to k, the first numbered) and the rest below joined into the
    row's label cell, once together they read as a row and the lines above alone did not."""
    first = k
    while not numbered(tokens[first].text):
        first -= 1
        if first < 0 or k - first >= reach or tokens[first].cell or tokens[first].furniture:
            return False
    above = [t.text for t in tokens[first:k + 1]]
    if any(len(text) > 20 for text in above) or _reads_as_row(join_pieces(above), fmt):
        return False
    joined = join_pieces([*above, *rest])
    if not _reads_as_row(joined, fmt):
        return False
    kept = [t for t in tokens[last + 1:] if t.furniture or t.line in furniture]
    if len(kept) != len(tokens) - last - 1 - (len(rest) - 1):
        return False
    figures = tokens[k + 1:last + 1]
    del tokens[first:]
    tokens.append(Token(text=joined, line=figures[0].line, cell=True))
    tokens.extend(figures)
    tokens.extend(kept)
    return True


def _group_fragment(text: str, fmt: str) -> tuple[str, str]:
    """(the pieces of a wrapped group label in front of a row's label, the row's label): 「年度辦
    （二）部分公開（區分處理的，只計」 -> ("年度辦", "（二）部分公開（區分處理的，只計"); ("", text) when
    the line starts with no such piece."""
    words = _SPACES.split(text.strip())
    cut = 0
    while cut < len(words) - 1 and matching.is_group_fragment(words[cut], fmt):
        cut += 1
    return join_pieces(words[:cut]), join_pieces(words[cut:])


def _join_group_label(tokens: list[Token], pending: list[int], text: str, fmt: str) -> bool:
    """A group label wrapped over lines of its own (「（六）其他」 「处理」, as -raw copies print it) made
    one token when the next label opens: together its lines read as a group of the format."""
    if len(pending) < 2 or pending[-1] != len(tokens) - 1 or not numbered(text):
        return False
    joined = join_pieces(tokens[k].text for k in pending)
    if matching.match_application_group(joined, fmt) is None:
        return False
    first = pending[0]
    merged = tokens[first].with_text(joined)
    del tokens[first:]
    tokens.append(merged)
    return True


def _label_run(tokens: list[Token], pending: list[int], text: str, fmt: str) -> list[int]:
    """Token indices of the label lines just before a row's figures: a line opening an outline
    number (or a fresh label after a row) starts the run, an unnumbered short line continues it;
    a sentence ends it."""
    printed = clean(text).strip()
    if len(printed) > 40 or any(mark in printed for mark in "。；;：") or matching.match_section_heading(printed):
        return []
    here = len(tokens)
    if numbered(printed) or numbered(_group_fragment(printed, fmt)[1]):
        return [here]
    if pending and pending[-1] == here - 1:
        return [*pending, here]
    return []


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
