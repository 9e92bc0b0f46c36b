"""Per-organisation work spread over every core, results in order.

A national run checks and reports on dozens of organisations, each
independently of the others. :func:`map_organisations` forks worker processes
that inherit the run's frames (copy-on-write, nothing pickled on the way in)
and hands each an organisation's index; only the small results come back.
Small runs, one-core machines and platforms without ``fork`` do the same
work in this process.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from typing import Callable, Sequence, TypeVar

T = TypeVar("T")
R = TypeVar("R")

#: Below this many items a pool costs more than it saves.
MIN_ITEMS = 4

# What the forked workers inherit: set just before the pool starts, cleared after.
_job: tuple[Callable, object, Sequence] | None = None


def _run(index: int):
    func, shared, items = _job
    return func(shared, items[index])


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
    """
    global _job
    count = min(len(items), workers())
    forked = count >= 2 and len(items) >= MIN_ITEMS and "fork" in multiprocessing.get_all_start_methods()
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
