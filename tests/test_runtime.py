"""How the console script's process runs: its memory settings (disruption_qa.runtime)."""

from __future__ import annotations

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
