"""Tables printed other than the national format words them: a gold's `extras["printed"]`.

Real reports word some rows their own way (本年新收申请数量, （七）合计), add rows of their own
(其中：…) and, copied through OCR, print a figure or a label with look-alike characters (1O, l.属于…).
The gold keeps the canonical figures; `extras["printed"]` says how the table printed them:

    {"labels": {"applications.new_received": "本年新收申请数量"},      # a row's own label cell
     "texts": {"（三）不予公开": "(三)不予公开"},                       # any other label/header cell, by its text
     "values": {"applications.granted.total": "1O"},                  # a figure as printed
     "extra_rows": [{"table": "applications", "after": "new_received",
                     "label": "其中：网上申请", "values": ["3", "0", "0", "0", "0", "0", "3"]}]}

An extra row is printed like the row it follows, its figures belonging to no canonical cell.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from .grid import Cell, Grid

PRINTED_KEYS = ("labels", "texts", "values", "extra_rows")


def printed_extras(gold: dict) -> dict:
    """The gold's `extras["printed"]`, made empty when it has none (for the generator to fill)."""
    return gold.setdefault("extras", {}).setdefault("printed", {})


def _row_key(row: tuple[Cell, ...]) -> str | None:
    keys = {cell.key[0] for cell in row if cell.key is not None}
    return keys.pop() if len(keys) == 1 else None


def _relabel(row: tuple[Cell, ...], label: str) -> tuple[Cell, ...]:
    """The row with its own (last) label cell printing `label`."""
    last = max((i for i, cell in enumerate(row) if cell.role == "label"), default=None)
    if last is None:
        raise ValueError(f"printed label {label!r} for a row without a label cell")
    return row[:last] + (replace(row[last], text=label),) + row[last + 1:]


def _extra_row(model: tuple[Cell, ...], label: str, values: list[str]) -> tuple[Cell, ...]:
    """A row shaped like `model` (one label cell, then figures), printing `label` and `values`."""
    if any(cell.rowspan > 1 for cell in model):
        raise ValueError(f"an extra row cannot follow a row holding a cell over several rows ({label!r})")
    figures = [cell for cell in model if cell.role == "value"]
    if len(values) != len(figures):
        raise ValueError(f"extra row {label!r}: {len(values)} figures for a row of {len(figures)}")
    texts = iter(values)
    cells = tuple(Cell(next(texts), "value", colspan=cell.colspan) if cell.role == "value" else cell
                  for cell in model)
    return _relabel(cells, label)


def apply_printed(grid: Grid, printed: Mapping | None) -> Grid:
    """`grid` as the report printed it (see the module doc); unchanged without `printed`."""
    if not printed:
        return grid
    unknown = set(printed) - set(PRINTED_KEYS)
    if unknown:
        raise ValueError(f"unknown extras.printed key(s) {sorted(unknown)}; known: {PRINTED_KEYS}")
    prefix = grid.table + "."
    labels = {key[len(prefix):]: text for key, text in (printed.get("labels") or {}).items() if key.startswith(prefix)}
    values = {key[len(prefix):]: text for key, text in (printed.get("values") or {}).items() if key.startswith(prefix)}
    texts = printed.get("texts") or {}
    extra: dict[str, list[dict]] = {}
    for row in printed.get("extra_rows") or []:
        if row["table"] == grid.table:
            extra.setdefault(row["after"], []).append(row)
    rows: list[tuple[Cell, ...]] = []
    for row in grid.rows:
        key = _row_key(row)
        row = tuple(replace(cell, text=texts[cell.text]) if cell.role != "value" and cell.text in texts
                    else replace(cell, text=values[f"{cell.key[0]}.{cell.key[1]}"])
                    if cell.key is not None and f"{cell.key[0]}.{cell.key[1]}" in values else cell
                    for cell in row)
        if key in labels:
            row = _relabel(row, labels[key])
        rows.append(row)
        for added in extra.pop(key, []) if key is not None else []:
            rows.append(_extra_row(row, added["label"], [str(v) for v in added["values"]]))
    if extra:
        raise ValueError(f"extra rows after {sorted(extra)}: no such row in {grid.table}")
    return Grid(grid.table, grid.columns, tuple(rows))
