"""The format's own consistency rules (勾稽关系), as listed in OUTPUT.md.

Each rule is evaluated wherever all its cells are present; blank cells count
as 0. A rule that fails is reported, never repaired.
"""

from __future__ import annotations

from . import schema


def _num(value) -> int | float:
    return 0 if value is None else value


def _fmt(n) -> str:
    return f"{n:g}" if isinstance(n, float) else str(n)


def _check(rule: str, where: tuple[str, str], left: list, right: list) -> dict:
    lsum, rsum = sum(map(_num, left)), sum(map(_num, right))
    ok = abs(lsum - rsum) < 1e-9
    detail = f"{' + '.join(_fmt(_num(v)) for v in left)} {'=' if ok else '≠'} {' + '.join(_fmt(_num(v)) for v in right)}"
    return {"rule": rule, where[0]: where[1], "ok": ok, "detail": detail}


def _cells(table: dict, rows: list[str], column: str) -> list | None:
    """The cells of `column` in `rows`, or None when any row or cell is missing."""
    out = []
    for row in rows:
        if row not in table or column not in table[row]:
            return None
        out.append(table[row][column])
    return out


def check_applications(table: dict, fmt: str) -> list[dict]:
    checks: list[dict] = []
    columns = [k for k, _ in schema.application_columns(fmt)]
    applicants = [c for c in columns if c != "total"]
    results = schema.result_rows(fmt)
    for column in columns:
        left = _cells(table, ["new_received", "carried_over"], column)
        right = _cells(table, ["total_processed", "carried_forward"], column)
        if left is not None and right is not None:
            checks.append(_check("applications.balance", ("column", column), left, right))
    for row_key, _ in schema.application_rows(fmt):
        row = table.get(row_key)
        if row is not None and "total" in row and all(c in row for c in applicants):
            checks.append(_check("applications.row_total", ("row", row_key),
                                 [row["total"]], [row[c] for c in applicants]))
    for column in columns:
        total = _cells(table, ["total_processed"], column)
        parts = _cells(table, results, column)
        if total is not None and parts is not None:
            checks.append(_check("applications.processed_sum", ("column", column), total, parts))
    return checks


def check_review(table: dict) -> list[dict]:
    checks = []
    parts = ["upheld", "corrected", "other", "pending"]
    for group, _ in schema.review_groups():
        cells = table.get(group, {})
        if "total" in cells and all(p in cells for p in parts):
            checks.append(_check("review_litigation.group_total", ("group", group),
                                 [cells["total"]], [cells[p] for p in parts]))
    return checks


def validate(tables: dict, fmt: str) -> list[dict]:
    """Every consistency rule that can be evaluated on these tables."""
    return check_applications(tables.get("applications", {}), fmt) + check_review(tables.get("review_litigation", {}))


def _cell(tables: dict, path: str):
    """The value at `table.row.column`, or KeyError when that row or column was not read."""
    table, row, column = path.split(".")
    return tables[table][row][column]


def check_narrative(claims: list[dict], tables: dict) -> list[dict]:
    """`narrative`: every claim's value against its cell, or the sum of its cells, where every one
    of them was read (a claim about a row the table lost is not checked: nothing to hold it to)."""
    checks = []
    for claim in claims:
        try:
            values = [_cell(tables, path) for path in claim["cells"]]
        except KeyError:
            continue
        total = sum(map(_num, values))
        ok = abs(total - claim["value"]) < 1e-9
        column = claim["cells"][0].rsplit(".", 1)[1] if len(claim["cells"]) == 1 else None
        checks.append({"rule": "narrative", "column": column, "cells": list(claim["cells"]), "ok": ok,
                       "detail": f"the text says {_fmt(claim['value'])} (“{claim['text']}”), "
                                 f"the table {_fmt(total)}"})
    return checks
