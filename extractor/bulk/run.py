"""One bulk run: hash the inputs, plan against the store, extract on an engine, store each outcome.

    run_bulk(paths, "results.db", TaggerSpec("rules"), BulkSettings(workers=4))

Each outcome is committed as it arrives, so an interrupted run (Ctrl-C,
SIGTERM, kill -9, a reboot) loses at most the files in flight; running the
same command again resumes.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import TextIO

from ..loaders import DEFAULT_LOAD_SETTINGS, LoadSettings
from ..pipeline import empty_result, printable
from .job import ModelInfo, TaggerSpec
from .plan import Plan, Unreadable, make_plan, see_files
from .store import STATUSES, SeenFile, Store

ENGINES = ("local", "ray")


@dataclass(frozen=True)
class BulkSettings:
    """How a bulk run works (the extraction itself is the tagger's business).

    workers: processes (local) or actors (ray); default: the CPU count (of the cluster, for ray).
    timeout: seconds one file may take before its worker is killed (None: no limit).
    recycle_after: files after which a worker is replaced (None: never).
    memory_limit_mb: address-space cap per local worker (None: none).
    """

    engine: str = "local"
    workers: int | None = None
    ray_address: str | None = None
    timeout: float | None = 300.0
    retry_failed: bool = False
    recycle_after: int | None = 200
    memory_limit_mb: int | None = 4096

    def __post_init__(self) -> None:
        if self.engine not in ENGINES:
            raise ValueError(f"engine {self.engine!r}: expected one of {ENGINES}")
        if self.workers is not None and self.workers < 1:
            raise ValueError(f"workers={self.workers}: expected 1 or more")
        if self.timeout is not None and self.timeout <= 0:
            raise ValueError(f"timeout={self.timeout}: expected a positive number of seconds")
        if self.recycle_after is not None and self.recycle_after < 1:
            raise ValueError(f"recycle_after={self.recycle_after}: expected 1 or more")
        if self.memory_limit_mb is not None and self.memory_limit_mb < 256:
            raise ValueError(f"memory_limit_mb={self.memory_limit_mb}: expected at least 256")
        if self.ray_address is not None and self.engine != "ray":
            raise ValueError("a Ray address needs the ray engine")


@dataclass
class RunReport:
    """What a run did; `exit_status` is the CLI's (0 all extracted, 1 any failed, 130 interrupted)."""

    model: ModelInfo | None = None
    inputs: int = 0
    unreadable: list[Unreadable] = field(default_factory=list)
    plan: Plan = field(default_factory=Plan)
    counts: Counter = field(default_factory=Counter)  # statuses of the files extracted by this run
    failed_inputs: int = 0  # inputs whose stored result (old or new) is failed, plus the unreadable
    interrupted: bool = False

    @property
    def exit_status(self) -> int:
        if self.interrupted:
            return 130
        return 1 if self.failed_inputs or self.unreadable else 0


def make_engine(tagger: TaggerSpec, settings: BulkSettings, load_settings: LoadSettings = DEFAULT_LOAD_SETTINGS,
                files: int | None = None):
    """The engine `settings` ask for; `files`: how many files it will get (no more local workers than that)."""
    if settings.engine == "ray":
        from .ray_engine import RayEngine

        return RayEngine(tagger, workers=settings.workers, address=settings.ray_address,
                         timeout=settings.timeout, recycle_after=settings.recycle_after, load_settings=load_settings)
    from .workers import LocalEngine

    workers = settings.workers or os.cpu_count() or 1
    if files is not None:
        workers = max(1, min(workers, files))
    return LocalEngine(tagger, workers=workers, timeout=settings.timeout, recycle_after=settings.recycle_after,
                       memory_limit_mb=settings.memory_limit_mb, load_settings=load_settings)


@contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM stops a run like Ctrl-C does (stored results kept, workers stopped)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def describe_plan(store_path: str | Path, report: RunReport) -> str:
    plan = report.plan
    text = (f"{store_path}: {report.inputs} input files, {len(plan.tasks)} to extract, "
            f"{plan.kept} already stored")
    if plan.kept_failed:
        text += f" ({plan.kept_failed} failed: --retry-failed extracts them again)"
    if plan.duplicates:
        text += f", {plan.duplicates} duplicates of other inputs"
    if report.unreadable:
        text += f", {len(report.unreadable)} unreadable"
    reasons = [f"{n} {why}" for why, n in plan.reasons.items() if why != "new"]
    if reasons:
        text += f" [to extract: {', '.join(reasons)}]"
    return text


def unreadable_result(item: Unreadable, model: ModelInfo | None) -> dict:
    tagger = SimpleNamespace(name=model.name if model else None, version=model.version if model else None)
    result = empty_result(item.path, None, tagger)
    result["errors"] = [item.reason]
    return result


def write_jsonl(output: str | Path, seen: Sequence[SeenFile | Unreadable], store: Store,
                model: ModelInfo | None) -> None:
    """One JSON line per input, in input order; a duplicate gets the stored result under its own path.
    `output` "-": standard output."""
    with (nullcontext(sys.stdout) if str(output) == "-" else open(output, "w", encoding="utf-8")) as sink:
        for item in seen:
            if isinstance(item, Unreadable):
                result = unreadable_result(item, model)
            else:
                result = store.result(item.sha256)
                if result is None:  # changed while the run was going: the next run will take it
                    result = unreadable_result(Unreadable(item.path, "the file changed during the run; run again"),
                                               model)
                result["source"]["path"] = printable(item.path)
            sink.write(json.dumps(result, ensure_ascii=False) + "\n")


def run_bulk(paths: Sequence[str], store_path: str | Path, tagger: TaggerSpec, settings: BulkSettings, *,
             output: str | Path | None = None, progress: bool | None = None, log: TextIO | None = None,
             load_settings: LoadSettings = DEFAULT_LOAD_SETTINGS) -> RunReport:
    """Extract `paths` into the store at `store_path`; see the module docstring.

    progress: None shows a bar when stderr is a terminal. output: also write JSON lines (input order)
    when the run completes. load_settings: the page limit and LibreOffice timeout of the loaders.
    Raises StoreError (not a usable store) and EngineError (workers cannot start).
    """
    from tqdm import tqdm

    log = log or sys.stderr
    report = RunReport(inputs=len(paths))
    with Store.open(store_path) as store, sigterm_as_interrupt():
        engine = make_engine(tagger, settings, load_settings)
        run_id = None
        try:
            engine.start()  # workers load the tagger while the driver hashes
            seen = see_files(paths, store.known_hashes())
            files = [item for item in seen if isinstance(item, SeenFile)]
            report.unreadable = [item for item in seen if isinstance(item, Unreadable)]
            store.record_paths(files)
            report.model = engine.model()
            report.plan = make_plan(files, store.stored(f.sha256 for f in files), report.model,
                                    settings.retry_failed)
            print(describe_plan(store_path, report), file=log)
            for item in report.unreadable:
                print(f"failed: {item.path}: {item.reason}", file=log)
            run_id = store.begin_run({**asdict(settings), "tagger": asdict(tagger), "load": asdict(load_settings)},
                                     report.model)
            bar = tqdm(total=len(report.plan.tasks), desc="extracting", unit="file", file=log,
                       disable=(not progress) if progress is not None else None, dynamic_ncols=True)
            with bar:
                for outcome in engine.run(report.plan.tasks):
                    store.save(outcome)
                    status = outcome.result["status"]
                    report.counts[status] += 1
                    bar.update(1)
                    bar.set_postfix({s: report.counts[s] for s in STATUSES}, refresh=False)
                    if status == "failed":
                        bar.write(f"failed: {outcome.task.display_path}: {'; '.join(outcome.result['errors'])}",
                                  file=log)
        except KeyboardInterrupt:
            report.interrupted = True
            if run_id is not None:
                store.end_run(run_id, "interrupted", dict(report.counts))
            print(f"interrupted: {sum(report.counts.values())} files extracted and stored by this run; "
                  "run the same command again to go on", file=log)
            return report
        finally:
            engine.close()
        store.end_run(run_id, "finished", dict(report.counts))
        stored = store.stored(f.sha256 for f in files)
        report.failed_inputs = sum(1 for f in files if f.sha256 not in stored or stored[f.sha256].status == "failed")
        if output is not None:
            write_jsonl(output, seen, store, report.model)
    print(f"done: {', '.join(f'{report.counts[s]} {s}' for s in STATUSES)} (this run); "
          f"{report.failed_inputs + len(report.unreadable)} of {report.inputs} inputs failed",
          file=log)
    return report
