"""Shared fixtures: the small sample exports, writing test files, running the command line."""

from __future__ import annotations

import csv
import hashlib
import io
import os
import shutil
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SMALL = REPO / "sample_exports" / "small"

DISRUPTIONS_VALID = SMALL / "disruptions_valid.csv"
THREATS_VALID = SMALL / "threats_valid.csv"
DISRUPTIONS_BROKEN = SMALL / "disruptions_broken.csv"
THREATS_BROKEN = SMALL / "threats_broken.csv"
DISRUPTIONS_BROKEN_XLSX = SMALL / "disruptions_broken.xlsx"

#: The two title lines every small sample starts with (so the first record is row 4).
TITLE_LINES = 2


def sample_rows(path: Path) -> list[list[str]]:
    """The cells of a sample CSV, title lines and header included (row n is item n-1)."""
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def csv_text(rows: list[list[str]], title: list[str] | None = None) -> str:
    """CSV text (CRLF, minimal quoting) for rows, with optional one-cell title lines above."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    for line in title or []:
        writer.writerow([line])
    writer.writerows(rows)
    return buf.getvalue()


def valid_disruption_rows() -> tuple[list[str], list[list[str]]]:
    """Header and records of the valid disruptions sample (title lines dropped)."""
    rows = sample_rows(DISRUPTIONS_VALID)
    return rows[TITLE_LINES], rows[TITLE_LINES + 1 :]


def valid_threat_rows() -> tuple[list[str], list[list[str]]]:
    rows = sample_rows(THREATS_VALID)
    return rows[TITLE_LINES], rows[TITLE_LINES + 1 :]


def disruption_record(record_id: str, organisation: str = "Cheshire Constabulary", **cells: str) -> dict:
    """A healthy lead disruption by the contract's column names (Summary and Supported Organisation blank);
    ``cells`` change the columns a test is about."""
    return {
        "Disruption ID": record_id,
        "Recording Organisation": organisation,
        "Disruption Type": "Lead Disruption",
        "Threat ID": "T001",
        "Threat Type": "Organised Crime Group",
        "Disruption Date": "01/06/2022",
        "Record Date": "04/06/2022",
        "4P Strand": "Pursue",
        "Assessment Category": "Major",
        "Tactic": "Arrest",
        "Threat Area": "Drugs Supply",
        "Recorded By": "U1",
        **cells,
    }


def threat_record(threat_id: str, organisation: str = "Cheshire Constabulary", **cells: str) -> dict:
    """A healthy master-list threat by the contract's column names; ``cells`` change the columns a test is
    about."""
    return {
        "Threat ID": threat_id,
        "Owning Organisation": organisation,
        "Threat Type": "Organised Crime Group",
        "Assessment Type": "Tactical",
        "SOC Status": "SOC",
        "Moderation Status": "Moderated",
        "Tier": "Tier 2",
        "MoRiLE Score": "120",
        "Phase": "Active",
        "Created Date": "01/06/2020",
        "Closed Date": "",
        "Lead Responsible Officer": "LRO1",
        "Last Review Date": "01/11/2022",
        "Threat Area": "Drugs Supply",
        **cells,
    }


def write_export(path: Path, rows: list[dict], kind: str = "disruptions", extracted=None) -> None:
    """An export of ``rows`` (dicts by column name; a column a row does not give is blank), with APMIS's two
    title lines above the header when ``extracted`` (a date) is given."""
    from disruption_qa.contract import EXPORT_KINDS

    with path.open("w", newline="", encoding="utf-8") as f:
        if extracted is not None:
            f.write(f"APMIS Export\nExtracted: {extracted:%d/%m/%Y} 09:14\n")
        writer = csv.DictWriter(f, fieldnames=[c.name for c in EXPORT_KINDS[kind].columns])
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture
def write_file(tmp_path):
    """write_file(name, text_or_bytes, encoding='utf-8') -> path in a fresh folder."""

    def write(name: str, data: str | bytes, encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, str):
            data = data.encode(encoding)
        path.write_bytes(data)
        return path

    return write


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str


#: Options whose value the command writes (its outputs), so not an input to keep unchanged.
OUTPUT_OPTIONS = {"--out", "--history", "--write-config"}


def input_files(args, cwd: Path | None = None) -> list[Path]:
    """The existing, readable files among a command's arguments, outputs excepted."""
    args = [str(a) for a in args]
    found = []
    for i, arg in enumerate(args):
        if i and args[i - 1] in OUTPUT_OPTIONS:
            continue
        path = Path(cwd or ".") / arg
        if path.is_file() and os.access(path, os.R_OK):
            found.append(path)
    return found


@contextmanager
def inputs_unchanged(args, cwd: Path | None = None):
    """Assert that a command leaves every input file it was given byte for byte as it was."""
    before = {path: hashlib.sha256(path.read_bytes()).hexdigest() for path in input_files(args, cwd)}
    yield
    for path, digest in before.items():
        assert path.is_file(), f"the command removed its input {path}"
        assert hashlib.sha256(path.read_bytes()).hexdigest() == digest, f"the command changed its input {path}"


def run_cli(*args: object, cwd: Path | None = None, prefix: tuple[str, ...] = (), env: dict | None = None) -> Run:
    """Run ``python -m disruption_qa ARGS`` in a child process, as a user would (``prefix``: a command that
    runs it, such as setpriv).

    Every input file named in ARGS keeps its SHA-256 through the run (the tool never changes its inputs).
    """
    with inputs_unchanged(args, cwd):
        proc = subprocess.run(
            [*prefix, sys.executable, "-m", "disruption_qa", *map(str, args)],
            capture_output=True,
            text=True,
            cwd=cwd,
            env=env,
            timeout=300,
        )
    return Run(proc.returncode, proc.stdout, proc.stderr)


def one_line_error(run: Run, *parts: str) -> str:
    """The single ``error:`` line of a run that exited 2 (no traceback, no usage box), holding each of ``parts``."""
    assert run.code == 2, (run.code, run.stdout, run.stderr)
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), run.stderr
    for part in parts:
        assert part in lines[0], lines[0]
    return lines[0]


@pytest.fixture
def shared_tmp():
    """A folder another user can reach (pytest's own are private to this user)."""
    path = Path(tempfile.mkdtemp(prefix="dqa-shared-"))
    path.chmod(0o755)
    yield path
    for folder, subfolders, _files in os.walk(path):  # top-down: each made searchable before it is entered
        for name in subfolders:
            os.chmod(os.path.join(folder, name), 0o755)
    shutil.rmtree(path)


def run_cli_unprivileged(*args: object, tmp: Path) -> Run:
    """Run the command in ``tmp`` as a user for whom read-only files are read-only: as root (who writes
    anything), the child drops to the unprivileged user ``nobody``."""
    drop = ("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups") if os.geteuid() == 0 else ()
    env = {**os.environ, "HOME": str(tmp), "XDG_DATA_HOME": str(tmp / "data")}
    return run_cli(*args, cwd=tmp, prefix=drop, env=env)


@pytest.fixture
def cli():
    return run_cli


def pytest_configure(config):
    """Keep every test's run history and compiled templates out of the user's real folders.

    ``check`` records each run in ``$XDG_DATA_HOME/disruption-qa/history.sqlite``
    by default, and keeps compiled templates in ``$XDG_CACHE_HOME/disruption-qa``;
    the tests (and the commands they start) use fresh folders.
    """
    import os
    import tempfile

    os.environ["XDG_DATA_HOME"] = tempfile.mkdtemp(prefix="dqa-test-data-")
    os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="dqa-test-cache-")
