"""Pull corrected annotations from a Label Studio project into `annotations/`.

For every task with a submitted annotation (the latest one; a ground-truth
one first; skipped ones ignored):

- spans -> token labels (`tasks.token_labels`). Every token must be covered
  by a span: an annotation leaving tokens uncovered is incomplete and is
  reported and not stored, unless `uncovered="prose"` makes them prose.
- `train/<project-slug>.jsonl`: the labelled tokens (LabelledDoc, origin
  "annotation", sha256 of the source) of documents in the train split;
  documents in dev or test go to `heldout/<project-slug>.jsonl` instead, so
  nothing held out is trained on by accident.
- `gold/<doc_id>/`: the source file (found by its hash) and `gold.json`
  assembled from the corrected labels, with an `annotation` block saying
  where it came from. A hand-made gold of the same document is never
  overwritten.
- `gold/splits.json` (which names gold folders only): a new document joins
  `split` (default "train"), or the split of a gold document that is the same
  report (same body and year, e.g. the same report in another format); a
  document already in a split stays there, and asking for another split is
  reported as a conflict, never done.
- `train/<project-slug>.changes.json`: tokens annotators changed against the
  model's pre-annotations, per label (also printed as a table).

The JSONL files are rewritten from the project's current state on each pull.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..dataset import LabelledDoc, token_from_dict, write_jsonl
from ..labels import Label
from ..loaders import supported
from ..pipeline import sha256_of
from ..tokens import Document
from . import tasks as T
from .changes import ChangeCount
from .client import Server
from .gold import gold_from_labels

SPLITS = ("train", "dev", "test")
UNCOVERED_POLICIES = ("reject", "prose")


@dataclass
class PulledDoc:
    doc_id: str
    task_id: int
    annotation_id: int | None
    split: str
    tokens: int
    changed: int | None  # None: the task had no usable pre-annotation to compare with
    gold: str  # what happened to its gold folder


@dataclass
class PullReport:
    project: str
    docs: list[PulledDoc] = field(default_factory=list)
    rejected: list[dict] = field(default_factory=list)  # {task, doc_id, reason}
    conflicts: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # decisions worth knowing, not errors
    changes: ChangeCount = field(default_factory=ChangeCount)
    written: list[Path] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.rejected and not self.conflicts


# Choosing what to read


def choose_annotation(annotations: Sequence[dict]) -> dict | None:
    """The annotation that counts: not skipped; a ground-truth one first, then the latest."""
    usable = [a for a in annotations if not a.get("was_cancelled") and a.get("result") is not None]
    if not usable:
        return None
    return max(usable, key=lambda a: (bool(a.get("ground_truth")), a.get("updated_at") or "", a.get("id") or 0))


def pre_annotation(server: Server, task: dict) -> list[Label] | None:
    """The model's token labels as pushed (the prediction of the task's model version), if complete."""
    data = task["data"]
    predictions = server.predictions(task["id"])
    if not predictions:
        return None
    same = [p for p in predictions if p.model_version == data.get("model_version")]
    chosen = (same or sorted(predictions, key=lambda p: p.created_at))[0]
    try:
        labels = T.token_labels(chosen.result, data["offsets"], data["text"])
    except T.AnnotationError:
        return None
    return None if any(label is None for label in labels) else labels


# Splits and gold folders


def load_splits(path: Path) -> dict[str, list[str]]:
    splits = json.loads(path.read_text("utf-8")) if path.exists() else {}
    for name in SPLITS:
        splits.setdefault(name, [])
    return splits


def split_of(splits: dict[str, list[str]], doc_id: str) -> str | None:
    return next((name for name, ids in splits.items() if doc_id in ids), None)


def gold_index(gold_dir: Path) -> dict[str, tuple[str, bool]]:
    """sha256 of each gold folder's source -> (doc_id, whether the gold came from an annotation)."""
    index: dict[str, tuple[str, bool]] = {}
    for gold_json in sorted(gold_dir.glob("*/gold.json")):
        try:
            gold = json.loads(gold_json.read_text("utf-8"))
            sha = gold["source"]["sha256"]
        except (OSError, ValueError, KeyError, TypeError):
            continue
        index.setdefault(sha, (gold_json.parent.name, "annotation" in gold))
    return index


def find_source(pushed_path: str | None, sha256: str, folders: Sequence[str]) -> Path | None:
    """The source file: where it was pushed from, else any supported file under `folders` with its hash."""
    candidates: list[Path] = [Path(pushed_path)] if pushed_path else []
    for folder in folders:
        for root, dirs, files in os.walk(folder):
            dirs.sort()
            candidates += [Path(root) / f for f in sorted(files) if supported(Path(f))]
    return next((c for c in candidates if c.is_file() and sha256_of(c) == sha256), None)


def _write_json(path: Path, data: object) -> None:
    tmp = path.with_suffix(path.suffix + ".part")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    tmp.replace(path)


def write_gold(folder: Path, gold: dict | None, notes: Sequence[str], source: Path | None, sha256: str,
               provenance: dict) -> str:
    """Write a gold folder (source file and gold.json) from an assembled gold; returns what happened, in words."""
    existing = folder / "gold.json"
    if existing.exists():
        old = json.loads(existing.read_text("utf-8"))
        if "annotation" not in old:
            return "kept: a hand-made gold exists"
        if (old.get("source") or {}).get("sha256") != sha256:
            return "not written: the folder holds another document"
    if source is None:
        return "not written: source file not found (give its folder with --sources)"
    if gold is None:
        return "not written: the labels do not make a report (" + "; ".join(notes) + ")"
    gold = dict(gold, annotation=dict(provenance, assembly_notes=list(notes)))
    source_file = gold["source"]["file"]
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("source.*"):
        if stale.name != source_file:
            stale.unlink()
    if sha256_of(folder / source_file) != sha256:
        shutil.copyfile(source, folder / source_file)
    _write_json(existing, gold)
    return "written" + (f" ({len(notes)} assembly notes)" if notes else "")


def report_index(gold_dir: Path) -> dict[tuple[str, int], str]:
    """(organization, year) -> doc_id of each gold report: one report per body and year, whatever its file."""
    index: dict[tuple[str, int], str] = {}
    for gold_json in sorted(gold_dir.glob("*/gold.json")):
        try:
            report = json.loads(gold_json.read_text("utf-8"))["report"]
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if report.get("organization") and report.get("year"):
            index.setdefault((report["organization"], report["year"]), gold_json.parent.name)
    return index


def _new_split(doc_id: str, gold: dict | None, asked: str | None, splits: dict[str, list[str]],
               reports: dict[tuple[str, int], str], report: PullReport) -> str:
    """The split of a document new to splits.json: `asked` (default train), unless it is the same report
    (same body and year: another file or format of it) as a gold document already in a split: then that
    document's split, so one report never sits on both sides."""
    wanted = asked or "train"
    printed = (gold or {}).get("report") or {}
    key = (printed.get("organization"), printed.get("year"))
    twin = reports.get(key) if all(key) else None
    twin_split = split_of(splits, twin) if twin and twin != doc_id else None
    if twin_split is None or twin_split == wanted:
        return wanted
    message = (f"{doc_id} is the same report as {twin} ({key[0]} {key[1]}), which is in {twin_split}: "
               f"it joins {twin_split}")
    (report.conflicts if asked else report.notes).append(message)
    return twin_split


# The pull


def pull(server: Server, title: str, annotations_dir: Path, *, split: str | None = None,
         uncovered: str = "reject", sources: Sequence[str] = ()) -> PullReport:
    """Pull the project's submitted annotations into `annotations_dir` (see the module doc)."""
    if split is not None and split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; choose one of {', '.join(SPLITS)}")
    if uncovered not in UNCOVERED_POLICIES:
        raise ValueError(f"unknown policy {uncovered!r} for uncovered tokens; choose one of {UNCOVERED_POLICIES}")
    project = server.project(title)
    exported = server.export_annotated(project.id)
    annotations_dir = Path(annotations_dir)
    gold_dir = annotations_dir / "gold"
    splits_path = gold_dir / "splits.json"
    splits = load_splits(splits_path)
    splits_before = json.dumps(splits, sort_keys=True)
    index = gold_index(gold_dir)
    reports = report_index(gold_dir)
    report = PullReport(title)
    stored: dict[str, list[LabelledDoc]] = {"train": [], "heldout": []}

    for task in sorted(exported, key=lambda t: t.get("id") or 0):
        data = task.get("data") or {}
        missing = [key for key in T.DATA_KEYS if key not in data]
        if missing:
            report.rejected.append({"task": task.get("id"), "doc_id": None,
                                    "reason": f"not a task made by ogi annotate push (no {', '.join(missing)})"})
            continue
        annotation = choose_annotation(task.get("annotations") or [])
        if annotation is None:
            continue  # only skipped: nothing submitted
        tokens = [token_from_dict(t) for t in data["tokens"]]
        reason = None
        if len(data["offsets"]) != len(tokens):
            reason = f"{len(data['offsets'])} offsets for {len(tokens)} tokens"
        else:
            try:
                found = T.token_labels(annotation["result"], data["offsets"], data["text"])
            except T.AnnotationError as exc:
                reason = str(exc)
        if reason is None and uncovered == "reject" and None in found:
            reason = (f"incomplete: {found.count(None)} token(s) have no label: "
                      + "; ".join(T.uncovered_lines(found, tokens)))
        if reason is not None:
            report.rejected.append({"task": task["id"], "doc_id": data["doc_id"], "reason": reason})
            continue
        labels = [label or Label.PROSE for label in found]

        predicted = pre_annotation(server, task)
        changed = report.changes.add(predicted, labels) if predicted is not None else None

        sha256 = data["sha256"]
        doc_id, _ = index.get(sha256, (data["doc_id"], True))
        doc = Document(tokens=tokens, format=data["format"], pages=int(data.get("pages") or 1))
        source = find_source(data.get("source"), sha256, sources)
        source_file = "source" + (source.suffix.lower() if source else "." + data["format"])
        gold, notes = gold_from_labels(doc, labels, doc_id=doc_id, source_file=source_file, sha256=sha256)
        current = split_of(splits, doc_id)
        listed = current is not None
        if not listed:
            current = _new_split(doc_id, gold, split, splits, reports, report)
        elif split is not None and split != current:
            report.conflicts.append(f"{doc_id} is in the {current} split and stays there (asked: {split}); "
                                    "documents never move between splits")
        stored["train" if current == "train" else "heldout"].append(
            LabelledDoc(doc_id, "annotation", data["format"], data.get("layout") or data["format"], sha256,
                        tokens, labels))
        provenance = {"origin": "annotation", "project": title, "label_studio": server.url, "task": task["id"],
                      "annotation": annotation.get("id"), "annotator": annotation.get("completed_by"),
                      "updated_at": annotation.get("updated_at"), "uncovered_as_prose": found.count(None)}
        outcome = write_gold(gold_dir / doc_id, gold, notes, source, sha256, provenance)
        if not listed and (gold_dir / doc_id / "gold.json").exists():  # splits.json names gold folders only
            splits[current].append(doc_id)
            splits[current].sort()
        report.docs.append(PulledDoc(doc_id, task["id"], annotation.get("id"), current, len(tokens), changed, outcome))

    project_slug = T.slug(title)
    for kind, docs in stored.items():
        path = annotations_dir / kind / f"{project_slug}.jsonl"
        if docs or path.exists():
            write_jsonl(docs, path)
            report.written.append(path)
    if json.dumps(splits, sort_keys=True) != splits_before:
        gold_dir.mkdir(parents=True, exist_ok=True)
        _write_json(splits_path, splits)
        report.written.append(splits_path)
    summary_path = annotations_dir / "train" / f"{project_slug}.changes.json"
    summary_path.parent.mkdir(parents=True, exist_ok=True)
    _write_json(summary_path, summary(report, server.url))
    report.written.append(summary_path)
    return report


def summary(report: PullReport, url: str) -> dict:
    return {
        "project": report.project, "label_studio": url,
        "pulled_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        **report.changes.summary(),
        "per_document": [{"doc_id": d.doc_id, "task": d.task_id, "annotation": d.annotation_id, "split": d.split,
                          "tokens": d.tokens, "changed": d.changed, "gold": d.gold} for d in report.docs],
        "rejected": report.rejected,
        "split_conflicts": report.conflicts,
        "notes": report.notes,
    }
