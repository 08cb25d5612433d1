"""Script of a synthetic report: traditional conversion and the inline pinyin left by copying
out of annotated web pages (永興傣族鄉(xiāng), 發(fā)布 …, as seed 001 shows)."""

from __future__ import annotations

import random
import re

from ..render.wording import localize

# Traditional characters that annotated pages gloss, with their pinyin (seed 001 glosses these).
PINYIN = {
    "鄉": "xiāng", "發": "fā", "業": "yè", "區": "qū", "聯": "lián", "規": "guī", "續": "xù", "穩": "wěn",
    "執": "zhí", "縣": "xiàn", "圍": "wéi", "貫": "guàn", "徹": "chè", "歲": "suì", "幾": "jǐ", "葉": "yè",
}
_GLOSSED = re.compile("[" + "".join(PINYIN) + "]")


def in_script(text: str, script: str, config: str = "s2t") -> str:
    """Simplified text in the report's script."""
    return localize(text, script, config)


def in_gold_script(text: str, gold: dict) -> str:
    """Simplified text in a gold report's script (OpenCC s2t, as the renderer prints fixed labels)."""
    return localize(text, gold["report"].get("script", "simplified"))


COMMON_GLOSSES = ("鄉", "發", "業", "規")


def gloss_choice(rng: random.Random) -> frozenset[str]:
    """Which characters one copied page glosses: the same ones throughout, the common ones always."""
    rare = sorted(set(PINYIN) - set(COMMON_GLOSSES))
    return frozenset(COMMON_GLOSSES) | frozenset(rng.sample(rare, rng.randint(0, len(rare))))


def add_pinyin(text: str, glossed: frozenset[str], bracket: str = "()") -> str:
    """Append the pinyin after every glossed character: 鄉 -> 鄉(xiāng)."""
    if not glossed:
        return text
    left, right = bracket
    return _GLOSSED.sub(lambda m: m.group() + f"{left}{PINYIN[m.group()]}{right}" if m.group() in glossed
                        else m.group(), text)
