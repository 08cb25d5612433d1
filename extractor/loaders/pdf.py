"""PDF loader: pdfplumber words and ruled tables, turned into the token stream.

The work is a chain of small pure functions over plain data:

    read_page          one pdfplumber page -> PageLayout (text lines, table parts with cell texts)
    mark_furniture     all text lines -> which are page headers, footers, page numbers
    join_tables        table parts on consecutive pages -> one table, continued
    layout_tokens      pages + tables -> tokens in reading order (join_split_rows mends rows
                       and join_split_cells merged cells cut by a page break, under a repeated
                       header too)

Only `read_page` touches pdfplumber; everything after it works on the
NamedTuples below, so each step can be tested without a PDF. Two pdfplumber
steps are replaced by equivalents that scale (`dedupe_chars`,
`intersections_to_cells`): pdfplumber's own are quadratic on dense pages.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass, replace
from operator import itemgetter
from pathlib import Path
from typing import Iterable, NamedTuple, Sequence

import pdfplumber
from pdfminer.pdfdocument import PDFDocument, PDFEncryptionError, PDFNoValidXRef, PDFPasswordIncorrect
from pdfminer.pdfparser import PDFParser
from pdfminer.pdftypes import resolve1
from pdfplumber.utils import cluster_objects
from pdfplumber.utils.exceptions import PdfminerException
from pdfplumber.table import TableFinder, TableSettings, cells_to_tables, edges_to_intersections
from pdfplumber.utils.text import WordExtractor

from extractor import matching
from extractor.loaders import MAX_PDF_PAGES
from extractor.normalize import clean
from extractor.tokens import Document, LoadError, Token
from extractor.values import looks_like_value

Box = tuple[float, float, float, float]  # x0, top, x1, bottom (points, from the page's top-left)
Placed = tuple[Box, int, int, int, int]  # a cell box with its grid row, col, rowspan, colspan


@dataclass(frozen=True)
class PdfSettings:
    """Tolerances of the PDF loader, in points unless named otherwise."""

    line_overlap: float = 0.5  # words share a line when they overlap vertically by this share of the smaller height
    run_gap_ems: float = 2.0  # a horizontal gap wider than this many character heights splits a line into runs
    snap_tolerance: float = 2.0  # cell boundaries closer than this are one grid line
    column_tolerance: float = 4.0  # column boundaries of two parts of one table agree within this
    margin_fraction: float = 0.08  # top and bottom share of the page where headers and footers live
    unreadable_share: float = 0.5  # share of (cid:N) glyphs above which the PDF is refused
    dedupe_tolerance: float = 1.0  # same glyph drawn again within this distance is one glyph (fake bold)
    word_x_tolerance: float = 3.0
    word_y_tolerance: float = 3.0


DEFAULT_SETTINGS = PdfSettings()
TABLE_SETTINGS = {"vertical_strategy": "lines", "horizontal_strategy": "lines"}


class Word(NamedTuple):
    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    chars: Sequence[dict] = ()  # pdfplumber's chars, kept to split a word that runs over a cell border


class Cell(NamedTuple):
    """One real (possibly merged) table cell on one page, with its grid place within its part."""

    bbox: Box
    row: int
    col: int
    rowspan: int
    colspan: int
    text: str


class TablePart(NamedTuple):
    """The piece of a ruled table that lies on one page."""

    bbox: Box
    xs: tuple[float, ...]  # column boundaries, left to right
    ys: tuple[float, ...]  # row boundaries, top to bottom
    cells: tuple[Cell, ...]


class TextLine(NamedTuple):
    """Words outside tables that share a line, split into runs at wide gaps."""

    runs: tuple[tuple[Word, ...], ...]
    bbox: Box

    @property
    def text(self) -> str:
        return join_pieces([run_text(run) for run in self.runs])


class PageLayout(NamedTuple):
    number: int
    bbox: Box
    lines: tuple[TextLine, ...]
    tables: tuple[TablePart, ...]
    has_text: bool
    has_images: bool
    turned: bool = False  # most of its text runs sideways or upside down as the page is shown


# --- characters and words ---------------------------------------------------

_CID = re.compile(r"\(cid:\d+\)")


def is_cjk(ch: str) -> bool:
    """True for Chinese characters and the punctuation set with them (no space needed around them)."""
    code = ord(ch)
    return (
        0x2E80 <= code <= 0x9FFF  # radicals, CJK symbols and punctuation, kana, unified ideographs
        or 0xF900 <= code <= 0xFAFF
        or 0xFE30 <= code <= 0xFE4F
        or 0xFF00 <= code <= 0xFFEF  # full-width forms
        or 0x20000 <= code <= 0x3FFFF
        or 0x2010 <= code <= 0x2027  # dashes, curly quotes, ellipsis as used in Chinese text
        or code in (0x00B7, 0x25CB)
    )


def join_pieces(pieces: Iterable[str]) -> str:
    """Join text pieces (words of a line, lines of a cell) without a space next to Chinese text.

    A space goes between two pieces only when neither side is CJK ("total 12",
    "2,648 .52" stays apart); "本年新收" + "申请数量" and "2024" + "年" join directly.
    """
    out = ""
    for piece in pieces:
        if not piece:
            continue
        if out and not is_cjk(out[-1]) and not is_cjk(piece[0]):
            out += " "
        out += piece
    return out


def run_text(run: Sequence[Word]) -> str:
    return join_pieces(w.text for w in run)


def dedupe_chars(chars: list[dict], tolerance: float = 1.0) -> list[dict]:
    """Drop glyphs drawn again at (almost) the same place: fake bold prints text twice.

    Same result as pdfplumber's `utils.dedupe_chars` (same text, font and size
    within `tolerance`, first one kept) without its quadratic re-sort, which
    dominates the run time on dense pages.
    """
    groups: dict[tuple, list[dict]] = defaultdict(list)
    key = itemgetter("upright", "text", "fontname", "size")
    for char in chars:
        groups[key(char)].append(char)
    if len(groups) == len(chars):
        return chars
    drop: set[int] = set()
    pos = itemgetter("doctop", "x0")
    for group in groups.values():
        if len(group) < 2:
            continue
        for y_cluster in cluster_objects(group, itemgetter("doctop"), tolerance):
            if len(y_cluster) < 2:
                continue
            for x_cluster in cluster_objects(y_cluster, itemgetter("x0"), tolerance):
                if len(x_cluster) > 1:
                    keep = min(x_cluster, key=pos)
                    drop.update(id(c) for c in x_cluster if c is not keep)
    if not drop:
        return chars
    return [c for c in chars if id(c) not in drop]


def chars_to_words(chars: list[dict], settings: PdfSettings = DEFAULT_SETTINGS) -> list[Word]:
    extractor = WordExtractor(x_tolerance=settings.word_x_tolerance, y_tolerance=settings.word_y_tolerance)
    return [Word(w["text"], w["x0"], w["top"], w["x1"], w["bottom"], word_chars)
            for w, word_chars in extractor.iter_extract_tuples(chars)]


def chars_word(chars: Sequence[dict]) -> Word:
    return Word("".join(c["text"] for c in chars), min(c["x0"] for c in chars), min(c["top"] for c in chars),
                max(c["x1"] for c in chars), max(c["bottom"] for c in chars), chars)


def group_lines(words: Iterable[Word], overlap: float = 0.5) -> list[list[Word]]:
    """Words in lines (top to bottom), each line's words left to right.

    A word joins the line above when their vertical extents overlap by at least
    `overlap` of the smaller height (CJK and Latin fonts sit at different tops).
    """
    lines: list[list[Word]] = []
    top = bottom = 0.0
    for word in sorted(words, key=lambda w: (w.top, w.x0)):
        if lines:
            shared = min(bottom, word.bottom) - max(top, word.top)
            if shared >= overlap * min(bottom - top, word.bottom - word.top):
                lines[-1].append(word)
                bottom = max(bottom, word.bottom)
                continue
        lines.append([word])
        top, bottom = word.top, word.bottom
    for line in lines:
        line.sort(key=lambda w: w.x0)
    return lines


def split_runs(line: Sequence[Word], gap_ems: float = 2.0) -> list[list[Word]]:
    """Split a line (sorted left to right) where the gap is wider than `gap_ems` character heights."""
    runs = [[line[0]]]
    for left, right in zip(line, line[1:]):
        em = max(left.bottom - left.top, right.bottom - right.top, 1.0)
        if right.x0 - left.x1 > gap_ems * em:
            runs.append([right])
        else:
            runs[-1].append(right)
    return runs


def words_box(words: Iterable[Word]) -> Box:
    words = list(words)
    return (min(w.x0 for w in words), min(w.top for w in words),
            max(w.x1 for w in words), max(w.bottom for w in words))


def is_letter_spaced(runs: Sequence[Sequence[Word]]) -> bool:
    """Runs that are each one Chinese character: spread-out text ("总    计"), not a table row."""
    return len(runs) > 1 and all(len(run) == 1 and len(run[0].text) == 1 and is_cjk(run[0].text) for run in runs)


def make_text_lines(words: Iterable[Word], settings: PdfSettings = DEFAULT_SETTINGS) -> list[TextLine]:
    lines = []
    for line in group_lines(words, settings.line_overlap):
        runs = split_runs(line, settings.run_gap_ems)
        if is_letter_spaced(runs):
            runs = [line]
        lines.append(TextLine(tuple(tuple(r) for r in runs), words_box(line)))
    return lines


# --- ruled tables -------------------------------------------------------------

def intersections_to_cells(intersections: dict) -> list[Box]:
    """pdfplumber's `table.intersections_to_cells`, same cells, without its quadratic scans.

    For every crossing point (sorted), the smallest rectangle whose four
    corners are crossings joined by ruling edges. pdfplumber re-filters all
    later points and rebuilds edge sets for every test; here each point's
    column, row and edge sets are indexed once.
    """
    v_edges = {pt: {(e["x0"], e["top"], e["x1"], e["bottom"]) for e in hit["v"]} for pt, hit in intersections.items()}
    h_edges = {pt: {(e["x0"], e["top"], e["x1"], e["bottom"]) for e in hit["h"]} for pt, hit in intersections.items()}
    points = sorted(intersections)
    same_x: dict[float, list] = defaultdict(list)
    same_y: dict[float, list] = defaultdict(list)
    for pt in points:  # sorted by (x, y): columns come out top to bottom, rows left to right
        same_x[pt[0]].append(pt)
        same_y[pt[1]].append(pt)

    def v_connects(a, b) -> bool:
        return not v_edges[a].isdisjoint(v_edges[b])

    def h_connects(a, b) -> bool:
        return not h_edges[a].isdisjoint(h_edges[b])

    cells = []
    for pt in points:
        below = [q for q in same_x[pt[0]] if q[1] > pt[1]]
        right = [q for q in same_y[pt[1]] if q[0] > pt[0]]
        found = None
        for below_pt in below:
            if not v_connects(pt, below_pt):
                continue
            for right_pt in right:
                if not h_connects(pt, right_pt):
                    continue
                corner = (right_pt[0], below_pt[1])
                if corner in intersections and v_connects(corner, right_pt) and h_connects(corner, below_pt):
                    found = (pt[0], pt[1], corner[0], corner[1])
                    break
            if found:
                break
        if found:
            cells.append(found)
    return cells


# A ruling line this far from level (or plumb) in points is still a horizontal (vertical) line.
_RULE_SLANT = 0.05


def straight_edges(edges: Iterable[dict]) -> list[dict]:
    """Ruling edges made exactly horizontal or vertical, coordinates rounded to 1/1000 pt.

    A page drawn under a rotation (a landscape table drawn turned, shown upright by the page's
    /Rotate) leaves float noise in the lines' ends (79.39999999999998,
    a rise of 1e-14): pdfplumber then calls a level line vertical, and the crossings of one ruling
    line no longer share a coordinate, so no cell closes. Slanted lines are not rules and go.
    """
    out = []
    for edge in edges:
        x0, x1, top, bottom = (round(edge[k], 3) for k in ("x0", "x1", "top", "bottom"))
        if bottom - top <= _RULE_SLANT and x1 - x0 > bottom - top:
            out.append({**edge, "x0": x0, "x1": x1, "top": top, "bottom": top, "width": x1 - x0, "height": 0.0,
                        "orientation": "h"})
        elif x1 - x0 <= _RULE_SLANT:
            out.append({**edge, "x0": x0, "x1": x0, "top": top, "bottom": bottom, "width": 0.0,
                        "height": bottom - top, "orientation": "v"})
    return out


class _RulingLines(NamedTuple):
    """What pdfplumber's TableFinder reads of a page for the lines strategy."""

    edges: list[dict]
    bbox: tuple[float, float, float, float]


def find_table_cells(page: "pdfplumber.page.Page") -> list[list[Box]]:
    """Cell boxes of each ruled table on the page: pdfplumber's lines strategy, step by step."""
    settings = TableSettings.resolve(TABLE_SETTINGS)
    finder = TableFinder.__new__(TableFinder)  # only its edge gathering; the chain runs below
    finder.page, finder.settings = _RulingLines(straight_edges(page.edges), page.bbox), settings
    return edges_to_table_cells(finder.get_edges(), settings)


def edges_to_table_cells(edges: list[dict], settings: TableSettings) -> list[list[Box]]:
    """Cell boxes of each table formed by ruling edges (pdfplumber edge dicts, merged and filtered)."""
    intersections = edges_to_intersections(edges, settings.intersection_x_tolerance,
                                           settings.intersection_y_tolerance)
    return cells_to_tables(intersections_to_cells(intersections))


def snap(values: Iterable[float], tolerance: float) -> tuple[float, ...]:
    """Sorted distinct boundaries; values within `tolerance` of their neighbour become one (their mean)."""
    clusters: list[list[float]] = []
    for v in sorted(values):
        if clusters and v - clusters[-1][-1] <= tolerance:
            clusters[-1].append(v)
        else:
            clusters.append([v])
    return tuple(sum(c) / len(c) for c in clusters)


def nearest(boundaries: Sequence[float], value: float) -> int:
    """Index of the boundary closest to `value`."""
    i = bisect_left(boundaries, value)
    if i == 0:
        return 0
    if i == len(boundaries):
        return i - 1
    return i if boundaries[i] - value < value - boundaries[i - 1] else i - 1


def grid_cells(boxes: Sequence[Box], tolerance: float) -> tuple[tuple[float, ...], tuple[float, ...], list[Placed]]:
    """Grid boundaries of a table and, per cell box, (box, row, col, rowspan, colspan)."""
    xs = snap([b[0] for b in boxes] + [b[2] for b in boxes], tolerance)
    ys = snap([b[1] for b in boxes] + [b[3] for b in boxes], tolerance)
    placed = []
    seen = set()
    for box in sorted(boxes, key=lambda b: (b[1], b[0])):
        row, col = nearest(ys, box[1]), nearest(xs, box[0])
        if (row, col) in seen:
            continue  # the same cell found twice (double ruling lines)
        seen.add((row, col))
        rowspan = max(1, nearest(ys, box[3]) - row)
        colspan = max(1, nearest(xs, box[2]) - col)
        placed.append((box, row, col, rowspan, colspan))
    return xs, ys, placed


def assign_words(words: Sequence[Word], xs: Sequence[float], ys: Sequence[float],
                 placed: Sequence[Placed]) -> tuple[list[list[Word]], list[Word]]:
    """Words per placed cell (by the word's centre), and the words that fall in no cell.

    A word that runs over a column boundary (text of neighbouring cells printed
    too close together) is split by the cells its characters fall in.
    """
    owner: dict[tuple[int, int], int] = {}
    for index, (_, row, col, rowspan, colspan) in enumerate(placed):
        for r in range(row, row + rowspan):
            for c in range(col, col + colspan):
                owner.setdefault((r, c), index)
    x_first, x_last, y_first, y_last = xs[0], xs[-1], ys[0], ys[-1]

    def cell_at(x: float, y: float) -> int | None:
        if x_first <= x <= x_last and y_first <= y <= y_last:
            return owner.get((max(0, bisect_left(ys, y) - 1), max(0, bisect_left(xs, x) - 1)))
        return None

    inside: list[list[Word]] = [[] for _ in placed]
    outside: list[Word] = []
    for word in words:
        i = bisect_left(xs, word.x0 + 1.0)
        if word.chars and i < len(xs) and xs[i] < word.x1 - 1.0 and y_first <= word.top <= y_last:
            pieces = split_word(word, lambda c: cell_at((c["x0"] + c["x1"]) / 2, (c["top"] + c["bottom"]) / 2))
        else:
            pieces = [(cell_at((word.x0 + word.x1) / 2, (word.top + word.bottom) / 2), word)]
        for index, piece in pieces:
            (outside if index is None else inside[index]).append(piece)
    return inside, outside


def split_word(word: Word, cell_of) -> list[tuple[int | None, Word]]:
    """A word cut where its characters change cell; [(cell, word)] unchanged when they never do."""
    groups: list[tuple[int | None, list[dict]]] = []
    for char in word.chars:
        cell = cell_of(char)
        if groups and groups[-1][0] == cell:
            groups[-1][1].append(char)
        else:
            groups.append((cell, [char]))
    if len(groups) == 1:
        return [(groups[0][0], word)]
    return [(cell, chars_word(chars)) for cell, chars in groups]


def cell_text(words: Sequence[Word], overlap: float = 0.5) -> str:
    """A cell's words in reading order; wrapped lines joined (no space next to Chinese text)."""
    return join_pieces(run_text(line) for line in group_lines(words, overlap))


def build_table_part(boxes: Sequence[Box], words: Sequence[Word],
                     settings: PdfSettings = DEFAULT_SETTINGS) -> tuple[TablePart, list[Word]]:
    """A table part from pdfplumber's cell boxes and the page's words; returns the words left outside it."""
    xs, ys, placed = grid_cells(boxes, settings.snap_tolerance)
    inside, outside = assign_words(words, xs, ys, placed)
    cells = tuple(Cell(box, row, col, rowspan, colspan, cell_text(ws, settings.line_overlap))
                  for (box, row, col, rowspan, colspan), ws in zip(placed, inside))
    bbox = (xs[0], ys[0], xs[-1], ys[-1])
    return TablePart(bbox, xs, ys, cells), outside


# --- one page -----------------------------------------------------------------

def read_page(page: "pdfplumber.page.Page", settings: PdfSettings = DEFAULT_SETTINGS) -> PageLayout:
    """Everything the loader needs from one pdfplumber page (the only place pdfplumber is read)."""
    chars = dedupe_chars(page.chars, settings.dedupe_tolerance)
    words = chars_to_words(chars, settings)
    has_text = bool(words)
    tables: list[TablePart] = []
    if words and (page.lines or page.rects or page.curves):
        # One cell boxes are frames and boxes drawn around text, not tables.
        found = [cells for cells in find_table_cells(page) if len(cells) > 1]
        for boxes in sorted(found, key=lambda cells: min(b[1] for b in cells)):
            part, words = build_table_part(boxes, words, settings)
            tables.append(part)
    x0, top, x1, bottom = page.bbox
    turned = sum(1 for c in chars if not c.get("upright", True) or (c.get("matrix") or (1,))[0] < 0)
    return PageLayout(
        number=page.page_number,
        bbox=(float(x0), float(top), float(x1), float(bottom)),
        # Without their chars, so the page's objects can be freed once it is read.
        lines=tuple(make_text_lines([w._replace(chars=()) for w in words], settings)),
        tables=tuple(tables),
        has_text=has_text,
        has_images=bool(page.images),
        turned=turned > len(chars) / 2,
    )


# --- page furniture -------------------------------------------------------------

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


def mark_furniture(pages: Sequence[PageLayout], settings: PdfSettings = DEFAULT_SETTINGS) -> set[tuple[int, int]]:
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


# --- tables across pages --------------------------------------------------------

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
                settings: PdfSettings = DEFAULT_SETTINGS) -> list[list[tuple[int, int]]]:
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


# --- tokens -----------------------------------------------------------------------

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


def layout_tokens(pages: Sequence[PageLayout], furniture: set[tuple[int, int]],
                  tables: Sequence[Sequence[tuple[int, int]]], settings: PdfSettings = DEFAULT_SETTINGS) -> list[Token]:
    """All tokens in reading order: per page, text lines and table rows by their top.

    Every text line and every table grid row gets the next line number.
    """
    places = table_places(pages, tables, settings.column_tolerance)
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
            else:
                number += 1
                tokens.extend(line_tokens(page.lines[i], page.number, number, (p, i) in furniture))
    breaks = [(index, offset) for index, _, offset in places.values() if offset > 0]
    fmt = matching.detect_format([tok.text for tok in tokens])
    return join_split_cells(join_split_rows(tokens, breaks, fmt), breaks, fmt)


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

        def fits(columns: tuple[int, int]) -> bool:
            low, up = tokens[below[columns]], tokens[above[columns]]
            if not low.text:
                return True
            if not up.text:
                return looks_like_value(low.text) and up.rowspan == 1 and low.rowspan == 1
            return not looks_like_value(up.text) and _label_continues(up.text, low.text, fmt)

        if not all(fits(columns) for columns in below):
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


# --- problems ------------------------------------------------------------------------

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


def ocr_candidates(pages: Sequence[PageLayout], settings: PdfSettings = DEFAULT_SETTINGS) -> list[int]:
    """Numbers of the pages without a usable text layer: no characters, or mostly (cid:N) glyphs."""
    return [number for page, (number, cid, total) in zip(pages, unreadable_counts(pages))
            if not page.has_text or (total and cid > settings.unreadable_share * total)]


def page_problems(pages: Sequence[PageLayout], settings: PdfSettings = DEFAULT_SETTINGS) -> list[str]:
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


# --- the loader ----------------------------------------------------------------------

def _cause(exc: Exception) -> str:
    inner = exc.args[0] if isinstance(exc, PdfminerException) and exc.args else exc
    return str(inner) or type(inner).__name__


def open_pdf(path: Path) -> "pdfplumber.PDF":
    """Open with pdfplumber (an empty password is tried, as PDF readers do); plain LoadErrors otherwise."""
    try:
        return pdfplumber.open(path, raise_unicode_errors=False)
    except PdfminerException as exc:
        cause = exc.args[0] if exc.args else exc
        if isinstance(cause, PDFPasswordIncorrect):
            raise LoadError(f"encrypted PDF: {path.name} needs a password to open") from None
        if isinstance(cause, PDFEncryptionError):
            raise LoadError(f"encrypted PDF: {path.name} uses an encryption that cannot be read ({cause})") from None
        raise LoadError(f"not a readable PDF: {path.name} ({_cause(exc)})") from None
    except OSError as exc:
        raise LoadError(f"cannot read {path}: {exc.strerror or exc}") from None


class NoReadablePages(LoadError):
    """The page tree or every page is damaged: worth one more try with the xref table rebuilt."""


class _RebuiltXrefDocument(PDFDocument):
    """A PDFDocument that ignores the file's xref table and rebuilds it by scanning for objects."""

    def find_xref(self, parser: PDFParser) -> int:
        raise PDFNoValidXRef("ignoring the xref table")


def read_with_rebuilt_xref(path: Path, max_pages: int, settings: PdfSettings,
                           first: NoReadablePages) -> tuple[int, list[PageLayout], list[str]]:
    """`read_pages` of the PDF opened again with its xref rebuilt from the objects themselves (what
    PDF readers do when the xref offsets are wrong but the objects are intact); `first` when that
    does not help either."""
    pdf = open_pdf(path)
    try:
        try:
            pdf.doc = _RebuiltXrefDocument(PDFParser(pdf.stream), password="")
        except Exception:  # the objects are no better than the xref
            raise first from None
        count, layouts, damaged = read_pages(pdf, path, max_pages, settings)
    except NoReadablePages:
        raise first from None
    finally:
        pdf.close()
    return count, layouts, ["the PDF's cross-reference table is damaged; it was rebuilt from the objects"] + damaged


def declared_page_count(pdf: "pdfplumber.PDF") -> int | None:
    """The page count the document's page tree declares (read without walking the tree)."""
    try:
        count = resolve1(resolve1(pdf.doc.catalog["Pages"])["Count"])
    except Exception:  # a broken page tree; walking it will tell
        return None
    return count if isinstance(count, int) and count >= 0 else None


def check_page_limit(count: int, max_pages: int) -> None:
    if count > max_pages:
        raise LoadError(f"the PDF has {count} pages, more than the limit of {max_pages}; "
                        "raise the limit with --max-pages to read it anyway")


def read_pages(pdf: "pdfplumber.PDF", path: Path, max_pages: int,
               settings: PdfSettings) -> tuple[int, list[PageLayout], list[str]]:
    """(page count, layouts of the pages that could be read, messages about damaged pages)."""
    check_page_limit(declared_page_count(pdf) or 0, max_pages)  # before walking a huge page tree
    try:
        pages = pdf.pages
    except PdfminerException as exc:
        raise NoReadablePages(f"not a readable PDF: {path.name} (damaged page tree: {_cause(exc)})") from None
    check_page_limit(len(pages), max_pages)
    if not pages:
        raise NoReadablePages(f"not a readable PDF: {path.name} has no pages")
    layouts: list[PageLayout] = []
    damaged: list[str] = []
    for page in pages:
        try:
            layouts.append(read_page(page, settings))
        except PdfminerException as exc:
            damaged.append(f"page {page.page_number}: damaged, left out ({_cause(exc)})")
        finally:
            page.close()  # drop the page's parsed objects: memory stays bounded by one page
    if not layouts:
        raise NoReadablePages(f"not a readable PDF: {path.name} (every page is damaged)")
    return len(pages), layouts, damaged


def load(path: Path, *, max_pages: int = MAX_PDF_PAGES, settings: PdfSettings = DEFAULT_SETTINGS) -> Document:
    """Load a PDF into tokens (format "pdf"; "scanned-pdf" when pages without a text layer were read
    by OCR); LoadError says why when it cannot."""
    path = Path(path)
    pdf = open_pdf(path)
    try:
        count, layouts, damaged = read_pages(pdf, path, max_pages, settings)
    except NoReadablePages as first:  # wrong xref offsets can hide intact pages: rebuild the xref once
        count, layouts, damaged = read_with_rebuilt_xref(path, max_pages, settings, first)
    finally:
        pdf.close()
    candidates = ocr_candidates(layouts, settings)
    if candidates:
        from .scanned import ocr_installed, read_with_ocr

        if ocr_installed():  # scanned pages: read by OCR into the same layouts (format "scanned-pdf")
            return read_with_ocr(path, count, layouts, candidates, damaged, settings)
    problems = damaged + page_problems(layouts, settings)
    furniture = mark_furniture(layouts, settings)
    tables = join_tables(layouts, furniture, settings)
    tokens = layout_tokens(layouts, furniture, tables, settings)
    return Document(tokens=tokens, format="pdf", pages=count, problems=problems)
