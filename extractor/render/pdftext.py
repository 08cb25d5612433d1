"""Text copies of the PDF rendering, as poppler's pdftotext makes them (txt-layout, txt-raw).

    layout: `pdftotext -layout`: each page's lines with the words where they stand, columns
            kept by runs of spaces; pages apart by a form feed.
    raw:    `pdftotext -raw`: words in the order the PDF draws them, no column alignment.

The PDF is the one `render(gold, "pdf", …)` writes (LibreOffice from the DOCX), so every
option of that rendering (table_rules, page_header, fonts …) shows in the copy too.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..convert import DEFAULT_TIMEOUT, ConversionError
from .document import Manuscript
from .office import write_office
from .options import RenderOptions
from .text import encode_text

PDFTOTEXT_MODES = ("layout", "raw")
_PAGE_NUMBER = re.compile(r"^-\s*\d+\s*-$")


def pdftotext_binary() -> str:
    found = shutil.which("pdftotext")
    if found is None:
        raise ConversionError("poppler's pdftotext is not installed (needed for the txt-layout and txt-raw "
                              "renderings); install it with: apt-get install poppler-utils")
    return found


def pdf_text(pdf: Path, mode: str, *, timeout: float = DEFAULT_TIMEOUT) -> str:
    """The text of `pdf` as `pdftotext -<mode> -enc UTF-8` prints it."""
    if mode not in PDFTOTEXT_MODES:
        raise ValueError(f"unknown pdftotext mode {mode!r} (expected one of {PDFTOTEXT_MODES})")
    cmd = [pdftotext_binary(), f"-{mode}", "-enc", "UTF-8", str(pdf), "-"]
    try:
        done = subprocess.run(cmd, capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise ConversionError(f"pdftotext did not finish on {Path(pdf).name} within {timeout:g} s") from None
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ConversionError(f"pdftotext could not read {Path(pdf).name}: "
                              f"{detail[-1] if detail else f'exit status {done.returncode}'}")
    return done.stdout.decode("utf-8")


def pdf_copy(ms: Manuscript, mode: str, options: RenderOptions | None = None, *,
             timeout: float = DEFAULT_TIMEOUT) -> str:
    """The text pdftotext copies out of the report's PDF rendering (made under a scratch directory)."""
    options = options or RenderOptions()
    with tempfile.TemporaryDirectory(prefix="ogi-render-") as scratch:
        pdf = write_office(ms, "pdf", Path(scratch), "report", options, timeout=timeout)
        return pdf_text(pdf, mode, timeout=timeout)


def write_pdf_text(ms: Manuscript, mode: str, out_dir: Path, name: str, options: RenderOptions | None = None,
                   *, timeout: float = DEFAULT_TIMEOUT) -> Path:
    """Render the PDF under a scratch directory and write its pdftotext copy as out_dir/<name>.txt
    (in `options.encoding`)."""
    options = options or RenderOptions()
    if mode not in PDFTOTEXT_MODES:
        raise ValueError(f"unknown pdftotext mode {mode!r} (expected one of {PDFTOTEXT_MODES})")
    pdftotext_binary()  # fail before LibreOffice runs
    text = pdf_copy(ms, mode, options, timeout=timeout)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{name}.txt"
    path.write_bytes(encode_text(text, options.encoding))
    return path


def furniture_lines(text: str, running_title: str) -> list[int]:
    """0-based numbers of the lines (split at '\\n') a pdftotext copy took from page headers and
    footers: the running title and the "- N -" page numbers the DOCX prints in its margins.

    The running title counts as furniture only as a page's first or last printed line, so a
    body title of the same words (printed below the header) stays text.
    """
    lines = text.split("\n")
    title = re.sub(r"\s+", "", running_title)
    pages: list[list[int]] = [[]]
    for i, line in enumerate(lines):
        if "\f" in line and pages[-1]:
            pages.append([])
        if line.replace("\f", "").strip():
            pages[-1].append(i)
    out = set()
    for page in pages:
        for i in page:
            if _PAGE_NUMBER.match(lines[i].replace("\f", "").strip()):
                out.add(i)
        for i in (page[:1] + page[-1:]):
            if title and re.sub(r"\s+", "", lines[i]) == title:
                out.add(i)
    return sorted(out)
