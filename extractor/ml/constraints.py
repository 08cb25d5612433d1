"""Decoding under the schema: the model's label probabilities in, labels the report format allows out.

The format fixes what may stand where, and the assembly relies on it:
- exactly six section headings (report_schema.json), each once, in order: a token the model
  calls a section heading but whose text names none of them, or one already found, cannot start
  a section (the assembly would drop its text from the section body);
- notes are printed under the tables: a note in a section without a table is prose
  (「改进情况：」 alone on its line in section five is the start of a paragraph);
- the title stands before the first section heading.
A token whose best label breaks one of these takes its next most probable allowed label.
"""

from __future__ import annotations

from collections.abc import Sequence

from .. import matching, schema
from ..labels import LABELS, Label
from ..tokens import Token

_HEADING = LABELS.index(Label.SECTION_HEADING.value)
_NOTE = LABELS.index(Label.NOTE.value)
_TITLE = LABELS.index(Label.TITLE.value)


def decode(tokens: Sequence[Token], probabilities: Sequence[Sequence[float]]) -> list[tuple[int, float]]:
    """(label index, its probability) per token, the most probable label the constraints allow."""
    order = [key for key, _ in schema.sections()]
    out: list[tuple[int, float]] = []
    seen: set[str] = set()
    section: str | None = None  # the section the walk is in (None: before the first heading)
    for tok, probs in zip(tokens, probabilities):
        ranked = sorted(range(len(probs)), key=lambda i: -probs[i])
        for best in ranked:
            if best == _HEADING:
                key = matching.match_section_heading(tok.text)
                if key is None or key in seen or (section is not None and order.index(key) < order.index(section)):
                    continue
                seen.add(key)
                section = key
            elif best == _NOTE and section is not None and section not in schema.TABLES or best == _TITLE and section is not None:
                continue
            break
        out.append((best, float(probs[best])))
    return out
