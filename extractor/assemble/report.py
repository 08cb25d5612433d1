"""Report metadata: issuing body, statistical year, format, script."""

from __future__ import annotations

import re
from collections import Counter
from typing import NamedTuple

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
# OCR'd organisation or year read with less confidence than this is flagged for review (as cells
# are, `extractor.assemble.tables.MIN_VALUE_CONFIDENCE`).
MIN_METADATA_CONFIDENCE = 0.90


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


class Metadata(NamedTuple):
    """Issuing body and statistical year, with the tokens each was read from."""

    organization: str | None
    year: int | None
    organization_tokens: tuple[Token, ...] = ()
    year_tokens: tuple[Token, ...] = ()


def organization_and_year(tokens: list[Token], tags: list[Tag]) -> tuple[str | None, int | None]:
    """Issuing body and statistical year: from the title, else the signature, else the opening text."""
    meta = report_metadata(tokens, tags)
    return meta.organization, meta.year


def report_metadata(tokens: list[Token], tags: list[Tag]) -> Metadata:
    """`organization_and_year`, keeping the tokens each came from (a title of several lines: all of them)."""
    org: str | None = None
    year: int | None = None
    org_from: tuple[Token, ...] = ()
    year_from: tuple[Token, ...] = ()
    title_tokens = tuple(t for t, tag in zip(tokens, tags) if tag.label == Label.TITLE)
    title = "".join(t.text for t in title_tokens)
    if title:
        org, year = from_title(title)
        org_from = title_tokens if org else ()
        year_from = title_tokens if year else ()
    signature = [t for t, tag in zip(tokens, tags) if tag.label == Label.SIGNATURE]
    if org is None:
        for tok in signature:
            printed = _printed(tok.text)
            if clean(printed).endswith(ORGANIZATION_SUFFIXES) and not _DATE.search(printed):
                org, org_from = printed, (tok,)
                break
    prose = [t for t, tag in zip(tokens, tags) if tag.label in (Label.PROSE, Label.TITLE)][:12]
    if year is None:
        for tok in prose:
            m = _PERIOD.search(clean(tok.text))
            if m:
                year, year_from = int(m.group(1)), (tok,)
                break
    for tok in prose:
        printed = _printed(tok.text)
        cleaned = clean(printed)
        m = _OPENING.search(cleaned)
        if m:
            if org is None:
                org, org_from = _slice_printed(printed, cleaned, m, "org"), (tok,)
            if year is None:
                year, year_from = int(m.group(1)), (tok,)
            break
    if year is None:
        years = Counter(int(y) for tok in prose for y in re.findall(rf"{_YEAR}\s*年", clean(tok.text)))
        if years:
            year = years.most_common(1)[0][0]
            year_from = tuple(tok for tok in prose if re.search(rf"{year}\s*年", clean(tok.text)))
    if year is None:
        for tok in signature:
            m = _DATE.search(clean(tok.text))
            if m:
                # Reports are signed early in the following year.
                year = int(m.group(1)) - (1 if int(m.group(2)) <= 6 else 0)
                year_from = (tok,)
    return Metadata(org, year, org_from, year_from)


def metadata_doubts(meta: Metadata, tokens: list[Token]) -> list[str]:
    """Errors naming `report.organization` / `report.year` where OCR read them doubtfully.

    A value taken from a token recognised with less than MIN_METADATA_CONFIDENCE is named
    unless another surely read token prints it too (the signature's organisation, another
    line's "2024年": a rare character elsewhere on the opening line does not make the year
    doubtful). A surely read organisation is named when no other sure token prints it but one
    prints it with a character different (the opening text's "丁兰街道" against a title read
    "厂兰街道"); printed in full only once (a district prefix in the title alone) is no doubt.
    Text layers are exact: never flagged."""
    errors = []
    org_confidence = _least_confidence(meta.organization_tokens)
    if meta.organization is not None and org_confidence is not None:
        sure = _surely_read(tokens, meta.organization_tokens)
        confirmed = any(clean(_printed(meta.organization)) in text for text in sure)
        other = None if confirmed else _near(meta.organization, sure)
        if org_confidence < MIN_METADATA_CONFIDENCE and not confirmed:
            errors.append(f"report.organization: “{meta.organization}” was recognised with low confidence "
                          f"({org_confidence:.2f}); check it")
        elif other is not None:
            errors.append(f"report.organization: “{meta.organization}” was read by OCR, but another line "
                          f"prints “{other}”; check it")
    year_confidence = _least_confidence(meta.year_tokens)
    year_doubtful = year_confidence is not None and year_confidence < MIN_METADATA_CONFIDENCE
    if meta.year is not None and year_doubtful and not any(
            f"{meta.year}年" in text for text in _surely_read(tokens, meta.year_tokens)):
        errors.append(f"report.year: {meta.year} was recognised with low confidence ({year_confidence:.2f}); "
                      "check it")
    return errors


def _least_confidence(tokens: tuple[Token, ...]) -> float | None:
    """The least OCR confidence of the tokens; None when none was read by OCR."""
    found = [t.confidence for t in tokens if t.confidence is not None]
    return min(found) if found else None


def _surely_read(tokens: list[Token], sources: tuple[Token, ...]) -> list[str]:
    """The matching text of the tokens other than `sources` that are exact or read surely (a
    doubtful running head misread alike on every page confirms nothing)."""
    return [clean(_printed(t.text)) for t in tokens
            if not any(t is s for s in sources) and (t.confidence is None or t.confidence >= MIN_METADATA_CONFIDENCE)]


def _near(text: str, others: list[str]) -> str | None:
    """The first stretch of `others` that is `text` with one character different (two for ten
    characters or more); None when there is none."""
    wanted = clean(_printed(text))
    size = len(wanted)
    allowed = 1 if size < 10 else 2
    if size < 3:
        return None
    for printed in others:
        if len(set(printed) & set(wanted)) < len(set(wanted)) - allowed:
            continue
        for start in range(len(printed) - size + 1):
            window = printed[start:start + size]
            if 0 < sum(a != b for a, b in zip(window, wanted)) <= allowed:
                return window
    return None


def script_of(tokens: list[Token]) -> str:
    return "traditional" if is_traditional("".join(t.text for t in tokens[:2000])) else "simplified"
