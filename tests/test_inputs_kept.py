"""The tool never changes its input files: an output that would replace one is refused before anything is
written (exit 2, one line naming the input), whatever path or link leads to it."""

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
