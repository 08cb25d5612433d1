"""Scores of extractions against gold, and their sums over groups of documents.

`score_document` turns one result (plus its tags and the gold labels of its
tokens) into a `DocScore`; `summarize` sums any list of DocScores into the
figures of metrics.json; `grouped` does so per format or layout. All pure:
no files, no extraction.

Definitions:
- cell accuracy = right cells / (gold cells + cells the result has beyond the gold);
  a missing cell and an extra cell are both wrong (compare.compare_tables).
- a document is "all cells right" when compare_tables finds no difference, and
  "exact" when its sections and report fields are right as well.
- status honesty: `ok` with a wrong cell is a silent error (must be zero);
  `needs_review` is "flagged, wrong" when a cell is wrong, else "flagged, right"
  (of which "expected" when the gold's own printed figures break a rule, so the
  flag is what OUTPUT.md asks for).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from .. import schema
from ..labels import LABELS
from ..validate import validate
from .compare import MISSING, CellDiff, SectionScore, compare_tables, score_sections

REPORT_FIELDS = ("organization", "year", "format_version", "script")
OUTCOMES = ("ok_right", "ok_other_wrong", "silent_error", "flagged_wrong", "flagged_right",
            "flagged_right_expected", "failed")


@dataclass
class DocScore:
    """How one input file came out against its gold."""

    doc_id: str
    format: str
    layout: str
    status: str
    cells_total: int  # gold cells
    cell_diffs: list[CellDiff]
    by_table: dict[str, tuple[int, int]]  # table -> (gold cells, wrong cells incl. extras)
    sections: list[SectionScore]
    report_ok: dict[str, bool]
    checks_evaluated: int = 0
    checks_passed: int = 0
    checks_agree: int = 0  # result checks whose outcome equals the gold's for the same rule and place
    gold_breaks_rule: bool = False
    gold_labels: list[str] | None = None
    tags: list[str] | None = None
    pages: int = 0
    seconds: dict[str, float] = field(default_factory=dict)
    split: str = ""
    origin: str = ""
    path: str = ""
    errors: list[str] = field(default_factory=list)

    @property
    def cells_extra(self) -> int:
        return sum(1 for d in self.cell_diffs if d.expected == MISSING)

    @property
    def cells_wrong(self) -> int:
        return len(self.cell_diffs)

    @property
    def cells_right(self) -> int:
        return self.cells_total - (self.cells_wrong - self.cells_extra)

    @property
    def all_cells_right(self) -> bool:
        return not self.cell_diffs

    @property
    def exact(self) -> bool:
        return (self.all_cells_right and all(s.heading_ok and s.body_ok for s in self.sections)
                and all(self.report_ok.values()))

    @property
    def outcome(self) -> str:
        return status_outcome(self.status, self.all_cells_right, self.exact, self.gold_breaks_rule)


def status_outcome(status: str, cells_right: bool, exact: bool, gold_breaks_rule: bool) -> str:
    """Which of OUTCOMES a document's status is, given what was really right."""
    if status == "ok":
        if not cells_right:
            return "silent_error"
        return "ok_right" if exact else "ok_other_wrong"
    if status == "needs_review":
        if not cells_right:
            return "flagged_wrong"
        return "flagged_right_expected" if gold_breaks_rule else "flagged_right"
    return "failed"


def _check_key(check: dict) -> tuple:
    return check.get("rule"), check.get("column"), check.get("row"), check.get("group")


def score_document(result: dict, gold: dict, *, fmt: str, layout: str, tags: Sequence[str] | None = None,
                   gold_labels: Sequence[str] | None = None, seconds: dict[str, float] | None = None,
                   **meta: object) -> DocScore:
    """Score one extraction result against its gold. `tags`/`gold_labels`: label keys per token."""
    tables = result.get("tables") or {}
    total, diffs = compare_tables(tables, gold["tables"])
    by_table = {}
    for table in schema.TABLES:
        t_total, t_diffs = compare_tables({table: tables.get(table) or {}}, {table: gold["tables"].get(table) or {}})
        if t_total or t_diffs:
            by_table[table] = (t_total, len(t_diffs))
    report = result.get("report") or {}
    gold_report = gold.get("report") or {}
    fmt_version = gold_report.get("format_version") or "2021"
    gold_checks = {_check_key(c): c["ok"] for c in validate(gold["tables"], fmt_version)}
    checks = result.get("checks") or []
    return DocScore(
        doc_id=str(meta.pop("doc_id", gold.get("doc_id", ""))), format=fmt, layout=layout,
        status=result.get("status", "failed"), cells_total=total, cell_diffs=diffs, by_table=by_table,
        sections=score_sections(result.get("sections") or [], gold["sections"]),
        report_ok={k: report.get(k) == gold_report[k] for k in REPORT_FIELDS if k in gold_report},
        checks_evaluated=len(checks), checks_passed=sum(1 for c in checks if c.get("ok")),
        checks_agree=sum(1 for c in checks if gold_checks.get(_check_key(c)) == c.get("ok")),
        gold_breaks_rule=not all(gold_checks.values()),
        gold_labels=list(gold_labels) if gold_labels is not None else None,
        tags=list(tags) if tags is not None else None,
        pages=int((result.get("source") or {}).get("pages") or 0), seconds=dict(seconds or {}),
        errors=list(result.get("errors") or []), **meta)


# --- sums -------------------------------------------------------------------------------------

def ratio(part: float, whole: float) -> float | None:
    """part / whole, None when there is nothing to divide (shown as "n/a", never as 0 or 1)."""
    return part / whole if whole else None


def cell_figures(scores: Sequence[DocScore]) -> dict:
    right = sum(s.cells_right for s in scores)
    counted = sum(s.cells_total + s.cells_extra for s in scores)
    by_table = {}
    for table in schema.TABLES:
        pairs = [s.by_table[table] for s in scores if table in s.by_table]
        if pairs:
            t_total = sum(p[0] for p in pairs)
            t_wrong = sum(p[1] for p in pairs)  # extras included
            extras = sum(d.expected == MISSING for s in scores for d in s.cell_diffs if d.table == table)
            t_counted = t_total + extras
            by_table[table] = {"cells": t_counted, "right": t_counted - t_wrong,
                               "accuracy": ratio(t_counted - t_wrong, t_counted)}
    return {"cells": counted, "right": right, "wrong": counted - right, "accuracy": ratio(right, counted),
            "by_table": by_table}


def document_figures(scores: Sequence[DocScore]) -> dict:
    n = len(scores)
    all_right = sum(s.all_cells_right for s in scores)
    exact = sum(s.exact for s in scores)
    by_doc: dict[str, bool] = {}
    for s in scores:
        by_doc[s.doc_id] = by_doc.get(s.doc_id, True) and s.all_cells_right
    docs_right = sum(by_doc.values())
    return {"inputs": n, "all_cells_right": all_right, "all_cells_right_rate": ratio(all_right, n),
            "exact": exact, "exact_rate": ratio(exact, n),
            "gold_documents": len(by_doc), "gold_documents_right_in_every_format": docs_right,
            "gold_documents_right_in_every_format_rate": ratio(docs_right, len(by_doc))}


def section_figures(scores: Sequence[DocScore]) -> dict:
    sections = [sec for s in scores for sec in s.sections]
    n = len(sections)
    found = sum(sec.found for sec in sections)
    heading = sum(sec.heading_ok for sec in sections)
    body = sum(sec.body_ok for sec in sections)
    return {"sections": n, "found": found, "heading_right": heading, "heading_accuracy": ratio(heading, n),
            "body_right": body, "body_accuracy": ratio(body, n)}


def report_figures(scores: Sequence[DocScore]) -> dict:
    out = {}
    for key in REPORT_FIELDS:
        values = [s.report_ok[key] for s in scores if key in s.report_ok]
        out[key] = ratio(sum(values), len(values))
    return out


def token_figures(gold: Sequence[str], predicted: Sequence[str]) -> dict:
    """Token-tag accuracy, per-label precision/recall/F1/support and their macro average
    (over the labels that occur in gold or predictions)."""
    from sklearn.metrics import precision_recall_fscore_support

    if len(gold) != len(predicted):
        raise ValueError(f"{len(gold)} gold labels but {len(predicted)} predictions")
    if not gold:
        return {"tokens": 0, "accuracy": None, "per_label": {}, "macro": {"precision": None, "recall": None, "f1": None}}
    present = set(gold) | set(predicted)
    labels = [label for label in LABELS if label in present] + sorted(present - set(LABELS))
    p, r, f, support = precision_recall_fscore_support(gold, predicted, labels=labels, zero_division=0)
    per_label = {label: {"precision": float(p[i]), "recall": float(r[i]), "f1": float(f[i]),
                         "support": int(support[i])} for i, label in enumerate(labels)}
    correct = sum(1 for g, t in zip(gold, predicted) if g == t)
    return {"tokens": len(gold), "accuracy": correct / len(gold), "per_label": per_label,
            "macro": {"precision": float(p.mean()), "recall": float(r.mean()), "f1": float(f.mean())}}


def confusion(gold: Sequence[str], predicted: Sequence[str], labels: Sequence[str] = LABELS) -> list[list[int]]:
    """matrix[i][j]: tokens whose gold label is labels[i] and whose tag is labels[j]."""
    index = {label: i for i, label in enumerate(labels)}
    matrix = [[0] * len(labels) for _ in labels]
    for g, t in zip(gold, predicted):
        if g in index and t in index:
            matrix[index[g]][index[t]] += 1
    return matrix


def token_pairs(scores: Iterable[DocScore]) -> tuple[list[str], list[str]]:
    """All (gold label, tag) pairs of the documents that have both."""
    gold: list[str] = []
    tags: list[str] = []
    for s in scores:
        if s.gold_labels is not None and s.tags is not None and len(s.gold_labels) == len(s.tags):
            gold += s.gold_labels
            tags += s.tags
    return gold, tags


def check_figures(scores: Sequence[DocScore]) -> dict:
    evaluated = sum(s.checks_evaluated for s in scores)
    passed = sum(s.checks_passed for s in scores)
    with_checks = [s for s in scores if s.checks_evaluated]
    all_passed = sum(s.checks_passed == s.checks_evaluated for s in with_checks)
    return {"evaluated": evaluated, "passed": passed, "pass_rate": ratio(passed, evaluated),
            "documents_all_passed": all_passed, "documents_all_passed_rate": ratio(all_passed, len(with_checks)),
            "agree_with_gold": ratio(sum(s.checks_agree for s in scores), evaluated),
            "gold_documents_breaking_a_rule": sum(s.gold_breaks_rule for s in scores)}


def status_figures(scores: Sequence[DocScore]) -> dict:
    """Status honesty: counts of each outcome; `silent_errors` is the number that must be zero."""
    counts = Counter(s.outcome for s in scores)
    statuses = Counter(s.status for s in scores)
    flagged = statuses["needs_review"]
    return {"ok": statuses["ok"], "needs_review": flagged, "failed": statuses["failed"],
            **{outcome: counts[outcome] for outcome in OUTCOMES},
            "silent_errors": counts["silent_error"],
            "silent_error_rate": ratio(counts["silent_error"], statuses["ok"]),
            "flag_precision": ratio(counts["flagged_wrong"], flagged)}


def throughput_figures(scores: Sequence[DocScore]) -> dict:
    stages = {stage: sum(s.seconds.get(stage, 0.0) for s in scores) for stage in ("load", "tag", "assemble")}
    total = sum(stages.values())
    pages = sum(s.pages for s in scores)
    return {"documents": len(scores), "pages": pages, "seconds": {**stages, "total": total},
            "pages_per_second": ratio(pages, total), "documents_per_second": ratio(len(scores), total),
            "seconds_per_document": ratio(total, len(scores))}


def summarize(scores: Sequence[DocScore], *, with_confusion: bool = False) -> dict:
    """Every figure of metrics.json for one group of inputs."""
    gold, tags = token_pairs(scores)
    out = {"documents": document_figures(scores), "cells": cell_figures(scores),
           "sections": section_figures(scores), "report_fields": report_figures(scores),
           "tokens": token_figures(gold, tags), "checks": check_figures(scores),
           "status": status_figures(scores), "throughput": throughput_figures(scores)}
    if with_confusion:
        out["confusion"] = {"labels": list(LABELS), "matrix": confusion(gold, tags)}
    return out


def grouped(scores: Sequence[DocScore], key: Callable[[DocScore], str]) -> dict[str, dict]:
    """summarize() per value of `key` (format, layout, …), in first-seen order."""
    groups: dict[str, list[DocScore]] = {}
    for s in scores:
        groups.setdefault(key(s), []).append(s)
    return {name: summarize(members) for name, members in groups.items()}


def headline(metrics: dict) -> dict[str, float | int | None]:
    """The few figures that compare versions at a glance, from a summarize() dict."""
    return {"cell_accuracy": metrics["cells"]["accuracy"],
            "documents_all_cells_right": metrics["documents"]["all_cells_right_rate"],
            "documents_exact": metrics["documents"]["exact_rate"],
            "gold_documents_right_everywhere": metrics["documents"].get("gold_documents_right_in_every_format_rate"),
            "section_heading_accuracy": metrics["sections"]["heading_accuracy"],
            "section_body_accuracy": metrics["sections"]["body_accuracy"],
            "token_accuracy": metrics["tokens"]["accuracy"],
            "token_macro_f1": metrics["tokens"]["macro"]["f1"],
            "check_pass_rate": metrics["checks"]["pass_rate"],
            "silent_errors": metrics["status"]["silent_errors"],
            "flagged_wrong": metrics["status"]["flagged_wrong"],
            "flagged_right": metrics["status"]["flagged_right"],
            "failed": metrics["status"]["failed"],
            "pages_per_second": metrics["throughput"]["pages_per_second"]}


def doc_record(score: DocScore, *, max_cells: int = 50) -> dict:
    """One input's figures for metrics.json (without its per-token lists)."""
    return {"doc_id": score.doc_id, "split": score.split, "format": score.format, "layout": score.layout,
            "origin": score.origin, "path": score.path, "status": score.status, "outcome": score.outcome,
            "errors": score.errors[:20],
            "cells": {"gold": score.cells_total, "right": score.cells_right, "wrong": score.cells_wrong,
                      "extra": score.cells_extra},
            "wrong_cells": [{"table": d.table, "row": d.row, "column": d.column,
                             "expected": d.expected, "got": d.got} for d in score.cell_diffs[:max_cells]],
            "sections": [{"id": s.id, "found": s.found, "heading_ok": s.heading_ok, "body_ok": s.body_ok}
                         for s in score.sections],
            "report_fields": score.report_ok,
            "checks": {"evaluated": score.checks_evaluated, "passed": score.checks_passed},
            "tokens": None if score.tags is None or score.gold_labels is None else {
                "tokens": len(score.tags),
                "right": sum(1 for g, t in zip(score.gold_labels, score.tags) if g == t)},
            "pages": score.pages, "seconds": score.seconds}
