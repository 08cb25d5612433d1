"""Tagged tokens to the three tables under their canonical keys.

Rows are found by their printed labels; figures are placed into columns by
grid coordinates where the source has a real table, else by their order in
the row. Whenever placement is not certain the row is left out and an error
names it: a figure is never guessed into a cell.

A blank is something the loader saw: a cell printed empty, "/", "—" (a token
with that text). A column for which the loader gave no token at all is not a
blank but unknown: it is left out and named, as is a labelled row with no
value tokens at all (its figures may be printed where nothing was read).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .. import matching, schema
from ..labels import Label
from ..normalize import number_text
from ..tagging import Tag
from ..tokens import Token
from ..values import parse_value

# OCR values read with less confidence than this are flagged for review.
MIN_VALUE_CONFIDENCE = 0.90
# Tables no consistency rule checks (extractor/validate.py has none for the active-disclosure
# table): a misread digit there cannot show as a broken rule, so their OCR values are held to a
# stricter confidence, and flagged whenever the recogniser gave another digit real weight
# (`Token.digit_rival`; on clean scans it stays below 0.001, a digit damaged into another's
# shape gives it several per cent).
UNCHECKED_TABLES = frozenset({"active_disclosure"})
MIN_UNCHECKED_VALUE_CONFIDENCE = 0.93
MAX_UNCHECKED_DIGIT_RIVAL = 0.01

# A figure printed with a leading zero ("0865"): counts are not printed so, a digit before it was
# probably cut off (a figure broken across lines or pages).
_LEADING_ZERO = re.compile(r"^0\d")
# A loose line of bare digits ("1", "12") that the tagger took for page furniture: a page number,
# or the first digits of the next figure broken onto a line of their own.
_BARE_DIGITS = re.compile(r"^\d{1,4}$")

_TABLE_ROLES = {Label.ROW_LABEL, Label.CELL_VALUE, Label.COLUMN_HEADER, Label.TABLE_TITLE, Label.NOTE}


@dataclass
class OpenRow:
    table: str
    key: str | None  # None: a label we could not place
    label: str
    values: list[Token] = field(default_factory=list)


@dataclass
class TableBuild:
    tables: dict[str, dict] = field(default_factory=lambda: {t: {} for t in schema.TABLES})
    errors: list[str] = field(default_factory=list)
    # (table, row key) of rows whose label was found but whose figures were not used (already named)
    withheld: set[tuple[str, str]] = field(default_factory=set)


def _row_fields(table: str, key: str, fmt: str) -> list[str]:
    if table == "applications":
        return [k for k, _ in schema.application_columns(fmt)]
    return [k for k, _ in next(r for r in schema.disclosure_rows(fmt) if r.key == key).fields]


def _review_fields() -> list[tuple[str, str]]:
    return [(g, f) for g, _ in schema.review_groups() for f, _ in schema.review_fields()]


class TableAssembler:
    """Walks the tagged token stream once; see `assemble_tables`."""

    def __init__(self, fmt: str):
        self.fmt = fmt
        self.out = TableBuild()
        self.row: OpenRow | None = None
        self.group: str | None = None
        self.review_values: list[Token] | None = None
        self.header_cols: dict[str, dict[int, str]] = {"applications": {}, "active_disclosure": {}}
        self.stray: list[Token] = []
        self.bare: Token | None = None  # the bare digits just passed as furniture, if any
        self.doubts: dict[int, str] = {}  # id(token) -> why its figure is in doubt

    # -- walking ------------------------------------------------------------------

    def feed(self, tok: Token, label: Label) -> None:
        if label == Label.FURNITURE:
            # Bare digits the loader did not place as page furniture stay in doubt until something
            # else of the page frame (a running header) shows the page broke there.
            bare = not tok.cell and not tok.furniture and _BARE_DIGITS.match(number_text(tok.text))
            self.bare = tok if bare else None
            return
        bare, self.bare = self.bare, None
        if bare is not None and label == Label.CELL_VALUE and parse_value(tok.text).value is not None:
            self.doubts[id(tok)] = (f"a loose “{bare.text.strip()}” stands just before it: the page number, or the "
                                    f"first digits of this figure broken onto a line of their own "
                                    f"({bare.text.strip()}{tok.text.strip()})")
        if label not in _TABLE_ROLES:
            self.boundary()
            return
        if label == Label.ROW_LABEL:
            self.on_row_label(tok)
        elif label == Label.CELL_VALUE:
            self.on_value(tok)
        elif label == Label.COLUMN_HEADER:
            self.on_header(tok)
        else:  # a block title or a note ends the row before it
            self.finish_row()
            if label == Label.TABLE_TITLE:
                self.header_cols["active_disclosure"] = {}

    def boundary(self) -> None:
        self.finish_row()
        self.finish_review()
        self.group = None

    def on_row_label(self, tok: Token) -> None:
        self.finish_row()
        group = matching.match_application_group(tok.text, self.fmt)
        app_key, app_score = matching.match_application_row(tok.text, self.fmt, self.group)
        disc_key, disc_score = matching.match_disclosure_row(tok.text, self.fmt)
        if self.review_values == [] and group is None and app_key is None and disc_key is None:
            # the review table is open and none of its figures came yet: a label of no row is the
            # last piece of its header (「計」 of 总计 printed a character a line, right above the figures)
            return
        self.finish_review()
        if group is not None and (app_key is None or matching.core(tok.text) == group):
            self.group = group
            return
        if app_key is None and matching.GROUP_NUMBER.match(tok.text):
            # a group whose label is cut (「（五）不予」): its rows are no longer the last group's
            self.group = None
        if app_key is not None and app_score >= disc_score:
            self.row = OpenRow("applications", app_key, tok.text)
        elif disc_key is not None:
            self.row = OpenRow("active_disclosure", disc_key, tok.text)
        else:
            self.row = OpenRow("unknown", None, tok.text)

    def on_header(self, tok: Token) -> None:
        self.finish_row()
        if matching.GROUP_NUMBER.match(tok.text):  # a cut group label taken for a header: the group is unknown
            self.group = None
        core = matching.core(tok.text)
        review_words = {matching.core(w) for _, label in schema.review_groups() for w in label.split(" ")}
        # 「行政复议 行政诉讼」 copied onto one line opens the table as either word alone does
        if self.review_values is None and (core in review_words or _holds_group_words(core, review_words)):
            self.review_values = []
        if tok.col is None:
            return
        columns = {k: label for k, label in schema.application_columns(self.fmt)}
        key, _ = matching.best_match(tok.text, columns)
        if key is not None and core not in review_words:
            self.header_cols["applications"][tok.col] = key
        fields = {k: label for row in schema.disclosure_rows(self.fmt) for k, label in row.fields}
        key, _ = matching.best_match(tok.text, fields)
        if key is not None:
            self.header_cols["active_disclosure"][tok.col] = key

    def on_value(self, tok: Token) -> None:
        if self.row is not None:
            self.row.values.append(tok)
        elif self.review_values is not None:
            self.review_values.append(tok)
        elif tok.text.strip():
            self.stray.append(tok)

    # -- rows -----------------------------------------------------------------------

    def finish_row(self) -> None:
        row, self.row = self.row, None
        if row is None:
            return
        if row.key is None:
            if any(v.text.strip() for v in row.values):
                self.out.errors.append(f"a table row labelled “{row.label}” is not a row of the standard format; its figures were not used")
            return
        table = self.out.tables[row.table]
        if row.key in table:
            self.out.errors.append(f"{row.table}.{row.key}: the row “{row.label}” is printed twice; the first one was kept")
            return
        fields = _row_fields(row.table, row.key, self.fmt)
        placed = self.place(row, fields)
        if placed is None:
            return
        table[row.key] = self.read_cells(row.table, row.key, placed)

    def place(self, row: OpenRow, fields: list[str]) -> dict[str, Token | None] | None:
        """Field -> value token for a row (None: every value cell is printed blank), or None when
        placement is unsure. A field with no token at all is left out of the mapping and named,
        never taken for blank."""
        values = row.values
        where = f"{row.table}.{row.key}"
        if not values:
            self.withhold(row, fields, "has no cells for its figures")
            return None
        if all(v.col is not None for v in values):
            if len(values) == len(fields):
                return dict(zip(fields, values))
            by_header = self.header_cols.get(row.table, {})
            placed = {by_header[v.col]: v for v in values if v.col in by_header}
            unplaced = [v for v in values if v.col not in by_header and v.text.strip()]
            if by_header and not unplaced and set(placed) <= set(fields):
                missing = [f for f in fields if f not in placed]
                if len(missing) == len(fields):
                    self.withhold(row, fields, "has no cells under its columns")
                    return None
                if missing:
                    self.out.errors.append(
                        f"{where}: the row “{row.label}” has no cell under the column of "
                        f"{_cell_names(where, missing)}; blank or unread is unknown, so it was left out")
                return {f: placed[f] for f in fields if f in placed}
        trimmed = _strip_blank_edges(values)
        stripped = len(trimmed) != len(values)
        blank_inside = any(not v.text.strip() for v in trimmed)
        # Edge blanks are layout padding only when nothing inside the row is blank too: with
        # blanks on both, a shifted figure would fit the columns just as well.
        if len(trimmed) == len(fields) and not (stripped and blank_inside):
            return dict(zip(fields, trimmed))
        if not trimmed:
            # Every value cell is printed blank (empty, "/", "—"...): every field is blank.
            return dict.fromkeys(fields)
        self.out.errors.append(
            f"{where}: the row “{row.label}” has {len(trimmed)} figures for {len(fields)} columns; "
            "which figure belongs to which column is unclear, so none was used")
        self.out.withheld.add((row.table, row.key))
        return None

    def withhold(self, row: OpenRow, fields: list[str], what: str) -> None:
        """Name a labelled row whose figures the loader gave no cells for, and leave it out."""
        where = f"{row.table}.{row.key}"
        self.out.errors.append(
            f"{where}: the row “{row.label}” {what} ({_cell_names(where, fields)}); they may be printed "
            "but were not read, so the row was not used")
        self.out.withheld.add((row.table, row.key))

    def read_cells(self, table: str, row_key: str, placed: dict[str, Token | None]) -> dict:
        cells: dict = {}
        for field_key, tok in placed.items():
            if tok is None:
                cells[field_key] = None
                continue
            amount = schema.is_amount_field(self.fmt, row_key, field_key) if table == "active_disclosure" else False
            cells[field_key] = self.read_value(f"{table}.{row_key}.{field_key}", tok, amount,
                                               checked=table not in UNCHECKED_TABLES)
        return cells

    def read_value(self, where: str, tok: Token, amount: bool, checked: bool = True) -> int | float | None:
        """The cell's value (None when blank or unreadable), naming it in the errors when it cannot
        be read or when OCR was unsure of it; `checked`: a consistency rule covers the cell."""
        parsed = parse_value(tok.text, amount=amount)
        if tok.unreadable or not parsed.readable:
            self.out.errors.append(f"{where}: the printed figure “{tok.text}” could not be read")
            return None
        if id(tok) in self.doubts:
            self.out.errors.append(f"{where}: “{tok.text.strip()}” was read, but {self.doubts[id(tok)]}; check it")
        elif parsed.value is not None and _LEADING_ZERO.match(number_text(tok.text)):
            self.out.errors.append(f"{where}: “{tok.text.strip()}” is printed with a leading zero: a digit before "
                                   "it may have been cut off (a figure broken across lines or pages); check it")
        if tok.confidence is None:
            return parsed.value
        threshold = MIN_VALUE_CONFIDENCE if checked else MIN_UNCHECKED_VALUE_CONFIDENCE
        if tok.confidence < threshold and not tok.text.strip():
            self.out.errors.append(f"{where}: nothing was read in this cell of a scanned table without ruling "
                                   "lines; a faint figure may be printed there; check it")
        elif tok.confidence < threshold:
            self.out.errors.append(
                f"{where}: “{tok.text}” was recognised with low confidence ({tok.confidence:.2f}); check it")
        elif not checked and (tok.digit_rival or 0.0) > MAX_UNCHECKED_DIGIT_RIVAL:
            self.out.errors.append(
                f"{where}: “{tok.text}” may be misread (OCR gave another digit {tok.digit_rival:.0%} weight "
                "and no consistency rule checks this table); check it")
        return parsed.value

    # -- the review / litigation table -------------------------------------------------

    def finish_review(self) -> None:
        values, self.review_values = self.review_values, None
        if values is None:
            return
        trimmed = values if values and all(v.col is not None for v in values) and len(values) == 15 \
            else _strip_blank_edges(values)
        if not trimmed:
            return
        slots = _review_fields()
        if len(trimmed) != len(slots):
            self.out.errors.append(
                f"review_litigation: {len(trimmed)} figures printed where the format has {len(slots)}; "
                "which figure belongs to which column is unclear, so none was used")
            return
        table = self.out.tables["review_litigation"]
        if table:
            self.out.errors.append("review_litigation: the table is printed twice; the first one was kept")
            return
        for (group, field_key), tok in zip(slots, trimmed):
            table.setdefault(group, {})[field_key] = self.read_value(
                f"review_litigation.{group}.{field_key}", tok, False)

    def finish(self) -> TableBuild:
        self.boundary()
        if self.stray:
            shown = "、".join(f"“{t.text}”" for t in self.stray[:5])
            self.out.errors.append(f"figures outside any recognised table row were not used: {shown}")
        self.check_complete()
        return self.out

    def check_complete(self) -> None:
        expected = {
            "active_disclosure": [r.key for r in schema.disclosure_rows(self.fmt)],
            "applications": [k for k, _ in schema.application_rows(self.fmt)],
            "review_litigation": [g for g, _ in schema.review_groups()],
        }
        for table, keys in expected.items():
            got = self.out.tables[table]
            if not got:
                self.out.errors.append(f"{table}: the table was not found")
                continue
            missing = [k for k in keys if k not in got and (table, k) not in self.out.withheld]
            if missing:
                self.out.errors.append(f"{table}: rows not found: {', '.join(missing)}")


def _holds_group_words(core: str, words: set[str]) -> bool:
    """A header text made only of review-table group words (行政复议行政诉讼)."""
    rest = core
    for word in sorted(words, key=len, reverse=True):
        if len(word) >= 4:
            rest = rest.replace(word, "")
    return rest == "" and core != ""


def _cell_names(where: str, fields: list[str]) -> str:
    return ", ".join(f"{where}.{f}" for f in fields)


def _strip_blank_edges(values: list[Token]) -> list[Token]:
    start, end = 0, len(values)
    while start < end and not values[start].text.strip():
        start += 1
    while end > start and not values[end - 1].text.strip():
        end -= 1
    return values[start:end]


def assemble_tables(tokens: list[Token], tags: list[Tag], fmt: str) -> TableBuild:
    """The three tables from a tagged token stream."""
    assembler = TableAssembler(fmt)
    for tok, tag in zip(tokens, tags, strict=True):
        assembler.feed(tok, tag.label)
    return assembler.finish()
