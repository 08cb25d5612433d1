"""PDF loader: pdfplumber pages read into page layouts, then the shared geometry stage.

    read_page          one pdfplumber page -> PageLayout (text lines, ruled table parts with cell texts)
    geometry.pages     furniture, tables across pages, tokens in reading order (shared with OCR)

Only this module touches pdfplumber's pages; everything after `read_page` works on the plain
NamedTuples of `extractor.geometry`, so each step can be tested without a PDF. `dedupe_chars`
replaces pdfplumber's own, which is quadratic on dense pages.
"""

from __future__ import annotations

import contextlib
import traceback
from collections import defaultdict
from operator import itemgetter
from pathlib import Path
from typing import NamedTuple
from unicodedata import normalize as normalize_unicode

import pdfplumber
from pdfminer.layout import LTChar, LTContainer, LTCurve, LTImage
from pdfminer.pdfdocument import PDFDocument, PDFEncryptionError, PDFNoValidXRef, PDFPasswordIncorrect
from pdfminer.pdfparser import PDFParser
from pdfminer.pdftypes import resolve1
from pdfplumber.page import fix_fontname_bytes
from pdfplumber.table import TableFinder, TableSettings
from pdfplumber.utils import curve_to_edges, line_to_edge, rect_to_edges
from pdfplumber.utils.exceptions import MalformedPDFException, PdfminerException
from pdfplumber.utils.text import WordExtractor

from ..geometry.pages import PageLayout, join_tables, layout_tokens, mark_furniture, ocr_candidates, page_problems
from ..geometry.ruled import TABLE_SETTINGS, TablePart, build_table_part, edges_to_table_cells, straight_edges
from ..geometry.words import DEFAULT_SETTINGS, Box, LayoutSettings, Word, make_text_lines
from ..tokens import Document, LoadError
from . import MAX_PDF_PAGES
from .common import reading_library

# The libraries that read a PDF's pages: an exception raised in their code is the file's damage
PDF_LIBRARIES = {"pdfplumber": "damaged", "pdfminer": "damaged"}

# The loader's tolerances are the geometry stage's (one dataclass for PDF and OCR pages).
PdfSettings = LayoutSettings


# --- the page's objects ---------------------------------------------------------


class PageObjects(NamedTuple):
    """What the loader reads of a page's drawing: its characters, ruling edges and whether it has images."""

    chars: list[dict]
    edges: list[dict]
    has_images: bool


def _char(obj: LTChar, height: float, mb_x0: float, mb_top: float, doctop: float, norm: str | None) -> dict:
    """The keys of pdfplumber's char dict the loader reads, with pdfplumber's values (`Page.process_object`)."""
    top = (height - obj.y1) + mb_top
    text = obj.get_text()
    fontname = obj.fontname
    return {
        "text": normalize_unicode(norm, text) if norm is not None else text,
        "fontname": fix_fontname_bytes(fontname) if isinstance(fontname, bytes) else fontname,
        "size": obj.size,
        "upright": obj.upright,
        "matrix": obj.matrix,
        "x0": obj.x0 + mb_x0 if mb_x0 != 0 else obj.x0,
        "x1": obj.x1 + mb_x0 if mb_x0 != 0 else obj.x1,
        "top": top,
        "bottom": (height - obj.y0) + mb_top,
        "doctop": doctop + top,
    }


def read_objects(page: pdfplumber.page.Page) -> PageObjects:
    """`page.chars`, `page.edges` and `page.images` as the loader needs them, in one walk of the layout.

    pdfplumber turns every object into a dict of all its attributes (colours, colour spaces and
    marked content resolved); characters are most of a page and the loader reads ten of their
    keys, so only those are made. Lines, rects and curves go through pdfplumber's own
    `process_object` and edge functions: the same edges, in the same order, as `page.edges`.
    """
    height, (mb_x0, mb_top) = page.height, page.mediabox[:2]
    doctop, norm = page.initial_doctop, page.pdf.unicode_norm
    chars: list[dict] = []
    shapes: dict[str, list[dict]] = {"line": [], "rect": [], "curve": []}
    has_images = False
    stack = [iter(page.layout._objs)]
    while stack:  # depth first, as pdfplumber's iter_layout_objects walks figures
        obj = next(stack[-1], None)
        if obj is None:
            stack.pop()
        elif isinstance(obj, LTChar):
            chars.append(_char(obj, height, mb_x0, mb_top, doctop, norm))
        elif isinstance(obj, LTContainer):
            stack.append(iter(obj._objs))
        elif isinstance(obj, LTCurve):
            shape = page.process_object(obj)
            shapes.setdefault(shape["object_type"], []).append(shape)
        elif isinstance(obj, LTImage):
            has_images = True
    edges = ([line_to_edge(line) for line in shapes["line"]]
             + [edge for rect in shapes["rect"] for edge in rect_to_edges(rect)]
             + [edge for curve in shapes["curve"] for edge in curve_to_edges(curve)])
    return PageObjects(chars, edges, has_images)


# --- characters and words ---------------------------------------------------


def _chains(items: list[dict], key, tolerance: float) -> list[list[dict]]:
    """`items` sorted by `key`, cut where neighbours differ by more than `tolerance` (pdfplumber's
    `cluster_objects` groups, each in key order rather than page order)."""
    items = sorted(items, key=key)
    chains = [[items[0]]]
    last = key(items[0])
    for item in items[1:]:
        value = key(item)
        if value <= last + tolerance:
            chains[-1].append(item)
        else:
            chains.append([item])
        last = value
    return chains


def dedupe_chars(chars: list[dict], tolerance: float = 1.0) -> list[dict]:
    """Drop glyphs drawn again at (almost) the same place: fake bold prints text twice.

    Same result as pdfplumber's `utils.dedupe_chars` (same text, font and size
    within `tolerance`, first one kept) without its quadratic re-sort, which
    dominates the run time on dense pages; groups are cut along y, then x, as
    its `cluster_objects` cuts them, and only groups of two or more are cut again.
    """
    groups: dict[tuple, list[dict]] = defaultdict(list)
    key = itemgetter("upright", "text", "fontname", "size")
    for char in chars:
        groups[key(char)].append(char)
    if len(groups) == len(chars):
        return chars
    doctop, x0, pos = itemgetter("doctop"), itemgetter("x0"), itemgetter("doctop", "x0")
    drop: set[int] = set()
    for group in groups.values():
        if len(group) < 2:
            continue
        for y_cluster in _chains(group, doctop, tolerance):
            if len(y_cluster) < 2:
                continue
            for x_cluster in _chains(y_cluster, x0, tolerance):
                if len(x_cluster) > 1:
                    keep = min(x_cluster, key=pos)  # stable sorts: the first drawn of equals
                    drop.update(id(c) for c in x_cluster if c is not keep)
    if not drop:
        return chars
    return [c for c in chars if id(c) not in drop]


def chars_to_words(chars: list[dict], settings: PdfSettings = DEFAULT_SETTINGS) -> list[Word]:
    extractor = WordExtractor(x_tolerance=settings.word_x_tolerance, y_tolerance=settings.word_y_tolerance)
    return [Word(w["text"], w["x0"], w["top"], w["x1"], w["bottom"], word_chars)
            for w, word_chars in extractor.iter_extract_tuples(chars)]


# --- ruled tables -------------------------------------------------------------


class _RulingLines(NamedTuple):
    """What pdfplumber's TableFinder reads of a page for the lines strategy."""

    edges: list[dict]
    bbox: tuple[float, float, float, float]


def find_table_cells(page: pdfplumber.page.Page, edges: list[dict] | None = None) -> list[list[Box]]:
    """Cell boxes of each ruled table on the page (its `edges`, read when not given): pdfplumber's
    lines strategy, step by step."""
    settings = TableSettings.resolve(TABLE_SETTINGS)
    finder = TableFinder.__new__(TableFinder)  # only its edge gathering; the chain runs below
    edges = page.edges if edges is None else edges
    finder.page, finder.settings = _RulingLines(straight_edges(edges), page.bbox), settings
    return edges_to_table_cells(finder.get_edges(), settings)


# --- one page -----------------------------------------------------------------

def read_page(page: pdfplumber.page.Page, settings: PdfSettings = DEFAULT_SETTINGS) -> PageLayout:
    """Everything the loader needs from one pdfplumber page (the only place pdfplumber is read)."""
    objects = read_objects(page)
    chars = dedupe_chars(objects.chars, settings.dedupe_tolerance)
    words = chars_to_words(chars, settings)
    has_text = bool(words)
    tables: list[TablePart] = []
    if words and objects.edges:
        # One cell boxes are frames and boxes drawn around text, not tables.
        found = [cells for cells in find_table_cells(page, objects.edges) if len(cells) > 1]
        for boxes in sorted(found, key=lambda cells: min(b[1] for b in cells)):
            part, words = build_table_part(boxes, words, settings)
            tables.append(part)
    x0, top, x1, bottom = page.bbox
    turned = sum(1 for c in chars if not c.get("upright", True) or (c.get("matrix") or (1,))[0] < 0)
    return PageLayout(
        number=page.page_number,
        bbox=(float(x0), float(top), float(x1), float(bottom)),
        # Characters as (text, x0, x1) only, so the page's objects can be freed once it is read.
        lines=tuple(make_text_lines([w._replace(chars=tuple((c["text"], c["x0"], c["x1"]) for c in w.chars))
                                      for w in words], settings)),
        tables=tuple(tables),
        has_text=has_text,
        has_images=objects.has_images,
        turned=turned > len(chars) / 2,
    )


# --- the loader ----------------------------------------------------------------------

def _cause(exc: Exception) -> str:
    inner = exc.args[0] if isinstance(exc, PdfminerException) and exc.args else exc
    return str(inner) or type(inner).__name__


def open_pdf(path: Path) -> pdfplumber.PDF:
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


def close_quietly(pdf: pdfplumber.PDF) -> None:
    """Close a PDF whose pages may be damaged: pdfplumber's close walks the pages again, and a page
    that could not be read raises there too (its damage is already told), in any way pdfplumber
    fails on it (a page without a MediaBox: TypeError, found by benchmarks/fuzz_loaders.py)."""
    with contextlib.suppress(Exception):  # closing frees memory only; it must never fail a file that was read
        pdf.close()


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
        except Exception:  # noqa: BLE001 (any failure: the objects are no better than the xref)
            raise first from None
        count, layouts, damaged = read_pages(pdf, path, max_pages, settings)
    except NoReadablePages:
        raise first from None
    finally:
        close_quietly(pdf)
    return count, layouts, ["the PDF's cross-reference table is damaged; it was rebuilt from the objects"] + damaged


def declared_page_count(pdf: pdfplumber.PDF) -> int | None:
    """The page count the document's page tree declares (read without walking the tree)."""
    try:
        count = resolve1(resolve1(pdf.doc.catalog["Pages"])["Count"])
    except Exception:  # noqa: BLE001 (a broken page tree, whatever it raises; walking it will tell)
        return None
    return count if isinstance(count, int) and count >= 0 else None


def check_page_limit(count: int, max_pages: int) -> None:
    if count > max_pages:
        raise LoadError(f"the PDF has {count} pages, more than the limit of {max_pages}; "
                        "raise the limit with --max-pages to read it anyway")


def read_pages(pdf: pdfplumber.PDF, path: Path, max_pages: int,
               settings: PdfSettings) -> tuple[int, list[PageLayout], list[str]]:
    """(page count, layouts of the pages that could be read, messages about damaged pages)."""
    check_page_limit(declared_page_count(pdf) or 0, max_pages)  # before walking a huge page tree
    try:
        pages = pdf.pages
    except (PdfminerException, MalformedPDFException) as exc:
        raise NoReadablePages(f"not a readable PDF: {path.name} (damaged page tree: {_cause(exc)})") from None
    except Exception as exc:  # pdfplumber failing on a page's damage its own way (a page without a MediaBox)
        if reading_library(traceback.extract_tb(exc.__traceback__), PDF_LIBRARIES) is None:
            raise
        raise NoReadablePages(f"not a readable PDF: {path.name} (damaged page tree: "
                              f"{type(exc).__name__}: {exc})") from None
    check_page_limit(len(pages), max_pages)
    if not pages:
        raise NoReadablePages(f"not a readable PDF: {path.name} has no pages")
    layouts: list[PageLayout] = []
    damaged: list[str] = []
    for page in pages:
        try:
            layouts.append(read_page(page, settings))
        except (PdfminerException, MalformedPDFException) as exc:  # e.g. a box of non-numbers
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
        close_quietly(pdf)
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
