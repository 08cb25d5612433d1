"""Tables for analysts from a results store: CSV, XLSX or Parquet.

    export_store("results.db", "csv", "out/")  -> out/reports.csv, out/long.csv, out/<table>.csv

Every output holds the same tables:

    reports            one row per stored report (distinct file content): metadata, status, errors
    long               one row per report, table, row, column: its value
    <table> (wide)     one row per report per table row; the table's fields as columns

Each row starts with the report's metadata (META_COLUMNS). CSV is UTF-8 with
a byte-order mark, so Excel opens the Chinese text right; XLSX has one sheet
per table; Parquet one file per table. Flattening is a few pure functions
(`report_meta`, `long_rows`, `wide_rows`); the writers only stream rows.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from .. import schema
from .store import Store

FORMATS = ("csv", "xlsx", "parquet")
META_COLUMNS = ("path", "sha256", "organization", "year", "format_version", "status")
REPORT_COLUMNS = META_COLUMNS + ("script", "format", "pages", "errors", "model_name", "model_version",
                                 "extracted_at", "paths")
LONG_COLUMNS = META_COLUMNS + ("table", "row", "column", "value")
XLSX_NAME = "ogi-results.xlsx"
XLSX_MAX_ROWS = 1_048_575  # Excel's limit, less the header row


# --- flattening (pure) ---------------------------------------------------------------------

def report_meta(result: Mapping) -> dict:
    source, report = result.get("source") or {}, result.get("report") or {}
    return {"path": source.get("path"), "sha256": source.get("sha256"), "organization": report.get("organization"),
            "year": report.get("year"), "format_version": report.get("format_version"),
            "status": result.get("status")}


def report_row(result: Mapping, paths: Iterable[str] = (), extracted_at: str | None = None) -> dict:
    source, report, model = result.get("source") or {}, result.get("report") or {}, result.get("model") or {}
    return {**report_meta(result), "script": report.get("script"), "format": source.get("format"),
            "pages": source.get("pages"), "errors": "\n".join(result.get("errors") or ()),
            "model_name": model.get("name"), "model_version": model.get("version"),
            "extracted_at": extracted_at, "paths": "\n".join(paths)}


def table_names(results_tables: Iterable[str] = ()) -> list[str]:
    """The canonical tables in printed order, then any others a result holds."""
    return list(schema.TABLES) + sorted(set(results_tables) - set(schema.TABLES))


def long_rows(result: Mapping) -> Iterator[dict]:
    meta = report_meta(result)
    tables = result.get("tables") or {}
    for table in table_names(tables):
        for row, fields in (tables.get(table) or {}).items():
            for column, value in fields.items():
                yield {**meta, "table": table, "row": row, "column": column, "value": value}


def wide_rows(result: Mapping, table: str) -> Iterator[dict]:
    meta = report_meta(result)
    for row, fields in ((result.get("tables") or {}).get(table) or {}).items():
        yield {**meta, "row": row, **fields}


def canonical_fields(table: str) -> list[str]:
    """A table's field keys in the schema's order (both formats)."""
    keys: list[str] = []
    if table == "active_disclosure":
        for fmt in schema.FORMAT_VERSIONS:
            keys += [key for row in schema.disclosure_rows(fmt) for key, _ in row.fields]
    elif table == "applications":
        for fmt in schema.FORMAT_VERSIONS:
            keys += [key for key, _ in schema.application_columns(fmt)]
    elif table == "review_litigation":
        keys = [key for key, _ in schema.review_fields()]
    return list(dict.fromkeys(keys))


class Layout:
    """Columns of every wide table and whether each holds fractions, gathered over all results."""

    def __init__(self) -> None:
        self.fields: dict[str, dict[str, bool]] = {table: {} for table in schema.TABLES}  # field -> has fraction

    def add(self, result: Mapping) -> None:
        for table, rows in (result.get("tables") or {}).items():
            seen = self.fields.setdefault(table, {})
            for fields in rows.values():
                for key, value in fields.items():
                    seen[key] = seen.get(key, False) or isinstance(value, float)

    def columns(self, table: str) -> list[str]:
        seen = self.fields.get(table, {})
        canonical = canonical_fields(table)
        return [k for k in canonical if k in seen] + sorted(set(seen) - set(canonical))

    def fractional(self, table: str, key: str) -> bool:
        return self.fields.get(table, {}).get(key, False)


# --- reading the store ----------------------------------------------------------------------

def stored_results(store: Store) -> Iterator[tuple[dict, list[str], str]]:
    """(result, every path seen for it, extracted_at) of each stored report, in sha256 order."""
    paths: dict[str, list[str]] = {}
    for path, sha in store.conn.execute("SELECT path, sha256 FROM paths ORDER BY first_seen_at, path"):
        paths.setdefault(sha, []).append(path)
    for row in store.rows("sha256, result, extracted_at"):
        yield json.loads(row["result"]), paths.get(row["sha256"], []), row["extracted_at"]


# --- writers ----------------------------------------------------------------------------------

class CsvSink:
    def __init__(self, path: Path, columns: list[str]):
        self.file = open(path, "w", encoding="utf-8-sig", newline="")  # noqa: SIM115  (closed by close())
        self.writer = csv.DictWriter(self.file, fieldnames=columns, extrasaction="raise")
        self.writer.writeheader()

    def write(self, row: dict) -> None:
        self.writer.writerow(row)

    def close(self) -> None:
        self.file.close()


class ParquetSink:
    BATCH = 20_000

    def __init__(self, path: Path, schema_):
        import pyarrow.parquet as pq

        self.schema = schema_
        self.writer = pq.ParquetWriter(path, schema_)
        self.rows: list[dict] = []

    def write(self, row: dict) -> None:
        self.rows.append(row)
        if len(self.rows) >= self.BATCH:
            self.flush()

    def flush(self) -> None:
        import pyarrow as pa

        if self.rows:
            self.writer.write_table(pa.Table.from_pylist(self.rows, schema=self.schema))
            self.rows = []

    def close(self) -> None:
        self.flush()
        self.writer.close()


class XlsxSheetSink:
    """One logical table in a write-only workbook; continues on "<name> (2)" past Excel's row limit."""

    def __init__(self, book, name: str, columns: list[str]):
        self.book, self.name, self.columns = book, name, columns
        self.sheets = 0
        self._new_sheet()

    def _new_sheet(self) -> None:
        self.sheets += 1
        self.sheet = self.book.create_sheet(self.name if self.sheets == 1 else f"{self.name} ({self.sheets})")
        self.sheet.append(self.columns)
        self.count = 0

    def write(self, row: dict) -> None:
        if self.count >= XLSX_MAX_ROWS:
            self._new_sheet()
        self.sheet.append([xlsx_value(row.get(c)) for c in self.columns])
        self.count += 1

    def close(self) -> None:
        pass


def xlsx_value(value):
    if isinstance(value, str):
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        return ILLEGAL_CHARACTERS_RE.sub("", value)[:32767]
    return value


def arrow_schema(columns: list[str], kinds: Mapping[str, str]):
    import pyarrow as pa

    types = {"string": pa.string(), "int": pa.int64(), "float": pa.float64()}
    return pa.schema([(c, types[kinds.get(c, "string")]) for c in columns])


META_KINDS = {"year": "int", "pages": "int"}


def export_store(store_path: str | Path, fmt: str, out_dir: str | Path) -> list[Path]:
    """Write the store's tables as `fmt` into `out_dir`; returns the files written."""
    if fmt not in FORMATS:
        raise ValueError(f"export format {fmt!r}: expected one of {FORMATS}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with Store.open(store_path, create=False) as store:
        layout = Layout()
        for result, _, _ in stored_results(store):
            layout.add(result)
        tables = table_names(layout.fields)
        columns = {"reports": list(REPORT_COLUMNS), "long": list(LONG_COLUMNS)}
        kinds = {"reports": META_KINDS, "long": {**META_KINDS, "value": "float"}}
        for table in tables:
            fields = layout.columns(table)
            columns[table] = list(META_COLUMNS) + ["row"] + fields
            kinds[table] = {**META_KINDS, **{f: "float" if layout.fractional(table, f) else "int" for f in fields}}

        written: list[Path] = []
        book = None
        if fmt == "xlsx":
            from openpyxl import Workbook

            book = Workbook(write_only=True)
        sinks = {}
        for name, cols in columns.items():
            if fmt == "csv":
                written.append(out_dir / f"{name}.csv")
                sinks[name] = CsvSink(written[-1], cols)
            elif fmt == "parquet":
                written.append(out_dir / f"{name}.parquet")
                sinks[name] = ParquetSink(written[-1], arrow_schema(cols, kinds[name]))
            else:
                sinks[name] = XlsxSheetSink(book, name, cols)
        try:
            for result, paths, extracted_at in stored_results(store):
                sinks["reports"].write(report_row(result, paths, extracted_at))
                for row in long_rows(result):
                    sinks["long"].write(row)
                for table in tables:
                    for row in wide_rows(result, table):
                        sinks[table].write(row)
        finally:
            for sink in sinks.values():
                sink.close()
        if book is not None:
            written.append(out_dir / XLSX_NAME)
            book.save(written[-1])
    return written
