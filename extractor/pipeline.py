"""One file in, one result (the JSON contract of OUTPUT.md) out.

load -> tag -> assemble -> validate. A file that cannot be read, or is not a
report, comes back with status `failed` and a plain reason; this function does
not raise for bad input, so a batch never dies because of one file.
"""

from __future__ import annotations

import hashlib
import logging
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from . import matching
from .assemble.report import metadata_doubts, report_metadata, script_of
from .assemble.sections import assemble_sections
from .assemble.tables import assemble_tables
from .loaders import DEFAULT_LOAD_SETTINGS, LoadSettings, load
from .tagging import Tag, Tagger, get_tagger
from .tokens import Document, LoadError
from .validate import validate

SCHEMA_VERSION = "1"
log = logging.getLogger(__name__)


def sha256_of(path: Path) -> str | None:
    """The content hash of a regular file; None for anything else (opening a named pipe would
    wait for a writer forever) or when it cannot be read."""
    digest = hashlib.sha256()
    try:
        if not Path(path).is_file():
            return None
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return None
    return digest.hexdigest()


def printable(text: str) -> str:
    """`text` with the undecodable bytes of a file name (os.fsdecode's surrogates) shown as `\\xNN`:
    a path or message that JSON, UTF-8 files and SQLite can hold."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def empty_result(path: str, sha256: str | None, tagger: Tagger) -> dict:
    return {
        "schema_version": SCHEMA_VERSION,
        "source": {"path": printable(path), "sha256": sha256, "format": None, "pages": None},
        "model": {"name": tagger.name, "version": tagger.version},
        "report": {"organization": None, "year": None, "format_version": None, "script": None},
        "sections": [],
        "tables": {},
        "checks": [],
        "status": "failed",
        "errors": [],
    }


@dataclass
class Extraction:
    """Everything one extraction produced: the result, and for evaluation the tokens, tags and timings."""

    result: dict
    document: Document | None = None
    tags: list[Tag] | None = None
    seconds: dict[str, float] = field(default_factory=dict)  # load, tag, assemble


def extract_document(doc: Document, result: dict, tagger: Tagger, seconds: dict[str, float] | None = None
                     ) -> tuple[dict, list[Tag]]:
    """Fill `result` from a loaded document; returns it with the tags."""
    seconds = {} if seconds is None else seconds
    result["source"]["format"] = doc.format
    result["source"]["pages"] = doc.pages
    started = time.perf_counter()
    tags = tagger.tag(doc)
    seconds["tag"] = time.perf_counter() - started
    started = time.perf_counter()
    _assemble(doc, tags, result)
    seconds["assemble"] = time.perf_counter() - started
    return result, tags


def _assemble(doc: Document, tags: list[Tag], result: dict) -> None:
    meta = report_metadata(doc.tokens, tags)
    organization, year = meta.organization, meta.year
    fmt = matching.detect_format([t.text for t in doc.tokens], year)
    sections, section_errors = assemble_sections(doc.tokens, tags)
    build = assemble_tables(doc.tokens, tags, fmt)
    found_tables = [name for name, rows in build.tables.items() if rows]
    if not found_tables and len(sections) < 2:
        result["errors"] = [("not an annual report on government information disclosure: "
                             "none of its standard sections or tables were found"), *doc.problems]
        return
    result["report"] = {"organization": organization, "year": year, "format_version": fmt,
                        "script": script_of(doc.tokens)}
    result["sections"] = sections
    result["tables"] = build.tables
    result["checks"] = validate(build.tables, fmt)
    errors = list(doc.problems) + metadata_doubts(meta, doc.tokens) + build.errors + section_errors
    if organization is None:
        errors.append("the issuing organisation was not found in the title, signature or opening paragraph")
    if year is None:
        errors.append("the year the report covers was not found")
    for check in result["checks"]:
        if not check["ok"]:
            where = check.get("column") or check.get("row") or check.get("group")
            errors.append(f"consistency rule {check['rule']} fails for {where}: {check['detail']}")
    result["errors"] = errors
    result["status"] = "needs_review" if errors else "ok"


def extract_full(path: str | Path, *, tagger: Tagger | None = None, display_path: str | None = None,
                 load_settings: LoadSettings = DEFAULT_LOAD_SETTINGS) -> Extraction:
    """Like `extract`, keeping the document, its tags and the time each stage took."""
    tagger = tagger or get_tagger()
    path = Path(path)
    result = empty_result(display_path if display_path is not None else str(path), sha256_of(path), tagger)
    out = Extraction(result)
    try:
        _run(path, tagger, out, load_settings)
    finally:  # messages may quote an undecodable file name
        result["errors"] = [printable(error) for error in as_shown(result["errors"], path, display_path)]
    return out


def as_shown(errors: list[str], path: Path, display_path: str | None) -> list[str]:
    """`errors` naming the file as the user knows it: the service reads an upload saved under a made-up
    name (`incoming/<uuid>.pdf`), and a message should say `report.pdf`."""
    if display_path is None or display_path == str(path):
        return errors
    shown = Path(display_path)
    return [error.replace(str(path), display_path).replace(path.name, shown.name) if path.name != shown.name
            else error.replace(str(path), display_path) for error in errors]


def _internal_error(path: Path, exc: Exception) -> list[str]:
    log.error("internal error on %s:\n%s", path, traceback.format_exc())
    return [f"internal error while extracting ({type(exc).__name__}: {exc}); please report it with the file"]


def _run(path: Path, tagger: Tagger, out: Extraction, load_settings: LoadSettings) -> None:
    result = out.result
    started = time.perf_counter()
    try:
        out.document = load(path, load_settings)
    except LoadError as exc:
        result["errors"] = [str(exc)]
        return
    except OSError as exc:
        result["errors"] = [f"the file could not be read: {exc.strerror or exc}"]
        return
    except Exception as exc:  # noqa: BLE001 (a loader bug, MemoryError, RecursionError costs one file, not the batch)
        result["errors"] = _internal_error(path, exc)
        return
    finally:
        out.seconds["load"] = time.perf_counter() - started
    try:
        _, out.tags = extract_document(out.document, result, tagger, out.seconds)
    except Exception as exc:  # noqa: BLE001 (a bug must cost one file, not the batch)
        result.update(status="failed", errors=_internal_error(path, exc))


def extract(path: str | Path, *, tagger: Tagger | None = None, display_path: str | None = None,
            load_settings: LoadSettings = DEFAULT_LOAD_SETTINGS) -> dict:
    """The result of one file. Never raises for a bad file: status `failed` says why.
    `load_settings`: the page limit and LibreOffice timeout (`--max-pages`, `--convert-timeout`)."""
    return extract_full(path, tagger=tagger, display_path=display_path, load_settings=load_settings).result
