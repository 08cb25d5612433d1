"""Render settings: one validated dataclass, so a typo in an option name fails loudly."""

from __future__ import annotations

from dataclasses import dataclass, fields

from .. import schema
from .rules import TABLE_RULES
from .wording import OPENCC_CONFIGS

ENCODINGS = ("utf-8", "gbk")
MERGED_STYLES = ("trailing", "inline")
FONTS = {"serif": "Noto Serif CJK SC", "sans": "Noto Sans CJK SC"}
SPACINGS = ("aligned", "single", "ideographic")
# Word geometry (docx, doc, pdf and the pdf's text copies): "ours", the first renderer's, or the
# second renderer's (extractor.render.wordprint): "word", drawn per document, or "word-tight".
GEOMETRIES = ("ours", "word", "word-tight")


@dataclass(frozen=True)
class RenderOptions:
    """Settings of every format; each renderer reads the ones that concern it.

    encoding: bytes of txt-* and html files ("utf-8" or "gbk"; characters GBK
        lacks become HTML character references, or '?' in text).
    default_title: when the gold has no title, print "<organization><year>年政府信息公开工作年度报告".
    opencc_config: OpenCC conversion for fixed labels of traditional-script reports.
    merged: how txt-pipe / txt-cells show slots covered by a merged cell:
        "trailing" = a run of bare '|' after the row's cells, none on a table's
        last row (as the seeds show); "inline" = an empty cell in place.
    blank_lines: a blank line between text-format paragraphs (seed 002 style).
    font: "serif" or "sans" (Noto CJK); font_size / table_font_size / title_size in points
        (a long title in a large size wraps, often leaving a short tail such as 「度报告」).
    page_break_before: table keys that start on a new page (docx, doc, pdf).
    split_rows: let a table row break across pages (Word's default); False keeps rows whole.
    repeat_header: repeat a table's header rows at the top of each page it runs onto.
    page_header / page_footer: the organisation header and the "- N -" page number.
    table_rules: which ruling lines tables print (docx, doc, pdf and the text copies of the pdf;
        html as CSS borders): "grid" (every cell), "none", "horizontal" (rules between rows, no
        vertical line), "three-line" (above the table, under its header rows, under its last
        row) or "frame" (the outer frame only); see `rules`.
    spacing: how txt-spaces separates cells: "aligned" (runs of spaces lining columns up by East
        Asian display width, a CJK character being two columns; blank cells stay as space),
        "single" (one space between non-blank cells: blank cells vanish) or "ideographic" (one
        U+3000 after every cell, blank ones too).
    column_gap: the fewest spaces between two aligned columns (txt-spaces "aligned"), 1 to 8.
    geometry: GEOMETRIES; "word" and "word-tight" print Word documents through the second
        renderer (extractor.render.wordprint), never tuned on.
    label_wrap: txt-spaces wraps a row label wider than this many display columns, its second
        half on the next line (0: never; else 8 to 200).
    """

    encoding: str = "utf-8"
    default_title: bool = False
    opencc_config: str = "s2t"
    merged: str = "trailing"
    blank_lines: bool = False
    font: str = "serif"
    font_size: float = 12.0
    table_font_size: float = 10.5
    title_size: float = 18.0
    page_break_before: tuple[str, ...] = ()
    split_rows: bool = True
    repeat_header: bool = False
    page_header: bool = True
    page_footer: bool = True
    table_rules: str = "grid"
    spacing: str = "aligned"
    column_gap: int = 2
    label_wrap: int = 0
    geometry: str = "ours"

    def __post_init__(self) -> None:
        def check(name: str, value: object, allowed: tuple) -> None:
            if value not in allowed:
                raise ValueError(f"render option {name}={value!r}: expected one of {allowed}")

        check("encoding", self.encoding, ENCODINGS)
        check("opencc_config", self.opencc_config, OPENCC_CONFIGS)
        check("merged", self.merged, MERGED_STYLES)
        check("font", self.font, tuple(FONTS))
        check("table_rules", self.table_rules, TABLE_RULES)
        check("spacing", self.spacing, SPACINGS)
        check("geometry", self.geometry, GEOMETRIES)
        if isinstance(self.column_gap, bool) or not isinstance(self.column_gap, int) or not 1 <= self.column_gap <= 8:
            raise ValueError(f"render option column_gap={self.column_gap!r}: expected a whole number of spaces, 1 to 8")
        if (isinstance(self.label_wrap, bool) or not isinstance(self.label_wrap, int)
                or not (self.label_wrap == 0 or 8 <= self.label_wrap <= 200)):
            raise ValueError(f"render option label_wrap={self.label_wrap!r}: expected 0 (never wrap) or 8 to 200 "
                             "display columns")
        for table in self.page_break_before:
            check("page_break_before", table, schema.TABLES)
        for name in ("font_size", "table_font_size"):
            if not 5 <= getattr(self, name) <= 30:
                raise ValueError(f"render option {name}={getattr(self, name)!r}: expected 5 to 30 points")

    @classmethod
    def of(cls, **options: object) -> RenderOptions:
        """Options from keyword arguments, with a clear message for an unknown name."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(options) - known)
        if unknown:
            raise TypeError(f"unknown render option(s) {unknown}; known: {sorted(known)}")
        if isinstance(options.get("page_break_before"), str):
            options["page_break_before"] = (options["page_break_before"],)
        elif "page_break_before" in options:
            options["page_break_before"] = tuple(options["page_break_before"])
        return cls(**options)
