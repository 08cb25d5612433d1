"""What a run has to do: hash the inputs, then decide per distinct content whether to extract it.

Pure functions over plain data (the store is read before and written after).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from .job import ModelInfo, Task
from .store import SeenFile, Stored

HashCache = Mapping[tuple[str, int, int], str]  # (abspath, size, mtime_ns) -> sha256


@dataclass(frozen=True)
class Unreadable:
    """An input that could not even be hashed (missing, a folder, no permission)."""

    path: str
    reason: str


def file_sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def see_file(path: str, cache: HashCache, hasher: Callable[[str], str] = file_sha256) -> SeenFile | Unreadable:
    """Hash one input, reusing the stored hash when its path, size and mtime are unchanged."""
    abspath = os.path.abspath(path)
    try:
        st = os.stat(path)
        if not os.path.isfile(path):
            return Unreadable(path, "not a regular file")
        sha = cache.get((abspath, st.st_size, st.st_mtime_ns)) or hasher(path)
    except FileNotFoundError:
        return Unreadable(path, "no such file")
    except OSError as exc:
        return Unreadable(path, f"the file could not be read: {exc.strerror or exc}")
    return SeenFile(path, abspath, sha, st.st_size, st.st_mtime_ns)


def see_files(paths: Sequence[str], cache: HashCache, threads: int = 4) -> list[SeenFile | Unreadable]:
    """`see_file` of every path, in input order (hashing overlaps on a few threads: it is I/O)."""
    pool = ThreadPoolExecutor(max_workers=threads)
    try:
        return list(pool.map(lambda p: see_file(p, cache), paths))
    finally:  # on Ctrl-C, do not wait for the remaining files to be hashed
        pool.shutdown(wait=False, cancel_futures=True)


def needs_extraction(stored: Stored | None, model: ModelInfo, retry_failed: bool) -> str | None:
    """Why this content must be extracted now, or None to keep the stored result."""
    if stored is None:
        return "new"
    if stored.model != model:
        return "model changed"
    if stored.status == "failed" and retry_failed:
        return "retry"
    return None


@dataclass
class Plan:
    tasks: list[Task] = field(default_factory=list)  # one per distinct content to extract, in input order
    kept: int = 0  # distinct contents whose stored result stays
    kept_failed: int = 0  # of those, failed ones (rerun with --retry-failed)
    duplicates: int = 0  # inputs whose content another input of this run already has
    reasons: dict[str, int] = field(default_factory=dict)


def make_plan(files: Sequence[SeenFile], stored: Mapping[str, Stored], model: ModelInfo,
              retry_failed: bool) -> Plan:
    plan = Plan()
    seen: set[str] = set()
    for f in files:
        if f.sha256 in seen:
            plan.duplicates += 1
            continue
        seen.add(f.sha256)
        reason = needs_extraction(stored.get(f.sha256), model, retry_failed)
        if reason is None:
            plan.kept += 1
            plan.kept_failed += stored[f.sha256].status == "failed"
        else:
            # Workers open the absolute path (a Ray actor does not share the driver's working directory).
            plan.tasks.append(Task(f.abspath, f.path, f.sha256))
            plan.reasons[reason] = plan.reasons.get(reason, 0) + 1
    return plan
