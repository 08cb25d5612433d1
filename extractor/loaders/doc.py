"""Legacy Word 97–2003 loader: .doc files, read by converting them to .docx with LibreOffice.

The chain: `check_word97` (OLE2 compound file holding a WordDocument stream) →
`extractor.convert.convert` into a throw-away directory → the .docx loader.
"""

from __future__ import annotations

import dataclasses
import tempfile
from pathlib import Path

from ..convert import DEFAULT_TIMEOUT, ConversionError, convert
from ..tokens import Document, LoadError
from . import docx as docx_loader
from .common import MB

OLE2_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
# The directory entry name of a Word document's main stream, as stored (UTF-16LE).
WORD_STREAM_NAME = "WordDocument".encode("utf-16-le")
MAX_BYTES = 200 * MB

_OTHER_FORMATS = (
    (b"PK\x03\x04", "it is a zip archive (a .docx saved under a .doc name?)"),
    (b"{\\rtf", "it is an RTF file"),
    (b"%PDF", "it is a PDF file"),
)


def check_word97(data: bytes) -> None:
    """Refuse anything but a Word 97–2003 binary document, saying what it seems to be instead."""
    if not data:
        raise LoadError("not a Word .doc file: the file is empty")
    if not data.startswith(OLE2_MAGIC):
        for magic, what in _OTHER_FORMATS:
            if data.startswith(magic):
                raise LoadError(f"not a Word .doc file: {what}")
        if data.lstrip()[:1] == b"<":
            raise LoadError("not a Word .doc file: it is a web page or XML saved under a .doc name")
        raise LoadError("not a Word .doc file")
    if WORD_STREAM_NAME not in data:
        raise LoadError("not a Word .doc file: an Office file of another kind (no WordDocument stream)")


def load(path: Path, *, max_bytes: int = MAX_BYTES, timeout: float = DEFAULT_TIMEOUT, **limits) -> Document:
    """Tokens of a .doc file; `limits` are the fields of `DocxLimits`, applied to the converted file."""
    path = Path(path)
    size = path.stat().st_size
    if size > max_bytes:
        raise LoadError(f"Word file of {size / MB:.0f} MB is over the {max_bytes / MB:.0f} MB limit")
    docx_loader.DocxLimits(**limits)  # refuse unknown or bad limits before the slow conversion
    check_word97(path.read_bytes())
    with tempfile.TemporaryDirectory(prefix="ogi-doc-") as scratch:
        try:
            converted = convert(path, "docx", Path(scratch), timeout=timeout)
        except ConversionError as error:
            raise LoadError(str(error)) from None
        document = docx_loader.load(converted, **limits)
    return dataclasses.replace(document, format="doc")
