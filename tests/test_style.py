"""The code's style is enforced: ``ruff check`` and ``ruff format --check`` pass on the whole repository
(settings in pyproject.toml's ``[tool.ruff]``)."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def ruff() -> str:
    found = Path(sys.executable).with_name("ruff")
    return (
        str(found)
        if found.exists()
        else (shutil.which("ruff") or pytest.fail("ruff is not installed: pip install -e '.[test]'"))
    )


@pytest.mark.parametrize("args", [["check", "."], ["format", "--check", "."]], ids=["lint", "format"])
def test_ruff(args):
    done = subprocess.run([ruff(), *args], cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
