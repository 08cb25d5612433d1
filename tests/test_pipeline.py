"""The whole pipeline and the `ogi extract` command on good, altered and bad files."""

import json
import subprocess
import sys
from pathlib import Path

from conftest import GOLD_DIR

from extractor.pipeline import extract

SEED_000 = GOLD_DIR / "seed-000" / "source.txt"
OGI = [sys.executable, "-m", "extractor.cli"]


def test_one_altered_figure_names_the_broken_rule_and_keeps_the_figure(tmp_path: Path):
    text = SEED_000.read_text("utf-8").replace(
        "一、本年新收政府信息公开申请数量 | 6 | 0 | 0 | 0 | 0 | 0 | 6 |",
        "一、本年新收政府信息公开申请数量 | 6 | 0 | 0 | 0 | 0 | 0 | 7 |")
    altered = tmp_path / "altered.txt"
    altered.write_text(text, "utf-8")
    result = extract(altered)
    assert result["status"] == "needs_review"
    assert result["tables"]["applications"]["new_received"]["total"] == 7
    broken = {(c["rule"], c.get("row") or c.get("column")) for c in result["checks"] if not c["ok"]}
    assert broken == {("applications.row_total", "new_received"), ("applications.balance", "total")}
    assert any("applications.row_total" in e and "new_received" in e for e in result["errors"])


def test_a_file_that_is_not_a_report_fails_with_a_plain_reason(tmp_path: Path):
    other = tmp_path / "notes.txt"
    other.write_text("会议纪要\n今天讨论了三件事。\n", "utf-8")
    result = extract(other)
    assert result["status"] == "failed"
    assert "not an annual report" in result["errors"][0]


def test_empty_and_unknown_files_fail(tmp_path: Path):
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    assert extract(empty)["errors"] == ["the file is empty"]
    picture = tmp_path / "scan.png"  # page images are read by OCR; a broken one fails plainly
    picture.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    result = extract(picture)
    assert result["status"] == "failed" and "not a readable image" in result["errors"][0]
    drawing = tmp_path / "plan.dwg"
    drawing.write_bytes(b"AC1032" + b"\x00" * 64)
    result = extract(drawing)
    assert result["status"] == "failed" and "unsupported file type .dwg" in result["errors"][0]
    fake = tmp_path / "report.pdf"
    fake.write_bytes(b"this is not a pdf at all")
    assert "not a PDF file" in extract(fake)["errors"][0]


def test_cli_prints_one_result(tmp_path: Path):
    out = subprocess.run(OGI + ["extract", str(SEED_000)], capture_output=True, text=True, check=True)
    result = json.loads(out.stdout)
    assert result["status"] == "ok" and result["source"]["path"] == str(SEED_000)


def test_cli_batch_keeps_input_order_and_survives_bad_files(tmp_path: Path):
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "a_broken.pdf").write_bytes(b"%PDF-1.4 garbage")
    (folder / "b_report.txt").write_bytes(SEED_000.read_bytes())
    (folder / "c_ignored.png").write_bytes(b"\x89PNG")
    out_file = tmp_path / "results.jsonl"
    proc = subprocess.run(OGI + ["extract", str(SEED_000), str(folder), "-o", str(out_file)],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 1  # one file failed
    results = [json.loads(line) for line in out_file.read_text("utf-8").splitlines()]
    assert [r["source"]["path"] for r in results] == [
        str(SEED_000), str(folder / "a_broken.pdf"), str(folder / "b_report.txt")]
    assert [r["status"] for r in results] == ["ok", "failed", "ok"]
    assert "a_broken.pdf" in proc.stderr


def test_cli_exit_status_zero_when_all_extracted_and_two_for_usage(tmp_path: Path):
    out_file = tmp_path / "r.jsonl"
    assert subprocess.run(OGI + ["extract", str(SEED_000), "-o", str(out_file)], capture_output=True, check=False).returncode == 0
    assert subprocess.run(OGI + ["extract"], capture_output=True, check=False).returncode == 2
    assert subprocess.run(OGI + ["extract", "--tagger", "nope", str(SEED_000)], capture_output=True, check=False).returncode == 2
