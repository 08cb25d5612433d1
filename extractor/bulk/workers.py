"""The local engine: a pool of worker processes, each holding one loaded tagger.

Unlike a stock process pool, every worker has its own pipe, so one worker can
be killed without disturbing the others:

- a file that runs past the timeout gets its worker killed (with any process
  it started, such as LibreOffice) and is reported `failed`, "timed out after
  N s"; a fresh worker takes the slot;
- a worker is retired after `recycle_after` files, or after running out of
  memory, and replaced, so memory a worker gathers over time is returned;
- each worker's address space is capped (RLIMIT_AS, `memory_limit_mb`): a file
  that needs more fails with MemoryError instead of taking the machine down;
- workers ignore Ctrl-C and sit in their own process group: the driver decides
  when they stop. If the driver dies, each worker sees its pipe close and exits;
- each worker has its own temporary folder (TMPDIR), made by the driver and
  removed by it once the worker has exited or been killed: scratch files of a
  killed conversion (ogi-doc-*, ogi-soffice-*, LibreOffice's own) go with it.

`run(tasks)` extracts a known list; `serve(inbox)` extracts tasks that keep
arriving from other threads (the HTTP service), each may name its own tagger.

Workers are forked from a forkserver that has the pipeline imported once.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import signal
import tempfile
import threading
import time
from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait

from ..loaders import DEFAULT_LOAD_SETTINGS, LoadSettings
from .job import (
    ModelInfo,
    Outcome,
    TaggerSpec,
    Task,
    crashed,
    extract_one,
    failed_outcome,
    load_tagger,
    model_info,
    tagger_for,
    timed_out,
    worker_label,
)

MAX_STARTUP_FAILURES = 3


class EngineError(Exception):
    """Workers could not be started (the tagger does not load, ...); the message says why."""


@dataclass(frozen=True)
class WorkerSettings:
    tagger: TaggerSpec
    memory_limit_mb: int | None = None
    threads: int | None = None  # BLAS/OpenMP threads per worker
    load: LoadSettings = DEFAULT_LOAD_SETTINGS


# --- the worker process ---------------------------------------------------------------

def limit_memory(megabytes: int) -> None:
    import resource

    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    wanted = megabytes << 20
    if hard != resource.RLIM_INFINITY:
        wanted = min(wanted, hard)
    resource.setrlimit(resource.RLIMIT_AS, (wanted, hard))


def use_temp_dir(folder: str) -> None:
    """Put this process's temporary files, and those of the programs it starts, under `folder`."""
    os.environ["TMPDIR"] = folder
    tempfile.tempdir = folder


def worker_main(conn: Connection, settings: WorkerSettings, temp_dir: str | None = None) -> None:
    """Load the tagger once, then extract the files the driver sends until it sends None or goes away."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        os.setpgid(0, 0)  # a timeout kills the worker's whole group; Ctrl-C at a terminal does not reach it
    except OSError:
        pass
    if temp_dir:
        use_temp_dir(temp_dir)
    if settings.threads:
        for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
            os.environ.setdefault(name, str(settings.threads))
    if settings.memory_limit_mb:
        limit_memory(settings.memory_limit_mb)
    try:
        tagger = load_tagger(settings.tagger)
        info = model_info(tagger)
    except BaseException as exc:  # noqa: BLE001  (whatever it is, the driver must hear why)
        conn.send(("failed", f"the tagger could not be loaded: {type(exc).__name__}: {exc}"))
        return
    label = worker_label("local")
    conn.send(("ready", info))
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        try:
            task_tagger = tagger_for(task, settings.tagger, tagger)
        except Exception as exc:  # noqa: BLE001  (a model that does not load costs this file only)
            which = task.tagger.name + (f" {os.path.basename(task.tagger.model)}" if task.tagger.model else "")
            outcome = failed_outcome(task, info, f"the tagger ({which}) could not be loaded: "
                                                 f"{type(exc).__name__}: {exc}", worker=label)
        else:
            outcome = extract_one(task, task_tagger, worker=label, load_settings=settings.load)
        try:
            conn.send(("done", outcome))
        except OSError:
            return


# --- stopping a worker and what it started ------------------------------------------------

def parse_ppid(stat: str) -> int:
    """The parent pid from the text of /proc/<pid>/stat (the command name may hold spaces and parentheses)."""
    return int(stat[stat.rindex(")") + 2:].split()[1])


def parse_pgrp(stat: str) -> int:
    """The process group id from the text of /proc/<pid>/stat."""
    return int(stat[stat.rindex(")") + 2:].split()[2])


def _proc_stats() -> dict[int, str]:
    stats: dict[int, str] = {}
    try:
        names = os.listdir("/proc")
    except OSError:
        return stats
    for name in names:
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat") as fh:
                    stats[int(name)] = fh.read()
            except OSError:
                continue
    return stats


def process_parents() -> dict[int, int]:
    """pid -> parent pid of every process (Linux /proc; empty elsewhere)."""
    parents: dict[int, int] = {}
    for pid, stat in _proc_stats().items():
        try:
            parents[pid] = parse_ppid(stat)
        except (ValueError, IndexError):
            continue
    return parents


def process_groups(pids: Sequence[int]) -> set[int]:
    """The process groups of `pids` (those still running)."""
    groups = set()
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as fh:
                groups.add(parse_pgrp(fh.read()))
        except (OSError, ValueError, IndexError):
            continue
    return groups


def descendants(pid: int, parents: Mapping[int, int]) -> list[int]:
    children: dict[int, list[int]] = {}
    for child, parent in parents.items():
        children.setdefault(parent, []).append(child)
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def processes_naming(marker: str) -> list[int]:
    """Running processes whose command line holds `marker` (e.g. a worker's temporary folder)."""
    wanted = os.fsencode(marker)
    found = []
    try:
        names = os.listdir("/proc")
    except OSError:
        return found
    for name in names:
        if name.isdigit() and int(name) != os.getpid():
            try:
                with open(f"/proc/{name}/cmdline", "rb") as fh:
                    if wanted in fh.read():
                        found.append(int(name))
            except OSError:
                continue
    return found


def _gone(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            stat = fh.read()
    except OSError:
        return True
    return stat[stat.rindex(")") + 2:][:1] in ("Z", "X")  # a zombie runs no more code


def wait_gone(pids: Sequence[int], timeout: float = 5.0) -> None:
    """Wait (at most `timeout` s) until every one of `pids` has stopped running."""
    deadline = time.monotonic() + timeout
    while any(not _gone(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.02)


def _kill(pids: Sequence[int]) -> None:
    """SIGKILL `pids` and every process group they sit in (never the driver's own group)."""
    for group in process_groups(pids) - {os.getpgrp(), 0, 1}:
        try:
            os.killpg(group, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def kill_tree(pid: int) -> list[int]:
    """SIGKILL a process, every process below it, and the process groups they sit in; returns the
    processes below it (wait for them with `wait_gone`).

    A LibreOffice conversion runs in its own session (its own process group): killing that group
    also reaches the processes it forked after we looked and those whose parent died first (they
    are no longer below the worker). The driver's own group is never touched."""
    try:
        os.kill(pid, signal.SIGSTOP)  # no new children while we look
    except ProcessLookupError:
        return []
    below = descendants(pid, process_parents())
    _kill([*below, pid])
    return below


def kill_strays(marker: str) -> None:
    """Kill what is still running with `marker` on its command line, and wait until it has stopped:
    a converter whose worker died before its tree could be walked still names the worker's folder."""
    strays = processes_naming(marker)
    if strays:
        _kill(strays)
        wait_gone(strays)


WORKER_DIR_PREFIX = "ogi-worker-"


def sweep_stale_worker_dirs(temp_root: str | None = None) -> list[str]:
    """Remove the worker folders of drivers that died without cleaning up (killed with SIGKILL,
    the machine stopped): each is named after its driver's pid, and a folder whose driver is gone
    has nobody left to write there. What still runs naming it (a converter) is killed first."""
    root = temp_root or tempfile.gettempdir()
    removed = []
    try:
        names = os.listdir(root)
    except OSError:
        return removed
    for name in names:
        if not name.startswith(WORKER_DIR_PREFIX):
            continue
        pid_text = name[len(WORKER_DIR_PREFIX):].split("-", 1)[0]
        if not pid_text.isdigit() or not _gone(int(pid_text)):
            continue
        path = os.path.join(root, name)
        kill_strays(path)
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
    return removed


# --- the driver side ------------------------------------------------------------------------

class Inbox:
    """Tasks handed to a serving engine from other threads (see LocalEngine.serve).

    The engine waits on it together with its workers: `put` and `close` wake it at once.
    """

    def __init__(self) -> None:
        self._tasks: deque[Task] = deque()
        self._lock = threading.Lock()
        self._closed = False
        self._read, self._write = os.pipe()
        os.set_blocking(self._read, False)
        os.set_blocking(self._write, False)

    def fileno(self) -> int:
        return self._read

    def put(self, task: Task) -> None:
        """Queue `task`; RuntimeError once the inbox is closed."""
        with self._lock:
            if self._closed:
                raise RuntimeError("the engine has stopped taking tasks")
            self._tasks.append(task)
            self._wake()

    def close(self) -> None:
        """Stop serving: `serve` returns as soon as it sees this (tasks not yet started are dropped)."""
        with self._lock:
            if not self._closed:
                self._closed = True
                self._wake()

    @property
    def closed(self) -> bool:
        return self._closed

    def _wake(self) -> None:  # with the lock held, never after release
        try:
            os.write(self._write, b"!")
        except OSError:  # the pipe is full: a wake-up is pending anyway
            pass

    def take(self) -> tuple[list[Task], bool]:
        """The tasks put since the last call, and whether the inbox is closed."""
        try:
            while os.read(self._read, 4096):
                pass
        except OSError:  # nothing more to read
            pass
        with self._lock:
            tasks = list(self._tasks)
            self._tasks.clear()
            return tasks, self._closed

    def release(self) -> None:
        """Close the wake-up pipe, once the engine no longer waits on it (the inbox is closed for good)."""
        with self._lock:
            self._closed = True
            if self._read >= 0:
                os.close(self._read)
                os.close(self._write)
                self._read = self._write = -1


class _Slot:
    def __init__(self, process: multiprocessing.process.BaseProcess, conn: Connection, temp_dir: str):
        self.process = process
        self.conn = conn
        self.temp_dir = temp_dir  # the worker's TMPDIR, removed once it has exited
        self.model: ModelInfo | None = None
        self.task: Task | None = None
        self.started = 0.0
        self.done = 0

    @property
    def label(self) -> str:
        return f"local:{os.uname().nodename}:{self.process.pid}"


class LocalEngine:
    """Run `extract_one` on `workers` local processes. start(), model(), run(tasks), close()."""

    def __init__(self, tagger: TaggerSpec, *, workers: int, timeout: float | None = 300.0,
                 recycle_after: int | None = 200, memory_limit_mb: int | None = 4096,
                 load_settings: LoadSettings = DEFAULT_LOAD_SETTINGS):
        if workers < 1:
            raise ValueError("workers must be at least 1")
        self.workers = workers
        self.timeout = timeout or None
        self.recycle_after = recycle_after or None
        threads = max(1, (os.cpu_count() or 1) // workers)
        self.settings = WorkerSettings(tagger, memory_limit_mb or None, threads, load_settings)
        self.slots: list[_Slot] = []
        self._model: ModelInfo | None = None
        self._startup_failures = 0
        self._ctx = multiprocessing.get_context("forkserver")

    # -- workers come and go

    def start(self) -> None:
        """Start the workers loading (returns at once; `model` waits for the first)."""
        self._ctx.set_forkserver_preload(["extractor.bulk.job"])
        sweep_stale_worker_dirs()
        while len(self.slots) < self.workers:
            self._spawn()

    def _spawn(self) -> None:
        temp_dir = tempfile.mkdtemp(prefix=f"{WORKER_DIR_PREFIX}{os.getpid()}-")
        try:
            parent, child = self._ctx.Pipe(duplex=True)
            process = self._ctx.Process(target=worker_main, args=(child, self.settings, temp_dir), daemon=True,
                                        name="ogi-extract-worker")
            process.start()
        except BaseException:
            shutil.rmtree(temp_dir, ignore_errors=True)
            raise
        child.close()
        self.slots.append(_Slot(process, parent, temp_dir))

    def _drop(self, slot: _Slot, *, kill: bool) -> None:
        killed: list[int] = []
        if kill:
            if slot.process.exitcode is None:  # once reaped, its pid may belong to another process
                killed = kill_tree(slot.process.pid)
        else:
            try:
                slot.conn.send(None)
            except OSError:
                pass
        slot.process.join(timeout=None if kill else 10)
        if slot.process.is_alive():
            killed += kill_tree(slot.process.pid)
            slot.process.join()
            kill = True
        slot.conn.close()
        self.slots.remove(slot)
        if kill:
            wait_gone(killed)
            kill_strays(slot.temp_dir)
        shutil.rmtree(slot.temp_dir, ignore_errors=True)  # nothing that could write there is left

    def close(self) -> None:
        """Stop every worker: idle ones are told to stop, busy ones are killed."""
        for slot in list(self.slots):
            self._drop(slot, kill=slot.task is not None or slot.model is None)

    # -- messages

    def model(self) -> ModelInfo:
        """The tagger's name and version, as the first worker to load it reports."""
        while self._model is None:
            list(self._pump(deque()))
        return self._model

    def _receive(self, slot: _Slot) -> Iterator[Outcome]:
        try:
            kind, payload = slot.conn.recv()
        except (EOFError, OSError):
            yield from self._died(slot)
            return
        if kind == "ready":
            if self._model is not None and payload != self._model:
                raise EngineError(f"workers loaded different models ({self._model} and {payload})")
            self._model, slot.model = payload, payload
            self._startup_failures = 0
        elif kind == "failed":
            raise EngineError(payload)
        elif kind == "done":
            task, slot.task = slot.task, None
            slot.done += 1
            if payload.task != task:  # cannot happen: one task in flight per worker
                raise EngineError("a worker answered for a file it was not given")
            yield payload
            if payload.retire_worker or (self.recycle_after and slot.done >= self.recycle_after):
                self._drop(slot, kill=False)

    def _died(self, slot: _Slot) -> Iterator[Outcome]:
        slot.process.join(timeout=5)
        exitcode = slot.process.exitcode
        task = slot.task
        self._drop(slot, kill=True)
        if task is not None:
            yield failed_outcome(task, self._model, crashed(exitcode), worker=slot.label)
        elif slot.model is None:
            self._startup_failures += 1
            if self._startup_failures >= MAX_STARTUP_FAILURES:
                raise EngineError(f"worker processes keep dying while loading the tagger ({crashed(exitcode)})")

    def _pump(self, queue: deque[Task], wake: Inbox | None = None) -> Iterator[Outcome]:
        """Wait for the next message, death or timeout (or a task put in `wake`); yield the outcomes they settle."""
        while len(self.slots) < self.workers and (queue or self._model is None or len(self.slots) == 0):
            self._spawn()
        deadline = None
        if self.timeout:
            busy = [slot.started + self.timeout for slot in self.slots if slot.task is not None]
            deadline = min(busy, default=None)
        wait_for = None if deadline is None else max(0.0, deadline - time.monotonic())
        handles = {}
        for slot in self.slots:
            handles[slot.conn] = slot
            handles[slot.process.sentinel] = slot
        ready = wait(list(handles) + ([wake] if wake is not None else []), timeout=wait_for)
        touched = []
        for handle in ready:
            if handle is wake:
                continue
            slot = handles[handle]
            if slot not in touched:
                touched.append(slot)
        for slot in touched:
            if slot not in self.slots:
                continue
            if slot.conn.poll():
                yield from self._receive(slot)
            elif not slot.process.is_alive():
                yield from self._died(slot)
        if self.timeout:
            now = time.monotonic()
            for slot in list(self.slots):
                if slot.task is not None and now - slot.started >= self.timeout and not slot.conn.poll():
                    task = slot.task
                    self._drop(slot, kill=True)
                    yield failed_outcome(task, self._model, timed_out(self.timeout), worker=slot.label,
                                         seconds={"total": now - slot.started})

    def _dispatch(self, queue: deque[Task]) -> None:
        """Give each idle, ready worker the next task."""
        for slot in self.slots:
            if queue and slot.model is not None and slot.task is None:
                slot.task = queue.popleft()
                slot.started = time.monotonic()
                try:
                    slot.conn.send(slot.task)
                except OSError:  # it died: the next pump reports the file as crashed
                    pass

    def run(self, tasks: Sequence[Task]) -> Iterator[Outcome]:
        """Extract every task; yields one Outcome per task as it settles (not in input order)."""
        queue = deque(tasks)
        while queue or any(slot.task is not None for slot in self.slots):
            self._dispatch(queue)
            yield from self._pump(queue)

    def serve(self, inbox: Inbox) -> Iterator[Outcome]:
        """Extract the tasks put in `inbox` as they arrive, in arrival order; yields one Outcome per task
        as it settles. Returns when the inbox is closed; tasks still in flight then are left to `close`."""
        queue: deque[Task] = deque()
        while True:
            tasks, closed = inbox.take()
            if closed:
                return
            queue.extend(tasks)
            self._dispatch(queue)
            yield from self._pump(queue, wake=inbox)
