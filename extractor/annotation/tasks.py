"""A document as a Label Studio task, and labelled spans back to token labels. Pure functions.

The task text lays the tokens out as printed: one printed line per text line,
pieces on the same line joined by " | ", a marker line at each page break and
around each grid table. Every token has a (start, end) range in that text,
stored with the task, so spans map back to tokens exactly; markers and
separators belong to no token.

Span to token: a token takes the label of the span overlapping most of its
characters (on a tie, the later span in the result). A token no span touches
is *uncovered*: the caller decides (pull rejects the annotation by default).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from statistics import fmean

from ..dataset import token_to_dict
from ..labels import LABELS, Label
from ..tagging import Tag
from ..tokens import Document, Token
from .config import FROM_NAME, TEXT_FIELD, TO_NAME

CELL_SEP = " | "
BLANK = "∅"  # shown for a token with no visible text (a blank cell), so it can be selected
PAGE_MARK = "──── 第{page}页 ────"
TABLE_START = "┌──── 表格{n} ────"
TABLE_END = "└──── 表格{n} 完 ────"

# What str.splitlines() breaks on, and the spaces a browser collapses: shown as one space, so a
# token stays on its line and the offsets the browser reports match the text we stored.
_SPACES = re.compile("[ \t\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]+")
_SLUG = re.compile(r"[^\w]+")

# Keys of the task data this module writes; pull checks a task has them before trusting it.
DATA_KEYS = ("text", "offsets", "tokens", "doc_id", "sha256", "format")


@dataclass(frozen=True)
class TaskText:
    text: str
    offsets: list[tuple[int, int]]  # per token: [start, end) in `text`, in code points


def shown(text: str) -> str:
    """A token's text as the task shows it: on one line, runs of spaces as one, and never empty."""
    flat = _SPACES.sub(" ", text).strip(" ")
    return flat if flat.strip() else BLANK


def _printed_lines(tokens: Sequence[Token]) -> list[list[int]]:
    """Token indexes grouped into printed lines (same page and line number), in order."""
    lines: list[list[int]] = []
    last = None
    for i, tok in enumerate(tokens):
        key = (tok.page, tok.line)
        if lines and key == last:
            lines[-1].append(i)
        else:
            lines.append([i])
        last = key
    return lines


def layout(tokens: Sequence[Token]) -> TaskText:
    """The task text of a token stream and each token's offsets in it."""
    out: list[str] = []
    offsets: list[tuple[int, int]] = [(0, 0)] * len(tokens)
    pos = 0
    page = tokens[0].page if tokens else 1
    table: int | None = None
    tables_seen = 0

    def add_line(text: str) -> None:
        nonlocal pos
        if out:
            out.append("\n")
            pos += 1
        out.append(text)
        pos += len(text)

    for line in _printed_lines(tokens):
        first = tokens[line[0]]
        if first.table != table and table is not None:
            add_line(TABLE_END.format(n=tables_seen))
        if first.page != page:
            add_line(PAGE_MARK.format(page=first.page))
            page = first.page
        if first.table != table:
            if first.table is not None:
                tables_seen += 1
                add_line(TABLE_START.format(n=tables_seen))
            table = first.table
        add_line("")
        for n, i in enumerate(line):
            if n:
                out.append(CELL_SEP)
                pos += len(CELL_SEP)
            piece = shown(tokens[i].text)
            offsets[i] = (pos, pos + len(piece))
            out.append(piece)
            pos += len(piece)
    if table is not None:
        add_line(TABLE_END.format(n=tables_seen))
    return TaskText("".join(out), offsets)


def slug(text: str, limit: int = 60) -> str:
    """A file-name-safe form of a name (letters, digits, CJK kept; runs of anything else become "-")."""
    return _SLUG.sub("-", text).strip("-_").lower()[:limit].strip("-_") or "doc"


def doc_id_for(stem: str, sha256: str) -> str:
    """A stable document id: the file name's slug and the start of its hash (renames and copies agree)."""
    return f"{slug(stem)}-{sha256[:8]}"


def mean_confidence(tags: Sequence[Tag]) -> float:
    return fmean(t.confidence for t in tags) if tags else 0.0


def priority(status: str, checks: Iterable[dict], tags: Sequence[Tag]) -> float:
    """How useful a person's correction of this document is: higher first.

    Failed extractions and failed consistency checks (2) before other
    needs_review documents (1) before clean ones (0); within a group, lower
    mean model confidence first (active learning).
    """
    failed_checks = any(not c.get("ok", True) for c in checks)
    group = 2 if status == "failed" or failed_checks else 1 if status == "needs_review" else 0
    return round(group + 1.0 - mean_confidence(tags), 6)


def prediction_result(tags: Sequence[Tag], task: TaskText) -> list[dict]:
    """One labelled region per token, with the tag's confidence as its score."""
    if len(tags) != len(task.offsets):
        raise ValueError(f"{len(tags)} tags for {len(task.offsets)} tokens")
    return [{
        "id": f"t{i}", "from_name": FROM_NAME, "to_name": TO_NAME, "type": "labels",
        "value": {"start": start, "end": end, "text": task.text[start:end], "labels": [tag.label.value]},
        "score": round(float(tag.confidence), 6),
    } for i, (tag, (start, end)) in enumerate(zip(tags, task.offsets))]


def prediction(tags: Sequence[Tag], task: TaskText, model_version: str) -> dict:
    return {"model_version": model_version, "score": round(mean_confidence(tags), 6),
            "result": prediction_result(tags, task)}


def task_data(doc: Document, task: TaskText, *, doc_id: str, source: str, sha256: str, status: str,
              errors: Sequence[str], model_version: str, task_priority: float, confidence: float) -> dict:
    """The `data` of a task: what the annotator sees, and what pull needs to rebuild token labels."""
    return {
        TEXT_FIELD: task.text,
        "offsets": [list(o) for o in task.offsets],
        "tokens": [token_to_dict(t) for t in doc.tokens],
        "doc_id": doc_id,
        "source": source,
        "sha256": sha256,
        "format": doc.format,
        "pages": doc.pages,
        "status": status,
        "errors": list(errors),
        "model_version": model_version,
        "priority": task_priority,
        "confidence": round(confidence, 6),
    }


class AnnotationError(ValueError):
    """An annotation that cannot be turned into token labels (unknown label, several labels on a region)."""


def _utf16_to_index(text: str, units: int) -> int:
    """The code point index at `units` UTF-16 code units into `text`."""
    count = 0
    for i, ch in enumerate(text):
        if count >= units:
            return i
        count += 2 if ord(ch) > 0xFFFF else 1
    return len(text)


def _span(value: dict, text: str | None) -> tuple[int, int]:
    start, end = int(value["start"]), int(value["end"])
    quoted = value.get("text")
    if text is not None and quoted is not None and text[start:end] != quoted:
        # Browsers count UTF-16 units; characters beyond the BMP (rare CJK) would shift the span.
        s16, e16 = _utf16_to_index(text, start), _utf16_to_index(text, end)
        if text[s16:e16] == quoted:
            return s16, e16
    return start, end


def _label_of(value: dict) -> Label:
    names = set(value.get("labels") or [])
    if len(names) != 1:
        raise AnnotationError(f"a region must carry exactly one label, found {sorted(names) or 'none'}")
    (name,) = names
    if name not in LABELS:
        raise AnnotationError(f"unknown label {name!r} (known: {', '.join(LABELS)})")
    return Label(name)


def token_labels(result: Iterable[dict], offsets: Sequence[Sequence[int]], text: str | None = None
                 ) -> list[Label | None]:
    """Token labels from labelled regions: the label overlapping most of each token; None where uncovered."""
    starts = [int(o[0]) for o in offsets]
    best: list[tuple[int, int, Label] | None] = [None] * len(offsets)
    for order, region in enumerate(result):
        if region.get("type") != "labels" or region.get("from_name", FROM_NAME) != FROM_NAME:
            continue
        start, end = _span(region["value"], text)
        label = _label_of(region["value"])
        i = max(bisect_right(starts, start) - 1, 0)
        while i < len(offsets) and starts[i] < end:
            token_start, token_end = int(offsets[i][0]), int(offsets[i][1])
            overlap = min(token_end, end) - max(token_start, start)
            if overlap > 0 and (best[i] is None or (overlap, order) >= best[i][:2]):
                best[i] = (overlap, order, label)
            i += 1
    return [b[2] if b else None for b in best]


def uncovered_lines(labels: Sequence[Label | None], tokens: Sequence[Token], limit: int = 3) -> list[str]:
    """The first few uncovered tokens, as readable text (for the message that rejects an annotation)."""
    out = [f"page {tokens[i].page}: {shown(tokens[i].text)[:40]}" for i, label in enumerate(labels) if label is None]
    return out[:limit] + ([f"… {len(out) - limit} more"] if len(out) > limit else [])
