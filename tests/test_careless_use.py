"""Careless use refused in one line, exit 2: outputs that would replace an input (the tool never changes its
input files, whatever path or link leads to them; nothing is written), and a check run with every check
switched off (it would read as a clean bill of health)."""

from __future__ import annotations

import os
import shutil

import pytest
from conftest import REPO, inputs_unchanged, run_cli

NW = REPO / "sample_exports" / "north-west-2022"
JANUARY, JULY = NW / "disruptions_2023-01-04.csv", NW / "disruptions_2023-07-13.csv"


def refused(run, path) -> None:
    assert run.code == 2, run.stderr
    assert run.stderr.strip().splitlines() == [
        f"error: {path}: would be replaced by an output of this run: choose another --out than {path.parent}"
    ]
    assert "Traceback" not in run.stderr


@pytest.mark.parametrize("command", ["check", "validate"])
def test_an_export_named_like_an_output_in_the_out_folder_is_left_alone(tmp_path, command):
    export = tmp_path / "fixes.csv"
    shutil.copyfile(JANUARY, export)
    extra = ["--year", "2022", "--no-history"] if command == "check" else []
    run = run_cli(command, export, *extra, "--out", tmp_path)
    refused(run, export)
    assert export.read_bytes() == JANUARY.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fixes.csv"]  # nothing written


def test_an_export_inside_an_organisation_folder_is_left_alone(tmp_path):
    export = tmp_path / "cheshire-constabulary" / "results.json"
    export.parent.mkdir()
    shutil.copyfile(JANUARY, export)
    run = run_cli("check", export, "--year", "2022", "--no-history", "--out", tmp_path)
    refused(run, export)
    assert export.read_bytes() == JANUARY.read_bytes()


def test_a_hard_link_to_the_export_is_the_export(tmp_path):
    export = tmp_path / "export.csv"
    shutil.copyfile(JANUARY, export)
    out = tmp_path / "out"
    out.mkdir()
    os.link(export, out / "validation.json")
    run = run_cli("validate", export, "--out", out)
    assert run.code == 2 and "would be replaced by an output of this run" in run.stderr
    assert export.read_bytes() == JANUARY.read_bytes()


def test_diff_leaves_both_extractions_alone(tmp_path):
    old = tmp_path / "diff.html"
    shutil.copyfile(JANUARY, old)
    run = run_cli("diff", old, JULY, "--out", tmp_path)
    refused(run, old)
    assert old.read_bytes() == JANUARY.read_bytes()


def test_outputs_beside_the_inputs_are_still_written(tmp_path):
    export = tmp_path / "disruptions.csv"
    shutil.copyfile(JANUARY, export)
    run = run_cli("validate", export, "--out", tmp_path)
    assert run.code == 1 and (tmp_path / "validation.json").exists()
    assert export.read_bytes() == JANUARY.read_bytes()


def test_every_check_switched_off_is_refused_not_a_clean_bill_of_health(tmp_path):
    from disruption_qa.checks import CATALOGUE

    config = tmp_path / "off.toml"
    config.write_text("".join(f"[checks.{cls.id}]\nenabled = false\n" for cls in CATALOGUE), encoding="utf-8")
    run = run_cli("check", JANUARY, "--year", "2022", "--no-history", "--config", config, "--out", tmp_path / "out")
    assert run.code == 2 and "Traceback" not in run.stderr
    assert run.stderr.strip().splitlines() == [
        f"error: {config}: every check is switched off (enabled = false), so a check run could find nothing:"
        " switch one on, or use validate for the export contract alone"
    ]
    assert not (tmp_path / "out").exists()
    one_on = config.read_text(encoding="utf-8").replace(
        "[checks.W101]\nenabled = false", "[checks.W101]\nenabled = true"
    )
    config.write_text(one_on, encoding="utf-8")
    run = run_cli("check", JANUARY, "--year", "2022", "--no-history", "--config", config, "--out", tmp_path / "out")
    assert run.code == 1 and "W101" in run.stdout


@pytest.mark.parametrize(
    ("toml", "says"),
    [
        (
            "[checks.W101]\nwarning = 5\n",
            "W101 setting 'warning' is a share and must be from 0 to 1 (0.7 for 70%), not 5",
        ),
        (
            "[checks.W101]\nerror = -1\n",
            "W101 setting 'error' is a share and must be from 0 to 1 (0.7 for 70%), not -1",
        ),
        (
            "[checks.W101]\nwarning = nan\n",
            "W101 setting 'warning' is a share and must be from 0 to 1 (0.7 for 70%), not nan",
        ),
        (
            "[checks.W107]\nthreshold = inf\n",
            "W107 setting 'threshold' is a share and must be from 0 to 1 (0.7 for 70%), not inf",
        ),
        ("[checks.W101]\nwarning = 0.9\nerror = 0.8\n", "W101 warning (0.9) is above its error level (0.8)"),
        ("[checks.W101]\nwarning = 0.85\n", "W101 warning (0.85) is above its error level (0.8)"),
        ("[checks.W107]\ndays = -5\n", "W107 setting 'days' must not be negative, not -5"),
        (
            "[checks.W103]\nallowed_threat_types = []\n",
            "W103 setting 'allowed_threat_types' must name at least one value",
        ),
        (
            '[checks.W103]\nallowed_threat_types = ["Banana"]\n',
            "'Banana' is not an allowed value (one of Organised Crime Group,",
        ),
        (
            "[checks.W101]\nwarning = 0.6\n[checks.pursue-skew]\nwarning = 0.65\n",
            "W101 is set twice, as [checks.W101] and [checks.pursue-skew]",
        ),
        ("[checks.W101]\nwarning = 0.6\n[threshold]\nx = 1\n", "unknown section(s): threshold"),
    ],
    ids=[
        "share-above-1",
        "negative-share",
        "nan",
        "inf",
        "warning-above-error",
        "warning-above-default-error",
        "negative-days",
        "empty-list",
        "unknown-value",
        "id-and-slug",
        "unknown-section",
    ],
)
def test_config_values_that_cannot_mean_anything_are_refused(tmp_path, toml, says):
    config = tmp_path / "c.toml"
    config.write_text(toml, encoding="utf-8")
    run = run_cli("checks", "--config", config)
    assert run.code == 2 and "Traceback" not in run.stderr
    (line,) = run.stderr.strip().splitlines()
    assert line.startswith(f"error: {config}") and says in line, line


def test_config_values_at_the_edges_are_accepted(tmp_path):
    config = tmp_path / "c.toml"
    config.write_text(
        '[checks.W101]\nwarning = 0\nerror = 1\n[checks.W107]\ndays = 0\n[checks.W116]\ndisruption_threat_types = ["Organised Crime Group", "Priority Individual"]\n',
        encoding="utf-8",
    )
    run = run_cli("checks", "--config", config)
    assert run.code == 0, run.stderr
    assert "warning=0, error=1" in run.stdout


# --- the guard every command-running test goes through --------------------------------------------------


def test_the_input_guard_notices_a_changed_or_removed_input_and_ignores_outputs(tmp_path):
    export, out, store = tmp_path / "d.csv", tmp_path / "out.csv", tmp_path / "h.sqlite"
    for path in (export, out, store):
        path.write_text("before")
    args = ["check", export, "--out", out, "--history", store]
    with inputs_unchanged(args):
        out.write_text("after")  # outputs may change
        store.write_text("after")
    with pytest.raises(AssertionError, match="changed its input"), inputs_unchanged(args):
        export.write_text("after")
    with pytest.raises(AssertionError, match="removed its input"), inputs_unchanged(args):
        export.unlink()
