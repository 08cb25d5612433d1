"""One synthetic labelled document: random gold -> printed file -> loaded tokens -> gold labels.

    sample = make_sample(random.Random(1), "synth-1-00000", out_dir)
    sample.path, sample.gold, sample.labelled

The file is rendered from the gold (with blanks printed the recipe's way and
the recipe's mess), loaded with extractor.loaders.load exactly as the extractor
would load it, and labelled with extractor.labelling.gold_labels against the
true gold.
"""

from __future__ import annotations

import copy
import hashlib
import io
import json
import random
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path

from ..dataset import LabelledDoc, token_to_dict
from ..labelling import gold_labels
from ..loaders import load
from ..render import PDF_TEXT_FORMATS, Manuscript, RenderOptions, manuscript
from ..render.docx import build_docx
from ..render.html import encode_html
from ..render.office import write_office
from ..render.pdftext import furniture_lines, pdf_copy
from ..render.text import encode_text, render_text
from ..tokens import Document
from . import html_pages
from .cell_mess import mess_cells
from .gold import random_gold
from .mess import mess_text
from .recipe import OFFICE_FORMATS, PDF_COPY_FORMATS, Recipe, random_recipe

_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


@dataclass
class Sample:
    doc_id: str
    gold: dict  # the truth, gold format; source and extras["synth"] filled in
    recipe: Recipe
    path: Path  # the rendered file
    labelled: LabelledDoc


def printed_tables(tables: dict, blank_mark: str) -> dict:
    """The tables as printed: blank (None) cells become `blank_mark` ('' prints nothing)."""
    out = copy.deepcopy(tables)
    for rows in out.values():
        for row in rows.values():
            for key, value in row.items():
                if value is None:
                    row[key] = blank_mark
    return out


def stable_zip(data: bytes) -> bytes:
    """A zip (DOCX) rewritten with fixed timestamps, so the same document gives the same bytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, _ZIP_EPOCH)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            out.writestr(fixed, source.read(info))
    return buffer.getvalue()


def printed_manuscript(gold: dict, recipe: Recipe, rng: random.Random) -> tuple[Manuscript, RenderOptions]:
    """The blocks as this recipe prints them: blank marks and cell mess applied."""
    options = RenderOptions.of(**recipe.options)
    display = {**gold, "tables": printed_tables(gold["tables"], recipe.blank_mark)}
    ms = manuscript(display, options)
    glossed = frozenset((gold.get("extras") or {}).get("pinyin") or ())
    return mess_cells(ms, rng, recipe.cell_mess, glossed), options


def render_file(gold: dict, recipe: Recipe, rng: random.Random, out_dir: Path, stem: str) -> Path:
    """Write the document as the recipe says; returns its path (out_dir/<stem><suffix>)."""
    ms, options = printed_manuscript(gold, recipe, rng)
    out_dir.mkdir(parents=True, exist_ok=True)
    if recipe.fmt in PDF_TEXT_FORMATS:
        text = pdf_copy(ms, PDF_TEXT_FORMATS[recipe.fmt], options)
        copied = furniture_lines(text, ms.running_title)
        if copied:  # the PDF's page headers and numbers, copied out with its text
            gold.setdefault("extras", {})["furniture_lines"] = copied
        data = encode_text(text, options.encoding)
    elif recipe.fmt in OFFICE_FORMATS:
        return write_office(ms, recipe.fmt, out_dir, stem, options)
    elif recipe.fmt.startswith("txt-"):
        layout = recipe.fmt[4:]
        furniture: list[int] = []
        text = mess_text(render_text(ms, layout, options), rng, layout, recipe.text_mess,
                         running_title=ms.running_title, furniture_lines=furniture)
        if furniture:  # lines of page headers and footers the copy kept: their tokens are furniture
            gold.setdefault("extras", {})["furniture_lines"] = furniture
        data = encode_text(text, options.encoding)
    elif recipe.fmt == "html":
        data = encode_html(html_pages.page(ms, options, recipe.html_template, rng), options.encoding)
    elif recipe.fmt == "docx":
        buffer = io.BytesIO()
        build_docx(ms, options).save(buffer)
        data = stable_zip(buffer.getvalue())
    else:
        raise ValueError(f"unknown render format {recipe.fmt!r}")
    path = out_dir / (stem + recipe.suffix)
    path.write_bytes(data)
    return path


def tokens_sha256(doc: Document) -> str:
    """Hash of a loaded token stream (the identity of an office rendering, whose bytes vary per run)."""
    payload = json.dumps([token_to_dict(t) for t in doc.tokens], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def make_sample(rng: random.Random, doc_id: str, out_dir: Path, *, recipe: Recipe | None = None,
                formats: dict[str, float] | None = None, mess_share: float = 0.5, **choices) -> Sample:
    """Draw a recipe (unless given) and a gold report (random_gold `choices`), render it into
    `out_dir`, load and label it."""
    recipe = recipe or random_recipe(rng, formats, mess_share)
    if not recipe.fmt.startswith("txt-") or recipe.fmt in PDF_COPY_FORMATS:
        choices.setdefault("pinyin", False)  # inline pinyin comes from copying text out of web pages
    gold = random_gold(rng, doc_id=doc_id, **choices)
    path = render_file(gold, recipe, rng, Path(out_dir), doc_id)
    doc = load(path)
    data = path.read_bytes()
    file_hash = hashlib.sha256(data).hexdigest()
    sha = tokens_sha256(doc) if recipe.fmt in OFFICE_FORMATS else file_hash
    labelled = LabelledDoc(doc_id, "synth", doc.format, recipe.layout, sha, doc.tokens, gold_labels(doc, gold))
    gold["source"] = {"file": path.name, "sha256": file_hash, "format": doc.format}
    gold["extras"]["synth"] = {"layout": recipe.layout, "messy": recipe.messy, **asdict(recipe)}  # how it was printed
    return Sample(doc_id, gold, recipe, path, labelled)
