"""How the command-line process runs: its memory settings and how it leaves.

Only the console script uses this module: a program using the library keeps
its own allocator settings and its own way of ending.
"""

from __future__ import annotations

import gc
import os
import sys

#: The garbage collector's thresholds in the console script (see :func:`begin`); Python's are 700, 10, 10.
GC_THRESHOLDS = (50_000, 20, 100)


def begin() -> None:
    """The console script's settings for its whole process, made before it imports anything large.

    Python's cyclic garbage collector looks at its youngest objects every 700 new
    lists, dicts and other containers: importing the libraries set it off dozens of
    times, and a national run's results hundreds, twice over every object, most of
    it in the main process, which much of the run waits on. Looking every 50,000 it
    runs a few dozen times in a national run and never over every object
    (docs/performance.md has the figures). Forked workers inherit the setting.

    numpy's OpenBLAS runs in one thread (unless the user set OPENBLAS_NUM_THREADS):
    it starts one per core when numpy is imported, for matrix products the tool
    never computes, and one spun on a core in the main process. The libraries in
    :data:`UNUSED` are kept out (:func:`skip_unused_imports`).
    """
    gc.set_threshold(*GC_THRESHOLDS)
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    skip_unused_imports()


def tune_memory() -> None:
    """Make this process's memory cheaper to reuse and steadier to get, for large extractions.

    A run allocates and frees many arrays of several megabytes. By default glibc
    maps each afresh and the system zeroes every page again; raising the
    mapping and trimming thresholds (``mallopt``, the knobs MALLOC_MMAP_THRESHOLD_
    and friends set) keeps freed memory for reuse. pyarrow's default allocator
    (mimalloc) made the system time of reading a national file swing widely from
    run to run; jemalloc is steady (docs/performance.md), and its threads' arenas
    return what is freed to the system at once. Where glibc or jemalloc is missing,
    the defaults stay.
    """
    import ctypes
    import ctypes.util

    try:
        mallopt = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").mallopt
    except (OSError, AttributeError):
        pass
    else:
        m_trim_threshold, m_top_pad, m_mmap_threshold = -1, -2, -3
        mallopt(m_mmap_threshold, 32 << 20)  # glibc's largest: arrays under 32 MB come from the heap
        mallopt(m_trim_threshold, 1 << 30)
        mallopt(m_top_pad, 256 << 20)
    import pyarrow

    if "jemalloc" in pyarrow.supported_memory_backends() and "ARROW_DEFAULT_MEMORY_POOL" not in os.environ:
        pyarrow.set_memory_pool(pyarrow.jemalloc_memory_pool())
        # jemalloc's arenas made from now on (those of pyarrow's and the reader's threads, which parse a file
        # and join each column in one piece) give freed pages back at once: a national file's parse blocks,
        # a few hundred MB, would otherwise stay, kept for reuse that never comes, in this process and in the
        # ones forked from it for the checks
        pyarrow.jemalloc_set_decay_ms(0)


#: Libraries the tool never uses that its libraries import when they are installed: pandera imports hypothesis
#: for its data-synthesis strategies (a fifth of a second).
UNUSED = ("hypothesis",)


def skip_unused_imports() -> None:
    """Keep this process from importing the libraries in UNUSED (an import of one raises ImportError, which
    the library importing it expects when it is not installed). One already imported is left as it is."""
    for name in UNUSED:
        sys.modules.setdefault(name, None)


def leave(code: object) -> None:
    """End the process with ``code`` (as ``SystemExit`` gives it) once its output is flushed, without the
    interpreter's teardown: every output is written and closed by now, and tearing down a national run's
    frames object by object only delays the prompt."""
    if isinstance(code, str):
        print(code, file=sys.stderr)
    parallel = sys.modules.get("disruption_qa.parallel")
    if parallel is not None:  # a job forked beside and not wanted (the command failed first) ends with it
        parallel.stop_all()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code if isinstance(code, int) else (0 if code is None else 1))
