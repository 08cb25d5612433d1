"""`ogi status STORE`: what a results store holds, and the commonest reasons files fail or need review."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .store import STATUSES, Store

_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def error_kind(message: str) -> str:
    """An error with its figures masked, so "timed out after 2 s" and "… 5 s" count as one kind."""
    return _NUMBER.sub("N", message)


def commonest_errors(error_lists: Iterable[list[str]], top: int = 10) -> list[tuple[str, int, str]]:
    """(kind, number of files, one example message) for the `top` kinds, commonest first."""
    counts: Counter = Counter()
    example: dict[str, str] = {}
    for errors in error_lists:
        for kind in dict.fromkeys(error_kind(e) for e in errors):  # a file counts once per kind
            counts[kind] += 1
        for e in errors:
            example.setdefault(error_kind(e), e)
    return [(kind, n, example[kind]) for kind, n in counts.most_common(top)]


@dataclass
class StoreStatus:
    path: str
    meta: dict
    by_status: dict[str, int]
    by_model: dict[str, int]
    paths: int  # distinct paths seen
    pending: int  # distinct contents seen but with no stored result (a run was interrupted)
    errors: list[tuple[str, int, str]] = field(default_factory=list)
    last_run: dict | None = None

    def as_dict(self) -> dict:
        return {"store": self.path, "schema_version": int(self.meta.get("schema_version", 0)),
                "results": sum(self.by_status.values()), "by_status": self.by_status, "by_model": self.by_model,
                "paths": self.paths, "pending": self.pending, "last_run": self.last_run,
                "commonest_errors": [{"error": kind, "files": n, "example": ex} for kind, n, ex in self.errors]}


def store_status(store_path: str | Path, top: int = 10) -> StoreStatus:
    with Store.open(store_path, create=False) as store:
        conn = store.conn
        by_status = {s: 0 for s in STATUSES}
        by_status.update(dict(conn.execute("SELECT status, COUNT(*) FROM results GROUP BY status")))
        by_model = {f"{name} {version}": n for name, version, n in conn.execute(
            "SELECT model_name, model_version, COUNT(*) FROM results GROUP BY 1, 2 ORDER BY 3 DESC")}
        paths = conn.execute("SELECT COUNT(DISTINCT path) FROM paths").fetchone()[0]
        pending = conn.execute("SELECT COUNT(DISTINCT sha256) FROM paths WHERE sha256 NOT IN "
                               "(SELECT sha256 FROM results)").fetchone()[0]
        errors = commonest_errors((json.loads(e) for (e,) in conn.execute(
            "SELECT errors FROM results WHERE status != 'ok'")), top)
        run = conn.execute("SELECT id, started_at, ended_at, state, counts, model_name, model_version "
                           "FROM runs ORDER BY id DESC LIMIT 1").fetchone()
        last_run = None
        if run:
            last_run = {"id": run[0], "started_at": run[1], "ended_at": run[2], "state": run[3],
                        "counts": json.loads(run[4]) if run[4] else None, "model": f"{run[5]} {run[6]}"}
        return StoreStatus(str(store_path), store.meta(), by_status, by_model, paths, pending, errors, last_run)


def format_status(status: StoreStatus) -> str:
    total = sum(status.by_status.values())
    counts = ", ".join(f"{status.by_status.get(s, 0)} {s}" for s in STATUSES)
    lines = [(f"{status.path}: {total} reports stored ({counts}); {status.paths} paths seen; "
             f"{status.pending} seen but not yet extracted")]
    if status.by_model:
        lines.append("models: " + ", ".join(f"{model} ({n})" for model, n in status.by_model.items()))
    run = status.last_run
    if run:
        state = run["state"]
        if state == "running":
            state = "running, or stopped without finishing (killed?): run it again to go on"
        lines.append(f"last run: #{run['id']} started {run['started_at']}, {state}")
    if status.errors:
        lines.append("commonest errors (files):")
        lines += [f"  {n:6d}  {example}" if kind == example else f"  {n:6d}  {kind}  (e.g. {example})"
                  for kind, n, example in status.errors]
    return "\n".join(lines)
