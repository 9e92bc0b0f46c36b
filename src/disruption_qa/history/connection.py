"""Reaching a store: the engine for a location (SQLite file or PostgreSQL URL), write transactions, one-line errors.

Both the migrations (:mod:`.schema`) and the store (:mod:`.store`) connect
through here, so every writer takes its lock the same way and every database
failure reaches the user as one :class:`~disruption_qa.errors.InputError` line.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import sqlalchemy as sa

from ..errors import InputError, kind_of

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


def create_engine(location: str | Path | None, *, create: bool = True, readonly: bool = False) -> tuple[sa.Engine, str]:
    """The SQLAlchemy engine for a store location, and the location as shown to users.

    ``readonly`` opens an SQLite file for reading only (nothing is created, locked for writing or
    switched to WAL), for a store on read-only media or in a folder the user cannot write."""
    if location is None:
        location = default_location()
    text = str(location)
    if "://" not in text:
        return _sqlite_engine(Path(text), create, readonly)
    url, shown = parse_url(text)
    backend, _, driver = url.drivername.partition("+")
    if backend == "sqlite" and driver in ("", "pysqlite"):
        if not url.database or url.database == ":memory:":
            raise InputError(f"history store {shown} names no file (use sqlite:///path/to/history.sqlite)")
        return _sqlite_engine(Path(url.database), create, readonly)
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


#: What stands for a password wherever a store's URL is shown.
HIDDEN = "***"
#: Query-string keys whose value is a secret (libpq's connection parameters).
SECRET_KEYS = {"password", "sslpassword"}


def parse_url(text: str) -> tuple[sa.URL, str]:
    """A database URL, parsed once, and the form shown to users: every password hidden, in the user-info
    (``user:secret@``, where an unencoded ``@`` belongs to the password) and in the query string
    (``?password=secret``). A URL that cannot be parsed, or whose password ends the host early (an unencoded
    ``/ ? #`` in it), is an :class:`InputError` that does not echo it."""
    try:
        parts = urlsplit(text)
        port = parts.port  # a port that is not a number raises here
        host = parts.hostname
    except ValueError as exc:
        reason = "a malformed IPv6 host" if "IPv6" in str(exc) else "a port that is not a number"
        raise InputError(f"the history store URL given with --history cannot be parsed: it has {reason}") from None
    if not parts.scheme:
        raise InputError("the history store URL given with --history cannot be parsed")
    query = parse_qs(parts.query, keep_blank_values=True)
    if (
        "@" in parts.path + parts.fragment
        # no user-info, no database, an @ in the query: a password's digits read as the port, the rest as query
        or ("@" in parts.query and "@" not in parts.netloc and not parts.path)
        or any(
            "@" in key or (key.lower() not in SECRET_KEYS and any("@" in v for v in values))
            for key, values in query.items()
        )
    ):
        # A password holding an unencoded / ? or # ends the host early, leaving the rest of it in the path,
        # query or fragment, where it would be shown: refuse rather than echo any of it.
        raise InputError(
            "the history store URL given with --history cannot be parsed: it has an @ after the host "
            "(percent-encode / ? # and @ in a user name or password, as %2F %3F %23 %40)"
        )
    try:
        url = sa.URL.create(
            parts.scheme,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password is not None else None,
            host=host,
            port=port,
            database=unquote(parts.path[1:]) if parts.path.startswith("/") and len(parts.path) > 1 else None,
            query={k: v[0] if len(v) == 1 else tuple(v) for k, v in query.items()},
        )
    except (sa.exc.ArgumentError, ValueError, TypeError):
        raise InputError("the history store URL given with --history cannot be parsed") from None
    user = parts.username or ""
    userinfo = f"{user}:{HIDDEN}@" if parts.password is not None else f"{user}@" if user else ""
    netloc = f"[{host}]" if host and ":" in host else (host or "")
    if port is not None:
        netloc += f":{port}"
    shown = f"{parts.scheme}://{userinfo}{netloc}{parts.path}"
    if query:
        shown += "?" + "&".join(
            f"{k}={HIDDEN if k.lower() in SECRET_KEYS else v}" for k, values in query.items() for v in values
        )
    return url, shown


def hide_secrets(text: str) -> str:
    """``text`` (a driver's message) with anything that looks like a password in a URL or a connection string
    hidden."""
    text = re.sub(r"(://[^/\s:@]*:)[^\s]*@", rf"\1{HIDDEN}@", text)
    return re.sub(rf"((?:{'|'.join(SECRET_KEYS)})\s*=\s*)('[^']*'|\"[^\"]*\"|[^\s&]+)", rf"\1{HIDDEN}", text)


def sqlite_path(location: str | Path | None) -> Path | None:
    """The file of a store that is an SQLite file (a path or an ``sqlite:///`` URL), else None."""
    if location is None:
        return default_location()
    text = str(location)
    if "://" not in text:
        return Path(text).expanduser()
    if text.startswith("sqlite:///"):
        url, _ = parse_url(text)
        return Path(url.database).expanduser() if url.database else None
    return None


def cannot_write(path: Path) -> bool:
    """Whether this user can read the SQLite store at ``path`` but not write it (or its folder, where SQLite
    keeps its journal)."""
    try:
        return kind_of(path) == "file" and not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK))
    except InputError:
        return False  # it cannot be looked at: opening it says so


def _sqlite_engine(path: Path, create: bool, readonly: bool = False) -> tuple[sa.Engine, str]:
    path = path.expanduser()
    shown = str(path)
    try:
        kind = kind_of(path)
    except InputError:
        raise InputError(f"history store {shown} cannot be read (Permission denied)") from None
    if kind == "folder":
        raise InputError(f"history store {shown} is a folder, not a file")
    if (readonly or not create) and kind is None:
        raise InputError(f"no history store at {shown} (check records one; --history chooses another)")
    if kind == "file" and not os.access(path, os.R_OK):
        raise InputError(f"history store {shown} cannot be read (Permission denied)")
    if readonly:
        # immutable: a read-only folder has no room for WAL's shared-memory file, and nothing can write here
        url = sa.URL.create(
            "sqlite+pysqlite", database=path.resolve().as_uri(), query={"mode": "ro", "immutable": "1", "uri": "true"}
        )
    else:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except (FileExistsError, NotADirectoryError):
            raise InputError(f"history store {shown} cannot be created: a file is in the way of its folder") from None
        except OSError as exc:
            raise InputError(f"history store {shown} cannot be created: {exc.strerror or exc}") from None
        url = sa.URL.create("sqlite+pysqlite", database=str(path))
    engine = sa.create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT})

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
    reason = hide_secrets(" ".join(str(orig).split("\n")[0].split())) or type(orig).__name__
    if "file is not a database" in reason:
        return InputError(f"history store {shown} is not a disruption-qa history store (not an SQLite database)")
    return InputError(f"history store {shown} cannot be used: {reason}")


def utc_now() -> dt.datetime:
    """Now in UTC, stored without its zone (the columns are UTC by convention)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)
