"""``disruption-qa describe``: an export that differs from the contract, described, its config proposed, and
``check --config`` reading it with the findings of the contract-shaped file it was made from."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from conftest import REPO, run_cli

from disruption_qa import api
from disruption_qa.contract import DISRUPTIONS, STRANDS
from disruption_qa.describe import describe, header_similarity, likely_value, match_columns

SAMPLE = REPO / "sample_exports" / "north-west-2022" / "disruptions_2023-01-04.csv"
RENAMED = {
    "Disruption ID": "Disruption Ref",
    "Recording Organisation": "Recording Org",
    "Disruption Date": "Date of Disruption",
}
STRAND_CODES = {"Pursue": "PUR", "Prevent": "4P - Prevent", "Protect": "prot", "Prepare": "PREP"}


def other_export(path, *, headers=True, codes=True, serial=False, organisation=None, titles=None, only=None) -> None:
    """The January sample as another force's export might write it: ``headers`` renamed, ``codes`` for strands
    and types, ``serial`` numbers for dates, Cheshire named ``organisation``, and ``titles`` for title lines.
    Rows whose dates are not dd/mm/yyyy are left out when ``serial`` (a serial column has no written dates); only
    the records of the organisation ``only`` when given."""
    lines = SAMPLE.read_text("utf-8-sig").splitlines(True)
    reader = csv.DictReader(io.StringIO("".join(lines[2:])))
    names = [RENAMED.get(n, n) if headers else n for n in reader.fieldnames]
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("".join(lines[:2]) if titles is None else "".join(t + "\n" for t in titles))
        writer = csv.DictWriter(out, fieldnames=names)
        writer.writeheader()
        for row in reader:
            if only and row["Recording Organisation"] != only:
                continue
            if codes:
                row["4P Strand"] = STRAND_CODES.get(row["4P Strand"], row["4P Strand"])
                row["Disruption Type"] = {"Lead Disruption": "Lead"}.get(row["Disruption Type"], row["Disruption Type"])
            if serial:
                try:
                    for column in ("Disruption Date", "Record Date"):
                        day = dt.datetime.strptime(row[column], "%d/%m/%Y").date()
                        row[column] = str((day - dt.date(1899, 12, 30)).days)
                except ValueError:
                    continue
            if organisation:
                for column in ("Recording Organisation", "Supported Organisation"):
                    if row[column] == "Cheshire Constabulary":
                        row[column] = organisation
            writer.writerow({RENAMED.get(k, k) if headers else k: v for k, v in row.items()})


def contract_shaped(path, **kwargs) -> None:
    """The same rows as ``other_export`` with ``kwargs``, written as the contract says."""
    other_export(path, headers=False, codes=False, serial=False, organisation=None, titles=kwargs.get("titles"))


def findings(run) -> dict:
    return {(r.organisation.name, f.check): (f.status, f.value, f.records) for r in run.results for f in r.findings}


@pytest.mark.parametrize(
    "differs",
    [
        {"headers": True, "codes": False},
        {"headers": False, "codes": True},
        {"headers": False, "codes": False, "organisation": "Cheshire Police"},
        {"headers": False, "codes": False, "titles": ["Force SOC return", "Run by: analyst", "Extracted: 04/01/2023"]},
        {"headers": True, "codes": True, "organisation": "Cheshire Police"},
    ],
    ids=["headers", "codes", "organisation", "title lines", "all together"],
)
def test_describe_writes_the_config_that_reads_the_export_with_its_findings(tmp_path, differs):
    other, shaped, config = tmp_path / "other.csv", tmp_path / "shaped.csv", tmp_path / "proposed.toml"
    other_export(other, **differs)
    contract_shaped(shaped, **differs)
    proc = run_cli("describe", other, "--write-config", config)
    assert proc.code == 0, proc.stderr
    assert f"wrote {config}" in proc.stdout
    run = api.check(other, year=2022, config=config)
    assert findings(run) == findings(api.check(shaped, year=2022))


def test_serial_dates_need_no_config_and_are_described(tmp_path):
    other, shaped = tmp_path / "serial.csv", tmp_path / "shaped.csv"
    other_export(other, headers=False, codes=False, serial=True)
    with shaped.open("w", encoding="utf-8", newline="") as out:  # the same rows, dates as written
        for line in other.read_text("utf-8").splitlines(True)[:3]:
            out.write(line)
        body = list(csv.DictReader(other.read_text("utf-8").splitlines()[2:]))
        writer = csv.DictWriter(out, fieldnames=list(body[0]))
        for row in body:
            for column in ("Disruption Date", "Record Date"):
                row[column] = (dt.date(1899, 12, 30) + dt.timedelta(days=int(row[column]))).strftime("%d/%m/%Y")
            writer.writerow(row)
    (d,) = api.describe(other)
    assert d.dates == {
        "Disruption Date": {"Excel serial number": len(body)},
        "Record Date": {"Excel serial number": len(body)},
    }
    config = tmp_path / "proposed.toml"
    api.write_config([d], config)
    assert "Excel serial numbers, read as dates" in config.read_text("utf-8")
    assert findings(api.check(other, year=2022, config=config)) == findings(api.check(shaped, year=2022))


def test_an_organisation_nobody_knows_is_declared_for_review(tmp_path):
    other, config = tmp_path / "other.csv", tmp_path / "proposed.toml"
    other_export(other, headers=False, codes=False, organisation="Ruritania Constabulary")
    (d,) = api.describe(other)
    (unknown,) = [
        v
        for v in d.unknown_organisations
        if v.value == "Ruritania Constabulary" and v.column == "Recording Organisation"
    ]
    assert unknown.likely is None and unknown.rows > 100
    api.write_config([d], config)
    text = config.read_text("utf-8")
    assert "[[organisations]]" in text and 'name = "Ruritania Constabulary"' in text and 'kind = "force"' in text
    run = api.check(other, year=2022, config=config)
    (ruritania,) = [r for r in run.results if r.organisation.name == "Ruritania Constabulary"]
    assert ruritania.organisation.region == "Unassigned" and ruritania.indicators.lead_disruptions > 0


def test_the_description_in_words_and_in_json(tmp_path):
    other = tmp_path / "other.csv"
    other_export(other, headers=True, codes=True, organisation="Cheshire Police")
    text = run_cli("describe", other)
    assert text.code == 0, text.stderr
    assert 'Disruption ID           probably "Disruption Ref"' in text.stdout
    assert '4P Strand: "PUR" in ' in text.stdout and "-> Pursue" in text.stdout
    assert 'Recording Organisation: "Cheshire Police"' in text.stdout and "-> Cheshire Constabulary" in text.stdout
    assert 'title lines: "APMIS Disruptions Export"' in text.stdout and "(extraction date 04/01/2023)" in text.stdout
    said = json.loads(run_cli("describe", other, "--json").stdout)
    (d,) = said
    matches = {m["column"]: (m["how"], m["header"]) for m in d["columns"]}
    assert matches["Disruption Date"] == ("suggested", "Date of Disruption")
    assert matches["Threat ID"] == ("exact", "Threat ID")
    rows = list(csv.DictReader(other.read_text("utf-8").splitlines()[2:]))
    pur = next(v for v in d["values"] if v["value"] == "PUR")
    assert pur["rows"] == sum(r["4P Strand"] == "PUR" for r in rows) and pur["likely"] == "Pursue"


def test_a_config_is_never_written_over_a_file(tmp_path):
    other, config = tmp_path / "other.csv", tmp_path / "mine.toml"
    other_export(other)
    config.write_text("# my own settings\n", "utf-8")
    proc = run_cli("describe", other, "--write-config", config)
    assert proc.code == 2 and "already exists: describe never overwrites a file" in proc.stderr
    assert config.read_text("utf-8") == "# my own settings\n"


def test_a_required_column_nowhere_to_be_found_is_said_and_the_file_described_as_far_as_it_can(tmp_path):
    path = tmp_path / "short.csv"
    path.write_text("Ref,Org,Kind\nD1,Cheshire Constabulary,Lead Disruption\n", "utf-8")
    proc = run_cli("describe", path, "--write-config", tmp_path / "c.toml")
    assert proc.code == 0, proc.stderr
    assert "Threat ID" in proc.stdout and "MISSING (required)" in proc.stdout and "cannot be read yet" in proc.stdout
    assert "# disruptions: no column found for Threat ID (required)" in (tmp_path / "c.toml").read_text("utf-8")


def test_a_file_that_cannot_be_read_at_all_is_one_line(tmp_path):
    proc = run_cli("describe", tmp_path / "nowhere.csv")
    assert proc.code == 2 and "no such file" in proc.stderr and "Traceback" not in proc.stderr


def test_headers_are_matched_by_words_in_any_order_and_each_used_once():
    assert header_similarity("Disruption Date", "Date of Disruption") == 1.0
    header = ["Disruption Ref", "Disruption Type", "Date of Disruption", "Colour"]
    columns, left = match_columns(header, DISRUPTIONS, {})
    found = {m.column: m.header for m in columns if m.how == "suggested"}
    assert found == {"Disruption ID": "Disruption Ref", "Disruption Date": "Date of Disruption"}
    assert left == ["Colour"]


@pytest.mark.parametrize(
    "value, meant",
    [
        ("PUR", "Pursue"),
        ("4P - Prevent", "Prevent"),
        ("prot", "Protect"),
        ("Persue", "Pursue"),
        ("P", None),
        ("Zzz", None),
    ],
)
def test_the_value_a_code_most_likely_means(value, meant):
    assert likely_value(value, STRANDS) == meant


def test_an_exact_file_is_described_as_found(tmp_path):
    (d,) = describe(SAMPLE) and [describe(SAMPLE)]
    assert all(m.how in ("exact", "missing") for m in d.columns) and d.extra_headers == []
    assert not [v for v in d.values if v.rows >= 10] and d.problem is None


# --- the shipped example ------------------------------------------------------------------------------------------

EXAMPLE = REPO / "sample_exports" / "other-force"


def test_the_shipped_example_is_cheshires_records_as_another_system_writes_them(tmp_path):
    made = tmp_path / "disruptions.csv"
    other_export(made, headers=True, codes=True, organisation="Cheshire Police", only="Cheshire Constabulary")
    assert (EXAMPLE / "disruptions.csv").read_bytes() == made.read_bytes()


def test_the_shipped_config_is_what_describe_proposes_and_reads_the_example(tmp_path):
    def settings(text: str) -> list[str]:
        return [line.split("#")[0].rstrip() for line in text.splitlines() if line.split("#")[0].strip()]

    shipped = (EXAMPLE / "other-force.toml").read_text("utf-8")
    (d,) = api.describe(EXAMPLE / "disruptions.csv")
    proposed = tmp_path / "proposed.toml"
    api.write_config([d], proposed)
    assert settings(shipped) == settings(proposed.read_text("utf-8"))
    run = api.check(EXAMPLE / "disruptions.csv", year=2022, config=EXAMPLE / "other-force.toml")
    assert [r.organisation.name for r in run.results] == ["Cheshire Constabulary"]
    assert not [i for i in run.validation.issues if i.code in ("V-VOCAB", "V-ORG")]
    # the README's walk-through quotes the example's figures
    readme = (REPO / "README.md").read_text("utf-8")
    pur = next(v for v in d.values if v.value == "PUR")
    assert f'4P Strand: "PUR" in {pur.rows} records -> Pursue' in readme


def test_describing_with_a_config_keeps_what_it_said(tmp_path):
    proposed = tmp_path / "again.toml"
    proc = run_cli(
        "describe", EXAMPLE / "disruptions.csv", "--config", EXAMPLE / "other-force.toml", "--write-config", proposed
    )
    assert proc.code == 0, proc.stderr
    assert "found as" in proc.stdout and "(the config's alias)" in proc.stdout
    run = api.check(EXAMPLE / "disruptions.csv", year=2022, config=proposed)
    shipped = api.check(EXAMPLE / "disruptions.csv", year=2022, config=EXAMPLE / "other-force.toml")
    assert findings(run) == findings(shipped)


def test_an_unknown_organisation_in_a_few_records_is_still_declared(tmp_path):
    path, config = tmp_path / "few.csv", tmp_path / "c.toml"
    lines = SAMPLE.read_text("utf-8-sig").splitlines(True)
    rows = list(csv.DictReader(io.StringIO("".join(lines[2:]))))
    for row in rows[:3]:
        row["Recording Organisation"] = "Ruritania Constabulary"
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("".join(lines[:2]))
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    (d,) = api.describe(path)
    api.write_config([d], config)
    assert 'name = "Ruritania Constabulary"' in config.read_text("utf-8")
    run = api.check(path, year=2022, config=config)
    assert not [i for i in run.validation.issues if i.value == "Ruritania Constabulary"]


def test_a_proposed_value_with_quotes_or_line_breaks_is_valid_toml():
    import tomllib

    from disruption_qa.describe import _toml

    for text in ("Date of\nDisruption", 'say "PUR"', "back\\slash", "tab\there"):
        assert tomllib.loads(f"a = {_toml(text)}")["a"] == text


def test_describe_reads_the_file_once(monkeypatch):
    """Its first rows and the whole export come from one read of the file, whatever its size."""
    from pathlib import Path

    reads = []
    read_bytes = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda self: reads.append(self.name) or read_bytes(self))
    described = describe(REPO / "sample_exports" / "other-force" / "disruptions.csv")
    assert reads == ["disruptions.csv"]
    assert described.records > 0 and described.problem is None


def test_a_file_that_is_not_text_past_its_first_lines_is_refused(tmp_path):
    """Only the first lines are split to find the header, but the whole file must be text, as the reader says."""
    good = (REPO / "sample_exports" / "other-force" / "disruptions.csv").read_bytes()
    path = tmp_path / "d.csv"
    path.write_bytes(b"\xef\xbb\xbf" + good + b"\xff\xfe")
    run = run_cli("describe", path)
    assert run.code == 2 and run.stderr.count("\n") == 1 and "is not UTF-8" in run.stderr, run.stderr
