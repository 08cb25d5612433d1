"""Broken and hostile inputs: each ends as a per-file `failed` with a plain reason (or a correct
extraction where it is readable), in bounded time, and the other files of the run keep working.

The corpus is made by `hostile_corpus.build_corpus` once per session from the shipped examples,
and goes through `extract`, through `ogi extract --store` and through the HTTP service (`ogi serve`,
POST /v1/extract). Timeouts are tried on real LibreOffice conversions: nothing may be left behind.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest
from conftest import ROOT, load_gold
from hostile_corpus import EXAMPLES, SECRET, build_corpus, hand_made_pdf

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
    from extractor.loaders import scanned

    monkeypatch.setattr(scanned, "ocr_installed", lambda: False)
    result = extract(corpus["no-tounicode.pdf"], tagger=RULES)
    assert result["status"] == "failed"
    assert result["errors"] == [("the PDF's fonts have no Unicode mapping; its text cannot be read "
                                 "(scanned or encoded PDF)")]


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


@pytest.mark.parametrize("store", [True, False], ids=["with-store", "without-store"])
def test_a_worker_killed_mid_conversion_leaves_no_temp_folder_and_no_libreoffice(tmp_path, store):
    # Went wrong: a worker killed at its timeout while real LibreOffice converted a .doc left its
    # scratch folders (ogi-doc-*, ogi-soffice-*, LibreOffice's lu*.tmp) in the temp dir for good.
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "report.doc").write_bytes((ROOT / "examples" / "seed-002.doc").read_bytes())
    (folder / "good.txt").write_bytes((ROOT / "examples" / "seed-003.txt").read_bytes())
    temp = tmp_path / "tmp"
    temp.mkdir()
    out = tmp_path / "out.jsonl"
    args = [sys.executable, "-m", "extractor.cli", "extract", str(folder), "--workers", "1", "--timeout", "0.5",
            "--tagger", "rules", "-o", str(out)] + (["--store", str(tmp_path / "r.db")] if store else [])
    driver = subprocess.Popen(args, cwd=ROOT, env={**os.environ, "TMPDIR": str(temp)},
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    converters_seen: set[int] = set()
    deadline = time.monotonic() + 60
    while driver.poll() is None and time.monotonic() < deadline:
        converters_seen.update(soffice_processes(str(temp)))
        time.sleep(0.02)
    _, stderr = driver.communicate(timeout=30)
    assert driver.returncode == 1, stderr.decode()[-2000:]
    assert converters_seen, "LibreOffice never ran: the timeout did not stop a conversion"
    lines = {Path(r["source"]["path"]).name: r for r in map(json.loads, out.read_text("utf-8").splitlines())}
    assert lines["report.doc"]["errors"] == ["timed out after 0.5 s"]
    assert lines["good.txt"]["status"] == "ok"
    assert soffice_processes(str(temp)) == []
    assert sorted(p.name for p in temp.iterdir()) == []  # no ogi-worker-*, ogi-doc-*, ogi-soffice-*, lu*.tmp


def test_a_worker_that_dies_mid_conversion_takes_its_libreoffice_and_temp_folder_with_it(tmp_path, monkeypatch):
    # Went wrong: a worker killed from outside (the kernel's OOM killer, a kill -9) while real LibreOffice
    # converted left the converter running, no longer below any process we knew, and its files behind.
    from extractor.bulk.job import TaggerSpec, Task, crashed
    from extractor.bulk.workers import LocalEngine

    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))  # where the engine makes its workers' folders
    doc = tmp_path / "report.doc"
    doc.write_bytes((ROOT / "examples" / "seed-002.doc").read_bytes())
    engine = LocalEngine(TaggerSpec("rules"), workers=1, timeout=None)
    engine.start()
    engine.model()
    converters: list[int] = []

    def kill_the_worker_once_libreoffice_runs():
        deadline = time.monotonic() + 30
        while not converters and time.monotonic() < deadline:
            converters.extend(soffice_processes(str(temp)))
            time.sleep(0.01)
        for slot in list(engine.slots):
            os.kill(slot.process.pid, signal.SIGKILL)

    killer = threading.Thread(target=kill_the_worker_once_libreoffice_runs)
    killer.start()
    try:
        (outcome,) = engine.run([Task(str(doc), "report.doc", "x")])
    finally:
        killer.join()
        engine.close()
    assert converters, "LibreOffice never ran"
    assert outcome.result["errors"] == [crashed(-signal.SIGKILL)]
    assert soffice_processes(str(temp)) == []
    assert [p.name for p in temp.iterdir() if not p.name.startswith("pymp-")] == []  # pymp-*: the forkserver's


def test_word_file_libreoffice_cannot_read_leaves_no_converter_behind(results, corpus):
    result, seconds = results["random-ole2.doc"]
    assert result["status"] == "failed" and seconds < 60
    assert soffice_processes(str(corpus["random-ole2.doc"].parent)) == []


# --- the bulk CLI over the whole corpus -------------------------------------------------------------

def ogi(*args: str, env: dict | None = None, timeout: float = 240) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "extractor.cli", *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=timeout, env=env, check=False)


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


def test_a_named_pipe_in_a_folder_fails_plainly_instead_of_waiting_for_a_writer(tmp_path):
    # Went wrong: hashing opened the file before the loader looked at it, and opening a named pipe
    # waits for a writer: one FIFO named .txt in a folder hung `extract` for good.
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    outcome = {}
    worker = threading.Thread(target=lambda: outcome.update(extract(fifo, tagger=RULES)), daemon=True)
    worker.start()
    worker.join(20)
    if worker.is_alive():  # let the blocked open() return before failing
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        pytest.fail("extract waited on the named pipe")
    assert outcome["status"] == "failed" and outcome["errors"] == ["not a regular file"]


# --- limits and the options that change them ---------------------------------------------------------

MESSAGE_MODULES = ["extractor/loaders", "extractor/ocr", "extractor/tagging", "extractor/convert.py",
                   "extractor/pipeline.py", "extractor/bulk/job.py", "extractor/bulk/workers.py",
                   "extractor/bulk/run.py"]


def message_strings(path: Path) -> list[str]:
    """Every string literal of a module that reads as prose (has a space), docstrings left out: the
    messages that can end up in a result's errors or on the console of `ogi extract`."""
    import ast

    tree = ast.parse(path.read_text("utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                  and node.body and isinstance(node.body[0], ast.Expr)
                  and isinstance(node.body[0].value, ast.Constant)}
    return [node.value for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
            and " " in node.value]


def test_every_option_a_message_names_is_an_option_of_ogi_extract():
    # Went wrong: the page-limit and LibreOffice-timeout messages told people to use --max-pages and
    # --convert-timeout, which did not exist.
    import re

    def options_named(modules: list[str]) -> dict[str, str]:
        named: dict[str, str] = {}
        for entry in modules:
            root = ROOT / entry
            for path in sorted(root.rglob("*.py")) if root.is_dir() else [root]:
                for text in message_strings(path):
                    for option in re.findall(r"(?<![\w-])--[a-z][a-z-]+", text):
                        named.setdefault(option, f"{path.relative_to(ROOT)}: {text!r}")
        return named

    def accepted(*command: str) -> set[str]:
        return set(re.findall(r"(?<![\w-])--[a-z][a-z-]+", ogi(*command, "--help").stdout))

    named = options_named(MESSAGE_MODULES)
    assert {"--max-pages", "--convert-timeout", "--memory-limit"} <= set(named)  # the scan finds messages
    extract_options = accepted("extract")
    assert not {option: where for option, where in named.items() if option not in extract_options}
    # a result's errors reach HTTP clients too: what they name, `ogi serve` takes as well
    in_results = options_named([m for m in MESSAGE_MODULES if m != "extractor/bulk/run.py"])
    serve_options = accepted("serve")
    assert not {option: where for option, where in in_results.items() if option not in serve_options}


def test_max_pages_reaches_the_pdf_loader_with_and_without_a_store(tmp_path):
    pdf = tmp_path / "thirty-pages.pdf"
    pdf.write_bytes(hand_made_pdf(30))
    refused = ogi("extract", str(pdf), "--max-pages", "20", "--tagger", "rules")
    assert json.loads(refused.stdout)["errors"] == [
        "the PDF has 30 pages, more than the limit of 20; raise the limit with --max-pages to read it anyway"]
    read = ogi("extract", str(pdf), "--max-pages", "30", "--tagger", "rules")
    assert json.loads(read.stdout)["source"]["pages"] == 30
    stored = ogi("extract", str(pdf), "--max-pages", "20", "--tagger", "rules", "--store", str(tmp_path / "r.db"),
                 "-o", str(tmp_path / "out.jsonl"))
    assert "more than the limit of 20" in json.loads((tmp_path / "out.jsonl").read_text("utf-8"))["errors"][0]
    assert stored.returncode == 1
    assert ogi("extract", str(pdf), "--max-pages", "0").returncode == 2


CONVERT_TIMED_OUT = ("LibreOffice did not finish converting seed-002.doc within 0.2 s; the file may be damaged "
                     "(raise the limit with --convert-timeout if it is just large)")


def test_convert_timeout_stops_real_libreoffice_and_cleans_up(tmp_path):
    temp = tmp_path / "tmp"
    temp.mkdir()
    done = ogi("extract", str(ROOT / "examples" / "seed-002.doc"), "--convert-timeout", "0.2", "--tagger", "rules",
               env={**os.environ, "TMPDIR": str(temp)})
    assert done.returncode == 1
    assert json.loads(done.stdout)["errors"] == [CONVERT_TIMED_OUT]
    assert soffice_processes(str(temp)) == []
    assert list(temp.iterdir()) == []


# --- the HTTP service over the whole corpus ---------------------------------------------------------

SERVICE_TIMEOUT = 60
REFUSED_BY_TYPE = {"random.pdf": "not a PDF file", "random.docx": "not a DOCX file", "random.doc": "not a DOC file"}


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory):
    """`ogi serve` with uploads up to 50 MB, a page limit of 400, a 0.2 s LibreOffice limit and its
    own temp dir (to see what is left behind)."""
    from test_service import Server

    folder = tmp_path_factory.mktemp("hostile-service")
    temp = folder / "tmp"
    temp.mkdir()
    server = Server(folder / "results.db", "--timeout", str(SERVICE_TIMEOUT), "--max-pages", "400",
                    "--convert-timeout", "0.2", env={"TMPDIR": str(temp)}).start()
    server.temp = temp
    yield server
    server.stop()


def test_a_file_name_with_quotes_keeps_them_through_the_service():
    # Went wrong: browsers, curl and httpx send a " in a file name as %22 (WHATWG multipart/form-data);
    # the service kept the %22, so `source.path` was not the name uploaded.
    from extractor.service.uploads import _filename

    assert _filename({b"filename": b'name with %22double%22 and %25 and 100%.txt'}) == \
        'name with "double" and %25 and 100%.txt'
    assert _filename({b"filename": b"line%0Abreak%0d.txt"}) == "line\nbreak\r.txt"  # removed by clean_filename


def test_every_hostile_file_through_the_service_fails_alone_or_extracts_and_the_service_goes_on(
        hostile_server, corpus):
    import httpx

    expected = {**EXPECTED, "600-pages.pdf": ("failed", "more than the limit of 400")}
    answers: dict[str, tuple[int, dict, float]] = {}
    with hostile_server.client() as client:
        uploads = {name: (name, path.read_bytes()) for name, path in corpus.items() if name != "non-utf8-name"}
        uploads["seed-002.doc"] = ("seed-002.doc", (ROOT / "examples" / "seed-002.doc").read_bytes())
        for name, (filename, content) in uploads.items():
            started = time.monotonic()
            response = client.post("/v1/extract", files=[("file", (filename, content))])
            answers[name] = response.status_code, response.json(), time.monotonic() - started
        # a file name that is not UTF-8, as a client sends the bytes of its local name (no client library
        # sends such a header, so the body is made by hand)
        raw_name = os.fsencode(corpus["non-utf8-name"].name)
        body = (b'--b0undary\r\nContent-Disposition: form-data; name="file"; filename="' + raw_name + b'"\r\n\r\n'
                + corpus["non-utf8-name"].read_bytes() + b"\r\n--b0undary--\r\n")
        started = time.monotonic()
        response = client.post("/v1/extract", content=body,
                               headers={"Content-Type": "multipart/form-data; boundary=b0undary"})
        answers["non-utf8-name"] = response.status_code, response.json(), time.monotonic() - started
        uploads["non-utf8-name"] = (raw_name.decode("latin-1"), b"")  # what the service makes of the name
        for name, (status_code, body, seconds) in answers.items():
            assert seconds < SERVICE_TIMEOUT + 15, f"{name} took {seconds:.0f} s"
            if name in REFUSED_BY_TYPE:  # judged by content before extraction: 415, naming the file
                assert status_code == 415, (name, body)
                assert body["error"].startswith(f"{name}: ") and REFUSED_BY_TYPE[name] in body["error"]
                assert plain(body["error"])
                continue
            # a file that could not be extracted is answered 422 with its failed result
            assert status_code == (422 if body["status"] == "failed" else 200), (name, body)
            assert body["source"]["path"] == uploads[name][0]
            if name in expected:
                status, fragment = expected[name]
                assert body["status"] == status, (name, body["errors"])
                assert body["errors"] and all(plain(e) for e in body["errors"]), (name, body["errors"])
                assert fragment is None or any(fragment in e for e in body["errors"]), (name, body["errors"])
            elif name in GOOD:
                assert body["status"] == "ok", (name, body["errors"])
                assert body["tables"] == load_gold(GOOD[name])["tables"], name
            elif name == "broken-xref.pdf":
                assert body["status"] == "needs_review" and body["tables"] == load_gold("seed-004")["tables"]
            elif name == "seed-002.doc":  # --convert-timeout reached the workers
                assert body["errors"] == [CONVERT_TIMED_OUT]
            else:  # read by OCR, or refused as unreadable: never a silent wrong ok
                assert name in ("no-tounicode.pdf", "scanned-one-page.pdf"), name
                if body["status"] == "failed":
                    assert plain(body["errors"][0]), body["errors"]
                elif body["status"] == "ok":
                    gold = load_gold("seed-004")["tables"]
                    for table, rows in body["tables"].items():
                        for row, cells in rows.items():
                            assert cells == {k: gold[table][row][k] for k in cells}, (name, table, row)
        assert SECRET not in json.dumps(answers["xxe-document.docx"][1], ensure_ascii=False)
        # it keeps working: a good report afterwards comes back right
        assert httpx.get(f"{hostile_server.url}/healthz", timeout=10).status_code == 200
        response = client.post("/v1/extract", files=[("file", ("seed-004.pdf", (EXAMPLES / "seed-004.pdf")
                                                                .read_bytes()))])
        assert response.status_code == 200 and response.json()["status"] == "ok"
        assert response.json()["tables"] == load_gold("seed-004")["tables"]
    assert soffice_processes(str(hostile_server.temp)) == []
    hostile_server.stop()  # its workers' temp folders go with them
    # (pymp-*: multiprocessing's own folder, left because uvicorn ends by raising SIGTERM again)
    assert [p.name for p in hostile_server.temp.iterdir() if not p.name.startswith("pymp-")] == []
