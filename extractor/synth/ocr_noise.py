"""Characters OCR reads as look-alikes: 0 as O, o or 〇, 1 as l or I, 一 as -, a glyph it cannot
read as □ (or 口), full-width brackets as half-width ones.

Applied to a gold dict (random_gold) so the gold stays exact: noise in prose and headings is
written into the sections (the gold text is what is printed); noise in a table label or figure
goes to `extras["printed"]` (extractor.render.printed), the figure itself staying the true one.
A figure printed as 1O is a figure the extractor cannot read: the right outcome is needs_review
naming the cell, never a wrong value.
"""

from __future__ import annotations

import random
import re

from .. import schema
from ..render.layout import split_label
from ..render.printed import printed_extras
from .script import in_gold_script

DIGIT_LOOKALIKES = {"0": ("O", "o", "〇"), "1": ("l", "I")}
# Outline marks of labels as OCR misreads them.
LABEL_CONFUSIONS = (("1.", "l."), ("1.", "I."), ("（", "("), ("）", ")"), ("一、", "-、"), ("（一）", "（-）"))
UNREADABLE_GLYPHS = ("□", "口")
_CJK = re.compile(r"[\u4e00-\u9fff]")


def noisy_digits(text: str, rng: random.Random) -> str:
    """`text` with one 0 or 1 as its look-alike (unchanged when it has neither)."""
    spots = [i for i, ch in enumerate(text) if ch in DIGIT_LOOKALIKES]
    if not spots:
        return text
    i = rng.choice(spots)
    return text[:i] + rng.choice(DIGIT_LOOKALIKES[text[i]]) + text[i + 1:]


def noisy_label(text: str, rng: random.Random) -> str:
    """A label with an outline mark misread, or one character it could not read as □/口."""
    fits = [(a, b) for a, b in LABEL_CONFUSIONS if a in text]
    if fits and rng.random() < 0.7:
        a, b = rng.choice(fits)
        return text.replace(a, b, 1)
    spots = [m.start() for m in _CJK.finditer(text)][2:]  # the opening words stay legible
    if not spots:
        return text
    i = rng.choice(spots)
    return text[:i] + rng.choice(UNREADABLE_GLYPHS) + text[i + 1:]


def noise_in_labels(rng: random.Random, gold: dict, *, rows: int = 3) -> dict:
    """A few applications row labels printed with OCR look-alikes (extras.printed.labels)."""
    fmt = gold["report"]["format_version"]
    labels = printed_extras(gold).setdefault("labels", {})
    candidates = [(key, label) for key, label in schema.application_rows(fmt) if f"applications.{key}" not in labels]
    for key, label in rng.sample(candidates, min(rows, len(candidates))):
        printed = in_gold_script(split_label(label)[1], gold)
        noisy = noisy_label(printed, rng)
        if noisy != printed:
            labels[f"applications.{key}"] = noisy
    return gold


def noise_in_figures(rng: random.Random, gold: dict, *, cells: int = 2) -> dict:
    """A few whole-number figures holding a 0 or 1 printed with a look-alike (extras.printed.values)."""
    candidates = sorted(f"{table}.{row}.{column}" for table, rows in gold["tables"].items()
                        for row, values in rows.items() for column, value in values.items()
                        if isinstance(value, int) and not isinstance(value, bool) and set(str(value)) & {"0", "1"})
    values = printed_extras(gold).setdefault("values", {})
    for path in rng.sample(candidates, min(cells, len(candidates))):
        table, row, column = path.split(".")
        values[path] = noisy_digits(str(gold["tables"][table][row][column]), rng)
    return gold


def noise_in_prose(rng: random.Random, gold: dict, *, share: float = 0.3) -> dict:
    """Figures of the prose and heading marks misread (2O24年, l0件, -、总体情况), in the gold as printed."""
    for section in gold["sections"]:
        lines = section["text"].split("\n") if section["text"] else []
        section["text"] = "\n".join(re.sub(r"\d+", lambda m: noisy_digits(m.group(), rng), line)
                                    if rng.random() < share else line for line in lines)
        if section["title"].startswith("一") and rng.random() < 0.5:
            section["title"] = "-" + section["title"][1:]
    return gold
