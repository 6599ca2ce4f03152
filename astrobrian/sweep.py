"""Parallel, resumable sweeps of independent simulations (capacity scans, knockout capacity).

A sweep is a set of *lines*, each an adaptive search written as a generator: it yields the next
point it needs (a K) and receives that point's value (P(recall)); its return value is the
line's result (`capacity.kmax_search` is one). Each point is evaluated by independent *tasks*:
a module-level function and a plain-data spec, so that any `concurrent.futures.Executor` runs
them. All lines advance side by side, so the workers stay busy while each search waits for its
own point.

Executors: `InProcess` (serial, in this process: tests, one core, debugging), `LocalPool` (a
process pool, the default), or any other `concurrent.futures.Executor` — a thread pool, or a
Dask cluster's `Client(address).get_executor()`. Whoever makes the executor shuts it down; an
interrupted sweep shuts it down with `cancel_futures=True` (a `LocalPool` then kills its workers).

Resume: every finished task is appended to a checkpoint (JSON lines, flushed and synced per
task) under a fingerprint of the sweep's settings. A rerun with the same settings reads it back
and submits only the tasks it lacks, and every task is seeded by its own coordinates, so an
interrupted and resumed sweep gives the results of an uninterrupted one. A checkpoint of other
settings is refused, never mixed in.

Interruption (Ctrl+C, SIGTERM: a KeyboardInterrupt in the main thread, see
`astrobrian.interrupt`): the task running in this process (`InProcess`) stops at once; pool
workers ignore both signals and are killed by the parent, which keeps every result that had
reached it. A result that is ready when its task is submitted (`InProcess`) is kept before the
next task starts. Workers write their temporary files (Brian2's debug log) in a folder of the
pool's own, removed with it.
"""

from __future__ import annotations

import concurrent.futures as cf
import hashlib
import importlib
import json
import multiprocessing
import os
import shutil
import signal
import tempfile
import threading
import weakref
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Generator, Iterator

from . import interrupt
from .errors import InputError

Line = Generator[Any, Any, Any]


@dataclass(frozen=True)
class Task:
    """One independent simulation job: `fn(spec)` returns a JSON-able result; `key` names it
    in the checkpoint (unique within the sweep)."""

    key: str
    fn: Callable[[dict], Any]
    spec: dict


# ---- executors ---------------------------------------------------------------------------------
class InProcess(cf.Executor):
    """Runs each task in this process when it is submitted (tests, a single core, debugging):
    its result reaches the checkpoint before the next task starts, and a Ctrl+C stops the task
    it interrupts."""

    workers = 1

    def submit(self, fn: Callable, /, *args: Any, **kwargs: Any) -> cf.Future:
        """Run ``fn(*args, **kwargs)`` now; its result or error is in the returned future (a
        KeyboardInterrupt is not caught: it stops the sweep right here)."""
        fut: cf.Future = cf.Future()
        try:
            result = fn(*args, **kwargs)
        except Exception as err:  # handed back through the future, like a pool would
            fut.set_exception(err)
        else:
            fut.set_result(result)
        return fut


_STOP_SIGNALS = set(interrupt.SIGNALS)


def _worker_start(tmpdir: str, init: str | None) -> None:
    """In each pool worker: temporary files in the pool's folder, the sweep's set-up
    ('module:function'), then Ctrl+C and SIGTERM ignored (the parent ends the workers)."""
    os.environ["TMPDIR"] = tmpdir
    tempfile.tempdir = tmpdir
    if init:
        module, name = init.split(":")
        getattr(importlib.import_module(module), name)()
    for sig in _STOP_SIGNALS:
        signal.signal(sig, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)  # blocked since the spawn


#: the environment variables that set the BLAS and OpenMP thread counts of a new process
BLAS_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


@contextmanager
def single_threaded_blas() -> Iterator[None]:
    """Processes started in the block use one BLAS thread (unless the user set the variables): a
    sweep runs one worker per core, and each worker's BLAS threads would otherwise compete for
    the other cores. This process's own BLAS, already loaded, keeps its threads."""
    added = [name for name in BLAS_THREAD_VARIABLES if name not in os.environ]
    for name in added:
        os.environ[name] = "1"
    try:
        yield
    finally:
        for name in added:
            os.environ.pop(name, None)


class LocalPool(cf.Executor):
    """A pool of `workers` processes (spawned: a clean interpreter each, safe with Brian2);
    `initializer`, a module-level function, runs once per worker (imports, Brian2 preferences).
    Workers start with Ctrl+C and SIGTERM blocked, and ignore them once set up: a stop is the
    parent's, which kills them (`shutdown(cancel_futures=True)`)."""

    #: seconds a killed worker is waited for
    JOIN_S = 1.0

    def __init__(self, workers: int | None = None, initializer: Callable[[], None] | None = None):
        self.workers = resolve_workers(workers)
        self._tmpdir = tempfile.mkdtemp(prefix="astrobrian_pool_")
        self._remove_tmpdir = weakref.finalize(self, shutil.rmtree, self._tmpdir, ignore_errors=True)
        init = None if initializer is None else f"{initializer.__module__}:{initializer.__qualname__}"
        self._pool = cf.ProcessPoolExecutor(
            max_workers=self.workers, mp_context=multiprocessing.get_context("spawn"), initializer=_worker_start,
            initargs=(self._tmpdir, init))

    def submit(self, fn: Callable, /, *args: Any, **kwargs: Any) -> cf.Future:
        """Queue ``fn(*args, **kwargs)`` for a worker (fn and its arguments are pickled)."""
        # a worker may be spawned here: it inherits the blocked signals, so a Ctrl+C during
        # its start-up can't interrupt it; here the signal waits the few ms of the spawn
        if self._pool is None:
            raise RuntimeError("cannot submit to a pool that was shut down")
        with single_threaded_blas():  # a worker spawned now: one BLAS thread, one worker per core
            if not hasattr(signal, "pthread_sigmask") or threading.current_thread() is not threading.main_thread():
                return self._pool.submit(fn, *args, **kwargs)
            old = signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
            try:
                return self._pool.submit(fn, *args, **kwargs)
            finally:
                signal.pthread_sigmask(signal.SIG_SETMASK, old)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Wait for the running tasks, or (`cancel_futures`) drop the queued ones and kill the workers.

        Parameters
        ----------
        wait : bool
            Wait for the queued and running tasks (ignored with `cancel_futures`).
        cancel_futures : bool
            Drop the queued tasks and kill the workers at once (an interrupted sweep).
        """
        if self._pool is None:
            return
        pool, self._pool = self._pool, None
        if cancel_futures:
            procs = list((pool._processes or {}).values())  # the executor has no public kill
            manager = pool._executor_manager_thread
            for p in procs:
                p.kill()
            pool.shutdown(wait=False, cancel_futures=True)
            for p in procs:
                p.join(self.JOIN_S)
            if manager is not None:
                manager.join(self.JOIN_S)
        else:
            pool.shutdown(wait=wait)
        self._remove_tmpdir()


#: what a Dask scheduler address starts with
DASK_PROTOCOLS = ("tcp://", "tls://", "ucx://", "inproc://")


def check_scheduler(scheduler: str, field: str = "--scheduler") -> str:
    """`scheduler` ('local' or a Dask scheduler address) if Dask's `distributed` imports, else an
    InputError naming the extra to install (both checked before any work).

    Parameters
    ----------
    scheduler : str
        'local' (a LocalCluster on this machine) or an address such as tcp://HOST:PORT.
    field : str
        The option named in errors.

    Returns
    -------
    str
    """
    if scheduler != "local" and not (isinstance(scheduler, str) and scheduler.startswith(DASK_PROTOCOLS)):
        raise InputError(field, "local, or a Dask scheduler address such as tcp://HOST:PORT", scheduler)
    try:
        import distributed  # noqa: F401
    except ImportError:
        raise InputError(field, "Dask's distributed, for a sweep on a Dask cluster: pip install 'astrobrian[dask]'",
                         scheduler) from None
    return scheduler


def _dask_worker_setup(initializer: Callable[[], None]):
    """A Dask WorkerPlugin that runs `initializer` once in every worker, joining now or later, on the
    worker's main thread (Brian2 must be imported there: it installs a signal handler)."""
    from distributed.diagnostics.plugin import WorkerPlugin

    class SweepWorkerSetup(WorkerPlugin):
        name = "astrobrian-sweep-worker-setup"

        def __init__(self, init: Callable[[], None]):
            self.init = init

        def setup(self, worker) -> None:
            self.init()

    return SweepWorkerSetup(initializer)


@contextmanager
def dask_executor(scheduler: str, workers: int | None = None, field: str = "--scheduler",
                  initializer: Callable[[], None] | None = None) -> Iterator[cf.Executor]:
    """A Dask cluster's `concurrent.futures.Executor` for a sweep, closed afterwards.

    Parameters
    ----------
    scheduler : str
        'local' starts a `LocalCluster` of `workers` processes, one thread each (Dask sets their
        BLAS threads to 1); an address (tcp://HOST:PORT) connects to a running scheduler.
    workers : int, optional
        Processes of a local cluster (0 or None: every core); ignored with an address.
    field : str
        The option named in errors.
    initializer : callable, optional
        Run once in every worker before its first task (a module-level function: it is pickled
        by name), e.g. `sweep_protocols.worker_init`.

    Yields
    ------
    concurrent.futures.Executor
        ``Client.get_executor(pure=False)``, with `workers` set to the cluster's threads.
    """
    check_scheduler(scheduler, field)
    from distributed import Client, LocalCluster

    cluster = None
    if scheduler == "local":
        cluster = LocalCluster(n_workers=resolve_workers(workers), threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)
    else:
        try:
            client = Client(scheduler, timeout=10)
        except (OSError, TimeoutError) as err:
            raise InputError(field, "the address of a running Dask scheduler", f"{scheduler} ({err})") from None
    if initializer is not None:
        client.register_plugin(_dask_worker_setup(initializer))
    executor = client.get_executor(pure=False)
    executor.workers = max(1, sum(client.nthreads().values()))
    try:
        yield executor
    finally:
        executor.shutdown(wait=False)  # cancels what an interrupted sweep left queued
        client.close()
        if cluster is not None:
            cluster.close()


def resolve_workers(workers: int | None) -> int:
    """Worker count: a positive integer, or 0/None for every core of this machine."""
    if workers is None or workers == 0:
        return max(1, os.cpu_count() or 1)
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 0:
        raise InputError("workers", "a number of worker processes ≥ 1 (0 = every core)", workers)
    return workers


# ---- checkpoint --------------------------------------------------------------------------------
def fingerprint(settings: Any) -> str:
    """Short hash of JSON-able settings: equal settings, equal fingerprint."""
    text = json.dumps(settings, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


class Checkpoint:
    """Finished tasks of one sweep, one JSON line each, after a header with the fingerprint.

    `path=None` keeps nothing (a sweep that cannot resume). A line cut short by a crash (only
    ever the last one) is ignored when read back.
    """

    def __init__(self, path: str | Path | None, settings: Any):
        self.path = None if path is None else Path(path)
        self.fingerprint = fingerprint(settings)
        self.done: dict[str, Any] = {}
        if self.path is not None and self.path.exists():
            self._read()

    def _read(self) -> None:
        lines = self.path.read_text(encoding="utf-8").splitlines()
        records = []
        for line in lines:
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError:
                continue
        header = records[0] if records else {}
        if header.get("fingerprint") != self.fingerprint:
            raise InputError(
                f"checkpoint {self.path}",
                "the checkpoint of this sweep's settings (it holds another sweep: use another --out, or "
                "--fresh to discard it)", header.get("fingerprint"))
        self.done = {r["key"]: r["result"] for r in records[1:] if "key" in r and "result" in r}

    def append(self, key: str, result: Any) -> None:
        """Keep a finished task: on disk (synced) and in `done`, both or neither (a Ctrl+C
        waits for the end of the write)."""
        line = json.dumps({"key": key, "result": result}) + "\n"
        with interrupt.deferred():
            if self.path is not None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                new = not self.path.exists() or self.path.stat().st_size == 0
                with self.path.open("a", encoding="utf-8") as fh:
                    if new:
                        fh.write(json.dumps({"fingerprint": self.fingerprint}) + "\n")
                    fh.write(line)
                    fh.flush()
                    os.fsync(fh.fileno())
            self.done[key] = result

    def discard(self) -> None:
        if self.path is not None:
            self.path.unlink(missing_ok=True)
        self.done = {}


# ---- the sweep -----------------------------------------------------------------------------------
@dataclass
class SweepStats:
    """What a sweep ran: tasks computed now, tasks read from the checkpoint, points evaluated."""

    computed: int = 0
    resumed: int = 0
    points: int = 0


def run_lines(
    lines: dict[str, Line],
    tasks_for: Callable[[str, Any], list[Task]],
    reduce: Callable[[str, Any, list[Any]], Any],
    executor: cf.Executor,
    checkpoint: Checkpoint,
    progress: Callable[[int, int, str, bool], None] | None = None,
) -> tuple[dict[str, Any], dict[tuple[str, Any], list[Any]], SweepStats]:
    """Advance every line until its search returns.

    `tasks_for(line, point)` lists the tasks that evaluate a point; `reduce(line, point,
    results)` turns their results (in task order) into the value sent back to the search.
    Returns ({line: search result}, {(line, point): task results}, stats). `progress(done,
    known, label, final)` counts tasks: finished (run or read back) of those known so far (the
    searches ask for their next points as they go). A failing task stops the sweep with its
    error, an interruption with its KeyboardInterrupt; every result that reached this process
    before is in the checkpoint, and the tasks not started are cancelled (the executor's owner
    shuts it down).

    Parameters
    ----------
    lines : dict
        {name: search generator} (yields points, is sent values, returns its result).
    tasks_for : callable
        ``tasks_for(line, point) -> list of Task``.
    reduce : callable
        ``reduce(line, point, results) -> value`` sent to the line's search.
    executor : concurrent.futures.Executor
        Runs the tasks (``submit(fn, spec)``): `InProcess`, `LocalPool`, a thread pool, a Dask
        client's executor.
    checkpoint : Checkpoint
        Finished tasks are read from it (not run again) and appended to it.
    progress : callable, optional
        ``progress(done, known, label, final)``.

    Returns
    -------
    (dict, dict, SweepStats)
        {line: search result}, {(line, point): task results in task order} and what was run.
    """
    results: dict[str, Any] = {}
    evaluated: dict[tuple[str, Any], list[Any]] = {}
    stats = SweepStats()
    waiting: dict[str, tuple[Any, list[Task], dict[str, Any]]] = {}  # line → (point, tasks, results)
    futures: dict[cf.Future, tuple[str, Task]] = {}
    ready: list[str] = []
    total = len(lines)
    known = 0

    def report(label: str, final: bool = False) -> None:
        if progress:
            progress(stats.computed + stats.resumed, known, f"tasks, {len(results)}/{total} lines done: {label}", final)

    def ask(line: str, value: Any = None, first: bool = False) -> None:
        nonlocal known
        try:
            point = next(lines[line]) if first else lines[line].send(value)
        except StopIteration as stop:
            results[line] = stop.value
            report(f"{line} done", final=len(results) == total)
            return
        tasks = tasks_for(line, point)
        known += len(tasks)
        got: dict[str, Any] = {}
        waiting[line] = (point, tasks, got)
        for task in tasks:
            if task.key in checkpoint.done:
                got[task.key] = checkpoint.done[task.key]
                stats.resumed += 1
                continue
            fut = executor.submit(task.fn, task.spec)
            futures[fut] = (line, task)
            if fut.done():  # ran at once (InProcess): kept before the next task starts
                keep(fut, line, task)
                del futures[fut]
        if len(got) == len(tasks) and line not in ready:
            ready.append(line)

    def finish(line: str) -> None:
        point, tasks, got = waiting.pop(line)
        ordered = [got[t.key] for t in tasks]
        evaluated[(line, point)] = ordered
        stats.points += 1
        value = reduce(line, point, ordered)
        report(f"{line} at {point}: {value:.2f}" if isinstance(value, float) else f"{line} at {point}")
        ask(line, value)

    def keep(fut: cf.Future, line: str, task: Task) -> None:
        result = fut.result()  # a task's error stops the sweep here
        checkpoint.append(task.key, result)
        stats.computed += 1
        got = waiting[line][2]
        got[task.key] = result
        if len(got) == len(waiting[line][1]) and line not in ready:
            ready.append(line)
        report(f"finished {task.key}")

    try:
        for name in lines:
            ask(name, first=True)
        while ready or futures:
            while ready:
                finish(ready.pop(0))
            if not futures:
                continue
            # in slices, so that the main thread handles signals at once on every platform
            done = cf.wait(list(futures), timeout=0.5, return_when=cf.FIRST_COMPLETED).done
            for fut in done:
                keep(fut, *futures.pop(fut))
    except BaseException as err:
        if isinstance(err, KeyboardInterrupt):
            interrupt.acknowledge()
        for fut in futures:
            fut.cancel()  # the tasks not started yet
        for fut, (line, task) in futures.items():  # finished, but not yet kept
            if fut.done() and not fut.cancelled() and fut.exception() is None and task.key not in checkpoint.done:
                checkpoint.append(task.key, fut.result())
        raise
    return results, evaluated, stats


__all__ = ["Task", "InProcess", "LocalPool", "Checkpoint", "SweepStats", "run_lines", "fingerprint",
           "resolve_workers", "check_scheduler", "dask_executor", "single_threaded_blas"]
