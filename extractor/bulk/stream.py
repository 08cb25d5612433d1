"""Extraction without a results store: the engine of a bulk run, results handed back in input order.

    for result in extract_in_order(paths, TaggerSpec("rules"), BulkSettings(workers=2)):
        print(json.dumps(result))

`ogi extract` without --store runs this, so the per-file timeout, the memory cap and crash
isolation hold there too: a file that hangs or kills its worker fails alone, with a reason.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from ..loaders import DEFAULT_LOAD_SETTINGS, LoadSettings
from ..pipeline import sha256_of
from .job import TaggerSpec, Task
from .run import BulkSettings, make_engine


def extract_in_order(paths: Sequence[str], tagger: TaggerSpec, settings: BulkSettings, *,
                     load_settings: LoadSettings = DEFAULT_LOAD_SETTINGS,
                     on_result: Callable[[dict], None] | None = None) -> Iterator[dict]:
    """The result of every path, in input order, each as soon as it and those before it are done.

    on_result: called with each result as it settles (not in input order), e.g. to report progress.
    Raises EngineError when the workers cannot start (the tagger does not load). Closing the
    iterator early (or Ctrl-C) stops the workers.
    """
    if settings.engine != "local":
        raise ValueError("extraction without a store runs on local workers only")
    if not paths:
        return
    tasks = [Task(os.path.abspath(path), path, "") for path in paths]
    places: dict[Task, deque[int]] = {}
    for index, task in enumerate(tasks):
        places.setdefault(task, deque()).append(index)
    engine = make_engine(tagger, settings, load_settings, files=len(tasks))
    done: dict[int, dict] = {}
    next_index = 0
    engine.start()
    try:
        for outcome in engine.run(tasks):
            result = outcome.result
            if not result["source"]["sha256"]:  # the worker gave no result (timed out, crashed)
                result["source"]["sha256"] = sha256_of(Path(outcome.task.path))
            if on_result is not None:
                on_result(result)
            done[places[outcome.task].popleft()] = result
            while next_index in done:
                yield done.pop(next_index)
                next_index += 1
    finally:
        engine.close()
