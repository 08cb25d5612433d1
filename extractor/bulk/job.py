"""The unit of bulk work: one file in, one Outcome out.

`extract_one` is the only function the engines run remotely (a local worker
process or a Ray actor), always with a tagger loaded once per worker by
`load_tagger`. Everything here is plain, picklable data.
"""

from __future__ import annotations

import os
import socket
import time
from dataclasses import dataclass, field
from types import SimpleNamespace

from ..loaders import DEFAULT_LOAD_SETTINGS, LoadSettings
from ..pipeline import empty_result, extract_full
from ..tagging import Tagger, get_tagger


@dataclass(frozen=True)
class TaggerSpec:
    """Which tagger a worker loads: the name and trained model of `get_tagger`."""

    name: str | None = "rules"  # None: get_tagger's default (the trained model where there is one)
    model: str | None = None


@dataclass(frozen=True)
class ModelInfo:
    """The identity stored with every result: a different name or version means re-extract."""

    name: str
    version: str


@dataclass(frozen=True)
class Task:
    path: str  # as opened by the worker
    display_path: str  # as the user gave it: `source.path` of the result
    sha256: str  # content hash when planned (the store's key)
    tagger: TaggerSpec | None = None  # None: the worker's own tagger (the HTTP service picks one per request)


@dataclass
class Outcome:
    task: Task
    result: dict
    seconds: dict[str, float] = field(default_factory=dict)  # load, tag, assemble, total (wall); cpu
    worker: str = ""
    retire_worker: bool = False  # the worker's state is doubtful (out of memory): replace it


def load_tagger(spec: TaggerSpec) -> Tagger:
    return get_tagger(spec.name, model=spec.model)


def tagger_for(task: Task, spec: TaggerSpec, tagger: Tagger) -> Tagger:
    """The tagger `task` asks for: the worker's own (`tagger`, loaded from `spec`) unless the task names
    another, which is then loaded (trained models once per process: tagging caches them)."""
    if task.tagger is None or task.tagger == spec:
        return tagger
    return load_tagger(task.tagger)


def model_info(tagger: Tagger) -> ModelInfo:
    return ModelInfo(str(tagger.name), str(tagger.version))


def worker_label(engine: str) -> str:
    return f"{engine}:{socket.gethostname()}:{os.getpid()}"


def extract_one(task: Task, tagger: Tagger, *, worker: str = "",
                load_settings: LoadSettings = DEFAULT_LOAD_SETTINGS) -> Outcome:
    """Extract one file; never raises for a bad file (the result says `failed` and why)."""
    started, cpu_started = time.perf_counter(), time.process_time()
    try:
        extraction = extract_full(task.path, tagger=tagger, display_path=task.display_path,
                                  load_settings=load_settings)
        result, seconds = extraction.result, dict(extraction.seconds)
    except MemoryError:
        return failed_outcome(task, model_info(tagger), OUT_OF_MEMORY, worker=worker,
                              seconds={"total": time.perf_counter() - started}, retire_worker=True)
    except Exception as exc:  # noqa: BLE001  (the pipeline guards itself; a batch must go on regardless)
        return failed_outcome(task, model_info(tagger), f"internal error ({type(exc).__name__}: {exc})",
                              worker=worker, seconds={"total": time.perf_counter() - started})
    seconds["total"] = time.perf_counter() - started
    seconds["cpu"] = time.process_time() - cpu_started
    retire = any("MemoryError" in error for error in result.get("errors", ()))
    if retire:
        result["errors"] = [OUT_OF_MEMORY if "MemoryError" in error else error for error in result["errors"]]
    return Outcome(task, result, seconds, worker, retire_worker=retire)


OUT_OF_MEMORY = "ran out of memory while extracting (the worker's memory limit; raise it with --memory-limit)"


def failed_outcome(task: Task, model: ModelInfo, reason: str, *, worker: str = "",
                   seconds: dict[str, float] | None = None, retire_worker: bool = False) -> Outcome:
    """An outcome for a file whose worker could not give a result (timed out, crashed)."""
    result = empty_result(task.display_path, task.sha256, SimpleNamespace(name=model.name, version=model.version))
    result["errors"] = [reason]
    return Outcome(task, result, dict(seconds or {}), worker, retire_worker)


def timed_out(seconds: float) -> str:
    return f"timed out after {seconds:g} s"


def crashed(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        how = f"was killed by signal {-exitcode}"
        if -exitcode == 9:
            how += " (out of memory, or killed by another process)"
    else:
        how = f"exited with status {exitcode}"
    return f"the worker process {how} while extracting this file"
