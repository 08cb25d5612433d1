"""How one synthetic report is printed: file format, render options, blank marks and mess.

The default mix is mostly text, HTML and DOCX (rendered in memory, fast) with a
share of PDF, DOC and pdftotext copies of the PDF (LibreOffice, about a second each).
Tables come ruled as the official grid or, for a share of office and HTML documents, in
the other layouts real reports use (`TABLE_RULE_WEIGHTS`: no lines, horizontal rules only,
three-line, outer frame); text copies also come without delimiters (txt-spaces,
txt-layout, txt-raw).
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field

from .. import schema
from .cell_mess import CELL_MESSES
from .mess import SPACES_MESSES, TEXT_MESSES

FORMAT_WEIGHTS = {"txt-pipe": 17, "txt-cells": 12, "txt-tabs": 12, "txt-spaces": 8, "txt-layout": 4, "txt-raw": 2,
                  "html": 25, "docx": 21, "pdf": 13, "doc": 4}
# Formats rendered by LibreOffice (the pdftotext copies render the PDF first).
OFFICE_FORMATS = ("pdf", "doc", "txt-layout", "txt-raw")
# Text copies out of a PDF (no delimiters): no inline pinyin (that comes from web pages).
PDF_COPY_FORMATS = ("txt-spaces", "txt-layout", "txt-raw")
RENDER_FORMATS = tuple(FORMAT_WEIGHTS)
HTML_TEMPLATE_WEIGHTS = {"site": 40, "bare": 15, "word": 25, "cms": 20}
# Ruling lines of the tables (RenderOptions.table_rules) in office documents and web pages.
TABLE_RULE_WEIGHTS = {"grid": 50, "none": 16, "horizontal": 10, "three-line": 14, "frame": 10}
HTML_TABLE_RULE_WEIGHTS = {"grid": 80, "none": 10, "horizontal": 4, "three-line": 3, "frame": 3}
SPACING_WEIGHTS = {"aligned": 50, "single": 25, "ideographic": 25}
# Blank marks a plain-text copy can print without making the row ambiguous; an empty cell at a
# row's edge in plain text cannot be told from no cell (that is mess, see `random_recipe`).
CLEAR_BLANKS = ("/", "—", "-", "无")


@dataclass(frozen=True)
class Recipe:
    fmt: str  # a render format: txt-pipe, txt-cells, txt-tabs, txt-spaces, txt-layout, txt-raw, html, docx, doc, pdf
    options: Mapping[str, object] = field(default_factory=dict)  # RenderOptions fields
    html_template: str = "site"
    blank_mark: str = ""  # how a blank (None) cell prints
    cell_mess: tuple[str, ...] = ()
    text_mess: tuple[str, ...] = ()

    @property
    def messy(self) -> bool:
        return bool(self.cell_mess or self.text_mess) or (self.fmt.startswith("txt-") and self.blank_mark == "")

    @property
    def layout(self) -> str:
        """Layout name for the labelled data: txt-pipe, txt-pipe-messy, html-word, pdf, pdf-unruled,
        docx-three-line, txt-spaces-single …"""
        name = self.fmt + (f"-{self.html_template}" if self.fmt == "html" and self.html_template != "site" else "")
        rules = self.options.get("table_rules", "grid")
        if rules != "grid" and self.fmt in ("html", "docx", "doc", "pdf"):
            name += "-unruled" if rules == "none" else f"-{rules}"
        if self.fmt == "txt-spaces":
            name += f"-{self.options.get('spacing', 'aligned')}"
        return name + ("-messy" if self.messy else "")

    @property
    def suffix(self) -> str:
        return {"html": ".html", "docx": ".docx", "doc": ".doc", "pdf": ".pdf"}.get(self.fmt, ".txt")


def _weighted(rng: random.Random, weights: Mapping[str, float]) -> str:
    names = sorted(weights)
    return rng.choices(names, weights=[weights[n] for n in names])[0]


def _subset(rng: random.Random, names, p: float) -> tuple[str, ...]:
    chosen = tuple(n for n in names if rng.random() < p)
    return chosen or (rng.choice(list(names)),)


def _office_options(rng: random.Random) -> dict:
    return {
        "font": rng.choice(["serif", "sans"]),
        "font_size": rng.choice([10.5, 12.0, 12.0, 14.0, 16.0]),
        "table_font_size": rng.choice([9.0, 10.0, 10.5, 10.5, 12.0]),
        "title_size": rng.choice([16.0, 18.0, 18.0, 20.0, 22.0]),
        "page_break_before": tuple(t for t in schema.TABLES if rng.random() < 0.15),
        "split_rows": rng.random() < 0.7,
        "repeat_header": rng.random() < 0.3,
        "page_header": rng.random() < 0.6,
        "page_footer": rng.random() < 0.7,
        "default_title": rng.random() < 0.2,
        "table_rules": _weighted(rng, TABLE_RULE_WEIGHTS),
    }


def random_recipe(rng: random.Random, formats: Mapping[str, float] | None = None, mess_share: float = 0.5) -> Recipe:
    """A random way to print a report. formats: weight per render format (default FORMAT_WEIGHTS;
    a format left out is never drawn); mess_share: share of messy documents."""
    weights = dict(formats) if formats is not None else FORMAT_WEIGHTS
    unknown = set(weights) - set(RENDER_FORMATS)
    if unknown:
        raise ValueError(f"unknown render format(s) {sorted(unknown)}; formats: {RENDER_FORMATS}")
    fmt = _weighted(rng, weights)
    messy = rng.random() < mess_share
    template = _weighted(rng, HTML_TEMPLATE_WEIGHTS)
    office = _office_options(rng)
    text = {"encoding": rng.choice(["utf-8", "utf-8", "utf-8", "gbk"]), "default_title": rng.random() < 0.2}
    html_rules = _weighted(rng, HTML_TABLE_RULE_WEIGHTS)
    spaces = {"spacing": _weighted(rng, SPACING_WEIGHTS), "column_gap": rng.choice([1, 2, 2, 3, 4]),
              "label_wrap": rng.choice([0, 0, 16, 20, 24, 30])}
    if fmt in OFFICE_FORMATS:  # pdftotext copies too: they print what the PDF prints
        options, blanks = dict(office), ("", "", "/", "—", "无")
        if fmt in PDF_COPY_FORMATS:
            options["encoding"] = text["encoding"]
            blanks = ("",) + CLEAR_BLANKS if messy else CLEAR_BLANKS
    elif fmt == "txt-spaces":
        options = {**text, **spaces, "blank_lines": rng.random() < 0.25}
        blanks = ("",) + CLEAR_BLANKS if messy else CLEAR_BLANKS
    elif fmt.startswith("txt-"):
        options = {**text, "merged": rng.choice(["trailing", "trailing", "inline"]), "blank_lines": rng.random() < 0.25}
        blanks = ("",) + CLEAR_BLANKS if messy else CLEAR_BLANKS
    elif fmt == "html":
        options, blanks = {**text, "table_rules": html_rules}, ("", "", "/", "—", "无")
    else:
        options, blanks = office, ("", "", "/", "—", "无")
    blank_mark = rng.choice(blanks)
    cell_mess = _subset(rng, CELL_MESSES, 0.35) if messy else ()
    text_mess: tuple[str, ...] = ()
    if messy and fmt == "txt-spaces":
        text_mess = _subset(rng, SPACES_MESSES, 0.4)
    elif messy and fmt.startswith("txt-") and fmt not in OFFICE_FORMATS:  # pdftotext copies keep the PDF's own pages
        text_mess = _subset(rng, list(TEXT_MESSES), 0.4)
    if text_mess and "page_furniture" not in text_mess and rng.random() < 0.25:
        text_mess += ("page_furniture",)  # most copies out of a PDF keep its page headers and numbers
    return Recipe(fmt, options, template if fmt == "html" else "site", blank_mark, cell_mess, text_mess)
