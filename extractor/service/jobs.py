"""Jobs: several uploaded files extracted into the results store of `ogi extract --store`.

Two tables of our own live in the store's SQLite file beside the bulk tables:

    service_jobs       one row per job: state (running | finished), tagger and model, timestamps
    service_job_files  one row per file of a job, in upload order: file name, sha256, the saved
                       upload, and once settled its status and errors

Uploads are kept in the data folder under their sha256 (`uploads/<sha256><suffix>`). Results
go to the store's `results` table (one row per content), committed as each arrives; so a file
whose content is already stored with the same model is not extracted again, and a service
restarted on the same store keeps every finished job and resumes the unfinished ones.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import uuid
from collections.abc import Iterable
from dataclasses import asdict
from pathlib import Path
from types import SimpleNamespace

from ..bulk.job import ModelInfo, Outcome, TaggerSpec, Task
from ..bulk.store import SeenFile, Store, now
from ..pipeline import empty_result
from .pool import ExtractionPool, Unavailable
from .taggers import TaggerChoice, choose
from .uploads import Upload

log = logging.getLogger(__name__)

TABLES = """
CREATE TABLE IF NOT EXISTS service_jobs (
    id            TEXT PRIMARY KEY,
    created_at    TEXT NOT NULL,
    finished_at   TEXT,
    state         TEXT NOT NULL,         -- running | finished
    tagger        TEXT NOT NULL,         -- JSON: the TaggerSpec its files are extracted with
    model_name    TEXT NOT NULL,
    model_version TEXT NOT NULL,
    retry_failed  INTEGER NOT NULL,
    files         INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS service_job_files (
    job_id     TEXT NOT NULL REFERENCES service_jobs (id),
    idx        INTEGER NOT NULL,         -- upload order
    filename   TEXT NOT NULL,            -- as uploaded: source.path of its result
    sha256     TEXT NOT NULL,
    upload     TEXT NOT NULL,            -- file name under the data folder's uploads/
    size       INTEGER NOT NULL,
    status     TEXT,                     -- ok | needs_review | failed, NULL while pending
    errors     TEXT,                     -- JSON array
    reused     INTEGER NOT NULL DEFAULT 0,  -- 1: the stored result of the same content and model was kept
    settled_at TEXT,
    PRIMARY KEY (job_id, idx)
);
CREATE INDEX IF NOT EXISTS service_jobs_created ON service_jobs (created_at);
"""

PendingKey = tuple[str, TaggerSpec | None]  # (upload path, tagger): one extraction however many files wait


class Jobs:
    """Creating, running, resuming and reading jobs. Thread-safe: every use of the store holds one lock."""

    def __init__(self, store: Store, uploads_dir: Path, pool: ExtractionPool, default: TaggerChoice):
        self.store = store
        self.uploads_dir = uploads_dir
        self.pool = pool
        self.default = default
        self._lock = threading.RLock()
        self._pending: dict[PendingKey, list[tuple[str, int]]] = {}
        with self._lock, store.transaction() as conn:
            for statement in TABLES.split(";"):
                if statement.strip():
                    conn.execute(statement)
        uploads_dir.mkdir(parents=True, exist_ok=True)

    # --- creating and running

    def _tagger_of(self, choice: TaggerChoice) -> TaggerSpec | None:
        return None if choice.model == self.default.model else choice.spec

    def _keep(self, uploads: list[Upload]) -> list[tuple[Upload, Path]]:
        """Move each upload to uploads/<sha256><suffix> (a file already there is the same content)."""
        kept = []
        for upload in uploads:
            final = self.uploads_dir / f"{upload.sha256}{upload.suffix}"
            if final.exists():
                upload.path.unlink(missing_ok=True)
            else:
                os.replace(upload.path, final)
            kept.append((upload, final))
        return kept

    def create(self, uploads: list[Upload], choice: TaggerChoice, retry_failed: bool = False) -> str:
        """A new job for `uploads` (already type-checked); returns its id. Unavailable if the pool cannot take it."""
        if not self.pool.healthy:
            raise Unavailable(self.pool.error or "the extraction workers are not running")
        if self.pool.waiting + len(uploads) > self.pool.max_queue:
            raise Unavailable(f"the service is busy: {self.pool.waiting} documents are waiting; retry later")
        kept = self._keep(uploads)
        job_id = uuid.uuid4().hex
        stamp = now()
        with self._lock:
            seen = []
            for upload, final in kept:
                st = final.stat()
                seen.append(SeenFile(str(final), str(final.resolve()), upload.sha256, st.st_size, st.st_mtime_ns))
            self.store.record_paths(seen)
            with self.store.transaction() as conn:
                conn.execute(
                    "INSERT INTO service_jobs (id, created_at, state, tagger, model_name, model_version, retry_failed, "
                    "files) VALUES (?, ?, 'running', ?, ?, ?, ?, ?)",
                    (job_id, stamp, json.dumps(asdict(choice.spec)), choice.model.name, choice.model.version,
                     int(retry_failed), len(kept)))
                conn.executemany(
                    "INSERT INTO service_job_files (job_id, idx, filename, sha256, upload, size) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    [(job_id, i, upload.filename, upload.sha256, final.name, upload.size)
                     for i, (upload, final) in enumerate(kept)])
            self._run(job_id, choice.model, self._tagger_of(choice), retry_failed)
        return job_id

    def _run(self, job_id: str, model: ModelInfo, tagger: TaggerSpec | None, retry_failed: bool) -> None:
        """Settle the job's pending files from the store where it has their result, submit the rest."""
        files = self.store.conn.execute(
            "SELECT idx, filename, sha256, upload FROM service_job_files WHERE job_id = ? AND status IS NULL "
            "ORDER BY idx", (job_id,)).fetchall()
        stored = self.store.stored(sha for _, _, sha, _ in files)
        settled = []
        for idx, filename, sha, upload in files:
            kept = stored.get(sha)
            if kept is not None and kept.model == model and (kept.status != "failed" or not retry_failed):
                settled.append((idx, kept.status, self._stored_errors(sha), True))
                continue
            path = self.uploads_dir / upload
            if not path.is_file():
                settled.append((idx, "failed", [f"the uploaded file is gone from {self.uploads_dir}"], False))
                continue
            key = (str(path), tagger)
            if key in self._pending:
                self._pending[key].append((job_id, idx))
                continue
            self._pending[key] = [(job_id, idx)]
            try:
                self.pool.submit(Task(str(path), filename, sha, tagger), self._settle)
            except Unavailable as exc:  # stays pending: the next start resumes it
                del self._pending[key]
                log.warning("job %s file %s not submitted: %s", job_id, idx, exc)
        with self.store.transaction() as conn:
            self._mark(conn, ((job_id, idx, status, errors, reused) for idx, status, errors, reused in settled))

    def _stored_errors(self, sha: str) -> list[str]:
        row = self.store.conn.execute("SELECT errors FROM results WHERE sha256 = ?", (sha,)).fetchone()
        return json.loads(row[0]) if row else []

    @staticmethod
    def _mark(conn, settled: Iterable[tuple[str, int, str, list[str], bool]]) -> None:
        """Record settled files and finish the jobs that have none pending left (inside a transaction)."""
        stamp, jobs = now(), set()
        for job_id, idx, status, errors, reused in settled:
            conn.execute("UPDATE service_job_files SET status = ?, errors = ?, reused = ?, settled_at = ? "
                         "WHERE job_id = ? AND idx = ? AND status IS NULL",
                         (status, json.dumps(errors, ensure_ascii=False), int(reused), stamp, job_id, idx))
            jobs.add(job_id)
        for job_id in jobs:
            left = conn.execute("SELECT COUNT(*) FROM service_job_files WHERE job_id = ? AND status IS NULL",
                                (job_id,)).fetchone()[0]
            if left == 0:
                conn.execute("UPDATE service_jobs SET state = 'finished', finished_at = ? "
                             "WHERE id = ? AND state != 'finished'", (stamp, job_id))

    def _settle(self, outcome: Outcome | None) -> None:
        """An extraction came back (on the pool thread): store it, then settle every file waiting for it."""
        if outcome is None:  # the pool stopped: the files stay pending and are resumed at the next start
            return
        task = outcome.task
        with self._lock:
            waiting = self._pending.pop((task.path, task.tagger), [])
            self.store.save(outcome)
            result = outcome.result
            with self.store.transaction() as conn:
                self._mark(conn, ((job_id, idx, result["status"], result.get("errors", []), False)
                                  for job_id, idx in waiting))

    def resume(self) -> int:
        """Go on with the jobs a previous service left unfinished; returns how many."""
        with self._lock:
            jobs = self.store.conn.execute(
                "SELECT id, tagger, model_name, model_version, retry_failed FROM service_jobs "
                "WHERE state != 'finished' ORDER BY created_at").fetchall()
            for job_id, tagger, name, version, retry_failed in jobs:
                model = ModelInfo(name, version)
                spec = TaggerSpec(**json.loads(tagger))
                if model == self.default.model:
                    self._run(job_id, model, None, bool(retry_failed))
                    continue
                try:
                    choice = choose(spec.name, spec.model)
                    if choice.model != model:
                        raise ValueError(f"{spec.model or spec.name} is now {choice.model.name}-{choice.model.version}")
                except ValueError as exc:
                    reason = f"the model this job asked for ({name}-{version}) is no longer available: {exc}"
                    with self.store.transaction() as conn:
                        pending = conn.execute("SELECT idx FROM service_job_files WHERE job_id = ? AND status IS NULL",
                                               (job_id,)).fetchall()
                        self._mark(conn, ((job_id, idx, "failed", [reason], False) for (idx,) in pending))
                    continue
                self._run(job_id, model, self._tagger_of(choice), bool(retry_failed))
            return len(jobs)

    # --- reading

    def view(self, job_id: str) -> dict | None:
        """A job's state, progress and per-file status; None if there is no such job."""
        with self._lock:
            job = self.store.conn.execute(
                "SELECT id, created_at, finished_at, state, tagger, model_name, model_version, files "
                "FROM service_jobs WHERE id = ?", (job_id,)).fetchone()
            if job is None:
                return None
            rows = self.store.conn.execute(
                "SELECT idx, filename, sha256, size, status, errors, reused FROM service_job_files "
                "WHERE job_id = ? ORDER BY idx", (job_id,)).fetchall()
        files = [{"index": idx, "filename": filename, "sha256": sha, "size": size, "status": status or "pending",
                  "errors": json.loads(errors) if errors else [], "reused": bool(reused)}
                 for idx, filename, sha, size, status, errors, reused in rows]
        progress = {"files": len(files), "done": 0, "pending": 0, "ok": 0, "needs_review": 0, "failed": 0}
        for f in files:
            progress[f["status"]] += 1
            progress["done"] += f["status"] != "pending"
        _, created, finished, state, tagger, name, version, _ = job
        return {"id": job_id, "state": state, "created_at": created, "finished_at": finished,
                "tagger": json.loads(tagger)["name"], "model": {"name": name, "version": version},
                "progress": progress, "files": files}

    def summaries(self, limit: int) -> list[dict]:
        with self._lock:
            rows = self.store.conn.execute(
                "SELECT j.id, j.created_at, j.finished_at, j.state, j.model_name, j.model_version, j.files, "
                "COUNT(f.status) FROM service_jobs j LEFT JOIN service_job_files f ON f.job_id = j.id "
                "GROUP BY j.id ORDER BY j.created_at DESC LIMIT ?", (limit,)).fetchall()
        return [{"id": job_id, "created_at": created, "finished_at": finished, "state": state,
                 "model": {"name": name, "version": version}, "files": files, "done": done}
                for job_id, created, finished, state, name, version, files, done in rows]

    def results(self, job_id: str, start: int, *, stop_at_pending: bool, limit: int = 50
                ) -> tuple[list[tuple[int, dict]], bool]:
        """Results of the job's settled files from index `start` on, in upload order (at most `limit`;
        with `stop_at_pending`, only up to the first pending file), and whether the job is finished.

        Each is the stored result of that content under the file's own name; a file that never reached
        the store (its upload was gone) gets a failed result with the reason."""
        with self._lock:
            state = self.store.conn.execute("SELECT state, model_name, model_version FROM service_jobs WHERE id = ?",
                                            (job_id,)).fetchone()
            if state is None:
                raise KeyError(job_id)
            rows = self.store.conn.execute(
                "SELECT idx, filename, sha256, status, errors FROM service_job_files WHERE job_id = ? AND idx >= ? "
                "ORDER BY idx", (job_id, start)).fetchall()
            out = []
            for idx, filename, sha, status, errors in rows:
                if status is None:
                    if stop_at_pending:
                        break
                    continue
                result = self.store.result(sha)
                if result is None:
                    result = empty_result(filename, sha, SimpleNamespace(name=state[1], version=state[2]))
                    result["errors"] = json.loads(errors or "[]")
                result["source"]["path"] = filename
                out.append((idx, result))
                if len(out) >= limit:
                    break
        return out, state[0] == "finished"

    def close(self) -> None:
        """Close the store once no write is under way (the pool has stopped: no more outcomes come)."""
        with self._lock:
            self.store.close()

    def counts(self) -> dict[str, int]:
        with self._lock:
            return dict(self.store.conn.execute("SELECT state, COUNT(*) FROM service_jobs GROUP BY state"))
