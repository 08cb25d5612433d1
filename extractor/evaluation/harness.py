"""`ogi eval`: run the extractor over the gold set in every input format and write a report.

    run_eval(EvalSettings(tagger="rules", split="all")) -> eval/reports/rules-<version>/
        metrics.json   every figure (see metrics.py), per format and layout, plus the baselines
        report.md      the same as tables, the worst documents, other versions and baselines
        figures/*.png  per-label F1, tag confusion, accuracy per format, accuracy across versions

With `challenge_dir`, the frozen challenge set (evaluation.challenge) is read by the same taggers
and its figures go into metrics.json (`challenge`) and report.md.

Each input is loaded once; the tagger under test and each available baseline
(rules always, sklearn when get_tagger("sklearn") works) tag and assemble the
same loaded document, so they are scored on identical tokens.
"""

from __future__ import annotations

import datetime as _dt
import json
import logging
import platform
import re
import subprocess
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from .. import __version__
from ..labelling import gold_labels
from ..pipeline import Extraction, empty_result, extract_document, extract_full
from ..tagging import Tagger, get_tagger
from .challenge import ChallengeSet, challenge_block, load_challenge
from .goldset import DEFAULT_FORMATS, EvalInput, GoldDoc, gold_docs, gold_set_hash, input_for, layout_of, score_format
from .metrics import DocScore, doc_record, grouped, score_document, summarize

log = logging.getLogger(__name__)
BASELINES = ("rules", "sklearn")
METRICS_SCHEMA = "ogi-eval/1"
_UNSAFE = re.compile(r"[^A-Za-z0-9._+-]+")


@dataclass(frozen=True)
class EvalSettings:
    """What one `ogi eval` run does."""

    gold_dir: Path = Path("annotations/gold")
    split: str = "test"
    formats: tuple[str, ...] = DEFAULT_FORMATS  # scanned-pdf only when asked for (OCR is slow)
    out_dir: Path = Path("eval/reports")
    cache_dir: Path = Path(".cache/eval")
    tagger: str = "model"
    model: str | None = None
    baselines: bool = True  # also run the rules and sklearn taggers on the same inputs
    figures: bool = True
    progress: bool = True
    worst: int = 10  # documents listed with their wrong cells in report.md
    challenge_dir: Path | None = None  # the frozen challenge set (evaluation.challenge), measured beside the gold


@dataclass
class TaggerRun:
    """One tagger's scores over the inputs."""

    name: str
    tagger: Tagger | None
    scores: list[DocScore] = field(default_factory=list)
    unavailable: str | None = None  # why a baseline could not run


def report_name(tagger: Tagger) -> str:
    """Folder name of a tagger's report: <name>-<version> (e.g. rules-1), safe as a path."""
    version = str(tagger.version)
    name = version if version.startswith(f"{tagger.name}-") else f"{tagger.name}-{version}"
    return _UNSAFE.sub("_", name).strip("._") or "unnamed"


def code_version() -> dict:
    """Package version and the git commit of the working tree (dirty when it has uncommitted changes)."""
    root = Path(__file__).resolve().parents[2]
    out = {"package_version": __version__, "git_commit": None, "git_dirty": None}
    try:
        out["git_commit"] = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True,
                                           text=True, timeout=10, check=True).stdout.strip() or None
        status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root,
                                capture_output=True, text=True, timeout=10, check=True).stdout
        out["git_dirty"] = bool(status.strip())
    except (OSError, subprocess.SubprocessError):
        pass
    return out


def available_baselines(main_name: str, main: Tagger) -> list[TaggerRun]:
    """The baselines other than the tagger under test; unavailable ones keep the reason."""
    runs = []
    for name in BASELINES:
        if name in (main_name, main.name):
            continue
        try:
            runs.append(TaggerRun(name, get_tagger(name)))
        except Exception as exc:  # noqa: BLE001  (not there yet, or no trained model: the eval goes on without it)
            runs.append(TaggerRun(name, None, unavailable=f"{type(exc).__name__}: {exc}"))
    return runs


def extract_loaded(extraction: Extraction, path: str, tagger: Tagger) -> Extraction:
    """What `tagger` makes of a document another extraction already loaded (as extract_full would)."""
    result = empty_result(path, extraction.result["source"]["sha256"], tagger)
    out = Extraction(result, extraction.document, seconds={"load": extraction.seconds.get("load", 0.0)})
    if extraction.document is None:
        result["errors"] = list(extraction.result["errors"])
        return out
    try:
        _, out.tags = extract_document(extraction.document, result, tagger, out.seconds)
    except Exception as exc:  # noqa: BLE001  (a bug must cost one file, not the run)
        log.error("internal error on %s:\n%s", path, traceback.format_exc())
        result.update(status="failed", errors=[f"internal error while extracting ({type(exc).__name__}: {exc})"])
    return out


def token_gold(extraction: Extraction, gold: dict) -> list[str] | None:
    if extraction.document is None:
        return None
    try:
        return [label.value for label in gold_labels(extraction.document, gold)]
    except Exception:  # noqa: BLE001  (a document the labeller cannot follow is scored without tags)
        log.warning("no gold labels for %s:\n%s", extraction.result["source"]["path"], traceback.format_exc())
        return None


def score_input(item: EvalInput, extraction: Extraction, layout: str, labels: list[str] | None) -> DocScore:
    tags = None if extraction.tags is None else [tag.label.value for tag in extraction.tags]
    return score_document(extraction.result, item.doc.gold, fmt=score_format(item.format),
                          layout=layout, tags=tags, gold_labels=labels, seconds=extraction.seconds,
                          doc_id=item.doc.doc_id, split=item.doc.split, origin=item.origin, path=str(item.path))


def evaluate_inputs(docs: list[GoldDoc], settings: EvalSettings, runs: list[TaggerRun]) -> list[dict]:
    """Score every document in every format with every tagger run; returns the inputs skipped."""
    return evaluate_jobs([(doc, fmt) for doc in docs for fmt in settings.formats], settings, runs)


def evaluate_jobs(jobs: list[tuple[GoldDoc, str]], settings: EvalSettings, runs: list[TaggerRun],
                  desc: str | None = None) -> list[dict]:
    """Score each (document, format) with every tagger run; returns the inputs skipped."""
    from tqdm import tqdm

    skipped = []
    progress = tqdm(jobs, desc=desc or f"eval {runs[0].name}", unit="file", file=sys.stderr,
                    disable=not settings.progress)
    for doc, fmt in progress:
        progress.set_postfix_str(f"{doc.doc_id} {fmt}", refresh=False)
        try:
            item = input_for(doc, fmt, settings.cache_dir)
        except Exception as exc:  # noqa: BLE001  (a rendering that cannot be made: LibreOffice missing, timeout)
            skipped.append({"doc_id": doc.doc_id, "format": fmt, "reason": f"{type(exc).__name__}: {exc}"})
            progress.write(f"skipped {doc.doc_id} as {fmt}: {exc}", file=sys.stderr)
            continue
        main = extract_full(item.path, tagger=runs[0].tagger, display_path=str(item.path))
        layout = layout_of(item.path, fmt, main.document)
        labels = token_gold(main, doc.gold)
        runs[0].scores.append(score_input(item, main, layout, labels))
        for run in runs[1:]:
            if run.tagger is not None:
                run.scores.append(score_input(item, extract_loaded(main, str(item.path), run.tagger), layout, labels))
    return skipped


def challenge_metrics(cset: ChallengeSet, settings: EvalSettings, runs: list[TaggerRun]) -> dict:
    """The challenge set read by the same taggers (metrics.json `challenge`)."""
    started = time.perf_counter()
    fresh = [TaggerRun(run.name, run.tagger, unavailable=run.unavailable) for run in runs]
    skipped = evaluate_jobs(cset.jobs, settings, fresh, desc="challenge")
    return challenge_block(cset, [(run.name, None if run.tagger is None else
                                   {"name": run.tagger.name, "version": str(run.tagger.version)},
                                   run.scores, run.unavailable) for run in fresh],
                           skipped, time.perf_counter() - started)


def tagger_metrics(run: TaggerRun, *, full: bool) -> dict:
    """metrics.json figures of one tagger: overall and per format and layout (and per document when full)."""
    if run.unavailable is not None:
        return {"unavailable": run.unavailable}
    out = {"model": {"name": run.tagger.name, "version": str(run.tagger.version)},
           "overall": summarize(run.scores, with_confusion=full),
           "by_format": grouped(run.scores, lambda s: s.format),
           "by_layout": grouped(run.scores, lambda s: s.layout)}
    if full:
        out["documents"] = [doc_record(s) for s in run.scores]
    return out


def build_metrics(settings: EvalSettings, runs: list[TaggerRun], docs: list[GoldDoc], skipped: list[dict],
                  started: float, name: str) -> dict:
    main = runs[0]
    body = tagger_metrics(main, full=True)
    return {
        "schema": METRICS_SCHEMA,
        "run": {
            "report": name,
            "tagger": settings.tagger,
            "model": body.pop("model"),
            "model_option": settings.model,
            "gold": {"dir": str(settings.gold_dir), "split": settings.split,
                     "documents": [d.doc_id for d in docs], "splits": {d.doc_id: d.split for d in docs},
                     "hash": gold_set_hash(docs)},
            "formats": list(settings.formats),
            "inputs": len(main.scores),
            "skipped_inputs": skipped,
            "date": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
            "code": code_version(),
            "environment": {"python": platform.python_version(), "platform": platform.platform()},
            "wall_seconds": round(time.perf_counter() - started, 3),
        },
        **body,
        "baselines": {run.name: tagger_metrics(run, full=False) for run in runs[1:]},
    }


def run_eval(settings: EvalSettings, *, tagger: Tagger | None = None) -> Path:
    """Evaluate, write metrics.json, report.md and figures; return the report folder."""
    from .figures import write_figures
    from .report import load_history, write_report

    started = time.perf_counter()
    tagger = tagger or get_tagger(settings.tagger, model=settings.model)
    docs = gold_docs(settings.gold_dir, settings.split)
    if not docs:
        raise ValueError(f"no gold documents in split {settings.split!r} under {settings.gold_dir}")
    runs = [TaggerRun(settings.tagger, tagger)]
    if settings.baselines:
        runs += available_baselines(settings.tagger, tagger)
    # A set that differs from its manifest stops the run before any work.
    cset = load_challenge(settings.challenge_dir) if settings.challenge_dir is not None else None
    skipped = evaluate_inputs(docs, settings, runs)
    challenge = challenge_metrics(cset, settings, runs) if cset is not None else None
    name = report_name(tagger)
    metrics = build_metrics(settings, runs, docs, skipped, started, name)
    if challenge is not None:
        metrics["challenge"] = challenge
    out = Path(settings.out_dir) / name
    out.mkdir(parents=True, exist_ok=True)
    (out / "metrics.json").write_text(json.dumps(metrics, ensure_ascii=False, indent=1, default=_jsonable) + "\n",
                                      encoding="utf-8")
    history = load_history(Path(settings.out_dir))
    figures = write_figures(metrics, history, out / "figures") if settings.figures else []
    write_report(metrics, history, out / "report.md", figures=[p.relative_to(out) for p in figures],
                 worst=settings.worst)
    return out


def _jsonable(value: object) -> str:
    return str(value)  # paths and enum members that slipped into the figures
