"""The Ray engine: the same `extract_one` on Ray actors, each holding one loaded tagger.

The driver keeps one file in flight per actor, so the time a call has been
running is the time the actor has spent on that file: past the timeout the
actor is killed and replaced, as a local worker is. Results come back to the
driver, which alone writes the store.

Input paths must be readable at the same path on every node (a shared
filesystem), and ogi-extractor installed in the nodes' Python environment.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Iterator, Sequence

from ..loaders import DEFAULT_LOAD_SETTINGS, LoadSettings
from .job import (
    ModelInfo,
    Outcome,
    TaggerSpec,
    Task,
    extract_one,
    failed_outcome,
    load_tagger,
    model_info,
    tagger_for,
    timed_out,
    worker_label,
)
from .workers import MAX_STARTUP_FAILURES, EngineError


class ExtractorActor:
    """Holds one tagger; `extract` is `extract_one` with it. Made a Ray actor at run time."""

    def __init__(self, spec: TaggerSpec, load_settings: LoadSettings = DEFAULT_LOAD_SETTINGS):
        self.spec = spec
        self.load_settings = load_settings
        self.tagger = load_tagger(spec)
        self.label = worker_label("ray")

    def describe(self) -> ModelInfo:
        return model_info(self.tagger)

    def extract(self, task: Task) -> Outcome:
        return extract_one(task, tagger_for(task, self.spec, self.tagger), worker=self.label,
                           load_settings=self.load_settings)


def import_ray():
    try:
        import ray
    except ImportError:
        raise EngineError("the Ray engine needs Ray: pip install 'ogi-extractor[ray]'") from None
    return ray


class _Actor:
    def __init__(self, handle, ready_ref):
        self.handle = handle
        self.ready_ref = ready_ref  # describe() call, until the actor is up
        self.model: ModelInfo | None = None
        self.task: Task | None = None
        self.ref = None
        self.started = 0.0
        self.done = 0


class RayEngine:
    """Run `extract_one` on Ray actors. start(), model(), run(tasks), close().

    address: None starts (or reuses, if this process already called ray.init) a
    local Ray; "auto" or "HOST:PORT" joins a running cluster. workers: actors to
    run (default: the cluster's CPU count).
    """

    def __init__(self, tagger: TaggerSpec, *, workers: int | None = None, address: str | None = None,
                 timeout: float | None = 300.0, recycle_after: int | None = 200,
                 load_settings: LoadSettings = DEFAULT_LOAD_SETTINGS):
        self.spec = tagger
        self.load_settings = load_settings
        self.workers = workers
        self.address = address
        self.timeout = timeout or None
        self.recycle_after = recycle_after or None
        self.actors: list[_Actor] = []
        self._model: ModelInfo | None = None
        self._owns_ray = False
        self._startup_failures = 0
        self._remote_class = None

    def start(self) -> None:
        ray = import_ray()
        if not ray.is_initialized():
            try:
                ray.init(address=self.address, include_dashboard=False, log_to_driver=False,
                         configure_logging=False)
            except ConnectionError as exc:
                raise EngineError(f"cannot reach the Ray cluster at {self.address}: {exc}") from None
            self._owns_ray = True
        if self.workers is None:
            self.workers = max(1, int(ray.cluster_resources().get("CPU", 1)))
        self._remote_class = ray.remote(num_cpus=1, max_restarts=0, max_task_retries=0)(ExtractorActor)
        while len(self.actors) < self.workers:
            self._spawn()

    def _spawn(self) -> None:
        handle = self._remote_class.remote(self.spec, self.load_settings)
        self.actors.append(_Actor(handle, handle.describe.remote()))

    def _drop(self, actor: _Actor) -> None:
        import_ray().kill(actor.handle, no_restart=True)
        self.actors.remove(actor)

    def close(self) -> None:
        if not self.actors and not self._owns_ray:
            return
        ray = import_ray()
        for actor in list(self.actors):
            self._drop(actor)
        if self._owns_ray and ray.is_initialized():
            ray.shutdown()

    def model(self) -> ModelInfo:
        while self._model is None:
            list(self._pump(deque()))
        return self._model

    def _settle_ready(self, actor: _Actor) -> None:
        ray = import_ray()
        ref, actor.ready_ref = actor.ready_ref, None
        try:
            info = ray.get(ref)
        except ray.exceptions.RayActorError as exc:
            self._drop(actor)
            self._startup_failures += 1
            if self._startup_failures >= MAX_STARTUP_FAILURES:
                raise EngineError(f"Ray actors keep dying while loading the tagger: {exc}") from None
            return
        except ray.exceptions.RayTaskError as exc:
            raise EngineError(f"the tagger could not be loaded on Ray: {exc.cause!r}") from None
        if self._model is not None and info != self._model:
            raise EngineError(f"actors loaded different models ({self._model} and {info})")
        self._model, actor.model = info, info
        self._startup_failures = 0

    def _settle_task(self, actor: _Actor) -> Iterator[Outcome]:
        ray = import_ray()
        task, ref = actor.task, actor.ref
        actor.task, actor.ref = None, None
        try:
            outcome = ray.get(ref)
        except ray.exceptions.RayActorError as exc:
            self._drop(actor)
            yield failed_outcome(task, self._model, f"the Ray actor died while extracting this file ({exc})")
            return
        except ray.exceptions.RayTaskError as exc:
            yield failed_outcome(task, self._model, f"internal error on Ray ({exc.cause!r})")
            return
        actor.done += 1
        yield outcome
        if outcome.retire_worker or (self.recycle_after and actor.done >= self.recycle_after):
            self._drop(actor)

    def _pump(self, queue: deque[Task]) -> Iterator[Outcome]:
        ray = import_ray()
        while len(self.actors) < self.workers and (queue or self._model is None or not self.actors):
            self._spawn()
        refs = {}
        for actor in self.actors:
            if actor.ready_ref is not None:
                refs[actor.ready_ref] = actor
            elif actor.ref is not None:
                refs[actor.ref] = actor
        wait_for = None
        if self.timeout:
            deadlines = [a.started + self.timeout for a in self.actors if a.task is not None]
            if deadlines:
                wait_for = max(0.0, min(deadlines) - time.monotonic())
        ready, _ = ray.wait(list(refs), num_returns=1, timeout=wait_for)
        if ready:  # take everything else that is ready too, without waiting
            more, _ = ray.wait(list(refs), num_returns=len(refs), timeout=0)
            ready = list(dict.fromkeys(ready + more))
        for ref in ready:
            actor = refs[ref]
            if actor.ready_ref is not None and ref == actor.ready_ref:
                self._settle_ready(actor)
            else:
                yield from self._settle_task(actor)
        if self.timeout:
            now = time.monotonic()
            for actor in list(self.actors):
                if actor.task is not None and now - actor.started >= self.timeout:
                    done, _ = ray.wait([actor.ref], timeout=0)
                    if done:
                        continue
                    task = actor.task
                    self._drop(actor)
                    yield failed_outcome(task, self._model, timed_out(self.timeout), worker="ray",
                                         seconds={"total": now - actor.started})

    def run(self, tasks: Sequence[Task]) -> Iterator[Outcome]:
        queue = deque(tasks)
        while queue or any(actor.task is not None for actor in self.actors):
            for actor in self.actors:
                if queue and actor.model is not None and actor.task is None:
                    actor.task = queue.popleft()
                    actor.ref = actor.handle.extract.remote(actor.task)
                    actor.started = time.monotonic()
            yield from self._pump(queue)
