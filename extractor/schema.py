"""Canonical keys and labels of both report formats, read from report_schema.json.

The JSON file is the single source of the Chinese labels: code refers to rows,
columns and sections by their canonical keys only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources

FORMAT_VERSIONS = ("2021", "2019")
TABLES = ("active_disclosure", "applications", "review_litigation")


@cache
def raw() -> dict:
    """The schema JSON as shipped with the package (a copy of shared/spec/report_schema.json)."""
    return json.loads(resources.files("extractor.spec").joinpath("report_schema.json").read_text("utf-8"))


def sections() -> list[tuple[str, str]]:
    """(key, printed title) of the six sections, in order."""
    return [tuple(pair) for pair in raw()["sections"]]


@dataclass(frozen=True)
class DisclosureRow:
    key: str
    label: str
    group: str
    fields: tuple[tuple[str, str], ...]  # (field key, column header)


def disclosure_rows(fmt: str) -> list[DisclosureRow]:
    """Rows of the active-disclosure table in printed order."""
    table = raw()["formats"][fmt]["active_disclosure"]
    return [
        DisclosureRow(key, spec["label"], spec["group"], tuple(tuple(f) for f in spec["fields"]))
        for key, spec in table.items()
    ]


def application_columns(fmt: str) -> list[tuple[str, str]]:
    return [tuple(c) for c in raw()["formats"][fmt]["applications"]["columns"]]


def application_rows(fmt: str) -> list[tuple[str, str]]:
    """(key, label) of the applications table rows; a label may hold a group and a leaf, space separated."""
    return [tuple(r) for r in raw()["formats"][fmt]["applications"]["rows"]]


def review_groups() -> list[tuple[str, str]]:
    return [tuple(g) for g in raw()["review_litigation"]["groups"]]


def review_fields() -> list[tuple[str, str]]:
    return [tuple(f) for f in raw()["review_litigation"]["fields"]]


def is_amount_field(fmt: str, row_key: str, field_key: str) -> bool:
    """True for money fields (a number, possibly fractional); every other cell is a count."""
    for row in disclosure_rows(fmt):
        if row.key == row_key:
            return any(k == field_key and "金额" in label for k, label in row.fields)
    return False


# Rows of the applications table that are results of processing (summed by applications.processed_sum).
def result_rows(fmt: str) -> list[str]:
    keys = [k for k, _ in application_rows(fmt)]
    start, end = keys.index("granted"), keys.index("total_processed")
    return keys[start:end]
