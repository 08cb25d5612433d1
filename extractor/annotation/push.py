"""Push documents to a Label Studio project as tasks pre-annotated by a tagger.

One task per document (by source hash: a document already in the project is
not pushed again), imported most useful first: failed or inconsistent
extractions, then other needs_review ones, then lowest model confidence.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..pipeline import extract_full, sha256_of
from ..tagging import Tagger
from . import tasks as T
from .client import Project, Server


@dataclass
class Pushed:
    path: str
    doc_id: str
    status: str
    priority: float
    confidence: float
    task_id: int | None = None


@dataclass
class PushReport:
    project: Project
    model_version: str
    pushed: list[Pushed] = field(default_factory=list)
    already: list[tuple[str, str]] = field(default_factory=list)  # (path, where it already is)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)


def model_version_of(tagger: Tagger) -> str:
    return f"{tagger.name}-{tagger.version}"


def prepare(path: str, sha256: str, tagger: Tagger, model_version: str) -> tuple[dict, Pushed] | str:
    """The import item (data and prediction) for one file, or the reason it cannot be pushed."""
    extraction = extract_full(path, tagger=tagger)
    result = extraction.result
    if extraction.document is None or extraction.tags is None:
        return "; ".join(result["errors"]) or "could not be read"
    doc, tags = extraction.document, extraction.tags
    if not doc.tokens:
        return "no text found in the file"
    task_text = T.layout(doc.tokens)
    doc_id = T.doc_id_for(Path(path).stem, sha256)
    confidence = T.mean_confidence(tags)
    task_priority = T.priority(result["status"], result["checks"], tags)
    data = T.task_data(doc, task_text, doc_id=doc_id, source=str(Path(path).resolve()), sha256=sha256,
                       status=result["status"], errors=result["errors"], model_version=model_version,
                       task_priority=task_priority, confidence=confidence)
    item = {"data": data, "predictions": [T.prediction(tags, task_text, model_version)]}
    return item, Pushed(path, doc_id, result["status"], task_priority, confidence)


def push(paths: Sequence[str], server: Server, title: str, tagger: Tagger, *, progress=None) -> PushReport:
    """Push `paths` to the project titled `title` (created if missing); see the module doc."""
    model_version = model_version_of(tagger)
    project = server.ensure_project(title)
    report = PushReport(project, model_version)
    known = server.task_hashes(project.id)
    seen: dict[str, str] = {}  # sha256 -> path, in this push
    prepared: list[tuple[dict, Pushed]] = []
    for path in paths:
        if progress:
            progress(path)
        sha256 = sha256_of(Path(path))
        if sha256 is None:
            report.failed.append((path, "the file could not be read"))
            continue
        if sha256 in known:
            report.already.append((path, f"task {known[sha256]}"))
            continue
        if sha256 in seen:
            report.already.append((path, f"same content as {seen[sha256]}"))
            continue
        made = prepare(path, sha256, tagger, model_version)
        if isinstance(made, str):
            report.failed.append((path, made))
            continue
        seen[sha256] = path
        prepared.append(made)
    prepared.sort(key=lambda pair: -pair[1].priority)  # stable: input order within equal priority
    ids = server.import_tasks(project.id, [item for item, _ in prepared])
    for (_, pushed), task_id in zip(prepared, ids):
        pushed.task_id = task_id
    report.pushed = [pushed for _, pushed in prepared]
    return report
