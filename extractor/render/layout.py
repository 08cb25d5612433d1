"""The three tables of the national format as grids (one function per table).

Labels come from extractor.schema (plus the layout-only wording in
`wording`); values from the canonical result dict. A row or field the dict
lacks prints as an empty cell, like a blank in the report.
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import groupby

from .. import schema
from . import wording
from .grid import Cell, Grid
from .printed import apply_printed

DISCLOSURE_COLUMNS = 4
APPLICATION_LABEL_COLUMNS = 3


def format_value(value: object) -> str:
    """Cell text of a value: '' for None, integers plainly, amounts without a spurious '.0'.

    A string is printed as given, so callers can print '/', '—' or '无'.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        raise TypeError(f"a cell value cannot be a boolean: {value!r}")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, str):
        return value
    raise TypeError(f"cannot print cell value {value!r}")


def _value(values: Mapping, row: str, field: str) -> Cell:
    return Cell(format_value((values.get(row) or {}).get(field)), "value", key=(row, field))


def split_label(label: str) -> tuple[str | None, str]:
    """'（三）不予公开 1.属于国家秘密' -> ('（三）不予公开', '1.属于国家秘密'); a plain label has no group."""
    group, sep, leaf = label.partition(" ")
    return (group, leaf) if sep else (None, label)


def active_disclosure_grid(fmt: str, values: Mapping, script: str = "simplified", opencc_config: str = "s2t") -> Grid:
    """Blocks of a title row, a header row and item rows; short blocks span their last column."""

    def say(text: str) -> str:
        return wording.localize(text, script, opencc_config)

    rows: list[tuple[Cell, ...]] = []
    for group, members in groupby(schema.disclosure_rows(fmt), key=lambda r: r.group):
        members = list(members)
        fields = members[0].fields
        if any(m.fields != fields for m in members):
            # One header row serves the whole block, so its rows must share their fields.
            raise ValueError(f"{fmt} active_disclosure block {group!r} mixes rows with different fields")
        last_span = DISCLOSURE_COLUMNS - len(fields)
        rows.append((Cell(say(group), "title", colspan=DISCLOSURE_COLUMNS),))
        header = [Cell(say(wording.INFO_CONTENT), "header")]
        for i, (_, title) in enumerate(fields):
            header.append(Cell(say(title), "header", colspan=last_span if i == len(fields) - 1 else 1))
        rows.append(tuple(header))
        for member in members:
            line = [Cell(say(member.label), "label")]
            for i, (field, _) in enumerate(member.fields):
                cell = _value(values, member.key, field)
                if i == len(member.fields) - 1 and last_span > 1:
                    cell = Cell(cell.text, cell.role, colspan=last_span, key=cell.key)
                line.append(cell)
            rows.append(tuple(line))
    return Grid("active_disclosure", DISCLOSURE_COLUMNS, tuple(rows))


def applications_grid(fmt: str, values: Mapping, script: str = "simplified", opencc_config: str = "s2t") -> Grid:
    """Three header rows, then 一/二, the 三、本年度办理结果 block (group and leaf labels), and 四."""

    def say(text: str) -> str:
        return wording.localize(text, script, opencc_config)

    columns = schema.application_columns(fmt)
    (_, person), *organisations, (_, total) = columns
    value_count = len(columns)
    width = APPLICATION_LABEL_COLUMNS + value_count
    rows: list[tuple[Cell, ...]] = [
        (Cell(say(wording.BALANCE_NOTE), "note", rowspan=3, colspan=APPLICATION_LABEL_COLUMNS),
         Cell(say(wording.APPLICANT), "header", colspan=value_count)),
        (Cell(say(person), "header", rowspan=2),
         Cell(say(wording.LEGAL_PERSON), "header", colspan=len(organisations)),
         Cell(say(total), "header", rowspan=2)),
        tuple(Cell(say(title), "header") for _, title in organisations),
    ]

    def values_of(row_key: str) -> tuple[Cell, ...]:
        return tuple(_value(values, row_key, column_key) for column_key, _ in columns)

    results = set(schema.result_rows(fmt)) | {"total_processed"}
    result_count = len(results)
    labelled = [(key, *split_label(label)) for key, label in schema.application_rows(fmt)]
    first_result = True
    for i, (key, group, leaf) in enumerate(labelled):
        if key not in results:
            rows.append((Cell(say(leaf), "label", colspan=APPLICATION_LABEL_COLUMNS),) + values_of(key))
            continue
        line: list[Cell] = []
        if first_result:
            line.append(Cell(say(wording.RESULTS), "label", rowspan=result_count))
            first_result = False
        if group is None:
            line.append(Cell(say(leaf), "label", colspan=2))
        else:
            if i == 0 or labelled[i - 1][1] != group:
                size = sum(1 for _, g, _ in labelled if g == group)
                line.append(Cell(say(group), "label", rowspan=size))
            line.append(Cell(say(leaf), "label"))
        rows.append(tuple(line) + values_of(key))
    return Grid("applications", width, tuple(rows))


def review_litigation_grid(values: Mapping, script: str = "simplified", opencc_config: str = "s2t") -> Grid:
    """行政复议 (5 columns) beside 行政诉讼 split into 未经复议直接起诉 and 复议后起诉 (5 each)."""

    def say(text: str) -> str:
        return wording.localize(text, script, opencc_config)

    fields = schema.review_fields()
    (review_key, review), *lawsuits = schema.review_groups()
    suits = [(key, *split_label(label)) for key, label in lawsuits]
    litigation = suits[0][1]
    n = len(fields)
    rows: list[tuple[Cell, ...]] = [
        (Cell(say(review), "header", colspan=n), Cell(say(litigation), "header", colspan=n * len(suits))),
        tuple(Cell(say(title), "header", rowspan=2) for _, title in fields)
        + tuple(Cell(say(leaf), "header", colspan=n) for _, _, leaf in suits),
        tuple(Cell(say(title), "header") for _ in suits for _, title in fields),
        tuple(_value(values, group, field) for group in [review_key] + [k for k, _, _ in suits] for field, _ in fields),
    ]
    return Grid("review_litigation", n * (1 + len(suits)), tuple(rows))


def table_grid(table: str, gold: Mapping, opencc_config: str = "s2t") -> Grid:
    """The grid of canonical table `table` for a gold/result dict (its report format and script), as
    `extras["printed"]` says the report printed it (reworded rows, rows of its own: `printed`)."""
    report = gold["report"]
    fmt, script = report["format_version"], report.get("script", "simplified")
    values = (gold.get("tables") or {}).get(table) or {}
    if table == "active_disclosure":
        grid = active_disclosure_grid(fmt, values, script, opencc_config)
    elif table == "applications":
        grid = applications_grid(fmt, values, script, opencc_config)
    elif table == "review_litigation":
        grid = review_litigation_grid(values, script, opencc_config)
    else:
        raise ValueError(f"unknown table {table!r} (expected one of {schema.TABLES})")
    return apply_printed(grid, (gold.get("extras") or {}).get("printed"))
