"""Figures the prose states about table cells: OUTPUT.md's `claims` (issue 17, first rules).

A claim is a clause of one of the six sections that states the figure of one cell, or of several
cells whose sum it gives, without doubt:

    2024年度街道受理群众依申请公开件6件,其中包括予以公开2件,无法提供1件,不予处理2件

gives four claims: 6 applications received this year (applications.new_received.total), 2
granted, 1 that could not be provided (the sum of the three unable_* rows' totals), 2 not
processed. Figures in Arabic, full-width or Chinese numerals (六件, 十二件, 两件, 〇件).

No claim is made of a sentence that may speak of another year or compares years (上年, 去年,
同比, 增长, 较, another year than the report's), of something that is no cell (12345热线36件,
人大代表建议0件, 栏目信息95条), or vaguely (申请数量有所增加: no figure). Being no claim costs
nothing; a claim made wrongly is a false alarm of the `narrative` check (validate.py).

Not yet in the pipeline's results: the generator's prose states figures its tables do not hold
(synth/data/templates.txt, overview.requests: 全年共收到政府信息公开申请{n}件 with a random n),
so every generated report, the frozen challenge set among them, would fail the check. The
generator must first state its own figures (and disagree on purpose, labelled): issue 17 item 3.
"""

from __future__ import annotations

import re

from .. import schema
from ..normalize import clean

_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}
NUMBER = r"(?P<n>\d+|[〇零一二两三四五六七八九十百千]+)"
# a clause: what lies between the marks that part clauses (a claim's text is one clause as printed)
_CLAUSE = re.compile(r"[^，,。；;：:！!？?\n]+")
# the whole sentence is no claim when it may speak of another year, or compares years
_OTHER_TIME = re.compile(r"上年|去年|上一年|同比|环比|增长|下降|减少|增加|较|相比|比上|以来|累计|历年")
# …nor a clause about something that is no cell of the tables
_NOT_A_CELL = re.compile(r"12345|热线|人大|政协|建议|提案|栏目|微博|微信|公众号|网站|信访|来电|来信|咨询|"
                         r"留言|转办|依法公开|主动公开|发布|条信息|信息共")
# the applications received this year: 受理/收到/新收 … (政府信息公开|依申请公开) … N 件
_RECEIVED = (
    re.compile(r"(?:受理|收到|新收|接收|接到)[^\d〇零一二两三四五六七八九十]{0,16}?(?:政府信息公开|依申请公开|信息公开)"
               r"(?:的)?(?:申请)?(?:件|事项)?(?:共计|共|合计)?\s*" + NUMBER + r"\s*(?:件|个|条|宗)"),
    re.compile(r"(?:受理|收到|新收|接收|接到)(?:各类)?\s*" + NUMBER + r"\s*(?:件|个|条|宗)(?:的)?"
               r"(?:政府信息公开|依申请公开|信息公开)(?:申请|事项)"),
)
# after 其中: the split of the applications received by applicant, or of those processed by result
_SPLIT = re.compile(r"(?P<what>予以公开|部分公开|不予公开|无法提供|不予处理|其他处理|自然人|法人或其他组织|法人)"
                    r"(?:的)?(?:申请)?\s*" + NUMBER + r"\s*(?:件|个|条|宗)")
_RESULT_GROUPS = {"予以公开": "granted", "部分公开": "partially_granted", "不予公开": "denied_",
                  "无法提供": "unable_", "不予处理": "not_processed_", "其他处理": "other"}
_LEGAL_PERSONS = ("commercial_enterprise", "research_institution", "social_organization", "legal_service",
                  "other_organization")


def chinese_number(text: str) -> int | None:
    """An integer written in Arabic, full-width or Chinese numerals (十二, 二十三, 两, 〇, 一〇五)."""
    text = clean(text).strip()
    if text.isdigit():
        return int(text)
    if all(c in _DIGITS for c in text):  # digit by digit: 一〇五
        return int("".join(str(_DIGITS[c]) for c in text)) if text else None
    total, current = 0, 0
    for char in text:
        if char in _DIGITS:
            current = _DIGITS[char]
        elif char in _UNITS:
            total += (current or 1) * _UNITS[char]
            current = 0
        else:
            return None
    return total + current


def _result_cells(fmt: str, what: str) -> list[str]:
    """The total cells of the rows of one result group (their keys share its prefix)."""
    return [f"applications.{key}.total" for key, _ in schema.application_rows(fmt)
            if key.startswith(_RESULT_GROUPS[what])]


def _split_cells(fmt: str, what: str) -> list[str]:
    if what == "自然人":
        return ["applications.new_received.natural_person"]
    if what in ("法人", "法人或其他组织"):
        return [f"applications.new_received.{column}" for column in _LEGAL_PERSONS]
    return _result_cells(fmt, what)


_SENTENCE = re.compile(r"[^。；;！!？?\n]+")


def _other_year(sentence: str, year: int | None) -> bool:
    years = {int(y) for y in re.findall(r"(?<!\d)(20\d\d|19\d\d)\s*年", sentence)}
    return bool(_OTHER_TIME.search(sentence)) or (year is not None and bool(years - {year}))


def find_claims(sections: list[dict], fmt: str, year: int | None) -> list[dict]:
    """The claims of the sections' prose, in document order."""
    claims: list[dict] = []
    for section in sections:
        body = section.get("text") or ""
        for sentence in _SENTENCE.findall(body):
            folded = clean(sentence)
            if len(folded) != len(sentence) or _other_year(folded, year):
                continue  # (folding kept offsets in step: the claim's text is a span as printed)
            claims.extend(_sentence_claims(section["id"], sentence, folded, fmt))
    return claims


def _sentence_claims(section: str, sentence: str, folded: str, fmt: str) -> list[dict]:
    out: list[dict] = []
    received = False
    for clause in _CLAUSE.finditer(folded):
        text = clause.group(0)
        if _NOT_A_CELL.search(text):
            continue
        for pattern in _RECEIVED:
            found = pattern.search(text)
            if found and (value := chinese_number(found.group("n"))) is not None:
                out.append(_claim(section, sentence, clause.start(), clause.end(), value,
                                  ["applications.new_received.total"]))
                received = True
                break
        else:
            if not received:
                continue
            # a split is a claim only after the total it splits, in the same sentence (其中 …)
            for found in _SPLIT.finditer(text):
                value = chinese_number(found.group("n"))
                cells = _split_cells(fmt, found.group("what"))
                if value is not None and cells:
                    out.append(_claim(section, sentence, clause.start() + found.start(),
                                      clause.start() + found.end(), value, cells))
    return out


def _claim(section: str, sentence: str, start: int, end: int, value: int, cells: list[str]) -> dict:
    return {"section": section, "text": sentence[start:end].strip(), "value": value, "cells": cells}
