"""Scanned reports: PDF pages without a usable text layer, and page images, read by OCR.

Each page image becomes the PDF loader's PageLayout (`extractor.ocr.page`), so
page furniture, tables continued across pages and the token stream come from
the PDF loader's own functions; what OCR adds is a confidence on every token
(the least sure word in it) and `unreadable` on cells that cannot be trusted as
figures: ink that read as nothing, digits mixed with the letters OCR confuses
with them (O/0, l/1, S/5, B/8), which are never "corrected", or with stray marks.

    load_image(path)                        .png .jpg .jpeg .tif .tiff (one page per frame)
    read_with_ocr(path, count, layouts, …)  the PDF loader's hand-over for pages without text
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from difflib import SequenceMatcher
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..geometry import pages as layout
from ..geometry.words import DEFAULT_SETTINGS, LayoutSettings, is_cjk
from ..normalize import to_halfwidth
from ..tokens import Document, LoadError, Token
from ..values import looks_like_value
from ..vocabulary import BLANK_MARKS

if TYPE_CHECKING:
    from ..ocr.page import ReadPage
    from ..ocr.settings import OcrSettings

FORMAT = "scanned-pdf"
A4_WIDTH_INCHES = 8.27  # an image without a believable resolution is taken as an A4 page's width
PAGE_WIDTH_INCHES = (4.0, 17.0)  # a declared resolution is believed when the page comes out this wide
# Chinese characters OCR reads for the digits 0 and 1 (Latin letters all count as suspect).
_LOOKALIKES = frozenset("〇口囗日丨")
_SPACE = re.compile(r"\s+")
GARBLED_CONFIDENCE = 0.5  # a table cell with digits read less surely than this is not trusted at all


def ocr_installed() -> bool:
    from ..ocr.engine import available

    return available()


# --- page images -------------------------------------------------------------------------

def render_pdf_pages(path: Path, numbers: Sequence[int], dpi: int) -> Iterator[tuple[int, np.ndarray]]:
    """(page number, grey image at `dpi`) of the given 1-based pages, rendered by PDFium."""
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        raise LoadError(f"not a readable PDF: {path.name} ({exc})") from None
    try:
        for number in numbers:
            page = document[number - 1]
            try:
                bitmap = page.render(scale=dpi / 72.0, grayscale=True)
                yield number, np.array(bitmap.to_numpy()).reshape(bitmap.height, bitmap.width, -1)[:, :, 0].copy()
            finally:
                page.close()
    finally:
        document.close()


def image_dpi(info: dict, width: int) -> float:
    """The resolution an image says it has, else the one that makes it an A4 page wide.

    Cameras and many scanners write 72 or 96 dpi whatever they took: a declared resolution
    is believed only when it makes a page of a believable width.
    """
    dpi = info.get("dpi")
    try:
        x_dpi = float(dpi[0]) if dpi else 0.0
    except (TypeError, ValueError, IndexError):
        x_dpi = 0.0
    if x_dpi > 0 and PAGE_WIDTH_INCHES[0] <= width / x_dpi <= PAGE_WIDTH_INCHES[1]:
        return x_dpi
    return width / A4_WIDTH_INCHES


def image_pages(path: Path, dpi: int, max_pages: int) -> Iterator[tuple[int, np.ndarray]]:
    """(page number, grey image resampled to `dpi`) per frame of an image file."""
    from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError

    from ..ocr.image import resample

    try:
        with Image.open(path) as opened:
            frames = getattr(opened, "n_frames", 1)
            if frames > max_pages:
                raise LoadError(f"the image has {frames} pages, more than the OCR limit of {max_pages}; "
                                "raise OGI_OCR_MAX_PAGES to read it")
            for number, frame in enumerate(ImageSequence.Iterator(opened), start=1):
                upright = ImageOps.exif_transpose(frame) if number == 1 else frame
                gray = np.asarray(upright.convert("L"))
                yield number, resample(gray, dpi / image_dpi(opened.info, gray.shape[1]))
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError) as exc:
        raise LoadError(f"not a readable image: {path.name} ({exc})") from None


def read_images(pages: Iterable[tuple[int, np.ndarray]], settings: OcrSettings) -> dict[int, ReadPage]:
    """Page number -> the page read by OCR."""
    from ..ocr.engine import get_engine
    from ..ocr.page import read_page_image

    engine = get_engine(settings.threads)
    return {number: read_page_image(gray, number, engine, settings) for number, gray in pages}


# --- tokens ----------------------------------------------------------------------------------

def looks_misread(text: str) -> bool:
    """Where a figure stands, something OCR garbled: digits mixed with letters it confuses with
    them ("1O865", "2648.S2"), a lone letter ("O", "E", "口") or stray marks (".", "0.：").
    Not to be trusted, and never "corrected": the cell is reported unreadable. Blank marks
    ("—", "/") and well-formed figures are not misreadings; nor is Chinese text."""
    printed = _SPACE.sub("", to_halfwidth(text))
    if not printed or len(printed) > 20 or printed in BLANK_MARKS or looks_like_value(printed):
        return False
    return all(c.isascii() or c in _LOOKALIKES or unicodedata.category(c)[0] in "PS" for c in printed)


def mostly_digits(text: str) -> bool:
    """As many digits as Chinese characters: a figure, perhaps garbled ("：1 0面", "泵0"), not
    a label such as "5.属于三类内部事务信息"."""
    digits = sum(c.isdigit() for c in text)
    return digits > 0 and digits >= sum(is_cjk(c) and c.isalpha() for c in text)


def inside(box: Sequence[float], area: Sequence[float], slack: float = 0.5) -> bool:
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    return area[0] - slack <= cx <= area[2] + slack and area[1] - slack <= cy <= area[3] + slack


def attach_confidence(tokens: Sequence[Token], read: dict[int, ReadPage]) -> list[Token]:
    """Tokens of OCR pages with their confidence (their least sure word; 1.0 for a cell with
    no ink), their strongest rival digit (`Token.digit_rival`) and `unreadable` where the
    reading cannot be trusted as printed: ink read as nothing, a garbled figure
    (`looks_misread`), or a cell of mostly digits read so poorly that it may be a figure that
    would pass for a label ("：1 0面")."""
    from ..ocr.page import UNREAD

    out = []
    for tok in tokens:
        page = read.get(tok.page)
        if page is not None and tok.bbox is None and tok.table is not None and not tok.text.strip():
            # a blank placed by position in a table without ruling lines: OCR may have missed faint
            # print there, so it is not taken for blank without a look
            out.append(replace(tok, confidence=0.0))
            continue
        if page is None or tok.bbox is None:
            out.append(tok)
            continue
        found = [w for w in page.words if inside(w.word[1:5], tok.bbox)]
        confidence = min(w.confidence for w in found) if found else (1.0 if not tok.text.strip() else 0.0)
        rival = max((w.rival for w in found), default=0.0)
        unreadable = tok.unreadable or UNREAD in tok.text or (tok.cell and (
            looks_misread(tok.text) or (confidence < GARBLED_CONFIDENCE and mostly_digits(tok.text))))
        out.append(replace(tok, confidence=confidence, digit_rival=rival, unreadable=unreadable))
    return out


def mark_furniture(layouts: Sequence, settings: LayoutSettings = DEFAULT_SETTINGS,
                   similarity: float = 0.8) -> set[tuple[int, int]]:
    """The PDF loader's page furniture, plus margin lines repeated with an OCR slip: a running
    title read "厂兰街道…" on one page and "丁兰街道…" on the others is still the running title."""
    marked = layout.mark_furniture(layouts, settings)
    margin: dict[str, list[tuple[int, int, str]]] = {}
    for p, page in enumerate(layouts):
        for i, line in enumerate(page.lines):
            zone = layout.margin_zone(line, page.bbox, settings.margin_fraction)
            text = re.sub(r"[\d\s]", "", line.text)
            if zone is not None and len(text) >= 4:
                margin.setdefault(zone, []).append((p, i, text))
    for lines in margin.values():
        for p, i, text in lines:
            if (p, i) not in marked and any(
                    q != p and SequenceMatcher(None, text, other).ratio() >= similarity for q, _, other in lines):
                marked.add((p, i))
    return marked


def assemble(layouts: list, read: dict[int, ReadPage], count: int, problems: list[str],
             settings: LayoutSettings = DEFAULT_SETTINGS) -> Document:
    """The PDF loader's chain over page layouts (some read by OCR), then OCR confidences."""
    furniture = mark_furniture(layouts, settings)
    tables = layout.join_tables(layouts, furniture, settings)
    tokens = attach_confidence(layout.layout_tokens(layouts, furniture, tables, settings), read)
    return Document(tokens=tokens, format=FORMAT, pages=count, problems=problems)


def _settings() -> OcrSettings:
    """The OCR settings of this process; a bad OGI_OCR_* value fails each scanned file plainly."""
    from ..ocr.settings import OcrSettings

    try:
        return OcrSettings.from_env()
    except ValueError as exc:
        raise LoadError(f"cannot read scanned pages: {exc}") from None


# --- the loaders ----------------------------------------------------------------------------

def read_with_ocr(path: Path, count: int, layouts: list, numbers: Sequence[int], damaged: list[str],
                  settings: LayoutSettings = DEFAULT_SETTINGS) -> Document:
    """The PDF loader's hand-over: pages `numbers` (no text layer, or undecodable glyphs) read
    by OCR in place of their layouts; the other pages keep their text layer."""
    ocr_settings = _settings()
    if len(numbers) > ocr_settings.max_pages:
        raise LoadError(f"scanned PDF: {len(numbers)} pages to read by OCR, more than the limit of "
                        f"{ocr_settings.max_pages}; raise OGI_OCR_MAX_PAGES to read it")
    read = read_images(render_pdf_pages(path, numbers, ocr_settings.dpi), ocr_settings)
    layouts = [read[page.number].layout if page.number in read else page for page in layouts]
    if not any(page.has_text for page in layouts):
        raise LoadError("scanned PDF: no text layer, and OCR found no text on its pages")
    problems = damaged + layout.page_problems(layouts, settings)
    return assemble(layouts, read, count, problems, settings)


def load_image(path: Path) -> Document:
    """A scanned page image (or a multi-page TIFF) read by OCR; format "scanned-pdf"."""
    path = Path(path)
    if not ocr_installed():
        raise LoadError("a page image: install the OCR extra (scripts/setup does) to read it")
    settings = _settings()
    read = read_images(image_pages(path, settings.dpi, settings.max_pages), settings)
    layouts = [read[number].layout for number in sorted(read)]
    if not any(page.has_text for page in layouts):
        raise LoadError("an image without text: OCR found nothing to read")
    return assemble(layouts, read, len(layouts), [])
