"""Property-based tests: the text loader and the assembler on arbitrary and mutated report text.

Whatever the text, nothing raises; a result that claims `ok` passes every consistency rule; and a
mutation that touches prose only never changes a cell of an `ok` result.
"""

from __future__ import annotations

import os

from conftest import GOLD_DIR, SEED_IDS, load_gold
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extractor import matching
from extractor.loaders.text import decode, tokens_from_text
from extractor.pipeline import empty_result, extract_document
from extractor.tagging import get_tagger
from extractor.tokens import Document, LoadError
from extractor.validate import validate

RULES = get_tagger("rules")
SEED_TEXTS = {doc_id: (GOLD_DIR / doc_id / "source.txt").read_text("utf-8") for doc_id in SEED_IDS}
FAST = settings(max_examples=int(os.environ.get("OGI_HYPOTHESIS_EXAMPLES", "200")), deadline=None, suppress_health_check=[HealthCheck.too_slow])


def run(text: str) -> dict:
    """The text through the loader, tagger, assembler and validation; exceptions propagate."""
    result = empty_result("hypothesis.txt", None, RULES)
    document = Document(tokens=tokens_from_text(text), format="txt", pages=1)
    extract_document(document, result, RULES)
    return result


def assert_consistent(result: dict) -> None:
    assert result["status"] in ("ok", "needs_review", "failed")
    if result["status"] == "ok":
        assert not result["errors"]
        checks = validate(result["tables"], result["report"]["format_version"])
        assert checks and all(check["ok"] for check in checks), [c for c in checks if not c["ok"]]
    else:
        assert result["errors"]


# --- mutations of the seed texts ----------------------------------------------------------------

def delete_line(lines: list[str], i: int, _: str) -> list[str]:
    return lines[:i] + lines[i + 1:]


def duplicate_line(lines: list[str], i: int, _: str) -> list[str]:
    return lines[:i + 1] + lines[i:]


def swap_lines(lines: list[str], i: int, _: str) -> list[str]:
    j = (i * 7 + 3) % len(lines)
    lines = list(lines)
    lines[i], lines[j] = lines[j], lines[i]
    return lines


def change_digits(lines: list[str], i: int, noise: str) -> list[str]:
    digit = str(len(noise) % 10)
    return lines[:i] + ["".join(digit if c.isdigit() else c for c in lines[i])] + lines[i + 1:]


def insert_delimiters(lines: list[str], i: int, noise: str) -> list[str]:
    cut = len(noise) % (len(lines[i]) + 1)
    return lines[:i] + [lines[i][:cut] + ("|" if len(noise) % 2 else "\t") + lines[i][cut:]] + lines[i + 1:]


def insert_unicode(lines: list[str], i: int, noise: str) -> list[str]:
    cut = len(noise) % (len(lines[i]) + 1)
    return lines[:i] + [lines[i][:cut] + noise + lines[i][cut:]] + lines[i + 1:]


MUTATIONS = [delete_line, duplicate_line, swap_lines, change_digits, insert_delimiters, insert_unicode]


@st.composite
def mutated_seed(draw) -> str:
    doc_id = draw(st.sampled_from(SEED_IDS))
    lines = SEED_TEXTS[doc_id].splitlines()
    for _ in range(draw(st.integers(1, 4))):
        if not lines:
            break
        mutation = draw(st.sampled_from(MUTATIONS))
        i = draw(st.integers(0, len(lines) - 1))
        noise = draw(st.text(min_size=0, max_size=8))
        lines = mutation(lines, i, noise)
    return "\n".join(lines)


def is_prose(line: str) -> bool:
    """A line of running text: no delimiters, no heading, no figures, long enough to be a paragraph."""
    return ("|" not in line and "\t" not in line and len(line) > 40 and not any(c.isdigit() for c in line)
            and matching.match_section_heading(line) is None)


PROSE_WORDS = ["工作", "进一步", "加强", "公开", "我们", "，", "。", "深入", "推进", "群众"]


@st.composite
def prose_mutated_seed(draw) -> tuple[str, str]:
    doc_id = draw(st.sampled_from(SEED_IDS))
    lines = SEED_TEXTS[doc_id].splitlines()
    prose = [i for i, line in enumerate(lines) if is_prose(line)]
    for i in draw(st.lists(st.sampled_from(prose), min_size=1, max_size=3)):
        words = "".join(draw(st.lists(st.sampled_from(PROSE_WORDS), min_size=1, max_size=6)))
        cut = draw(st.integers(1, len(lines[i]) - 1))
        lines[i] = lines[i][:cut] + words + lines[i][cut:]
    return doc_id, "\n".join(lines)


# --- the properties ---------------------------------------------------------------------------------

@FAST
@given(st.text(max_size=2000))
def test_arbitrary_text_never_raises_and_an_ok_is_consistent(text):
    assert_consistent(run(text))


@FAST
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_decode_or_are_refused_plainly(data):
    try:
        text = decode(data)
    except LoadError as error:
        assert str(error)
    else:
        assert isinstance(text, str)


@FAST
@given(mutated_seed())
def test_mutated_report_never_raises_and_an_ok_is_consistent(text):
    assert_consistent(run(text))


@FAST
@given(prose_mutated_seed())
def test_prose_only_mutation_keeps_every_cell(case):
    doc_id, text = case
    result = run(text)
    assert_consistent(result)
    if result["status"] == "ok":
        assert result["tables"] == load_gold(doc_id)["tables"]


def test_seed_texts_unmutated_extract_to_their_gold():
    for doc_id, text in SEED_TEXTS.items():
        result = run(text)
        assert result["status"] == "ok" and result["tables"] == load_gold(doc_id)["tables"], doc_id
