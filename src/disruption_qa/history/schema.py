"""The store's tables, and the numbered migrations that build and upgrade them.

Both backends (SQLite and PostgreSQL) carry the same schema, built and upgraded
by the same migrations (:data:`MIGRATIONS`), each in its own transaction with
its ``schema_version`` row. :func:`migrate` applies those a store lacks.
"""

from __future__ import annotations

import itertools
import json
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa

from .. import __version__
from ..errors import InputError
from .connection import DATABASE_ERRORS, failure, utc_now, writing

#: Key of the PostgreSQL advisory lock held while migrating ("dqa-hist" in ASCII).
PG_MIGRATION_LOCK = 0x6471612D68697374

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
    # a validation rule's stable code (V-DATE) or a check ID (W101); version 3 held a rule's English text
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
    # A national run has half a million problem records: a row each is slow to
    # insert and to read back; one row per source holding them as a JSON array is
    # quick. They are only ever read a whole run at a time.
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


def _v4_sources_by_rule_code(conn: sa.Connection) -> None:
    # Version 3 keyed a validation rule's problem records by the rule's English
    # text ("valid date"), which may be reworded; from version 4 the key is the
    # rule's stable code (V-DATE). Check IDs (W101) already were stable codes and
    # stay; a text no rule has is left as it is. validation.CODE_OF_TEXT must go
    # on knowing every text version 3 wrote (a test pins them). Only the keys are
    # read and rewritten, a run at a time: the ID lists never leave the database.
    # (Imported here, not at the top: validation brings pandera, which reading a
    # store does not need.)
    from ..validation import CODE_OF_TEXT

    keys = conn.execute(
        sa.text(
            "SELECT run_id, source FROM run_problem_records WHERE source IN :texts ORDER BY run_id, source"
        ).bindparams(sa.bindparam("texts", expanding=True)),
        {"texts": sorted(CODE_OF_TEXT)},
    ).all()
    for run_id, sources in itertools.groupby(keys, key=lambda key: key.run_id):
        conn.execute(
            sa.text("UPDATE run_problem_records SET source = :code WHERE run_id = :r AND source = :text"),
            [{"r": run_id, "text": s.source, "code": CODE_OF_TEXT[s.source]} for s in sources],
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
    Migration(
        4, "problem records keyed by a validation rule's stable code, not its English text", _v4_sources_by_rule_code
    ),
)
#: The schema version this disruption-qa writes and the newest it reads.
SCHEMA_VERSION = MIGRATIONS[-1].version


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
                raise failure(shown, exc) from None
            time.sleep(0.05 * (attempt + 1))
    raise AssertionError("unreachable")


#: How often opening a store tries again when SQLite says another process has it locked.
MIGRATION_ATTEMPTS = 40
#: What SQLite's "database is locked" arrives as: through SQLAlchemy, or from the driver (WAL switch).
LOCKED_ERRORS = (sa.exc.OperationalError, sqlite3.OperationalError)


def require_current(engine: sa.Engine, shown: str) -> None:
    """Refuse a store that cannot be read as it stands, without changing it (for a store opened read-only)."""
    try:
        with engine.connect() as conn, conn.begin():
            current = _current_version(conn, shown)
    except DATABASE_ERRORS as exc:
        raise failure(shown, exc) from None
    if current > SCHEMA_VERSION:
        raise _newer(shown, current)
    if current < SCHEMA_VERSION:
        raise InputError(
            f"history store {shown} is read-only and needs upgrading (history schema version {current};"
            f" this version writes {SCHEMA_VERSION}): run check once with write access to it"
        )


def _migrate_once(engine: sa.Engine, target: int, shown: str) -> int:
    try:
        with engine.connect() as conn, conn.begin():
            current = _current_version(conn, shown)
        if current > SCHEMA_VERSION:
            raise _newer(shown, current)
        if engine.dialect.name == "sqlite":
            _use_wal(engine)
        while current < target:
            with writing(engine) as conn:
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
                    schema_version.insert().values(version=step.version, applied_at=utc_now(), tool_version=__version__)
                )
                current = step.version
    except LOCKED_ERRORS:
        raise  # migrate() decides whether to try again
    except DATABASE_ERRORS as exc:
        raise failure(shown, exc) from None
    return current


def _use_wal(engine: sa.Engine) -> None:
    """Switch an SQLite store (ours or empty, never another's file) to WAL; it stays so."""
    with engine.connect() as conn:
        dbapi_connection = conn.connection.driver_connection  # autocommit: outside any transaction
        if dbapi_connection.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            dbapi_connection.execute("PRAGMA journal_mode = WAL")
