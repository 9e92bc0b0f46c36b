"""Local rules (``[[rules]]`` in a config): each kind keeps and breaks, a rule's mistakes refused in one line,
and their findings everywhere a built-in check's go (results.json, fixes.csv, the report, the history,
``checks --config``)."""

from __future__ import annotations

import csv
import json

import pytest
from conftest import disruption_record, run_cli, threat_record, write_export

from disruption_qa import api

CHESHIRE = "Cheshire Constabulary"
COMMON = 'title = "A local standard"\nseverity = "warning"\nwhy = "Our standard."\nwhat_to_do = "Correct it."\n'


def record(n: int, **cells) -> dict:
    return disruption_record(f"D{n:07d}", CHESHIRE, **cells)


def run_rule(tmp_path, rule: str, rows: list[dict]):
    data, config = tmp_path / "d.csv", tmp_path / "rules.toml"
    write_export(data, rows)
    config.write_text('[[rules]]\nid = "L001"\n' + COMMON + rule, "utf-8")
    run = api.check(data, year=2022, config=config)
    (finding,) = [f for f in run.results[0].findings if f.check == "L001"]
    return finding


FIREARMS = 'kind = "required"\ncolumn = "Threat Area"\nwhere = { column = "Tactic", values = ["Seizure - Firearms"] }\n'
CASES = [
    # (rule, rows, records that break it)
    ('kind = "required"\ncolumn = "Threat Area"\n', [record(1), record(2, **{"Threat Area": ""})], ["D0000002"]),
    ('kind = "required"\ncolumn = "Threat Area"\n', [record(1), record(2)], []),
    (
        FIREARMS,
        [record(1, **{"Threat Area": ""}), record(2, Tactic="Seizure - Firearms", **{"Threat Area": ""})],
        ["D0000002"],
    ),
    (FIREARMS, [record(1, **{"Threat Area": ""}), record(2, Tactic="Seizure - Firearms")], []),
    (
        'kind = "allowed"\ncolumn = "Tactic"\nvalues = ["Arrest", "Charge"]\n',
        [record(1), record(2, Tactic="Search Warrant")],
        ["D0000002"],
    ),
    (
        'kind = "allowed"\ncolumn = "Tactic"\nvalues = ["Arrest", "Charge"]\n',
        [record(1), record(2, Tactic="Charge")],
        [],
    ),
    (
        'kind = "pattern"\ncolumn = "Recorded By"\npattern = "U[0-9]+"\n',
        [record(1), record(2, **{"Recorded By": "U1x"})],
        ["D0000002"],
    ),
    (
        'kind = "pattern"\ncolumn = "Recorded By"\npattern = "U[0-9]+"\n',
        [record(1), record(2, **{"Recorded By": "U22"})],
        [],
    ),
    (
        'kind = "max_length"\ncolumn = "Recorded By"\nmax_length = 3\n',
        [record(1), record(2, **{"Recorded By": "U1234"})],
        ["D0000002"],
    ),
    (
        'kind = "max_length"\ncolumn = "Recorded By"\nmax_length = 3\n',
        [record(1), record(2, **{"Recorded By": "U12"})],
        [],
    ),
    (
        'kind = "date_within"\ncolumn = "Record Date"\nnot_later_than = "Disruption Date"\ndays = 28\n',
        [record(1, **{"Record Date": "29/06/2022"}), record(2, **{"Record Date": "30/06/2022"})],
        ["D0000002"],  # 28 days after keeps the rule, 29 breaks it
    ),
    (
        'kind = "date_within"\ncolumn = "Record Date"\nnot_later_than = "Disruption Date"\ndays = 28\n',
        [record(1, **{"Record Date": "29/06/2022"}), record(2)],
        [],
    ),
    (
        'kind = "unique"\ncolumn = "Threat ID"\n',
        [record(1), record(2), record(3, **{"Threat ID": "T002"})],
        ["D0000001", "D0000002"],
    ),
    ('kind = "unique"\ncolumn = "Threat ID"\n', [record(1), record(2, **{"Threat ID": "T002"})], []),
]


@pytest.mark.parametrize(
    "rule, rows, broken",
    CASES,
    ids=[f"{c[0].split(chr(34))[1]}-{'breaks' if c[2] else 'keeps'}-{i}" for i, c in enumerate(CASES)],
)
def test_each_kind_of_rule_keeps_and_breaks(tmp_path, rule, rows, broken):
    finding = run_rule(tmp_path, rule, rows)
    assert finding.status == ("flagged" if broken else "clear"), finding.message
    assert finding.records == broken and finding.value == len(broken)
    assert finding.severity == "warning" and finding.title == "A local standard"


MISTAKES = [
    (
        'id = "W101"\n' + COMMON + 'kind = "required"\ncolumn = "Tactic"\n',
        "[[rules]] W101: id W101 is a built-in check's ID",
    ),
    ('id = "X1"\n' + COMMON + 'kind = "required"\ncolumn = "Tactic"\n', "[[rules]] X1: id must be L001 to L999"),
    (
        'id = "L001"\n' + COMMON + 'kind = "sql"\ncolumn = "Tactic"\n',
        "[[rules]] L001: kind must be one of required, allowed",
    ),
    (
        'id = "L001"\n' + COMMON + 'kind = "required"\ncolumn = "Colour"\n',
        "[[rules]] L001: column 'Colour' is not a column",
    ),
    ('id = "L001"\n' + COMMON + 'kind = "allowed"\ncolumn = "Tactic"\n', "[[rules]] L001: values is missing"),
    (
        'id = "L001"\n' + COMMON + 'kind = "allowed"\ncolumn = "Tactic"\nvalues = []\n',
        "[[rules]] L001: values must be a list",
    ),
    (
        'id = "L001"\n' + COMMON + 'kind = "pattern"\ncolumn = "Tactic"\npattern = "("\n',
        "[[rules]] L001: pattern is not a regular expression",
    ),
    (
        'id = "L001"\n' + COMMON + 'kind = "max_length"\ncolumn = "Tactic"\nmax_length = 0\n',
        "[[rules]] L001: max_length must be a whole number",
    ),
    (
        'id = "L001"\n'
        + COMMON
        + 'kind = "date_within"\ncolumn = "Tactic"\nnot_later_than = "Disruption Date"\ndays = 1\n',
        "[[rules]] L001: column Tactic is not a date column",
    ),
    (
        'id = "L001"\n'
        + COMMON
        + 'kind = "date_within"\ncolumn = "Record Date"\nnot_later_than = "Tactic"\ndays = 1\n',
        "[[rules]] L001: not_later_than must be a date column",
    ),
    (
        'id = "L001"\n'
        + COMMON
        + 'kind = "date_within"\ncolumn = "Record Date"\nnot_later_than = "Disruption Date"\ndays = -1\n',
        "[[rules]] L001: days must be a whole number of days",
    ),
    (
        'id = "L001"\n' + COMMON + 'kind = "required"\ncolumn = "Tactic"\nwhere = "Tactic is Arrest"\n',
        "[[rules]] L001: where must be",
    ),
    (
        'id = "L001"\n' + COMMON + 'kind = "required"\ncolumn = "Tactic"\npattern = "x"\n',
        "[[rules]] L001: pattern is not a key of a required rule",
    ),
    (
        'id = "L001"\ntitle = "x"\nseverity = "warning"\nwhy = "y"\nkind = "required"\ncolumn = "Tactic"\n',
        "[[rules]] L001: what_to_do is missing",
    ),
    (
        'id = "L001"\n' + COMMON.replace('"warning"', '"fatal"') + 'kind = "required"\ncolumn = "Tactic"\n',
        "[[rules]] L001: severity must be warning or error",
    ),
    (
        'id = "L001"\n' + COMMON + 'kind = "required"\ncolumn = "Tactic"\nexport = "both"\n',
        "[[rules]] L001: export must be disruptions or threats",
    ),
    ('id = "L001"\n' + COMMON + 'kind = ["required"]\ncolumn = "Tactic"\n', "[[rules]] L001: kind must be one of"),
    (
        'id = "L001"\n' + COMMON + 'kind = "required"\ncolumn = "Tactic"\nexport = { a = 1 }\n',
        "[[rules]] L001: export must be",
    ),
    ('id = "L001"\n' + COMMON + 'kind = "unique"\ncolumn = "Summary"\n', "[[rules]] L001: column Summary is free text"),
    (
        'id = "L001"\n' + COMMON + 'kind = "pattern"\ncolumn = "Record Date"\npattern = "[0-9]+"\n',
        "[[rules]] L001: column Record Date is a date column: a pattern rule tests text as written",
    ),
    (
        'id = "L001"\n' + COMMON + 'kind = "allowed"\ncolumn = "Tactic"\nvalues = ["Arest"]\n',
        "[[rules]] L001: values 'Arest' is not a value of Tactic",
    ),
    (
        'id = "L001"\n'
        + COMMON
        + 'kind = "required"\ncolumn = "Tactic"\nwhere = { column = "4P Strand", values = ["Pursuit"] }\n',
        "[[rules]] L001: where 'Pursuit' is not a value of 4P Strand",
    ),
]


@pytest.mark.parametrize("rule, message", MISTAKES, ids=[m[1].split(": ", 1)[1][:40] for m in MISTAKES])
def test_a_mistaken_rule_exits_2_naming_the_rule_and_the_key(tmp_path, rule, message):
    config = tmp_path / "rules.toml"
    config.write_text("[[rules]]\n" + rule, "utf-8")
    data = tmp_path / "d.csv"
    write_export(data, [record(1)])
    proc = run_cli("check", data, "--year", "2022", "--config", config, "--out", tmp_path / "out")
    assert proc.code == 2, proc.stdout
    assert message in proc.stderr and str(config) in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr


def test_values_of_a_list_are_taken_in_any_case(tmp_path):
    rule = 'kind = "allowed"\ncolumn = "Tactic"\nvalues = ["arrest"]\nwhere = { column = "4P Strand", values = ["pursue"] }\n'
    rows = [
        record(1),
        record(2, Tactic="Charge"),
        record(3, Tactic="Diversionary Intervention", **{"4P Strand": "Prevent"}),
    ]
    finding = run_rule(tmp_path, rule, rows)
    assert finding.records == ["D0000002"]
    assert finding.message.startswith("1 of 2 records break L001")  # of the two pursue records it applies to


def test_unique_counts_only_the_records_it_applies_to(tmp_path):
    rule = 'kind = "unique"\ncolumn = "Threat ID"\nwhere = { column = "Tactic", values = ["Arrest"] }\n'
    rows = [record(1), record(2, Tactic="Charge"), record(3, **{"Threat ID": "T002"})]  # one arrest on T001
    assert run_rule(tmp_path, rule, rows).status == "clear"
    rows.append(record(4))  # a second arrest on T001
    assert run_rule(tmp_path, rule, rows).records == ["D0000001", "D0000004"]


def test_two_rules_with_one_id_are_refused(tmp_path):
    config = tmp_path / "rules.toml"
    rule = '[[rules]]\nid = "L001"\n' + COMMON + 'kind = "required"\ncolumn = "Tactic"\n'
    config.write_text(rule + rule, "utf-8")
    proc = run_cli("checks", "--config", config)
    assert proc.code == 2 and "[[rules]] L001: id L001 is used by two rules" in proc.stderr


def test_a_local_rule_goes_everywhere_a_check_goes(tmp_path):
    data, config = tmp_path / "d.csv", tmp_path / "rules.toml"
    write_export(
        data,
        [record(1), record(2, **{"Threat Area": ""}), record(3, Tactic="Seizure - Firearms", **{"Threat Area": ""})],
    )
    config.write_text('[[rules]]\nid = "L001"\n' + COMMON.replace('"warning"', '"error"') + FIREARMS, "utf-8")
    out, store = tmp_path / "out", tmp_path / "history.sqlite"
    proc = run_cli("check", data, "--year", "2022", "--config", config, "--out", out, "--history", store)
    assert proc.code == 1, proc.stderr
    assert "ERROR   L001 local-l001: 1 of 1 records break L001" in proc.stdout  # of those it applies to
    folder = out / "cheshire-constabulary"
    results = json.loads((folder / "results.json").read_text("utf-8"))
    (l001,) = [f for f in results["findings"] if f["check"] == "L001"]
    assert (l001["status"], l001["severity"], l001["records"]) == ("flagged", "error", ["D0000003"])
    fixes = list(csv.DictReader((folder / "fixes.csv").open(encoding="utf-8-sig")))
    assert [(r["source"], r["record_id"], r["row"]) for r in fixes if r["source"] == "L001"] == [
        ("L001", "D0000003", "4")
    ]
    report = (folder / "report.html").read_text("utf-8")
    assert "A local standard" in report and "Our standard." in report and "Correct it." in report
    assert f"A local rule, declared in {config}." in report
    # the history keeps it like a built-in check: a second run knows the sign is not new
    again = run_cli(
        "check", data, "--year", "2022", "--config", config, "--out", tmp_path / "again", "--history", store
    )
    assert again.code == 1, again.stderr
    said = json.loads(run_cli("history", "--history", store, "--json").stdout)
    assert any("L001" in json.dumps(entry) for entry in said)
    listed = run_cli("checks", "--config", config)
    assert listed.code == 0 and "L001" in listed.stdout and "A local standard" in listed.stdout


def test_a_rule_on_the_master_list(tmp_path):
    data, threats, config = tmp_path / "d.csv", tmp_path / "t.csv", tmp_path / "rules.toml"
    write_export(data, [record(1)])
    write_export(
        threats,
        [threat_record("T001", CHESHIRE), threat_record("T002", CHESHIRE, **{"Lead Responsible Officer": "Sgt Smith"})],
        "threats",
    )
    config.write_text(
        '[[rules]]\nid = "L001"\n'
        + COMMON
        + 'kind = "pattern"\ncolumn = "Lead Responsible Officer"\npattern = "LRO[0-9]+"\n',
        "utf-8",
    )
    run = api.check(data, threats, year=2022, config=config)
    (finding,) = [f for f in run.results[0].findings if f.check == "L001"]
    assert finding.flagged and finding.records == ["T002"] and finding.kind == "threats"
    without = api.check(data, year=2022, config=config)
    (finding,) = [f for f in without.results[0].findings if f.check == "L001"]
    assert finding.status == "not-applicable"


def test_a_run_without_the_rules_after_one_with_them_neither_fails_nor_calls_them_resolved(tmp_path):
    data, config = tmp_path / "d.csv", tmp_path / "rules.toml"
    write_export(data, [record(1), record(2, **{"Threat Area": ""})])
    config.write_text('[[rules]]\nid = "L001"\n' + COMMON + 'kind = "required"\ncolumn = "Threat Area"\n', "utf-8")
    store = tmp_path / "history.sqlite"
    first = run_cli("check", data, "--year", "2022", "--config", config, "--out", tmp_path / "a", "--history", store)
    assert first.code in (0, 1) and not first.stderr, first.stderr
    assert "L001" in first.stdout
    write_export(data, [record(1), record(2, **{"Threat Area": ""}), record(3)])  # another extraction
    second = run_cli("check", data, "--year", "2022", "--out", tmp_path / "b", "--history", store)
    assert second.code in (0, 1) and not second.stderr, second.stderr  # the report of the trend is written
    report = (tmp_path / "b" / "cheshire-constabulary" / "report.html").read_text("utf-8")
    resolved = report.split("Resolved since the last run", 1)[1].split("</tr>", 1)[0]
    assert "L001" not in resolved
