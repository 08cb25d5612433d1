"""Matching printed labels to canonical keys, tolerant of numbering, punctuation,
spacing, script and small wording differences.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import cache, lru_cache

from . import schema, vocabulary
from .normalize import clean, for_matching

_NUMBERING = re.compile(
    r"^(?:[(（]?[一二三四五六七八九十]+[)）]|[一二三四五六七八九十]+[、.．]|"
    r"[(（]?\d{1,2}[)）]|\d{1,2}[、.．](?!\d)|[①-⑳])\s*"
)
# The outline number a group of the results block opens with: 「（四）」 「三、」 (never a row's 「1.」)
GROUP_NUMBER = re.compile(r"^\s*(?:[(（][一二三四五六七八九十]+[)）]|[一二三四五六七八九十]+、)")
_BLOCK_TITLE = re.compile(vocabulary.DISCLOSURE_BLOCK_PATTERN)
# (「四·」: OCR's reading of a full-width 「四．」)
_SECTION_NUMBER = re.compile(r"^\s*([一二三四五六])\s*[、.．,，·・]")
_CN_DIGITS = "一二三四五六七八九十"

# A match must score at least this, and beat the runner-up by the margin, to count.
MIN_SCORE = 0.72
MIN_MARGIN = 0.04


def strip_numbering(text: str) -> str:
    """Remove leading outline numbers: 一、 （三） 1. ① (repeatedly)."""
    text = clean(text).strip()
    while True:
        stripped = _NUMBERING.sub("", text, count=1)
        if stripped == text:
            return text
        text = stripped.strip()


def core(text: str) -> str:
    """Words only, without outline numbering: what labels are compared on."""
    return for_matching(strip_numbering(text))


@lru_cache(maxsize=1 << 18)  # labels repeat from document to document
def similarity(a: str, b: str) -> float:
    """Similarity of two cores in [0, 1]; a long shared prefix (truncated or extended label) scores high."""
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    short, long_ = sorted((a, b), key=len)
    if len(short) >= 4 and long_.startswith(short):
        return 0.85 + 0.1 * len(short) / len(long_)
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def similar_at_least(a: str, b: str, threshold: float) -> bool:
    """`similarity(a, b) >= threshold`, skipping difflib where the lengths alone rule it out."""
    if a and b and a != b:
        short, long_ = sorted((a, b), key=len)
        prefix = len(short) >= 4 and long_.startswith(short)
        if not prefix and 2 * len(short) / (len(a) + len(b)) < threshold:  # ratio = 2M/(|a|+|b|), M <= |short|
            return False
    return similarity(a, b) >= threshold


def best_match(text: str, candidates: dict[str, str]) -> tuple[str | None, float]:
    """The candidate key whose core best matches `text`, or None when no clear winner."""
    target = core(text)
    if not target:
        return None, 0.0
    scored = sorted(((similarity(target, c), key) for key, c in candidates.items()), reverse=True)
    if not scored:
        return None, 0.0
    best_score, best_key = scored[0]
    runner_up = next((s for s, k in scored[1:] if k != best_key), 0.0)
    if best_score >= MIN_SCORE and best_score - runner_up >= MIN_MARGIN:
        return best_key, best_score
    return None, best_score


# ---- the applications table -------------------------------------------------


@dataclass(frozen=True)
class RowLabel:
    """Cores of an applications row: its group (if nested) and its own words."""

    key: str
    group: str | None
    leaf: str


@cache
def application_labels(fmt: str) -> tuple[RowLabel, ...]:
    labels = []
    for key, label in schema.application_rows(fmt):
        group, _, leaf = label.rpartition(" ")
        labels.append(RowLabel(key, core(group) if group else None, core(leaf)))
    return tuple(labels)


@cache
def application_groups(fmt: str) -> dict[str, str]:
    """Group labels (cores) that head nested rows, plus the 本年度办理结果 block; key is the core itself."""
    groups = {lab.group for lab in application_labels(fmt) if lab.group}
    groups.add(core(vocabulary.RESULTS_GROUP))
    return {g: g for g in groups}


def is_group_fragment(text: str, fmt: str) -> bool:
    """A piece of a group label wrapped in the left column (「年度办」 of 三、本年度办理结果, 「公开」 of
    （三）不予公开), printed on the line of a row's own label: two characters or more of a group's
    words, or its outline number with the words that follow it."""
    printed = for_matching(text)
    words = core(text)
    if not words or len(words) > 6:
        return False
    if len(words) < 2 and printed == words:
        return False
    return any(words in group for group in application_groups(fmt))


def match_application_row(text: str, fmt: str, group: str | None = None) -> tuple[str | None, float]:
    """Row key for a printed applications label; `group` is the current group core, if any.

    A label may be printed alone ("1.属于国家秘密") or with its group in one
    piece ("（三）不予公开 1.属于国家秘密").
    """
    worded = _worded_row(text, fmt)
    if worded is not None:
        return worded, 1.0
    candidates = {lab.key: lab.leaf for lab in application_labels(fmt)
                  if lab.group is None or group is None or group == lab.group}
    key, score = best_match(text, candidates)
    if key is None and group is not None:
        # the group in force may be wrong (a group label cut or lost in a copy): a label that names
        # one row of another group exactly is that row
        key, score = best_match(text, {lab.key: lab.leaf for lab in application_labels(fmt)})
        if score < 0.95:
            key = None
    if key is None:
        with_group = {lab.key: (lab.group or "") + lab.leaf for lab in application_labels(fmt)}
        key, score = best_match(text, with_group)
    return key, score


@cache
def _row_wordings(fmt: str) -> dict[str, str]:
    rows = {lab.key for lab in application_labels(fmt)}
    return {core(wording): key for key, wordings in vocabulary.APPLICATION_ROW_WORDINGS.items() if key in rows
            for wording in wordings}


def _worded_row(text: str, fmt: str) -> str | None:
    """The row a label names in another wording real reports use (（七）合计 for 总计), by equal cores."""
    return _row_wordings(fmt).get(core(text))


def match_application_group(text: str, fmt: str) -> str | None:
    key, _ = best_match(text, application_groups(fmt))
    return key


# ---- the active-disclosure table ---------------------------------------------


@cache
def disclosure_labels(fmt: str) -> dict[str, str]:
    return {row.key: core(row.label) for row in schema.disclosure_rows(fmt)}


def match_disclosure_row(text: str, fmt: str) -> tuple[str | None, float]:
    return best_match(text, disclosure_labels(fmt))


def is_block_title(text: str) -> bool:
    return bool(_BLOCK_TITLE.search(clean(text).replace(" ", "")))


# ---- column headers ------------------------------------------------------------


@cache
def header_words(fmt: str) -> frozenset[str]:
    """Cores of every column header printed in the three tables."""
    words = {core(vocabulary.DISCLOSURE_ITEM_HEADER), core(vocabulary.APPLICANTS_HEADER),
             core(vocabulary.LEGAL_PERSONS_HEADER), core(vocabulary.REVIEW_HEADER),
             core(vocabulary.LITIGATION_HEADER)}
    for row in schema.disclosure_rows(fmt):
        words.update(core(label) for _, label in row.fields)
    words.update(core(label) for _, label in schema.application_columns(fmt))
    for _, label in schema.review_groups():
        words.update(core(part) for part in label.split(" "))
    words.update(core(label) for _, label in schema.review_fields())
    return frozenset(w for w in words if w)


def is_header_like(text: str, fmt: str) -> bool:
    """A printed column header, or a fragment of one (copying often loses header words)."""
    target = core(text)
    if not target:
        return False
    for word in header_words(fmt):
        if target == word or (len(target) >= 2 and target in word) or similarity(target, word) >= 0.8:
            return True
    return False


# ---- sections --------------------------------------------------------------------

# Words that identify each section heading whatever the wording variant.
_SECTION_CUES = {
    "overview": ("总体情况", "概述", "基本情况"),
    "active_disclosure": ("主动公开",),
    "applications": ("收到和处理", "依申请公开", "收到处理"),
    "review_litigation": ("行政复议", "行政诉讼"),
    "problems": ("问题",),
    "other_matters": ("其他需要报告", "其他事项", "需要报告的事项"),
}


def match_section_heading(text: str) -> str | None:
    """Section key for a heading line such as 一、总体情况 (numbered 一 to 六, short), else None."""
    printed = clean(text).strip()
    number = _SECTION_NUMBER.match(printed)
    if not number or len(printed) > 40 or printed.endswith(("。", "；", ";")):
        return None
    keys = [key for key, _ in schema.sections()]
    index = _CN_DIGITS.index(number.group(1))
    words = for_matching(printed)
    expected = keys[index]
    if any(cue in words for cue in _SECTION_CUES[expected]):
        return expected
    # Headings are sometimes misnumbered; accept another section only on a strong match.
    title_scores = {key: similarity(core(printed), core(title)) for key, title in schema.sections()}
    key = max(title_scores, key=title_scores.get)
    return key if title_scores[key] >= 0.8 else None


# ---- which national format ---------------------------------------------------------


@cache
def format_markers() -> dict[str, frozenset[str]]:
    """Header and row-label cores printed in only one of the two formats."""
    words: dict[str, set[str]] = {}
    for fmt in schema.FORMAT_VERSIONS:
        found = set()
        for row in schema.disclosure_rows(fmt):
            found.update(core(label) for _, label in row.fields)
            found.add(core(row.label))
        found.update(lab.leaf for lab in application_labels(fmt))
        words[fmt] = found
    shared = set.intersection(*words.values())
    # Words both formats print (headers like 其他, group labels like 其他处理) prove nothing.
    common = shared | set(header_words("2021") & header_words("2019"))
    common |= {g for fmt in words for g in application_groups(fmt)}
    return {fmt: frozenset(found - common) for fmt, found in words.items()}


@lru_cache(maxsize=1 << 16)
def marker_formats(target: str) -> tuple[str, ...]:
    """The formats with a marker that `target` (a core) matches."""
    return tuple(fmt for fmt, words in format_markers().items()
                 if any(similar_at_least(target, word, 0.92) for word in words))


def detect_format(texts: list[str], year: int | None = None) -> str:
    """"2021" or "2019": whichever format's own headers and labels the document prints more of.

    With no evidence either way, the year decides (reports for 2019 and 2020
    use the 2019 format).
    """
    counts = dict.fromkeys(format_markers(), 0)
    for text in texts:
        target = core(text)
        if not target or len(target) > 60:
            continue
        for fmt in marker_formats(target):
            counts[fmt] += 1
    if counts["2019"] != counts["2021"]:
        return max(counts, key=counts.get)
    return "2019" if year is not None and year <= 2020 else "2021"
