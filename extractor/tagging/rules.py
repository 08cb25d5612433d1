"""The rule-based tagger: the baseline every learned tagger is measured against.

It reads each token's words against the format's vocabulary (schema labels,
headers) and its neighbourhood (inside the table sections or not, followed by
figures or not).
"""

from __future__ import annotations

import re

from .. import matching
from ..labels import Label
from ..normalize import clean
from ..tokens import Document, Token
from ..values import looks_like_value
from ..vocabulary import NOTE_MARKERS, ORGANIZATION_SUFFIXES, PAGE_NUMBER_PATTERN, WEB_CHROME_MARKERS
from . import Tag

NAME = "rules"
VERSION = "1"

_TABLE_SECTIONS = ("active_disclosure", "applications", "review_litigation")
_FILE_NAME = re.compile(r"\.(?:docx?|pdf|wps|xlsx?|ofd|zip|rar|txt)\s*$", re.IGNORECASE)
_PAGE_NUMBER = re.compile(PAGE_NUMBER_PATTERN)
_YEAR = re.compile(r"(?:19|20)\d{2}")
_DATE = re.compile(r"^\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日$")
_SENTENCE_END = ("。", "；", ";", "：", ":", "，", ",")


def find_section_headings(tokens: list[Token]) -> dict[int, str]:
    """Token index -> section key, for headings found in increasing section order."""
    order = [key for key, _ in matching.schema.sections()]
    found: dict[int, str] = {}
    last = -1
    for i, tok in enumerate(tokens):
        if tok.furniture or (tok.cell and tok.table is not None):
            continue
        key = matching.match_section_heading(tok.text)
        if key is not None and order.index(key) > last:
            found[i] = key
            last = order.index(key)
    return found


def is_signature_line(text: str) -> bool:
    printed = clean(text).replace(" ", "")
    if _DATE.match(printed):
        return True
    return (2 <= len(printed) <= 30 and not printed.endswith(_SENTENCE_END)
            and printed.endswith(ORGANIZATION_SUFFIXES) and "。" not in printed)


def is_furniture_text(text: str) -> bool:
    """Page numbers, attachment file names and web-page chrome."""
    printed = clean(text).strip()
    if _PAGE_NUMBER.match(printed) or _FILE_NAME.search(printed):
        return True
    return len(printed) <= 60 and any(marker in printed for marker in WEB_CHROME_MARKERS)


class RuleTagger:
    name = NAME
    version = VERSION

    def tag(self, doc: Document) -> list[Tag]:
        tokens = doc.tokens
        labels: list[Label | None] = [None] * len(tokens)
        headings = find_section_headings(tokens)
        fmt = matching.detect_format([t.text for t in tokens])
        for i in headings:
            labels[i] = Label.SECTION_HEADING
        for i, tok in enumerate(tokens):
            if labels[i] is None and (tok.furniture or is_furniture_text(tok.text)):
                labels[i] = Label.FURNITURE

        in_zone = self._table_zone(tokens, headings)
        for i, tok in enumerate(tokens):
            if labels[i] is None and in_zone[i]:
                labels[i] = self._table_label(tokens, i, fmt)
        self._tag_outside(tokens, labels, headings)
        return [Tag(label) for label in labels]

    @staticmethod
    def _table_zone(tokens: list[Token], headings: dict[int, str]) -> list[bool]:
        """Which tokens may belong to a table: all within the table sections; cells anywhere
        when the document has no table-section headings."""
        zone = [False] * len(tokens)
        current = None
        have_table_headings = any(k in _TABLE_SECTIONS for k in headings.values())
        for i, tok in enumerate(tokens):
            if i in headings:
                current = headings[i]
                continue
            if current in _TABLE_SECTIONS or tok.table is not None or (tok.cell and not have_table_headings):
                zone[i] = True
        return zone

    @staticmethod
    def _table_label(tokens: list[Token], i: int, fmt: str) -> Label:
        text = tokens[i].text
        if not text.strip():
            return Label.CELL_VALUE if tokens[i].cell else Label.PROSE
        if looks_like_value(text) or tokens[i].unreadable:
            return Label.CELL_VALUE
        if matching.is_block_title(text):
            return Label.TABLE_TITLE
        numbered = matching.strip_numbering(text) != clean(text).strip()
        row_key = None
        if numbered or not matching.is_header_like(text, fmt):
            row_key = (matching.match_application_group(text, fmt)
                       or matching.match_application_row(text, fmt)[0]
                       or matching.match_disclosure_row(text, fmt)[0])
        if row_key is not None:
            return Label.ROW_LABEL
        if matching.is_header_like(text, fmt):
            return Label.COLUMN_HEADER
        printed = clean(text)
        if any(marker in printed for marker in NOTE_MARKERS):
            return Label.NOTE
        if len(printed) > 40 or "。" in printed:
            return Label.PROSE if not tokens[i].cell else Label.NOTE
        # An unknown short label: a row label when figures follow it, else a header.
        for nxt in tokens[i + 1:i + 4]:
            if not nxt.text.strip():
                continue
            return Label.ROW_LABEL if looks_like_value(nxt.text) else Label.COLUMN_HEADER
        return Label.COLUMN_HEADER

    @staticmethod
    def _tag_outside(tokens: list[Token], labels: list[Label | None], headings: dict[int, str]) -> None:
        first_heading = min(headings, default=len(tokens))
        last_heading = max(headings, default=-1)
        # Title: the first short line naming the annual report, before any heading
        # (web pages put navigation and publishing details above it). Long titles
        # wrap, even inside a word: 「…2024年政府信息公开工作年」「度报告」.
        lines = [i for i in range(min(first_heading, 40)) if labels[i] is None and tokens[i].text.strip()]
        squashed = {i: clean(tokens[i].text).replace(" ", "") for i in lines}
        for n, i in enumerate(lines):
            text = squashed[i]
            if len(text) > 80 or text.endswith(_SENTENCE_END) or "。" in text:
                continue
            nxt = lines[n + 1] if n + 1 < len(lines) else None
            prev = lines[n - 1] if n > 0 else None
            if "年度报告" in text:
                title = [i]
                if prev is not None and not _YEAR.search(text) and _YEAR.search(squashed[prev]) \
                        and len(squashed[prev]) <= 40 and not squashed[prev].endswith(_SENTENCE_END):
                    title.insert(0, prev)
            elif nxt is not None and "年度报告" in text + squashed[nxt] and len(squashed[nxt]) <= 20:
                title = [i, nxt]
            else:
                continue
            for j in title:
                labels[j] = Label.TITLE
            break
        # Signature: the issuing body and a date closing the last section. What follows
        # it (print links, attachment names, site footers) is furniture, not report text.
        if last_heading >= 0:
            tail = [i for i in range(last_heading + 1, len(tokens))
                    if labels[i] is None and tokens[i].text.strip()][-12:]
            dates = [i for i in tail if _DATE.match(clean(tokens[i].text).replace(" ", ""))]
            if dates:
                date = dates[-1]
                block = [date]
                before = [i for i in tail if i < date]
                if before and is_signature_line(tokens[before[-1]].text) and not _DATE.match(
                        clean(tokens[before[-1]].text).replace(" ", "")):
                    block.insert(0, before[-1])
                after = [i for i in tail if i > date]
                if len(block) == 1 and after and is_signature_line(tokens[after[0]].text):
                    block.append(after[0])
                for i in block:
                    labels[i] = Label.SIGNATURE
                for i in range(max(block) + 1, len(tokens)):
                    if labels[i] is None and len(clean(tokens[i].text)) <= 40 and "。" not in tokens[i].text:
                        labels[i] = Label.FURNITURE
        for i in range(len(tokens)):
            if labels[i] is None:
                labels[i] = Label.PROSE
