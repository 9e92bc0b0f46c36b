"""Output writers: tables safe to open in Excel."""

from __future__ import annotations

import csv
import json

import pandas as pd
import pyarrow as pa

from disruption_qa.render.files import write_frame_csv


def test_frame_csv_neutralises_formulas_and_round_trips(tmp_path):
    values = ['=HYPERLINK("x")', "+1", "-2", "@SUM(A1)", "\tx", "plain, with comma", 'say "hi"', None, "line\nbreak"]
    path = tmp_path / "fixes.csv"
    write_frame_csv(path, pa.table({"value": values, "row": [1, None, 3, 4, 5, 6, 7, 8, 9]}))  # as check_fixes gives it
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["value"] for r in rows] == [
        '\'=HYPERLINK("x")',
        "'+1",
        "'-2",
        "'@SUM(A1)",
        "'\tx",
        "plain, with comma",
        'say "hi"',
        "",
        "line\nbreak",
    ]
    assert [r["row"] for r in rows] == ["1", "", "3", "4", "5", "6", "7", "8", "9"]


def test_record_locator_finds_first_rows_and_misses(write_file):
    from conftest import csv_text, valid_disruption_rows

    from disruption_qa.api import RecordLocator, validate_files

    header, records = valid_disruption_rows()
    rows = [list(r) for r in records[:6]]
    rows[4][0] = rows[1][0]  # a repeated ID: the first of its rows (3) is the one located
    rows[5][0] = ""  # a blank ID is never matched
    validation = validate_files(write_file("d.csv", csv_text([header, *rows])))
    locator = RecordLocator(validation)
    locator.find("disruptions", [rows[0][0], rows[1][0]])
    path, found = locator.locate("disruptions", [rows[1][0], "NOT-THERE", rows[0][0], rows[3][0]])
    assert path.endswith("d.csv")
    assert found.tolist() == [3, pd.NA, 2, 5]  # rows[3][0] was never asked for before: found on demand
    assert locator.positions("disruptions", [rows[1][0], "NOT-THERE", rows[2][0]]).tolist() == [1, -1, 2]
    assert locator.positions("threats", ["T1"]).tolist() == [-1]  # no threats file
    assert locator.locate("threats", ["T1"])[1].tolist() == [pd.NA]


def test_written_files_get_the_usual_permissions(tmp_path):
    import os
    import stat

    from disruption_qa.render.files import UMASK, write_atomic

    write_atomic(tmp_path / "report.html", "<p>x</p>")
    assert stat.S_IMODE(os.stat(tmp_path / "report.html").st_mode) == 0o666 & ~UMASK  # not 0600 as mkstemp leaves it


def test_json_outputs_keep_each_list_of_plain_values_on_one_line():
    import datetime as dt

    from disruption_qa.render.files import to_json

    data = {
        "records": [f"D{n}" for n in range(1000)],
        "findings": [{"records": ["Dé", None, 3, 2.5, True]}],
        "empty": [],
        "nested": [[1, 2], {"day": dt.date(2022, 1, 31)}],
        "when": [dt.date(2022, 1, 2)],
    }
    text = to_json(data)
    assert json.loads(text) == json.loads(json.dumps(data, default=str))
    assert text.endswith("}\n") and '  "empty": [],\n' in text
    assert '  "records": ["D0", "D1", ' in text and len(text.splitlines()) < 40  # not a line per ID
    assert '"records": ["Dé", null, 3, 2.5, true]' in text  # as written, not escaped


def test_a_sign_points_at_the_row_its_check_found_even_when_the_id_repeats_elsewhere(write_file):
    """An ID used by two organisations: each one's fixes.csv and report show its own row, not the file's first."""
    from conftest import csv_text, valid_disruption_rows

    from disruption_qa import api
    from disruption_qa.report import build_report

    header, records = valid_disruption_rows()
    rows = [list(r) for r in records]
    cheshire = next(i for i, r in enumerate(rows) if r[1] == "Cheshire Constabulary" and r[8] == "Pursue")
    merseyside = next(i for i, r in enumerate(rows) if r[1] == "Merseyside Police" and r[8] == "Pursue")
    rows[merseyside][0] = rows[cheshire][0]  # Merseyside's record reuses Cheshire's ID
    for r in rows:  # all pursue, so that W101 lists every record of both
        r[8], r[10] = "Pursue", "Arrest"
    run = api.check_files(write_file("d.csv", csv_text([header, *rows])), year=2022)
    for name in ("Cheshire Constabulary", "Merseyside Police"):
        (w101,) = [f for r in run.results if r.organisation.name == name for f in r.findings if f.check == "W101"]
        assert w101.status == "flagged" and rows[cheshire][0] in w101.records
    kinds = {e.source.path: "disruption" for e in run.validation.exports}
    for result, own in (
        (r, i)
        for r in run.results
        for name, i in (("Cheshire Constabulary", cheshire), ("Merseyside Police", merseyside))
        if r.organisation.name == name
    ):
        fixes = api.check_fixes(result, kinds, run.locator or api.RecordLocator(run.validation)).to_pydict()
        at = [
            n
            for n, (rid, src) in enumerate(zip(fixes["record_id"], fixes["source"]))
            if rid == rows[cheshire][0] and src == "W101"
        ]
        assert [fixes["row"][n] for n in at] == [own + 2]  # spreadsheet row: header on row 1
        report = build_report(result, run.results, run, locator=run.locator)
        (sign,) = [s for s in report.signs if s.finding.check == "W101"]
        (shown,) = [r for r in sign.records if r["Disruption ID"] == rows[cheshire][0]]
        assert shown["Recorded By"] == rows[own][12]  # the values of that row


def test_records_without_rows_or_with_wrong_rows_are_looked_up_by_id(write_file):
    """A finding built by hand (no rows), or with rows that do not hold its IDs, still gets each record's row."""
    import dataclasses

    from conftest import csv_text, valid_disruption_rows

    from disruption_qa import api
    from disruption_qa.report import build_report

    header, records = valid_disruption_rows()
    rows = [list(r) for r in records]
    for r in rows:  # all pursue, so that W101 lists every record
        r[8], r[10] = "Pursue", "Arrest"
    run = api.check_files(write_file("d.csv", csv_text([header, *rows])), year=2022)
    result = next(r for r in run.results if any(f.check == "W101" and f.flagged for f in r.findings))
    kinds = {e.source.path: "disruption" for e in run.validation.exports}
    locator = api.RecordLocator(run.validation)
    expected = api.check_fixes(result, kinds, locator)["row"].to_pylist()
    w101 = next(f for f in result.findings if f.check == "W101")
    fixes = api.check_fixes(result, kinds, locator).to_pydict()
    assert w101.rows and [row for row, src in zip(fixes["row"], fixes["source"]) if src == "W101"] == w101.rows
    for rows_given in ([], list(range(len(w101.records))), [r + 1 for r in w101.rows]):  # none; 0, 1, 2...; one off
        changed = dataclasses.replace(
            result, findings=[dataclasses.replace(f, rows=rows_given) if f is w101 else f for f in result.findings]
        )
        assert api.check_fixes(changed, kinds, api.RecordLocator(run.validation))["row"].to_pylist() == expected
        (sign,) = [s for s in build_report(changed, run.results, run).signs if s.finding.check == "W101"]
        assert [r["Recorded By"] for r in sign.records] == [rows[n - 2][12] for n in w101.rows[: len(sign.records)]]
