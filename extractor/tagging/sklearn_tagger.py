"""A scikit-learn tagger: a linear model over hand-made features of each token and its neighbours.

The baseline between the rules and the neural token classifier. Features of a token:
what the loader says it is (prose, text cell, grid cell and its column, furniture), its
length, whether it is a figure, outline numbering, sentence punctuation, matches against the
schema's labels (section headings, row labels, column header words, block titles), its
characters, its place in the document and the section it stands in; and the same short
description of the tokens before and after it. Saved as models/sklearn-<version>/model.joblib.
"""

from __future__ import annotations

import re
from pathlib import Path

from .. import matching
from ..labels import LABELS, Label
from ..normalize import clean
from ..tokens import Document, Token
from ..values import looks_like_value
from ..vocabulary import NOTE_MARKERS
from . import Tag

MODEL_FILE = "model.joblib"
_NUMBERED = re.compile(r"^\s*(?:[(（][一二三四五六七八九十]+[)）]|[一二三四五六七八九十]+[、.．]|[(（]\d{1,2}[)）]|"
                       r"\d{1,2}[、.．](?!\d))")
_SENTENCE_END = ("。", "；", ";", "：", ":", "，", ",")
_MATCH_LIMIT = 40  # longer texts are prose, not labels: do not fuzzy-match them


def _length_bucket(n: int) -> str:
    for limit in (0, 1, 2, 4, 8, 16, 32, 64):
        if n <= limit:
            return str(limit)
    return "long"


def _kind(tok: Token) -> str:
    if tok.furniture:
        return "F"
    if tok.table is not None:
        return "G0" if tok.col == 0 else "G"
    return "C" if tok.cell else "P"


def _short(tok: Token | None, prefix: str) -> dict[str, float]:
    """The description of a neighbour."""
    if tok is None:
        return {f"{prefix}none": 1.0}
    printed = clean(tok.text).strip()
    return {f"{prefix}kind={_kind(tok)}": 1.0, f"{prefix}len={_length_bucket(len(printed))}": 1.0,
            f"{prefix}value": float(looks_like_value(tok.text) and bool(printed)),
            f"{prefix}empty": float(not printed)}


def token_features(doc: Document) -> list[dict[str, float]]:
    """One feature dict per token."""
    from .rules import find_section_headings

    tokens = doc.tokens
    fmt = matching.detect_format([t.text for t in tokens])
    headings = find_section_headings(tokens)
    section = "before"
    out = []
    n = len(tokens)
    for i, tok in enumerate(tokens):
        if i in headings:
            section = headings[i]
        printed = clean(tok.text).strip()
        squashed = printed.replace(" ", "")
        prev = tokens[i - 1] if i else None
        nxt = tokens[i + 1] if i + 1 < n else None
        f: dict[str, float] = {
            "bias": 1.0,
            f"kind={_kind(tok)}": 1.0,
            f"len={_length_bucket(len(squashed))}": 1.0,
            f"section={section}": 1.0,
            f"kind={_kind(tok)}&section={section}": 1.0,
            "heading_here": float(i in headings),
            "new_line": float(prev is None or (prev.page, prev.line) != (tok.page, tok.line)),
            "new_page": float(prev is not None and prev.page != tok.page),
            "value": float(looks_like_value(tok.text) and bool(printed)),
            "empty": float(not printed),
            "unreadable": float(tok.unreadable),
            "numbered": float(bool(_NUMBERED.match(printed))),
            "full_stop": float("。" in printed),
            "ends_sentence": float(printed.endswith(_SENTENCE_END)),
            "note_marker": float(any(m in printed for m in NOTE_MARKERS)),
            "report_words": float("年度报告" in squashed),
            "merged": float(tok.rowspan > 1 or tok.colspan > 1),
            "first_tokens": float(i < 5),
            "last_tokens": float(i >= n - 8),
            f"place={min(9, 10 * i // max(1, n))}": 1.0,
        }
        if squashed and len(squashed) <= _MATCH_LIMIT:
            f["block_title"] = float(matching.is_block_title(tok.text))
            f["header_like"] = float(matching.is_header_like(tok.text, fmt))
            f["section_heading"] = float(matching.match_section_heading(tok.text) is not None)
            f["row_match"] = float(bool(matching.match_application_group(tok.text, fmt)
                                        or matching.match_application_row(tok.text, fmt)[0]
                                        or matching.match_disclosure_row(tok.text, fmt)[0]))
        for ch in set(squashed[:12] + squashed[-4:]):
            f["ch=" + ("0" if ch.isdigit() else ch)] = 1.0
        f.update(_short(prev, "prev:"))
        f.update(_short(nxt, "next:"))
        f.update(_short(tokens[i + 2] if i + 2 < n else None, "next2:"))
        out.append(f)
    return out


class SklearnTagger:
    """Tags with a trained scikit-learn model directory (models/sklearn-<version>/)."""

    def __init__(self, model: str | Path | None = None) -> None:
        import joblib

        from ..ml import registry

        info = registry.resolve(model or "sklearn", kind=registry.SKLEARN)
        self.info = info
        self.name = info.name
        self.version = info.version
        bundle = joblib.load(info.path / MODEL_FILE)
        self.vectorizer = bundle["vectorizer"]
        self.classifier = bundle["classifier"]

    def tag(self, doc: Document) -> list[Tag]:
        if not doc.tokens:
            return []
        probs = self.classifier.predict_proba(self.vectorizer.transform(token_features(doc)))
        classes = [LABELS[int(c)] for c in self.classifier.classes_]
        return [Tag(Label(classes[row.argmax()]), round(float(row.max()), 4)) for row in probs]
