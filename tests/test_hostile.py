"""Broken and hostile inputs: each ends as a per-file `failed` with a plain reason (or a correct
extraction where it is readable), in bounded time, and the other files of the run keep working.

The corpus is made by `hostile_corpus.build_corpus` once per session from the shipped examples.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from conftest import ROOT, load_gold
from hostile_corpus import SECRET, build_corpus, hand_made_pdf
from extractor.cli import expand_inputs
from extractor.pipeline import extract, printable
from extractor.tagging import get_tagger

RULES = get_tagger("rules")
# name -> (status, a fragment of the first error); None for the fragment: any plain reason
EXPECTED = {
    "empty.pdf": ("failed", "the file is empty"),
    "empty.docx": ("failed", "the file is empty"),
    "empty.txt": ("failed", "the file is empty"),
    "empty.html": ("failed", "the file is empty"),
    "random.pdf": ("failed", "not a PDF file"),
    "random.docx": ("failed", "not a DOCX file"),
    "random.doc": ("failed", "not a DOC file"),
    "random.html": ("failed", "binary data"),
    "random-with-pdf-magic.pdf": ("failed", "not a readable PDF"),
    "random-ole2.doc": ("failed", None),
    "truncated.pdf": ("failed", "not a readable PDF"),
    "encrypted-password.pdf": ("failed", "needs a password"),
    "300-pages.pdf": ("failed", "not an annual report"),
    "600-pages.pdf": ("failed", "more than the limit of 500"),
    "xxe-document.docx": ("failed", "unsafe XML"),
    "billion-laughs-core.docx": ("failed", "unsafe XML"),
    "zip-bomb.docx": ("failed", "refusing a zip bomb"),
    "zip-bomb-ratio.docx": ("failed", "refusing a zip bomb"),
    "not-a-docx.docx": ("failed", "not a Word .docx file"),
    "nested-100k.html": ("failed", "nests elements more than"),
    "huge-table.html": ("failed", "over the limit of 5000"),
    "no-report.html": ("failed", "not an annual report"),
    "two-reports.html": ("needs_review", "printed twice"),
}
GOOD = {  # readable files and the gold their tables must equal
    "good seed-003.txt": "seed-003", "good-seed-000.html": "seed-000", "good-seed-001.docx": "seed-001",
    "good-seed-004.pdf": "seed-004", "encrypted-empty-password.pdf": "seed-004",
    "gbk-no-charset.html": "seed-003", "scripts.html": "seed-003", "docx-named.doc": "seed-001",
    "name with 'quotes' and \"double\" and spaces.txt": "seed-003", "..dots..report...txt": "seed-002",
    "non-utf8-name": "seed-000",
}


@pytest.fixture(scope="session")
def corpus(tmp_path_factory) -> dict[str, Path]:
    return build_corpus(tmp_path_factory.mktemp("hostile") / "corpus")


@pytest.fixture(scope="session")
def results(corpus) -> dict[str, tuple[dict, float]]:
    """Every corpus file through `extract` (OCR'd files excepted: see their own tests), with its time."""
    out = {}
    for name, path in corpus.items():
        if name in ("no-tounicode.pdf", "scanned-one-page.pdf"):
            continue
        started = time.monotonic()
        out[name] = extract(path, tagger=RULES), time.monotonic() - started
    return out


def plain(reason: str) -> bool:
    """A reason a person can read: one line, no traceback, no internal error."""
    return bool(reason) and "Traceback" not in reason and "internal error" not in reason and "\n" not in reason


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_hostile_file_fails_alone_with_a_plain_reason(results, name):
    result, seconds = results[name]
    status, fragment = EXPECTED[name]
    assert result["status"] == status, result["errors"]
    assert result["errors"] and all(plain(e) for e in result["errors"]), result["errors"]
    if fragment:
        assert any(fragment in e for e in result["errors"]), result["errors"]
    assert seconds < 15, f"{name} took {seconds:.1f} s"


@pytest.mark.parametrize("name", sorted(GOOD))
def test_readable_odd_file_extracts_the_gold_tables(results, name):
    result, _ = results[name]
    assert result["status"] == "ok", result["errors"]
    assert result["tables"] == load_gold(GOOD[name])["tables"]


def test_pdf_with_broken_xref_offsets_is_read_by_rebuilding_the_xref(results):
    # Went wrong: every xref offset pointing nowhere gave "has no pages" although every object was intact.
    result, _ = results["broken-xref.pdf"]
    assert result["status"] == "needs_review"
    assert result["errors"] == ["the PDF's cross-reference table is damaged; it was rebuilt from the objects"]
    assert result["tables"] == load_gold("seed-004")["tables"]


def test_docx_content_named_doc_is_read_as_docx_so_one_content_has_one_result(results):
    # Went wrong: the store keys results by content, but a .docx named .doc failed ("a zip archive
    # named .doc") while the same bytes named .docx were read: which one won depended on the order.
    assert results["docx-named.doc"][0]["tables"] == results["good-seed-001.docx"][0]["tables"]


def test_external_entity_in_docx_is_never_resolved(results, corpus):
    result, _ = results["xxe-document.docx"]
    assert SECRET not in json.dumps(result, ensure_ascii=False)
    assert (corpus["xxe-document.docx"].parent / "private" / "secret.dat").read_text() == SECRET


def test_external_entity_in_html_is_never_resolved(tmp_path, corpus):
    secret = corpus["xxe-document.docx"].parent / "private" / "secret.dat"
    page = tmp_path / "xxe.html"
    page.write_text(f'<!DOCTYPE html [<!ENTITY s SYSTEM "{secret.as_uri()}">]><html><body>'
                    "<p>一、总体情况 &s;</p></body></html>", "utf-8")
    result = extract(page, tagger=RULES)
    assert result["status"] == "failed" and SECRET not in json.dumps(result, ensure_ascii=False)


def test_300_page_pdf_is_read_in_bounded_time(results):
    result, seconds = results["300-pages.pdf"]
    assert result["source"]["pages"] == 300 and seconds < 15


def test_non_utf8_file_name_gives_a_printable_path(results, corpus):
    # Went wrong: a name with bytes that are not UTF-8 put surrogates into source.path; writing the
    # JSON lines or the store then raised UnicodeEncodeError and the whole batch died.
    result, _ = results["non-utf8-name"]
    assert result["source"]["path"] == printable(str(corpus["non-utf8-name"]))
    assert "\\xff\\xfe-gbk-" in result["source"]["path"]
    json.dumps(result, ensure_ascii=False).encode("utf-8")


def test_printable_keeps_valid_text_and_escapes_undecodable_bytes():
    assert printable("报告 a.txt") == "报告 a.txt"
    assert printable(os.fsdecode(b"/x/\xb1\xa8.txt")) == "/x/\\xb1\\xa8.txt"


def test_symlink_loops_in_a_folder_end(corpus):
    folder = corpus["empty.pdf"].parent
    paths = expand_inputs((str(folder),))
    assert len(paths) == len(set(paths))
    assert not any("loop-dir" in p for p in paths)
    result = extract(folder / "self-loop.pdf", tagger=RULES)
    assert result["status"] == "failed" and plain(result["errors"][0])


def test_unexpected_loader_exception_costs_one_file(tmp_path, monkeypatch):
    # Went wrong: only LoadError and OSError were caught around loading, so a loader bug (or a
    # RecursionError on a pathological file) escaped `extract`, which promises never to raise.
    import extractor.loaders.text as text_loader

    def broken(path, **kwargs):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(text_loader, "load", broken)
    path = tmp_path / "a.txt"
    path.write_text("一、总体情况", "utf-8")
    result = extract(path, tagger=RULES)
    assert result["status"] == "failed"
    assert result["errors"][0].startswith("internal error while extracting (RecursionError")


# --- PDFs read by OCR, and fonts without Unicode maps ---------------------------------------------

def test_pdf_without_tounicode_is_refused_as_unreadable_when_ocr_is_off(corpus, monkeypatch):
    import extractor.loaders.scanned as scanned

    monkeypatch.setattr(scanned, "ocr_installed", lambda: False)
    result = extract(corpus["no-tounicode.pdf"], tagger=RULES)
    assert result["status"] == "failed"
    assert result["errors"] == ["the PDF's fonts have no Unicode mapping; its text cannot be read "
                                "(scanned or encoded PDF)"]


@pytest.mark.parametrize("name", ["scanned-one-page.pdf", "no-tounicode.pdf"])
def test_pages_without_usable_text_are_never_a_silent_wrong_ok(corpus, name):
    started = time.monotonic()
    result = extract(corpus[name], tagger=RULES)
    assert time.monotonic() - started < 60
    if result["status"] == "failed":
        assert plain(result["errors"][0])
    elif result["status"] == "ok":  # an ok must be right in every cell it gives
        gold = load_gold("seed-004")["tables"]
        for table, rows in result["tables"].items():
            for row, cells in rows.items():
                assert cells == {k: gold[table][row][k] for k in cells}, (table, row)


# --- LibreOffice: files it cannot read, and a converter that hangs ------------------------------

def soffice_processes(marker: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker.encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                pass
    return found


@pytest.fixture
def hanging_soffice(tmp_path, monkeypatch) -> str:
    """A `soffice` first on PATH that starts a child and never finishes; returns its marker."""
    marker = f"hanging-soffice-{os.getpid()}-{time.monotonic_ns()}"
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "soffice"
    script.write_text(f"#!/bin/sh\nsh -c 'sleep 300' {marker}-child &\nexec sh -c 'sleep 301' {marker}\n")
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return marker


def test_hanging_libreoffice_is_killed_with_its_children_and_temp_files_removed(tmp_path, monkeypatch,
                                                                                hanging_soffice):
    from extractor.loaders import doc as doc_loader
    from extractor.tokens import LoadError

    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    started = time.monotonic()
    with pytest.raises(LoadError, match="did not finish converting"):
        doc_loader.load(ROOT / "examples" / "seed-002.doc", timeout=2)
    assert time.monotonic() - started < 10
    time.sleep(0.2)
    assert soffice_processes(hanging_soffice) == []
    assert list(scratch.iterdir()) == []


def test_word_file_libreoffice_cannot_read_leaves_no_converter_behind(results, corpus):
    result, seconds = results["random-ole2.doc"]
    assert result["status"] == "failed" and seconds < 60
    assert soffice_processes(str(corpus["random-ole2.doc"].parent)) == []


# --- the bulk CLI over the whole corpus -------------------------------------------------------------

def ogi(*args: str, env: dict | None = None, timeout: float = 240) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "extractor.cli", *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=timeout, env=env)


def test_bulk_run_over_the_hostile_corpus_stores_every_file_and_finishes(corpus, results, tmp_path):
    folder = corpus["empty.pdf"].parent
    db = tmp_path / "results.db"
    done = ogi("extract", str(folder), "--store", str(db), "--workers", "2", "--timeout", "20",
               "--tagger", "rules", "-o", str(tmp_path / "out.jsonl"))
    assert done.returncode == 1, done.stderr[-3000:]  # some files failed; the batch did not die
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    conn = sqlite3.connect(db)
    stored_paths = {printable(p) for (p,) in conn.execute("SELECT path FROM paths")}
    by_sha = {sha: (status, json.loads(errors)) for sha, status, errors in
              conn.execute("SELECT sha256, status, errors FROM results")}
    conn.close()
    inputs = [p for p in expand_inputs((str(folder),)) if os.path.isfile(p)]
    assert {printable(os.path.abspath(p)) for p in inputs} <= stored_paths
    lines = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text("utf-8").splitlines()]
    by_name = {Path(r["source"]["path"]).name: r for r in lines}
    for name, (result, _) in results.items():
        if name == "non-utf8-name":
            name = Path(printable(str(corpus[name]))).name
        if name in by_name:
            assert by_name[name]["status"] == result["status"], name
    for name in GOOD:
        shown = Path(printable(str(corpus[name]))).name
        assert by_name[shown]["status"] == "ok", (name, by_name[shown]["errors"])
    assert all(status in ("ok", "needs_review", "failed") for status, _ in by_sha.values())
    assert by_name["self-loop.pdf"]["status"] == "failed"


def test_bulk_run_times_out_a_hanging_converter_and_the_batch_goes_on(tmp_path, hanging_soffice):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "hangs.doc").write_bytes((ROOT / "examples" / "seed-002.doc").read_bytes())
    (folder / "good.txt").write_bytes((ROOT / "examples" / "seed-003.txt").read_bytes())
    started = time.monotonic()
    done = ogi("extract", str(folder), "--store", str(tmp_path / "r.db"), "--workers", "2", "--timeout", "3",
               "--tagger", "rules", "-o", str(tmp_path / "out.jsonl"), env=dict(os.environ))
    assert time.monotonic() - started < 40
    lines = {Path(r["source"]["path"]).name: r for r in
             map(json.loads, (tmp_path / "out.jsonl").read_text("utf-8").splitlines())}
    assert lines["hangs.doc"]["status"] == "failed" and lines["hangs.doc"]["errors"] == ["timed out after 3 s"]
    assert lines["good.txt"]["status"] == "ok"
    time.sleep(0.5)
    assert soffice_processes(hanging_soffice) == []
    assert done.returncode == 1


def test_folder_of_1000_tiny_files_is_extracted_in_bounded_time(tmp_path):
    folder = tmp_path / "tiny"
    folder.mkdir()
    for i in range(1000):
        (folder / f"{i:04d}.txt").write_text(f"第{i}号 一、总体情况 | {i} |", "utf-8")
    started = time.monotonic()
    done = ogi("extract", str(folder), "--store", str(tmp_path / "r.db"), "--workers", "2",
               "--tagger", "rules")
    seconds = time.monotonic() - started
    assert done.returncode == 1, done.stderr[-2000:]  # not reports: every one failed, none lost
    conn = sqlite3.connect(tmp_path / "r.db")
    assert conn.execute("SELECT count(*) FROM results WHERE status = 'failed'").fetchone()[0] == 1000
    conn.close()
    assert seconds < 60, f"1000 tiny files took {seconds:.0f} s"


def test_hand_made_pdf_helper_makes_the_page_count_it_says():
    assert hand_made_pdf(3).count(b"/Type /Page ") == 3
