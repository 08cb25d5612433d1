"""DOC and PDF: the rendered DOCX converted by LibreOffice (extractor.convert)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from ..convert import DEFAULT_TIMEOUT, convert
from .document import Manuscript
from .options import RenderOptions
from .wordprint import build_document

OFFICE_TARGETS = ("doc", "pdf")


def write_office(ms: Manuscript, target: str, out_dir: Path, name: str, options: RenderOptions | None = None,
                 *, timeout: float = DEFAULT_TIMEOUT) -> Path:
    """Render the DOCX under a scratch directory and convert it to `target` as out_dir/<name>.<target>."""
    if target not in OFFICE_TARGETS:
        raise ValueError(f"unknown office target {target!r} (expected one of {OFFICE_TARGETS})")
    with tempfile.TemporaryDirectory(prefix="ogi-render-") as scratch:
        source = Path(scratch) / f"{name}.docx"
        build_document(ms, options or RenderOptions()).save(str(source))
        return convert(source, target, Path(out_dir), timeout=timeout)
