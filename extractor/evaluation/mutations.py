"""Mutation probe: damage gold reports in ways the synthetic generator does not, count silent errors.

    python -m extractor.evaluation.mutations                 # rules and the default model, text and HTML
    python -m extractor.evaluation.mutations --tagger rules --copies 1

Each mutation of a gold report's text (or of its HTML rendering) knows what it did to the
figures: nothing (`same`: thousands separators, invisible characters, a page number between
rows), one figure changed to a known value (`changed`), or a figure damaged so that it cannot be
known (`damaged`: deleted, duplicated, broken across lines). An extraction is a *silent error*
when it says `ok` while a cell differs from what the mutated document prints: a damaged cell may
only come out blank, a changed one only as its new value. The number that must stay zero.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..pipeline import extract
from ..render import render
from ..tagging import get_tagger
from .compare import compare_tables

GOLD_DIR = Path(__file__).resolve().parents[2] / "annotations" / "gold"

# A figure in a text copy: digits standing alone between delimiters, inside the tables' sections.
_TEXT_FIGURE = re.compile(r"(?m)(?:^|(?<=[|\t ]))(\d+)(?=[ \t|]|$)")
# A figure in an HTML rendering: a cell holding one paragraph of digits.
_HTML_FIGURE = re.compile(r"(<td[^>]*><p>)(\d+)(</p></td>)")


@dataclass
class Mutated:
    text: str
    kind: str  # same | same-or-review | changed | damaged
    new_value: int | None = None


Mutation = Callable[[str, random.Random], Mutated]


def _text_figures(text: str) -> list[tuple[int, int]]:
    start, end = text.find("\n二、"), text.find("\n五、")
    start, end = max(start, 0), (end if end >= 0 else len(text))
    return [m.span(1) for m in _TEXT_FIGURE.finditer(text) if start <= m.start() < end]


def _html_figures(text: str) -> list[tuple[int, int]]:
    return [m.span(2) for m in _HTML_FIGURE.finditer(text)]


def _replace(text: str, spans, fn: Callable[[str], str]) -> str:
    for start, end in sorted(spans, reverse=True):
        text = text[:start] + fn(text[start:end]) + text[end:]
    return text


def _on_figures(find, count: int, fn: Callable[[str, random.Random], str], kind: str,
                min_digits: int = 1) -> Mutation:
    def mutate(text: str, rng: random.Random) -> Mutated:
        spans = [s for s in find(text) if s[1] - s[0] >= min_digits]
        chosen = rng.sample(spans, min(count, len(spans)))
        return Mutated(_replace(text, chosen, lambda v: fn(v, rng)), kind if chosen else "same")
    return mutate


def _changed(find) -> Mutation:
    def mutate(text: str, rng: random.Random) -> Mutated:
        span = rng.choice(find(text))
        value = int(text[span[0]:span[1]]) + rng.choice([1, 7, 10, 1200])
        printed = f"{value:,}" if value >= 1000 and rng.random() < 0.5 else str(value)
        return Mutated(_replace(text, [span], lambda _: printed), "changed", value)
    return mutate


# A line holding one figure and nothing else (the one-cell-per-line layout).
_FIGURE_LINE = re.compile(r"\s*\d+\s*\|?\s*")


def _line_end(text: str, at: int) -> int:
    """Where the line holding position `at` ends (its newline, or the end of the text)."""
    end = text.find("\n", at)
    return len(text) if end < 0 else end


def _text_line_of(text: str, span: tuple[int, int]) -> tuple[int, int]:
    return text.rfind("\n", 0, span[0]) + 1, _line_end(text, span[1])


def _delete_figure(text: str, rng: random.Random) -> Mutated:
    span = rng.choice(_text_figures(text))
    start, end = _text_line_of(text, span)
    if _FIGURE_LINE.fullmatch(text[start:end]):  # one cell per line: the line goes
        return Mutated(text[:start] + text[end + 1:], "damaged")
    return Mutated(text[:span[0]] + text[span[1]:].lstrip(" ").lstrip("|\t"), "damaged")


def _duplicate_figure(text: str, rng: random.Random) -> Mutated:
    span = rng.choice(_text_figures(text))
    start, end = _text_line_of(text, span)
    line = text[start:end]
    if _FIGURE_LINE.fullmatch(line):
        return Mutated(text[:end] + "\n" + line + text[end:], "damaged")
    sep = "\t" if "\t" in line else " | "
    return Mutated(text[:span[1]] + sep + text[span[0]:span[1]] + text[span[1]:], "damaged")


def _page_number_between_rows(text: str, rng: random.Random) -> Mutated:
    end = _line_end(text, rng.choice(_text_figures(text))[1])
    furniture = rng.choice(["— 5 —", "第 5 页 共 9 页", "- 5 -", "5\n某某市人民政府2022年政府信息公开工作年度报告"])
    return Mutated(text[:end] + "\n" + furniture + text[end:], "same-or-review")


def _join_lines(text: str, rng: random.Random) -> Mutated:
    end = _line_end(text, rng.choice(_text_figures(text))[1])
    return Mutated(text[:end] + " " + text[end + 1:], "same-or-review")


def _break_figure(at: int) -> Mutation:
    def mutate(text: str, rng: random.Random) -> Mutated:
        spans = [s for s in _text_figures(text) if s[1] - s[0] > at]
        if not spans:
            return Mutated(text, "same")
        return Mutated(_replace(text, [rng.choice(spans)], lambda v: v[:at] + "\n" + v[at:]), "damaged")
    return mutate


def _dash_for_zero(text: str, rng: random.Random) -> Mutated:
    spans = [s for s in _text_figures(text) if text[s[0]:s[1]] == "0"]
    chosen = rng.sample(spans, min(4, len(spans)))
    return Mutated(_replace(text, chosen, lambda _: rng.choice(["—", "-", "——", "－"])), "zero-or-blank")


def _thousands(find) -> Mutation:
    def mutate(text: str, rng: random.Random) -> Mutated:
        spans = [s for s in find(text) if s[1] - s[0] >= 4]
        return Mutated(_replace(text, spans, lambda v: v[:-3] + rng.choice([",", "，"]) + v[-3:]), "same")
    return mutate


TEXT_MUTATIONS: dict[str, Mutation] = {
    "thousands separators": _thousands(_text_figures),
    "full-width digits": _on_figures(_text_figures, 5, lambda v, _: v.translate(str.maketrans("0123456789", "０１２３４５６７８９")), "same"),
    "invisible characters": _on_figures(_text_figures, 5, lambda v, _: "\u00a0" + v + "\u200b", "same"),
    "unit after figure": _on_figures(_text_figures, 3, lambda v, _: v + "件", "same-or-review"),
    "footnote mark": _on_figures(_text_figures, 2, lambda v, _: v + "*", "same-or-review"),
    "dash for zero": _dash_for_zero,
    "blank lines": lambda t, _: Mutated(t.replace("\n", "\n\n"), "same"),
    "CRLF and BOM": lambda t, _: Mutated("\ufeff" + t.replace("\n", "\r\n"), "same"),
    "page number between rows": _page_number_between_rows,
    "lines joined": _join_lines,
    "figure changed": _changed(_text_figures),
    "figure blanked": _on_figures(_text_figures, 1, lambda v, _: "", "damaged"),
    "figure deleted": _delete_figure,
    "figure duplicated": _duplicate_figure,
    "figure broken after 1 digit": _break_figure(1),
    "figure broken after 2 digits": _break_figure(2),
}

def _drop_cell(text: str, rng: random.Random) -> Mutated:
    cell = rng.choice(list(_HTML_FIGURE.finditer(text)))
    return Mutated(text[:cell.start()] + text[cell.end():], "damaged")


def _split_table(text: str, rng: random.Random) -> Mutated:
    """The table closed between two rows and opened again after a page number, as page-by-page
    exports print it."""
    at = rng.choice([m.start() for m in re.finditer("<tr>", text)][5:-5])
    return Mutated(text[:at] + '</table><p>- 3 -</p><table border="1">' + text[at:], "same-or-review")


HTML_MUTATIONS: dict[str, Mutation] = {
    "thousands separators": _thousands(_html_figures),
    "non-breaking spaces": _on_figures(_html_figures, 5, lambda v, _: "&nbsp;" + v + "&nbsp;", "same"),
    "comment in cell": _on_figures(_html_figures, 3, lambda v, _: "<!-- 5 -->" + v, "same"),
    "hidden span": _on_figures(_html_figures, 1, lambda v, _: '<span style="display:none">9</span>' + v, "same-or-review"),
    "footnote sup": _on_figures(_html_figures, 1, lambda v, _: v + "<sup>1</sup>", "same-or-review"),
    "figure broken by <br>": _on_figures(_html_figures, 1, lambda v, _: v[:1] + "<br>" + v[1:], "damaged", 2),
    "figure in two paragraphs": _on_figures(_html_figures, 1, lambda v, _: v[:1] + "</p><p>" + v[1:], "damaged", 2),
    "figure changed": _changed(_html_figures),
    "cell dropped": _drop_cell,
    "table split in two": _split_table,
}


@dataclass
class Outcome:
    tagger: str
    medium: str
    mutation: str
    doc: str
    status: str
    silent: bool
    flagged_unchanged: bool  # needs_review although nothing the figures say was changed


def judge(result: dict, gold_tables: dict, mutated: Mutated) -> bool:
    """True for a silent error: `ok` with a cell that is not what the mutated document prints."""
    if result["status"] != "ok":
        return False
    _, diffs = compare_tables(result.get("tables") or {}, gold_tables)
    if mutated.kind == "damaged":
        return any(d.got is not None for d in diffs)
    if mutated.kind == "zero-or-blank":
        return any(not (d.expected == 0 and d.got in (0, None)) for d in diffs)
    if mutated.kind == "changed":
        return not (len(diffs) == 1 and diffs[0].got == mutated.new_value)
    return bool(diffs)


def run(taggers: list[str], media: list[str], copies: int, gold_dir: Path = GOLD_DIR,
        progress: bool = True) -> list[Outcome]:
    from tqdm import tqdm

    golds = sorted(p for p in gold_dir.glob("*/gold.json") if (p.parent / "source.txt").exists())
    outcomes: list[Outcome] = []
    with tempfile.TemporaryDirectory(prefix="ogi-mutations-") as scratch:
        work = Path(scratch)
        jobs = []
        for gold_path in golds:
            doc = gold_path.parent.name
            gold = json.loads(gold_path.read_text("utf-8"))
            bases = {}
            if "txt" in media:
                bases["txt"] = (gold_path.parent / "source.txt").read_text("utf-8")
            if "html" in media:
                bases["html"] = render(gold, "html", work / doc).read_text("utf-8")
            for medium, base in bases.items():
                for name, mutation in (TEXT_MUTATIONS if medium == "txt" else HTML_MUTATIONS).items():
                    for copy in range(copies):
                        jobs.append((doc, gold, medium, base, name, mutation, copy))
        for tagger_name in taggers:
            tagger = get_tagger(tagger_name)
            for doc, gold, medium, base, name, mutation, copy in tqdm(
                    jobs, desc=f"mutations ({tagger_name})", unit="doc", disable=not progress):
                mutated = mutation(base, random.Random(f"{doc}/{name}/{copy}"))
                path = work / f"{doc}-{len(outcomes)}.{medium}"
                path.write_text(mutated.text, "utf-8")
                result = extract(path, tagger=tagger)
                outcomes.append(Outcome(tagger_name, medium, name, doc, result["status"],
                                        judge(result, gold["tables"], mutated),
                                        mutated.kind == "same" and result["status"] != "ok"))
    return outcomes


def summary(outcomes: list[Outcome]) -> str:
    rows = ["| tagger | input | mutation | documents | ok | silent errors | flagged though unchanged |",
            "|---|---|---|---|---|---|---|"]
    groups: dict[tuple[str, str, str], list[Outcome]] = {}
    for o in outcomes:
        groups.setdefault((o.tagger, o.medium, o.mutation), []).append(o)
    for (tagger, medium, name), items in groups.items():
        count = Counter(o.status for o in items)
        rows.append(f"| {tagger} | {medium} | {name} | {len(items)} | {count['ok']} | "
                    f"{sum(o.silent for o in items)} | {sum(o.flagged_unchanged for o in items)} |")
    total = sum(o.silent for o in outcomes)
    rows.append(f"\n{len(outcomes)} mutated documents, {total} silent errors")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tagger", action="append", choices=["rules", "model", "sklearn"],
                        help="tagger to probe (repeatable; default: rules and model)")
    parser.add_argument("--media", default="txt,html", help="txt, html or both (default: txt,html)")
    parser.add_argument("--copies", type=int, default=2, help="random copies of each mutation per document")
    args = parser.parse_args(argv)
    outcomes = run(args.tagger or ["rules", "model"], args.media.split(","), args.copies)
    print(summary(outcomes))
    for o in outcomes:
        if o.silent:
            print(f"SILENT: {o.tagger} {o.medium} {o.mutation} {o.doc}", file=sys.stderr)
    return 1 if any(o.silent for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
