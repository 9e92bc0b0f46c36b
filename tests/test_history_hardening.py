"""The run history under careless or hostile use: passwords in URLs never shown, URLs that cannot be parsed
refused in one line, read-only stores still listed and compared against, and a store that cannot be written
costing the record of a run, never its reports."""

from __future__ import annotations

import hashlib
import stat
from pathlib import Path

import pytest
from conftest import REPO, one_line_error, run_cli, run_cli_unprivileged

from disruption_qa.history.connection import hide_secrets, parse_url

NW = REPO / "sample_exports" / "north-west-2022"
JAN = [NW / "disruptions_2023-01-04.csv", "--threats", NW / "threats_2023-01-04.csv"]
JUL = [NW / "disruptions_2023-07-13.csv", "--threats", NW / "threats_2023-07-13.csv"]
CUMBRIA = ["--year", "2022", "--organisation", "Cumbria Constabulary"]
SECRET = "S3cr@t-pw"
#: A port nobody listens on: connecting is refused at once.
NOBODY = "127.0.0.1:59999"


# --- passwords in URLs ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url, shown",
    [
        (f"postgresql://{NOBODY}/qa?password={SECRET}&user=qa", f"postgresql://{NOBODY}/qa?password=***&user=qa"),
        (f"postgresql://qa:{SECRET}@{NOBODY}/qa", f"postgresql://qa:***@{NOBODY}/qa"),  # an unencoded @
        (f"postgresql://qa@{NOBODY}/qa?sslmode=disable&password={SECRET}", None),
    ],
    ids=["query-string", "user-info-with-at", "query-string-last"],
)
@pytest.mark.parametrize("command", ["check", "history"])
def test_a_password_is_never_shown_wherever_it_sits(tmp_path, url, shown, command):
    args = [*JAN, *CUMBRIA, "--out", tmp_path / "out"] if command == "check" else []
    run = run_cli(command, *args, "--history", url)
    line = one_line_error(run)
    for part in (SECRET, SECRET.split("@")[0], SECRET.split("@")[1]):
        assert part not in run.stdout + run.stderr
    assert "***" in line
    if shown:
        assert shown in line


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://qa:pw-S3cret@localhost:notaport/qa",
        "postgresql://qa:pw-S3cret@[::1/qa",
        # an unencoded / ? or # in the password ends the host early: the secret would be read as the path,
        # the query or the fragment
        "postgresql://qa:12/S3cret@localhost/qa",
        "postgresql://qa:12?S3cret@localhost/qa",
        "postgresql://qa:12?x=S3cret@localhost/qa",
        "postgresql://qa:12#S3cret@localhost/qa",
        # digits, then ?password=: the digits would be shown as the port
        "postgresql://qa:2024?password=S3cret@localhost/qa",
    ],
)
def test_a_url_that_cannot_be_parsed_is_one_line_that_does_not_echo_it(tmp_path, url):
    run = run_cli("check", *JAN, *CUMBRIA, "--history", url, "--out", tmp_path / "out")
    line = one_line_error(run)
    assert "cannot be parsed" in line
    assert "S3cret" not in run.stdout + run.stderr and "qa:" not in line
    assert not (tmp_path / "out").exists()  # refused before anything is read or written


def test_the_url_is_parsed_once_with_the_password_in_either_place():
    url, shown = parse_url("postgresql://qa:p@ss@db.example:5433/qa?password=other&application_name=x")
    assert (url.username, url.password, url.host, url.port, url.database) == ("qa", "p@ss", "db.example", 5433, "qa")
    assert shown == "postgresql://qa:***@db.example:5433/qa?password=***&application_name=x"
    url, shown = parse_url("postgresql://qa:p%2F%3F%23@db/qa?password=S3cr@t")
    assert url.password == "p/?#" and shown == "postgresql://qa:***@db/qa?password=***"
    url, shown = parse_url("postgresql://qa:p%40ss@[::1]/qa")
    assert (url.password, url.host) == ("p@ss", "::1") and shown == "postgresql://qa:***@[::1]/qa"


def test_a_drivers_message_loses_its_secrets():
    message = "connect to postgresql://qa:hunter2@db/qa failed; password=hunter2 sslpassword='a b' host=db"
    cleaned = hide_secrets(message)
    assert "hunter2" not in cleaned and "a b" not in cleaned and "host=db" in cleaned


# --- read-only stores, and stores that cannot be written ------------------------------------------------


def read_only_store(tmp: Path) -> Path:
    """A store holding January's run of Cumbria, in a folder made read-only with it."""
    folder = tmp / "store"
    folder.mkdir()
    store = folder / "history.sqlite"
    assert run_cli("check", *JAN, *CUMBRIA, "--history", store, "--out", tmp / "jan").code in (0, 1)
    for p in folder.iterdir():
        p.chmod(0o444)
    folder.chmod(0o555)
    return store


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_read_only_store_can_be_listed(shared_tmp):
    store = read_only_store(shared_tmp)
    before = digest(store)
    run = run_cli_unprivileged("history", "--history", store, "--json", tmp=shared_tmp)
    assert run.code == 0, run.stderr
    assert '"organisation": "Cumbria Constabulary"' in run.stdout
    assert digest(store) == before and sorted(p.name for p in store.parent.iterdir()) == ["history.sqlite"]


def test_a_read_only_store_is_compared_against_and_the_reports_are_written(shared_tmp):
    store = read_only_store(shared_tmp)
    out = shared_tmp / "jul"
    out.mkdir(mode=0o777)
    out.chmod(0o777)
    run = run_cli_unprivileged("check", *JUL, *CUMBRIA, "--history", store, "--out", out, tmp=shared_tmp)
    line = one_line_error(run)
    assert line.startswith(f"error: the outputs were written to {out}, but the run was not recorded in the history")
    assert "wrote " in run.stdout  # the summary is printed as usual
    html = (out / "cumbria-constabulary" / "report.html").read_text(encoding="utf-8")
    assert "Compared with the run on the extraction of 04/01/2023" in html
    assert (out / "cumbria-constabulary" / "results.json").is_file()
    listed = run_cli("history", "--history", store, "--json")
    assert listed.code == 0 and listed.stdout.count('"organisation"') == 1  # still only January's run


def test_an_unreachable_store_keeps_the_reports(tmp_path):
    out = tmp_path / "out"
    run = run_cli("check", *JAN, *CUMBRIA, "--history", f"postgresql://qa:{SECRET}@{NOBODY}/qa", "--out", out)
    line = one_line_error(run)
    assert "the outputs were written" in line and "not recorded" in line and SECRET not in line
    assert (out / "cumbria-constabulary" / "report.html").is_file()
    assert (out / "cumbria-constabulary" / "fixes.csv").is_file()


def test_a_store_that_cannot_be_created_keeps_the_reports(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    out = tmp_path / "out"
    run = run_cli("check", *JAN, *CUMBRIA, "--history", blocker / "history.sqlite", "--out", out)
    line = one_line_error(run)
    assert "the outputs were written" in line and "cannot be created: a file is in the way of its folder" in line
    assert (out / "cumbria-constabulary" / "report.html").is_file()
    assert stat.S_ISREG(blocker.stat().st_mode)
