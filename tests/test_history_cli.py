"""The run history through the command line: trend in the report, new records in fixes.csv, `history`.

The inspectors' case: the north-west extraction of 4 January, then the one of
13 July, checked in turn into the same store (SQLite, and a real PostgreSQL).
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import sqlite3
from pathlib import Path

import pytest
from conftest import run_cli as cli
from test_history import REDEFINED, STORE_BEFORE_CODES, postgres_admin, postgres_location  # noqa: F401  (fixtures)

ROOT = Path(__file__).resolve().parent.parent
NW = ROOT / "sample_exports" / "north-west-2022"
JAN = [NW / "disruptions_2023-01-04.csv", "--threats", NW / "threats_2023-01-04.csv"]
JUL = [NW / "disruptions_2023-07-13.csv", "--threats", NW / "threats_2023-07-13.csv"]
CUMBRIA = ["--organisation", "Cumbria Constabulary", "--organisation", "Cheshire Constabulary"]


def fixes(path: Path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def two_runs(tmp_path, location):
    first, second = tmp_path / "jan", tmp_path / "jul"
    for files, out in ((JAN, first), (JUL, second)):
        proc = cli("check", *files, "--year", "2022", *CUMBRIA, "--history", location, "--out", out)
        assert proc.code in (0, 1), proc.stderr
    return first, second


@pytest.fixture(params=["sqlite", "postgresql"])
def location(request, tmp_path):
    if request.param == "sqlite":
        return str(tmp_path / "history.sqlite")
    return request.getfixturevalue("postgres_location")


def test_second_report_shows_the_trend_and_what_changed(tmp_path, location):
    first, second = two_runs(tmp_path, location)
    html = (second / "cumbria-constabulary" / "report.html").read_text(encoding="utf-8")
    assert "Since the last run" in html
    assert "Compared with the run on the extraction of 04/01/2023" in html
    assert html.count('<th scope="row">04/01/2023</th>') == 1 and html.count('<th scope="row">13/07/2023</th>') == 1
    assert "Strand shares and late recording over the last 2 runs" in html
    first_html = (first / "cumbria-constabulary" / "report.html").read_text(encoding="utf-8")
    assert "This is the first run recorded for Cumbria Constabulary" in first_html


def test_fixes_mark_what_is_new_since_the_last_run(tmp_path, location):
    first, second = two_runs(tmp_path, location)
    before = fixes(first / "cheshire-constabulary" / "fixes.csv")
    assert before and {r["new_since_last_run"] for r in before} == {"yes"}  # the first run: all new
    after = fixes(second / "cheshire-constabulary" / "fixes.csv")
    old_ids = {r["record_id"] for r in before}
    for row in after:
        assert row["new_since_last_run"] == ("no" if row["record_id"] in old_ids else "yes"), row
    # a record of December still Pending in July is a new problem record: now over W114's 28 days
    new = [r for r in after if r["new_since_last_run"] == "yes"]
    assert new and {r["source"] for r in new} == {"W114"}
    assert any(r["new_since_last_run"] == "no" for r in after)


def test_a_store_from_before_codes_marks_what_is_new_as_a_new_store_does(tmp_path):
    """The January run recorded by the version before validation rules had codes (its store upgraded on
    opening), then July's: fixes.csv and the report say what a store written by this version says."""
    store = tmp_path / "before-codes.sqlite"
    shutil.copy(STORE_BEFORE_CODES, store)
    upgraded = tmp_path / "upgraded"
    proc = cli("check", *JUL, "--year", "2022", *CUMBRIA, "--history", store, "--out", upgraded)
    assert proc.code in (0, 1), proc.stderr
    _, fresh = two_runs(tmp_path, str(tmp_path / "fresh.sqlite"))
    for folder in ("cumbria-constabulary", "cheshire-constabulary"):
        rows = fixes(upgraded / folder / "fixes.csv")
        fresh_rows = fixes(fresh / folder / "fixes.csv")
        assert [{**r, "new_since_last_run": ""} for r in rows] == [{**r, "new_since_last_run": ""} for r in fresh_rows]
        # what is new is told as a fresh store tells it, but for the checks redefined since that store was written
        assert [r for r in rows if r["source"] not in REDEFINED] == [
            r for r in fresh_rows if r["source"] not in REDEFINED
        ]
        assert {r["new_since_last_run"] for r in rows} == {"yes", "no"}
        html = (upgraded / folder / "report.html").read_text(encoding="utf-8")
        assert "Compared with the run on the extraction of 04/01/2023" in html
    # a validation problem of January still there in July is not new
    cumbria = fixes(upgraded / "cumbria-constabulary" / "fixes.csv")
    assert {r["new_since_last_run"] for r in cumbria if r["record_id"] == "D2003384"} == {"no"}


def test_rerunning_the_same_extraction_adds_no_entry(tmp_path, location):
    two_runs(tmp_path, location)
    cli("check", *JUL, "--year", "2022", *CUMBRIA, "--history", location, "--out", tmp_path / "again")
    proc = cli("history", "Cumbria Constabulary", "--history", location, "--json")
    assert proc.code == 0, proc.stderr
    runs = json.loads(proc.stdout)
    assert [r["extraction_date"] for r in runs] == ["2023-01-04", "2023-07-13"]
    assert {r["organisation"] for r in runs} == {"Cumbria Constabulary"}
    table = cli("history", "--history", location).stdout
    assert "Cheshire Constabulary, 2 runs" in table and "Cumbria Constabulary, 2 runs" in table


def test_no_history_records_nothing_and_leaves_the_column_blank(tmp_path):
    store = tmp_path / "h.sqlite"
    out = tmp_path / "out"
    proc = cli("check", *JAN, "--year", "2022", *CUMBRIA, "--no-history", "--history", store, "--out", out)
    assert proc.code in (0, 1)
    assert not store.exists()
    rows = fixes(out / "cumbria-constabulary" / "fixes.csv")
    assert rows and {r["new_since_last_run"] for r in rows} == {""}
    assert "Since the last run" not in (out / "cumbria-constabulary" / "report.html").read_text(encoding="utf-8")


def test_default_store_is_in_the_user_data_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    proc = cli("check", *JAN, "--year", "2022", "--organisation", "Cumbria Constabulary", "--out", tmp_path / "out")
    assert proc.code in (0, 1), proc.stderr
    assert (tmp_path / "data" / "disruption-qa" / "history.sqlite").is_file()


@pytest.mark.parametrize(
    "args, message",
    [
        (["history", "--history", "{missing}"], "no history store at"),
        (["history", "Chesire Constabulary", "--history", "{csv}"], "did you mean Cheshire Constabulary?"),
        (
            ["check", "{jan}", "--year", "2022", "--history", "{csv}", "--out", "{out}"],
            "not a disruption-qa history store",
        ),
    ],
)
def test_history_mistakes_are_one_line(tmp_path, args, message):
    names = {
        "missing": tmp_path / "none.sqlite",
        "csv": NW / "threats_2023-01-04.csv",
        "jan": JAN[0],
        "out": tmp_path / "o",
    }
    before = (NW / "threats_2023-01-04.csv").read_bytes()
    proc = cli(*[a.format(**names) for a in args])
    assert proc.code == 2, proc.stdout
    assert message in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert (NW / "threats_2023-01-04.csv").read_bytes() == before


def test_a_sqlite_store_spares_the_run_the_postgresql_dialect(tmp_path):
    """Only a PostgreSQL store's run imports SQLAlchemy's PostgreSQL dialect, not every run with a history (the
    PostgreSQL case of the tests above records through it)."""
    env = {**os.environ, "PYTHONPROFILEIMPORTTIME": "1"}
    store = tmp_path / "history.sqlite"
    proc = cli("check", *JAN, "--year", "2022", *CUMBRIA, "--history", store, "--out", tmp_path / "out", env=env)
    assert proc.code in (0, 1), proc.stderr
    imported = {line.rsplit("|", 1)[-1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")}
    assert "sqlalchemy.dialects.sqlite" in imported and "sqlalchemy.dialects.postgresql" not in imported
    with sqlite3.connect(store) as db:  # both organisations recorded, through SQLite's own INSERT
        assert db.execute("SELECT count(*) FROM runs").fetchone() == (2,)
