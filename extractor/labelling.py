"""Token labels from a gold annotation: which role each token of a document plays.

A gold result (with its `extras`) says every word a report prints and what it
is: title, headings, prose lines, table cells by role, signature, trailer.
`gold_labels` finds each loaded token among those words, so any document whose
gold is known (hand-annotated reports, generated training reports) gets
labelled tokens without hand work. Page headers and numbers, and web-page
chrome that the gold does not print, are furniture.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from .labels import Label
from .normalize import for_matching
from .render.document import manuscript
from .tokens import Document, Token
from .values import looks_like_value

_CELL_ROLES = {"title": Label.TABLE_TITLE, "header": Label.COLUMN_HEADER, "label": Label.ROW_LABEL,
               "value": Label.CELL_VALUE, "note": Label.NOTE}
_TABLE_SECTIONS = {"active_disclosure", "applications", "review_litigation"}


@dataclass
class Lexicon:
    """The gold's printed words by role, folded for matching."""

    title: str = ""
    running_title: str = ""  # what web pages and page headers print when the report has no title line
    headings: dict[str, str] = field(default_factory=dict)  # folded heading -> section key
    prose: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # lines printed under a table
    signature: list[str] = field(default_factory=list)
    trailer: list[str] = field(default_factory=list)
    cells: dict[str, Label] = field(default_factory=dict)  # folded cell text -> label
    furniture_lines: frozenset[int] = frozenset()  # text lines the gold knows are page headers/footers


def lexicon(gold: Mapping) -> Lexicon:
    ms = manuscript(gold)
    lex = Lexicon(running_title=for_matching(ms.running_title),
                  furniture_lines=frozenset((gold.get("extras") or {}).get("furniture_lines") or ()))
    for block in ms.blocks:
        text = for_matching(block.text)
        if block.kind == "title":
            lex.title += text
        elif block.kind == "heading":
            lex.headings[text] = block.section
        elif block.kind == "paragraph":
            lex.prose.append(text)
        elif block.kind == "note":
            lex.notes.append(text)
        elif block.kind == "signature":
            lex.signature.append(text)
        elif block.kind == "trailer":
            lex.trailer.append(text)
        elif block.kind == "table":
            for row in block.grid.rows:
                for cell in row:
                    folded = for_matching(cell.text)
                    if folded:
                        lex.cells.setdefault(folded, _CELL_ROLES[cell.role])
    return lex


def _fragment_role(text: str, cells: dict[str, Label]) -> Label | None:
    """Role of a cell printed in part (header words lost, a label wrapped) or joined with another."""
    if len(text) < 2:
        return None
    starts = [label for cell, label in cells.items() if cell.startswith(text)]
    if starts:
        return starts[0]
    inside = [label for cell, label in cells.items() if text in cell]
    if inside and len(set(inside)) == 1:
        return inside[0]
    holding = [label for cell, label in cells.items() if len(cell) >= 2 and cell in text]
    if holding:
        return Label.ROW_LABEL if Label.ROW_LABEL in holding else holding[0]
    return None


def _in_lines(text: str, lines: list[str], min_len: int = 2) -> bool:
    return len(text) >= min_len and any(text in line or (len(line) >= 4 and line in text) for line in lines)


def gold_labels(doc: Document, gold: Mapping) -> list[Label]:
    """One label per token of `doc`, from what `gold` says the document prints."""
    lex = lexicon(gold)
    labels: list[Label] = []
    section: str | None = None
    headings_left = dict(lex.headings)
    tokens = doc.tokens
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        text = for_matching(tok.text)
        wrapped = None
        if text and text not in headings_left and text not in lex.notes:
            wrapped = _wrapped_line(tokens, i, {**dict.fromkeys(lex.notes, Label.NOTE),
                                                **dict.fromkeys(headings_left, Label.SECTION_HEADING)})
        if wrapped is not None:
            count, text, label = wrapped
        else:
            count, label = 1, _label(tok, text, lex, section, headings_left)
        if label == Label.SECTION_HEADING:
            section = headings_left.pop(text)
        labels += [label] * count
        i += count
    _confirm_title_pieces(tokens, labels, lex)
    return labels


def _wrapped_line(tokens: list[Token], start: int, targets: dict[str, Label], max_parts: int = 4
                  ) -> tuple[int, str, Label] | None:
    """A heading or note wrapped over lines (a long heading in a large font): when the lines from
    `start` on join into one of `targets`, (how many lines, the joined text, its label)."""
    joined = ""
    for j in range(start, min(len(tokens), start + max_parts)):
        tok = tokens[j]
        if tok.cell or tok.table is not None or tok.furniture:
            return None
        joined += for_matching(tok.text)
        if j > start and joined in targets:
            return j - start + 1, joined, targets[joined]
        if not any(target.startswith(joined) for target in targets):
            return None
    return None


def _confirm_title_pieces(tokens: list[Token], labels: list[Label], lex: Lexicon) -> None:
    """Pieces of the title count only where consecutive pieces make up the whole title (a title
    wrapped over lines); a lone piece, like the body's name in a site banner, is furniture."""
    whole = {lex.title, lex.running_title}
    run: list[int] = []

    def close() -> None:
        if run and "".join(for_matching(tokens[i].text) for i in run) not in whole:
            for i in run:
                labels[i] = Label.FURNITURE
        run.clear()

    for i, (tok, label) in enumerate(zip(tokens, labels)):
        text = for_matching(tok.text)
        if not text:
            continue
        if label == Label.TITLE and text not in whole:
            run.append(i)
        else:
            close()
    close()


def _label(tok: Token, text: str, lex: Lexicon, section: str | None, headings_left: dict[str, str]) -> Label:
    tabular = tok.cell or tok.table is not None or section in _TABLE_SECTIONS
    if tok.furniture or tok.line in lex.furniture_lines:
        return Label.FURNITURE
    if not text:
        return Label.CELL_VALUE if tabular or looks_like_value(tok.text) else Label.FURNITURE
    # Whole printed pieces first, then parts of them.
    if text in headings_left and tok.table is None:
        return Label.SECTION_HEADING
    if section is None and text in (lex.title, lex.running_title):
        return Label.TITLE
    if text in lex.trailer:
        return Label.FURNITURE
    if text in lex.signature and section == "other_matters":
        return Label.SIGNATURE
    if text in lex.notes:
        return Label.NOTE
    if tok.cell or tok.table is not None:
        # A table cell is a cell first: a blank mark like 无 may also be a whole line of prose.
        if text in lex.cells:
            return lex.cells[text]
        if looks_like_value(tok.text):
            return Label.CELL_VALUE
    if text in lex.prose:
        return Label.PROSE
    if tabular:
        if text in lex.cells:
            return lex.cells[text]
        if looks_like_value(tok.text):
            return Label.CELL_VALUE
        if _in_lines(text, lex.prose, min_len=8):
            return Label.PROSE
        role = _fragment_role(text, lex.cells)
        if role is not None:
            return role
    if section is None and lex.title and len(text) >= 2 and text in lex.title:
        return Label.TITLE
    if _in_lines(text, lex.prose):
        return Label.PROSE
    if section == "other_matters" and any(text in line for line in lex.signature):
        return Label.SIGNATURE
    if tok.table is None and any(text in line for line in lex.prose):
        return Label.PROSE  # the tail of a wrapped line: a character or two
    return Label.FURNITURE
