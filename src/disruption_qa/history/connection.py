"""Reaching a store: the engine for a location (SQLite file or PostgreSQL URL), write transactions, one-line errors.

Both the migrations (:mod:`.schema`) and the store (:mod:`.store`) connect
through here, so every writer takes its lock the same way and every database
failure reaches the user as one :class:`~disruption_qa.errors.InputError` line.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

from ..errors import InputError

APP_NAME = "disruption-qa"
#: How long an SQLite writer waits for another to finish before giving up (seconds).
SQLITE_BUSY_TIMEOUT = 60
#: What a failing database raises: SQLAlchemy's wrapped errors, and the SQLite driver's
#: own from the connection set-up and the WAL switch, which run beneath SQLAlchemy.
DATABASE_ERRORS = (sa.exc.SQLAlchemyError, sqlite3.Error)


def default_location() -> Path:
    """``history.sqlite`` in the user's data directory (e.g. ``~/.local/share/disruption-qa``)."""
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "history.sqlite"


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


@contextmanager
def writing(engine: sa.Engine) -> Iterator[sa.Connection]:
    """A writing transaction: BEGIN IMMEDIATE on SQLite."""
    with engine.connect() as conn:
        conn = conn.execution_options(history_write=True)
        with conn.begin():
            yield conn


def failure(shown: str, exc: BaseException) -> InputError:
    """A database error while opening or using the store, as one line."""
    orig = getattr(exc, "orig", None) or exc
    reason = " ".join(str(orig).split("\n")[0].split()) or type(orig).__name__
    if "file is not a database" in reason:
        return InputError(f"history store {shown} is not a disruption-qa history store (not an SQLite database)")
    return InputError(f"history store {shown} cannot be used: {reason}")


def utc_now() -> dt.datetime:
    """Now in UTC, stored without its zone (the columns are UTC by convention)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)
