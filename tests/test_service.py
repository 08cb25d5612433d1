"""The HTTP service, end to end: the real server (`python -m extractor.cli serve`, uvicorn) in a
subprocess on a free loopback port, spoken to over HTTP with httpx. The tagger is the rules tagger
(the model is not the point here); inputs are the shipped examples, compared with their gold."""

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import ROOT, load_gold

httpx = pytest.importorskip("httpx")
pytest.importorskip("fastapi")

from test_bulk import write_slow_pdf

from extractor.bulk.workers import descendants, process_parents
from extractor.evaluation.compare import compare

EXAMPLES = ROOT / "examples"
SEED_PDF = EXAMPLES / "seed-004.pdf"
EXAMPLE_FILES = {"seed-000": "seed-000.html", "seed-001": "seed-001.docx", "seed-002": "seed-002.doc",
                 "seed-003": "seed-003.txt", "seed-004": "seed-004.pdf"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """`ogi serve` in a subprocess on its own port; its log goes to a file beside the store."""

    def __init__(self, store: Path, *args: str, token: str | None = None, env: dict | None = None):
        self.store = store
        self.args = args
        self.token = token
        self.env = env or {}
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = store.with_name(f"serve-{self.port}.log")
        self.process: subprocess.Popen | None = None

    def start(self) -> "Server":
        env = {**os.environ, "PYTHONUNBUFFERED": "1", **self.env}
        env.pop("OGI_API_TOKEN", None)
        if self.token is not None:
            env["OGI_API_TOKEN"] = self.token
        command = [sys.executable, "-m", "extractor.cli", "serve", "--port", str(self.port), "--store",
                   str(self.store), "--tagger", "rules", "--workers", "2", *self.args]
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"the server exited with {self.process.returncode}:\n{self.log.read_text()}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        self.kill()
        raise AssertionError(f"the server did not answer /healthz within 90 s:\n{self.log.read_text()}")

    def client(self, **kwargs) -> "httpx.Client":
        return httpx.Client(base_url=self.url, timeout=120, **kwargs)

    def stop(self) -> None:
        """SIGTERM, as a service manager stops it."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()

    def kill(self) -> None:
        """SIGKILL, as a crash: the server first, then the workers it had started (still busy ones would
        otherwise finish their file before noticing)."""
        if self.process is None or self.process.poll() is not None:
            return
        below = descendants(self.process.pid, process_parents())
        self.process.kill()
        self.process.wait(timeout=30)
        for pid in below:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def fake_sklearn_model(models: Path) -> Path:
    """A model folder the registry accepts (meta.json fits this code) whose weights do not load."""
    from extractor.labels import LABELS
    from extractor.ml import registry

    folder = models / "sklearn-0.1.0"
    registry.write_meta(folder, registry.base_meta("sklearn", "0.1.0", registry.SKLEARN))
    (folder / "model.joblib").write_bytes(b"not a joblib file")
    assert list(registry.read_meta(folder)["labels"]) == list(LABELS)
    return folder


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """One server for most tests: 1 MB upload limit, 4 s per-document timeout, a models folder
    holding one (broken) sklearn model."""
    folder = tmp_path_factory.mktemp("service")
    fake_sklearn_model(folder / "models")
    srv = Server(folder / "results.db", "--max-upload-mb", "1", "--timeout", "4",
                 env={"OGI_MODELS_DIR": str(folder / "models")}).start()
    yield srv
    srv.stop()


@pytest.fixture
def client(server):
    with server.client() as c:
        yield c


def upload(path: Path, name: str | None = None):
    return ("file", (name or path.name, path.read_bytes()))


def wait_for_job(client, job_id: str, timeout: float = 120) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        view = client.get(f"/v1/jobs/{job_id}").json()
        if view["state"] == "finished":
            return view
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} did not finish: {view}")


def results_of(client, job_id: str, **params) -> list[dict]:
    with client.stream("GET", f"/v1/jobs/{job_id}/results", params=params) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/x-ndjson")
        return [json.loads(line) for line in response.iter_lines() if line]


# --- extraction --------------------------------------------------------------------------------

def test_a_pdf_round_trips_with_every_cell_right(client):
    response = client.post("/v1/extract", files=[upload(SEED_PDF)])
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["status"] == "ok", result["errors"]
    assert result["source"]["path"] == "seed-004.pdf"
    assert result["source"]["format"] == "pdf"
    assert result["model"] == {"name": "rules", "version": "1"}
    assert compare(result, load_gold("seed-004")) == []


def test_the_tagger_can_be_chosen_per_request(client):
    response = client.post("/v1/extract", params={"tagger": "rules"}, files=[upload(EXAMPLES / "seed-003.txt")])
    assert response.status_code == 200
    assert response.json()["model"]["name"] == "rules"


def test_a_document_that_cannot_be_extracted_is_a_422_with_its_failed_result(client, tmp_path):
    cases = {"broken.pdf": b"%PDF-1.4\nthis is not really a PDF\n",
             "shopping.txt": "牛奶 两盒\n面包 一个\n".encode(),
             "empty.txt": b""}
    for name, content in cases.items():
        response = client.post("/v1/extract", files=[("file", (name, content))])
        assert response.status_code == 422, (name, response.text)
        result = response.json()  # the result of OUTPUT.md, as the CLI and the store give it
        assert result["status"] == "failed", name
        assert result["errors"], name
        assert result["source"]["path"] == name
    assert "not an annual report" in client.post(
        "/v1/extract", files=[("file", ("shopping.txt", cases["shopping.txt"]))]).json()["errors"][0]
    damaged = ROOT / "tests" / "fixtures" / "damaged" / "docx-drop-negative-seek.docx"  # once an internal error
    response = client.post("/v1/extract", files=[("file", ("report.docx", damaged.read_bytes()))])
    result = response.json()
    assert response.status_code == 422
    assert result["status"] == "failed" and result["errors"][0].startswith("damaged Word .docx file: "), result


def test_a_failure_of_the_service_itself_is_no_422():
    from extractor.service.app import result_status

    assert result_status({"status": "ok", "errors": []}) == 200
    assert result_status({"status": "needs_review", "errors": ["a cell"]}) == 200
    assert result_status({"status": "failed", "errors": ["timed out after 300 s"]}) == 422
    assert result_status({"status": "failed", "errors": ["the tagger (model tagger-0.2.0) could not be loaded: …"]}) == 200
    internal = "internal error while extracting (KeyError: 'x'); please report it with the file"
    assert result_status({"status": "failed", "errors": [internal]}) == 200


# --- errors ----------------------------------------------------------------------------------------

def assert_error(response, status: int, *words: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    message = response.json()["error"]
    assert isinstance(message, str) and message
    for word in words:
        assert word in message, message


def test_an_upload_over_the_limit_is_413(client):
    big = b"a" * (1024 * 1024 + 1)  # the server's limit is 1 MB
    assert_error(client.post("/v1/extract", files=[("file", ("big.txt", big))]), 413, "big.txt", "1 MB")
    assert_error(client.post("/v1/jobs", files=[("files", ("ok.txt", b"x")), ("files", ("big.txt", big))]),
                 413, "big.txt")
    # the refused upload left nothing behind, and the service goes on
    assert client.post("/v1/extract", files=[upload(EXAMPLES / "seed-003.txt")]).json()["status"] == "ok"


def test_an_upload_far_over_the_limit_is_refused_by_its_length(server):
    body = b"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.pdf\"\r\n\r\n"
    request = (f"POST /v1/extract HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=b\r\n"
               f"Content-Length: {10 ** 10}\r\nExpect: 100-continue\r\n\r\n").encode()
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(request + body)
        answer = sock.recv(65536).decode("latin-1")
    assert answer.startswith("HTTP/1.1 413"), answer


def test_a_file_type_no_loader_reads_is_415(client):
    assert_error(client.post("/v1/extract", files=[("file", ("archive.7z", b"7z\xbc\xaf\x27\x1c\x00\x04"))]),
                 415, "archive.7z", "unsupported file type .7z")
    assert_error(client.post("/v1/extract", files=[("file", ("notes.rtf", b"{\\rtf1 hello}"))]), 415, "notes.rtf")
    assert_error(client.post("/v1/extract", files=[("file", ("fake.pdf", b"plain words, not a PDF"))]), 415,
                 "fake.pdf", "not a PDF")
    assert_error(client.post("/v1/jobs", files=[upload(EXAMPLES / "seed-003.txt", "a.txt"),
                                                ("files", ("b.rtf", b"{\\rtf1 hello}"))]), 415, "b.rtf")


def test_a_malformed_request_is_422(client):
    assert_error(client.post("/v1/extract"), 422, "multipart")
    assert_error(client.post("/v1/extract", json={"file": "report.pdf"}), 422, "multipart")
    assert_error(client.post("/v1/extract", data={"note": "no file here"}, files=[]), 422)
    assert_error(client.post("/v1/extract", data={"note": "no file"}, files={"x": ("", b"")}), 422)
    assert_error(client.post("/v1/extract", params={"tagger": "crystal-ball"}, files=[upload(SEED_PDF)]), 422,
                 "tagger")
    assert_error(client.post("/v1/extract", params={"model": "no-such-model-9.9.9"}, files=[upload(SEED_PDF)]),
                 422, "no-such-model-9.9.9")
    assert_error(client.post("/v1/extract", params={"tagger": "rules", "model": "tagger"},
                             files=[upload(SEED_PDF)]), 422, "rules")
    assert_error(client.post("/v1/extract", content=b"--b\r\nContent-Disposition: form-data; name=\"file\"; "
                                                    b"filename=\"a.txt\"\r\n\r\nhalf a fi",
                             headers={"Content-Type": "multipart/form-data; boundary=b"}), 422)
    assert_error(client.get("/v1/jobs/no-such-job"), 404, "no-such-job")
    assert_error(client.get("/v1/jobs/no-such-job/results"), 404)
    assert_error(client.get("/v1/jobs", params={"limit": "many"}), 422, "limit")


def test_a_bearer_token_is_needed_when_one_is_set(tmp_path):
    srv = Server(tmp_path / "results.db", token="s3cret").start()
    try:
        with srv.client() as c:
            assert_error(c.get("/v1/models"), 401, "bearer")
            assert c.get("/v1/models").headers["www-authenticate"].startswith("Bearer")
            assert_error(c.get("/v1/models", headers={"Authorization": "Bearer wrong"}), 401)
            assert_error(c.post("/v1/extract", files=[upload(SEED_PDF)]), 401)
            assert_error(c.get("/metrics"), 401)
            assert c.get("/healthz").status_code == 200  # probes need no token
        with srv.client(headers={"Authorization": "Bearer s3cret"}) as c:
            assert c.get("/v1/models").status_code == 200
            assert c.post("/v1/extract", files=[upload(SEED_PDF)]).json()["status"] == "ok"
            assert c.get("/metrics").status_code == 200
    finally:
        srv.stop()


# --- jobs --------------------------------------------------------------------------------------------

def test_a_job_with_several_files_completes_and_its_results_stream_back(client):
    files = [("files", (name, (EXAMPLES / name).read_bytes())) for name in EXAMPLE_FILES.values()]
    files.append(("files", ("copy-of-seed-003.txt", (EXAMPLES / "seed-003.txt").read_bytes())))
    response = client.post("/v1/jobs", files=files)
    assert response.status_code == 202, response.text
    job = response.json()
    assert response.headers["location"] == f"/v1/jobs/{job['id']}"
    assert job["progress"]["files"] == 6

    streamed = results_of(client, job["id"], wait="true")  # follows the job until every file is done
    view = wait_for_job(client, job["id"])
    assert view["progress"] == {"files": 6, "done": 6, "pending": 0, "ok": 6, "needs_review": 0, "failed": 0}
    assert [f["filename"] for f in view["files"]] == [*EXAMPLE_FILES.values(), "copy-of-seed-003.txt"]
    assert [r["source"]["path"] for r in streamed] == [f["filename"] for f in view["files"]]
    for (doc_id, _name), result in zip(EXAMPLE_FILES.items(), streamed):
        assert compare(result, load_gold(doc_id)) == [], doc_id
    assert streamed[5]["tables"] == streamed[3]["tables"]
    assert results_of(client, job["id"]) == streamed

    # the same contents again: taken from the store, not extracted again
    again = client.post("/v1/jobs", files=files[:2]).json()
    view = wait_for_job(client, again["id"])
    assert [f["reused"] for f in view["files"]] == [True, True]
    assert [f["status"] for f in view["files"]] == ["ok", "ok"]
    assert any(j["id"] == job["id"] for j in client.get("/v1/jobs").json()["jobs"])


def test_healthz_answers_while_a_slow_job_runs_and_a_document_over_the_timeout_fails(client, tmp_path):
    slow = [write_slow_pdf(tmp_path / f"slow-{i}.pdf", pages=100 + i) for i in range(2)]  # tens of seconds each
    job = client.post("/v1/jobs", files=[("files", (p.name, p.read_bytes())) for p in slow]).json()
    time.sleep(0.5)  # both workers are busy now (for 4 s: the timeout)
    assert client.get("/healthz").json()["waiting"] == 2
    for _ in range(10):
        started = time.monotonic()
        health = client.get("/healthz", timeout=5)
        assert health.status_code == 200
        assert time.monotonic() - started < 1.0
        time.sleep(0.1)
    view = wait_for_job(client, job["id"])
    assert [f["status"] for f in view["files"]] == ["failed", "failed"]
    assert all(f["errors"] == ["timed out after 4 s"] for f in view["files"])
    assert [r["status"] for r in results_of(client, job["id"])] == ["failed", "failed"]


def test_a_restarted_service_keeps_finished_jobs_and_resumes_the_others(tmp_path):
    store = tmp_path / "results.db"
    first = Server(store, "--timeout", "120").start()
    try:
        with first.client() as c:
            files = [("files", (name, (EXAMPLES / name).read_bytes())) for name in ("seed-004.pdf", "seed-003.txt")]
            done = c.post("/v1/jobs", files=files).json()["id"]
            finished = wait_for_job(c, done)
            before = results_of(c, done)
            slow = write_slow_pdf(tmp_path / "slow.pdf")
            unfinished = c.post("/v1/jobs", files=[("files", ("slow.pdf", slow.read_bytes())),
                                                   ("files", ("seed-000.html", (EXAMPLES / "seed-000.html")
                                                              .read_bytes()))]).json()["id"]
            deadline = time.monotonic() + 60
            while c.get(f"/v1/jobs/{unfinished}").json()["files"][1]["status"] == "pending":
                assert time.monotonic() < deadline
                time.sleep(0.1)
    finally:
        first.kill()  # SIGKILL in the middle of the slow file

    second = Server(store, "--timeout", "2").start()
    try:
        with second.client() as c:
            assert c.get(f"/v1/jobs/{done}").json() == finished
            assert results_of(c, done) == before
            assert compare(before[0], load_gold("seed-004")) == []
            view = wait_for_job(c, unfinished, timeout=60)  # resumed: the slow file ran again, under 2 s now
            assert [f["status"] for f in view["files"]] == ["failed", "ok"]
            assert view["files"][0]["errors"] == ["timed out after 2 s"]
            assert [r["source"]["path"] for r in results_of(c, unfinished)] == ["slow.pdf", "seed-000.html"]
    finally:
        second.stop()
    assert second.process.returncode == 128 + signal.SIGTERM  # uvicorn re-raises the signal once shut down
    assert "Application shutdown complete" in second.log.read_text()


# --- the rest of the API ------------------------------------------------------------------------------

def test_sigterm_shuts_down_cleanly_leaving_no_temporary_folders(tmp_path):
    temp = tmp_path / "tmp"
    temp.mkdir()
    server = Server(tmp_path / "svc.db", env={"TMPDIR": str(temp)}).start()
    try:
        with server.client() as c:
            assert c.post("/v1/extract", files=[upload(EXAMPLES / "seed-003.txt")]).json()["status"] == "ok"
        assert any(p.name.startswith("ogi-worker-") for p in temp.iterdir())
    finally:
        server.stop()
    assert server.process.returncode == 128 + signal.SIGTERM  # exited, not killed by the signal
    assert "Application shutdown complete" in server.log.read_text()
    assert sorted(p.name for p in temp.iterdir()) == []  # no ogi-worker-*, no multiprocessing pymp-*


def test_concurrent_uploads_all_succeed(server):
    failures = []

    def one_client(i: int) -> None:
        with server.client() as c:
            for _ in range(2):
                response = c.post("/v1/extract", files=[upload(SEED_PDF, f"client-{i}.pdf")])
                if response.status_code != 200 or response.json()["status"] != "ok":
                    failures.append((i, response.status_code, response.text[:200]))

    threads = [threading.Thread(target=one_client, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []


def test_models_lists_the_default_tagger_and_the_trained_models(client):
    models = client.get("/v1/models").json()
    assert models["default"]["name"] == "rules"
    assert any(m["tagger"] == "rules" and m["default"] for m in models["models"])
    assert set(models["taggers"]) == {"model", "rules", "sklearn"}
    trained = [m for m in models["models"] if m["id"] == "sklearn-0.1.0"]
    assert trained and trained[0]["tagger"] == "sklearn" and trained[0]["usable"] and not trained[0]["default"]


def test_a_request_can_pick_a_model_version(client):
    """The worker loads the model the request names (this one is broken: the file fails, alone)."""
    for params in ({"model": "sklearn-0.1.0"}, {"tagger": "sklearn"}, {"tagger": "sklearn", "model": "sklearn"}):
        response = client.post("/v1/extract", params=params, files=[upload(EXAMPLES / "seed-003.txt")])
        assert response.status_code == 200, response.text
        result = response.json()
        assert result["status"] == "failed"
        assert result["errors"][0].startswith("the tagger (sklearn sklearn-0.1.0) could not be loaded"), result
    assert client.post("/v1/extract", files=[upload(EXAMPLES / "seed-003.txt")]).json()["status"] == "ok"
    assert_error(client.post("/v1/extract", params={"model": "sklearn-9.9.9"}, files=[upload(SEED_PDF)]), 422,
                 "sklearn-9.9.9")


def test_a_second_service_on_the_same_store_is_refused(server):
    second = Server(server.store)
    with pytest.raises(AssertionError, match="another `ogi serve` is using"):
        second.start()


def test_metrics_count_requests_in_the_prometheus_format(client):
    client.post("/v1/extract", files=[upload(EXAMPLES / "seed-003.txt")])
    client.post("/v1/extract", files=[("file", ("x.rtf", b"{\\rtf1}"))])
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    samples = {}
    for line in response.text.splitlines():
        if line and not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            samples[name] = float(value)
    assert samples['ogi_http_requests_total{method="POST",route="/v1/extract",status="200"}'] >= 1
    assert samples['ogi_http_requests_total{method="POST",route="/v1/extract",status="415"}'] >= 1
    assert samples['ogi_http_request_duration_seconds_count{method="POST",route="/v1/extract"}'] >= 2
    assert samples['ogi_extractions_total{status="ok"}'] >= 1
    assert samples["ogi_workers"] == 2
    assert "# TYPE ogi_http_request_duration_seconds histogram" in response.text


def test_the_api_is_documented(client):
    assert client.get("/docs").status_code == 200
    spec = client.get("/openapi.json").json()
    assert {"/v1/extract", "/v1/jobs", "/v1/jobs/{job_id}", "/v1/jobs/{job_id}/results", "/v1/models",
            "/healthz", "/metrics"} <= set(spec["paths"])
    body = spec["paths"]["/v1/extract"]["post"]["requestBody"]["content"]["multipart/form-data"]
    assert body["schema"]["properties"]["file"]["format"] == "binary"


def test_the_worker_pool_serves_tasks_that_arrive_while_it_runs():
    """LocalEngine.serve (the service's use of the bulk pool): tasks put from another thread are
    extracted as they come, a task may name its own tagger, and closing the inbox ends it."""
    from extractor.bulk.job import TaggerSpec, Task
    from extractor.bulk.workers import Inbox, LocalEngine

    engine = LocalEngine(TaggerSpec("rules"), workers=1, timeout=30)
    inbox = Inbox()
    engine.start()
    engine.model()
    outcomes = engine.serve(inbox)
    try:
        inbox.put(Task(str(EXAMPLES / "seed-003.txt"), "a.txt", "a"))
        first = next(outcomes)
        threading.Timer(0.3, inbox.put, [Task(str(EXAMPLES / "seed-000.html"), "b.html", "b",
                                              TaggerSpec("rules"))]).start()
        second = next(outcomes)  # waits for a task that is not there yet
        inbox.close()
        assert list(outcomes) == []
    finally:
        engine.close()
        inbox.release()
    assert (first.task.display_path, first.result["status"]) == ("a.txt", "ok")
    assert (second.task.display_path, second.result["status"]) == ("b.html", "ok")
