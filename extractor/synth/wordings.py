"""Reports worded as real bodies word them: row labels of their own, rows they add (其中 …),
section headings without numbers or numbered otherwise, long and short section titles, and prose
that quotes the tables' labels.

Each function takes a gold dict (random_gold) and returns it changed, the figures untouched: row
wordings and added rows go to `extras["printed"]` (extractor.render.printed prints them), headings
and prose into the sections as printed, so the gold stays exactly what the report prints.
"""

from __future__ import annotations

import random

from .. import schema
from ..render.printed import printed_extras
from ..vocabulary import APPLICATION_ROW_WORDINGS
from .prose import CN_NUMBERS
from .script import in_gold_script as _say

HEADING_STYLES = ("numbered", "unnumbered", "other_numbering")
HEADING_LENGTHS = ("as_drawn", "long", "short")
# Numbering other than 一、: Arabic, 第一部分, bracketed.
OTHER_NUMBERINGS = ("{n}.", "{n}．", "{n}、", "第{cn}部分 ", "第{cn}部分　", "（{cn}）", "{cn} ")
LONG_HEADINGS = {
    "overview": "政府信息公开工作总体情况",
    "active_disclosure": "行政机关主动公开政府信息情况",
    "applications": "本机关收到和处理政府信息公开申请情况",
    "review_litigation": "因政府信息公开工作被申请行政复议、提起行政诉讼情况",
    "problems": "政府信息公开工作存在的主要问题及改进情况",
    "other_matters": "其他需要报告的事项",
}
SHORT_HEADINGS = {
    "overview": "概述",
    "active_disclosure": "主动公开情况",
    "applications": "依申请公开情况",
    "review_litigation": "行政复议、行政诉讼情况",
    "problems": "存在问题及改进措施",
    "other_matters": "其他事项",
}
# Rows some bodies add under a row of the format: (table, row it follows, labels).
EXTRA_ROWS = (
    ("applications", "new_received", ("其中：网上申请", "其中：当面申请", "其中：信函申请", "其中：通过互联网提交申请")),
    ("active_disclosure", "administrative_licensing", ("其中：网上办理", "其中：即办件")),
)


def reword_rows(rng: random.Random, gold: dict) -> dict:
    """Applications rows worded as some bodies word them (APPLICATION_ROW_WORDINGS), numbered or not."""
    labels = dict(schema.application_rows(gold["report"]["format_version"]))
    chosen = [key for key in sorted(APPLICATION_ROW_WORDINGS) if key in labels and rng.random() < 0.7]
    for key in chosen or [rng.choice(sorted(APPLICATION_ROW_WORDINGS))]:
        standard = labels[key]
        number = standard[:standard.index("、") + 1] if "、" in standard[:3] else \
            standard[:standard.index("）") + 1] if standard.startswith("（") else ""
        wording = (number if rng.random() < 0.6 else "") + rng.choice(APPLICATION_ROW_WORDINGS[key])
        printed_extras(gold).setdefault("labels", {})[f"applications.{key}"] = _say(wording, gold)
    return gold


def _child_figure(value: object, rng: random.Random) -> int:
    return rng.randint(0, value) if isinstance(value, int) and value > 0 else 0


def add_extra_rows(rng: random.Random, gold: dict) -> dict:
    """One or two 其中 rows under a row of the format, their figures part of the row above."""
    fmt = gold["report"]["format_version"]
    rows = []
    for table, after, words in EXTRA_ROWS:
        if rng.random() < 0.35 and rows:
            continue
        parent = (gold["tables"].get(table) or {}).get(after) or {}
        if table == "applications":
            columns = [key for key, _ in schema.application_columns(fmt)]
            figures = [_child_figure(parent.get(c), rng) for c in columns[:-1]]
            figures.append(sum(figures))
        else:
            fields = next(r.fields for r in schema.disclosure_rows(fmt) if r.key == after)
            figures = [_child_figure(parent.get(f), rng) for f, _ in fields]
        for label in rng.sample(words, rng.choice([1, 1, 2])):
            rows.append({"table": table, "after": after, "label": _say(label, gold), "values": figures})
    printed_extras(gold).setdefault("extra_rows", []).extend(rows)
    return gold


def reword_headings(rng: random.Random, gold: dict, style: str, length: str) -> dict:
    """Section headings without numbers or numbered otherwise (`style`), long or short (`length`)."""
    if style not in HEADING_STYLES or length not in HEADING_LENGTHS:
        raise ValueError(f"heading style {style!r} / length {length!r}: expected {HEADING_STYLES} / {HEADING_LENGTHS}")
    numbering = rng.choice(OTHER_NUMBERINGS)
    for index, section in enumerate(gold["sections"]):
        title = section["title"]
        bare = title.lstrip(CN_NUMBERS + "、．. ")
        mark = title[:len(title) - len(bare)]
        text = bare if length == "as_drawn" else _say((LONG_HEADINGS if length == "long" else SHORT_HEADINGS)[section["id"]], gold)
        if style == "numbered":
            text = (mark or f"{CN_NUMBERS[index]}、") + text
        elif style == "other_numbering":
            text = numbering.format(n=index + 1, cn=CN_NUMBERS[index]) + text
        section["title"] = text
    return gold


def _value(gold: dict, table: str, row: str, column: str) -> int | None:
    value = ((gold["tables"].get(table) or {}).get(row) or {}).get(column)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def label_quotes(rng: random.Random, gold: dict) -> list[str]:
    """Sentences quoting table labels with the table's own figures (none that would need a blank)."""
    year = gold["report"]["year"]
    total = {row: _value(gold, "applications", row, "total")
             for row in ("new_received", "carried_over", "granted", "partially_granted", "total_processed",
                         "carried_forward")}
    review = _value(gold, "review_litigation", "administrative_review", "total")
    upheld = _value(gold, "review_litigation", "administrative_review", "upheld")
    licensing = _value(gold, "active_disclosure", "administrative_licensing", "decisions")
    candidates = []
    if total["new_received"] is not None and total["carried_over"] is not None:
        candidates.append(f"{year}年，表中“本年新收政府信息公开申请数量”为{total['new_received']}件，"
                          f"“上年结转政府信息公开申请数量”为{total['carried_over']}件。")
    if total["granted"] is not None and total["partially_granted"] is not None:
        candidates.append(f"办理结果中，“予以公开”{total['granted']}件，“部分公开”{total['partially_granted']}件。")
    if total["total_processed"] is not None and total["carried_forward"] is not None:
        candidates.append(f"“（七）总计”一栏为{total['total_processed']}件，"
                          f"“四、结转下年度继续办理”为{total['carried_forward']}件。")
    if review is not None and upheld is not None:
        candidates.append(f"本年度“行政复议”共{review}件，其中“结果维持”{upheld}件。")
    if licensing is not None:
        candidates.append(f"“行政许可”一项本年处理决定数量为{licensing}件。")
    picked = rng.sample(candidates, min(len(candidates), rng.randint(1, 3)))
    return [_say(sentence, gold) for sentence in picked]


def quote_labels(rng: random.Random, gold: dict) -> dict:
    """Prose quoting the tables' labels and figures, before the applications table or in the overview."""
    sentences = label_quotes(rng, gold)
    if not sentences:
        return gold
    where = rng.choice(["applications", "overview"])
    for section in gold["sections"]:
        if section["id"] == where:
            lines = [line for line in section["text"].split("\n") if line] + ["".join(sentences)]
            section["text"] = "\n".join(lines)
    return gold
