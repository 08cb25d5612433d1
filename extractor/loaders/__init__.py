"""One loader per input format, all returning the same token stream (tokens.Document).

`load` picks the loader from the file's content first and its name second, so
a mislabelled file is read by the right loader or refused with a plain reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..convert import DEFAULT_TIMEOUT as CONVERT_TIMEOUT
from ..tokens import Document, LoadError

MAX_PDF_PAGES = 500  # the PDF loader's default page limit


@dataclass(frozen=True)
class LoadSettings:
    """The loader limits `ogi extract` and `ogi serve` can change (`--max-pages`, `--convert-timeout`).

    max_pages: a PDF with more pages is refused (checked before its page tree is walked).
    convert_timeout: seconds LibreOffice may take to convert a .doc before it is killed.
    The other limits are the loaders' own settings (`HtmlLimits`, `DocxLimits`, ...), at their defaults.
    """

    max_pages: int = MAX_PDF_PAGES
    convert_timeout: float = CONVERT_TIMEOUT

    def __post_init__(self) -> None:
        if isinstance(self.max_pages, bool) or not isinstance(self.max_pages, int) or self.max_pages < 1:
            raise ValueError(f"max_pages={self.max_pages!r}: expected a whole number of pages, 1 or more")
        if not self.convert_timeout > 0:
            raise ValueError(f"convert_timeout={self.convert_timeout!r}: expected a positive number of seconds")


DEFAULT_LOAD_SETTINGS = LoadSettings()

SUFFIXES = {
    ".txt": "txt", ".text": "txt",
    ".html": "html", ".htm": "html", ".shtml": "html", ".xhtml": "html",
    ".docx": "docx", ".doc": "doc", ".pdf": "pdf",
    # Scanned pages, read by OCR (the ocr extra).
    ".png": "image", ".jpg": "image", ".jpeg": "image", ".tif": "image", ".tiff": "image",
}
_IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*")  # PNG, JPEG, TIFF


def sniff(path: Path) -> str:
    """The input format of `path`, from its first bytes where they are telling, else its suffix."""
    with open(path, "rb") as fh:
        head = fh.read(2048)
    if not head:
        raise LoadError("the file is empty")
    if head.startswith(b"%PDF") or b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "doc"
    if head.startswith(_IMAGE_MAGIC):
        return "image"
    suffix = SUFFIXES.get(path.suffix.lower())
    if head.startswith(b"PK\x03\x04"):
        # By content, whatever the name: one content gets one result (the store is keyed by content),
        # and the Word loader says what a zip that is not a .docx is.
        return "docx"
    lowered = head.lower()
    if b"<html" in lowered or b"<!doctype html" in lowered or b"<table" in lowered or b"<body" in lowered:
        return "html"
    if suffix in ("pdf", "doc", "docx"):
        raise LoadError(f"not a {suffix.upper()} file (its content does not match the {path.suffix} name)")
    if suffix == "image":
        raise LoadError(f"not an image (its content does not match the {path.suffix} name)")
    if suffix is None:
        raise LoadError(f"unsupported file type {path.suffix or '(no suffix)'}; "
                        f"supported: {', '.join(sorted(set(SUFFIXES)))}")
    return suffix


def load(path: str | Path, settings: LoadSettings = DEFAULT_LOAD_SETTINGS) -> Document:
    """The token stream of one file; LoadError with a plain reason when it cannot be read."""
    path = Path(path)
    if not path.is_file():
        raise LoadError("no such file" if not path.exists() else "not a regular file")
    fmt = sniff(path)
    if fmt == "txt":
        from .text import load as load_format
    elif fmt == "html":
        from .html import load as load_format
    elif fmt == "docx":
        from .docx import load as load_format
    elif fmt == "doc":
        from .doc import load as load_doc

        return load_doc(path, timeout=settings.convert_timeout)
    elif fmt == "image":
        from .scanned import load_image as load_format
    else:
        from .pdf import load as load_pdf

        return load_pdf(path, max_pages=settings.max_pages)
    return load_format(path)


def supported(path: Path) -> bool:
    """A report file to collect from a folder. Page images are read when named, but not
    collected: a folder's pictures are seldom whole reports, and OCR costs seconds a page."""
    return SUFFIXES.get(path.suffix.lower(), "image") != "image"
