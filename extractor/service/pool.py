"""The bulk worker pool (extractor.bulk.workers.LocalEngine) on a thread of its own, fed from requests.

One thread owns the engine: it starts the workers, serves the tasks put in its inbox and calls
each task's callbacks with the Outcome (per-document timeouts, crashes, memory caps and worker
recycling are the engine's). Requests never wait on the event loop: `extract` awaits a future
the pool thread resolves.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable

from ..bulk.job import ModelInfo, Outcome, TaggerSpec, Task
from ..bulk.workers import EngineError, Inbox, LocalEngine
from ..loaders import DEFAULT_LOAD_SETTINGS, LoadSettings

log = logging.getLogger(__name__)

Callback = Callable[[Outcome | None], None]  # None: the pool stopped before the task settled


class Unavailable(Exception):
    """The pool cannot take work now (full, stopped or broken); the message says why."""


class ExtractionPool:
    def __init__(self, tagger: TaggerSpec, *, workers: int, timeout: float | None, memory_limit_mb: int | None,
                 recycle_after: int | None, max_queue: int, on_outcome: Callback | None = None,
                 load_settings: LoadSettings = DEFAULT_LOAD_SETTINGS):
        self.engine = LocalEngine(tagger, workers=workers, timeout=timeout, recycle_after=recycle_after,
                                  memory_limit_mb=memory_limit_mb, load_settings=load_settings)
        self.max_queue = max_queue
        self.on_outcome = on_outcome
        self.model: ModelInfo | None = None
        self.error: str | None = None
        self._inbox = Inbox()
        self._waiters: dict[Task, list[Callback]] = {}
        self._lock = threading.Lock()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="ogi-extraction-pool", daemon=True)

    # --- the pool thread

    def start(self) -> ModelInfo:
        """Start the workers; returns the default tagger's identity once one has loaded it (EngineError if none can)."""
        self._thread.start()
        self._ready.wait()
        if self.model is None:
            raise EngineError(self.error or "the extraction workers did not start")
        return self.model

    def _run(self) -> None:
        try:
            self.engine.start()
            self.model = self.engine.model()
            self._ready.set()
            for outcome in self.engine.serve(self._inbox):
                self._deliver(outcome.task, outcome)
        except BaseException as exc:
            self.error = f"the extraction workers stopped: {exc}"
            log.error("%s", self.error, exc_info=not isinstance(exc, EngineError))
        finally:
            self._inbox.close()
            self._ready.set()
            try:
                self.engine.close()
            finally:
                with self._lock:
                    waiting, self._waiters = self._waiters, {}
                for callbacks in waiting.values():
                    for callback in callbacks:
                        self._call(callback, None)
                self._inbox.release()

    def _deliver(self, task: Task, outcome: Outcome) -> None:
        with self._lock:
            callbacks = self._waiters.pop(task, [])
        if self.on_outcome is not None:
            self._call(self.on_outcome, outcome)
        for callback in callbacks:
            self._call(callback, outcome)

    @staticmethod
    def _call(callback: Callback, outcome: Outcome | None) -> None:
        try:
            callback(outcome)
        except Exception:
            log.exception("an outcome callback failed")

    # --- from any thread

    @property
    def healthy(self) -> bool:
        return self.model is not None and self.error is None and self._thread.is_alive()

    @property
    def waiting(self) -> int:
        """Documents queued or being extracted."""
        return len(self._waiters)

    @property
    def workers(self) -> int:
        return self.engine.workers

    def submit(self, task: Task, callback: Callback) -> None:
        """Extract `task`; `callback(outcome)` runs on the pool thread when it settles. The same task
        submitted again while waiting is extracted once, and both callbacks hear the outcome."""
        with self._lock:
            if not self.healthy or self._inbox.closed:
                raise Unavailable(self.error or "the service is stopping")
            if task in self._waiters:
                self._waiters[task].append(callback)
                return
            if len(self._waiters) >= self.max_queue:
                raise Unavailable(f"the service is busy: {len(self._waiters)} documents are waiting; retry later")
            try:
                self._inbox.put(task)
            except RuntimeError:
                raise Unavailable(self.error or "the service is stopping") from None
            self._waiters[task] = [callback]

    async def extract(self, task: Task) -> Outcome:
        """The outcome of `task`, awaited without blocking the event loop (Unavailable if the pool stops)."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Outcome | None] = loop.create_future()

        def settle(outcome: Outcome | None) -> None:
            loop.call_soon_threadsafe(_resolve, future, outcome)

        self.submit(task, settle)
        outcome = await future
        if outcome is None:
            raise Unavailable(self.error or "the service stopped before the document was extracted")
        return outcome

    def close(self) -> None:
        """Stop serving; documents still in extraction are abandoned (their workers are stopped)."""
        self._inbox.close()
        if self._thread.is_alive():
            self._thread.join(timeout=60)


def _resolve(future: asyncio.Future, outcome: Outcome | None) -> None:
    if not future.done():  # the request may have been cancelled meanwhile
        future.set_result(outcome)
