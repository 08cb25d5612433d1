"""Word loader: .docx reports.

The chain: `inspect_package` (a zip, with a main document, no zip bomb, no DTD
in any XML part) → python-docx opens it → `body_items` walks the body's
paragraphs and tables in document order → `tokens_from_items`.

Paragraphs give one line per paragraph and line break. Tables give grid cells
with merged cells expanded (w:gridSpan for columns, w:vMerge for rows); a table
nested in a cell is flattened into that cell's text, and a one-cell table (a
layout frame) is read as ordinary blocks. Page headers, footers, footnotes and
comments are page furniture or asides and are not read.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, fields
from pathlib import Path
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET
from docx.exceptions import PythonDocxError
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.exceptions import OpcError
from docx.package import Package
from lxml import etree

from ..tokens import Document, LoadError
from .common import (
    MB,
    Grid,
    GridCell,
    Line,
    collapse_whitespace,
    damaged_file,
    join_pieces,
    strip_invisible,
    tokens_from_items,
)
from .text import tokens_from_text

# What reads a .docx: an exception raised inside these on the file's bytes means the file is damaged
_ZIP = "it is cut short or parts of its zip archive are missing or corrupt; download or save it again"
_XML = "a part of it is not valid Word XML; open it in Word or LibreOffice and save it again"
READING_LIBRARIES = {"zipfile": _ZIP, "docx": _XML, "lxml": _XML, "defusedxml": _XML, "xml": _XML}


@dataclass(frozen=True)
class DocxLimits:
    """What the Word loader refuses: zip bombs, and tables beyond any real report."""

    max_bytes: int = 200 * MB  # the file itself
    max_uncompressed: int = 200 * MB  # all members unpacked
    max_ratio: int = 100  # unpacked / packed size of a big member
    big_member: int = 5 * MB  # members unpacking to more than this have their ratio checked
    max_members: int = 10_000
    max_table_rows: int = 5000
    max_table_cols: int = 200
    max_table_depth: int = 50
    max_tokens: int = 200_000

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"{f.name} must be a positive integer, not {value!r}")


W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
APP_NS = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"
OFFICE_DOCUMENT_REL = "/officeDocument"
DEFAULT_MAIN_PART = "word/document.xml"
_OFF = ("0", "false", "off")


def w(name: str) -> str:
    return f"{{{W_NS}}}{name}"


W_P, W_TBL, W_TR, W_TC, W_R, W_T = w("p"), w("tbl"), w("tr"), w("tc"), w("r"), w("t")
W_SDT, W_SDT_CONTENT, W_CUSTOM_XML = w("sdt"), w("sdtContent"), w("customXml")
W_TXBX_CONTENT, W_ALT_CHUNK = w("txbxContent"), w("altChunk")
MC_ALTERNATE, MC_CHOICE = f"{{{MC_NS}}}AlternateContent", f"{{{MC_NS}}}Choice"
LINE_BREAK = "\n"

# Inside a paragraph: subtrees that are never shown text (properties, deleted
# runs of tracked changes, field instructions, the fallback copy of a shape, ruby
# annotations).
_NOT_SHOWN = frozenset({w("pPr"), w("rPr"), w("del"), w("moveFrom"), w("instrText"), w("delText"),
                        w("delInstrText"), w("sdtPr"), w("sdtEndPr"), w("fldData"), w("rt"),
                        f"{{{MC_NS}}}Fallback"})
_TEXT_OF = {w("tab"): "\t", w("ptab"): "\t", w("br"): LINE_BREAK, w("cr"): LINE_BREAK,
            w("noBreakHyphen"): "-", w("softHyphen"): ""}


# --- the package ----------------------------------------------------------------


def _not_docx_hint(names: set[str]) -> str:
    if "xl/workbook.xml" in names:
        return " (it is an Excel workbook)"
    if "ppt/presentation.xml" in names:
        return " (it is a PowerPoint file)"
    if "content.xml" in names:
        return " (it is an OpenDocument file)"
    return ""


def main_part_name(archive: zipfile.ZipFile) -> str:
    """The main document part named by the package relationships (word/document.xml as a rule)."""
    try:
        root = SafeET.fromstring(archive.read("_rels/.rels"), forbid_dtd=True)
    except (KeyError, ParseError, DefusedXmlException, zipfile.BadZipFile, zlib.error):
        return DEFAULT_MAIN_PART
    for rel in root.iter(f"{{{REL_NS}}}Relationship"):
        if rel.get("Type", "").endswith(OFFICE_DOCUMENT_REL) and rel.get("TargetMode") != "External":
            return rel.get("Target", DEFAULT_MAIN_PART).lstrip("/")
    return DEFAULT_MAIN_PART


def check_sizes(infos: list[zipfile.ZipInfo], limits: DocxLimits) -> None:
    """Refuse archives that unpack to far more than any report (zip bombs)."""
    if len(infos) > limits.max_members:
        raise LoadError(f"refusing a zip bomb: the archive has {len(infos)} members")
    total = sum(info.file_size for info in infos)
    if total > limits.max_uncompressed:
        raise LoadError(f"refusing a zip bomb: its members unpack to {total / MB:.0f} MB, over the "
                        f"{limits.max_uncompressed / MB:.0f} MB limit")
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > limits.big_member and ratio > limits.max_ratio:
            raise LoadError(f"refusing a zip bomb: {info.filename} unpacks to {ratio:.0f} times its "
                            f"packed size ({info.file_size / MB:.0f} MB)")


def is_xml_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """An XML part, whatever its name says (a part's content type, not its name, makes it XML)."""
    if info.is_dir():
        return False
    if info.filename.lower().endswith((".xml", ".rels", ".vml")):
        return True
    with archive.open(info) as stream:
        head = stream.read(64)
    return head.startswith((b"\xff\xfe", b"\xfe\xff")) or head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")


def check_xml_safe(archive: zipfile.ZipFile, name: str) -> None:
    """Refuse an XML part that declares a DTD or entities; only its prolog is read.

    A DTD must come before the root element, so parsing stops at the first element.
    """
    try:
        with archive.open(name) as stream:
            for _ in SafeET.iterparse(stream, events=("start",), forbid_dtd=True):
                break
    except DefusedXmlException as error:
        raise LoadError(f"unsafe XML in the .docx (entity declarations): {name} declares a DOCTYPE "
                        f"or entities ({type(error).__name__}); such files are never parsed") from None
    except ParseError:
        if name.lower().endswith("document.xml"):
            raise LoadError(f"damaged Word .docx file: {name} is not well-formed XML") from None


def inspect_package(data: bytes, limits: DocxLimits) -> None:
    """Everything checked about a .docx before python-docx parses any of it."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError):
        ole2 = data.startswith(bytes.fromhex("D0CF11E0A1B11AE1"))
        hint = " (an old Word 97 .doc, or a password-protected file?)" if ole2 else ""
        raise LoadError(f"not a Word .docx file: it is not a zip archive{hint}") from None
    with archive:
        infos = archive.infolist()
        check_sizes(infos, limits)
        names = {info.filename for info in infos}
        main = main_part_name(archive)
        if main not in names:
            raise LoadError(f"not a Word .docx file: it has no {main}{_not_docx_hint(names)}")
        try:
            for info in infos:
                if is_xml_member(archive, info):
                    check_xml_safe(archive, info.filename)
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as error:
            # RuntimeError: an encrypted member
            raise LoadError(f"damaged Word .docx file: {error}") from None


def page_count(data: bytes) -> int:
    """Pages as Word (or LibreOffice) counted them at the last save (docProps/app.xml); 1 when unknown."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            info = archive.getinfo("docProps/app.xml")
            if info.file_size > MB:
                return 1
            root = SafeET.fromstring(archive.read(info), forbid_dtd=True)
        pages = root.find(f"{{{APP_NS}}}Pages")
        return max(1, int(pages.text)) if pages is not None and pages.text else 1
    except (KeyError, ValueError, ParseError, DefusedXmlException, zipfile.BadZipFile, zlib.error):
        return 1


def open_document(data: bytes):
    """python-docx's document, or LoadError for a damaged or non-Word package (what `docx.Document`
    does, with plain messages)."""
    try:
        part = Package.open(io.BytesIO(data)).main_document_part
        if part.content_type != CT.WML_DOCUMENT_MAIN:
            raise LoadError(f"not a Word .docx file: its main part is {part.content_type} "
                            "(a template or macro-enabled document?)")
        return part.document
    except (OpcError, PythonDocxError, ValueError, KeyError, etree.LxmlError, zipfile.BadZipFile,
            zlib.error, EOFError, NotImplementedError) as error:
        raise LoadError(f"damaged Word .docx file: {error}") from None


# --- paragraphs -------------------------------------------------------------------


def block_elements(container) -> Iterator:
    """Paragraphs and tables directly in a body, cell or text box, in document order.

    Content controls (w:sdt), custom XML and markup-compatibility wrappers are
    looked through.
    """
    for child in container:
        tag = child.tag
        if tag in (W_P, W_TBL):
            yield child
        elif tag == W_SDT:
            for content in child.iterchildren(W_SDT_CONTENT):
                yield from block_elements(content)
        elif tag == W_CUSTOM_XML:
            yield from block_elements(child)
        elif tag == MC_ALTERNATE:
            for choice in child.iterchildren(MC_CHOICE):
                yield from block_elements(choice)
                break


def _is_hidden_run(run) -> bool:
    properties = run.find(w("rPr"))
    if properties is None:
        return False
    vanish = properties.find(w("vanish"))
    return vanish is not None and vanish.get(w("val"), "true").lower() not in _OFF


def _collect(element, out: list[str], boxes: list) -> None:
    for child in element:
        tag = child.tag
        if not isinstance(tag, str) or tag in _NOT_SHOWN:
            continue
        if tag == W_T:
            out.append((child.text or "").replace("\n", " "))
        elif tag in _TEXT_OF:
            out.append(_TEXT_OF[tag])
        elif tag == W_TXBX_CONTENT:
            boxes.append(child)
        elif tag == W_R and _is_hidden_run(child):
            continue
        else:
            _collect(child, out, boxes)


def paragraph_lines(paragraph) -> tuple[list[Line], list]:
    """A paragraph's shown text as lines (split at line breaks), each also as printed (tabs and
    runs of spaces kept: a row typed with tabs or aligned spaces), and the text boxes anchored
    in it.

    Tracked insertions count, tracked deletions do not (the text as finally
    accepted); hidden runs and field instructions are left out.
    """
    out: list[str] = []
    boxes: list = []
    _collect(paragraph, out, boxes)
    lines = []
    for raw in "".join(out).split(LINE_BREAK):
        text = collapse_whitespace(raw)
        if text:
            lines.append(Line(text, strip_invisible(raw).rstrip()))
    return lines, boxes


def paragraph_parts(paragraph) -> tuple[list[str], list]:
    """A paragraph's shown text as lines, whitespace collapsed, and its text boxes."""
    lines, boxes = paragraph_lines(paragraph)
    return [line.text for line in lines], boxes


# --- tables -------------------------------------------------------------------------


def _children(container, tag: str) -> Iterator:
    """Children of one kind, looking through content controls and custom XML."""
    for child in container:
        if child.tag == tag:
            yield child
        elif child.tag == W_SDT:
            for content in child.iterchildren(W_SDT_CONTENT):
                yield from _children(content, tag)
        elif child.tag == W_CUSTOM_XML:
            yield from _children(child, tag)


def table_rows(table) -> list:
    """A table's rows, without rows deleted as a tracked change."""
    rows = []
    for row in _children(table, W_TR):
        properties = row.find(w("trPr"))
        if properties is not None and properties.find(w("del")) is not None:
            continue
        rows.append(row)
    return rows


def _int_val(element, default: int) -> int:
    if element is None:
        return default
    try:
        return int(element.get(w("val"), default))
    except ValueError:
        return default


def grid_before(row) -> int:
    """Grid columns left empty before a row's first cell (w:gridBefore)."""
    properties = row.find(w("trPr"))
    return max(0, _int_val(properties.find(w("gridBefore")) if properties is not None else None, 0))


@dataclass(frozen=True)
class CellFormat:
    colspan: int
    vmerge: str | None  # "restart", "continue" or None
    hmerge: str | None  # legacy horizontal merge: "restart", "continue" or None


def cell_format(cell) -> CellFormat:
    properties = cell.find(w("tcPr"))
    if properties is None:
        return CellFormat(1, None, None)
    colspan = max(1, _int_val(properties.find(w("gridSpan")), 1))
    merges = []
    for name in ("vMerge", "hMerge"):
        merge = properties.find(w(name))
        # A merge element without a value continues the merge above (or to the left).
        merges.append(None if merge is None else merge.get(w("val"), "continue"))
    return CellFormat(colspan, *merges)


@dataclass
class PlacedCell:
    row: int
    col: int
    rowspan: int
    colspan: int
    element: object  # the w:tc holding the text


def place_cells(rows: list[list[tuple[CellFormat, object]]], max_cols: int,
                before: list[int] | None = None) -> list[PlacedCell]:
    """Cells on the grid: column spans from w:gridSpan, row spans from w:vMerge.

    A "restart" cell spans down over the "continue" cells below it in the same
    grid column; a "continue" cell with nothing to continue starts its own cell.
    """
    placed: list[PlacedCell] = []
    open_merges: dict[int, PlacedCell] = {}
    for y, cells in enumerate(rows):
        x = before[y] if before else 0
        still_open: dict[int, PlacedCell] = {}
        previous: PlacedCell | None = None
        for fmt, element in cells:
            if x + fmt.colspan > max_cols:
                raise LoadError(f"a table is wider than {max_cols} columns")
            if fmt.hmerge == "continue" and previous is not None:
                previous.colspan += fmt.colspan
            elif fmt.vmerge == "continue" and x in open_merges:
                above = open_merges[x]
                above.rowspan = y - above.row + 1
                still_open[x] = above
                previous = None
            else:
                previous = PlacedCell(y, x, 1, fmt.colspan, element)
                placed.append(previous)
                if fmt.vmerge is not None:
                    still_open[x] = previous
            x += fmt.colspan
        open_merges = still_open
    return placed


def table_layout(table, limits: DocxLimits) -> list[PlacedCell]:
    rows = table_rows(table)
    if len(rows) > limits.max_table_rows:
        raise LoadError(f"a table has {len(rows)} rows, over the limit of {limits.max_table_rows}")
    cells = [[(cell_format(cell), cell) for cell in _children(row, W_TC)] for row in rows]
    return place_cells(cells, limits.max_table_cols, [grid_before(row) for row in rows])


def container_pieces(container, limits: DocxLimits, depth: int) -> list[str]:
    """All text in a cell or text box as pieces: paragraph lines, text boxes, nested tables' cells."""
    pieces: list[str] = []
    for block in block_elements(container):
        if block.tag == W_P:
            lines, boxes = paragraph_parts(block)
            pieces += lines
            for box in boxes:
                pieces += container_pieces(box, limits, depth)
        else:
            if depth + 1 > limits.max_table_depth:
                raise LoadError(f"the document nests tables more than {limits.max_table_depth} deep")
            for cell in table_layout(block, limits):
                pieces += container_pieces(cell.element, limits, depth + 1)
    return pieces


def table_grid(layout: list[PlacedCell], limits: DocxLimits, depth: int) -> Grid:
    """A table's cells with their text; nested tables are flattened into their cell's text."""
    return Grid(tuple(
        GridCell(cell.row, cell.col, cell.rowspan, cell.colspan,
                 join_pieces(container_pieces(cell.element, limits, depth)))
        for cell in layout
    ))


def body_items(container, limits: DocxLimits, depth: int = 0) -> Iterator[Line | Grid]:
    """Lines and grids of a body (or text box, or layout frame) in document order."""
    for block in block_elements(container):
        if block.tag == W_P:
            lines, boxes = paragraph_lines(block)
            yield from lines
            for box in boxes:
                yield from body_items(box, limits, depth)
            continue
        if depth + 1 > limits.max_table_depth:
            raise LoadError(f"the document nests tables more than {limits.max_table_depth} deep")
        layout = table_layout(block, limits)
        if len(layout) == 1:  # a one-cell frame around content, not a table of figures
            yield from body_items(layout[0].element, limits, depth + 1)
        else:
            yield table_grid(layout, limits, depth + 1)


def body_problems(body) -> list[str]:
    if next(body.iter(W_ALT_CHUNK), None) is not None:
        return ["the document embeds content from another file (altChunk) that is not read"]
    return []


# --- the loader ---------------------------------------------------------------------


def load(path: Path, **limits) -> Document:
    """Tokens of a .docx file; limits are the fields of `DocxLimits`."""
    settings = DocxLimits(**limits)
    path = Path(path)
    size = path.stat().st_size
    if size > settings.max_bytes:
        raise LoadError(f"Word file of {size / MB:.0f} MB is over the {settings.max_bytes / MB:.0f} MB limit")
    data = path.read_bytes()
    if not data:
        raise LoadError("not a Word .docx file: the file is empty")
    with damaged_file("Word .docx file", READING_LIBRARIES):
        inspect_package(data, settings)
        body = open_document(data).element.body
        tokens = tokens_from_items(body_items(body, settings), settings.max_tokens, tokens_from_text)
        return Document(tokens=tokens, format="docx", pages=page_count(data), problems=body_problems(body))
