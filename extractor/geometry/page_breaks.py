"""Table rows cut by a page break, made whole again (Word's "allow row to break across pages")."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace

from .. import matching
from ..normalize import clean
from ..tokens import Token
from ..values import looks_like_value
from .words import join_pieces


def _continues(text: str) -> bool:
    """Whether a cell piece printed at the top of a page can be the rest of the piece above it: words
    that open no outline number and no block title."""
    return (bool(text) and not looks_like_value(text) and matching.strip_numbering(text) == clean(text).strip()
            and not matching.is_block_title(text))


def _label_score(text: str, fmt: str) -> float:
    return max(matching.match_application_row(text, fmt)[1], matching.match_disclosure_row(text, fmt)[1])


def _label_continues(upper: str, lower: str, fmt: str) -> bool:
    """Whether `lower` (words at the top of a page) is the rest of the label `upper` cut by the page
    break: together they read as a group label of the format, or as a row label at least as well as
    `upper` alone, and `lower` is no label of its own (「行政处罚」 over 「行政强制」 are two rows, never one)."""
    if not _continues(lower):  # a group of its own opens with its outline number: （四）无法提供
        return False
    if _label_score(lower, fmt) >= 0.95:
        return False
    joined = join_pieces([upper, lower])
    if matching.match_application_group(joined, fmt) is not None:  # 「（六）其他」 over 「处理」
        return True
    return _label_score(joined, fmt) >= max(_label_score(upper, fmt), 0.85)


def _repeated_header(tokens: Sequence[Token], below: dict, fmt: str) -> bool:
    """Whether the first row under a page break prints a whole column header (a header row repeated
    on each page): it starts afresh."""
    words = set(matching.header_words(fmt))
    return any(matching.core(tokens[j].text) in words for j in below.values() if tokens[j].text)


def repeated_header_rows(tokens: Sequence[Token], table: int, first_row: int) -> int:
    """How many rows at the top of a continued part repeat the table's first rows (Word's "repeat
    header rows"): they are printed again, the cut lies under them."""
    rows: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for tok in tokens:
        if tok.table == table:
            rows[tok.row].append((tok.col, clean(tok.text).replace(" ", "")))
    k = 0
    while k < first_row and rows.get(first_row + k) and sorted(rows[first_row + k]) == sorted(rows.get(k, [])):
        k += 1
    return k


def _edge_cells(tokens: Sequence[Token], table: int, first_row: int) -> tuple[dict, dict, int]:
    """(columns -> index) of the cells reaching a page break from above, of those starting below it
    (under a repeated header), and how many header rows were repeated."""
    k = repeated_header_rows(tokens, table, first_row)
    above: dict[tuple[int, int], int] = {}
    below: dict[tuple[int, int], int] = {}
    for i, tok in enumerate(tokens):
        if tok.table == table and tok.row < first_row <= tok.row + tok.rowspan == first_row:
            above[(tok.col, tok.colspan)] = i
        elif tok.table == table and tok.row == first_row + k:
            below[(tok.col, tok.colspan)] = i
    return above, below, k


def _joined(upper: Token, lower: Token, rowspan: int) -> Token:
    text = join_pieces([upper.text, lower.text]) if upper.text and lower.text else upper.text or lower.text
    return replace(upper, text=text, rowspan=rowspan, unreadable=upper.unreadable or lower.unreadable)


def _continues_below(up: Token, low: Token, fmt: str) -> bool:
    """Whether the piece `low` under a page break can be the rest of the piece `up` above it."""
    if not low.text:
        return True
    if not up.text:  # a vertically centred figure printed below the cut
        return looks_like_value(low.text) and up.rowspan == 1 and low.rowspan == 1
    return not looks_like_value(up.text) and _label_continues(up.text, low.text, fmt)


def join_split_rows(tokens: Sequence[Token], breaks: Iterable[tuple[int, int]], fmt: str) -> list[Token]:
    """Make a table row cut by a page break (Word's "allow row to break across pages") one row again.

    `breaks` are (table, first row of a continued part). The first row below the break is the rest
    of the row above it when every piece below is either empty, or words continuing words above
    (`_continues`), or a figure under an empty cell (a vertically centred figure printed below the
    cut), and at least one piece below has text. Words continue words only where together they
    read as a label of the format at least as well as the upper piece alone (`_label_continues`). Each column's pieces are joined, the lower row's
    cells removed and the rows under it moved up by one. Otherwise nothing changes: a figure is
    never joined to anything, and a new row (an outline number, a block title, a repeated header)
    is never taken for a continuation.
    """
    tokens = list(tokens)
    shift: dict[int, list[int]] = defaultdict(list)  # table -> rows removed
    for table, first_row in sorted(breaks):
        above, below, k = _edge_cells(tokens, table, first_row)
        if not below or not any(tokens[j].text for j in below.values()) or _repeated_header(tokens, below, fmt):
            continue
        upper_row = {tokens[i].row + tokens[i].rowspan - 1 for i in above.values()}
        if not above or set(below) - set(above) or len(upper_row) != 1:
            continue

        if not all(_continues_below(tokens[above[columns]], tokens[j], fmt) for columns, j in below.items()):
            continue
        for columns, j in below.items():
            i = above[columns]
            # one-row pieces stay one row; a piece spanning rows below keeps covering them
            span = 1 if tokens[j].rowspan == 1 else tokens[i].rowspan + k + tokens[j].rowspan - 1
            tokens[i] = _joined(tokens[i], tokens[j], max(tokens[i].rowspan, span))
        removed = set(below.values())
        tokens = [tok for n, tok in enumerate(tokens) if n not in removed]
        shift[table].append(first_row + k)
    if not shift:
        return tokens
    out = []
    for tok in tokens:
        gone = shift.get(tok.table, ())
        if gone and tok.row is not None:
            tok = replace(tok, row=tok.row - sum(1 for r in gone if r < tok.row))
        out.append(tok)
    return out


def join_split_cells(tokens: Sequence[Token], breaks: Iterable[tuple[int, int]], fmt: str = "2021") -> list[Token]:
    """Make a merged cell cut by a page break one cell again.

    `breaks` are (table, first row of a continued part). A cell in that row, under a non-empty cell
    that reaches the break and spans the same columns, continues it when either piece spans several
    rows (the evidence of a vertical merge, not of a blank cell under a label) and the lower piece
    is empty or words continuing the upper (`_label_continues`: 「（五）不予」 over 「处理」, never over
    「（六）其他处理」). The upper piece keeps its place and bbox and takes over the lower piece's rows.
    """
    tokens = list(tokens)
    for table, first_row in sorted(breaks):
        above, below, k = _edge_cells(tokens, table, first_row)
        if _repeated_header(tokens, below, fmt):
            continue
        absorbed = set()
        for columns, j in below.items():
            i = above.get(columns)
            if i is None or not tokens[i].text or (tokens[i].rowspan == 1 and tokens[j].rowspan == 1):
                continue
            if tokens[j].text and (looks_like_value(tokens[i].text)
                                   or not _label_continues(tokens[i].text, tokens[j].text, fmt)):
                continue
            tokens[i] = _joined(tokens[i], tokens[j], tokens[i].rowspan + k + tokens[j].rowspan)
            absorbed.add(j)
        if absorbed:
            tokens = [tok for k, tok in enumerate(tokens) if k not in absorbed]
    return tokens
