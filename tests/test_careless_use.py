"""Careless use refused in one line, exit 2: outputs that would replace an input (the tool never changes its
input files, whatever path or link leads to them; nothing is written), and a check run with every check
switched off (it would read as a clean bill of health)."""

from __future__ import annotations

import os
import shutil

import pytest
from conftest import REPO, run_cli

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
