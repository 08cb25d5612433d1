"""The tag set: what role each token plays in a report. Shared by every tagger."""

from __future__ import annotations

from enum import Enum


class Label(str, Enum):
    TITLE = "title"  # the document title line
    SECTION_HEADING = "section_heading"  # 一、总体情况 … 六、其他需要报告的事项
    TABLE_TITLE = "table_title"  # block title inside a table, e.g. 第二十条第（一）项
    COLUMN_HEADER = "column_header"  # 本年制发件数, 自然人, 结果维持 …
    ROW_LABEL = "row_label"  # 规章, （一）予以公开, 1.属于国家秘密 … and their group labels
    CELL_VALUE = "cell_value"  # a figure, or an empty / "/" cell in a value position
    NOTE = "note"  # notes in or under tables, e.g. (本列数据的勾稽关系为…)
    FURNITURE = "furniture"  # page headers, footers, page numbers, attachment names
    PROSE = "prose"  # body text
    SIGNATURE = "signature"  # issuing body and date at the end


LABELS: tuple[str, ...] = tuple(label.value for label in Label)
