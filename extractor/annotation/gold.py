"""A gold result from corrected token labels.

The corrected labels go through the pipeline's own assembly (as a tagger
whose answer is fixed), so the figures are the printed tokens and the
sections and tables follow the labels; the extras that re-render a document
(title, preamble, signature, trailer) come from the labels too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..assemble.sections import paragraphs
from ..labels import Label
from ..pipeline import SCHEMA_VERSION, empty_result, extract_document
from ..tagging import Tag
from ..tokens import Document, Token


@dataclass
class FixedTagger:
    """A tagger that answers with labels decided elsewhere (by an annotator)."""

    labels: Sequence[Label]
    name: str = "annotation"
    version: str = "1"

    def tag(self, doc: Document) -> list[Tag]:
        if len(self.labels) != len(doc.tokens):
            raise ValueError(f"{len(self.labels)} labels for {len(doc.tokens)} tokens")
        return [Tag(label, 1.0) for label in self.labels]


def _lines(tokens: Sequence[Token]) -> list[str]:
    """Printed lines of some tokens: same page and line joined by a space, stripped, empty ones dropped."""
    lines: list[tuple[tuple[int, int], list[str]]] = []
    for tok in tokens:
        key = (tok.page, tok.line)
        if not lines or lines[-1][0] != key:
            lines.append((key, []))
        if tok.text.strip():
            lines[-1][1].append(tok.text.strip())
    return [" ".join(parts) for _, parts in lines if parts]


def _is_cjk(ch: str) -> bool:
    return bool(ch) and ("\u3000" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef")


def _join(lines: Sequence[str]) -> str:
    """Lines of one wrapped item (a title) as one string: no space where the break falls next to CJK."""
    out = ""
    for line in lines:
        sep = "" if not out or _is_cjk(out[-1]) or _is_cjk(line[0]) else " "
        out += sep + line
    return out


def extras(tokens: Sequence[Token], labels: Sequence[Label]) -> dict:
    """title, preamble (prose before the first section heading), signature, trailer (what the loader
    did not already call page furniture, labelled furniture after the signature began)."""
    first_heading = next((i for i, label in enumerate(labels) if label == Label.SECTION_HEADING), len(tokens))
    first_signature = next((i for i, label in enumerate(labels) if label == Label.SIGNATURE), len(tokens))
    title = _join(_lines([t for t, label in zip(tokens, labels) if label == Label.TITLE]))
    preamble = paragraphs([tokens[i] for i in range(first_heading) if labels[i] == Label.PROSE])
    signature = _lines([t for t, label in zip(tokens, labels) if label == Label.SIGNATURE])
    trailer = _lines([tokens[i] for i in range(first_signature, len(tokens))
                      if labels[i] == Label.FURNITURE and not tokens[i].furniture])
    return {"title": title or None, "preamble": preamble, "signature": signature, "trailer": trailer}


def gold_from_labels(doc: Document, labels: Sequence[Label], *, doc_id: str, source_file: str,
                     sha256: str) -> tuple[dict | None, list[str]]:
    """(gold dict, what the assembly noticed). The gold is None when the labels do not make a report
    (no sections or tables): the reasons are in the list."""
    tagger = FixedTagger(labels)
    result, _ = extract_document(doc, empty_result(source_file, sha256, tagger), tagger)
    if result["status"] == "failed":
        return None, list(result["errors"])
    gold = {
        "schema_version": SCHEMA_VERSION,
        "doc_id": doc_id,
        "source": {"file": source_file, "sha256": sha256, "format": doc.format},
        "report": result["report"],
        "sections": result["sections"],
        "tables": result["tables"],
        "extras": extras(doc.tokens, labels),
    }
    return gold, list(result["errors"])
