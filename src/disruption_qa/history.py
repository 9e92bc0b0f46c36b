"""The run history: every ``check`` run remembered, so a team can see what changed.

A force's performance team runs ``check`` on every monthly extraction. The
history store keeps, for each organisation of each run, what the run found —
period, extraction date, profile, the input files' SHA-256, every numeric
indicator, each check's status, severity and value, and the IDs of the records
behind the problems — so that the next run can say what is new, what was
resolved and whether the figures are improving.

The store is SQL through SQLAlchemy Core: an SQLite file by default (in the
user's data directory), or a PostgreSQL database a ROCU shares between its
forces. Both carry the same schema, built and upgraded by the same numbered
migrations (:data:`MIGRATIONS`), each in its own transaction.

Layout of the store (schema version 3)::

    schema_version       version (PK), applied_at, tool_version
    runs                 id (PK), organisation, period_start, period_end, extraction_date,
                         profile, inputs_hash, created_at (UTC), tool_version (v2)
                         UNIQUE (organisation, period_start, period_end, profile, inputs_hash)
                         INDEX (organisation, extraction_date) (v2)
    run_files            run_id, position, path, sha256, row_count
    run_indicators       run_id, name, value            (by_strand.Pursue, pursue_share, ...)
    run_findings         run_id, check_id, status, severity, value
    run_problem_records  run_id, source, record_ids     (source: a validation rule or a check ID;
                                                         record_ids: a JSON array of IDs) (v3)

Safety: one transaction per run (all its organisations or none); the UNIQUE
constraint makes re-recording an extraction a no-op, even when two processes
record it at once; SQLite runs in WAL mode with a busy timeout and takes its
write lock at the start of a writing transaction (``BEGIN IMMEDIATE``), so
concurrent writers queue rather than fail; PostgreSQL migrations hold an
advisory lock. A store written by a newer schema is refused with one line.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import numbers
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg_dialect
from sqlalchemy.dialects import sqlite as sqlite_dialect

from . import __version__
from .errors import InputError
from .results import FLAGGED

APP_NAME = "disruption-qa"
STRANDS = ("pursue", "prevent", "protect", "prepare")
#: How long an SQLite writer waits for another to finish before giving up (seconds).
SQLITE_BUSY_TIMEOUT = 60
#: What a failing database raises: SQLAlchemy's wrapped errors, and the SQLite driver's
#: own from the connection set-up and the WAL switch, which run beneath SQLAlchemy.
DATABASE_ERRORS = (sa.exc.SQLAlchemyError, sqlite3.Error)
#: Key of the PostgreSQL advisory lock held while migrating ("dqa-hist" in ASCII).
PG_MIGRATION_LOCK = 0x6471612D68697374


def default_location() -> Path:
    """``history.sqlite`` in the user's data directory (e.g. ``~/.local/share/disruption-qa``)."""
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "history.sqlite"


# --- what a run looks like once stored ---------------------------------------------


class FindingState(NamedTuple):
    """One check's outcome in a stored run: unpacks as ``(status, severity, value)``."""

    status: str
    severity: str
    value: float | None


@dataclass
class RunEntry:
    """One organisation's result of one ``check`` run, as the history store holds it.

    ``created_at`` is in UTC. ``indicators`` holds every numeric indicator, nested
    ones flattened (``by_strand.Pursue``). ``findings`` maps each check ID to its
    :class:`FindingState`. ``problem_records`` are the IDs of the records behind
    validation errors and flagged signs; ``files`` the inputs (path, sha256, rows).
    """

    id: int
    organisation: str
    period_start: dt.date
    period_end: dt.date
    extraction_date: dt.date | None
    profile: str
    created_at: dt.datetime
    tool_version: str | None
    inputs_hash: str
    indicators: dict[str, float] = field(default_factory=dict)
    findings: dict[str, FindingState] = field(default_factory=dict)
    problem_records: set[str] = field(default_factory=set)
    files: list[dict] = field(default_factory=list)

    @property
    def flagged(self) -> list[str]:
        """The IDs of the checks flagged in this run, in order."""
        return sorted(check for check, state in self.findings.items() if state.status == FLAGGED)

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "organisation": self.organisation,
            "period": {"start": self.period_start.isoformat(), "end": self.period_end.isoformat()},
            "extraction_date": self.extraction_date.isoformat() if self.extraction_date else None,
            "profile": self.profile,
            "created_at": self.created_at.isoformat(),
            "tool_version": self.tool_version,
            "inputs_hash": self.inputs_hash,
            "files": self.files,
            "indicators": self.indicators,
            "findings": {
                k: {"status": s.status, "severity": s.severity, "value": s.value}
                for k, s in sorted(self.findings.items())
            },
            "problem_records": sorted(self.problem_records),
        }


@dataclass
class Changes:
    """What changed between two runs of one organisation.

    ``new``/``resolved``/``persisting``: check IDs flagged now but not before,
    before but not now, and in both. ``new_records``: problem record IDs now that
    were not problem records before (all of them when there is no previous run).
    """

    new: list[str]
    resolved: list[str]
    persisting: list[str]
    new_records: set[str]


def compare(previous: RunEntry | None, current: RunEntry) -> Changes:
    """The signs new, resolved and persisting since ``previous``, and the new problem records."""
    now = set(current.flagged)
    before = set(previous.flagged) if previous else set()
    return Changes(
        new=sorted(now - before),
        resolved=sorted(before - now),
        persisting=sorted(now & before),
        new_records=set(current.problem_records) - (previous.problem_records if previous else set()),
    )


def trend(entries: list[RunEntry]) -> list[dict]:
    """The key indicators of each run, in the order given (oldest first from :meth:`History.runs`).

    ``late_share`` is the late-recording check's (W107) value; ``flagged`` the number
    of flagged signs. A figure the run could not compute is None.
    """
    rows = []
    for e in entries:
        w107 = e.findings.get("W107")
        late = w107.value if w107 is not None else e.indicators.get("late_share")
        rows.append(
            {
                "extraction_date": e.extraction_date,
                **{f"{s}_share": e.indicators.get(f"{s}_share") for s in STRANDS},
                "late_share": late,
                "validation_errors_per_100": e.indicators.get("validation_errors_per_100"),
                "flagged": len(e.flagged),
            }
        )
    return rows


# --- the schema, as it stands at the latest version -----------------------------------

metadata = sa.MetaData()

schema_version = sa.Table(
    "schema_version",
    metadata,
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("applied_at", sa.DateTime, nullable=False),
    sa.Column("tool_version", sa.Text, nullable=False),
)

RUN_KEY = ("organisation", "period_start", "period_end", "profile", "inputs_hash")

runs = sa.Table(
    "runs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("organisation", sa.Text, nullable=False),
    sa.Column("period_start", sa.Date, nullable=False),
    sa.Column("period_end", sa.Date, nullable=False),
    sa.Column("extraction_date", sa.Date),
    sa.Column("profile", sa.Text, nullable=False),
    sa.Column("inputs_hash", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("tool_version", sa.Text),  # version 2
    sa.UniqueConstraint(*RUN_KEY, name="uq_runs_extraction"),
    sa.Index("ix_runs_organisation_extraction", "organisation", "extraction_date"),  # version 2
)

run_files = sa.Table(
    "run_files",
    metadata,
    sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("position", sa.Integer, primary_key=True),
    sa.Column("path", sa.Text, nullable=False),
    sa.Column("sha256", sa.Text, nullable=False),
    sa.Column("row_count", sa.Integer),
)

run_indicators = sa.Table(
    "run_indicators",
    metadata,
    sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("name", sa.Text, primary_key=True),
    sa.Column("value", sa.Float, nullable=False),
)

run_findings = sa.Table(
    "run_findings",
    metadata,
    sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("check_id", sa.Text, primary_key=True),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("severity", sa.Text, nullable=False),
    sa.Column("value", sa.Float),
)

run_problem_records = sa.Table(
    "run_problem_records",
    metadata,
    sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("source", sa.Text, primary_key=True),
    sa.Column("record_ids", sa.Text, nullable=False),  # a JSON array of the distinct IDs, sorted
)

TABLES = tuple(metadata.tables)


# --- migrations ----------------------------------------------------------------------
#
# Each migration is written against the schema as it stood at its version, never
# against the tables above, so that replaying history always builds the same
# store. Add a migration at the end; never change one that has shipped.


def _v1_create_tables(conn: sa.Connection) -> None:
    md = sa.MetaData()
    sa.Table(
        "schema_version",
        md,
        sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("applied_at", sa.DateTime, nullable=False),
        sa.Column("tool_version", sa.Text, nullable=False),
    )
    sa.Table(
        "runs",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("organisation", sa.Text, nullable=False),
        sa.Column("period_start", sa.Date, nullable=False),
        sa.Column("period_end", sa.Date, nullable=False),
        sa.Column("extraction_date", sa.Date),
        sa.Column("profile", sa.Text, nullable=False),
        sa.Column("inputs_hash", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint(*RUN_KEY, name="uq_runs_extraction"),
    )
    sa.Table(
        "run_files",
        md,
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("position", sa.Integer, primary_key=True),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("sha256", sa.Text, nullable=False),
        sa.Column("row_count", sa.Integer),
    )
    sa.Table(
        "run_indicators",
        md,
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("name", sa.Text, primary_key=True),
        sa.Column("value", sa.Float, nullable=False),
    )
    sa.Table(
        "run_findings",
        md,
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("check_id", sa.Text, primary_key=True),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("severity", sa.Text, nullable=False),
        sa.Column("value", sa.Float),
    )
    sa.Table(
        "run_problem_records",
        md,
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("record_id", sa.Text, primary_key=True),
        sa.Column("source", sa.Text, primary_key=True),
    )
    md.create_all(conn)


def _v2_tool_version_and_index(conn: sa.Connection) -> None:
    conn.execute(sa.text("ALTER TABLE runs ADD COLUMN tool_version TEXT"))
    conn.execute(sa.text("CREATE INDEX ix_runs_organisation_extraction ON runs (organisation, extraction_date)"))


def _v3_problem_records_as_lists(conn: sa.Connection) -> None:
    # A national run has half a million problem records: a row each took 0.9 s to
    # insert (and as long to read back); one row per source holding them as a JSON
    # array takes milliseconds. They are only ever read a whole run at a time.
    conn.execute(
        sa.text(
            "CREATE TABLE run_problem_lists (run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,"
            " source TEXT NOT NULL, record_ids TEXT NOT NULL, PRIMARY KEY (run_id, source))"
        )
    )
    run_ids = conn.execute(sa.text("SELECT DISTINCT run_id FROM run_problem_records ORDER BY run_id")).scalars().all()
    for run_id in run_ids:  # a run at a time: a store may hold millions of rows
        lists: dict[str, list[str]] = {}
        for record_id, source in conn.execute(
            sa.text("SELECT record_id, source FROM run_problem_records WHERE run_id = :r"), {"r": run_id}
        ):
            lists.setdefault(source, []).append(record_id)
        conn.execute(
            sa.text("INSERT INTO run_problem_lists (run_id, source, record_ids) VALUES (:r, :s, :ids)"),
            [
                {"r": run_id, "s": source, "ids": json.dumps(sorted(ids), ensure_ascii=False)}  # sorted as Python sorts
                for source, ids in lists.items()
            ],
        )
    conn.execute(sa.text("DROP TABLE run_problem_records"))
    conn.execute(sa.text("ALTER TABLE run_problem_lists RENAME TO run_problem_records"))
    if conn.dialect.name == "postgresql":  # constraints keep their names through a rename
        conn.execute(
            sa.text(
                "ALTER TABLE run_problem_records RENAME CONSTRAINT run_problem_lists_pkey TO run_problem_records_pkey"
            )
        )
        conn.execute(
            sa.text(
                "ALTER TABLE run_problem_records RENAME CONSTRAINT run_problem_lists_run_id_fkey TO run_problem_records_run_id_fkey"
            )
        )


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    apply: Callable[[sa.Connection], None]


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "runs with their files, indicators, findings and problem records", _v1_create_tables),
    Migration(
        2, "the tool version of each run; an index on (organisation, extraction_date)", _v2_tool_version_and_index
    ),
    Migration(3, "each run's problem records as one list per source", _v3_problem_records_as_lists),
)
#: The schema version this disruption-qa writes and the newest it reads.
SCHEMA_VERSION = MIGRATIONS[-1].version


# --- opening a store -------------------------------------------------------------------


def open_history(location: str | Path | None = None, *, create: bool = True) -> History:
    """Open (creating or upgrading as needed) the history store at ``location``.

    ``location`` is a file path (an SQLite file; missing folders are created), an
    ``sqlite:///path`` URL, or a ``postgresql://user:password@host/db`` URL
    (``postgresql+psycopg://`` is the same; psycopg 3 is the driver). None means
    :func:`default_location`. Raises :class:`InputError` with one line naming the
    store when it cannot be opened, is not a history store, or was written by a
    newer disruption-qa.

    With ``create=False`` a missing SQLite file is an :class:`InputError` ("no
    history store at ...") rather than a new empty store: for commands that only read.
    """
    engine, shown = create_engine(location, create=create)
    history = History(engine, shown)
    try:
        migrate(engine, shown=shown)
    except BaseException:
        engine.dispose()
        raise
    return history


def create_engine(location: str | Path | None, *, create: bool = True) -> tuple[sa.Engine, str]:
    """The SQLAlchemy engine for a store location, and the location as shown to users."""
    if location is None:
        location = default_location()
    text = str(location)
    if "://" not in text:
        return _sqlite_engine(Path(text), create)
    try:
        url = sa.make_url(text)
    except sa.exc.ArgumentError:
        raise InputError(
            f"history store {text!r} is neither a file path nor a sqlite:/// or postgresql:// URL"
        ) from None
    shown = url.render_as_string(hide_password=True)
    backend, _, driver = url.drivername.partition("+")
    if backend == "sqlite" and driver in ("", "pysqlite"):
        if not url.database or url.database == ":memory:":
            raise InputError(f"history store {shown} names no file (use sqlite:///path/to/history.sqlite)")
        return _sqlite_engine(Path(url.database), create)
    if backend in ("postgresql", "postgres") and driver in ("", "psycopg"):
        try:
            import psycopg  # noqa: F401
        except ImportError:
            raise InputError(
                f"history store {shown}: PostgreSQL needs psycopg 3 (pip install 'disruption-qa[postgres]')"
            ) from None
        url = url.set(drivername="postgresql+psycopg")
        engine = sa.create_engine(url, connect_args={"connect_timeout": 10, "application_name": APP_NAME})
        return engine, shown
    raise InputError(
        f"history store {shown}: unsupported database (use a file path, sqlite:///... or postgresql://...)"
    )


def _sqlite_engine(path: Path, create: bool) -> tuple[sa.Engine, str]:
    path = path.expanduser()
    shown = str(path)
    if path.is_dir():
        raise InputError(f"history store {shown} is a folder, not a file")
    if not create and not path.exists():
        raise InputError(f"no history store at {shown} (check records one; --history chooses another)")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"history store {shown} cannot be created: {exc.strerror or exc}") from None
    engine = sa.create_engine(
        sa.URL.create("sqlite+pysqlite", database=str(path)),
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT},
    )

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # The driver's own transaction handling off: BEGIN is ours (see _on_begin).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT * 1000}")
            cursor.execute("PRAGMA foreign_keys = ON")
        finally:
            cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(conn):
        # A writer takes the write lock up front, so it waits (busy timeout) for
        # another writer instead of failing when upgrading a read lock.
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("history_write") else "BEGIN")

    return engine, shown


def _fail(shown: str, exc: BaseException) -> InputError:
    """A database error while opening or using the store, as one line."""
    orig = getattr(exc, "orig", None) or exc
    reason = " ".join(str(orig).split("\n")[0].split()) or type(orig).__name__
    if "file is not a database" in reason:
        return InputError(f"history store {shown} is not a disruption-qa history store (not an SQLite database)")
    return InputError(f"history store {shown} cannot be used: {reason}")


def _current_version(conn: sa.Connection, shown: str) -> int:
    """The store's schema version: 0 for an empty store; refuses a store that is not ours."""
    inspector = sa.inspect(conn)
    names = set(inspector.get_table_names())
    if "schema_version" not in names:
        ours = names & set(TABLES)
        # An SQLite file belongs to one application; a PostgreSQL database may hold others' tables.
        if ours or (names and conn.dialect.name == "sqlite"):
            raise InputError(f"history store {shown} is not a disruption-qa history store (it holds other tables)")
        return 0
    columns = {c["name"] for c in inspector.get_columns("schema_version")}
    if columns != {"version", "applied_at", "tool_version"}:
        raise InputError(
            f"history store {shown} is not a disruption-qa history store (its schema_version table is another's)"
        )
    return conn.scalar(sa.select(sa.func.max(schema_version.c.version))) or 0


def _newer(shown: str, version: int) -> InputError:
    return InputError(
        f"history store {shown} was written by a newer disruption-qa"
        f" (history schema version {version}; this version reads up to {SCHEMA_VERSION})"
    )


@contextmanager
def _writing(engine: sa.Engine) -> Iterator[sa.Connection]:
    """A writing transaction: BEGIN IMMEDIATE on SQLite."""
    with engine.connect() as conn:
        conn = conn.execution_options(history_write=True)
        with conn.begin():
            yield conn


def migrate(engine: sa.Engine, *, to: int | None = None, shown: str | None = None) -> int:
    """Apply the migrations the store lacks, up to ``to`` (default: the latest); return its version.

    Each migration runs in its own transaction together with its ``schema_version``
    row, under a lock (SQLite's write lock, a PostgreSQL advisory lock), so two
    processes opening a new store at once apply each migration exactly once.
    """
    shown = shown or engine.url.render_as_string(hide_password=True)
    target = SCHEMA_VERSION if to is None else to
    # SQLite does not wait (busy timeout) while another process switches a new
    # store to WAL or first creates it: it says "database is locked" at once.
    # Those moments are short, so try again a few times before giving up.
    for attempt in range(MIGRATION_ATTEMPTS):
        try:
            return _migrate_once(engine, target, shown)
        except LOCKED_ERRORS as exc:
            if "locked" not in str(exc) or attempt == MIGRATION_ATTEMPTS - 1:
                raise _fail(shown, exc) from None
            time.sleep(0.05 * (attempt + 1))
    raise AssertionError("unreachable")


#: How often opening a store tries again when SQLite says another process has it locked.
MIGRATION_ATTEMPTS = 40
#: What SQLite's "database is locked" arrives as: through SQLAlchemy, or from the driver (WAL switch).
LOCKED_ERRORS = (sa.exc.OperationalError, sqlite3.OperationalError)


def _migrate_once(engine: sa.Engine, target: int, shown: str) -> int:
    try:
        with engine.connect() as conn, conn.begin():
            current = _current_version(conn, shown)
        if current > SCHEMA_VERSION:
            raise _newer(shown, current)
        if engine.dialect.name == "sqlite":
            _use_wal(engine)
        while current < target:
            with _writing(engine) as conn:
                if conn.dialect.name == "postgresql":
                    conn.execute(sa.select(sa.func.pg_advisory_xact_lock(PG_MIGRATION_LOCK)))
                current = _current_version(conn, shown)  # another process may have moved it on
                if current > SCHEMA_VERSION:
                    raise _newer(shown, current)
                if current >= target:
                    break
                step = MIGRATIONS[current]
                step.apply(conn)
                conn.execute(
                    schema_version.insert().values(version=step.version, applied_at=_now(), tool_version=__version__)
                )
                current = step.version
    except LOCKED_ERRORS:
        raise  # migrate() decides whether to try again
    except DATABASE_ERRORS as exc:
        raise _fail(shown, exc) from None
    return current


def _use_wal(engine: sa.Engine) -> None:
    """Switch an SQLite store (ours or empty, never another's file) to WAL; it stays so."""
    with engine.connect() as conn:
        dbapi_connection = conn.connection.driver_connection  # autocommit: outside any transaction
        if dbapi_connection.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            dbapi_connection.execute("PRAGMA journal_mode = WAL")


def _now() -> dt.datetime:
    """Now in UTC, stored without its zone (the columns are UTC by convention)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


# --- the store -------------------------------------------------------------------------


class History:
    """An open history store. Use :func:`open_history`; close it (or use ``with``) when done."""

    def __init__(self, engine: sa.Engine, location: str):
        self.engine = engine
        self.location = location

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.engine.dispose()

    # -- writing

    def record(self, run) -> list[RunEntry]:
        """Record every organisation's result of a :class:`~disruption_qa.api.CheckRun`.

        One transaction: every organisation is recorded or none is. An organisation
        whose extraction is already stored (same organisation, period, profile and
        inputs) is not recorded again: its existing entry is returned. Returns one
        entry per result, in the run's order.
        """
        created_at = _now()
        try:
            with _writing(self.engine) as conn:
                inserted = [self._insert_result(conn, result, created_at) for result in run.results]
            # the problem records just inserted are at hand (half a million nationally); those of runs stored before are read
            new = {run_id for run_id, problems in inserted if problems is not None}
            by_id = {
                **self._entries(new, records=False),
                **self._entries({run_id for run_id, _ in inserted} - new, records=True),
            }
        except DATABASE_ERRORS as exc:
            raise _fail(self.location, exc) from None
        for run_id, problems in inserted:
            if problems is not None:
                by_id[run_id].problem_records = set().union(*problems.values())
        return [by_id[run_id] for run_id, _ in inserted]

    def _insert_result(self, conn: sa.Connection, result, created_at: dt.datetime) -> tuple[int, dict | None]:
        """Insert one organisation's result (unless already stored): its run ID and the
        problem records inserted (None when the run was stored before)."""
        files = [{"path": str(f["path"]), "sha256": str(f["sha256"]), "rows": f.get("rows")} for f in result.files]
        key = {
            "organisation": result.organisation.name,
            "period_start": result.period.start,
            "period_end": result.period.end,
            "profile": result.profile,
            "inputs_hash": inputs_hash(files),
        }
        insert = (pg_dialect.insert if conn.dialect.name == "postgresql" else sqlite_dialect.insert)(runs)
        stmt = (
            insert.values(
                **key, extraction_date=result.extraction_date, created_at=created_at, tool_version=__version__
            )
            .on_conflict_do_nothing(index_elements=list(RUN_KEY))
            .returning(runs.c.id)
        )
        run_id = conn.execute(stmt).scalar()
        if run_id is None:  # already recorded (by an earlier run, or concurrently)
            return conn.scalar(sa.select(runs.c.id).where(*(runs.c[k] == v for k, v in key.items()))), None
        if files:
            conn.execute(
                run_files.insert(),
                [
                    {"run_id": run_id, "position": n, "path": f["path"], "sha256": f["sha256"], "row_count": f["rows"]}
                    for n, f in enumerate(files)
                ],
            )
        values = dict(_numbers(result.indicators.to_dict()))
        if values:
            conn.execute(
                run_indicators.insert(), [{"run_id": run_id, "name": k, "value": v} for k, v in values.items()]
            )
        if result.findings:
            conn.execute(
                run_findings.insert(),
                [
                    {
                        "run_id": run_id,
                        "check_id": f.check,
                        "status": f.status,
                        "severity": f.severity,
                        "value": _number(f.value),
                    }
                    for f in result.findings
                ],
            )
        problems = problem_records(result)
        if problems:
            conn.execute(
                run_problem_records.insert(),
                [
                    {"run_id": run_id, "source": source, "record_ids": json.dumps(ids, ensure_ascii=False)}
                    for source, ids in problems.items()
                ],
            )
        return run_id, problems

    # -- reading

    def runs(
        self,
        organisation: str | None = None,
        limit: int | None = None,
        *,
        profile: str | None = None,
        until: RunEntry | None = None,
        records: bool = True,
    ) -> list[RunEntry]:
        """Stored runs, oldest first (by extraction date, then time recorded; see :meth:`previous`).

        ``organisation`` and ``profile`` narrow the runs; ``until`` keeps those up to
        and including that entry (the trend a report of an older extraction shows);
        ``limit`` then keeps the latest ``limit``. ``records=False`` leaves each
        entry's ``problem_records`` empty: a trend needs only the figures, and a
        national run has about half a million problem records.
        """
        query = sa.select(runs.c.id, runs.c.extraction_date, runs.c.created_at)
        if organisation is not None:
            query = query.where(runs.c.organisation == organisation)
        if profile is not None:
            query = query.where(runs.c.profile == profile)
        try:
            with self.engine.connect() as conn, conn.begin():
                keyed = sorted((_order_key(r), r.id) for r in conn.execute(query))
        except DATABASE_ERRORS as exc:
            raise _fail(self.location, exc) from None
        ids = _latest(keyed, until=until, limit=limit)
        found = self._entries(set(ids), records=records)
        return [found[i] for i in ids if i in found]

    def previous(
        self,
        entry_or_org: RunEntry | str,
        *,
        before: RunEntry | dt.date | None = None,
        profile: str | None = None,
    ) -> RunEntry | None:
        """The latest run of the same organisation before ``before``.

        Given an entry, ``before`` defaults to that entry and only runs with its
        profile count (a run under another profile counts other records, so its
        signs are not comparable). Given an organisation name, ``before`` may be an
        entry, a date (runs extracted before that day) or None (the latest run);
        ``profile`` narrows to one profile. Earlier means by extraction date, then
        by time recorded; a run with no extraction date counts as the earliest.
        """
        if isinstance(entry_or_org, RunEntry):
            organisation = entry_or_org.organisation
            before = entry_or_org if before is None else before
            profile = entry_or_org.profile if profile is None else profile
        else:
            organisation = entry_or_org
        query = sa.select(runs.c.id, runs.c.extraction_date, runs.c.created_at).where(
            runs.c.organisation == organisation
        )
        if profile is not None:
            query = query.where(runs.c.profile == profile)
        try:
            with self.engine.connect() as conn, conn.begin():
                rows = conn.execute(query).all()
        except DATABASE_ERRORS as exc:
            raise _fail(self.location, exc) from None
        candidates = [(_order_key(r), r.id) for r in rows]
        if isinstance(before, RunEntry):
            candidates = _earlier(candidates, before)
        elif isinstance(before, dt.date):
            candidates = [c for c in candidates if c[0][0] < before]
        if not candidates:
            return None
        found = self._read(sa.select(runs).where(runs.c.id == max(candidates)[1]))
        return found[0] if found else None

    def around(self, entries: list[RunEntry], limit: int) -> list[tuple[RunEntry | None, list[RunEntry]]]:
        """For each entry, ``(self.previous(entry), self.runs(entry.organisation, limit, profile=entry.profile,
        until=entry, records=False))``, in a handful of queries for all of them (a national run has dozens)."""
        if not entries:
            return []
        wanted = {(e.organisation, e.profile) for e in entries}
        query = sa.select(
            runs.c.id, runs.c.organisation, runs.c.profile, runs.c.extraction_date, runs.c.created_at
        ).where(
            runs.c.organisation.in_(sorted({o for o, _ in wanted})), runs.c.profile.in_(sorted({p for _, p in wanted}))
        )
        try:
            with self.engine.connect() as conn, conn.begin():
                stored = conn.execute(query).all()
        except DATABASE_ERRORS as exc:
            raise _fail(self.location, exc) from None
        keyed: dict[tuple[str, str], list[tuple]] = {}
        for r in stored:
            keyed.setdefault((r.organisation, r.profile), []).append((_order_key(r), r.id))
        chosen = []
        for e in entries:  # the same choices as previous() and runs() make
            mine = sorted(keyed.get((e.organisation, e.profile), []))
            before = _earlier(mine, e)
            chosen.append((before[-1][1] if before else None, _latest(mine, until=e, limit=limit)))
        previous = self._entries({p for p, _ in chosen if p is not None}, records=True)
        recent = self._entries({i for _, ids in chosen for i in ids}, records=False)
        return [(previous.get(p), [recent[i] for i in ids]) for p, ids in chosen]

    def _entries(self, ids: set[int], *, records: bool) -> dict[int, RunEntry]:
        """The stored entries of ``ids`` by ID (500 to a query), with their problem records if ``records``."""
        ids = sorted(ids)
        found: dict[int, RunEntry] = {}
        for start in range(0, len(ids), 500):
            found.update(
                (e.id, e)
                for e in self._read(sa.select(runs).where(runs.c.id.in_(ids[start : start + 500])), records=records)
            )
        return found

    def _read(self, query, *, records: bool = True) -> list[RunEntry]:
        try:
            with self.engine.connect() as conn, conn.begin():
                return self._load(conn, query, records=records)
        except DATABASE_ERRORS as exc:
            raise _fail(self.location, exc) from None

    def _load(self, conn: sa.Connection, query, *, records: bool = True) -> list[RunEntry]:
        """Entries for the run rows ``query`` selects, in its order, with their details
        (their problem records too, unless ``records`` is False)."""
        entries = [
            RunEntry(
                id=r.id,
                organisation=r.organisation,
                period_start=r.period_start,
                period_end=r.period_end,
                extraction_date=r.extraction_date,
                profile=r.profile,
                created_at=r.created_at.replace(tzinfo=dt.UTC),
                tool_version=r.tool_version,
                inputs_hash=r.inputs_hash,
            )
            for r in conn.execute(query)
        ]
        by_id = {e.id: e for e in entries}
        ids = list(by_id)
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            for r in conn.execute(
                sa.select(run_files)
                .where(run_files.c.run_id.in_(chunk))
                .order_by(run_files.c.run_id, run_files.c.position)
            ):
                by_id[r.run_id].files.append({"path": r.path, "sha256": r.sha256, "rows": r.row_count})
            for r in conn.execute(
                sa.select(run_indicators).where(run_indicators.c.run_id.in_(chunk)).order_by(run_indicators.c.name)
            ):
                by_id[r.run_id].indicators[r.name] = r.value
            for r in conn.execute(
                sa.select(run_findings).where(run_findings.c.run_id.in_(chunk)).order_by(run_findings.c.check_id)
            ):
                by_id[r.run_id].findings[r.check_id] = FindingState(r.status, r.severity, r.value)
            if not records:
                continue
            for r in conn.execute(
                sa.select(run_problem_records.c.run_id, run_problem_records.c.record_ids).where(
                    run_problem_records.c.run_id.in_(chunk)
                )
            ):
                by_id[r.run_id].problem_records.update(json.loads(r.record_ids))
        return entries


def _order_key(run) -> tuple:
    """Where a run (a stored row or a RunEntry) stands among others: by extraction date, then time recorded."""
    created = run.created_at.replace(tzinfo=None) if run.created_at.tzinfo else run.created_at
    return (run.extraction_date or dt.date.min, created, run.id)


def _earlier(keyed: list[tuple], entry: RunEntry) -> list[tuple]:
    """The ``(order key, run ID)`` of ``keyed`` that come before ``entry``."""
    last = _order_key(entry)
    return [k for k in keyed if k[0] < last and k[1] != entry.id]


def _latest(keyed: list[tuple], *, until: RunEntry | None = None, limit: int | None = None) -> list[int]:
    """The run IDs of ``keyed`` (oldest first) up to and including ``until``, then the latest ``limit`` of them."""
    if until is not None:
        last = _order_key(until)
        keyed = [k for k in keyed if k[0] <= last]
    if limit is not None:
        keyed = keyed[-limit:] if limit > 0 else []
    return [run_id for _, run_id in keyed]


# --- what is stored from a result --------------------------------------------------------


def inputs_hash(files: list[dict]) -> str:
    """One SHA-256 over the input files' SHA-256s, in the run's order (disruptions, then threats).

    Paths do not count: the same extraction checked from another folder is the same run.
    """
    return hashlib.sha256("\n".join(f["sha256"] for f in files).encode("ascii")).hexdigest()


def problem_records(result) -> dict[str, list[str]]:
    """The distinct IDs of the records behind each validation rule that failed and each flagged sign, sorted,
    by source (the rule or the check ID)."""
    found: dict[str, set[str]] = {}
    for i in result.validation_errors:
        if _present(i.record_id):
            found.setdefault(i.rule, set()).add(str(i.record_id))
    lists = {rule: sorted(ids) for rule, ids in found.items()}
    for f in result.findings:
        ids = [r for r in f.records if r] if f.status == FLAGGED else []  # distinct ID strings, sorted (Check.finding)
        if ids:
            lists[f.check] = ids
    return lists


def _present(value) -> bool:
    if value is None:
        return False
    if isinstance(value, float) and math.isnan(value):
        return False
    return str(value) != ""


def _number(value) -> float | None:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _numbers(indicators: dict, prefix: str = "") -> Iterator[tuple[str, float]]:
    """Every indicator that is a number, nested dicts flattened as ``parent.key``."""
    for key, value in indicators.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            yield from _numbers(value, f"{name}.")
        elif (number := _number(value)) is not None:
            yield name, number
