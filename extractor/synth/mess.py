"""Mess in plain-text copies of a report: transforms of the rendered text (txt-pipe,
txt-cells, txt-tabs, and of txt-spaces those that need no delimiter: SPACES_MESSES), as the
real copies show them (see the seeds).

Each transform takes the text's lines and returns new lines; `mess_text` applies
the named ones. They change layout only: line breaks, delimiters, blank lines
and empty cells. Figures and words stay as rendered (cell_mess.py changes
those), so the gold stays the truth. Some transforms can make figures
unrecoverable (an empty cell inserted among a row's figures): such a document
must come out needs_review, never with a wrong figure.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable

from ..values import looks_like_value

LAYOUTS = ("pipe", "cells", "tabs", "spaces")
Transform = Callable[[list[str], random.Random, str], list[str]]
# Transforms that work on a copy whose cells are apart by spaces only (the others cut or shift delimited cells).
SPACES_MESSES = ("blank_lines", "wrap_prose", "indent_prose", "page_furniture")
_SPACED = re.compile(r"\S[ \u3000]+\S")


def is_table_line(line: str, layout: str) -> bool:
    if layout == "spaces":  # words apart by spaces: Chinese prose runs on without them
        return bool(_SPACED.search(line.strip()))
    return ("\t" in line) if layout == "tabs" else ("|" in line)


def _pieces(line: str, layout: str) -> list[str]:
    return line.split("\t") if layout == "tabs" else line.split("|")


def _has_figures(line: str, layout: str) -> bool:
    return any(p.strip() and looks_like_value(p) for p in _pieces(line, layout))


def _pick(rng: random.Random, candidates: list[int], share: float, at_least: int = 1) -> set[int]:
    if not candidates:
        return set()
    k = max(at_least, round(len(candidates) * share))
    return set(rng.sample(candidates, min(k, len(candidates))))


def wrap_rows(lines: list[str], rng: random.Random, layout: str) -> list[str]:
    """A table row broken after a cell: its last cells go on the next line
    (seed 000: `… | 0 | 0 |` then `1 | |`)."""
    if layout == "cells":
        return lines
    sep = "\t" if layout == "tabs" else "|"
    rows = [i for i, line in enumerate(lines) if is_table_line(line, layout) and line.count(sep) >= 3]
    chosen = _pick(rng, rows, 0.08)
    out = []
    for i, line in enumerate(lines):
        if i not in chosen:
            out.append(line)
            continue
        cuts = [j for j, ch in enumerate(line) if ch == sep and line[j + 1:].strip(" " + sep)]
        if layout == "pipe":
            cuts = [j + 1 for j in cuts]  # the first line keeps its terminating '|'
        else:  # both parts must stay tab rows with words: a part without a tab reads as prose,
            # one of bare tabs as a blank line
            cuts = [j for j in cuts if sep in line[:j] and sep in line[j + 1:] and line[:j].strip()]
        if not cuts:
            out.append(line)
            continue
        cut = rng.choice(cuts)
        head, tail = line[:cut].rstrip(" "), line[cut:].lstrip(" ")
        if layout == "tabs":
            tail = tail.removeprefix("\t")
        out += [head, tail]
    return out


def _label_cuts(text: str) -> range:
    """Offsets into `text` where a long label may wrap: past its outline number, leaving both
    parts a few characters."""
    stripped = text.strip()
    if len(stripped) < 10 or looks_like_value(stripped):
        return range(0)
    start = text.index(stripped)
    return range(start + 4, start + len(stripped) - 3)


def _cut_points(text: str) -> list[int]:
    """Wrap points between two Chinese characters, so the rest opens with no outline number."""
    return [i for i in _label_cuts(text) if "\u4e00" <= text[i] <= "\u9fff" and "\u4e00" <= text[i - 1] <= "\u9fff"]


def wrap_labels(lines: list[str], rng: random.Random, layout: str) -> list[str]:
    """A long label wrapped inside its cell, the rest on the next line:
    `（二）部分公开（区分处理的，只计` / `这一情形，不计其他情形） | 0 | …`."""
    if layout == "tabs":
        return lines  # a tab row has no cell terminator: a wrapped cell would split into two

    def spots(line: str) -> list[int]:
        if not is_table_line(line, layout) or not line.rstrip().endswith("|"):
            return []
        return [k for k, piece in enumerate(line.split("|")[:-1]) if _cut_points(piece)]

    chosen = _pick(rng, [i for i, line in enumerate(lines) if spots(line)], 0.1)
    out = []
    for i, line in enumerate(lines):
        if i not in chosen:
            out.append(line)
            continue
        pieces = line.split("|")
        k = rng.choice(spots(line))
        cut = rng.choice(_cut_points(pieces[k]))
        before = "|".join(pieces[:k]) + ("|" if k else "")
        out.append((before + pieces[k][:cut]).rstrip())
        out.append(pieces[k][cut:].lstrip() + "|" + "|".join(pieces[k + 1:]))
    return out


def shift_values(lines: list[str], rng: random.Random, layout: str) -> list[str]:
    """An empty cell inserted among a row's figures (or at its edge), shifting the ones after it."""
    if layout == "cells":
        values = [i for i, line in enumerate(lines) if line.endswith("|") and looks_like_value(line[:-1])
                  and line[:-1].strip()]
        chosen = _pick(rng, values, 0.02)
        out = []
        for i, line in enumerate(lines):
            if i in chosen:
                out.append("|")
            out.append(line)
        return out
    rows = [i for i, line in enumerate(lines) if is_table_line(line, layout) and _has_figures(line, layout)]
    chosen = _pick(rng, rows, 0.05)
    out = []
    for i, line in enumerate(lines):
        if i not in chosen:
            out.append(line)
            continue
        sep = "\t" if layout == "tabs" else "|"
        pieces = line.split(sep)
        spots = [k for k, p in enumerate(pieces) if p.strip() and looks_like_value(p)]
        k = rng.choice(spots + [spots[-1] + 1])  # before a figure, or after the last one
        pieces.insert(k, " " if layout == "pipe" else "")
        out.append(sep.join(pieces))
    return out


def blank_lines(lines: list[str], rng: random.Random, layout: str) -> list[str]:
    """Extra empty lines, some inside tables."""
    chosen = _pick(rng, list(range(len(lines))), 0.05)
    out = []
    for i, line in enumerate(lines):
        out.append(line)
        if i in chosen:
            out += [""] * rng.randint(1, 2)
    return out


def _ends_with_figure(line: str) -> bool:
    pieces = line.rstrip().split("|")
    return line.rstrip().endswith("|") and len(pieces) >= 3 and bool(pieces[-2].strip()) \
        and looks_like_value(pieces[-2])


def delimiter_variants(lines: list[str], rng: random.Random, layout: str) -> list[str]:
    """How a copy spaces its delimiters: `a|b|`, `| a | b |`, `a | b` (no final bar), trailing tabs."""
    style = rng.choice(["tight", "leading", "open_end"] if layout != "tabs" else ["trailing_tab", "spaced"])
    out = []
    for line in lines:
        if not is_table_line(line, layout) or not line.strip():
            out.append(line)
        elif style == "tight":
            out.append("|".join(p.strip() for p in line.split("|")))
        elif style == "leading" and layout == "pipe":
            out.append("| " + line)
        elif style == "open_end" and layout == "pipe" and _ends_with_figure(line) and rng.random() < 0.5:
            out.append(line.rstrip()[:-1].rstrip())  # never after words: the loader would join them to the next cell
        elif style == "trailing_tab":
            out.append(line + "\t")
        elif style == "spaced":
            out.append("\t".join(f" {p} " if p else p for p in line.split("\t")))
        else:
            out.append(line)
    return out


def wrap_prose(lines: list[str], rng: random.Random, layout: str) -> list[str]:
    """Long prose lines broken where a page or window ended."""
    prose = [i for i, line in enumerate(lines) if len(line) >= 30 and not is_table_line(line, layout)]
    chosen = _pick(rng, prose, 0.3)
    out = []
    for i, line in enumerate(lines):
        if i in chosen:
            cut = rng.randint(10, len(line) - 10)
            out += [line[:cut], line[cut:]]
        else:
            out.append(line)
    return out


def indent_prose(lines: list[str], rng: random.Random, layout: str) -> list[str]:
    """Paragraphs indented with full-width or plain spaces."""
    indent = rng.choice(["\u3000\u3000", "    ", "  "])
    return [indent + line if line.strip() and not is_table_line(line, layout) and rng.random() < 0.7 else line
            for line in lines]


class FurnitureLine(str):
    """A line the copy took from the page's header or footer, not from the report (its label is furniture)."""


PAGE_NUMBER_STYLES = ("- {n} -", "—{n}—", "第{n}页", "第 {n} 页 共 {m} 页", "{n}/{m}", "{n}")


def page_furniture(lines: list[str], rng: random.Random, layout: str, running_title: str = "") -> list[str]:
    """A copy out of a PDF keeps each page's footer and the next page's running header, wherever
    the page broke: between paragraphs and inside tables, even between a row's cells. A bare page
    number ("3") is always followed by the running header, which tells it from a figure."""
    style = rng.choices(PAGE_NUMBER_STYLES, weights=(30, 10, 10, 10, 5, 35))[0]
    header = running_title.replace("\n", "") if running_title and (style == "{n}" or rng.random() < 0.7) else ""
    page_len = rng.randint(28, 45)
    pages = len(lines) // page_len + 1
    out: list[str] = []
    for i, line in enumerate(lines):
        out.append(line)
        if (i + 1) % page_len or i + 1 >= len(lines):
            continue
        page = (i + 1) // page_len
        if rng.random() < 0.3:
            out.append("")
        out.append(FurnitureLine(style.format(n=page, m=pages)))
        if header:
            out.append(FurnitureLine(header))
    return out


# In the order they apply: delimiters first, so wraps and shifts see the final cells; page
# furniture last, so its lines keep their FurnitureLine mark.
TEXT_MESSES: dict[str, Transform] = {
    "delimiter_variants": delimiter_variants, "wrap_rows": wrap_rows, "wrap_labels": wrap_labels,
    "shift_values": shift_values, "blank_lines": blank_lines, "wrap_prose": wrap_prose, "indent_prose": indent_prose,
    "page_furniture": page_furniture,
}
# Transforms after which a figure may be unplaceable (the document then needs review).
UNRECOVERABLE = frozenset({"shift_values"})


def mess_text(text: str, rng: random.Random, layout: str, names: tuple[str, ...], *, running_title: str = "",
              furniture_lines: list[int] | None = None) -> str:
    """Apply the named transforms (TEXT_MESSES) to a text rendering in `layout`, in TEXT_MESSES order.
    running_title: what page headers print (page_furniture); furniture_lines, when given, receives the
    0-based numbers of the lines that page furniture added."""
    if layout not in LAYOUTS:
        raise ValueError(f"unknown text layout {layout!r}; layouts: {LAYOUTS}")
    unknown = set(names) - set(TEXT_MESSES)
    if unknown:
        raise ValueError(f"unknown text mess {sorted(unknown)}; known: {list(TEXT_MESSES)}")
    unfit = set(names) - set(SPACES_MESSES) if layout == "spaces" else set()
    if unfit:
        raise ValueError(f"text mess {sorted(unfit)} needs delimited cells; a spaces copy takes {SPACES_MESSES}")
    lines = text.split("\n")
    for name, transform in TEXT_MESSES.items():
        if name == "page_furniture" and name in names:
            lines = page_furniture(lines, rng, layout, running_title)
        elif name in names:
            lines = transform(lines, rng, layout)
    if furniture_lines is not None:
        furniture_lines.extend(i for i, line in enumerate(lines) if isinstance(line, FurnitureLine))
    return "\n".join(lines)
