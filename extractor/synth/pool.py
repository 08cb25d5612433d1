"""The pool of real report sentences that synthetic prose is drawn from.

Built once from the section texts of the gold seeds in the *train* and *dev*
splits of annotations/gold/splits.json (never *test*: the held-out documents
must not leak into training data) and shipped as data/sentences.txt:

    python -m extractor.synth.make_pool            # rewrite data/sentences.txt

Each line is `<topic>\\t<sentence>`, in simplified script with inline pinyin
removed; the issuing body and the years are placeholders ({org}, {short},
{region}, {self}, {year}, {prev_year}, {next_year}) filled per report.
Hand-written templates in data/templates.txt use the same format and
placeholders (and {n}, {m}: small numbers).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from functools import cache
from importlib import resources
from pathlib import Path

from ..normalize import strip_pinyin, to_simplified

TOPICS = ("preamble", "overview.intro", "overview.active", "overview.requests", "overview.management",
          "overview.platform", "overview.supervision", "problems.issues", "problems.improvements",
          "other_matters")

# Sub-heading words inside a section that say which topic the sentences under them are about.
_TOPIC_CUES = (
    ("overview.active", ("主动公开",)), ("overview.requests", ("依申请",)),
    ("overview.management", ("信息管理",)), ("overview.platform", ("平台",)),
    ("overview.supervision", ("监督", "保障")),
    ("problems.issues", ("存在问题", "存在的问题", "主要问题", "存在的主要问题")),
    ("problems.improvements", ("改进", "下一步", "整改")),
)
# An outline-numbered sub-heading, alone on its line or opening it: （一）主动公开情况。/ (二)依申请公开：
_SUBHEADING = re.compile(r"^\s*[(（][一二三四五六七八九十][)）]\s*([^。：:，,]{2,16})(?:[。：:]|$)")
_LABEL_PREFIX = re.compile(r"^\s*(存在的主要问题|存在问题|主要问题|下一步改进措施|改进措施|改进情况)\s*[：:]")
_SENTENCE = re.compile(r"[^。！？]+[。！？]")

# Names of the seeds' issuing bodies and places, replaced by placeholders so that a
# sentence fits any report. Longest first.
SEED_NAMES: dict[str, dict[str, str]] = {
    "seed-000": {"丁兰街道": "{short}", "智慧丁兰": "智慧{short}", "丁兰发布": "{short}发布", "丁兰": "{short}",
                 "上城区": "{region}"},
    "seed-001": {"永兴傣族乡人民政府": "{org}", "永兴傣族乡": "{short}", "永仁县": "{region}", "我乡": "{self}",
                 "七彩云端": "政务新媒体"},
    "seed-002": {"西工区金谷园街道办事处": "{org}", "金谷园街道办事处": "{org}", "金谷园街道": "{short}",
                 "金谷园": "{short}", "我街道": "{self}", "西工区": "{region}"},
}
_YEARS = {"2025": "{next_year}", "2024": "{year}", "2023": "{prev_year}"}


_FULL_WIDTH_PUNCTUATION = str.maketrans({",": "，", ":": "：", ";": "；", "(": "（", ")": "）", "!": "！", "?": "？"})
_SPACE_BY_CJK = re.compile(r"(?<=[^\x00-\x7f])\s+|\s+(?=[^\x00-\x7f])")


def simplified(text: str) -> str:
    """Simplified script, no inline pinyin, Chinese punctuation, no spaces beside Chinese characters."""
    text = to_simplified(strip_pinyin(text)).translate(_FULL_WIDTH_PUNCTUATION)
    return _SPACE_BY_CJK.sub("", text)


def placeholders(text: str, names: Mapping[str, str], year: int) -> str:
    for name in sorted(names, key=len, reverse=True):
        text = text.replace(name, names[name])
    years = {str(year + 1): "{next_year}", str(year): "{year}", str(year - 1): "{prev_year}"}
    return re.sub(r"(?<!\d)(\d{4})(?=\s*年)", lambda m: years.get(m.group(1), m.group(1)), text)


def _topic_of(heading: str, section: str, current: str) -> str:
    for topic, cues in _TOPIC_CUES:
        if topic.startswith(section) and any(cue in heading for cue in cues):
            return topic
    return current


def sentences_of(section: str, text: str) -> Iterable[tuple[str, str]]:
    """(topic, sentence) of a section's text; sub-headings set the topic and are left out."""
    topic = {"overview": "overview.intro", "problems": "problems.issues"}.get(section, section)
    for line in text.splitlines():
        line = simplified(line.strip())
        heading = _SUBHEADING.match(line) or _LABEL_PREFIX.match(line)
        if heading:
            topic = _topic_of(heading.group(1) if heading.re is _SUBHEADING else heading.group(0), section, topic)
            line = line[heading.end():].strip()
        for sentence in _SENTENCE.findall(line):
            sentence = sentence.strip()
            if len(sentence) >= 6:
                yield topic, sentence


def pool_lines(golds: Mapping[str, dict]) -> list[str]:
    """`topic\\tsentence` lines from gold reports (doc id -> gold), deduplicated, in a stable order."""
    seen: set[str] = set()
    out: list[str] = []
    for doc_id in sorted(golds):
        gold = golds[doc_id]
        year = gold["report"]["year"]
        names = SEED_NAMES.get(doc_id) or {simplified(gold["report"]["organization"] or ""): "{org}"}
        pieces = [("preamble", line) for line in (gold.get("extras") or {}).get("preamble") or []]
        names = {simplified(name): value for name, value in names.items()}
        pieces += [(s["id"], s["text"]) for s in gold["sections"] if s["id"] in ("overview", "problems", "other_matters")]
        for section, text in pieces:
            for topic, sentence in sentences_of(section, text):
                line = f"{topic}\t{placeholders(sentence, names, year)}"
                if line not in seen:
                    seen.add(line)
                    out.append(line)
    return out


def training_seed_ids(gold_dir: Path) -> list[str]:
    splits = json.loads((gold_dir / "splits.json").read_text("utf-8"))
    return sorted(splits.get("train", []) + splits.get("dev", []))


def build(gold_dir: Path, out: Path) -> Path:
    """Write the pool from the train and dev seeds under `gold_dir` (never the test split)."""
    ids = training_seed_ids(gold_dir)
    golds = {doc_id: json.loads((gold_dir / doc_id / "gold.json").read_text("utf-8")) for doc_id in ids}
    source = f"the train/dev seeds {', '.join(ids)} (annotations/gold/splits.json)"
    header = [f"# Generated by `python -m extractor.synth.make_pool` from {source}; do not edit.",
              "# <topic>\\t<sentence>"]
    out.write_text("\n".join(header + pool_lines(golds)) + "\n", "utf-8")
    return out


def parse(text: str) -> dict[str, tuple[str, ...]]:
    """Topic -> sentences of a pool file's text (comments and blank lines skipped)."""
    found: dict[str, list[str]] = {topic: [] for topic in TOPICS}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        topic, _, sentence = line.partition("\t")
        if topic not in found:
            raise ValueError(f"unknown topic {topic!r} in the sentence pool: {line!r}")
        found[topic].append(sentence.strip())
    return {topic: tuple(sentences) for topic, sentences in found.items()}


@cache
def sentences() -> dict[str, tuple[str, ...]]:
    """Topic -> real sentences (data/sentences.txt)."""
    return parse(resources.files("extractor.synth").joinpath("data/sentences.txt").read_text("utf-8"))


@cache
def templates() -> dict[str, tuple[str, ...]]:
    """Topic -> hand-written template sentences (data/templates.txt)."""
    return parse(resources.files("extractor.synth").joinpath("data/templates.txt").read_text("utf-8"))
