"""Every file-system failure of every command is one line naming the path and the reason, exit 2: an input
that is missing, a folder or unreadable; an output folder that is a file, under a file or read-only; and
``sample`` never replaces an export already there unless asked (--force)."""

from __future__ import annotations

import hashlib
import shutil

import pytest
from conftest import DISRUPTIONS_VALID, THREATS_VALID, one_line_error, run_cli, run_cli_unprivileged


@pytest.fixture
def place(shared_tmp):
    """A folder holding a readable export, an unreadable one (mode 000), a folder named like an export, a
    plain file, a read-only folder and an unsearchable one; every command runs as a user those modes bind."""
    shutil.copyfile(DISRUPTIONS_VALID, shared_tmp / "d.csv")
    shutil.copyfile(THREATS_VALID, shared_tmp / "t.csv")
    shutil.copyfile(DISRUPTIONS_VALID, shared_tmp / "locked.csv")
    (shared_tmp / "locked.csv").chmod(0o000)
    (shared_tmp / "config.toml").write_text("[checks.W101]\nwarning = 0.6\n")
    shutil.copyfile(shared_tmp / "config.toml", shared_tmp / "locked.toml")
    (shared_tmp / "locked.toml").chmod(0o000)
    (shared_tmp / "folder.csv").mkdir()
    (shared_tmp / "a-file").write_text("in the way")
    (shared_tmp / "read-only").mkdir(mode=0o555)
    (shared_tmp / "read-only").chmod(0o555)
    (shared_tmp / "closed").mkdir()
    (shared_tmp / "closed").chmod(0o000)
    shared_tmp.chmod(0o777)  # the outputs of the commands that succeed
    return shared_tmp


INPUT_COMMANDS = {
    "validate": ["validate", "{x}"],
    "validate --threats": ["validate", "d.csv", "--threats", "{x}"],
    "check": ["check", "{x}", "--no-history"],
    "check --config": ["check", "d.csv", "--config", "{x}", "--no-history"],
    "diff": ["diff", "d.csv", "{x}"],
    "diff --threats-old": ["diff", "d.csv", "d.csv", "--threats-old", "{x}", "--threats-new", "t.csv"],
    "checks --config": ["checks", "--config", "{x}"],
    "history --history": ["history", "--history", "{x}"],
}
BAD_INPUTS = {
    "missing.csv": "no such",
    "folder.csv": "folder",
    "locked.csv": "cannot be read (Permission denied)",
    "closed/in.csv": "cannot be read (Permission denied)",  # in a folder that cannot be searched
}
#: What the history command says of a store that is not there.
REASONS = {("history --history", "missing.csv"): "no history store at missing.csv"}


@pytest.mark.parametrize("command", INPUT_COMMANDS)
@pytest.mark.parametrize("bad", BAD_INPUTS)
def test_an_input_that_cannot_be_read_is_one_line(place, command, bad):
    if command.endswith("--config") and bad == "locked.csv":
        bad = "locked.toml"
    args = [a.format(x=bad) for a in INPUT_COMMANDS[command]]
    if args[0] not in ("checks", "history"):
        args += ["--out", "out"]
    run = run_cli_unprivileged(*args, tmp=place)
    reason = REASONS.get((command, bad), BAD_INPUTS.get(bad, "cannot be read (Permission denied)"))
    one_line_error(run, "error: " if command == "history --history" else f"error: {bad}: ", bad, reason)
    assert "Usage:" not in run.stderr and "╭" not in run.stderr


OUTPUT_COMMANDS = {
    "validate": ["validate", "d.csv"],
    "check": ["check", "d.csv", "--no-history"],
    "diff": ["diff", "d.csv", "d.csv"],
    "sample": ["sample", "--rows", "20"],
}
BAD_OUTPUTS = {
    "a-file": "the output folder is a file, or lies under one",
    "a-file/under": "the output folder is a file, or lies under one",
    "read-only": "(Permission denied)",
    "read-only/new": "(Permission denied)",
    "closed/new": "(Permission denied)",
}


@pytest.mark.parametrize("command", OUTPUT_COMMANDS)
@pytest.mark.parametrize("out", BAD_OUTPUTS)
def test_an_output_folder_that_cannot_be_written_is_one_line(place, command, out):
    run = run_cli_unprivileged(*OUTPUT_COMMANDS[command], "--out", out, tmp=place)
    line = one_line_error(run, f"error: {out}", BAD_OUTPUTS[out])
    assert "internal error" not in line
    assert (place / "a-file").read_text() == "in the way"


def digests(folder) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.mark.parametrize("extra", [[], ["--format", "xlsx"], ["--preset", "north-west-2022"]], ids=str)
def test_sample_never_replaces_an_export_unless_forced(tmp_path, extra):
    out = tmp_path / "exports"
    first = run_cli("sample", "--rows", "30", *extra, "--out", out)
    assert first.code == 0, first.stderr
    before = digests(out)
    (out / next(iter(before))).write_text("a team's own export")  # the one a careless rerun would lose
    kept = digests(out)
    again = run_cli("sample", "--rows", "30", "--seed", "2", *extra, "--out", out)
    one_line_error(again, f"error: {out / next(iter(before))}: exists already", "--force")
    assert digests(out) == kept  # nothing written, nothing replaced
    forced = run_cli("sample", "--rows", "30", *extra, "--out", out, "--force")
    assert forced.code == 0, forced.stderr
    assert digests(out) == before


def test_sample_writes_beside_other_files(tmp_path):
    out = tmp_path / "exports"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    run = run_cli("sample", "--rows", "30", "--out", out)
    assert run.code == 0, run.stderr
    assert sorted(p.name for p in out.iterdir()) == ["disruptions.csv", "notes.txt", "threats.csv"]
