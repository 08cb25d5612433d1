"""Report metadata: issuing body, statistical year, format, script."""

from __future__ import annotations

import re
from collections import Counter

from ..labels import Label
from ..normalize import clean, is_traditional, strip_pinyin, to_halfwidth
from ..tagging import Tag
from ..tokens import Token
from ..vocabulary import ORGANIZATION_SUFFIXES

_YEAR = r"(20[0-9]{2}|19[89][0-9])"
# 丁兰街道2024年政府信息公开工作年度报告 / 2024年丁兰街道政府信息公开工作年度报告
_TITLE_ORG_FIRST = re.compile(rf"^(?:关于)?(?P<org>.+?)\s*(?P<year>{_YEAR})\s*年\s*度?\s*(?:的)?\s*政府\s*信息\s*公开")
_TITLE_YEAR_FIRST = re.compile(rf"^(?P<year>{_YEAR})\s*年\s*度?\s*(?P<org>.+?)\s*政府\s*信息\s*公开")
_PERIOD = re.compile(rf"统计期限(?:为|是|自)?\s*{_YEAR}\s*年")
_OPENING = re.compile(
    rf"^\s*{_YEAR}\s*年(?:度|以来)?\s*[,，、]?\s*(?:我|本)?(?P<org>[\u4e00-\u9fff]{{2,30}}?)"
    r"(?:在|以|坚持|认真|紧紧|深入|严格|按照|围绕|持续|始终|全面|进一步|高度|紧扣|立足|聚焦|继续|结合|根据|依据)"
)
_DATE = re.compile(rf"{_YEAR}\s*年\s*(\d{{1,2}})\s*月")


def _printed(text: str) -> str:
    """The text as printed, minus copy artefacts (inline pinyin, stray spaces)."""
    return re.sub(r"\s+", "", strip_pinyin(to_halfwidth(text)))


def _slice_printed(printed: str, cleaned: str, match: re.Match, group: str) -> str:
    """The printed characters at a match found in the simplified text (same length: per-character)."""
    if len(printed) == len(cleaned):
        return printed[match.start(group):match.end(group)]
    return match.group(group)


def from_title(text: str) -> tuple[str | None, int | None]:
    printed = _printed(text)
    cleaned = clean(printed)
    for pattern in (_TITLE_YEAR_FIRST, _TITLE_ORG_FIRST):
        m = pattern.search(cleaned)
        if m:
            org = _slice_printed(printed, cleaned, m, "org").strip("，,、 ")
            return (org or None), int(m.group("year"))
    return None, None


def organization_and_year(tokens: list[Token], tags: list[Tag]) -> tuple[str | None, int | None]:
    """Issuing body and statistical year: from the title, else the signature, else the opening text."""
    org: str | None = None
    year: int | None = None
    title = "".join(t.text for t, tag in zip(tokens, tags) if tag.label == Label.TITLE)
    if title:
        org, year = from_title(title)
    signature = [t.text for t, tag in zip(tokens, tags) if tag.label == Label.SIGNATURE]
    if org is None:
        for line in signature:
            printed = _printed(line)
            if clean(printed).endswith(ORGANIZATION_SUFFIXES) and not _DATE.search(printed):
                org = printed
                break
    prose = [t.text for t, tag in zip(tokens, tags) if tag.label in (Label.PROSE, Label.TITLE)][:12]
    if year is None:
        for text in prose:
            m = _PERIOD.search(clean(text))
            if m:
                year = int(m.group(1))
                break
    for text in prose:
        printed = _printed(text)
        cleaned = clean(printed)
        m = _OPENING.search(cleaned)
        if m:
            if org is None:
                org = _slice_printed(printed, cleaned, m, "org")
            if year is None:
                year = int(m.group(1))
            break
    if year is None:
        years = Counter(int(y) for text in prose for y in re.findall(rf"{_YEAR}\s*年", clean(text)))
        if years:
            year = years.most_common(1)[0][0]
    if year is None:
        for line in signature:
            m = _DATE.search(clean(line))
            if m:
                # Reports are signed early in the following year.
                year = int(m.group(1)) - (1 if int(m.group(2)) <= 6 else 0)
    return org, year


def script_of(tokens: list[Token]) -> str:
    return "traditional" if is_traditional("".join(t.text for t in tokens[:2000])) else "simplified"
