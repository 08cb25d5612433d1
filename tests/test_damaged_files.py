"""Damaged files say what is wrong with them: seeded mutations of the shipped examples in every
format (bits flipped, cut short, a chunk dropped or repeated, two files spliced) through the bulk
path, and the files earlier fuzzing found, kept as regression fixtures."""

from __future__ import annotations

import json
import random
from collections import Counter
from pathlib import Path

import pytest
from conftest import ROOT

from extractor.bulk import BulkSettings, TaggerSpec, run_bulk
from extractor.loaders.common import damaged_file
from extractor.pipeline import extract
from extractor.tagging import get_tagger

EXAMPLES = sorted((ROOT / "examples").iterdir())
FIXTURES = ROOT / "tests" / "fixtures" / "damaged"
# What each file earlier fuzzing found must say (how its one error begins)
FOUND = {"docx-drop-negative-seek.docx": "damaged Word .docx file: it is cut short or parts of its zip archive "
                                         "are missing or corrupt",
         # benchmarks/fuzz_loaders.py --loader docx: a relationship without a Target (TypeError in posixpath)
         "docx-relationship-without-target.docx": "damaged Word .docx file: a part of it is not valid Word XML",
         # benchmarks/fuzz_loaders.py --loader pdf: a page without a MediaBox (TypeError in pdfplumber)
         "pdf-page-without-mediabox.pdf": "not a readable PDF: pdf-page-without-mediabox.pdf (damaged page tree"}
OPERATIONS = ("flip", "cut", "drop", "repeat", "splice")
# Files per example: a .doc costs a LibreOffice conversion (seconds), a PDF a second of pdfplumber
PER_FORMAT = {".txt": 50, ".html": 50, ".docx": 70, ".pdf": 24, ".doc": 4}


def mutate(data: bytes, other: bytes, operation: str, rng: random.Random) -> bytes:
    """`data` damaged by `operation`; `other` is the second file of a splice."""
    damaged = bytearray(data)
    if operation == "flip":
        for _ in range(rng.randint(1, 24)):
            at = rng.randrange(len(damaged))
            damaged[at] ^= 1 << rng.randrange(8)
    elif operation == "cut":
        del damaged[rng.randrange(1, len(damaged)):]
    elif operation in ("drop", "repeat"):
        start = rng.randrange(len(damaged))
        end = min(len(damaged), start + rng.randint(1, 4096))
        if operation == "drop":
            del damaged[start:end]
        else:
            damaged[end:end] = damaged[start:end]
    else:
        damaged = damaged[:rng.randrange(len(damaged))] + other[rng.randrange(len(other)):]
    return bytes(damaged)


def damaged_copies(folder: Path, seed: int) -> dict[str, str]:
    """Write the damaged copies into `folder`; file name -> the operation that made it."""
    rng = random.Random(seed)
    made = {}
    for example in EXAMPLES:
        for i in range(PER_FORMAT[example.suffix]):
            operation = OPERATIONS[i % len(OPERATIONS)]
            other = rng.choice(EXAMPLES).read_bytes()
            name = f"{example.stem}-{operation}-{i:03d}{example.suffix}"
            (folder / name).write_bytes(mutate(example.read_bytes(), other, operation, rng))
            made[name] = operation
    return made


def test_mutations_damage_the_file():
    rng = random.Random(1)
    data, other = bytes(range(256)) * 40, b"x" * 5000
    for operation in OPERATIONS:
        assert mutate(data, other, operation, rng) != data, operation
    assert len(mutate(data, other, "cut", rng)) < len(data)


def test_every_damaged_file_gets_a_plain_result_through_the_bulk_path(tmp_path):
    folder = tmp_path / "damaged"
    folder.mkdir()
    made = damaged_copies(folder, seed=2812)
    out = tmp_path / "results.jsonl"
    report = run_bulk(sorted(str(p) for p in folder.iterdir()), tmp_path / "store.db", TaggerSpec("rules"),
                      BulkSettings(workers=2, timeout=60), output=out, progress=False)
    assert not report.interrupted
    results = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert sorted(Path(r["source"]["path"]).name for r in results) == sorted(made)  # a result for every file
    statuses = Counter(r["status"] for r in results)
    assert statuses["failed"] > 0 and statuses["failed"] < len(results), statuses  # both kinds were made
    for result in results:
        name = Path(result["source"]["path"]).name
        errors = " ".join(result["errors"])
        assert "internal error" not in errors, (name, made[name], errors)
        assert "timed out" not in errors, (name, made[name], errors)  # no hang either
        if result["status"] == "failed":
            assert result["errors"] and all(e.strip() for e in result["errors"]), name


def test_an_error_a_reading_library_caused_in_another_is_the_file_s_and_ours_stays_ours():
    import posixpath

    from docx.opc.packuri import PackURI

    from extractor.tokens import LoadError

    # python-docx hands posixpath.join the missing Target of a relationship: the file is damaged
    damaged = damaged_file("Word file", {"docx": "not valid Word XML"})
    with pytest.raises(LoadError, match=r"^damaged Word file: not valid Word XML \(join\(\) argument"), damaged:
        PackURI.from_rel_ref("/word", None)
    # our own call with a None: a bug to fix, not a damaged file
    with pytest.raises(TypeError), damaged_file("Word file", {"docx": "not valid Word XML"}):
        posixpath.join(None, "x")


def test_every_fixture_has_its_expected_message():
    assert sorted(p.name for p in FIXTURES.iterdir()) == sorted(FOUND)


@pytest.mark.parametrize(("fixture", "expected"), sorted(FOUND.items()))
def test_files_earlier_fuzzing_found_fail_plainly(fixture, expected):
    result = extract(FIXTURES / fixture, tagger=get_tagger("rules"))
    assert result["status"] == "failed"
    assert len(result["errors"]) == 1 and result["errors"][0].startswith(expected), result["errors"]
