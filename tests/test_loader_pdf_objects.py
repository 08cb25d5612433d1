"""PDF loader's own reading of pdfplumber pages (chars, edges, fake-bold dedupe), held to pdfplumber's results,
and the token stream of a shipped PDF held to a reviewed copy.

Regenerate the copy after a deliberate change of the loader's output, and review its diff:

    OGI_REGENERATE=1 .venv/bin/pytest tests/test_loader_pdf_objects.py
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict
from pathlib import Path

import pdfplumber
import pytest
from pdfplumber.utils import dedupe_chars as pdfplumber_dedupe_chars

from extractor.loaders import pdf as pdf_loader

ROOT = Path(__file__).resolve().parent.parent
SEED_PDF = ROOT / "examples" / "seed-004.pdf"  # six pages, two of them with ruled tables
SEED_TOKENS = Path(__file__).parent / "fixtures" / "seed-004.pdf.tokens.json"
READ_KEYS = ("text", "fontname", "size", "upright", "matrix", "x0", "x1", "top", "bottom", "doctop")


def _pages(path: Path):
    with pdfplumber.open(path) as document:
        yield from document.pages


def test_chars_edges_and_images_are_what_pdfplumber_makes_of_the_page():
    for page in _pages(SEED_PDF):
        objects = pdf_loader.read_objects(page)
        assert objects.chars == [{k: c[k] for k in READ_KEYS} for c in page.chars]
        assert objects.edges == page.edges
        assert objects.has_images == bool(page.images)
    assert any(pdf_loader.read_objects(page).edges for page in _pages(SEED_PDF))


def test_dedupe_drops_what_pdfplumber_drops_on_a_page_printed_in_fake_bold():
    with pdfplumber.open(SEED_PDF) as document:
        chars = pdf_loader.read_objects(document.pages[0]).chars
    # Fake bold: every third glyph drawn again a little to the right and below; some twice.
    bold = []
    for i, char in enumerate(chars):
        bold.append(char)
        if i % 3 == 0:
            bold.append({**char, "x0": char["x0"] + 0.4, "x1": char["x1"] + 0.4, "doctop": char["doctop"] + 0.2})
        if i % 7 == 0:
            bold.append({**char, "x0": char["x0"] + 0.8, "x1": char["x1"] + 0.8, "doctop": char["doctop"] - 0.5})
    kept = pdf_loader.dedupe_chars(bold)
    assert [id(c) for c in kept] == [id(c) for c in pdfplumber_dedupe_chars(bold, extra_attrs=("fontname", "size"))]
    assert len(kept) == len(chars)


def token_lines(tokens) -> str:
    """One token a line, so a change shows in a diff as the tokens it changed."""
    return "[\n" + ",\n".join(json.dumps(asdict(t), ensure_ascii=False) for t in tokens) + "\n]\n"


def test_seed_pdf_tokens_are_the_reviewed_ones():
    text = token_lines(pdf_loader.load(SEED_PDF).tokens)
    if os.environ.get("OGI_REGENERATE"):
        SEED_TOKENS.write_text(text, "utf-8")
        pytest.skip(f"regenerated {SEED_TOKENS.name}")
    assert text.splitlines() == SEED_TOKENS.read_text("utf-8").splitlines()
