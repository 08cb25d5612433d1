"""Text normalisation for matching only: outputs keep the text as printed.

`for_matching` folds script (traditional to simplified), width, inline pinyin,
whitespace and punctuation so that label comparison sees only the words.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache

import opencc

# A CJK character followed by a parenthesised pinyin syllable, as left by copy
# out of annotated pages: 鄉(xiāng), 發(fā), 業(yè). Neutral-tone syllables have no
# mark, so a bare lowercase syllable of at most six letters also counts.
_PINYIN = re.compile(
    r"(?<=[\u3400-\u9fff])[(（]([a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ][a-zü]*|[a-zü]{1,6})[)）]"
)
_SPACE_IN_NUMBER = re.compile(r"(?<=\d)[ \u00a0\u3000]+(?=[\d.])")
_PUNCT_AND_SPACE = re.compile(r"[\s\W_]+", re.UNICODE)
# Characters that print nothing (zero-width space and joiners, direction marks, word joiner,
# byte-order mark, soft hyphen): web pages and copies out of them scatter these inside figures.
_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u2060\ufeff]")
# What OCR reads for the strokes of outline numbers: the radical 丶 (never in report text) for 、,
# and a dot or dash for 一 between brackets or after 第 (第（·）项, 第·加第二项之和)
_OCR_ENUMERATION_COMMA = str.maketrans({"\u4e36": "、"})
_OCR_ONE = re.compile(r"(?<=[(（第])[·•・\-—‐](?=[)）加])")


@cache
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def strip_pinyin(text: str) -> str:
    """Remove inline pinyin annotations: 永興傣族鄉(xiāng) -> 永興傣族鄉."""
    return _PINYIN.sub("", text)


def to_halfwidth(text: str) -> str:
    """Full-width ASCII (digits, letters, punctuation) and the ideographic space to half width."""
    return unicodedata.normalize("NFKC", text)


@lru_cache(maxsize=65536)
def to_simplified(text: str) -> str:
    return _t2s().convert(text)


def is_traditional(text: str) -> bool:
    """True when converting to simplified changes a noticeable share of the CJK characters."""
    cjk = [c for c in text if "\u4e00" <= c <= "\u9fff"]
    if not cjk:
        return False
    sample = "".join(cjk[:4000])
    changed = sum(a != b for a, b in zip(sample, to_simplified(sample)))
    return changed / len(sample) > 0.03


@lru_cache(maxsize=65536)
def clean(text: str) -> str:
    """Script, width and pinyin folded, and OCR's readings of outline numbers (二丶, 第（·）项)
    as printed; spacing and punctuation kept."""
    text = to_halfwidth(_INVISIBLE.sub("", text)).translate(_OCR_ENUMERATION_COMMA)
    return to_simplified(strip_pinyin(_OCR_ONE.sub("一", text)))


@lru_cache(maxsize=65536)
def for_matching(text: str) -> str:
    """The words only: script, width and pinyin folded, spaces and punctuation removed."""
    return _PUNCT_AND_SPACE.sub("", clean(text))


def number_text(text: str) -> str:
    """A cell's text ready for number parsing: half width, invisible characters and spaces inside
    numbers removed."""
    return _SPACE_IN_NUMBER.sub("", to_halfwidth(_INVISIBLE.sub("", text)).strip())
