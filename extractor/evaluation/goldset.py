"""The gold set an evaluation runs over: gold documents, and each one as input files in several formats.

Two directory layouts are read (`gold_docs`):

- annotations: `DIR/<doc_id>/gold.json` beside the source file it describes
  (`gold.source.file`, else the one `source.*` file), with `DIR/splits.json`;
- flat (synthetic corpora): `DIR/<doc_id>.json` or `DIR/gold/<doc_id>.json`;
  the source is `gold.source.file` resolved against the JSON's folder or the
  folder above it, if it exists; `splits.json` beside the JSONs or in DIR.

Without a splits.json every document is in every split.

Each document becomes one input per requested format (`input_for`): the source
file itself when it is in that format, else a rendering of the gold by
extractor.render, cached under `cache_dir` by the hash of the gold file and of
the renderer's code, and by the render options of the requested format (`RENDERINGS`:
"pdf-unruled" is the PDF with table_rules="none"), so reruns skip LibreOffice.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

SPLITS = ("train", "dev", "test", "all")
# Requested format -> (renderer format, render options): "txt" renders as pipe rows when the
# source is not text; the others are the table layouts real reports come in (issue 15).
RENDERINGS: dict[str, tuple[str, dict[str, object]]] = {
    "txt": ("txt-pipe", {}), "txt-pipe": ("txt-pipe", {}), "txt-cells": ("txt-cells", {}),
    "txt-tabs": ("txt-tabs", {}), "html": ("html", {}), "docx": ("docx", {}), "doc": ("doc", {}),
    "pdf": ("pdf", {}), "scanned-pdf": ("pdf", {}),
    # Tables without every cell ruled (RenderOptions.table_rules).
    "pdf-unruled": ("pdf", {"table_rules": "none"}),
    "pdf-horizontal": ("pdf", {"table_rules": "horizontal"}),
    "pdf-three-line": ("pdf", {"table_rules": "three-line"}),
    "pdf-frame": ("pdf", {"table_rules": "frame"}),
    "docx-unruled": ("docx", {"table_rules": "none"}),
    "html-unruled": ("html", {"table_rules": "none"}),
    # Text copies of the PDF without delimiters: pdftotext, and copy-and-paste out of a PDF reader.
    "txt-layout": ("txt-layout", {}),
    "txt-raw": ("txt-raw", {}),
    "txt-spaces": ("txt-spaces", {"spacing": "aligned"}),
    "txt-spaces-wrapped": ("txt-spaces", {"spacing": "aligned", "label_wrap": 24}),
    "txt-spaces-single": ("txt-spaces", {"spacing": "single"}),
    "txt-spaces-ideographic": ("txt-spaces", {"spacing": "ideographic"}),
    "scanned-pdf-unruled": ("pdf", {"table_rules": "none"}),
    # The second renderer (render.wordprint, issue 26): Word documents of drawn geometry printed to
    # PDF by LibreOffice, never tuned on in their held-out set.
    "word-pdf-unruled": ("pdf", {"table_rules": "none", "geometry": "word"}),
    "word-pdf-horizontal": ("pdf", {"table_rules": "horizontal", "geometry": "word"}),
    "word-pdf-frame": ("pdf", {"table_rules": "frame", "geometry": "word"}),
    "word-pdf-three-line": ("pdf", {"table_rules": "three-line", "geometry": "word"}),
    "word-pdf-tight": ("pdf", {"table_rules": "none", "geometry": "word-tight"}),
    "word-docx-unruled": ("docx", {"table_rules": "none", "geometry": "word"}),
    "word-txt-layout": ("txt-layout", {"table_rules": "none", "geometry": "word"}),
    "word-txt-raw": ("txt-raw", {"table_rules": "none", "geometry": "word"}),
    "word-scanned-unruled": ("pdf", {"table_rules": "none", "geometry": "word"}),
}
# Requested format -> renderer format, and -> render options.
RENDER_FORMATS = {name: fmt for name, (fmt, _) in RENDERINGS.items()}
RENDER_OPTIONS = {name: options for name, (_, options) in RENDERINGS.items()}
# Requested formats made from a PDF rendering (the requested format named) by rasterising it
# into an image-only PDF (read by OCR).
SCAN_SOURCES = {"scanned-pdf": "pdf", "scanned-pdf-unruled": "pdf-unruled", "word-scanned-unruled": "word-pdf-unruled"}
SCANNED_FORMATS = tuple(SCAN_SOURCES)
EVAL_FORMATS = tuple(RENDERINGS)
# What `ogi eval` reads by default. Scanned PDFs are left out: OCR costs about 3 s a page (15 to
# 20 s a seed, against well under a second in the other formats), so they are asked for by
# name, or with "all" (the default formats plus scanned-pdf).
DEFAULT_FORMATS = ("txt", "html", "docx", "doc", "pdf")
# The table layouts of issue 15 (no OCR): `ogi eval --formats layouts`.
LAYOUT_FORMATS = ("pdf-unruled", "pdf-horizontal", "pdf-three-line", "pdf-frame", "docx-unruled", "html-unruled",
                  "txt-layout", "txt-raw", "txt-spaces", "txt-spaces-wrapped", "txt-spaces-single",
                  "txt-spaces-ideographic")
# The second renderer's layouts (no OCR): `ogi eval --formats word`.
WORD_FORMATS = ("word-pdf-unruled", "word-pdf-horizontal", "word-pdf-frame", "word-pdf-three-line", "word-pdf-tight",
                "word-docx-unruled", "word-txt-layout", "word-txt-raw")
FORMAT_GROUPS = {"default": DEFAULT_FORMATS, "all": DEFAULT_FORMATS + ("scanned-pdf",), "layouts": LAYOUT_FORMATS,
                 "word": WORD_FORMATS}
# Delimited text copies, scored and grouped as "txt" (their layout tells them apart); every
# other requested format keeps its own name in the report.
DELIMITED_TEXT_FORMATS = ("txt", "txt-pipe", "txt-cells", "txt-tabs")
# The code that turns a PDF rendering into a scanned copy: a change must not reuse old scans.
SCANNER_CODE = ("ocr/scan.py", "ocr/image.py", "loaders/scanned.py")
_SOURCE_FORMATS = {".txt": "txt", ".html": "html", ".htm": "html", ".docx": "docx", ".doc": "doc", ".pdf": "pdf"}


@dataclass(frozen=True)
class GoldDoc:
    doc_id: str
    gold: dict
    gold_path: Path
    source: Path | None  # the file as received, if present
    split: str  # train | dev | test, or "all" when the set has no splits.json

    @property
    def source_format(self) -> str | None:
        return None if self.source is None else _SOURCE_FORMATS.get(self.source.suffix.lower())


@dataclass(frozen=True)
class EvalInput:
    """One file to extract and score against its gold."""

    doc: GoldDoc
    format: str  # requested format: txt, html, docx, doc, pdf, txt-pipe, …
    path: Path
    origin: str  # "source" (the file as received) or "rendered"


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- finding gold documents -------------------------------------------------------------------

def _load_json(path: Path) -> dict | None:
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and "tables" in data and "sections" in data else None


def _annotation_source(folder: Path, gold: dict) -> Path | None:
    named = (gold.get("source") or {}).get("file")
    if named and (folder / named).is_file():
        return folder / named
    found = sorted(p for p in folder.glob("source.*") if p.suffix.lower() in _SOURCE_FORMATS)
    return found[0] if len(found) == 1 else None


def _flat_source(json_path: Path, gold: dict) -> Path | None:
    named = (gold.get("source") or {}).get("file")
    if not named:
        return None
    for base in (json_path.parent, json_path.parent.parent):
        if (base / named).is_file() and (base / named).suffix.lower() in _SOURCE_FORMATS:
            return base / named
    return None


def read_splits(gold_dir: Path) -> dict[str, str] | None:
    """doc_id -> split from the first splits.json found in the set, None when there is none."""
    for candidate in (gold_dir / "splits.json", gold_dir / "gold" / "splits.json"):
        if candidate.is_file():
            raw = json.loads(candidate.read_text("utf-8"))
            return {doc_id: split for split, ids in raw.items() for doc_id in ids}
    return None


def find_gold_files(gold_dir: Path) -> list[tuple[str, Path, Path | None]]:
    """(doc_id, gold file, source file) of every gold document under `gold_dir`, sorted by doc_id."""
    found: dict[str, tuple[Path, Path | None]] = {}
    for path in sorted(gold_dir.glob("*/gold.json")):
        gold = _load_json(path)
        if gold is not None:
            found[path.parent.name] = (path, _annotation_source(path.parent, gold))
    for folder in (gold_dir, gold_dir / "gold"):
        for path in sorted(folder.glob("*.json")):
            if path.name == "splits.json":
                continue
            gold = _load_json(path)
            if gold is not None:
                found.setdefault(str(gold.get("doc_id") or path.stem), (path, _flat_source(path, gold)))
    return [(doc_id, *found[doc_id]) for doc_id in sorted(found)]


def gold_docs(gold_dir: Path | str, split: str = "test") -> list[GoldDoc]:
    """The gold documents of `split` ("all" for every one) under `gold_dir`, sorted by doc_id."""
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; choose one of {SPLITS}")
    gold_dir = Path(gold_dir)
    splits = read_splits(gold_dir)
    docs = []
    for doc_id, gold_path, source in find_gold_files(gold_dir):
        doc_split = "all" if splits is None else splits.get(doc_id, "unsplit")
        if split == "all" or splits is None or doc_split == split:
            gold = json.loads(gold_path.read_text("utf-8"))
            docs.append(GoldDoc(doc_id, gold, gold_path, source, doc_split))
    return docs


def gold_set_hash(docs: Iterable[GoldDoc]) -> str:
    """One hash for the gold files and sources evaluated, to tell whether two runs saw the same gold."""
    digest = hashlib.sha256()
    for doc in sorted(docs, key=lambda d: d.doc_id):
        digest.update(doc.doc_id.encode() + b"\0" + file_sha256(doc.gold_path).encode())
        if doc.source is not None:
            digest.update(file_sha256(doc.source).encode())
    return digest.hexdigest()


# --- layouts ----------------------------------------------------------------------------------

def text_layout(text: str) -> str:
    """Shape of a plain-text report's tables: txt-tabs, txt-pipe (a row per line), txt-cells
    (a cell per line) or txt-plain (no delimited lines)."""
    lines = [line for line in text.splitlines() if line.strip()]
    tab_lines = [line for line in lines if "\t" in line and "|" not in line]
    pipe_lines = [line for line in lines if "|" in line]
    if len(tab_lines) > len(pipe_lines):
        return "txt-tabs"
    if not pipe_lines:
        return "txt-plain"
    # A row per line holds several filled cells; a cell per line holds one (or only bare '|' padding).
    multi = sum(1 for line in pipe_lines if sum(1 for p in line.split("|") if p.strip()) >= 2)
    return "txt-pipe" if multi * 2 >= len(pipe_lines) else "txt-cells"


def score_format(fmt: str) -> str:
    """The format an input of requested format `fmt` is scored and reported under."""
    return "txt" if fmt in DELIMITED_TEXT_FORMATS else fmt


def layout_of(path: Path, fmt: str, document=None) -> str:
    """Layout of an input: its text shape for a delimited text copy, the requested format itself
    for the undelimited ones (txt-layout, txt-spaces …), else whether the loaded document has
    table grids."""
    if fmt.startswith("txt") and fmt not in DELIMITED_TEXT_FORMATS:
        return fmt
    if fmt.startswith("txt"):
        from ..loaders.text import decode
        from ..tokens import LoadError

        try:
            return text_layout(decode(path.read_bytes()))
        except (OSError, LoadError):  # unreadable: the extraction reports it; the layout is just unknown
            return "txt-unknown"
    if document is None:
        return "unreadable"
    return "grid" if any(tok.table is not None for tok in document.tokens) else "no-grid"


# --- renderings -------------------------------------------------------------------------------

@cache
def renderer_hash() -> str:
    """Hash of the renderer's code: a changed renderer must not reuse old cached renderings."""
    digest = hashlib.sha256()
    for path in sorted((Path(__file__).resolve().parent.parent / "render").glob("*.py")):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:12]


@cache
def scanner_hash() -> str:
    """Hash of the code and the PDF rasteriser that make scanned copies (`SCANNER_CODE`, pypdfium2)."""
    from importlib.metadata import version

    digest = hashlib.sha256(f"pypdfium2 {version('pypdfium2')}".encode())
    package = Path(__file__).resolve().parent.parent
    for name in SCANNER_CODE:
        digest.update(name.encode() + (package / name).read_bytes())
    return digest.hexdigest()[:12]


@cache
def pdftotext_version() -> str:
    """poppler's version line (`pdftotext -v`): another pdftotext may copy the text out otherwise."""
    import subprocess

    try:
        done = subprocess.run(["pdftotext", "-v"], capture_output=True, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return "none"
    line = (done.stderr or done.stdout).decode("utf-8", "replace").strip().splitlines()
    return line[0] if line else "unknown"


def rendering_key(fmt: str) -> str:
    """Name of the cache folder of requested format `fmt`: the renderer format, its render options
    (so "pdf" and "pdf-unruled" never share a file) and, for pdftotext copies, poppler's version."""
    from ..render import PDF_TEXT_FORMATS

    render_fmt, options = RENDERINGS[fmt]
    key = render_fmt + "".join(f"+{name}={value}" for name, value in sorted(options.items()))
    if render_fmt in PDF_TEXT_FORMATS:
        key += "+" + hashlib.sha256(pdftotext_version().encode()).hexdigest()[:8]
    return key


def render_cache_path(doc: GoldDoc, fmt: str, cache_dir: Path) -> Path:
    """Folder holding the cached rendering of `doc` as `fmt` (a scanned copy: also keyed by the scanner)."""
    key = f"{file_sha256(doc.gold_path)[:20]}-{renderer_hash()}"
    folder = f"{fmt}-{scanner_hash()}" if fmt in SCANNED_FORMATS else rendering_key(fmt)
    return Path(cache_dir) / "renders" / key / folder


def scanned(doc: GoldDoc, fmt: str, cache_dir: Path) -> Path:
    """The gold's PDF rendering (SCAN_SOURCES) rasterised into an image-only PDF (cached like the renderings)."""
    from ..ocr.scan import scan_pdf

    folder = render_cache_path(doc, fmt, cache_dir)
    target = folder / "report.pdf"
    if not target.is_file():
        pdf = rendered(doc, SCAN_SOURCES[fmt], cache_dir)
        folder.mkdir(parents=True, exist_ok=True)
        scratch = Path(tempfile.mkstemp(prefix=".scan-", suffix=".pdf", dir=folder)[1])
        try:
            scan_pdf(pdf, scratch)
            scratch.replace(target)
        finally:
            scratch.unlink(missing_ok=True)
    return target


def rendered(doc: GoldDoc, fmt: str, cache_dir: Path) -> Path:
    """The gold rendered as `fmt`, from the cache or made now (written atomically into the cache)."""
    from ..render import SUFFIXES, render

    if fmt in SCANNED_FORMATS:
        return scanned(doc, fmt, cache_dir)
    render_fmt = RENDER_FORMATS[fmt]
    folder = render_cache_path(doc, fmt, cache_dir)
    target = folder / f"report{SUFFIXES[render_fmt]}"
    if target.is_file():
        return target
    folder.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=".render-", dir=folder.parent))
    try:
        made = render(doc.gold, render_fmt, scratch, name="report", **RENDER_OPTIONS[fmt])
        if made.name != target.name:
            made.rename(scratch / target.name)
        if not folder.exists():
            scratch.rename(folder)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return target


def input_for(doc: GoldDoc, fmt: str, cache_dir: Path) -> EvalInput:
    """`doc` as a `fmt` file: its source when the source is in that format, else a cached rendering."""
    if fmt not in RENDER_FORMATS:
        raise ValueError(f"unknown eval format {fmt!r}; choose from {EVAL_FORMATS}")
    if doc.source is not None and doc.source_format == fmt:
        return EvalInput(doc, fmt, doc.source, "source")
    return EvalInput(doc, fmt, rendered(doc, fmt, cache_dir), "rendered")


def parse_formats(text: str) -> list[str]:
    """"txt,html" -> ["txt", "html"]; "all", "default" and "layouts" stand for their FORMAT_GROUPS;
    unknown names are refused."""
    named = [f.strip().lower() for f in text.split(",") if f.strip()]
    formats = [f for name in named for f in FORMAT_GROUPS.get(name, (name,))]
    unknown = [f for f in formats if f not in RENDER_FORMATS]
    if unknown or not formats:
        raise ValueError(f"unknown format(s) {unknown or text!r}; choose from {', '.join(EVAL_FORMATS)}, "
                         f"or {' / '.join(FORMAT_GROUPS)}")
    return list(dict.fromkeys(formats))
