"""`check` on the shipped north-west extraction finds what the inspectors found.

The expected findings are the table under "Expected findings" in
sample_exports/README.md, so the documentation and the tool cannot drift apart.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import jsonschema
import pytest
from conftest import run_cli

ROOT = Path(__file__).resolve().parent.parent
NW = ROOT / "sample_exports" / "north-west-2022"
DISRUPTIONS = NW / "disruptions_2023-01-04.csv"
THREATS = NW / "threats_2023-01-04.csv"


def expected_findings() -> list[tuple[str, str, str]]:
    text = (ROOT / "sample_exports" / "README.md").read_text(encoding="utf-8")
    section = text.split("## Expected findings", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and re.fullmatch(r"W\d{3}", cells[1]):
            rows.append(tuple(cells))
    return rows


@pytest.fixture(scope="module")
def checked(tmp_path_factory):
    out = tmp_path_factory.mktemp("nw")
    proc = run_cli("check", DISRUPTIONS, "--threats", THREATS, "--year", "2022", "--out", out)
    results = {json.loads(p.read_text())["organisation"]: json.loads(p.read_text()) for p in out.glob("*/results.json")}
    return proc, out, results


def test_readme_lists_the_inspection_signs():
    rows = set(expected_findings())
    for must in [
        ("Cheshire Constabulary", "W101", "error"),
        ("Cheshire Constabulary", "W105", "flagged"),
        ("Lancashire Constabulary", "W101", "error"),
        ("Greater Manchester Police", "W101", "warning"),
        ("North Wales Police", "W108", "flagged"),
        ("Cumbria Constabulary", "W101", "clear"),
        ("Merseyside Police", "W101", "clear"),
    ]:
        assert must in rows


@pytest.mark.parametrize("organisation, check, status", expected_findings())
def test_check_finds_what_the_readme_expects(checked, organisation, check, status):
    _, _, results = checked
    finding = next(f for f in results[organisation]["findings"] if f["check"] == check)
    if status == "clear":
        assert finding["status"] == "clear", finding["message"]
    elif status == "flagged":
        assert finding["status"] == "flagged", finding["message"]
    else:
        assert (finding["status"], finding["severity"]) == ("flagged", status), finding["message"]


def test_every_flagged_finding_lists_its_records(checked):
    _, out, results = checked
    assert len(results) == 7
    for organisation, result in results.items():
        flagged = [f for f in result["findings"] if f["status"] == "flagged"]
        folder = next(
            p.parent for p in out.glob("*/results.json") if json.loads(p.read_text())["organisation"] == organisation
        )
        with open(folder / "fixes.csv", encoding="utf-8-sig", newline="") as fh:
            fixes = {(row["source"], row["record_id"]) for row in csv.DictReader(fh)}
        for f in flagged:
            assert f["records"], (organisation, f["check"])
            assert {(f["check"], rid) for rid in f["records"]} <= fixes, (organisation, f["check"])


def test_exit_code_and_outputs(checked):
    proc, out, results = checked
    assert proc.code == 1  # errors flagged (and validation problems planted)
    assert "Traceback" not in proc.stderr
    schema = json.loads((ROOT / "docs" / "results.schema.json").read_text())
    for result in results.values():
        jsonschema.validate(result, schema)
    assert (out / "validation.json").exists() and (out / "cheshire-constabulary" / "report.html").exists()


def test_cheshire_message_carries_the_inspection_numbers_under_the_inspectors_filters(tmp_path):
    proc = run_cli(
        "check",
        DISRUPTIONS,
        "--threats",
        THREATS,
        "--year",
        "2022",
        "--profile",
        "hmicfrs-2023",
        "--organisation",
        "Cheshire Constabulary",
        "--out",
        tmp_path,
    )
    assert proc.code == 1, proc.stderr
    result = json.loads((tmp_path / "cheshire-constabulary" / "results.json").read_text())
    f = {f["check"]: f for f in result["findings"]}
    assert f["W101"]["message"] == "312 of 373 lead disruptions (84%) are pursue; the error threshold is 80%."
    assert len(f["W101"]["records"]) == 312
    assert result["indicators"]["threats"] == 118
    assert result["indicators"]["threats_by_type"]["SOC Vulnerability"] == 0
    assert f["W105"]["status"] == "flagged" and len(f["W105"]["records"]) == 118
    assert list(result) == [
        "organisation",
        "kind",
        "region",
        "period",
        "extraction_date",
        "profile",
        "period_basis",
        "files",
        "indicators",
        "findings",
        "validation_errors",
    ]
    assert result["period"] == {"start": "2022-01-01", "end": "2022-12-31"}
    assert result["extraction_date"] == "2023-01-04" and result["profile"] == "hmicfrs-2023"


def test_default_period_is_the_year_of_the_latest_record_date(tmp_path):
    proc = run_cli("check", DISRUPTIONS, "--organisation", "Cheshire Constabulary", "--out", tmp_path)
    assert proc.code in (0, 1), proc.stderr
    result = json.loads((tmp_path / "cheshire-constabulary" / "results.json").read_text())
    assert result["period"] == {"start": "2023-01-01", "end": "2023-12-31"}  # records typed in on 1-4 January 2023


def test_unknown_organisation_is_a_usage_error(tmp_path):
    proc = run_cli("check", DISRUPTIONS, "--organisation", "Chesire Constabulary", "--out", tmp_path)
    assert proc.code == 2
    assert (
        proc.stderr.strip() == "error: unknown organisation 'Chesire Constabulary'; did you mean Cheshire Constabulary?"
    )
