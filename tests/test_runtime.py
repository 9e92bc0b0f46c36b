"""How the console script's process runs: its memory settings (disruption_qa.runtime)."""

from __future__ import annotations

import os
import subprocess
import sys

import pyarrow as pa
import pytest

SETTINGS = """
import pyarrow
calls = []
pyarrow.jemalloc_set_decay_ms = lambda ms: calls.append(ms)
from disruption_qa.runtime import tune_memory
tune_memory()
print(pyarrow.default_memory_pool().backend_name, calls)
"""


@pytest.mark.skipif("jemalloc" not in pa.supported_memory_backends(), reason="this pyarrow has no jemalloc")
def test_the_console_script_uses_jemalloc_and_gives_freed_memory_back_at_once():
    """A national read frees a few hundred MB of parse blocks; kept for reuse, each process forked for the checks
    would count them (docs/performance.md, "Memory"). In a process of its own, as the console script's."""
    out = subprocess.run([sys.executable, "-c", SETTINGS], capture_output=True, text=True, check=True).stdout
    assert out.split(maxsplit=1) == ["jemalloc", "[0]\n"]


def test_a_chosen_memory_pool_is_kept():
    """ARROW_DEFAULT_MEMORY_POOL, set by the user, wins over the console script's choice."""
    env = {"ARROW_DEFAULT_MEMORY_POOL": "system", "PATH": ""}
    out = subprocess.run([sys.executable, "-c", SETTINGS], capture_output=True, text=True, check=True, env=env)
    assert out.stdout.split(maxsplit=1) == ["system", "[]\n"]


BLAS = """
import os
from disruption_qa.runtime import begin
begin()
import numpy
print(os.environ["OPENBLAS_NUM_THREADS"], len(os.listdir("/proc/self/task")))
"""


def threads_after_numpy(blas: str | None) -> tuple[str, int]:
    """OPENBLAS_NUM_THREADS and the threads of a process like the console script's once numpy is imported,
    the variable set beforehand to ``blas`` (None: unset)."""
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    if blas is not None:
        env["OPENBLAS_NUM_THREADS"] = blas
    out = subprocess.run([sys.executable, "-c", BLAS], capture_output=True, text=True, check=True, env=env).stdout
    setting, threads = out.split()
    return setting, int(threads)


def test_numpy_starts_no_blas_threads_in_the_console_script():
    """OpenBLAS starts a thread per core when numpy is imported (one spun on a core in a national run), for
    matrix products the tool never computes: the console script's process runs it in its own thread. A number
    the user chose is kept: two OpenBLAS threads are one more than the console script's one (OpenBLAS starts no
    more than the cores)."""
    setting, threads = threads_after_numpy(None)
    assert setting == "1"
    assert threads_after_numpy("2") == ("2", threads + min(2, os.cpu_count() or 1) - 1)


COLLECTIONS = """
import gc, sys
if sys.argv[1] == "console":
    from disruption_qa.runtime import begin
    begin()
runs = []
gc.callbacks.append(lambda phase, info: phase == "stop" and runs.append(info["generation"]))
kept = [[n] for n in range(200_000)]  # as a national run's results keep lists and dicts alive
print(len(runs), max(runs, default=-1))
"""


def test_the_console_script_runs_the_garbage_collector_rarely():
    """Every 700 new containers, Python's collector ran hundreds of times in a national run, twice over every
    object; the console script's looks every 50,000, and never at every object."""

    def collections(kind: str) -> tuple[int, int]:
        out = subprocess.run([sys.executable, "-c", COLLECTIONS, kind], capture_output=True, text=True, check=True)
        count, oldest = out.stdout.split()
        return int(count), int(oldest)

    assert collections("console") == (4, 0)
    count, oldest = collections("library")  # a program using the library keeps Python's settings
    assert count > 250 and oldest == 2


def test_the_command_line_is_parsed_without_pydantic(cli, tmp_path):
    """typer from 0.29 builds pydantic TypeAdapters for every argument of every run, a tenth of a second before a
    check begins; the pinned typer parses them itself (pyproject.toml). ``checks`` runs in one process, so the
    imports listed are the command line's and the command's own."""
    env = {**os.environ, "PYTHONPROFILEIMPORTTIME": "1"}
    proc = cli("checks", "--profile", "default", env=env)
    assert proc.code == 0 and "W101" in proc.stdout, proc.stderr
    imported = {line.rsplit("|", 1)[-1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")}
    assert "typer" in imported and "pydantic" not in imported
