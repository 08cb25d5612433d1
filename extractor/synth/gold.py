"""A random report as a gold dict, in the shape of annotations/gold/*/gold.json.

    gold = random_gold(random.Random(7))
    gold = random_gold(rng, format_version="2019", script="traditional", broken_rule="applications.balance")

The figures hold every consistency rule unless `extras["broken_rule"]` names the
one rule broken on purpose. Blank cells are None in the gold (how they print,
"", "/" or "—", is a rendering choice). Extras beyond the annotation format:
`notes` (table key -> lines printed under that table), `pinyin` (the characters glossed
with inline pinyin, in the prose and, when rendered messy, the table labels),
`broken_rule` and `blank_columns`.
"""

from __future__ import annotations

import random

from .. import schema
from . import figures, prose
from .names import Organization, random_organization
from .script import gloss_choice, in_script

SCHEMA_VERSION = "1"
YEARS = {"2021": (2021, 2022, 2023, 2024, 2025), "2019": (2019, 2020)}
_CHOICES = frozenset({
    "doc_id", "format_version", "year", "script", "opencc_config", "organization", "broken_rule", "broken_share",
    "blank_share", "blank_columns", "pinyin", "title", "signature", "trailer", "notes",
})


def _pick(rng: random.Random, choices: dict, name: str, draw):
    """The caller's choice for `name`, else a random one (drawn even when given, so one choice
    does not reshuffle everything else a seed produces)."""
    drawn = draw()
    return choices.get(name, drawn)


def random_gold(rng: random.Random, **choices) -> dict:
    """A random report (gold format). Choices, each random when not given:

    doc_id; format_version "2021" (mostly) or "2019"; year (2019-2020 for the 2019 format,
    2021-2025 for 2021); script "simplified" or "traditional" (~20%); opencc_config;
    organization (a names.Organization); broken_rule (a rule of figures.RULES, or None; drawn
    with probability broken_share, default 0.1); blank_share (share of zero cells left blank);
    blank_columns (positions of figures.BLANK_COLUMNS whose zero cells are left blank: more often
    in the 2019 format, which leaves many cells blank; none when blank_share=0 is given alone);
    pinyin (gloss traditional characters with inline pinyin); title, signature, trailer, notes (bools).
    """
    unknown = set(choices) - _CHOICES
    if unknown:
        raise TypeError(f"unknown random_gold choice(s) {sorted(unknown)}; known: {sorted(_CHOICES)}")
    fmt = _pick(rng, choices, "format_version", lambda: "2021" if rng.random() < 0.85 else "2019")
    year = _pick(rng, choices, "year", lambda: rng.choice(YEARS[fmt]))
    if year not in YEARS[fmt]:
        raise ValueError(f"year {year} is not reported in the {fmt} format")
    script = _pick(rng, choices, "script", lambda: "traditional" if rng.random() < 0.2 else "simplified")
    config = _pick(rng, choices, "opencc_config", lambda: rng.choices(["s2t", "s2tw", "s2hk"], [70, 20, 10])[0])
    org: Organization = _pick(rng, choices, "organization", lambda: random_organization(rng))
    share = choices.get("broken_share", 0.1)
    broken = _pick(rng, choices, "broken_rule",
                   lambda: rng.choice(figures.RULES) if rng.random() < share else None)
    blank_share = _pick(rng, choices, "blank_share",
                        lambda: rng.choices([0.0, 0.3, 1.0], weights=[75, 15, 10])[0])
    pinyin = _pick(rng, choices, "pinyin", lambda: rng.random() < 0.4) and script == "traditional"
    blank_columns = tuple(_pick(rng, choices, "blank_columns", lambda: tuple(
        p for p in figures.BLANK_COLUMNS if rng.random() < 0.5) if rng.random() < (0.4 if fmt == "2019" else 0.15)
        else ()))
    if choices.get("blank_share", 1) == 0 and "blank_columns" not in choices:
        blank_columns = ()  # blank_share=0 asks for no blank cell at all
    has_title = _pick(rng, choices, "title", lambda: rng.random() < 0.6)
    has_signature = _pick(rng, choices, "signature", lambda: rng.random() < 0.6)
    has_trailer = _pick(rng, choices, "trailer", lambda: rng.random() < 0.15)
    has_notes = _pick(rng, choices, "notes", lambda: rng.random() < 0.12)

    glossed = gloss_choice(rng) if pinyin else frozenset()
    voice = prose.Voice(org, year, script, config, glossed, fullwidth_parens=rng.random() < 0.7)
    tables = figures.random_tables(rng, fmt)
    if broken is not None:
        tables = figures.break_rule(rng, tables, fmt, broken)
    if blank_share:
        tables = figures.blank_cells(rng, tables, blank_share)
    if blank_columns:
        tables = figures.blank_columns(rng, tables, blank_columns)

    sections = []
    for index, (key, _) in enumerate(schema.sections()):
        if key == "overview":
            text = prose.overview_text(rng, voice)
        elif key == "problems":
            text = prose.problems_text(rng, voice)
        elif key == "other_matters":
            text = prose.other_matters_text(rng, voice)
        else:
            text = prose.table_intro(rng, voice, key) if rng.random() < 0.1 else ""
        sections.append({"id": key, "title": prose.heading(rng, voice, key, index), "text": text})

    title = prose.title(rng, voice) if has_title else None
    extras = {
        "title": title,
        "preamble": prose.preamble(rng, voice, name_the_body=not (has_title or has_signature)),
        "signature": prose.signature(rng, voice) if has_signature else [],
        "trailer": prose.trailer(rng, voice, title or "") if has_trailer else [],
        "notes": prose.notes(rng, voice) if has_notes else {},
        "pinyin": sorted(glossed),  # characters the copy glosses with inline pinyin
        "broken_rule": broken,
        "blank_columns": list(blank_columns),  # figures.BLANK_COLUMNS left blank where zero
    }
    return {
        "schema_version": SCHEMA_VERSION,
        "doc_id": choices.get("doc_id", "synth"),
        "report": {"organization": in_script(org.name, script, config), "year": year, "format_version": fmt,
                   "script": script},
        "sections": sections,
        "tables": tables,
        "extras": extras,
    }
