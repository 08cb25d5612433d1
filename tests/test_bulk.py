"""Bulk extraction: the results store, resume after a kill, timeouts, duplicates, retries, model
changes, exports and the Ray engine. Inputs are text/HTML/DOCX renderings of the seeds (fast) and a
few PDFs rendered once per session; the tagger is the rules tagger."""

import copy
import csv
import hashlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, SEED_IDS, load_gold
from hostile_corpus import pdf_of_stream

from extractor.bulk import (
    BulkSettings,
    EngineError,
    Store,
    StoreError,
    TaggerSpec,
    run_bulk,
)
from extractor.bulk.export import long_rows, wide_rows
from extractor.bulk.job import ModelInfo
from extractor.bulk.plan import make_plan, needs_extraction, see_file
from extractor.bulk.status import (
    commonest_errors,
    error_kind,
    format_status,
    store_status,
)
from extractor.bulk.store import SeenFile, Stored
from extractor.bulk.workers import descendants, parse_ppid
from extractor.render import render, render_bytes

RULES = TaggerSpec("rules")
TEXT_FORMATS = {"txt-pipe": ".txt", "html": ".html", "docx": ".docx", "txt-tabs": ".txt"}


def variant(gold: dict, i: int) -> dict:
    """A seed with one figure changed, so every input file has its own content and its own result."""
    gold = copy.deepcopy(gold)
    gold["tables"]["applications"]["new_received"]["natural_person"] += i
    return gold


def write_inputs(folder: Path, copies: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(copies):
        for doc_id in SEED_IDS:
            for fmt, suffix in TEXT_FORMATS.items():
                path = folder / f"{doc_id}-{fmt}-{i:02d}{suffix}"
                path.write_bytes(render_bytes(variant(load_gold(doc_id), i), fmt))
                paths.append(path)
    return sorted(paths)


def write_slow_pdf(path: Path, pages: int = 100, glyphs: int = 5000) -> Path:
    """A valid 15 KB PDF whose pages share one content stream of `glyphs` tiny text objects: pdfplumber
    takes about a quarter of a second per page on it, so the whole file takes tens of seconds."""
    ops = ["BT /F1 2 Tf"] + [f"1 0 0 1 {20 + (i % 250) * 2.2:.1f} {800 - (i // 250) * 3} Tm (a) Tj"
                             for i in range(glyphs)] + ["ET"]
    path.write_bytes(pdf_of_stream(pages, "\n".join(ops)))
    return path


@pytest.fixture(scope="session")
def session_pdfs(tmp_path_factory) -> list[Path]:
    """Two PDFs rendered by LibreOffice once per session, and the shipped example PDF."""
    out = tmp_path_factory.mktemp("bulk-pdfs")
    pdfs = [render(variant(load_gold(doc_id), 0), "pdf", out, name=f"{doc_id}-rendered")
            for doc_id in SEED_IDS[:2]]
    shutil.copy(ROOT / "examples" / "seed-004.pdf", out / "seed-004-example.pdf")
    return pdfs + [out / "seed-004-example.pdf"]


@pytest.fixture(scope="session")
def small_batch(tmp_path_factory, session_pdfs) -> Path:
    """40 text/HTML/DOCX files and 3 PDFs."""
    folder = tmp_path_factory.mktemp("bulk-small")
    write_inputs(folder, 2)
    for pdf in session_pdfs:
        shutil.copy(pdf, folder / pdf.name)
    return folder


@pytest.fixture(scope="session")
def reference_store(tmp_path_factory, small_batch) -> Path:
    """The small batch extracted once, uninterrupted, by the local engine."""
    db = tmp_path_factory.mktemp("bulk-ref") / "reference.db"
    report = run_bulk(list_inputs(small_batch), db, RULES, BulkSettings(workers=2), progress=False)
    assert not report.interrupted and sum(report.counts.values()) == len(list_inputs(small_batch))
    return db


def list_inputs(folder: Path) -> list[str]:
    return sorted(str(p) for p in folder.iterdir() if p.is_file())


def stored_rows(db: Path) -> dict[str, dict]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return {row["sha256"]: dict(row) for row in conn.execute("SELECT * FROM results")}
    finally:
        conn.close()


def results_by_sha(db: Path) -> dict[str, dict]:
    return {sha: json.loads(row["result"]) for sha, row in stored_rows(db).items()}


def ogi(*args: str, cwd: Path = ROOT, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "extractor.cli", *args], check=False, capture_output=True, text=True,
                          cwd=cwd, timeout=300, env={**os.environ, "PYTHONPATH": str(ROOT)}, **kwargs)


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


# --- pure parts ---------------------------------------------------------------------------------

def test_needs_extraction_decides_new_model_change_and_retry():
    rules1, rules2 = ModelInfo("rules", "1"), ModelInfo("rules", "2")
    assert needs_extraction(None, rules1, False) == "new"
    assert needs_extraction(Stored("ok", rules1), rules1, False) is None
    assert needs_extraction(Stored("ok", rules1), rules2, False) == "model changed"
    assert needs_extraction(Stored("ok", rules1), ModelInfo("model", "1"), False) == "model changed"
    assert needs_extraction(Stored("failed", rules1), rules1, False) is None
    assert needs_extraction(Stored("failed", rules1), rules1, True) == "retry"
    assert needs_extraction(Stored("needs_review", rules1), rules1, True) is None


def test_plan_extracts_each_content_once_in_input_order():
    files = [SeenFile("a.txt", "/a.txt", "h1", 1, 1), SeenFile("b.txt", "/b.txt", "h2", 1, 1),
             SeenFile("copy-of-a.txt", "/copy-of-a.txt", "h1", 1, 1), SeenFile("c.txt", "/c.txt", "h3", 1, 1)]
    plan = make_plan(files, {"h2": Stored("failed", ModelInfo("rules", "1"))}, ModelInfo("rules", "1"), False)
    assert [(t.path, t.display_path) for t in plan.tasks] == [("/a.txt", "a.txt"), ("/c.txt", "c.txt")]
    assert (plan.kept, plan.kept_failed, plan.duplicates) == (1, 1, 1)


def test_unchanged_file_is_not_hashed_again(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("x")
    st = path.stat()
    cache = {(str(path), st.st_size, st.st_mtime_ns): "cached"}
    assert see_file(str(path), cache, hasher=lambda p: pytest.fail("hashed again")).sha256 == "cached"
    assert see_file(str(tmp_path / "missing.txt"), {}).reason == "no such file"


def test_process_tree_helpers():
    assert parse_ppid("123 (soffice (x) bin) S 77 123 123 0") == 77
    assert sorted(descendants(1, {2: 1, 3: 2, 4: 3, 5: 99})) == [2, 3, 4]


def test_commonest_errors_mask_figures_and_count_files():
    errors = [["timed out after 2 s"], ["timed out after 300 s"], ["the file is empty", "the file is empty"]]
    assert commonest_errors(errors) == [("timed out after N s", 2, "timed out after 2 s"),
                                        ("the file is empty", 1, "the file is empty")]
    assert error_kind("cell 3.5 of row 2") == "cell N of row N"


def test_long_and_wide_rows_flatten_every_cell():
    result = json.loads((ROOT / "tests" / "fixtures" / "report-2019.json").read_text("utf-8"))
    result.update(source={"path": "r.pdf", "sha256": "abc"}, status="ok")
    cells = [(t, r, c, v) for t, rows in result["tables"].items() for r, fields in rows.items()
             for c, v in fields.items()]
    long = list(long_rows(result))
    assert [(x["table"], x["row"], x["column"], x["value"]) for x in long] == cells
    assert long[0]["sha256"] == "abc" and long[0]["year"] == result["report"]["year"]
    wide = list(wide_rows(result, "applications"))
    assert len(wide) == len(result["tables"]["applications"])
    assert wide[0]["row"] == next(iter(result["tables"]["applications"]))


# --- the store ----------------------------------------------------------------------------------

def test_store_is_wal_with_schema_version(tmp_path):
    with Store.open(tmp_path / "s.db") as store:
        assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert store.meta()["schema_version"] == "1"


def test_store_from_a_newer_version_is_refused_plainly(tmp_path):
    db = tmp_path / "s.db"
    Store.open(db).close()
    conn = sqlite3.connect(db)
    conn.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="newer ogi-extractor.*schema 99.*upgrade"):
        Store.open(db)
    done = ogi("status", str(db))
    assert done.returncode == 2 and "upgrade ogi-extractor" in done.stderr


def test_a_file_that_is_not_a_store_is_refused(tmp_path):
    (tmp_path / "x.db").write_text("hello " * 1000)
    with pytest.raises(StoreError, match="not an ogi results store"):
        Store.open(tmp_path / "x.db")
    conn = sqlite3.connect(tmp_path / "other.db")
    conn.execute("CREATE TABLE t (x)")
    conn.close()
    with pytest.raises(StoreError, match="not an ogi results store"):
        Store.open(tmp_path / "other.db")


# --- runs ---------------------------------------------------------------------------------------

def test_resume_after_sigkill_stores_every_file_once_with_the_same_results(tmp_path, small_batch, reference_store):
    inputs = list_inputs(small_batch)
    db = tmp_path / "results.db"
    command = [sys.executable, "-m", "extractor.cli", "extract", str(small_batch), "--store", str(db),
               "--workers", "2", "--tagger", "rules"]
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = {**os.environ, "TMPDIR": str(temp)}
    driver = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    deadline = time.monotonic() + 120
    stored_before_kill = 0
    while time.monotonic() < deadline and driver.poll() is None:
        if db.exists():
            try:
                with sqlite3.connect(db, timeout=5) as conn:
                    stored_before_kill = conn.execute("SELECT COUNT(*) FROM results").fetchone()[0]
            except sqlite3.OperationalError:  # not created yet
                pass
            if stored_before_kill >= 4:
                break
        time.sleep(0.01)
    driver.send_signal(signal.SIGKILL)
    driver.wait()
    assert driver.returncode == -signal.SIGKILL, "the batch finished before it could be killed"

    first = stored_rows(db)
    assert 4 <= len(first) < len(inputs), "not killed mid-batch"
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT state FROM runs").fetchall() == [("running",)]
    # The workers of the killed driver see their pipe close and go away.
    worker_pids = {int(row["worker"].rsplit(":", 1)[1]) for row in first.values()}
    until = time.monotonic() + 30
    while any(alive(pid) for pid in worker_pids) and time.monotonic() < until:
        time.sleep(0.1)
    assert not any(alive(pid) for pid in worker_pids)
    # Nobody was left to remove the workers' folders: the next run sweeps them.
    assert [p.name for p in temp.iterdir() if p.name.startswith(f"ogi-worker-{driver.pid}-")]

    done = subprocess.run(command, check=False, cwd=ROOT, capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode in (0, 1), done.stderr
    assert [p.name for p in temp.iterdir() if p.name.startswith("ogi-worker-")] == []
    assert f"{len(first)} already stored" in done.stderr
    second = stored_rows(db)
    hashes = {see_file(p, {}).sha256 for p in inputs}
    assert set(second) == hashes  # every file stored, each exactly once
    for sha, row in first.items():  # nothing stored before the kill was extracted again
        assert second[sha]["attempts"] == 1 and second[sha]["extracted_at"] == row["extracted_at"]

    assert results_by_sha(db) == results_by_sha(reference_store)  # as extracted by an uninterrupted run


def test_a_hanging_file_is_timed_out_while_the_batch_finishes(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for doc_id in SEED_IDS:
        (folder / f"{doc_id}.txt").write_bytes(render_bytes(load_gold(doc_id), "txt-pipe"))
    write_slow_pdf(folder / "pathological.pdf")
    db = tmp_path / "results.db"
    started = time.monotonic()
    done = ogi("extract", str(folder), "--store", str(db), "--workers", "2", "--timeout", "2",
               "--tagger", "rules", "-o", str(tmp_path / "out.jsonl"))
    elapsed = time.monotonic() - started
    assert done.returncode == 1, done.stderr
    assert elapsed < 20, f"took {elapsed:.1f} s: the slow file was not stopped"
    rows = {Path(row["path"]).name: row for row in stored_rows(db).values()}
    assert rows["pathological.pdf"]["status"] == "failed"
    assert json.loads(rows["pathological.pdf"]["errors"]) == ["timed out after 2 s"]
    assert all(rows[f"{doc_id}.txt"]["status"] == "ok" for doc_id in SEED_IDS)
    assert "failed: " in done.stderr and "timed out after 2 s" in done.stderr
    lines = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text("utf-8").splitlines()]
    assert [Path(r["source"]["path"]).name for r in lines] == sorted(p.name for p in folder.iterdir())
    status = ogi("status", str(db))
    assert "1 failed" in status.stdout and "timed out after 2 s" in status.stdout


def test_without_a_store_a_hanging_file_is_timed_out_while_the_batch_finishes(tmp_path):
    # Went wrong: `ogi extract FOLDER` without --store extracted in-process with no time limit, so one
    # pathological file held up (or hung) the whole batch.
    folder = tmp_path / "in"
    folder.mkdir()
    for doc_id in SEED_IDS:
        (folder / f"{doc_id}.txt").write_bytes(render_bytes(load_gold(doc_id), "txt-pipe"))
    slow = write_slow_pdf(folder / "pathological.pdf")
    started = time.monotonic()
    done = ogi("extract", str(folder), "--workers", "2", "--timeout", "2", "--tagger", "rules",
               "-o", str(tmp_path / "out.jsonl"))
    elapsed = time.monotonic() - started
    assert done.returncode == 1, done.stderr
    assert elapsed < 20, f"took {elapsed:.1f} s: the slow file was not stopped"
    lines = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text("utf-8").splitlines()]
    assert [r["source"]["path"] for r in lines] == sorted(str(p) for p in folder.iterdir())  # input order
    by_name = {Path(r["source"]["path"]).name: r for r in lines}
    assert by_name["pathological.pdf"]["status"] == "failed"
    assert by_name["pathological.pdf"]["errors"] == ["timed out after 2 s"]
    assert by_name["pathological.pdf"]["source"]["sha256"] == hashlib.sha256(slow.read_bytes()).hexdigest()
    assert all(by_name[f"{doc_id}.txt"]["status"] == "ok" for doc_id in SEED_IDS)
    assert f"failed: {slow}: timed out after 2 s" in done.stderr

    one = ogi("extract", str(slow), "--timeout", "1", "--tagger", "rules")  # one file, printed: the same limit
    assert one.returncode == 1
    assert json.loads(one.stdout)["errors"] == ["timed out after 1 s"]


def test_renamed_or_copied_file_is_not_extracted_again(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    original = folder / "report.html"
    original.write_bytes(render_bytes(load_gold(SEED_IDS[0]), "html"))
    db = tmp_path / "results.db"
    first = run_bulk([str(original)], db, RULES, BulkSettings(workers=1), progress=False)
    assert sum(first.counts.values()) == 1
    renamed = folder / "renamed.html"
    original.rename(renamed)
    shutil.copy(renamed, folder / "copy.htm")
    out = tmp_path / "out.jsonl"
    second = run_bulk(list_inputs(folder), db, RULES, BulkSettings(workers=1), output=out, progress=False)
    assert sum(second.counts.values()) == 0 and second.plan.kept == 1 and second.plan.duplicates == 1
    (row,) = stored_rows(db).values()
    assert row["attempts"] == 1
    with Store.open(db) as store:
        assert sorted(Path(p).name for p in store.paths_of(row["sha256"])) == ["copy.htm", "renamed.html",
                                                                                "report.html"]
    lines = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert [r["source"]["path"] for r in lines] == list_inputs(folder)
    assert lines[0]["tables"] == lines[1]["tables"]


def test_failed_files_are_retried_only_with_retry_failed(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4\nnot really a pdf")
    (folder / "good.txt").write_bytes(render_bytes(load_gold(SEED_IDS[3]), "txt-pipe"))
    db = tmp_path / "results.db"
    assert run_bulk(list_inputs(folder), db, RULES, BulkSettings(workers=1), progress=False).exit_status == 1
    again = run_bulk(list_inputs(folder), db, RULES, BulkSettings(workers=1), progress=False)
    assert sum(again.counts.values()) == 0 and again.plan.kept_failed == 1 and again.exit_status == 1
    retried = run_bulk(list_inputs(folder), db, RULES, BulkSettings(workers=1, retry_failed=True), progress=False)
    assert retried.counts == {"failed": 1}
    attempts = {Path(r["path"]).name: r["attempts"] for r in stored_rows(db).values()}
    assert attempts == {"broken.pdf": 2, "good.txt": 1}


def test_a_different_model_version_re_extracts(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for doc_id in SEED_IDS[:3]:
        (folder / f"{doc_id}.txt").write_bytes(render_bytes(load_gold(doc_id), "txt-tabs"))
    db = tmp_path / "results.db"
    run_bulk(list_inputs(folder), db, RULES, BulkSettings(workers=2), progress=False)
    older = next(iter(stored_rows(db)))
    with sqlite3.connect(db) as conn:  # as if that file had been extracted by an older rules tagger
        conn.execute("UPDATE results SET model_version = '0' WHERE sha256 = ?", (older,))
    log = tmp_path / "log.txt"
    with open(log, "w") as fh:
        report = run_bulk(list_inputs(folder), db, RULES, BulkSettings(workers=2), progress=False, log=fh)
    assert report.plan.reasons == {"model changed": 1} and sum(report.counts.values()) == 1
    assert "1 model changed" in log.read_text()
    rows = stored_rows(db)
    assert rows[older]["model_version"] == "1" and rows[older]["attempts"] == 2
    assert all(row["attempts"] == 1 for sha, row in rows.items() if sha != older)


def test_ctrl_c_stops_cleanly_keeping_what_is_stored(tmp_path):
    folder = tmp_path / "in"
    write_inputs(folder, 2)
    db = tmp_path / "results.db"
    # A test runner started in the background (nohup, CI without job control) ignores SIGINT, and a
    # child inherits an ignored signal: catch it here while the driver starts, so that the driver
    # starts with the default and can hear the Ctrl-C (a caught signal is reset at exec).
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        driver = subprocess.Popen([sys.executable, "-m", "extractor.cli", "extract", str(folder), "--store",
                                   str(db), "--workers", "2", "--tagger", "rules"], cwd=ROOT,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    finally:
        signal.signal(signal.SIGINT, previous)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and driver.poll() is None:
        try:
            with sqlite3.connect(db, timeout=5) as conn:
                if conn.execute("SELECT COUNT(*) FROM results").fetchone()[0] >= 2:
                    break
        except sqlite3.OperationalError:
            pass
        time.sleep(0.01)
    driver.send_signal(signal.SIGINT)
    _, stderr = driver.communicate(timeout=60)
    assert driver.returncode == 130, stderr
    assert "interrupted" in stderr and "run the same command again" in stderr
    with sqlite3.connect(db) as conn:
        stored = conn.execute("SELECT COUNT(*) FROM results").fetchone()[0]
        assert conn.execute("SELECT state FROM runs").fetchall() == [("interrupted",)]
    assert 2 <= stored < 40
    assert "seen but not yet extracted" in format_status(store_status(db))


def test_store_options_need_store_and_tagger_errors_are_plain(tmp_path):
    done = ogi("extract", str(ROOT / "examples"), "--retry-failed")
    assert done.returncode == 2 and "--retry-failed: only with --store" in done.stderr
    done = ogi("extract", str(ROOT / "examples" / "seed-003.txt"), "--workers", "1", "--timeout", "60",
               "--memory-limit", "2048", "--recycle-after", "5", "--tagger", "rules")  # limits apply without a store
    assert done.returncode == 0 and json.loads(done.stdout)["status"] == "ok", done.stderr
    done = ogi("extract", str(ROOT / "examples"), "--store", str(tmp_path / "s.db"), "--ray-address", "auto")
    assert done.returncode == 2 and "--ray-address: only with --engine ray" in done.stderr
    done = ogi("extract", str(ROOT / "examples" / "seed-003.txt"), "--store", str(tmp_path / "s.db"),
               "--tagger", "model", "--model", str(tmp_path / "no-such-model"))
    assert done.returncode == 2 and "the tagger could not be loaded" in done.stderr, done.stderr
    with pytest.raises(EngineError):
        run_bulk([str(ROOT / "examples" / "seed-003.txt")], tmp_path / "t.db", TaggerSpec("no-such-tagger"),
                 BulkSettings(workers=1), progress=False)


# --- exports ------------------------------------------------------------------------------------

def expected_cells(db: Path) -> dict[tuple[str, str, str, str], object]:
    return {(sha, table, row, column): value for sha, result in results_by_sha(db).items()
            for table, rows in result["tables"].items() for row, fields in rows.items()
            for column, value in fields.items()}


def same_value(read, stored) -> bool:
    import math

    if stored is None:
        return read is None or read == "" or (isinstance(read, float) and math.isnan(read))
    return float(read) == float(stored)


def test_exports_round_trip_every_figure(tmp_path, reference_store):
    import pandas as pd

    cells = expected_cells(reference_store)
    results = results_by_sha(reference_store)
    assert len(cells) > 500
    done = ogi("export", str(reference_store), "--to", "csv", "--to", "xlsx", "--to", "parquet", "-o", str(tmp_path))
    assert done.returncode == 0, done.stderr

    assert (tmp_path / "long.csv").read_bytes().startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8
    with open(tmp_path / "long.csv", encoding="utf-8-sig", newline="") as fh:
        long_csv = list(csv.DictReader(fh))
    xlsx = pd.read_excel(tmp_path / "ogi-results.xlsx", sheet_name=None)
    assert set(xlsx) == {"reports", "long", "active_disclosure", "applications", "review_litigation"}
    longs = {"csv": long_csv,
             "xlsx": xlsx["long"].astype(object).where(xlsx["long"].notna(), None).to_dict("records"),
             "parquet": pd.read_parquet(tmp_path / "long.parquet").to_dict("records")}
    for fmt, rows in longs.items():
        read = {(r["sha256"], r["table"], r["row"], r["column"]): r["value"] for r in rows}
        assert read.keys() == cells.keys(), fmt
        assert all(same_value(read[key], value) for key, value in cells.items()), fmt
        for r in rows[:50]:
            meta = results[r["sha256"]]
            assert r["organization"] == meta["report"]["organization"] and r["status"] == meta["status"], fmt
            assert int(r["year"]) == meta["report"]["year"], fmt

    for table in ("active_disclosure", "applications", "review_litigation"):
        frames = {"xlsx": xlsx[table], "parquet": pd.read_parquet(tmp_path / f"{table}.parquet"),
                  "csv": pd.read_csv(tmp_path / f"{table}.csv", encoding="utf-8-sig")}
        for fmt, frame in frames.items():
            read = {}
            for record in frame.to_dict("records"):
                for column, value in record.items():
                    if column not in ("path", "sha256", "organization", "year", "format_version", "status", "row"):
                        read[(record["sha256"], table, record["row"], column)] = value
            for key, value in cells.items():
                if key[1] == table:
                    assert same_value(read[key], value), (fmt, key)

    reports = pd.read_parquet(tmp_path / "reports.parquet")
    assert sorted(reports["sha256"]) == sorted(results)
    assert set(reports["status"]) <= {"ok", "needs_review", "failed"}


# --- Ray ----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def local_ray():
    ray = pytest.importorskip("ray")
    ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    yield ray
    ray.shutdown()


def test_ray_engine_gives_the_same_results_as_the_local_one(tmp_path, small_batch, reference_store, local_ray):
    db = tmp_path / "ray.db"
    report = run_bulk(list_inputs(small_batch), db, RULES, BulkSettings(engine="ray", workers=2), progress=False)
    assert not report.interrupted and sum(report.counts.values()) == len(list_inputs(small_batch))
    assert results_by_sha(db) == results_by_sha(reference_store)
    assert all(row["worker"].startswith("ray:") for row in stored_rows(db).values())


def test_ray_engine_times_out_a_hanging_file(tmp_path, local_ray):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_bytes(render_bytes(load_gold(SEED_IDS[0]), "txt-pipe"))
    write_slow_pdf(folder / "pathological.pdf")
    relative = [os.path.relpath(p) for p in list_inputs(folder)]  # actors do not share the driver's cwd
    started = time.monotonic()
    report = run_bulk(relative, tmp_path / "ray.db", RULES,
                      BulkSettings(engine="ray", workers=2, timeout=2), progress=False)
    assert time.monotonic() - started < 30
    assert report.counts == {"ok": 1, "failed": 1}
    rows = {Path(r["path"]).name: r for r in stored_rows(tmp_path / "ray.db").values()}
    assert json.loads(rows["pathological.pdf"]["errors"]) == ["timed out after 2 s"]
    assert json.loads(rows["good.txt"]["result"])["source"]["path"] == os.path.relpath(folder / "good.txt")


# --- the local workers ------------------------------------------------------------------------

def test_workers_have_their_address_space_capped(tmp_path):
    from extractor.bulk.workers import LocalEngine

    engine = LocalEngine(RULES, workers=1, memory_limit_mb=300)
    engine.start()
    try:
        assert engine.model() == ModelInfo("rules", "1")
        (slot,) = engine.slots
        limits = Path(f"/proc/{slot.process.pid}/limits").read_text()
        line = next(line for line in limits.splitlines() if line.startswith("Max address space"))
        assert line.split()[3] == str(300 << 20)
    finally:
        engine.close()


def test_a_file_that_runs_out_of_memory_fails_and_retires_its_worker():
    from extractor.bulk.job import OUT_OF_MEMORY, Task, extract_one

    class Greedy:
        name, version = "greedy", "1"

        def tag(self, doc):
            raise MemoryError

    outcome = extract_one(Task(str(ROOT / "examples" / "seed-003.txt"), "seed-003.txt", "x"), Greedy())
    assert outcome.result["status"] == "failed" and outcome.result["errors"] == [OUT_OF_MEMORY]
    assert outcome.retire_worker


def test_workers_are_recycled_after_n_files(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for doc_id in SEED_IDS:
        (folder / f"{doc_id}.txt").write_bytes(render_bytes(load_gold(doc_id), "txt-pipe"))
    db = tmp_path / "results.db"
    report = run_bulk(list_inputs(folder), db, RULES, BulkSettings(workers=1, recycle_after=2), progress=False)
    assert sum(report.counts.values()) == 5
    assert len({row["worker"] for row in stored_rows(db).values()}) == 3  # 2 + 2 + 1 files


def test_a_worker_that_dies_costs_one_file_and_is_replaced(tmp_path):
    import threading

    from extractor.bulk.job import Task
    from extractor.bulk.workers import LocalEngine

    slow = write_slow_pdf(tmp_path / "slow.pdf")
    good = ROOT / "examples" / "seed-003.txt"
    engine = LocalEngine(RULES, workers=1, timeout=None)
    engine.start()
    engine.model()

    def kill_the_busy_worker():
        for slot in list(engine.slots):
            if slot.task is not None:
                os.kill(slot.process.pid, signal.SIGKILL)

    timer = threading.Timer(1.0, kill_the_busy_worker)
    timer.start()
    try:
        outcomes = {Path(o.task.path).name: o for o in engine.run([Task(str(slow), "slow.pdf", "a"),
                                                                   Task(str(good), "seed-003.txt", "b")])}
    finally:
        timer.cancel()
        engine.close()
    assert outcomes["slow.pdf"].result["errors"] == [
        ("the worker process was killed by signal 9 (out of memory, or killed by another process) "
        "while extracting this file")]
    assert outcomes["seed-003.txt"].result["status"] == "ok"


@pytest.mark.parametrize("store", [False, True])
def test_dash_as_output_writes_json_lines_to_standard_output(tmp_path, store):
    folder = tmp_path / "in"
    folder.mkdir()
    for doc_id in SEED_IDS[:2]:
        (folder / f"{doc_id}.txt").write_bytes(render_bytes(load_gold(doc_id), "txt-pipe"))
    one = ogi("extract", str(folder / f"{SEED_IDS[0]}.txt"), "--tagger", "rules", "-o", "-",
              *(["--store", str(tmp_path / "r.db")] if store else []), cwd=tmp_path)
    assert one.returncode == 0, one.stderr
    lines = one.stdout.splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["status"] == "ok"  # a JSON line, not indented JSON
    both = ogi("extract", str(folder), "--tagger", "rules", "-o", "-",
               *(["--store", str(tmp_path / "r.db")] if store else []), cwd=tmp_path)
    assert [json.loads(line)["source"]["path"] for line in both.stdout.splitlines()] == \
        sorted(str(p) for p in folder.iterdir())
    assert not (tmp_path / "-").exists()
