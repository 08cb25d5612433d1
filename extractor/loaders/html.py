"""HTML loader: report pages saved from government web sites.

The chain: bytes → `decode_html` (BOM, declared charset, guess) → `parse_html`
→ `check_nesting` → `page_items` (a walk in document order that skips site
chrome and yields prose `Line`s and table `Grid`s) → `tokens_from_items`.

A table is a data table unless it holds another table (or has a single cell):
such layout tables are walked as ordinary blocks. Data tables are laid out on
their grid with the HTML table algorithm (rowspan/colspan, row groups).

Text joining and the item types (`Line`, `Grid`) come from `common`, shared
with the Word loader.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields
from functools import cache
from pathlib import Path

from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import PreformattedString
from charset_normalizer import from_bytes

from .. import schema
from ..tokens import Document, LoadError
from .common import MB, Grid, GridCell, Line, collapse_whitespace, join_pieces, tokens_from_items
from .text import tokens_from_text


@dataclass(frozen=True)
class HtmlLimits:
    """What the HTML loader refuses: files, tables and nesting beyond any real report page."""

    max_bytes: int = 50 * MB
    max_table_rows: int = 5000
    max_table_cols: int = 200
    max_table_depth: int = 50  # tables inside tables
    max_depth: int = 512  # element nesting; real pages stay well under 100
    max_tokens: int = 200_000  # a whole report has a few thousand

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"{f.name} must be a positive integer, not {value!r}")


# --- bytes to text ------------------------------------------------------------

_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([a-z0-9_.:\-]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([a-z0-9_.:\-]+)""", re.IGNORECASE)
_PRESCAN_BYTES = 32 * 1024
_GB_CHARSETS = frozenset({"gb2312", "gbk", "gb18030", "x-gbk", "gb_2312", "gb_2312-80", "gb-2312", "cp936",
                          "ms936", "windows-936", "euc-cn", "euccn", "csgb2312", "chinese", "iso-ir-58",
                          "csiso58gb231280"})
_BIG5_CHARSETS = frozenset({"big5", "big-5", "big5-hkscs", "big5hkscs", "x-x-big5", "cn-big5", "csbig5",
                            "cp950"})
_BINARY_MAGIC = (
    (b"%PDF", "it is a PDF file"),
    (b"PK\x03\x04", "it is a zip archive (a .docx?)"),
    (bytes.fromhex("D0CF11E0A1B11AE1"), "it is an old Office file (.doc, .xls)"),
    (b"\x89PNG", "it is an image"),
    (b"\xff\xd8\xff", "it is an image"),
    (b"GIF8", "it is an image"),
    (b"{\\rtf", "it is an RTF file"),
)
# C0 controls that no text holds (tab, line feed, form feed, carriage return and escape can).
_CONTROL_BYTES = bytes([*range(0x01, 0x09), 0x0B, *range(0x0E, 0x1B), *range(0x1C, 0x20)])


def binary_reason(data: bytes) -> str | None:
    """Why these bytes cannot be a web page, or None when they might be one."""
    if not data.strip():
        return "the file is empty"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None
    for magic, reason in _BINARY_MAGIC:
        if data.startswith(magic):
            return reason
    sample = data[:64 * 1024]
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    if b"\x00" in sample or controls > len(sample) // 100:
        return "it holds binary data"
    return None


def declared_charset(data: bytes) -> str | None:
    """The charset the page declares in an XML declaration or a <meta> tag (first 32 KB), as written."""
    head = data[:_PRESCAN_BYTES]
    found = _XML_ENCODING.search(head) or _META_CHARSET.search(head)
    return found.group(1).decode("ascii").lower() if found else None


def charset_codec(name: str) -> str | None:
    """The Python codec to decode a declared charset with; None when unknown or unfit for a Chinese page.

    GB2312 and GBK pages are decoded as GB18030 (their superset: pages labelled
    GB2312 routinely use GBK characters). A Western single-byte charset cannot
    hold a Chinese report, so such a label is taken as a mistake and ignored.
    """
    name = name.strip().lower()
    if name in _GB_CHARSETS:
        return "gb18030"
    if name in _BIG5_CHARSETS:
        return "big5hkscs"
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        return None
    if codec.startswith(("utf-16", "utf-32")):
        return "utf-8"  # a byte-oriented page cannot really be UTF-16 (the HTML standard says the same)
    if codec == "ascii" or codec.startswith(("iso8859", "latin", "cp125", "mac-", "cp437", "cp850")):
        return None
    return codec


def guess_codec(data: bytes) -> str | None:
    """charset-normalizer's guess, with the GB family widened to GB18030."""
    best = from_bytes(data).best()
    if best is None:
        return None
    return "gb18030" if best.encoding.lower() in _GB_CHARSETS else best.encoding


def _in_gb2312(char: str) -> bool:
    try:
        char.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


_GB_SAMPLE_CHARS = 200_000


def common_gb_text(data: bytes) -> str | None:
    """The page decoded as GB18030 when nearly all its Chinese is common (GB2312) text; else None.

    charset-normalizer misreads short GBK pages (as Korean or Big5). Text that
    decodes as GB18030 into common simplified characters is GBK: Big5 or other
    double-byte text decoded that way turns into rare characters.
    """
    text = _decode_tolerant(data, "gb18030")
    if text is None:
        return None
    wide = [char for char in text[:_GB_SAMPLE_CHARS] if ord(char) > 0x7F and char != "\ufffd"]
    if not wide:
        return None
    common = sum(1 for char in wide if _in_gb2312(char))
    # A few rare characters (names) are normal; a short text gets more leeway.
    return text if common >= (0.9 if len(wide) >= 20 else 0.6) * len(wide) else None


def _decode_tolerant(data: bytes, codec: str) -> str | None:
    """Decode allowing a few damaged bytes (a truncated character, a stray byte); None when many fail."""
    text = data.decode(codec, errors="replace")
    return text if text.count("\ufffd") <= max(3, len(text) // 2000) else None


def _utf8_text(data: bytes) -> str | None:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def decode_html(data: bytes) -> tuple[str, list[str]]:
    """Page text and notes on how it was decoded: BOM, then the declared charset, then UTF-8, then a guess.

    One exception to the order: a page declaring some other charset whose bytes
    are valid UTF-8 with real Chinese text in them is UTF-8. Pages moved to UTF-8
    keep their old <meta> (the server's header said UTF-8), while GBK text of
    any length is never valid UTF-8 by accident.
    """
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return data.decode(codec, errors="replace"), []
    problems: list[str] = []
    declared = declared_charset(data)
    codec = charset_codec(declared) if declared else None
    if codec and codec != "utf-8":
        utf8 = _utf8_text(data)
        if utf8 is not None and len(data) - len(utf8) >= 20:  # some ten Chinese characters
            return utf8, [f"the page declares charset {declared} but is UTF-8; decoded as UTF-8"]
    if codec:
        try:
            return data.decode(codec), problems
        except UnicodeDecodeError:
            text = _decode_tolerant(data, codec)
            if text is not None:
                return text, [f"a few bytes do not fit the declared charset {declared}; they were replaced"]
        problems.append(f"the page declares charset {declared} but its bytes do not fit it")
    utf8 = _utf8_text(data)
    if utf8 is not None:
        return utf8, problems
    gb_text = common_gb_text(data)
    if gb_text is not None:
        if declared:
            problems.append("decoded as gb18030 instead")
        return gb_text, problems
    guessed = guess_codec(data)
    for candidate in ([guessed] if guessed else []) + ["gb18030"]:
        text = _decode_tolerant(data, candidate)
        if text is not None:
            if declared:
                problems.append(f"decoded as {candidate} instead")
            return text, problems
    problems.append("the page's encoding could not be recognised; "
                    "decoded as UTF-8 with replacement characters")
    return data.decode("utf-8", errors="replace"), problems


def parse_html(text: str) -> BeautifulSoup:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # bs4's hints about XHTML or locator-like markup
        return BeautifulSoup(text, "lxml")


# --- site chrome ---------------------------------------------------------------

# Never text of the page as shown.
ALWAYS_DROPPED = frozenset({"head", "script", "style", "noscript", "template", "iframe", "frame", "object",
                            "embed", "svg", "math", "canvas", "select", "textarea", "button", "input",
                            "rt", "rp"})
CHROME_TAGS = frozenset({"nav", "aside", "form", "header", "footer"})
CHROME_WORDS = ("nav", "menu", "footer", "breadcrumb", "crumb", "sidebar")
CHROME_ROLES = frozenset({"navigation", "banner", "contentinfo", "complementary", "search", "menu",
                          "menubar"})
# Wrappers that are the page itself: never chrome, whatever their class says.
NEVER_CHROME = frozenset({"html", "body", "main", "article"})
BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details", "dialog",
    "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4",
    "h5", "h6", "header", "hgroup", "hr", "html", "legend", "li", "main", "menu", "nav", "ol", "p", "pre",
    "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
})
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_NUMBERING = re.compile(r"^(?:[一二三四五六七八九十]+[、.．]|[(（][一二三四五六七八九十\d]+[)）]|\d+[.．、])")
_NUMBER = re.compile(r"^[+-]?\d[\d,]*(?:\.\d+)?$")


def _squash(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


@cache
def report_markers() -> tuple[str, ...]:
    """Words only a report carries: its section titles and table headers (from the schema)."""
    labels = [title for _, title in schema.sections()]
    for fmt in schema.FORMAT_VERSIONS:
        labels += [header for row in schema.disclosure_rows(fmt) for _, header in row.fields]
        labels += [label for _, label in schema.application_rows(fmt)]
    labels += [label for _, label in schema.review_fields()]
    markers = set()
    for label in labels:
        for part in label.split():
            core = _squash(_NUMBERING.sub("", _squash(part)))
            if len(core) >= 4:
                markers.add(core)
    return tuple(sorted(markers))


def _numeric_cells(table: Tag) -> int:
    return sum(1 for cell in table.find_all(["td", "th"]) if _NUMBER.match(cell.get_text().strip()))


def holds_report_content(tag: Tag) -> bool:
    """True when the element carries a report heading or table header, or a table of figures."""
    text = _squash(tag.get_text())
    if any(marker in text for marker in report_markers()):
        return True
    return any(_numeric_cells(table) >= 6 for table in tag.find_all("table"))


def is_hidden(tag: Tag) -> bool:
    return (tag.has_attr("hidden") or str(tag.get("aria-hidden", "")).lower() == "true"
            or bool(_HIDDEN_STYLE.search(str(tag.get("style", "")))))


def chrome_kind(tag: Tag) -> str | None:
    """Why an element looks like site chrome: "semantic" (nav, aside, header, footer, an ARIA
    role), "named" (a form, or a class/id with nav, menu, footer …), or None."""
    name = tag.name
    if name in NEVER_CHROME:
        return None
    if name == "form":
        return "named"  # ASP.NET pages wrap the whole page in one
    if name in CHROME_TAGS:
        # header/footer inside an article belong to the article (its title, its signature).
        in_article = name in ("header", "footer") and tag.find_parent(["article", "main"]) is not None
        return None if in_article else "semantic"
    if str(tag.get("role", "")).lower() in CHROME_ROLES:
        return "semantic"
    classes = tag.get("class") or []
    if isinstance(classes, str):
        classes = [classes]
    names = (" ".join(classes) + " " + str(tag.get("id", ""))).lower()
    return "named" if any(word in names for word in CHROME_WORDS) else None


@dataclass(frozen=True)
class _Page:
    limits: HtmlLimits
    chars: int  # visible characters on the whole page


# A class or id is a weak sign: an element holding most of a page of text is its wrapper.
_WRAPPER_MIN_CHARS = 200


def is_dropped(tag: Tag, page: _Page) -> bool:
    """Whether to leave an element out: never text, or chrome that carries no part of the report.

    Conservative: chrome is kept when it holds report headings or figures, and
    an element that is hidden, or chrome only by its class, id or being a form,
    is kept when it holds most of the page's text (then it wraps the page).
    """
    if tag.name in ALWAYS_DROPPED:
        return True
    if tag.name in NEVER_CHROME:
        return False
    kind = "hidden" if is_hidden(tag) else chrome_kind(tag)
    if kind is None or holds_report_content(tag):
        return False
    if kind in ("named", "hidden"):  # scripts reveal pages hidden while they load
        chars = len(_squash(tag.get_text()))
        return not (chars >= _WRAPPER_MIN_CHARS and chars * 2 > page.chars)
    return True


# --- walking --------------------------------------------------------------------


class _Break:
    """A line boundary in the event stream."""


BREAK = _Break()


def check_nesting(root: Tag, limits: HtmlLimits) -> None:
    """Refuse pages nested deeper than any real page (elements, or tables inside tables)."""
    stack = [(root, 0, 0)]
    while stack:
        node, depth, tables = stack.pop()
        if depth > limits.max_depth:
            raise LoadError(f"the page nests elements more than {limits.max_depth} deep")
        if tables > limits.max_table_depth:
            raise LoadError(f"the page nests tables more than {limits.max_table_depth} deep")
        for child in node.contents:
            if isinstance(child, Tag):
                stack.append((child, depth + 1, tables + (child.name == "table")))


def walk(root: Tag, page: _Page, *, cell_mode: bool) -> Iterator[str | _Break | Tag]:
    """Text pieces, line breaks and (outside cells) data tables under `root`, in document order."""
    stack: list = [(root, False, True)]
    while stack:
        item = stack.pop()
        if item is BREAK:
            yield BREAK
            continue
        node, in_pre, is_root = item
        if isinstance(node, NavigableString):
            if isinstance(node, PreformattedString):  # comments, CDATA, doctype, processing instructions
                continue
            if in_pre:
                first, *rest = str(node).split("\n")
                yield first
                for part in rest:
                    yield BREAK
                    yield part
            else:
                yield str(node)
            continue
        if not isinstance(node, Tag):
            continue
        name = node.name
        if name == "br":
            yield BREAK
            continue
        if not is_root and is_dropped(node, page):
            continue
        if name == "table" and not cell_mode and not is_layout_table(node):
            yield node
            continue
        if name in BLOCK_TAGS:
            yield BREAK
            stack.append(BREAK)
        in_pre = in_pre or name == "pre"
        stack.extend((child, in_pre, False) for child in reversed(node.contents))


def lines_from_events(events: Iterable[str | _Break]) -> Iterator[str]:
    """Non-empty collapsed lines of a text/break event stream."""
    buffer: list[str] = []
    for event in events:
        if event is BREAK:
            line = collapse_whitespace("".join(buffer))
            buffer.clear()
            if line:
                yield line
        else:
            buffer.append(event)
    line = collapse_whitespace("".join(buffer))
    if line:
        yield line


def block_lines(tag: Tag, page: _Page) -> list[str]:
    """An element's text as lines, tables walked as blocks."""
    return list(lines_from_events(walk(tag, page, cell_mode=True)))


def cell_text(cell: Tag, page: _Page) -> str:
    """A cell's text on one line: its lines joined (nothing between CJK characters, else a space)."""
    return join_pieces(block_lines(cell, page))


# --- tables ---------------------------------------------------------------------


@dataclass(frozen=True)
class TableParts:
    groups: tuple[tuple[Tag, ...], ...]  # row groups (thead, tbodies, tfoot last), each its <tr>s
    caption: Tag | None
    stray: tuple[Tag | NavigableString, ...]  # content outside any cell, shown before the table


def _is_text(node) -> bool:
    return (isinstance(node, NavigableString) and not isinstance(node, PreformattedString)
            and bool(node.strip()))


_ROW_GROUPS = ("thead", "tbody", "tfoot")


def _wraps_rows(node) -> bool:
    """A stray element (a <form>, a <div>) that the parser left around some of a table's rows."""
    return (isinstance(node, Tag) and node.name not in ("table", "caption", *_ROW_GROUPS)
            and node.find("tr") is not None)


def _is_stray(node) -> bool:
    return (isinstance(node, Tag) and node.name not in ("colgroup", "col")) or _is_text(node)


def table_parts(table: Tag) -> TableParts:
    """A table's own rows by row group, its caption and stray content (not those of nested tables)."""
    groups: list[tuple[Tag, ...]] = []
    footers: list[tuple[Tag, ...]] = []
    loose: list[Tag] = []  # <tr>s straight under the table: an implied row group
    stray: list = []
    caption = None

    def rows_of(container: Tag, into: list[Tag]) -> None:
        for child in container.children:
            if isinstance(child, Tag) and child.name == "tr":
                into.append(child)
            elif _wraps_rows(child):
                rows_of(child, into)
            elif _is_stray(child):
                stray.append(child)

    for child in table.children:
        name = child.name if isinstance(child, Tag) else None
        if name in _ROW_GROUPS:
            if loose:
                groups.append(tuple(loose))
                loose = []
            rows: list[Tag] = []
            rows_of(child, rows)
            (footers if name == "tfoot" else groups).append(tuple(rows))
        elif name == "caption" and caption is None:
            caption = child
        elif name == "tr":
            loose.append(child)
        elif _wraps_rows(child):
            rows_of(child, loose)
        elif _is_stray(child):
            stray.append(child)
    if loose:
        groups.append(tuple(loose))
    # The HTML table model puts footers last, wherever they stand in the source.
    return TableParts(tuple(g for g in groups + footers if g), caption, tuple(stray))


def row_cells(row: Tag) -> list[Tag]:
    return [c for c in row.children if isinstance(c, Tag) and c.name in ("td", "th")]


def is_layout_table(table: Tag) -> bool:
    """A table used for page layout: it holds another table, or has a single cell."""
    if table.find("table") is not None:
        return True
    parts = table_parts(table)
    return sum(len(row_cells(row)) for group in parts.groups for row in group) <= 1


def _span(value, *, default: int, allow_zero: bool, cap: int) -> int:
    """A rowspan/colspan attribute as browsers read it: leading digits, out-of-range values clamped."""
    match = re.match(r"\s*(\d+)", str(value)) if value is not None else None
    if not match:
        return default
    number = int(match.group(1)[:6])
    if number == 0:
        return 0 if allow_zero else 1
    return min(number, cap)


def cell_spans(cell: Tag) -> tuple[int, int]:
    """(rowspan, colspan) of a cell; rowspan 0 means "to the end of the row group"."""
    return (_span(cell.get("rowspan"), default=1, allow_zero=True, cap=65534),
            _span(cell.get("colspan"), default=1, allow_zero=False, cap=1000))


def place_cells(rows: list[list[tuple[int, int]]], group_end: list[int], max_cols: int
                ) -> list[list[tuple[int, int, int, int]]]:
    """Grid positions of cells given their (rowspan, colspan), row by row: (row, col, rowspan, colspan).

    The HTML table algorithm: each cell takes the first free slot of its row;
    a rowspan reaches at most to the end of its row group (`group_end[y]` is
    the first row after row y's group; rowspan 0 reaches exactly there).
    """
    occupied = [bytearray(max_cols) for _ in rows]
    placed: list[list[tuple[int, int, int, int]]] = []
    for y, cells in enumerate(rows):
        x = 0
        out = []
        for rowspan, colspan in cells:
            while x < max_cols and occupied[y][x]:
                x += 1
            if x + colspan > max_cols:
                raise LoadError(f"a table is wider than {max_cols} columns")
            end = group_end[y]
            height = end - y if rowspan == 0 else min(rowspan, end - y)
            for yy in range(y, y + height):
                occupied[yy][x:x + colspan] = b"\x01" * colspan
            out.append((y, x, height, colspan))
            x += colspan
        placed.append(out)
    return placed


def table_grid(parts: TableParts, page: _Page) -> Grid:
    """The data cells of a table on its grid, with their text."""
    limits = page.limits
    rows = [row for group in parts.groups for row in group]
    if len(rows) > limits.max_table_rows:
        raise LoadError(f"a table has {len(rows)} rows, over the limit of {limits.max_table_rows}")
    group_end: list[int] = []
    for group in parts.groups:
        group_end += [len(group_end) + len(group)] * len(group)
    cells = [row_cells(row) for row in rows]
    placed = place_cells([[cell_spans(c) for c in row] for row in cells], group_end, limits.max_table_cols)
    return Grid(tuple(
        GridCell(y, x, height, width, cell_text(cell, page))
        for row, positions in zip(cells, placed)
        for cell, (y, x, height, width) in zip(row, positions)
    ))


def table_items(table: Tag, page: _Page) -> Iterator[Line | Grid]:
    """A data table's caption and stray text as lines, then its grid."""
    parts = table_parts(table)
    if parts.caption is not None:
        yield from (Line(text) for text in block_lines(parts.caption, page))
    for node in parts.stray:
        if isinstance(node, Tag):
            if not is_dropped(node, page):
                yield from (Line(text) for text in block_lines(node, page))
        elif text := collapse_whitespace(str(node)):
            yield Line(text)
    grid = table_grid(parts, page)
    if grid.cells:
        yield grid


def page_items(root: Tag, page: _Page) -> Iterator[Line | Grid]:
    """Prose lines and data tables of a page in document order."""
    buffer: list[str] = []

    def flush() -> Iterator[Line]:
        text = collapse_whitespace("".join(buffer))
        buffer.clear()
        if text:
            yield Line(text)

    for event in walk(root, page, cell_mode=False):
        if event is BREAK:
            yield from flush()
        elif isinstance(event, Tag):
            yield from flush()
            yield from table_items(event, page)
        else:
            buffer.append(event)
    yield from flush()


# --- the loader -------------------------------------------------------------------


def read_limited(path: Path, max_bytes: int, kind: str) -> bytes:
    size = path.stat().st_size
    if size > max_bytes:
        raise LoadError(f"{kind} of {size / MB:.0f} MB is over the {max_bytes / MB:.0f} MB limit")
    return path.read_bytes()


def load(path: Path, **limits) -> Document:
    """Tokens of a saved web page; limits are the fields of `HtmlLimits`."""
    settings = HtmlLimits(**limits)
    data = read_limited(Path(path), settings.max_bytes, "HTML file")
    reason = binary_reason(data)
    if reason:
        raise LoadError(f"not an HTML page: {reason}")
    text, problems = decode_html(data)
    soup = parse_html(text)
    check_nesting(soup, settings)
    page = _Page(settings, len(_squash(soup.get_text())))
    tokens = tokens_from_items(page_items(soup, page), settings.max_tokens, tokens_from_text)
    return Document(tokens=tokens, format="html", pages=1, problems=problems)
