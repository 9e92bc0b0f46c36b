"""Output writers: tables safe to open in Excel."""

from __future__ import annotations

import csv
import json

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
    from disruption_qa.render.outputs import check_fixes
    from disruption_qa.report import build_report

    header, records = valid_disruption_rows()
    rows = [list(r) for r in records]
    cheshire = next(i for i, r in enumerate(rows) if r[1] == "Cheshire Constabulary" and r[8] == "Pursue")
    merseyside = next(i for i, r in enumerate(rows) if r[1] == "Merseyside Police" and r[8] == "Pursue")
    rows[merseyside][0] = rows[cheshire][0]  # Merseyside's record reuses Cheshire's ID
    for r in rows:  # all pursue, so that W101 lists every record of both
        r[8], r[10] = "Pursue", "Arrest"
    run = api.check(write_file("d.csv", csv_text([header, *rows])), year=2022)
    for name in ("Cheshire Constabulary", "Merseyside Police"):
        (w101,) = [f for r in run.results if r.organisation.name == name for f in r.findings if f.check == "W101"]
        assert w101.status == "flagged" and rows[cheshire][0] in w101.records
    for result, own in (
        (r, i)
        for r in run.results
        for name, i in (("Cheshire Constabulary", cheshire), ("Merseyside Police", merseyside))
        if r.organisation.name == name
    ):
        fixes = check_fixes(result, run).to_pydict()
        at = [
            n
            for n, (rid, src) in enumerate(zip(fixes["record_id"], fixes["source"]))
            if rid == rows[cheshire][0] and src == "W101"
        ]
        assert [fixes["row"][n] for n in at] == [own + 2]  # spreadsheet row: header on row 1
        report = build_report(result, run)
        (sign,) = [s for s in report.signs if s.finding.check == "W101"]
        (shown,) = [r for r in sign.records if r["Disruption ID"] == rows[cheshire][0]]
        assert shown["Recorded By"] == rows[own][12]  # the values of that row


def test_every_record_a_finding_points_at_is_on_its_row_in_fixes_csv(tmp_path):
    """On the north-west sample, each line of every organisation's fixes.csv names a record that stands on
    that row of that file (threats and disruptions alike)."""
    import csv

    from conftest import REPO

    from disruption_qa import api

    folder = REPO / "sample_exports" / "north-west-2022"
    disruptions, threats = folder / "disruptions_2023-01-04.csv", folder / "threats_2023-01-04.csv"
    run = api.check(disruptions, threats, year=2022)
    api.write(run, tmp_path, html=False)
    on_row = {}
    for path, id_column in ((disruptions, "Disruption ID"), (threats, "Threat ID")):
        lines = path.read_text(encoding="utf-8-sig").splitlines()
        header = next(n for n, line in enumerate(lines) if line.startswith(id_column))
        reader = csv.DictReader(path.read_text(encoding="utf-8-sig").splitlines()[header:])
        on_row[str(path)] = {header + 2 + n: row[id_column] for n, row in enumerate(reader)}
    checked = set()
    for fixes in tmp_path.glob("*/fixes.csv"):
        for line in csv.DictReader(fixes.read_text(encoding="utf-8-sig").splitlines()):
            if line["source"].startswith("W"):
                assert on_row[line["file"]][int(line["row"])] == line["record_id"], line
                checked.add(line["record_type"])
    assert checked == {"disruption", "threat"}
