"""A force's own codes and Excel's serial dates: value mappings in the config, serial-number date columns read as
dates, both said in validation.json and the report's method, and a config's mistakes refused in one line."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import jsonschema
import pytest
from conftest import REPO, run_cli

from disruption_qa import api
from disruption_qa.contract import DISRUPTIONS
from disruption_qa.errors import InputError

SAMPLE = REPO / "sample_exports" / "north-west-2022" / "disruptions_2023-01-04.csv"
STRAND_CODES = {"Pursue": "PUR", "Prevent": "4P - Prevent", "Protect": "prot", "Prepare": "PREP"}
MAPPING = """
[values."4P Strand"]
PUR = "Pursue"
"4p -  prevent" = "Prevent"   # any case and spacing
PROT = "Protect"
prep = "prepare"

[values."Disruption Type"]
lead = "Lead Disruption"
"""


def rewrite(path, change) -> None:
    """The January sample with each data row passed through ``change`` (title lines and header kept)."""
    lines = SAMPLE.read_text("utf-8-sig").splitlines(True)
    reader = csv.DictReader(io.StringIO("".join(lines[2:])))
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("".join(lines[:2]))
        writer = csv.DictWriter(out, fieldnames=reader.fieldnames)
        writer.writeheader()
        for row in reader:
            if (changed := change(row)) is not None:  # None leaves the row out
                writer.writerow(changed)


def coded(row: dict) -> dict:
    row["4P Strand"] = STRAND_CODES.get(row["4P Strand"], row["4P Strand"])
    if row["Disruption Type"] == "Lead Disruption":
        row["Disruption Type"] = "Lead"
    return row


def findings(run) -> dict:
    return {(r.organisation.name, f.check): (f.status, f.value, f.records) for r in run.results for f in r.findings}


@pytest.fixture(scope="module")
def original():
    return api.check(SAMPLE, year=2022)


def test_a_coded_export_with_its_mappings_gives_the_contract_shaped_files_findings(tmp_path, original):
    path, config = tmp_path / "coded.csv", tmp_path / "map.toml"
    rewrite(path, coded)
    config.write_text(MAPPING, "utf-8")
    run = api.check(path, year=2022, config=config)
    assert findings(run) == findings(original)
    assert [i.code for i in run.validation.issues] == [i.code for i in original.validation.issues]
    # each mapping used, with the rows it changed, counted from the file itself
    text = path.read_text("utf-8").splitlines()[2:]
    rows = list(csv.DictReader(text))
    used = {(m["column"], m["from"]): (m["to"], m["rows"]) for m in run.validation.value_mappings}
    for contract, code in STRAND_CODES.items():
        assert used[("4P Strand", code)] == (contract, sum(r["4P Strand"] == code for r in rows))
    assert used[("Disruption Type", "Lead")] == ("Lead Disruption", sum(r["Disruption Type"] == "Lead" for r in rows))
    assert run.validation.serial_dates == []


def test_without_its_mappings_the_coded_export_is_refused_in_one_line(tmp_path):
    path = tmp_path / "coded.csv"
    rewrite(path, coded)
    with pytest.raises(InputError, match=r"is not on the contract's list .*other codes"):
        api.validate(path)


def test_validation_json_and_the_report_say_which_values_were_mapped(tmp_path):
    path, config = tmp_path / "coded.csv", tmp_path / "map.toml"
    rewrite(path, coded)
    config.write_text(MAPPING, "utf-8")
    out = tmp_path / "out"
    proc = run_cli("check", path, "--year", "2022", "--config", config, "--out", out, "--history", tmp_path / "h.db")
    assert proc.code == 1, proc.stderr
    said = json.loads((out / "validation.json").read_text("utf-8"))
    jsonschema.validate(said, json.loads((REPO / "docs" / "validation.schema.json").read_text("utf-8")))
    assert {(m["column"], m["from"], m["to"]) for m in said["value_mappings"]} == {
        ("4P Strand", "PUR", "Pursue"),
        ("4P Strand", "4P - Prevent", "Prevent"),
        ("4P Strand", "prot", "Protect"),
        ("4P Strand", "PREP", "Prepare"),
        ("Disruption Type", "Lead", "Lead Disruption"),
    }
    report = (out / "cheshire-constabulary" / "report.html").read_text("utf-8")
    assert "Values mapped to the contract&#39;s by the config" in report or "Values mapped to the contract's" in report
    assert "4P Strand <code>PUR</code> → Pursue" in report


def serial(text: str) -> str:
    """dd/mm/yyyy as Excel's serial number."""
    day = dt.datetime.strptime(text, "%d/%m/%Y").date()
    return str((day - dt.date(1899, 12, 30)).days) if text else ""


def test_date_columns_of_serial_numbers_give_the_same_findings(tmp_path):
    """The sample's rows whose dates are dd/mm/yyyy, written once as they are and once as serial numbers."""

    def dated(row):
        try:
            return all(serial(row[c]) for c in ("Disruption Date", "Record Date"))
        except ValueError:  # the sample's planted bad dates
            return False

    def as_written(row):
        return row if dated(row) else None

    def as_serial(row):
        if not dated(row):
            return None
        return {**row, **{c: serial(row[c]) for c in ("Disruption Date", "Record Date")}}

    rewrite(tmp_path / "dates.csv", as_written)
    rewrite(tmp_path / "serial.csv", as_serial)
    written, numbers = (api.check(tmp_path / name, year=2022) for name in ("dates.csv", "serial.csv"))
    assert {d["column"] for d in numbers.validation.serial_dates} == {"Disruption Date", "Record Date"}
    assert written.validation.serial_dates == []
    assert findings(numbers) == findings(written)


def two_records(path, disruption_dates: tuple[str, str], record_dates: tuple[str, str]) -> None:
    """A file of two Cheshire leads with these Disruption and Record Dates, as written."""
    header = ",".join(c.name for c in DISRUPTIONS.columns)
    rest = "Pursue,Major,Arrest,Drugs Supply,U1,x"
    rows = [
        f"D{n},Cheshire Constabulary,Lead Disruption,,T1,Organised Crime Group,{d},{r},{rest}"
        for n, (d, r) in enumerate(zip(disruption_dates, record_dates), 1)
    ]
    path.write_text("\n".join([header, *rows]) + "\n", "utf-8")


def test_a_clean_column_of_serial_numbers_is_read_and_said(tmp_path):
    path = tmp_path / "serial.csv"
    two_records(path, ("44713", "44714.5"), ("44716", "44716"))
    run = api.check(path, year=2022, organisations=["Cheshire Constabulary"])
    assert run.validation.issues == []
    assert {d["column"] for d in run.validation.serial_dates} == {"Disruption Date", "Record Date"}
    result = run.results[0]
    assert result.figures.months[5] == "Jun 2022" and result.figures.monthly["Pursue"][5] == 2  # 4 June 2022
    assert result.indicators.median_lag_days == pytest.approx(2.5)  # 1 and 2 June (a time of day ignored), 4 June


def test_serial_numbers_among_dates_are_never_guessed(tmp_path):
    path = tmp_path / "mixed.csv"
    two_records(path, ("44713", "02/06/2022"), ("04/06/2022", "04/06/2022"))
    run = api.validate(path)
    assert run.serial_dates == []
    (issue,) = [i for i in run.issues if i.code == "V-DATE"]
    assert (issue.row, issue.column, issue.value) == (2, "Disruption Date", "44713")


@pytest.mark.parametrize(
    "config, message",
    [
        ('[values."Strand of 4P"]\nPUR = "Pursue"\n', "'Strand of 4P' is not a column with a list of values"),
        ('[values."Disruption ID"]\nX = "Y"\n', "'Disruption ID' is not a column with a list of values"),
        ('[values."4P Strand"]\nPUR = "Pursuit"\n', "'PUR' maps to 'Pursuit', which is not a value of 4P Strand"),
        ('[values."4P Strand"]\nPUR = 3\n', "'PUR' maps to 3, which is not a value of 4P Strand"),
        ('[values]\n"4P Strand" = "Pursue"\n', "must map export values to contract values"),
        ('[values."4P Strand"]\n" " = "Pursue"\n', "an empty export value cannot be mapped"),
        ("values = 3\n", "[values] must be a table of settings"),
    ],
)
def test_a_mistaken_mapping_is_one_line_naming_the_file(tmp_path, config, message):
    path = tmp_path / "bad.toml"
    path.write_text(config, "utf-8")
    proc = run_cli("check", SAMPLE, "--year", "2022", "--config", path, "--out", tmp_path / "out")
    assert proc.code == 2
    assert message in proc.stderr and str(path) in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr


# --- organisations the shipped list does not know ----------------------------------------------------------------

RURITANIA = """
[[organisations]]
name = "Ruritania Constabulary"
kind = "force"
region = "North West"
"""


def ruritanian(row: dict) -> dict:
    for column in ("Recording Organisation", "Supported Organisation"):
        if row[column] == "Cumbria Constabulary":
            row[column] = "Ruritania Constabulary"
    return row


def test_an_organisation_declared_in_the_config_is_checked_like_any_other(tmp_path, original):
    path, config = tmp_path / "ruritania.csv", tmp_path / "orgs.toml"
    rewrite(path, ruritanian)
    config.write_text(RURITANIA, "utf-8")
    unknown = api.validate(path)
    assert {i.value for i in unknown.issues if i.code == "V-ORG"} >= {"Ruritania Constabulary"}
    run = api.check(path, year=2022, config=config)
    assert not [i for i in run.validation.issues if i.value == "Ruritania Constabulary"]
    (ruritania,) = [r for r in run.results if r.organisation.name == "Ruritania Constabulary"]
    assert (ruritania.organisation.kind, ruritania.organisation.region) == ("force", "North West")
    # Cumbria's findings, under its new name
    cumbria = next(r for r in original.results if r.organisation.name == "Cumbria Constabulary")
    assert [(f.check, f.status, f.value) for f in ruritania.findings if f.check != "W117"] == [
        (f.check, f.status, f.value) for f in cumbria.findings if f.check != "W117"
    ]
    # known only while the run that declared it goes on
    from disruption_qa.contract import organisations

    assert "Ruritania Constabulary" not in organisations()
    out = tmp_path / "out"
    proc = run_cli(
        "check", path, "--year", "2022", "--config", config, "--out", out, "--organisation", "Ruritania Constabulary"
    )
    assert proc.code in (0, 1), proc.stderr
    said = json.loads((out / "ruritania-constabulary" / "results.json").read_text("utf-8"))
    assert (said["organisation"], said["kind"], said["region"]) == ("Ruritania Constabulary", "force", "North West")


@pytest.mark.parametrize(
    "config, message",
    [
        (
            '[[organisations]]\nname = "Cheshire Constabulary"\nkind = "force"\nregion = "North West"\n',
            "already on the shipped list",
        ),
        (
            '[[organisations]]\nname = "X Police"\nkind = "county"\nregion = "North West"\n',
            "kind must be force, rocu or agency, not 'county'",
        ),
        ('[[organisations]]\nname = "X Police"\nkind = "force"\n', "region is required, as text"),
        ('[[organisations]]\nname = "X Police"\nkind = "force"\nregion = "NW"\ncode = 3\n', "unknown key(s) code"),
        ('organisations = "X Police"\n', "organisations must be [[organisations]] tables"),
        (
            '[[organisations]]\nname = "X Police"\nkind = "force"\nregion = "NW"\n'
            '[[organisations]]\nname = "x  police"\nkind = "force"\nregion = "NW"\n',
            "x police is declared twice",
        ),
    ],
)
def test_a_mistaken_organisation_is_one_line_naming_the_file(tmp_path, config, message):
    path = tmp_path / "bad.toml"
    path.write_text(config, "utf-8")
    proc = run_cli("validate", SAMPLE, "--config", path, "--out", tmp_path / "out")
    assert proc.code == 2
    assert message in proc.stderr and str(path) in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr


def test_a_serial_number_alone_is_not_a_date(tmp_path):
    from disruption_qa.dates import parse_date

    assert parse_date("45000") is None and parse_date("15/03/2023") is not None
    proc = run_cli("validate", SAMPLE, "--extracted-on", "45000", "--out", tmp_path / "out")
    assert proc.code == 2 and "--extracted-on '45000' is not a date" in proc.stderr


def test_the_history_of_a_declared_organisation_can_be_listed(tmp_path):
    path, config, store = tmp_path / "ruritania.csv", tmp_path / "orgs.toml", tmp_path / "h.sqlite"
    rewrite(path, ruritanian)
    config.write_text(RURITANIA, "utf-8")
    proc = run_cli("check", path, "--year", "2022", "--config", config, "--out", tmp_path / "out", "--history", store)
    assert proc.code in (0, 1), proc.stderr
    listed = run_cli("history", "Ruritania Constabulary", "--history", store, "--json")
    assert listed.code == 0, listed.stderr
    assert {run["organisation"] for run in json.loads(listed.stdout)} == {"Ruritania Constabulary"}
    unknown = run_cli("history", "Atlantis Police", "--history", store)
    assert unknown.code == 2 and "unknown organisation 'Atlantis Police'" in unknown.stderr
