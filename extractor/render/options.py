"""Render settings: one validated dataclass, so a typo in an option name fails loudly."""

from __future__ import annotations

from dataclasses import dataclass, fields

from .. import schema
from .wording import OPENCC_CONFIGS

ENCODINGS = ("utf-8", "gbk")
MERGED_STYLES = ("trailing", "inline")
FONTS = {"serif": "Noto Serif CJK SC", "sans": "Noto Sans CJK SC"}


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

    def __post_init__(self) -> None:
        def check(name: str, value: object, allowed: tuple) -> None:
            if value not in allowed:
                raise ValueError(f"render option {name}={value!r}: expected one of {allowed}")

        check("encoding", self.encoding, ENCODINGS)
        check("opencc_config", self.opencc_config, OPENCC_CONFIGS)
        check("merged", self.merged, MERGED_STYLES)
        check("font", self.font, tuple(FONTS))
        for table in self.page_break_before:
            check("page_break_before", table, schema.TABLES)
        for name in ("font_size", "table_font_size"):
            if not 5 <= getattr(self, name) <= 30:
                raise ValueError(f"render option {name}={getattr(self, name)!r}: expected 5 to 30 points")

    @classmethod
    def of(cls, **options: object) -> "RenderOptions":
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
