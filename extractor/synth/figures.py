"""Figures of the three tables that hold every consistency rule of extractor/validate.py,
or break exactly one on purpose.

Like real reports, most figures are zeros or small numbers; a few bodies report
thousands of licensing decisions or fees with decimals. Applications are drawn
per applicant column and result row, then summed, so the totals, the balance and
the processed sum hold by construction.
"""

from __future__ import annotations

import copy
import random

from .. import schema
from ..validate import validate

RULES = ("applications.balance", "applications.row_total", "applications.processed_sum",
         "review_litigation.group_total")

# How often each result of processing occurs (granted and "not held" dominate real reports).
RESULT_WEIGHTS = {
    "granted": 35, "partially_granted": 8, "denied_state_secret": 1, "denied_prohibited_by_law": 1,
    "denied_three_safeties": 1, "denied_third_party": 2, "denied_internal_affairs": 2, "denied_process_info": 2,
    "denied_enforcement_files": 1, "denied_inquiry": 2, "unable_not_held": 20, "unable_needs_creation": 4,
    "unable_unclear": 3, "not_processed_petition": 4, "not_processed_duplicate": 3, "not_processed_publication": 1,
    "not_processed_excessive": 1, "not_processed_confirmation": 1, "other_no_correction": 3,
    "other_unpaid_fee": 1, "other_other": 4, "other": 8,
}


def _count(rng: random.Random, zero: float, small: int, large: tuple[int, int] | None = None,
           large_share: float = 0.0) -> int:
    """0 with probability `zero`, else 1..small, sometimes a large figure."""
    if rng.random() < zero:
        return 0
    if large and rng.random() < large_share:
        return rng.randint(*large)
    return rng.randint(1, small)


def _amount(rng: random.Random, zero: float = 0.6) -> int | float:
    """An amount in 万元: 0, a whole number, or two decimals like 2648.52."""
    if rng.random() < zero:
        return 0
    value = round(rng.uniform(0.1, 1.0) * 10 ** rng.randint(0, 4), 2)
    return int(value) if rng.random() < 0.15 and value >= 1 else value


def disclosure_figures(rng: random.Random, fmt: str) -> dict:
    """The active-disclosure table of format `fmt`."""
    quiet = rng.random() < 0.5  # a small body: mostly zeros
    out: dict[str, dict] = {}
    for row in schema.disclosure_rows(fmt):
        fields: dict[str, int | float] = {}
        for key, _ in row.fields:
            if schema.is_amount_field(fmt, row.key, key):
                fields[key] = _amount(rng, 0.8 if quiet else 0.5)
            elif key == "change":
                fields[key] = 0 if rng.random() < 0.6 else rng.randint(-5, 8)
            elif row.key in ("administrative_licensing", "administrative_punishment"):
                fields[key] = _count(rng, 0.7 if quiet else 0.35, 500, (1000, 30000), 0.15)
            elif row.key == "regulations":
                fields[key] = _count(rng, 0.9, 3)
            elif key in ("in_force", "total_published"):
                fields[key] = _count(rng, 0.6 if quiet else 0.3, 150)
            else:
                fields[key] = _count(rng, 0.8 if quiet else 0.5, 20)
        out[row.key] = fields
    return out


def _applicants(rng: random.Random, columns: list[str], level: str) -> dict[str, int]:
    """New applications per applicant column at an activity `level`."""
    if level == "none":
        return dict.fromkeys(columns, 0)
    top = {"few": 8, "some": 80, "many": 3000}[level]
    out = {}
    for i, column in enumerate(columns):
        if i == 0:  # natural persons file most requests
            out[column] = rng.randint(1, top)
        else:
            out[column] = rng.randint(1, max(1, top // 6)) if rng.random() < 0.25 else 0
    return out


def application_figures(rng: random.Random, fmt: str) -> dict:
    """The applications table: every rule of validate.check_applications holds."""
    columns = [k for k, _ in schema.application_columns(fmt)]
    applicants = [c for c in columns if c != "total"]
    results = schema.result_rows(fmt)
    level = rng.choices(["none", "few", "some", "many"], weights=[35, 40, 18, 7])[0]
    new = _applicants(rng, applicants, level)
    table: dict[str, dict[str, int]] = {key: {} for key, _ in schema.application_rows(fmt)}
    weights = [RESULT_WEIGHTS.get(r, 1) for r in results]
    for column in applicants:
        carried_over = rng.randint(0, max(1, new[column] // 4)) if new[column] and rng.random() < 0.3 else 0
        available = new[column] + carried_over
        carried_forward = rng.randint(0, max(1, available // 5)) if available and rng.random() < 0.3 else 0
        carried_forward = min(carried_forward, available)
        processed = available - carried_forward
        counts = dict.fromkeys(results, 0)
        for result in rng.choices(results, weights=weights, k=processed):
            counts[result] += 1
        table["new_received"][column] = new[column]
        table["carried_over"][column] = carried_over
        for result in results:
            table[result][column] = counts[result]
        table["total_processed"][column] = processed
        table["carried_forward"][column] = carried_forward
    for row in table.values():
        row["total"] = sum(row[c] for c in applicants)
    return {key: {c: row[c] for c in columns} for key, row in table.items()}


def review_figures(rng: random.Random) -> dict:
    """The review/litigation table: each group's total is the sum of its parts."""
    busy = rng.random() < 0.3
    out = {}
    for group, _ in schema.review_groups():
        parts = {f: (rng.randint(0, 4) if busy and rng.random() < 0.5 else 0)
                 for f, _ in schema.review_fields() if f != "total"}
        out[group] = {**parts, "total": sum(parts.values())}
    return out


def random_tables(rng: random.Random, fmt: str) -> dict:
    """All three tables of format `fmt`, every consistency rule holding."""
    return {"active_disclosure": disclosure_figures(rng, fmt),
            "applications": application_figures(rng, fmt),
            "review_litigation": review_figures(rng)}


def failing_rules(tables: dict, fmt: str) -> set[str]:
    return {check["rule"] for check in validate(tables, fmt) if not check["ok"]}


def _bump(row: dict, column: str, by: int) -> None:
    row[column] = (row[column] or 0) + by


def break_rule(rng: random.Random, tables: dict, fmt: str, rule: str) -> dict:
    """A copy of `tables` in which `rule` fails and every other rule still holds.

    Each change is the kind of slip real reports make (a total not updated, a
    figure typed into the wrong row), compensated where it would also break
    another rule.
    """
    out = copy.deepcopy(tables)
    apps, review = out["applications"], out["review_litigation"]
    applicants = [k for k, _ in schema.application_columns(fmt) if k != "total"]
    by = rng.choice([1, 1, 2, 3, 10])
    if rule == "applications.row_total":
        # A result row's total is off; the totals column stays consistent down and across.
        row = rng.choice(schema.result_rows(fmt))
        for key in (row, "total_processed", "new_received"):
            _bump(apps[key], "total", by)
    elif rule == "applications.balance":
        column = rng.choice(applicants)
        for col in (column, "total"):
            _bump(apps["carried_forward"], col, by)
    elif rule == "applications.processed_sum":
        row, column = rng.choice(schema.result_rows(fmt)), rng.choice(applicants)
        for col in (column, "total"):
            _bump(apps[row], col, by)
    elif rule == "review_litigation.group_total":
        group = rng.choice([g for g, _ in schema.review_groups()])
        _bump(review[group], rng.choice(["total", "upheld", "pending"]), by)
    else:
        raise ValueError(f"unknown rule {rule!r}; rules: {RULES}")
    failing = failing_rules(out, fmt)
    if failing != {rule}:  # a bug here, not bad luck: every change above is compensated
        raise AssertionError(f"breaking {rule} made {sorted(failing)} fail")
    return out


def blank_cells(rng: random.Random, tables: dict, share: float) -> dict:
    """A copy where a `share` of the zero cells are blank (None): blanks count as 0, so no rule changes."""
    out = copy.deepcopy(tables)
    for rows in out.values():
        for row in rows.values():
            for key, value in row.items():
                if value == 0 and rng.random() < share:
                    row[key] = None
    return out


BLANK_COLUMNS = ("first", "middle", "last")


def printed_rows(tables: dict) -> list[list[tuple[dict, str]]]:
    """Each printed table row as (row dict, field) pairs, left to right: one per table row, except
    review and litigation, whose five groups print side by side as one row of fifteen figures."""
    rows = []
    for table, body in tables.items():
        if table == "review_litigation":
            rows.append([(body[group], field) for group, _ in schema.review_groups() if group in body
                         for field, _ in schema.review_fields() if field in body[group]])
        else:
            rows += [[(row, field) for field in row] for row in body.values()]
    return [row for row in rows if row]


def blank_columns(rng: random.Random, tables: dict, positions: tuple[str, ...], share: float = 0.8) -> dict:
    """A copy where zero cells of the first, a middle and/or the last printed column (BLANK_COLUMNS)
    are left blank (None), as 2019-format reports leave whole columns of zeros empty. Blanks count
    as 0, so no rule changes; a `share` of those zero cells is blanked."""
    unknown = set(positions) - set(BLANK_COLUMNS)
    if unknown:
        raise ValueError(f"unknown blank column position(s) {sorted(unknown)}; positions: {BLANK_COLUMNS}")
    out = copy.deepcopy(tables)
    middles: dict[int, int | None] = {}  # row width -> its middle column, one for all rows that wide
    for row in printed_rows(out):
        if len(row) not in middles:
            middles[len(row)] = rng.randrange(1, len(row) - 1) if len(row) > 2 else None
        spots = {"first": 0, "middle": middles[len(row)], "last": len(row) - 1}
        for position in positions:
            spot = spots[position]
            if spot is None or rng.random() >= share:
                continue
            values, field = row[spot]
            if values[field] == 0:
                values[field] = None
    return out


def enlarge(rng: random.Random, tables: dict, fmt: str) -> dict:
    """A copy with the figures of a large body: counts of the applications table and of the
    disclosure table's licensing and punishment rows times one factor each (five- and six-digit
    counts; every rule that held, or failed, still does, since they are all sums), amounts with
    two decimals up to hundreds of thousands of 万元. Blanks stay blank, zeros zero."""
    out = copy.deepcopy(tables)

    def scale(row: dict, factor: int, fields=None) -> None:
        for key, value in row.items():
            if isinstance(value, int) and not isinstance(value, bool) and (fields is None or key in fields):
                row[key] = value * factor

    applications = rng.choice([37, 113, 409, 1021, 3011])
    for row in out["applications"].values():
        scale(row, applications)
    for key, row in out["active_disclosure"].items():
        for field in row:
            value = row[field]
            if schema.is_amount_field(fmt, key, field):
                if isinstance(value, (int, float)) and value:
                    row[field] = round(value * rng.uniform(3, 90), 2)
            elif key in ("administrative_licensing", "administrative_punishment") and isinstance(value, int):
                row[field] = value * rng.choice([11, 97, 1009])
    return out
