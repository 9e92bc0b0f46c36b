"""Work spread over every core: per-organisation work in order, and one job alongside it.

A national run checks and reports on dozens of organisations, each
independently of the others. :func:`map_organisations` forks worker processes
that inherit the run's frames (copy-on-write, nothing pickled on the way in)
and hands each an organisation's index; only the small results come back.
:func:`alongside` sets a job aside (the schema validation) for the next such
pool, which runs it first on one of its workers while the others take the
organisations: the cores stay busy with no more processes than cores (three
busy processes on two cores were slower than two). Small runs, one-core
machines and platforms without ``fork`` do the same work in this process.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

#: Below this many items a pool costs more than it saves.
MIN_ITEMS = 4

# What the forked workers inherit: set just before a pool starts, cleared after.
_job: tuple[Callable, object, Sequence, list] | None = None
# Jobs set aside by ``alongside`` for the next pool.
_waiting: list[Alongside] = []


def _run(index: int):
    func, shared, items, _ = _job
    return func(shared, items[index])


def _run_alongside(index: int):
    job = _job[3][index]
    return job.func(job.shared)


def can_fork() -> bool:
    """Whether work can go to forked processes on another core."""
    return workers() >= 2 and "fork" in multiprocessing.get_all_start_methods()


def workers() -> int:
    """How many processes per-organisation work uses: the cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def map_organisations(
    func: Callable[[object, T], R],
    shared: object,
    items: Sequence[T],
    progress: Callable[[str], None] | None = None,
    describe: Callable[[int, T], str] | None = None,
) -> list[R]:
    """``[func(shared, item) for item in items]``, on every core when it pays.

    ``progress`` hears ``describe(i, item)`` as each item is done, in order.
    A job set aside by :func:`alongside` runs first, on one of the pool's workers.
    """
    global _job
    jobs = _waiting[:]
    count = min(len(items) + len(jobs), workers())
    forked = can_fork() and count >= 2 and (len(items) >= MIN_ITEMS or bool(jobs))
    results: list[R] = []
    if not forked:
        for i, item in enumerate(items):
            results.append(func(shared, item))
            if progress and describe:
                progress(describe(i, item))
        return results
    del _waiting[:]
    _job = (func, shared, items, jobs)
    try:
        with ProcessPoolExecutor(count, mp_context=multiprocessing.get_context("fork")) as pool:
            for n, job in enumerate(jobs):  # queued first, so a worker starts on it at once
                job.future = pool.submit(_run_alongside, n)
            for i, result in enumerate(pool.map(_run, range(len(items)), chunksize=1)):
                results.append(result)
                if progress and describe:
                    progress(describe(i, items[i]))
    finally:
        _job = None
    return results


class Alongside:
    """A job set aside for the next per-organisation pool (see :func:`alongside`)."""

    def __init__(self, func: Callable[[object], R], shared: object):
        self.func, self.shared = func, shared
        self.future = None  # set when a pool takes the job
        self._value: list = []  # (True, value) or (False, error), once known

    def result(self) -> R:
        """The job's value (or its error, raised again): from the pool that ran it, else computed here, once."""
        if not self._value:
            if self.future is None and self in _waiting:
                _waiting.remove(self)
            run = self.future.result if self.future is not None else (lambda: self.func(self.shared))
            try:
                self._value.append((True, run()))
            except Exception as exc:
                self._value.append((False, exc))
        ok, value = self._value[0]
        if not ok:
            raise value
        return value


def forget_waiting() -> None:
    """Forget a job set aside and not taken (it then runs when asked, if ever): for a run that stopped early,
    so that another run's pool does not do its work."""
    del _waiting[:]


def alongside(func: Callable[[object], R], shared: object) -> Alongside:
    """Set ``func(shared)`` aside to run on a spare core beside the next :func:`map_organisations` (one job at a time).

    ``.result()`` gives its value (or raises its exception), running it here if no
    pool has taken it. Where there is no second core or no ``fork``, it runs when asked.
    """
    job = Alongside(func, shared)
    # a job set aside earlier and never taken (a run that stopped on bad input) now runs when asked, if ever
    _waiting[:] = [job] if can_fork() else []
    return job
