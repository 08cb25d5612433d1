"""Cell-by-cell and section-by-section comparison of a result with its gold."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .. import schema

_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class CellDiff:
    table: str
    row: str
    column: str
    expected: object
    got: object

    def __str__(self) -> str:
        return f"{self.table}.{self.row}.{self.column}: expected {self.expected!r}, got {self.got!r}"


MISSING = "<missing>"


def gold_cells(gold_tables: dict) -> dict[tuple[str, str, str], object]:
    """Every (table, row, column) -> value of a gold or result `tables` dict."""
    cells = {}
    for table in schema.TABLES:
        for row, fields in (gold_tables.get(table) or {}).items():
            for column, value in fields.items():
                cells[(table, row, column)] = value
    return cells


def compare_tables(result_tables: dict, gold_tables: dict) -> tuple[int, list[CellDiff]]:
    """(number of gold cells, wrong cells). A cell absent from the result counts as wrong;
    cells the result has beyond the gold count as wrong too."""
    gold = gold_cells(gold_tables)
    got = gold_cells(result_tables)
    diffs = [CellDiff(*key, expected, got.get(key, MISSING))
             for key, expected in gold.items() if not _same(got.get(key, MISSING), expected)]
    diffs += [CellDiff(*key, MISSING, value) for key, value in got.items() if key not in gold]
    return len(gold), diffs


def _same(a, b) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return abs(a - b) < 1e-9
    return a == b


def squash(text: str) -> str:
    """Text compared without any whitespace: line wrapping is layout, not content."""
    return _SPACE.sub("", text or "")


@dataclass(frozen=True)
class SectionScore:
    """How one gold section came out: found at all, heading right, body (and so its boundaries) right."""

    id: str
    found: bool
    heading_ok: bool
    body_ok: bool


def score_sections(result_sections: list[dict], gold_sections: list[dict]) -> list[SectionScore]:
    """One score per gold section, compared without whitespace (as compare_sections does)."""
    got = {s["id"]: s for s in result_sections}
    scores = []
    for g in gold_sections:
        r = got.get(g["id"])
        scores.append(SectionScore(g["id"], r is not None,
                                   r is not None and squash(r.get("title")) == squash(g["title"]),
                                   r is not None and squash(r.get("text")) == squash(g["text"])))
    return scores


def compare_sections(result_sections: list[dict], gold_sections: list[dict]) -> list[str]:
    """Human-readable differences in section ids, headings and bodies."""
    got = {s["id"]: s for s in result_sections}
    diffs = []
    for g in gold_sections:
        r = got.get(g["id"])
        if r is None:
            diffs.append(f"section {g['id']}: missing")
            continue
        if squash(r["title"]) != squash(g["title"]):
            diffs.append(f"section {g['id']}: heading {r['title']!r}, expected {g['title']!r}")
        if squash(r["text"]) != squash(g["text"]):
            diffs.append(f"section {g['id']}: body differs (got {len(r['text'])} chars, expected {len(g['text'])})")
    order = [s["id"] for s in result_sections]
    if order != sorted(order, key=[k for k, _ in schema.sections()].index):
        diffs.append(f"sections out of order: {order}")
    return diffs


def compare_report(result_report: dict, gold_report: dict) -> list[str]:
    return [f"report.{key}: got {result_report.get(key)!r}, expected {value!r}"
            for key, value in gold_report.items() if result_report.get(key) != value]


def compare(result: dict, gold: dict) -> list[str]:
    """All differences between a result and its gold, as readable lines (empty: all right)."""
    _, cells = compare_tables(result.get("tables", {}), gold["tables"])
    return ([str(c) for c in cells] + compare_sections(result.get("sections", []), gold["sections"])
            + compare_report(result.get("report", {}), gold["report"]))
