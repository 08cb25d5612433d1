"""Render a report description (a gold/result dict) as a document in the national table layout.

    render(gold, "pdf", out_dir)            -> out_dir/<name>.pdf
    render(gold, "txt-pipe", out_dir, merged="inline")
    render(gold, "pdf", out_dir, table_rules="none")      # a table without ruling lines
    render(gold, "txt-layout", out_dir)     # pdftotext -layout of the PDF rendering

The chain: `document.manuscript` (blocks holding `layout` grids) -> one writer
per format (`text`, `html`, `docx`, `office`, `pdftext`). Options: `options.RenderOptions`;
ruling lines: `rules`.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from pathlib import Path

from .document import Block, Manuscript, manuscript
from .grid import Cell, Grid, Placed, placements, slots
from .html import encode_html, page_html
from .layout import active_disclosure_grid, applications_grid, review_litigation_grid, table_grid
from .office import write_office
from .options import RenderOptions
from .pdftext import write_pdf_text
from .rules import TABLE_RULES
from .text import encode_text, render_text
from .wordprint import build_document

FORMATS = ("txt-pipe", "txt-cells", "txt-tabs", "txt-spaces", "txt-layout", "txt-raw", "html", "docx", "doc", "pdf")
SUFFIXES = {"txt-pipe": ".txt", "txt-cells": ".txt", "txt-tabs": ".txt", "txt-spaces": ".txt", "txt-layout": ".txt",
            "txt-raw": ".txt", "html": ".html", "docx": ".docx", "doc": ".doc", "pdf": ".pdf"}
# Text copies of the PDF rendering made by pdftotext: format -> its mode.
PDF_TEXT_FORMATS = {"txt-layout": "layout", "txt-raw": "raw"}
# Formats that need LibreOffice (about a second each).
OFFICE_FORMATS = ("doc", "pdf", *PDF_TEXT_FORMATS)

__all__ = [
    "FORMATS", "OFFICE_FORMATS", "PDF_TEXT_FORMATS", "TABLE_RULES", "Block", "Cell", "Grid", "Manuscript", "Placed",
    "RenderOptions",
    "active_disclosure_grid", "applications_grid", "default_name", "manuscript", "placements",
    "render", "render_bytes", "review_litigation_grid", "slots", "table_grid",
]

_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def default_name(ms: Manuscript) -> str:
    """File name stem: the running title, as downloads from government sites are named."""
    return _UNSAFE.sub("_", ms.running_title).strip(" ._") or "report"


def _content(ms: Manuscript, fmt: str, options: RenderOptions) -> bytes:
    if fmt.startswith("txt-") and fmt not in PDF_TEXT_FORMATS:
        return encode_text(render_text(ms, fmt[4:], options), options.encoding)
    if fmt == "html":
        return encode_html(page_html(ms, options), options.encoding)
    if fmt == "docx":
        buffer = io.BytesIO()
        build_document(ms, options).save(buffer)
        return buffer.getvalue()
    raise ValueError(f"format {fmt!r} has no in-memory rendering (use render) or is unknown; formats: {FORMATS}")


def render_bytes(gold: Mapping, fmt: str, **options: object) -> bytes:
    """File content of a txt-pipe/cells/tabs/spaces, html or docx rendering, without writing a file or
    running LibreOffice."""
    opts = RenderOptions.of(**options)
    return _content(manuscript(gold, opts), fmt, opts)


def render(gold: Mapping, fmt: str, out_dir: Path | str, *, name: str | None = None, **options: object) -> Path:
    """Write the report described by `gold` as `fmt` into `out_dir`; return the file's path.

    fmt: one of FORMATS. name: file stem (default: the running title).
    options: fields of RenderOptions (encoding, merged, page_break_before, table_rules, …).
    txt-layout and txt-raw render the PDF (LibreOffice) and copy its text out with pdftotext.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown render format {fmt!r}; formats: {FORMATS}")
    opts = RenderOptions.of(**options)
    ms = manuscript(gold, opts)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = name or default_name(ms)
    if fmt in ("doc", "pdf"):
        return write_office(ms, fmt, out_dir, stem, opts)
    if fmt in PDF_TEXT_FORMATS:
        return write_pdf_text(ms, PDF_TEXT_FORMATS[fmt], out_dir, stem, opts)
    path = out_dir / (stem + SUFFIXES[fmt])
    path.write_bytes(_content(ms, fmt, opts))
    return path
