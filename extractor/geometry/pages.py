"""Pages to tokens: furniture, tables continued across pages, reading order, what could not be read.

    mark_furniture   all text lines -> which are page headers, footers, page numbers
    join_tables      table parts on consecutive pages -> one table, continued
    layout_tokens    pages + tables -> tokens in reading order (page_breaks mends rows and merged
                     cells cut by a page break)

Shared by the PDF loader and the OCR loader: both fill the same `PageLayout`s.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from typing import NamedTuple

from .. import matching
from ..tokens import LoadError, Token
from .columns import read_tables
from .labels import numbered
from .page_breaks import join_split_cells, join_split_rows
from .positions import NO_COLUMN, Piece, PosLine, PosTable
from .ruled import TablePart, nearest, snap
from .words import _CID, DEFAULT_SETTINGS, Box, LayoutSettings, TextLine, is_cjk, run_text, words_box


class PageLayout(NamedTuple):
    number: int
    bbox: Box
    lines: tuple[TextLine, ...]
    tables: tuple[TablePart, ...]
    has_text: bool
    has_images: bool
    turned: bool = False  # most of its text runs sideways or upside down as the page is shown


_PAGE_NUMBER = re.compile(
    r"""^(?:
        [-－—–_·•.]*\d+[-－—–_·•.]*                              # 3, - 3 -, —3—
      | 第[\d一二三四五六七八九十百零〇]+页(?:[,，/]?共[\d一二三四五六七八九十百零〇]+页)?  # 第3页, 第3页共5页
      | 共\d+页[,，]?第\d+页
      | \d+/\d+                                                   # 3/5
      | (?i:page)\d+(?:(?i:of)\d+)?                               # Page 3 of 5
    )$""",
    re.VERBOSE,
)


_DIGITS_AND_SPACE = re.compile(r"[\d\s]+")


def is_page_number(text: str) -> bool:
    return bool(_PAGE_NUMBER.match(re.sub(r"\s+", "", text)))


def margin_zone(line: TextLine, page_box: Box, fraction: float) -> str | None:
    """"header" or "footer" when the line's middle lies in the top or bottom margin band."""
    _, top, _, bottom = page_box
    band = (bottom - top) * fraction
    middle = (line.bbox[1] + line.bbox[3]) / 2
    if middle <= top + band:
        return "header"
    if middle >= bottom - band:
        return "footer"
    return None


def mark_furniture(pages: Sequence[PageLayout], settings: LayoutSettings = DEFAULT_SETTINGS) -> set[tuple[int, int]]:
    """(page index, line index) of headers, footers and page numbers.

    A margin line is furniture when it looks like a page number or when the same
    text (digits ignored) stands in the same margin on at least two pages.
    """
    candidates: list[tuple[int, int, tuple[str, str], bool]] = []
    pages_with: dict[tuple[str, str], set[int]] = defaultdict(set)
    for p, page in enumerate(pages):
        for i, line in enumerate(page.lines):
            zone = margin_zone(line, page.bbox, settings.margin_fraction)
            if zone is None:
                continue
            text = line.text
            repeat_key = (zone, _DIGITS_AND_SPACE.sub("", text))
            candidates.append((p, i, repeat_key, is_page_number(text)))
            if repeat_key[1]:
                pages_with[repeat_key].add(p)
    return {(p, i) for p, i, repeat_key, numbered in candidates
            if numbered or len(pages_with.get(repeat_key, ())) >= 2}


def columns_match(xs: Sequence[float], other: Sequence[float], tolerance: float) -> bool:
    """Same outer edges, and one part's column boundaries all found in the other's."""
    if abs(xs[0] - other[0]) > tolerance or abs(xs[-1] - other[-1]) > tolerance:
        return False

    def within(a: Sequence[float], b: Sequence[float]) -> bool:
        return all(min(abs(x - y) for y in b) <= tolerance for x in a)

    return within(xs, other) or within(other, xs)


def body_clear(page: PageLayout, furniture: set[tuple[int, int]], p: int, *, above: float | None = None,
               below: float | None = None) -> bool:
    """No text other than furniture above `above` (or below `below`) on the page."""
    for i, line in enumerate(page.lines):
        if (p, i) in furniture:
            continue
        middle = (line.bbox[1] + line.bbox[3]) / 2
        if above is not None and middle < above:
            return False
        if below is not None and middle > below:
            return False
    return True


def join_tables(pages: Sequence[PageLayout], furniture: set[tuple[int, int]],
                settings: LayoutSettings = DEFAULT_SETTINGS) -> list[list[tuple[int, int]]]:
    """Table parts grouped into tables, as (page index, part index) lists in document order.

    A page's first table continues the previous page's last table when nothing
    but furniture stands between them and their columns match.
    """
    tables: list[list[tuple[int, int]]] = []
    table_xs: list[tuple[float, ...]] = []
    for p, page in enumerate(pages):
        for t, part in enumerate(page.tables):
            if (t == 0 and p > 0 and tables and tables[-1][-1][0] == p - 1
                    and tables[-1][-1][1] == len(pages[p - 1].tables) - 1
                    and body_clear(page, furniture, p, above=part.bbox[1])
                    and body_clear(pages[p - 1], furniture, p - 1, below=pages[p - 1].tables[-1].bbox[3])
                    and columns_match(part.xs, table_xs[-1], settings.column_tolerance)):
                tables[-1].append((p, t))
                table_xs[-1] = snap(table_xs[-1] + part.xs, settings.column_tolerance)
            else:
                tables.append([(p, t)])
                table_xs.append(part.xs)
    return tables


def line_tokens(line: TextLine, page: int, number: int, furniture: bool) -> list[Token]:
    many = len(line.runs) > 1
    tokens = []
    for run in line.runs:
        text = run_text(run)
        tokens.append(Token(text=text, page=page, line=number, bbox=words_box(run) if many else line.bbox,
                            cell=many, furniture=furniture, unreadable="(cid:" in text))
    return tokens


def part_rows(part: TablePart, table: int, xs: Sequence[float], row_offset: int, page: int) -> list[list[Token]]:
    """A table part's cells as tokens, one list per grid row that has cells (line numbers set later)."""
    rows: dict[int, list[Token]] = defaultdict(list)
    for cell in part.cells:
        col = nearest(xs, cell.bbox[0])
        colspan = max(1, nearest(xs, cell.bbox[2]) - col)
        rows[cell.row].append(Token(
            text=cell.text, page=page, bbox=cell.bbox, cell=True, table=table, row=row_offset + cell.row,
            col=col, rowspan=cell.rowspan, colspan=colspan, unreadable="(cid:" in cell.text))
    return [sorted(rows[r], key=lambda tok: tok.col) for r in sorted(rows)]


def table_places(pages: Sequence[PageLayout], tables: Sequence[Sequence[tuple[int, int]]],
                 tolerance: float) -> dict[tuple[int, int], tuple[int, tuple[float, ...], int]]:
    """Per (page index, part index): the table index, the table's column grid, the part's first row."""
    places = {}
    for index, parts in enumerate(tables):
        xs = snap([x for p, t in parts for x in pages[p].tables[t].xs], tolerance)
        offset = 0
        for p, t in parts:
            places[(p, t)] = (index, xs, offset)
            offset += len(pages[p].tables[t].ys) - 1
    return places


def pos_line(line: TextLine, page: int, number: int, unit: float) -> PosLine:
    """A text line as positioned pieces: its words, cut where their characters stand apart."""
    pieces = []
    for run in line.runs:
        for word in run:
            pieces.extend(word_pieces(word, unit))
    return PosLine(tuple(pieces), page, line.bbox[1], line.bbox[3], number)


SPLIT_GAP = 0.2  # characters further apart than this (in character widths) are two pieces
CJK_SPLIT_GAP = 0.05  # Chinese characters abut: this much beyond the word's usual gap parts them
NUMBERED_SPLIT_GAP = 0.03  # as does this before an outline number, after a numbered label (0.4 pt in 9-pt cells without padding)


# figures that end a word (a cell's figure printed just after the label of its row)
_TRAILING_FIGURE = re.compile(r"[0-9][0-9,.]*")


def _cjk_at(text: str, index: int) -> bool:
    return bool(text) and is_cjk(text[index])


def word_pieces(word, unit: float) -> list[Piece]:
    """A word as pieces: cut where its characters stand apart (text of two cells printed too close
    for the word finder to keep apart): a gap wider than SPLIT_GAP characters; between two Chinese
    characters (which a line sets edge to edge, where Latin text and figures get a little space
    beside them) one CJK_SPLIT_GAP wider than the word's usual gap (社会公益组 | 法律服务机 of two
    header cells); before an outline number that follows a numbered label, NUMBERED_SPLIT_GAP
    (（三）不予公 | 1.属于国家秘密: a group label and its first row's label in two cells); and before the
    figures that end a word, CJK_SPLIT_GAP (行政机关不 | 0: whether that figure is a cell's is the
    table reader's to say, by where it stands: geometry.columns.figure_pieces)."""
    chars = word.chars
    if not chars or not isinstance(chars[0], tuple):
        return [Piece(word.text, word.x0, word.x1)]
    gaps = [chars[k][1] - chars[k - 1][2] for k in range(1, len(chars))]
    usual = sorted(gaps)[len(gaps) // 2] if gaps else 0.0
    texts = [c[0] for c in chars]  # a glyph's text may be several characters: (cid:12), a ligature
    pieces = []
    start = 0
    for k in range(1, len(chars)):
        gap, before, after = gaps[k - 1], texts[k - 1], texts[k]
        if gap > SPLIT_GAP * unit or (
                gap - usual > CJK_SPLIT_GAP * unit and _cjk_at(before, -1) and _cjk_at(after, 0)) or (
                gap - usual > NUMBERED_SPLIT_GAP * unit and numbered("".join(texts[start:k]))
                and numbered("".join(texts[k:]))) or (
                gap - usual > CJK_SPLIT_GAP * unit and _TRAILING_FIGURE.fullmatch("".join(texts[k:]))
                and not before[-1:].isdigit()):
            pieces.append(chars[start:k])
            start = k
    pieces.append(chars[start:])
    if len(pieces) == 1:
        return [Piece(word.text, word.x0, word.x1)]
    return [Piece("".join(c[0] for c in part), part[0][1], part[-1][2]) for part in pieces]


def body_unit(pages: Sequence[PageLayout]) -> float:
    """The body text's character size: the median height of the text lines (points)."""
    heights = sorted(line.bbox[3] - line.bbox[1] for page in pages for line in page.lines)
    return heights[len(heights) // 2] if heights else 10.0


def unruled_tables(pages: Sequence[PageLayout], furniture: set[tuple[int, int]]
                   ) -> tuple[list[PosTable], list[tuple[int, int]]]:
    """Tables without ruling lines among the pages' text lines (furniture passed over), and the
    (page index, line index) of each line given to the reader, in its order. A label with nothing
    right of it is a row of blanks (in an OCR reading each blank is then named for a look)."""
    unit = body_unit(pages)
    where: list[tuple[int, int]] = []
    lines: list[PosLine] = []
    for p, page in enumerate(pages):
        for i, line in enumerate(page.lines):
            if (p, i) in furniture:
                continue
            where.append((p, i))
            lines.append(pos_line(line, page.number, len(lines), unit))
    return read_tables(lines, unit), where


def pos_tokens(table: PosTable, index: int, number: int) -> tuple[list[Token], int]:
    """A table read by position as grid tokens (table `index`), one line number per row from
    `number` on; returns the tokens and the next line number."""
    tokens = []
    row = None
    for cell in table.cells:
        if cell.row != row:
            row = cell.row
            number += 1
        gridded = cell.col != NO_COLUMN
        tokens.append(Token(text=cell.text, page=cell.page, line=number, bbox=cell.box, cell=True,
                            table=index if gridded else None, row=cell.row if gridded else None,
                            col=cell.col if gridded else None, unreadable="(cid:" in cell.text))
    return tokens, number


def layout_tokens(pages: Sequence[PageLayout], furniture: set[tuple[int, int]],
                  tables: Sequence[Sequence[tuple[int, int]]], settings: LayoutSettings = DEFAULT_SETTINGS
                  ) -> list[Token]:
    """All tokens in reading order: per page, text lines and table rows by their top.

    Every text line and every table grid row gets the next line number. Text lines that hold a
    table without ruling lines (`columns`) become that table's grid, at the place of its first line.
    A row label with nothing right of it is a row of blanks, in an OCR reading too: there each
    blank placed by position is named for a look (`loaders.scanned.attach_confidence`), since
    OCR may miss faint print.
    """
    places = table_places(pages, tables, settings.column_tolerance)
    unruled, where = unruled_tables(pages, furniture)
    starts: dict[tuple[int, int], PosTable] = {}
    consumed: set[tuple[int, int]] = set()
    for table in unruled:
        starts[where[table.lines[0]]] = table
        consumed.update(where[k] for k in table.lines)
    next_table = len(tables)
    tokens: list[Token] = []
    number = 0
    for p, page in enumerate(pages):
        # (top, 0 for a table part / 1 for a text line, index): a table starting level with a line goes first.
        blocks = sorted([(part.bbox[1], 0, t) for t, part in enumerate(page.tables)]
                        + [(line.bbox[1], 1, i) for i, line in enumerate(page.lines)])
        for _, kind, i in blocks:
            if kind == 0:
                index, xs, offset = places[(p, i)]
                for row in part_rows(page.tables[i], index, xs, offset, page.number):
                    number += 1
                    tokens.extend(replace(tok, line=number) for tok in row)
            elif (p, i) in starts:
                found, number = pos_tokens(starts[(p, i)], next_table, number)
                tokens.extend(found)
                next_table += 1
            elif (p, i) not in consumed:
                number += 1
                tokens.extend(line_tokens(page.lines[i], page.number, number, (p, i) in furniture))
    breaks = [(index, offset) for index, _, offset in places.values() if offset > 0]
    fmt = matching.detect_format([tok.text for tok in tokens])
    return join_split_cells(join_split_rows(tokens, breaks, fmt), breaks, fmt)


def unreadable_counts(pages: Sequence[PageLayout]) -> list[tuple[int, int, int]]:
    """Per page: (page number, (cid:N) glyphs, all glyphs) over text and cells."""
    counts = []
    for page in pages:
        texts = [run_text(run) for line in page.lines for run in line.runs]
        texts += [cell.text for part in page.tables for cell in part.cells]
        cid = sum(t.count("(cid:") for t in texts)
        total = sum(len(_CID.sub("", t)) for t in texts) + cid
        counts.append((page.number, cid, total))
    return counts


def ocr_candidates(pages: Sequence[PageLayout], settings: LayoutSettings = DEFAULT_SETTINGS) -> list[int]:
    """Numbers of the pages without a usable text layer: no characters, or mostly (cid:N) glyphs."""
    return [number for page, (number, cid, total) in zip(pages, unreadable_counts(pages))
            if not page.has_text or (total and cid > settings.unreadable_share * total)]


def page_problems(pages: Sequence[PageLayout], settings: LayoutSettings = DEFAULT_SETTINGS) -> list[str]:
    """Plain messages about what could not be read; raises LoadError when nothing useful can be."""
    if not any(page.has_text for page in pages):
        raise LoadError("scanned PDF: no text layer; install the OCR extra (scripts/setup does) to read it")
    counts = unreadable_counts(pages)
    cid_total = sum(c for _, c, _ in counts)
    glyph_total = sum(t for _, _, t in counts)
    if glyph_total and cid_total > settings.unreadable_share * glyph_total:
        raise LoadError("the PDF's fonts have no Unicode mapping; its text cannot be read (scanned or encoded PDF)")
    text_pages = [page for page in pages if page.has_text]
    if text_pages and all(page.turned for page in text_pages):
        raise LoadError("the text of every page runs sideways or upside down (the pages are shown turned), so "
                        "it cannot be read in order; turn the pages upright (a PDF reader's rotate-and-save, "
                        "qpdf or pdftk) and extract again")
    problems = [f"page {page.number}: its text runs sideways or upside down (the page is shown turned) and was "
                "not read reliably; turn it upright and extract again" for page in text_pages if page.turned]
    for number, cid, _ in counts:
        if cid:
            problems.append(f"page {number}: {cid} characters cannot be decoded "
                            "(font without Unicode mapping); the affected text is marked unreadable")
    for page in pages:
        if not page.has_text and page.has_images:
            problems.append(f"page {page.number}: no text layer, only images (a scanned page?); its content is missing")
    return problems
