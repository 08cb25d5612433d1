"""How one synthetic report is printed: file format, render options, blank marks and mess.

The default mix is mostly text, HTML and DOCX (rendered in memory, fast) with a
share of PDF and DOC (LibreOffice, about a second each).
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field

from .. import schema
from .cell_mess import CELL_MESSES
from .mess import TEXT_MESSES

FORMAT_WEIGHTS = {"txt-pipe": 17, "txt-cells": 12, "txt-tabs": 12, "html": 25, "docx": 21, "pdf": 13, "doc": 4}
OFFICE_FORMATS = ("pdf", "doc")
RENDER_FORMATS = tuple(FORMAT_WEIGHTS)
HTML_TEMPLATE_WEIGHTS = {"site": 40, "bare": 15, "word": 25, "cms": 20}
# Blank marks a plain-text copy can print without making the row ambiguous; an empty cell at a
# row's edge in plain text cannot be told from no cell (that is mess, see `random_recipe`).
CLEAR_BLANKS = ("/", "—", "-", "无")


@dataclass(frozen=True)
class Recipe:
    fmt: str  # a render format: txt-pipe, txt-cells, txt-tabs, html, docx, doc, pdf
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
        """Layout name for the labelled data: txt-pipe, txt-pipe-messy, html-word, pdf …"""
        name = self.fmt + (f"-{self.html_template}" if self.fmt == "html" and self.html_template != "site" else "")
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
    if fmt.startswith("txt-"):
        options = {**text, "merged": rng.choice(["trailing", "trailing", "inline"]), "blank_lines": rng.random() < 0.25}
        blanks = ("",) + CLEAR_BLANKS if messy else CLEAR_BLANKS
    elif fmt == "html":
        options, blanks = text, ("", "", "/", "—", "无")
    else:
        options, blanks = office, ("", "", "/", "—", "无")
    blank_mark = rng.choice(blanks)
    cell_mess = _subset(rng, CELL_MESSES, 0.35) if messy else ()
    text_mess = _subset(rng, list(TEXT_MESSES), 0.4) if messy and fmt.startswith("txt-") else ()
    if text_mess and "page_furniture" not in text_mess and rng.random() < 0.25:
        text_mess += ("page_furniture",)  # most copies out of a PDF keep its page headers and numbers
    return Recipe(fmt, options, template if fmt == "html" else "site", blank_mark, cell_mess, text_mess)
