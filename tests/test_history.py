"""The run history store, on SQLite and on a real PostgreSQL server.

Every behaviour is tested on both backends (the ``store`` fixture): recording a
run with its exact figures, runs/around/compare/trend, duplicates, migrations
(including a store written before validation rules had codes), stores that are
not ours or are newer, concurrent writers and a run failing part way. The runs
are real: two extractions of the same year written as CSV and checked with
``api.check``, the second with some problems fixed and some new.

PostgreSQL comes from ``tests/setup.sh`` (Debian's postgresql, role ``dqa``,
database ``dqa_test``); ``DQA_TEST_POSTGRES_URL`` points elsewhere. Each test
gets a fresh schema, dropped afterwards.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
import multiprocessing
import os
import re
import shutil
import sqlite3
import uuid
from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa
from conftest import threat_record, write_export

from disruption_qa import __version__, api, history
from disruption_qa.checks import CATALOGUE
from disruption_qa.errors import InputError
from disruption_qa.history import FindingState, compare, open_history, problem_records, schema, trend
from disruption_qa.render.history_terminal import history_json, history_table
from disruption_qa.results import Run
from disruption_qa.validation import RULES

POSTGRES_URL = os.environ.get("DQA_TEST_POSTGRES_URL", "postgresql://dqa:dqa@localhost:5432/dqa_test")

CHESHIRE = "Cheshire Constabulary"
MERSEYSIDE = "Merseyside Police"

# --- two extractions of 2022 ------------------------------------------------------------

STRAND_TACTICS = {
    "Pursue": ["Arrest", "Charge", "Search Warrant", "Seizure - Drugs"],
    "Prevent": ["Diversionary Intervention", "Ancillary Order"],
    "Protect": ["Safeguarding Referral", "Closure Order"],
    "Prepare": ["Community Resilience"],
}
# 10 records a month: 5 pursue, 2 prevent, 2 protect, 1 prepare.
MONTH_MIX = ["Pursue"] * 5 + ["Prevent"] * 2 + ["Protect"] * 2 + ["Prepare"]

#: First extraction: 30 of Cheshire's 120 records late (W107 flags at 25%).
LATE_FIRST = [f"D{n:04d}" for n in range(3, 91, 3)]
#: Second extraction: 12 late (10%, W107 clear).
LATE_SECOND = [f"D{n:04d}" for n in range(3, 37, 3)]
#: Second extraction: six prevent records now recorded as pursue (pursue 60 -> 66 of 120).
PREVENT_TO_PURSUE = ["D0006", "D0016", "D0026", "D0036", "D0046", "D0056"]


def year_of(org: str, prefix: str, tprefix: str) -> tuple[list[dict], list[dict]]:
    """A well-recorded 2022 for one organisation: 120 disruptions, 12 threats and one priority individual."""
    threats = [
        threat_record(
            f"{tprefix}{n:03d}",
            org,
            **{
                "Threat Type": {10: "SOC Vulnerability", 11: "SOC Vulnerability", 12: "Priority Individual"}.get(
                    n, "Organised Crime Group"
                ),
                "Lead Responsible Officer": f"LRO{n}",
                "Last Review Date": "01/12/2022",
            },
        )
        for n in range(13)
    ]
    records = []
    counter = itertools.count(1)
    users = itertools.cycle(["U1", "U2", "U3", "U4"])
    ocgs = itertools.cycle([f"{tprefix}{n:03d}" for n in range(10)])
    for month in range(1, 13):
        for i, strand in enumerate(MONTH_MIX):
            day = dt.date(2022, month, 1 + 2 * i)
            n = next(counter)
            records.append(
                {
                    "Disruption ID": f"{prefix}{n:04d}",
                    "Recording Organisation": org,
                    "Disruption Type": "Lead Disruption",
                    "Supported Organisation": "",
                    "Threat ID": next(ocgs),
                    "Threat Type": "Organised Crime Group",
                    "Disruption Date": day.strftime("%d/%m/%Y"),
                    "Record Date": (day + dt.timedelta(days=3)).strftime("%d/%m/%Y"),
                    "4P Strand": strand,
                    "Assessment Category": ["Major", "Moderate", "Minor"][n % 3],
                    "Tactic": STRAND_TACTICS[strand][n % len(STRAND_TACTICS[strand])],
                    "Threat Area": "Drugs Supply",
                    "Recorded By": next(users),
                    "Summary": "synthetic",
                }
            )
    return records, threats


def extraction(folder: Path, which: int, *, extracted: dt.date | None = None) -> tuple[Path, Path]:
    """Write extraction 1 or 2 of Cheshire's and Merseyside's 2022 into ``folder``.

    Both: D0100 has an unknown Assessment Category (validation), D0060 names a
    threat not on the master list (W110). Only the first: D0005's category is
    misspelt, 30 records are late (W107). Only the second: D0077's category is
    misspelt, 12 records are late, D0050 is against a priority individual (W103)
    and six prevent records are recorded as pursue. Merseyside is clean in both.
    """
    records, threats = year_of(CHESHIRE, "D", "T")
    by_id = {r["Disruption ID"]: r for r in records}
    for rid in LATE_FIRST if which == 1 else LATE_SECOND:
        happened = dt.datetime.strptime(by_id[rid]["Disruption Date"], "%d/%m/%Y")
        by_id[rid]["Record Date"] = (happened + dt.timedelta(days=30)).strftime("%d/%m/%Y")
    by_id["D0100"]["Assessment Category"] = "Huge"
    by_id["D0060"]["Threat ID"] = "T999"
    if which == 1:
        by_id["D0005"]["Assessment Category"] = "Majr"
    else:
        by_id["D0077"]["Assessment Category"] = "Majr"
        by_id["D0050"].update({"Threat ID": "T012", "Threat Type": "Priority Individual"})
        for rid in PREVENT_TO_PURSUE:
            by_id[rid].update({"4P Strand": "Pursue", "Tactic": "Arrest"})
    m_records, m_threats = year_of(MERSEYSIDE, "M", "S")
    extracted = extracted or dt.date(2023, which, 4)
    folder.mkdir(parents=True, exist_ok=True)
    d, t = folder / "disruptions.csv", folder / "threats.csv"
    write_export(d, records + m_records, "disruptions", extracted)
    write_export(t, threats + m_threats, "threats", extracted)
    return d, t


def check(folder: Path) -> Run:
    return api.check(folder / "disruptions.csv", folder / "threats.csv", year=2022)


@pytest.fixture(scope="module")
def runs_(tmp_path_factory) -> tuple[Run, Run]:
    """The CheckRuns of the first and second extraction."""
    base = tmp_path_factory.mktemp("extractions")
    extraction(base / "first", 1)
    extraction(base / "second", 2)
    return check(base / "first"), check(base / "second")


# --- the two backends -------------------------------------------------------------------


def _postgres_schema_url(schema: str) -> str:
    url = sa.make_url(POSTGRES_URL)
    return url.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def postgres_admin():
    """An engine on the test database; fails (never skips) when the server is not there."""
    engine = sa.create_engine(sa.make_url(POSTGRES_URL).set(drivername="postgresql+psycopg"))
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except sa.exc.OperationalError as exc:
        engine.dispose()
        pytest.fail(
            f"PostgreSQL for the history tests is not reachable at {sa.make_url(POSTGRES_URL).render_as_string()}"
            f" ({str(exc.orig).splitlines()[0]}): run `bash tests/setup.sh` to install and start it,"
            " or set DQA_TEST_POSTGRES_URL",
            pytrace=False,
        )
    yield engine
    engine.dispose()


@pytest.fixture
def postgres_location(postgres_admin):
    """A URL whose connections work in a fresh schema of their own; the schema is dropped afterwards."""
    schema = f"dqa_test_{uuid.uuid4().hex[:12]}"
    with postgres_admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    yield _postgres_schema_url(schema)
    with postgres_admin.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path) -> str:
    """The location of an empty history store: an SQLite file, or a PostgreSQL schema."""
    if request.param == "sqlite":
        return str(tmp_path / "store" / "history.sqlite")
    return request.getfixturevalue("postgres_location")


def count(location: str, table: str) -> int:
    engine, _ = history.create_engine(location)
    try:
        with engine.connect() as conn:
            return conn.scalar(sa.text(f"SELECT count(*) FROM {table}"))
    finally:
        engine.dispose()


def by_org(entries) -> dict[str, history.RunEntry]:
    return {e.organisation: e for e in entries}


# --- recording --------------------------------------------------------------------------


def test_record_stores_the_run_as_checked(store, runs_):
    first, _ = runs_
    with open_history(store) as h:
        entries = h.record(first)
    assert [e.organisation for e in entries] == [CHESHIRE, MERSEYSIDE]
    e = entries[0]
    files = first.results[0].files
    assert (e.period_start, e.period_end, e.extraction_date, e.profile) == (
        dt.date(2022, 1, 1),
        dt.date(2022, 12, 31),
        dt.date(2023, 1, 4),
        "default",
    )
    assert e.tool_version == __version__
    assert e.created_at.tzinfo == dt.UTC
    assert e.files == [{"path": f["path"], "sha256": f["sha256"], "rows": f["rows"]} for f in files]
    assert [f["rows"] for f in e.files] == [240, 26]
    assert e.inputs_hash == hashlib.sha256("\n".join(f["sha256"] for f in files).encode()).hexdigest()
    # every numeric indicator, nested ones flattened; nothing that is not a number
    assert {
        k: e.indicators[k]
        for k in (
            "lead_disruptions",
            "by_strand.Pursue",
            "by_strand.Prevent",
            "pursue_share",
            "prevent_share",
            "protect_share",
            "prepare_share",
            "validation_errors",
            "validation_errors_per_100",
            "threats_by_type.Priority Individual",
            "threats_by_type.Organised Crime Group",
            "late_share",
        )
    } == {
        "lead_disruptions": 120.0,
        "by_strand.Pursue": 60.0,
        "by_strand.Prevent": 24.0,
        "pursue_share": 0.5,
        "prevent_share": 0.2,
        "protect_share": 0.2,
        "prepare_share": 0.1,
        "validation_errors": 2.0,
        "validation_errors_per_100": 1.67,
        "threats_by_type.Priority Individual": 1.0,
        "threats_by_type.Organised Crime Group": 10.0,
        "late_share": 0.25,
    }
    assert "by_strand" not in e.indicators and all(isinstance(v, float) for v in e.indicators.values())
    # each check's status, severity and value
    assert len(e.findings) == len(CATALOGUE)
    assert e.findings["W107"] == FindingState("flagged", "warning", 0.25)
    assert e.findings["W110"] == ("flagged", "error", 1.0)
    assert e.findings["W103"] == ("clear", "warning", 0.0)
    assert e.flagged == ["W107", "W110"]
    # the records behind validation errors and flagged signs
    assert e.problem_records == {"D0005", "D0100", "D0060", *LATE_FIRST}
    m = entries[1]
    assert m.flagged == [] and m.problem_records == set() and m.indicators["validation_errors"] == 0.0


def test_problem_records_keep_their_source(store, runs_):
    first, _ = runs_
    with open_history(store) as h:
        run_id = h.record(first)[0].id
        with h.engine.connect() as conn:
            rows = conn.execute(
                sa.select(schema.run_problem_records.c.source, schema.run_problem_records.c.record_ids).where(
                    schema.run_problem_records.c.run_id == run_id
                )
            ).all()
    lists = {source: json.loads(ids) for source, ids in rows}
    assert all(ids == sorted(set(ids)) for ids in lists.values())  # one list a source, each ID once, sorted
    # D0060 is both late (W107) and against a threat not on the master list (W110)
    assert {s for s, ids in lists.items() if "D0060" in ids} == {"W107", "W110"}
    # a validation rule by its stable code, never its wording ("allowed values")
    assert {s for s, ids in lists.items() if "D0005" in ids} == {"V-VOCAB"}
    assert set(lists) == {"V-VOCAB", "W107", "W110"}
    assert {s for s, ids in lists.items() if "D0003" in ids} == {"W107"}
    assert set(lists["W107"]) == set(LATE_FIRST)


def test_runs_around_compare_and_trend(store, runs_):
    first, second = runs_
    with open_history(store) as h:
        c1, m1 = h.record(first)
        c2, m2 = h.record(second)
        assert [e.id for e in h.runs()] == [c1.id, m1.id, c2.id, m2.id]
        assert [e.id for e in h.runs(CHESHIRE)] == [c1.id, c2.id]
        assert [e.id for e in h.runs(CHESHIRE, limit=1)] == [c2.id]
        assert [e.id for e in h.runs(limit=3)] == [m1.id, c2.id, m2.id]
        assert h.runs("Lancashire Constabulary") == []
        assert [e.id for e in h.runs(CHESHIRE, until=c1)] == [c1.id]
        assert [e.id for e in h.runs(until=c2, limit=2)] == [m1.id, c2.id]
        assert [e.id for e in h.runs(CHESHIRE, profile="default")] == [c1.id, c2.id]
        assert h.runs(profile="hmicfrs-2023") == [] and h.runs(limit=0) == []
        assert [previous.id if previous else None for previous, _ in h.around([c2, m2, c1, m1], 12)] == [
            c1.id,
            m1.id,
            None,
            None,
        ]
        assert h.runs(CHESHIRE)[1] == c2  # what record returned is what is read back
        assert h.around([c2], 12)[0][0] == h.runs(CHESHIRE)[0] == c1  # the previous run with its problem records

    changes = compare(c1, c2)
    assert (changes.new, changes.resolved, changes.persisting) == (["W103"], ["W107"], ["W110"])
    assert changes.new_records == {"D0077", "D0050"}
    assert c2.problem_records == {"D0077", "D0100", "D0050", "D0060"}

    first_time = compare(None, c1)
    assert (first_time.new, first_time.resolved, first_time.persisting) == (["W107", "W110"], [], [])
    assert first_time.new_records == c1.problem_records

    assert trend([c1, c2]) == [
        {
            "extraction_date": dt.date(2023, 1, 4),
            "pursue_share": 0.5,
            "prevent_share": 0.2,
            "protect_share": 0.2,
            "prepare_share": 0.1,
            "late_share": 0.25,
            "validation_errors_per_100": 1.67,
            "flagged": 2,
        },
        {
            "extraction_date": dt.date(2023, 2, 4),
            "pursue_share": 0.55,
            "prevent_share": 0.15,
            "protect_share": 0.2,
            "prepare_share": 0.1,
            "late_share": 0.1,
            "validation_errors_per_100": 1.67,
            "flagged": 2,
        },
    ]


def test_around_gives_each_entry_its_previous_run_and_recent_runs(store, runs_):
    """``around`` (what a check run's reports use): for each entry, the run before it with its problem
    records, and its recent runs as ``runs`` gives them, including for an older extraction recorded after
    a newer one."""
    first, second = runs_
    with open_history(store) as h:
        newer = h.record(second)
        older = h.record(first)
        again = h.record(second)  # already stored: the same entries come back
        (c2, m2), (c1, m1) = newer, older
        previous_of = {c2.id: c1, m2.id: m1, c1.id: None, m1.id: None}
        for entries in (newer, older, again):
            for limit in (1, 12, 0):
                assert h.around(entries, limit) == [
                    (previous_of[e.id], h.runs(e.organisation, limit, profile=e.profile, until=e, records=False))
                    for e in entries
                ]
        (previous, recent), _ = h.around(newer, 12)
        assert previous.id == c1.id and previous.problem_records  # the previous run with its records, for what changed
        assert [e.id for e in recent] == [c1.id, c2.id] and all(not e.problem_records for e in recent)
        previous, recent = h.around(older, 12)[0]
        assert previous is None and [e.id for e in recent] == [c1.id]
        assert h.around([], 12) == []


def test_order_is_by_extraction_date_not_by_when_recorded(store, runs_):
    first, second = runs_
    with open_history(store) as h:
        c2, _ = h.record(second)
        c1, _ = h.record(first)  # the older extraction checked afterwards
        assert [e.id for e in h.runs(CHESHIRE)] == [c1.id, c2.id]
        assert [previous.id if previous else None for previous, _ in h.around([c2, c1], 12)] == [c1.id, None]


def test_rerunning_an_extraction_records_nothing_new(store, runs_, tmp_path):
    first, _ = runs_
    with open_history(store) as h:
        entries = h.record(first)
        again = h.record(first)
        # the same files copied elsewhere are the same extraction
        copy = tmp_path / "copy"
        copy.mkdir()
        for f in first.validation.files:
            shutil.copy(f["path"], copy / Path(f["path"]).name)
        moved = h.record(check(copy))
        assert [e.id for e in again] == [e.id for e in moved] == [e.id for e in entries]
        assert again == entries
        assert len(h.runs()) == 2
    assert count(store, "run_findings") == 2 * len(CATALOGUE)


def test_another_profile_is_another_entry(store, tmp_path):
    extraction(tmp_path / "x", 1)
    default = check(tmp_path / "x")
    inspectors = api.check(
        tmp_path / "x" / "disruptions.csv", tmp_path / "x" / "threats.csv", year=2022, profile="hmicfrs-2023"
    )
    with open_history(store) as h:
        c_default = h.record(default)[0]
        c_inspectors = h.record(inspectors)[0]
        assert c_default.id != c_inspectors.id and c_inspectors.profile == "hmicfrs-2023"
        # runs under another profile are not comparable: neither is the other's previous run, nor in its trend
        assert [(p, [e.id for e in recent]) for p, recent in h.around([c_inspectors, c_default], 12)] == [
            (None, [c_inspectors.id]),
            (None, [c_default.id]),
        ]
        assert [e.id for e in h.runs(CHESHIRE)] == [c_default.id, c_inspectors.id]


# --- failure part-way ---------------------------------------------------------------------


#: A trigger refusing Merseyside's run: the database fails part-way through recording a run
#: (Cheshire's entry already inserted in the same transaction), as a full disk or a dropped
#: connection would.
REFUSE_MERSEYSIDE = {
    "sqlite": [
        "CREATE TRIGGER refuse_merseyside BEFORE INSERT ON runs WHEN NEW.organisation = 'Merseyside Police'"
        " BEGIN SELECT RAISE(ABORT, 'disk pulled out'); END"
    ],
    "postgresql": [
        "CREATE FUNCTION refuse_merseyside() RETURNS trigger LANGUAGE plpgsql AS"
        " $$ BEGIN IF NEW.organisation = 'Merseyside Police' THEN RAISE EXCEPTION 'disk pulled out'; END IF;"
        " RETURN NEW; END $$",
        "CREATE TRIGGER refuse_merseyside BEFORE INSERT ON runs FOR EACH ROW EXECUTE FUNCTION refuse_merseyside()",
    ],
}


def test_a_run_failing_part_way_leaves_nothing(store, runs_):
    first, _ = runs_
    assert [r.organisation.name for r in first.results] == [CHESHIRE, MERSEYSIDE]
    open_history(store).close()
    engine, shown = history.create_engine(store)
    with engine.begin() as conn:
        for statement in REFUSE_MERSEYSIDE[conn.dialect.name]:
            conn.execute(sa.text(statement))
    with open_history(store) as h:
        with pytest.raises(InputError) as info:
            h.record(first)
        assert h.runs() == []
    assert str(info.value).startswith(f"history store {shown} cannot be used: ") and "disk pulled out" in str(
        info.value
    )
    for table in schema.TABLES[1:]:
        assert count(store, table) == 0, table
    with engine.begin() as conn:
        conn.execute(
            sa.text("DROP TRIGGER refuse_merseyside" + (" ON runs" if conn.dialect.name == "postgresql" else ""))
        )
    engine.dispose()
    with open_history(store) as h:
        assert [e.organisation for e in h.record(first)] == [CHESHIRE, MERSEYSIDE]


# --- migrations ---------------------------------------------------------------------------


def test_a_new_store_has_every_migration_and_the_declared_tables(store):
    open_history(store).close()
    engine, _ = history.create_engine(store)
    try:
        with engine.connect() as conn:
            versions = (
                conn.execute(sa.select(schema.schema_version.c.version).order_by(schema.schema_version.c.version))
                .scalars()
                .all()
            )
            inspector = sa.inspect(conn)
            assert set(inspector.get_table_names()) == set(schema.TABLES)
            for name, table in schema.metadata.tables.items():
                assert [c["name"] for c in inspector.get_columns(name)] == [c.name for c in table.columns], name
            assert "ix_runs_organisation_extraction" in {i["name"] for i in inspector.get_indexes("runs")}
    finally:
        engine.dispose()
    assert versions == [1, 2, 3, 4] == [m.version for m in history.MIGRATIONS]
    assert history.SCHEMA_VERSION == 4


def test_a_version_1_store_upgrades_keeping_its_runs(store, runs_):
    engine, _ = history.create_engine(store)
    assert history.migrate(engine, to=1) == 1
    with engine.begin() as conn:
        assert "tool_version" not in {c["name"] for c in sa.inspect(conn).get_columns("runs")}
        run_id = conn.execute(
            sa.text(
                "INSERT INTO runs (organisation, period_start, period_end, extraction_date, profile, inputs_hash, created_at)"
                " VALUES (:o, :s, :e, :x, 'default', 'abc', :c) RETURNING id"
            ),
            {
                "o": CHESHIRE,
                "s": dt.date(2022, 1, 1),
                "e": dt.date(2022, 12, 31),
                "x": dt.date(2022, 12, 4),
                "c": dt.datetime(2022, 12, 5, 10, 0),
            },
        ).scalar()
        conn.execute(sa.text("INSERT INTO run_files VALUES (:r, 0, 'old.csv', 'f00d', 99)"), {"r": run_id})
        conn.execute(sa.text("INSERT INTO run_indicators VALUES (:r, 'pursue_share', 0.8)"), {"r": run_id})
        conn.execute(sa.text("INSERT INTO run_findings VALUES (:r, 'W101', 'flagged', 'error', 0.8)"), {"r": run_id})
        for record, source in (
            ("D0001", "W101"),
            ("d0002", "W101"),
            ("D0002", "W101"),
            ("D0001", "W107"),
            ("D0003", "unique ID"),
        ):
            conn.execute(
                sa.text("INSERT INTO run_problem_records VALUES (:r, :i, :s)"), {"r": run_id, "i": record, "s": source}
            )
    engine.dispose()

    with open_history(store) as h:
        (old,) = h.runs()
        assert (old.id, old.organisation, old.extraction_date, old.tool_version) == (
            run_id,
            CHESHIRE,
            dt.date(2022, 12, 4),
            None,
        )
        assert old.created_at == dt.datetime(2022, 12, 5, 10, 0, tzinfo=dt.UTC)
        assert old.files == [{"path": "old.csv", "sha256": "f00d", "rows": 99}]
        assert (old.indicators, old.findings, old.problem_records) == (
            {"pursue_share": 0.8},
            {"W101": ("flagged", "error", 0.8)},
            {"D0001", "d0002", "D0002", "D0003"},
        )
        with h.engine.connect() as conn:  # version 3 keeps them as one list per source, sorted as Python sorts
            lists = dict(
                conn.execute(
                    sa.select(schema.run_problem_records.c.source, schema.run_problem_records.c.record_ids)
                ).all()
            )
            key = sa.inspect(conn).get_pk_constraint("run_problem_records")
        assert {s: json.loads(ids) for s, ids in lists.items()} == {
            "W101": ["D0001", "D0002", "d0002"],
            "W107": ["D0001"],
            "V-UNIQUE": ["D0003"],  # version 4: the rule by its code, not its text ("unique ID")
        }
        assert key["constrained_columns"] == ["run_id", "source"]
        assert key["name"] in (None, "run_problem_records_pkey")  # SQLite does not name it; PostgreSQL keeps our name
        # and the upgraded store takes new runs, which follow the old one
        c1 = h.record(runs_[0])[0]
        assert c1.tool_version == __version__
        ((previous, _),) = h.around([c1], 12)
        assert previous.id == run_id
        assert compare(previous, c1).resolved == ["W101"]
    assert count(store, "schema_version") == 4


#: The north-west sample exports: the extractions of 4 January and 13 July 2023.
NW = Path(__file__).resolve().parent.parent / "sample_exports" / "north-west-2022"
NW_ORGANISATIONS = ["Cumbria Constabulary", "Cheshire Constabulary"]

#: A version-3 store written by disruption-qa before validation rules had codes (commit d5362ee, the
#: last before them), with the north-west sample as shipped since version 0.2.0 copied into that checkout,
#: from its root with
#: ``disruption-qa check sample_exports/north-west-2022/disruptions_2023-01-04.csv --threats
#: sample_exports/north-west-2022/threats_2023-01-04.csv --year 2022 --organisation "Cumbria Constabulary"
#: --organisation "Cheshire Constabulary" --history tests/fixtures/history-v3.sqlite``: the January
#: extraction of both forces, its validation problems under the rules' texts ("valid date", "unique ID").
STORE_BEFORE_CODES = Path(__file__).resolve().parent / "fixtures" / "history-v3.sqlite"
#: The checks whose records have changed since that store was written: W106 and W113 count the threats in
#: scope, Dormant ones too, and mean something else since version 0.2.0 (W113 4P plans alone, W106 moderation
#: by its age); W115, W116 and W117 are new. Against that store, their records are new.
REDEFINED = {"W106", "W113", "W115", "W116", "W117"}
#: The checks added since that store was written.
ADDED = {"W115", "W116", "W117"}

#: Every rule text a version-3 store can hold as a source (validation.RULES before codes came in), and
#: its code. Rewording a rule must keep its old text known, or stores written before would keep it.
TEXTS_OF_VERSION_3 = {
    "required value": "V-REQUIRED",
    "unique ID": "V-UNIQUE",
    "allowed values": "V-VOCAB",
    "known organisation": "V-ORG",
    "valid date": "V-DATE",
    "valid number": "V-NUMBER",
    "not negative": "V-NEGATIVE",
    "recorded on or after the disruption": "V-RECORD-BEFORE-DISRUPTION",
    "not after the extraction date": "V-AFTER-EXTRACTION",
    "support disruptions name the supported organisation": "V-SUPPORTED-ORG",
    "closed threats have a Closed Date": "V-CLOSED-DATE",
    "closed on or after creation": "V-CLOSED-BEFORE-CREATED",
    "well-formed row": "V-ROW-SHAPE",
}


@pytest.fixture(scope="module")
def nw_runs() -> tuple[Run, Run]:
    """The CheckRuns of the north-west January and July extractions, for the two forces of the stored one."""
    return tuple(
        api.check(NW / f"disruptions_{day}.csv", NW / f"threats_{day}.csv", organisations=NW_ORGANISATIONS, year=2022)
        for day in ("2023-01-04", "2023-07-13")
    )


def store_before_codes(location: str, tmp_path: Path) -> None:
    """Put the store written before codes at ``location``: the file itself for SQLite; for PostgreSQL the
    version-3 schema built by the migrations, then the file's rows copied in as they are."""
    copy = tmp_path / "before-codes" / "history.sqlite"
    copy.parent.mkdir()
    shutil.copy(STORE_BEFORE_CODES, copy)  # opening the file, even to read, would leave WAL files beside it
    if not location.startswith("postgresql"):
        Path(location).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(copy, location)
        return
    source, _ = history.create_engine(copy)
    target, _ = history.create_engine(location)
    assert history.migrate(target, to=3) == 3
    # version 4 changed what a source holds, not the tables, so today's Table objects describe version 3
    with source.connect() as read, target.begin() as write:
        for table in schema.metadata.sorted_tables:  # runs before the tables that refer to them
            if table.name != "schema_version":
                write.execute(table.insert(), [row._asdict() for row in read.execute(sa.select(table))])
        write.execute(sa.text("SELECT setval(pg_get_serial_sequence('runs', 'id'), (SELECT max(id) FROM runs))"))
    source.dispose()
    target.dispose()


def stored_lists(location: str) -> dict[tuple[int, str], list[str]]:
    """Every problem record list in the store, by run ID and source, read without migrating."""
    engine, _ = history.create_engine(location)
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT run_id, source, record_ids FROM run_problem_records")).all()
    finally:
        engine.dispose()
    return {(run_id, source): json.loads(ids) for run_id, source, ids in rows}


def test_a_store_from_before_codes_upgrades_and_still_tells_what_is_new(store, nw_runs, tmp_path):
    january, july = nw_runs
    store_before_codes(store, tmp_path)
    before = stored_lists(store)
    assert {source for _, source in before if not source.startswith("W")} == {"valid date", "unique ID"}

    with open_history(store) as h:
        old = h.runs()
        assert [(e.organisation, e.extraction_date) for e in old] == [
            (o, dt.date(2023, 1, 4)) for o in NW_ORGANISATIONS
        ]
        assert h.record(january) == old  # the same extraction checked again is still recognised
        entries = h.record(july)
        around = h.around(entries, 12)
    assert count(store, "schema_version") == 4
    after = stored_lists(store)
    # the rules' texts became their codes, each list untouched; check IDs stay
    assert {key: ids for key, ids in after.items() if key[0] in {e.id for e in old}} == {
        (run_id, TEXTS_OF_VERSION_3.get(source, source)): ids for (run_id, source), ids in before.items()
    }
    assert {source for _, source in after if not source.startswith("W")} == {"V-DATE", "V-UNIQUE"}
    # July's lists are under the same keys as January's: a rule's records compare across the upgrade
    cumbria_jan, cumbria_jul = old[0].id, entries[0].id
    assert after[(cumbria_jan, "V-DATE")] == after[(cumbria_jul, "V-DATE")] == ["D2003384"]
    assert after[(cumbria_jan, "V-UNIQUE")] == after[(cumbria_jul, "V-UNIQUE")] == ["D2000775"]

    # what is new since January is what it is in a store the new code wrote from the start
    with open_history(tmp_path / "fresh.sqlite") as fresh:
        fresh.record(january)
        fresh_entries = fresh.record(july)
        fresh_around = fresh.around(fresh_entries, 12)
    for entry, (previous, recent), old_entry, fresh_entry, (fresh_previous, _), result in zip(
        entries, around, old, fresh_entries, fresh_around, january.results, strict=True
    ):
        assert previous == old_entry and [e.id for e in recent] == [old_entry.id, entry.id]
        # the checks that count the threats in scope (Dormant ones too, since this store was written) list more
        redefined = {i for source, ids in problem_records(result).items() if source in REDEFINED for i in ids}
        assert previous.problem_records - redefined == fresh_previous.problem_records - redefined
        changes, expected = compare(previous, entry), compare(fresh_previous, fresh_entry)

        def others(checks: list[str]) -> list[str]:
            return [c for c in checks if c not in ADDED]

        assert (others(changes.new), changes.resolved, others(changes.persisting)) == (
            others(expected.new),
            expected.resolved,
            others(expected.persisting),
        )
        # a check the store never ran is new wherever it flags
        assert set(changes.new) & ADDED == set(expected.new + expected.persisting) & ADDED
        assert changes.new_records - redefined == expected.new_records - redefined
        assert changes.new_records and changes.new_records < entry.problem_records  # some new, some not
        assert not changes.new_records & {"D2003384", "D2000775", "D2000935"}  # the validation problems persist


def test_version_4_turns_every_rule_text_into_its_code_and_leaves_the_rest(store):
    engine, _ = history.create_engine(store)
    assert history.migrate(engine, to=3) == 3
    sources = [*TEXTS_OF_VERSION_3, "W101", "W107", "a wording no rule has"]
    with engine.begin() as conn:
        run_ids = [
            conn.execute(
                sa.text(
                    "INSERT INTO runs (organisation, period_start, period_end, extraction_date, profile, inputs_hash,"
                    " created_at) VALUES (:o, :s, :e, :x, 'default', :h, :c) RETURNING id"
                ),
                {
                    "o": organisation,
                    "s": dt.date(2022, 1, 1),
                    "e": dt.date(2022, 12, 31),
                    "x": dt.date(2023, 1, 4),
                    "h": organisation,
                    "c": dt.datetime(2023, 1, 5),
                },
            ).scalar()
            for organisation in (CHESHIRE, MERSEYSIDE)
        ]
        conn.execute(
            sa.text("INSERT INTO run_problem_records (run_id, source, record_ids) VALUES (:r, :s, :ids)"),
            [
                {"r": run_id, "s": source, "ids": json.dumps([f"{run_id}-{n}", f"{run_id}-{n}x"])}
                for run_id in run_ids
                for n, source in enumerate(sources)
            ],
        )
    engine.dispose()
    before = stored_lists(store)
    open_history(store).close()
    assert stored_lists(store) == {
        (run_id, TEXTS_OF_VERSION_3.get(source, source)): ids for (run_id, source), ids in before.items()
    }
    assert len(before) == 2 * len(sources)


def test_the_docs_give_the_schema_version_and_every_rule_code():
    text = (Path(__file__).resolve().parent.parent / "docs" / "history.md").read_text(encoding="utf-8")
    assert f"(schema version {history.SCHEMA_VERSION})" in text
    assert f"| {history.SCHEMA_VERSION} | " in text  # its migration
    listed = dict(re.findall(r"^\| `(V-[A-Z-]+)` \| (.+?) \|$", text, re.MULTILINE))
    assert listed == {rule.code: rule.text for rule in RULES.values()}


def test_migrating_twice_changes_nothing(store):
    open_history(store).close()
    open_history(store).close()
    assert count(store, "schema_version") == 4


def test_a_store_from_a_newer_version_is_refused(store):
    open_history(store).close()
    engine, shown = history.create_engine(store)
    with engine.begin() as conn:
        conn.execute(
            schema.schema_version.insert().values(version=5, applied_at=dt.datetime(2030, 1, 1), tool_version="9.0")
        )
    engine.dispose()
    with pytest.raises(InputError) as info:
        open_history(store)
    assert str(info.value) == (
        f"history store {shown} was written by a newer disruption-qa (history schema version 5; this version reads up to 4)"
    )
    assert "\n" not in str(info.value)


def test_a_postgres_schema_holding_other_tables_is_refused(postgres_location):
    engine, _shown = history.create_engine(postgres_location)
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE runs (id integer, athlete text)"))
    engine.dispose()
    with pytest.raises(InputError, match="is not a disruption-qa history store"):
        open_history(postgres_location)


def test_a_postgres_schema_version_table_of_another_tool_is_refused(postgres_location):
    engine, _ = history.create_engine(postgres_location)
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE schema_version (installed_rank integer, script text)"))
    engine.dispose()
    with pytest.raises(InputError, match="its schema_version table is another's"):
        open_history(postgres_location)


def test_other_tables_in_a_postgres_database_are_left_alone(postgres_location, runs_):
    engine, _ = history.create_engine(postgres_location)
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE duty_rota (officer text)"))
    engine.dispose()
    with open_history(postgres_location) as h:
        assert len(h.record(runs_[0])) == 2


# --- locations that are not history stores -------------------------------------------------


def test_a_csv_given_as_the_store_is_refused_and_left_untouched(tmp_path):
    d, _ = extraction(tmp_path, 1)
    before = d.read_bytes()
    with pytest.raises(InputError) as info:
        open_history(d)
    assert str(info.value) == f"history store {d} is not a disruption-qa history store (not an SQLite database)"
    assert d.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["disruptions.csv", "threats.csv"]


def test_another_applications_sqlite_file_is_refused(tmp_path):
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE contacts (name TEXT)")
    conn.close()
    before = path.read_bytes()
    with pytest.raises(InputError, match=r"other\.db is not a disruption-qa history store \(it holds other tables\)"):
        open_history(path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.db"]


@pytest.mark.parametrize(
    "location, message",
    [
        ("mysql://u:secret@host/db", "history store mysql://u:***@host/db: unsupported database"),
        ("sqlite://", "names no file"),
        ("postgresql+psycopg2://u@h/db", "unsupported database"),
    ],
)
def test_unusable_locations_are_one_line_errors(location, message):
    with pytest.raises(InputError, match=message.replace("*", r"\*").replace(".", r"\.")) as info:
        open_history(location)
    assert "\n" not in str(info.value) and "secret" not in str(info.value)


def test_reading_commands_do_not_create_a_store(tmp_path):
    missing = tmp_path / "nowhere" / "history.sqlite"
    with pytest.raises(InputError) as info:
        open_history(missing, create=False)
    assert str(info.value) == f"no history store at {missing} (check records one; --history chooses another)"
    assert not (tmp_path / "nowhere").exists()
    open_history(missing).close()
    with open_history(missing, create=False) as h:
        assert h.runs() == []


def test_a_folder_is_not_a_store(tmp_path):
    with pytest.raises(InputError, match="is a folder, not a file"):
        open_history(tmp_path)


def test_an_unreachable_postgres_server_is_a_one_line_error():
    with pytest.raises(InputError) as info:
        open_history("postgresql://dqa:hidden@127.0.0.1:1/nowhere")
    message = str(info.value)
    assert message.startswith("history store postgresql://dqa:***@127.0.0.1:1/nowhere cannot be used: ")
    assert "\n" not in message and "hidden" not in message


def test_location_forms(tmp_path, monkeypatch, postgres_location, runs_):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert history.default_location() == tmp_path / "xdg" / "disruption-qa" / "history.sqlite"
    with open_history(None) as h:
        assert h.location == str(tmp_path / "xdg" / "disruption-qa" / "history.sqlite")
    assert (tmp_path / "xdg" / "disruption-qa" / "history.sqlite").is_file()
    with open_history(f"sqlite:///{tmp_path / 'url.sqlite'}") as h:
        h.record(runs_[0])
    with open_history(tmp_path / "url.sqlite") as h:
        assert len(h.runs()) == 2
    plain = postgres_location
    explicit = postgres_location.replace("postgresql://", "postgresql+psycopg://", 1)
    with open_history(plain) as h:
        assert h.engine.dialect.driver == "psycopg"
        assert "***" in h.location and "dqa:dqa@" not in h.location
        h.record(runs_[0])
    with open_history(explicit) as h:
        assert len(h.runs()) == 2


def test_sqlite_store_is_in_wal_mode(tmp_path):
    open_history(tmp_path / "h.sqlite").close()
    with sqlite3.connect(tmp_path / "h.sqlite") as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()


# --- concurrency ----------------------------------------------------------------------------


def _record_in_process(location: str, folder: str, barrier) -> list[int]:
    """Worker: check an extraction, wait for the others, then record it (runs in a child process)."""
    run = check(Path(folder))
    barrier.wait()
    with open_history(location) as h:
        return [e.id for e in h.record(run)]


def _in_processes(location: str, folders: list[Path]) -> list[list[int]]:
    ctx = multiprocessing.get_context("spawn")
    with ctx.Manager() as manager:
        barrier = manager.Barrier(len(folders))
        with ctx.Pool(len(folders)) as pool:
            return pool.starmap(_record_in_process, [(location, str(f), barrier) for f in folders])


def test_concurrent_runs_all_land_intact(store, tmp_path):
    """Six processes open a new store and record six different extractions at once."""
    folders = []
    for k in range(6):
        extraction(tmp_path / f"x{k}", 1 + k % 2, extracted=dt.date(2023, 1 + k % 2, 4 + k))
        folders.append(tmp_path / f"x{k}")
    ids = _in_processes(store, folders)
    assert len({i for pair in ids for i in pair}) == 12
    with open_history(store) as h:
        entries = h.runs()
        assert sorted(e.id for e in entries) == sorted(i for pair in ids for i in pair)
        assert [e.extraction_date.day for e in h.runs(CHESHIRE)] == [4, 6, 8, 5, 7, 9]
        assert all(len(e.findings) == len(CATALOGUE) for e in entries)
    assert count(store, "schema_version") == 4
    assert count(store, "run_findings") == 12 * len(CATALOGUE)
    if not store.startswith("postgresql"):
        with sqlite3.connect(store) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        conn.close()


def test_the_same_run_recorded_at_once_is_one_entry(store, tmp_path):
    extraction(tmp_path / "x", 2)
    ids = _in_processes(store, [tmp_path / "x"] * 4)
    assert len({tuple(pair) for pair in ids}) == 1
    with open_history(store) as h:
        assert [e.id for e in h.runs()] == ids[0]
    assert count(store, "run_findings") == 2 * len(CATALOGUE)
    assert count(store, "run_problem_records") == 3  # one list for each source of its problem records, once


# --- the terminal and JSON views -------------------------------------------------------------


def test_history_table_and_json(tmp_path, runs_):
    with open_history(tmp_path / "h.sqlite") as h:
        h.record(runs_[0])
        h.record(runs_[1])
        entries = h.runs()
    assert history_table(entries).splitlines() == [
        "extraction  organisation           period                 profile  pursue  prevent  protect  flagged  errors/100",
        "04/01/2023  Cheshire Constabulary  01/01/2022-31/12/2022  default     50%      20%      20%        2        1.67",
        "04/01/2023  Merseyside Police      01/01/2022-31/12/2022  default     50%      20%      20%        0        0.00",
        "04/02/2023  Cheshire Constabulary  01/01/2022-31/12/2022  default     55%      15%      20%        2        1.67",
        "04/02/2023  Merseyside Police      01/01/2022-31/12/2022  default     50%      20%      20%        0        0.00",
        "",
        "Cheshire Constabulary, 2 runs: pursue share 50% to 55% (up 5 points); flagged signs 2 to 2 (unchanged)",
        "Merseyside Police, 2 runs: pursue share 50% to 50% (unchanged); flagged signs 0 to 0 (unchanged)",
    ]
    assert history_table(entries[:1]).splitlines()[-1] == "Cheshire Constabulary, 1 run: nothing to compare yet"
    assert history_table([]) == "no runs recorded"

    data = history_json(entries)
    assert [d["organisation"] for d in data] == [CHESHIRE, MERSEYSIDE, CHESHIRE, MERSEYSIDE]
    c2 = data[2]
    assert c2["extraction_date"] == "2023-02-04" and c2["period"] == {"start": "2022-01-01", "end": "2022-12-31"}
    assert c2["flagged"] == ["W103", "W110"]
    assert c2["findings"]["W107"] == {"status": "clear", "severity": "warning", "value": 0.1}
    assert c2["problem_records"] == ["D0050", "D0060", "D0077", "D0100"]
    assert c2["indicators"]["by_strand.Pursue"] == 66.0
    assert json.loads(json.dumps(data)) == data  # JSON-ready as it is


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        (3, 3.0),
        (0.25, 0.25),
        (np.float64(0.5), 0.5),
        (np.int64(7), 7.0),
        (True, None),  # a flag, not a figure
        (float("nan"), None),
        (float("inf"), None),
        ("0.5", None),
        (None, None),
    ],
)
def test_a_figure_is_stored_when_it_is_a_finite_real_number(value, stored):
    from disruption_qa.history.model import finite_number

    assert finite_number(value) == stored
