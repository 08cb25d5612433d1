"""The results store: one SQLite file (WAL mode), one row per distinct file content.

Tables (schema version STORE_SCHEMA_VERSION, kept in `meta`):

    meta     key -> value: schema_version, application, created_at, created_by
    results  one row per content sha256: status, errors, model, timings, the
             result JSON (OUTPUT.md), attempts, timestamps
    paths    every (path, sha256) pair ever seen, with the size and mtime the
             file had, so an unchanged file is not hashed again on a rerun
    runs     one row per `ogi extract --store` run: settings, state, counts

Every write is one transaction (BEGIN IMMEDIATE ... COMMIT) with
synchronous=FULL: a crash or kill -9 at any moment leaves each row either
fully written or absent, and never loses a committed result.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Self

from .. import __version__
from ..pipeline import printable
from .job import ModelInfo, Outcome

STORE_SCHEMA_VERSION = 1
APPLICATION = "ogi-extractor results store"
STATUSES = ("ok", "needs_review", "failed")

SCHEMA = """
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE results (
    sha256             TEXT PRIMARY KEY,
    status             TEXT NOT NULL CHECK (status IN ('ok', 'needs_review', 'failed')),
    errors             TEXT NOT NULL,    -- JSON array of strings
    model_name         TEXT NOT NULL,
    model_version      TEXT NOT NULL,
    path               TEXT NOT NULL,    -- the path it was extracted from, as given (source.path)
    format             TEXT,
    pages              INTEGER,
    organization       TEXT,
    year               INTEGER,
    format_version     TEXT,
    seconds            TEXT NOT NULL,    -- JSON: load, tag, assemble, total (wall, in the worker), cpu
    worker             TEXT NOT NULL,    -- engine:host:pid
    attempts           INTEGER NOT NULL,
    result             TEXT NOT NULL,    -- the result JSON of OUTPUT.md
    first_extracted_at TEXT NOT NULL,
    extracted_at       TEXT NOT NULL
);
CREATE INDEX results_status ON results (status);
CREATE TABLE paths (
    path          TEXT NOT NULL,         -- absolute
    sha256        TEXT NOT NULL,
    size          INTEGER NOT NULL,
    mtime_ns      INTEGER NOT NULL,
    first_seen_at TEXT NOT NULL,
    last_seen_at  TEXT NOT NULL,
    PRIMARY KEY (path, sha256)
);
CREATE INDEX paths_sha256 ON paths (sha256);
CREATE TABLE runs (
    id            INTEGER PRIMARY KEY,
    started_at    TEXT NOT NULL,
    ended_at      TEXT,
    state         TEXT NOT NULL,         -- running | finished | interrupted (running forever: killed)
    settings      TEXT NOT NULL,         -- JSON
    model_name    TEXT NOT NULL,
    model_version TEXT NOT NULL,
    counts        TEXT                   -- JSON
);
"""


class StoreError(Exception):
    """The file is not a store this code can use; the message says why and what to do."""


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


@dataclass(frozen=True)
class Stored:
    """What planning needs to know about a stored result."""

    status: str
    model: ModelInfo


@dataclass(frozen=True)
class SeenFile:
    """One input file as hashed: where it is, what it holds."""

    path: str  # as given
    abspath: str
    sha256: str
    size: int
    mtime_ns: int


class Store:
    """An open results store. Use `Store.open(path)`; one writer at a time (others wait up to 60 s)."""

    def __init__(self, conn: sqlite3.Connection, path: Path):
        self.conn = conn
        self.path = path

    # --- opening -----------------------------------------------------------------

    @classmethod
    def open(cls, path: str | Path, *, create: bool = True) -> Store:
        path = Path(path)
        if not path.exists() and not create:
            raise StoreError(f"{path}: no such results store")
        if path.exists() and not path.is_file():
            raise StoreError(f"{path}: not a file")
        try:
            conn = sqlite3.connect(path, timeout=60.0, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{path}: not an ogi results store (SQLite says: {exc})") from None
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA foreign_keys=ON")
        store = cls(conn, path)
        try:
            store._check_or_create(create)
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise StoreError(f"{path}: not an ogi results store (SQLite says: {exc})") from None
        except BaseException:
            conn.close()
            raise
        return store

    def _tables(self) -> set[str]:
        return {row[0] for row in self.conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}

    def _check_or_create(self, create: bool) -> None:
        tables = self._tables()
        if not tables and create:
            with self.transaction():  # two runs starting on a new file at once: one creates, the other waits
                tables = self._tables()
                if not tables:
                    for statement in SCHEMA.split(";"):
                        if statement.strip():
                            self.conn.execute(statement)
                    self.conn.executemany("INSERT INTO meta (key, value) VALUES (?, ?)", [
                        ("schema_version", str(STORE_SCHEMA_VERSION)), ("application", APPLICATION),
                        ("created_at", now()), ("created_by", f"ogi-extractor {__version__}")])
                    return
        if "meta" not in tables:
            raise StoreError(f"{self.path}: an SQLite database, but not an ogi results store (no meta table)")
        meta = self.meta()
        if meta.get("application") != APPLICATION:
            raise StoreError(f"{self.path}: an SQLite database, but not an ogi results store")
        version = int(meta.get("schema_version", "0"))
        if version > STORE_SCHEMA_VERSION:
            raise StoreError(
                f"{self.path} was written by a newer ogi-extractor ({meta.get('created_by', '?')}): store schema "
                f"{version}, this version reads up to {STORE_SCHEMA_VERSION}; upgrade ogi-extractor to use it")
        if version < STORE_SCHEMA_VERSION:  # no older schema exists yet; migrations go here
            raise StoreError(f"{self.path}: store schema {version} is not supported")

    def meta(self) -> dict[str, str]:
        return dict(self.conn.execute("SELECT key, value FROM meta"))

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic write: everything inside is committed together or not at all."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    # --- paths -------------------------------------------------------------------

    def known_hashes(self) -> dict[tuple[str, int, int], str]:
        """(abspath, size, mtime_ns) -> sha256 of every file seen before."""
        return {(p, s, m): h for p, h, s, m in self.conn.execute("SELECT path, sha256, size, mtime_ns FROM paths")}

    def record_paths(self, files: Iterable[SeenFile]) -> None:
        stamp = now()
        with self.transaction() as conn:
            conn.executemany(
                "INSERT INTO paths (path, sha256, size, mtime_ns, first_seen_at, last_seen_at) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (path, sha256) DO UPDATE SET "
                "size = excluded.size, mtime_ns = excluded.mtime_ns, last_seen_at = excluded.last_seen_at",
                [(printable(f.abspath), f.sha256, f.size, f.mtime_ns, stamp, stamp) for f in files])

    def paths_of(self, sha256: str) -> list[str]:
        return [row[0] for row in self.conn.execute(
            "SELECT path FROM paths WHERE sha256 = ? ORDER BY first_seen_at, path", (sha256,))]

    # --- results -----------------------------------------------------------------

    def stored(self, shas: Iterable[str]) -> dict[str, Stored]:
        """Status and model of those of `shas` that have a stored result."""
        wanted = list(dict.fromkeys(shas))
        found: dict[str, Stored] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            marks = ",".join("?" * len(chunk))
            for sha, status, name, version in self.conn.execute(
                    f"SELECT sha256, status, model_name, model_version FROM results WHERE sha256 IN ({marks})", chunk):
                found[sha] = Stored(status, ModelInfo(name, version))
        return found

    def save(self, outcome: Outcome) -> str:
        """Store one outcome in one transaction; returns the sha256 it is stored under."""
        result = outcome.result
        source, report = result.get("source") or {}, result.get("report") or {}
        # Keyed by the content actually extracted (it differs from the plan if the file changed meanwhile).
        sha = source.get("sha256") or outcome.task.sha256
        model = result.get("model") or {}
        stamp = now()
        row = {
            "sha256": sha, "status": result["status"],
            "errors": json.dumps(result.get("errors", []), ensure_ascii=False),
            "model_name": str(model.get("name")), "model_version": str(model.get("version")),
            "path": printable(outcome.task.display_path), "format": source.get("format"), "pages": source.get("pages"),
            "organization": report.get("organization"), "year": report.get("year"),
            "format_version": report.get("format_version"), "seconds": json.dumps(outcome.seconds),
            "worker": outcome.worker, "result": json.dumps(result, ensure_ascii=False), "at": stamp,
        }
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO results (sha256, status, errors, model_name, model_version, path, format, pages, "
                "organization, year, format_version, seconds, worker, attempts, result, first_extracted_at, "
                "extracted_at) VALUES (:sha256, :status, :errors, :model_name, :model_version, :path, :format, "
                ":pages, :organization, :year, :format_version, :seconds, :worker, 1, :result, :at, :at) "
                "ON CONFLICT (sha256) DO UPDATE SET status = excluded.status, errors = excluded.errors, "
                "model_name = excluded.model_name, model_version = excluded.model_version, path = excluded.path, "
                "format = excluded.format, pages = excluded.pages, organization = excluded.organization, "
                "year = excluded.year, format_version = excluded.format_version, seconds = excluded.seconds, "
                "worker = excluded.worker, attempts = results.attempts + 1, result = excluded.result, "
                "extracted_at = excluded.extracted_at", row)
            if sha != outcome.task.sha256:
                try:
                    st = os.stat(outcome.task.path)
                except OSError:
                    pass
                else:
                    conn.execute(
                        "INSERT OR IGNORE INTO paths (path, sha256, size, mtime_ns, first_seen_at, last_seen_at) "
                        "VALUES (?, ?, ?, ?, ?, ?)",
                        (os.path.abspath(outcome.task.path), sha, st.st_size, st.st_mtime_ns, stamp, stamp))
        return sha

    def result(self, sha256: str) -> dict | None:
        row = self.conn.execute("SELECT result FROM results WHERE sha256 = ?", (sha256,)).fetchone()
        return json.loads(row[0]) if row else None

    def rows(self, columns: str = "*", where: str = "", params: tuple = ()) -> Iterator[sqlite3.Row]:
        """Result rows in a stable order (sha256), as sqlite3.Row (read-only use: exports, status)."""
        cursor = self.conn.cursor()
        cursor.row_factory = sqlite3.Row
        yield from cursor.execute(f"SELECT {columns} FROM results {where} ORDER BY sha256", params)

    # --- runs --------------------------------------------------------------------

    def begin_run(self, settings: dict, model: ModelInfo) -> int:
        with self.transaction() as conn:
            cursor = conn.execute(
                "INSERT INTO runs (started_at, state, settings, model_name, model_version) "
                "VALUES (?, 'running', ?, ?, ?)",
                (now(), json.dumps(settings, ensure_ascii=False), model.name, model.version))
            return int(cursor.lastrowid)

    def end_run(self, run_id: int, state: str, counts: dict) -> None:
        with self.transaction() as conn:
            conn.execute("UPDATE runs SET ended_at = ?, state = ?, counts = ? WHERE id = ?",
                         (now(), state, json.dumps(counts), run_id))
