"""Work spread over every core: per-organisation work in order, and one job in the background.

A national run checks and reports on dozens of organisations, each
independently of the others. :func:`map_organisations` forks worker processes
that inherit the run's frames (copy-on-write, nothing pickled on the way in)
and hands each an organisation's index; only the small results come back.
:func:`in_background` runs one job (the schema validation) in a forked
process while this one goes on. Small runs, one-core machines and platforms
without ``fork`` do the same work in this process.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from typing import Callable, Sequence, TypeVar

T = TypeVar("T")
R = TypeVar("R")

#: Below this many items a pool costs more than it saves.
MIN_ITEMS = 4

# What the forked workers inherit: set just before a pool starts, cleared after.
_job: tuple[Callable, object, Sequence] | None = None  # map_organisations
_background: tuple[Callable, object] | None = None  # in_background
_busy = 0  # cores taken by background jobs still running
_lock = threading.Lock()


def _run(index: int):
    func, shared, items = _job
    return func(shared, items[index])


def _run_background():
    func, shared = _background
    return func(shared)


def can_fork() -> bool:
    """Whether work can go to forked processes on another core."""
    return workers() >= 2 and "fork" in multiprocessing.get_all_start_methods()


def workers() -> int:
    """How many processes per-organisation work uses: the cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def free_cores() -> int:
    """Cores not taken by a job running in the background (at least this process's own)."""
    return max(1, workers() - _busy)


def _release(_future) -> None:
    global _busy
    with _lock:  # called on the pool's thread
        _busy -= 1


def map_organisations(
    func: Callable[[object, T], R],
    shared: object,
    items: Sequence[T],
    progress: Callable[[str], None] | None = None,
    describe: Callable[[int, T], str] | None = None,
) -> list[R]:
    """``[func(shared, item) for item in items]``, on every core when it pays.

    ``progress`` hears ``describe(i, item)`` as each item is done, in order.
    Cores taken by a job in the background are left to it: while the schema
    validation runs beside the checks on a two-core machine, the checks run
    here (three busy processes on two cores were slower than two).
    """
    global _job
    count = min(len(items), free_cores())
    forked = can_fork() and count >= 2 and len(items) >= MIN_ITEMS
    results: list[R] = []
    if not forked:
        for i, item in enumerate(items):
            results.append(func(shared, item))
            if progress and describe:
                progress(describe(i, item))
        return results
    _job = (func, shared, items)
    try:
        with ProcessPoolExecutor(count, mp_context=multiprocessing.get_context("fork")) as pool:
            for i, result in enumerate(pool.map(_run, range(len(items)), chunksize=1)):
                results.append(result)
                if progress and describe:
                    progress(describe(i, items[i]))
    finally:
        _job = None
    return results


class Finished:
    """A result already at hand, with a future's ``result()``."""

    def __init__(self, value):
        self.value = value

    def result(self):
        return self.value


def in_background(func: Callable[[object], R], shared: object):
    """Start ``func(shared)`` in a forked process and return its future (``.result()`` waits for it).

    Where there is no second core or no ``fork``, it runs here and now.
    An exception in the job is raised again by ``.result()``.
    """
    global _background, _busy
    if not can_fork():
        return Finished(func(shared))
    _background = (func, shared)
    try:
        pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"))
        future = pool.submit(_run_background)  # the worker is forked here, inheriting _background
    finally:
        _background = None
    pool.shutdown(wait=False)  # the worker finishes the job, then the pool winds down
    with _lock:
        _busy += 1
    future.add_done_callback(_release)
    return future
