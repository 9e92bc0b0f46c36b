"""Control characters in an export never reach the terminal, the reports or the CSV outputs: each is shown
as its escape (``\\x1b``); and validation names each value holding one, with its cell."""

from __future__ import annotations

import csv
import json
import re

import pandas as pd
import pyarrow as pa
import pytest
from conftest import TITLE_LINES, csv_text, run_cli, valid_disruption_rows, valid_threat_rows

from disruption_qa import contract as c
from disruption_qa.format import visible
from disruption_qa.render.files import excel_safe

#: Erase the line, go to its start, print a green ALL CLEAR, and retitle the terminal's window.
PAYLOAD = "\x1b[2K\x1b[1G\x1b[32m ALL CLEAR \x1b[0m\x1b]0;title\x07"
#: What is never written as it is: C0 but tab and line feed, DEL, C1.
RAW = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
TITLE = ["APMIS Disruptions Export", "Extracted: 04/01/2023 09:00"]


def test_visible_writes_each_control_character_as_its_escape():
    assert visible(PAYLOAD) == "\\x1b[2K\\x1b[1G\\x1b[32m ALL CLEAR \\x1b[0m\\x1b]0;title\\x07"
    assert visible("a\x00b\x7fc\x9bd\x85") == "a\\x00b\\x7fc\\x9bd\\x85"
    assert visible("lone\rreturn") == "lone\\x0dreturn"  # a CR alone rewrites the line
    assert visible("tab\there\nline\r\nbreak") == "tab\there\nline\r\nbreak"
    assert visible("Cheshire Constabulary é ü 😀") == "Cheshire Constabulary é ü 😀"


def test_a_csv_cell_is_visible_and_then_excel_safe():
    assert excel_safe("\rx") == "\\x0dx"  # shown, so no longer a formula start
    assert excel_safe("=1+1\x1b") == "'=1+1\\x1b"
    assert excel_safe("plain") == "plain"


@pytest.fixture
def hostile(tmp_path):
    """The valid sample with the payload in one Recorded By, a bell in one Threat Area, and a Summary
    holding tabs and line breaks (which are allowed there)."""
    header, records = valid_disruption_rows()
    records[3][header.index("Recorded By")] = f"PC Smith{PAYLOAD}"
    records[5][header.index("Threat Area")] = "Drugs\x07"
    records[6][header.index("Summary")] = "line one\r\nline two\twith a tab"
    path = tmp_path / "disruptions.csv"
    path.write_text(csv_text([header, *records], title=TITLE), encoding="utf-8", newline="")
    threats = tmp_path / "threats.csv"
    t_header, t_records = valid_threat_rows()
    threats.write_text(csv_text([t_header, *t_records], title=TITLE), encoding="utf-8", newline="")
    return path, threats, header, records


def no_raw(text: str, where: str) -> None:
    found = RAW.search(text)
    assert found is None, f"{where} holds {found.group()!r}"


def test_validate_names_each_value_with_its_cell_and_shows_it_visibly(tmp_path, hostile):
    path, _threats, _header, _records = hostile
    out = tmp_path / "out"
    run = run_cli("validate", path, "--out", out)
    assert run.code == 1, run.stderr
    no_raw(run.stdout + run.stderr, "the terminal")
    doc = json.loads((out / "validation.json").read_text("utf-8"))
    found = {(e["row"], e["column"]): e for e in doc["errors"] if e["code"] == "V-CONTROL-CHARACTER"}
    first = TITLE_LINES + 2
    assert set(found) == {(first + 3, "Recorded By"), (first + 5, "Threat Area")}  # not the Summary's tab and CRLF
    recorder = found[(first + 3, "Recorded By")]
    assert recorder["value"] == f"PC Smith{PAYLOAD}"  # JSON keeps the exact value (escaped by JSON itself)
    assert recorder["rule"] == "no control characters"
    assert "\\x07, \\x1b" in recorder["message"]
    for name in ("fixes.csv", "report.html"):
        no_raw((out / name).read_text("utf-8"), name)
    with open(out / "fixes.csv", encoding="utf-8-sig", newline="") as fh:
        values = {r["value"] for r in csv.DictReader(fh)}
    assert "PC Smith\\x1b[2K\\x1b[1G\\x1b[32m ALL CLEAR \\x1b[0m\\x1b]0;title\\x07" in values
    assert "Recorded By holds control characters (\\x07, \\x1b)" in (out / "report.html").read_text("utf-8")


def test_check_shows_no_control_character_in_any_output(tmp_path, hostile):
    path, threats, header, records = hostile
    # the payload's recorder records most of one force's disruptions, so the concentration check names it
    recorder = records[3][header.index("Recorded By")]
    organisation = records[3][header.index("Recording Organisation")]
    for r in records:
        if r[header.index("Recording Organisation")] == organisation:
            r[header.index("Recorded By")] = recorder
    path.write_text(csv_text([header, *records], title=TITLE), encoding="utf-8", newline="")
    out = tmp_path / "out"
    run = run_cli("check", path, "--threats", threats, "--no-history", "--include-summaries", "--out", out)
    assert run.code in (0, 1), run.stderr
    no_raw(run.stdout + run.stderr, "the terminal")
    written = [p for p in out.rglob("*") if p.suffix in (".csv", ".html")]
    assert written
    for p in written:
        no_raw(p.read_text("utf-8"), str(p.relative_to(out)))
    pages = "".join(p.read_text("utf-8") for p in out.rglob("report.html"))
    assert "PC Smith\\x1b[2K" in pages
    assert "line one\r\nline two\twith a tab" in pages or "line one\nline two\twith a tab" in pages


def test_an_error_message_quoting_a_value_is_visible_too(tmp_path):
    header, records = valid_disruption_rows()
    path = tmp_path / "d.csv"
    path.write_text(csv_text([header, *records], title=TITLE), encoding="utf-8")
    run = run_cli("check", path, "--organisation", "Nowhere\x1b]0;pwned\x07", "--no-history", "--out", tmp_path / "o")
    assert run.code == 2
    no_raw(run.stderr, "the error")
    assert "\\x1b]0;pwned\\x07" in run.stderr


@pytest.mark.parametrize("dtype", ["str", "object", "string[python]", "string[pyarrow]"])
def test_the_rule_finds_each_control_character_whatever_the_column_type(dtype):
    plain = ["CH-U1033", "£96,000 – café\xa0", None, "Ÿ é"]  # (£ and \xa0 start with 0xC2, as C1 controls do)
    recorded_by = c.DISRUPTIONS.column("recorded_by").rules[-1]
    summary = c.DISRUPTIONS.column("summary").rules[-1]
    assert recorded_by.passes(pd.Series(plain, dtype=dtype)).all()
    assert summary.passes(pd.Series([*plain, "a\tb\r\nc\nd"], dtype=dtype)).all()
    for control in ("\x00", "\x08", "\x1b", "\x1f", "\x7f", "\x80", "\x85", "\x9f"):
        values = pd.Series([*plain, f"x{control}y"], dtype=dtype)
        assert list(recorded_by.passes(values)) == [True] * 4 + [False], repr(control)
        assert list(summary.passes(values)) == [True] * 4 + [False], repr(control)
    assert list(recorded_by.passes(pd.Series(["a\tb", "a\nb", "ok"], dtype=dtype))) == [False, False, True]


def test_the_byte_scan_sees_across_its_blocks_and_chunks():
    rule = c.DISRUPTIONS.column("recorded_by").rules[-1]
    before = "x" * (c._SCAN_BLOCK - 1)  # a C1 control whose two bytes fall in two blocks of the scan
    values = pd.Series([before, "\x85", "ok"], dtype="str")
    assert c.may_hold_controls(values, False) and list(rule.passes(values)) == [True, False, True]
    assert not c.may_hold_controls(pd.Series([before, "£", "ok"], dtype="str"), False)
    chunked = pd.Series(pd.arrays.ArrowStringArray(pa.chunked_array([["ok", "fine"], ["\x1bbad"]])))
    assert list(rule.passes(chunked)) == [True, True, False]
