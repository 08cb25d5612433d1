"""The whole annotation loop against a real Label Studio server, started here on loopback.

push (rules tagger pre-annotations) -> an annotator corrects through the API
-> pull -> training JSONL, gold folder, change counts -> re-push adds nothing.
Label Studio runs from its own venv (.ls, made by scripts/setup); no mocks.
"""

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import GOLD_DIR, ROOT, load_gold

from extractor.annotation.client import Server
from extractor.cli import main
from extractor.dataset import file_sha256, read_jsonl
from extractor.evaluation.compare import compare_tables
from extractor.labels import Label
from extractor.loaders import load
from extractor.tagging import get_tagger

LABEL_STUDIO = ROOT / ".ls" / "bin" / "label-studio"
START_TIMEOUT = 300  # the first start runs the database migrations
PROJECT = "2024 reports"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=5) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


@pytest.fixture(scope="session")
def label_studio(tmp_path_factory):
    """(url, token) of a fresh Label Studio with a preset user and API token; stopped at the end."""
    if not LABEL_STUDIO.exists():
        pytest.fail(f"Label Studio is not installed ({LABEL_STUDIO} is missing): run scripts/setup, "
                    "which creates .ls/ with label-studio in it", pytrace=False)
    home = tmp_path_factory.mktemp("label-studio")
    token = secrets.token_hex(20)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("LABEL_STUDIO_")}
    env.update(LABEL_STUDIO_BASE_DATA_DIR=str(home / "data"), LABEL_STUDIO_USERNAME="annotator@example.com",
               LABEL_STUDIO_PASSWORD=secrets.token_urlsafe(16), LABEL_STUDIO_USER_TOKEN=token,
               LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN="true")
    log_path = home / "server.log"
    started = time.monotonic()
    with open(log_path, "wb") as log:
        server = subprocess.Popen([str(LABEL_STUDIO), "start", "--host", "127.0.0.1", "--port", str(port),
                                   "--no-browser"], cwd=home, env=env, stdout=log, stderr=subprocess.STDOUT,
                                  start_new_session=True)
    try:
        while not _healthy(url):
            if server.poll() is not None or time.monotonic() - started > START_TIMEOUT:
                tail = log_path.read_text("utf-8", errors="replace")[-3000:]
                pytest.fail(f"Label Studio did not come up on {url} within {START_TIMEOUT} s "
                            f"(exit status {server.poll()}); its log ends:\n{tail}", pytrace=False)
            time.sleep(1)
        sys.stderr.write(f"\nLabel Studio up on {url} after {time.monotonic() - started:.1f} s\n")
        yield url, token
    finally:
        _stop(server)


def _stop(server: subprocess.Popen) -> None:
    """Stop the server's whole session (the server and its workers, nothing else); one that already
    exited (it failed to start) leaves nothing to stop, and its failure is the one reported."""
    try:
        os.killpg(server.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=30)


@pytest.fixture
def ogi(label_studio):
    """Run `ogi annotate …` against the test server; returns the click Result."""
    url, token = label_studio

    def run(*args):
        return CliRunner().invoke(main, ["annotate", *args], env={"LABEL_STUDIO_URL": url,
                                                                  "LABEL_STUDIO_API_KEY": token})
    return run


@pytest.fixture
def reports(tmp_path: Path) -> Path:
    """A PDF report, a text report whose figures fail a consistency check, and a file that is no report."""
    folder = tmp_path / "reports"
    folder.mkdir()
    shutil.copyfile(ROOT / "examples" / "seed-004.pdf", folder / "anqiu-2024.pdf")
    text = (GOLD_DIR / "seed-000" / "source.txt").read_text("utf-8")
    line = next(line for line in text.splitlines() if line.startswith("一、本年新收"))
    (folder / "dinglan-2024.txt").write_text(text.replace(line, line.replace("| 6 |", "| 7 |", 1)), "utf-8")
    (folder / "broken.pdf").write_bytes(b"not a pdf at all")
    return folder


def _regions(result: list[dict]) -> list[dict]:
    return [dict(r, value=dict(r["value"])) for r in result]


def test_push_correct_pull_and_push_again(ogi, label_studio, reports, tmp_path):
    url, token = label_studio
    server = Server(url, token)
    annotations = tmp_path / "annotations"
    pdf = reports / "anqiu-2024.pdf"

    # Push: two tasks, the inconsistent report first; the broken file is reported and skipped.
    pushed = ogi("push", str(reports), "--project", PROJECT)
    assert pushed.exit_code == 1, pushed.output
    assert "skipped, could not be read" in pushed.stderr and "broken.pdf" in pushed.stderr
    assert "2 pushed, 0 already there, 1 skipped" in pushed.stdout
    project = server.project(PROJECT)
    tasks = sorted(server.ls.tasks.list(project=project.id), key=lambda t: t.id)
    assert [Path(t.data["source"]).name for t in tasks] == ["dinglan-2024.txt", "anqiu-2024.pdf"]
    assert [t.data["status"] for t in tasks] == ["needs_review", "ok"]
    assert tasks[0].data["priority"] > tasks[1].data["priority"]
    review_task, pdf_task = tasks
    assert pdf_task.data["sha256"] == file_sha256(pdf)

    # The pre-annotation is the rules tagger's, one region per token.
    doc = load(pdf)
    model_labels = [t.label for t in get_tagger("rules").tag(doc)]
    (prediction,) = server.ls.predictions.list(task=pdf_task.id)
    assert prediction.model_version == "rules-1"
    assert len(prediction.result) == len(doc.tokens)
    assert [r["value"]["labels"][0] for r in prediction.result] == [label.value for label in model_labels]
    assert server.ls.tasks.get(id=pdf_task.id).predictions, "annotators would open the task without pre-annotation"

    # An annotator relabels two prose lines as signature and draws one span over the two signature lines.
    regions = _regions(prediction.result)
    relabelled = [i for i, r in enumerate(regions) if r["value"]["text"].startswith(("(六)", "(七)"))]
    assert len(relabelled) == 2 and all(model_labels[i] == Label.PROSE for i in relabelled)
    for i in relabelled:
        regions[i]["value"]["labels"] = ["signature"]
    signed = [i for i, label in enumerate(model_labels) if label == Label.SIGNATURE]
    assert len(signed) == 2
    text = pdf_task.data["text"]
    start, end = regions[signed[0]]["value"]["start"], regions[signed[-1]]["value"]["end"]
    merged = {"from_name": "label", "to_name": "text", "type": "labels",
              "value": {"start": start, "end": end, "text": text[start:end], "labels": ["signature"]}}
    regions = [r for i, r in enumerate(regions) if i not in signed] + [merged]
    server.ls.annotations.create(id=pdf_task.id, result=regions, was_cancelled=False, lead_time=42.0)
    expected = list(model_labels)
    for i in relabelled:
        expected[i] = Label.SIGNATURE

    # Pull: the corrected labels come back as training data and as a gold folder.
    pulled = ogi("pull", "--project", PROJECT, "--annotations-dir", str(annotations))
    assert pulled.exit_code == 0, pulled.output
    (labelled,) = list(read_jsonl(annotations / "train" / "2024-reports.jsonl"))
    assert labelled.origin == "annotation"
    assert labelled.sha256 == file_sha256(pdf)
    assert labelled.doc_id == pdf_task.data["doc_id"] and labelled.doc_id.startswith("anqiu-2024-")
    assert [t.text for t in labelled.tokens] == [t.text for t in doc.tokens]
    assert labelled.tokens == doc.tokens
    assert labelled.labels == expected

    folder = annotations / "gold" / labelled.doc_id
    assert (folder / "source.pdf").read_bytes() == pdf.read_bytes()
    gold = json.loads((folder / "gold.json").read_text("utf-8"))
    assert gold["source"] == {"file": "source.pdf", "sha256": file_sha256(pdf), "format": "pdf"}
    assert gold["annotation"]["task"] == pdf_task.id and gold["annotation"]["project"] == PROJECT
    hand = load_gold("seed-004")  # the same report, made by hand from its text version
    assert compare_tables(gold["tables"], hand["tables"])[1] == []
    assert gold["report"] == hand["report"]
    moved = [doc.tokens[i].text for i in relabelled]
    assert gold["extras"]["signature"] == moved + hand["extras"]["signature"]
    other_matters = next(s for s in gold["sections"] if s["id"] == "other_matters")
    assert not any(line in other_matters["text"] for line in moved)
    assert gold["extras"]["title"] == hand["extras"]["title"]
    assert gold["extras"]["trailer"] == hand["extras"]["trailer"]

    splits = json.loads((annotations / "gold" / "splits.json").read_text("utf-8"))
    assert splits == {"train": [labelled.doc_id], "dev": [], "test": []}

    # What annotators changed: two prose tokens became signature, nothing else.
    changes = json.loads((annotations / "train" / "2024-reports.changes.json").read_text("utf-8"))
    assert (changes["documents"], changes["tokens"], changes["changed"]) == (1, len(doc.tokens), 2)
    per_label = changes["per_label"]
    assert per_label["prose"]["changed"] == 2 and per_label["prose"]["added"] == 0
    assert per_label["signature"] == {"predicted": 2, "changed": 0, "error_rate": 0.0, "corrected": 4, "added": 2}
    assert sum(row["changed"] for row in per_label.values()) == 2
    assert changes["confusion"] == [{"model": "prose", "annotator": "signature", "tokens": 2}]
    prose_row = next(line for line in pulled.stdout.splitlines() if line.startswith("prose "))
    assert prose_row.split()[1:3] == [str(per_label["prose"]["predicted"]), "2"]

    # Re-push: the same documents are recognised by hash, no task is added.
    again = ogi("push", str(reports), "--project", PROJECT)
    assert "0 pushed, 2 already there, 1 skipped" in again.stdout, again.output
    assert len(list(server.ls.tasks.list(project=project.id))) == 2

    # Asking for another split never moves a document.
    moved_split = ogi("pull", "--project", PROJECT, "--annotations-dir", str(annotations), "--split", "test")
    assert moved_split.exit_code == 1
    assert "stays there" in moved_split.stderr
    assert json.loads((annotations / "gold" / "splits.json").read_text("utf-8")) == splits

    # An annotation that leaves a token without a label is incomplete: reported, not stored ...
    (review_prediction,) = server.ls.predictions.list(task=review_task.id)
    partial = _regions(review_prediction.result)
    dropped = partial.pop(next(i for i, r in enumerate(partial) if r["value"]["labels"] == ["section_heading"]))
    server.ls.annotations.create(id=review_task.id, result=partial, was_cancelled=False)
    incomplete = ogi("pull", "--project", PROJECT, "--annotations-dir", str(annotations))
    assert incomplete.exit_code == 1
    assert "incomplete: 1 token(s) have no label" in incomplete.stderr
    assert [d.doc_id for d in read_jsonl(annotations / "train" / "2024-reports.jsonl")] == [labelled.doc_id]

    # ... unless uncovered tokens are declared prose. (Its source moved meanwhile: found by hash.)
    moved_to = tmp_path / "elsewhere"
    moved_to.mkdir()
    (reports / "dinglan-2024.txt").rename(moved_to / "renamed.txt")
    as_prose = ogi("pull", "--project", PROJECT, "--annotations-dir", str(annotations), "--uncovered", "prose",
                   "--sources", str(moved_to))
    assert as_prose.exit_code == 0, as_prose.output
    docs = {d.doc_id: d for d in read_jsonl(annotations / "train" / "2024-reports.jsonl")}
    review_doc = docs[review_task.data["doc_id"]]
    heading = int(dropped["id"][1:])  # prediction regions are named t<token index>
    assert review_doc.labels[heading] == Label.PROSE
    review_gold = json.loads((annotations / "gold" / review_doc.doc_id / "gold.json").read_text("utf-8"))
    assert (annotations / "gold" / review_doc.doc_id / "source.txt").read_bytes() == \
        (moved_to / "renamed.txt").read_bytes()
    assert json.loads((annotations / "gold" / "splits.json").read_text("utf-8"))["train"] == \
        sorted([labelled.doc_id, review_doc.doc_id])
    assert review_gold["tables"]["applications"]["new_received"]["natural_person"] == 7  # as printed
    assert any("applications.balance" in note for note in review_gold["annotation"]["assembly_notes"])
    changes = json.loads((annotations / "train" / "2024-reports.changes.json").read_text("utf-8"))
    assert (changes["documents"], changes["changed"]) == (2, 3)
    assert changes["per_label"]["section_heading"]["changed"] == 1
