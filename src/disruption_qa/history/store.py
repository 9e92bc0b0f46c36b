"""The store itself: open one (creating or upgrading it), record a run, read runs back.

:func:`open_history` connects (:mod:`.connection`) and migrates (:mod:`.schema`);
:class:`History` writes and reads :class:`~.model.RunEntry` objects. "The
previous run" of an entry is the latest of the same organisation and profile
before it, by extraction date, then time recorded.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.dialects import sqlite as sqlite_dialect

from .. import __version__
from .connection import DATABASE_ERRORS, cannot_write, create_engine, failure, sqlite_path, utc_now, writing
from .model import FindingState, RunEntry, finite_number, inputs_hash, numeric_indicators, problem_records
from .schema import (
    RUN_KEY,
    migrate,
    require_current,
    run_files,
    run_findings,
    run_indicators,
    run_problem_records,
    runs,
)


def open_history(location: str | Path | None = None, *, create: bool = True, readonly: bool = False) -> History:
    """Open (creating or upgrading as needed) the history store at ``location``.

    ``location`` is a file path (an SQLite file; missing folders are created), an
    ``sqlite:///path`` URL, or a ``postgresql://user:password@host/db`` URL
    (``postgresql+psycopg://`` is the same; psycopg 3 is the driver). None means
    :func:`default_location`. Raises :class:`InputError` with one line naming the
    store when it cannot be opened, is not a history store, or was written by a
    newer disruption-qa.

    With ``create=False`` a missing SQLite file is an :class:`InputError` ("no
    history store at ...") rather than a new empty store: for commands that only read.
    ``readonly=True`` opens an SQLite store for reading only and never changes it (a store
    that needs upgrading is then refused): see :func:`open_for_reading`.
    """
    engine, shown = create_engine(location, create=create, readonly=readonly)
    history = History(engine, shown)
    try:
        if readonly:
            require_current(engine, shown)
        else:
            migrate(engine, shown=shown)
    except BaseException:
        engine.dispose()
        raise
    return history


def open_for_reading(location: str | Path | None = None, *, create: bool = False) -> History:
    """Open a store to read from it: as :func:`open_history` does, except that an SQLite store this user
    cannot write (a read-only file or folder) is opened read-only, so it can still be listed and compared
    against."""
    path = sqlite_path(location)
    readonly = path is not None and cannot_write(path)
    return open_history(location, create=create and not readonly, readonly=readonly)


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
        created_at = utc_now()
        try:
            with writing(self.engine) as conn:
                inserted = [self._insert_result(conn, result, created_at) for result in run.results]
            # the problem records just inserted are at hand (half a million nationally); those of runs stored before are read
            new = {run_id for run_id, problems in inserted if problems is not None}
            by_id = {
                **self._entries(new, records=False),
                **self._entries({run_id for run_id, _ in inserted} - new, records=True),
            }
        except DATABASE_ERRORS as exc:
            raise failure(self.location, exc) from None
        for run_id, problems in inserted:
            if problems is not None:
                by_id[run_id].problem_records = set().union(*problems.values())
        return [by_id[run_id] for run_id, _ in inserted]

    def _insert_result(self, conn: sa.Connection, result, created_at: dt.datetime) -> tuple[int, dict | None]:
        """Insert one organisation's result (unless already stored): its run ID and the
        problem records inserted (None when the run was stored before)."""
        files, key = _stored_key(result)
        insert = (_postgresql_insert() if conn.dialect.name == "postgresql" else sqlite_dialect.insert)(runs)
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
        values = dict(numeric_indicators(result.indicators.to_dict()))
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
                        "value": finite_number(f.value),
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

    def preview(self, run) -> list[RunEntry]:
        """Every organisation's result of ``run`` as :meth:`record` would return it, without recording
        anything: the stored entry when this extraction is already recorded, else one made now (its ID is
        ``UNRECORDED``). So a report can show what changed before the run is recorded, and a read-only
        store can be compared against."""
        created_at = utc_now()
        keyed = [(files, tuple(key[k] for k in RUN_KEY), key) for files, key in map(_stored_key, run.results)]
        hashes = sorted({key["inputs_hash"] for _, _, key in keyed})  # one extraction: a hash or two for them all
        query = sa.select(runs.c.id, *(runs.c[k] for k in RUN_KEY)).where(runs.c.inputs_hash.in_(hashes))
        try:
            with self.engine.connect() as conn, conn.begin():
                stored = {tuple(r[1:]): r.id for r in conn.execute(query)}
        except DATABASE_ERRORS as exc:
            raise failure(self.location, exc) from None
        found = self._entries({stored[k] for _, k, _ in keyed if k in stored}, records=True)
        return [
            found[stored[k]] if k in stored else _unrecorded(result, files, key, created_at)
            for result, (files, k, key) in zip(run.results, keyed)
        ]

    def runs(
        self,
        organisation: str | None = None,
        limit: int | None = None,
        *,
        profile: str | None = None,
        until: RunEntry | None = None,
        records: bool = True,
    ) -> list[RunEntry]:
        """Stored runs, oldest first (by extraction date, then time recorded; see :meth:`around`).

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
            raise failure(self.location, exc) from None
        ids = _latest(keyed, until=until, limit=limit)
        found = self._entries(set(ids), records=records)
        return [found[i] for i in ids if i in found]

    def around(self, entries: list[RunEntry], limit: int) -> list[tuple[RunEntry | None, list[RunEntry]]]:
        """For each entry, ``(previous, recent)``: its previous run, with its problem records (None on the first
        run), and ``self.runs(entry.organisation, limit, profile=entry.profile, until=entry, records=False)``,
        in a handful of queries for all of them (a national run has dozens).

        The previous run is the latest of the same organisation under the same profile (a run under another
        profile counts other records, so its signs are not comparable) before the entry: earlier means by
        extraction date, then by time recorded; a run with no extraction date counts as the earliest.
        """
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
            raise failure(self.location, exc) from None
        keyed: dict[tuple[str, str], list[tuple]] = {}
        for r in stored:
            keyed.setdefault((r.organisation, r.profile), []).append((_order_key(r), r.id))
        chosen = []
        for e in entries:  # the same choice of recent runs as runs() makes
            mine = sorted(keyed.get((e.organisation, e.profile), []))
            before = _earlier(mine, e)
            chosen.append((before[-1][1] if before else None, _latest(mine, until=e, limit=limit)))
        previous = self._entries({p for p, _ in chosen if p is not None}, records=True)
        recent = self._entries({i for _, ids in chosen for i in ids}, records=False)
        found = []
        for e, (p, ids) in zip(entries, chosen):
            series = [recent[i] for i in ids]
            if e.id == UNRECORDED:  # not in the store, so the latest of its own series
                series = [*series, e][-limit:] if limit > 0 else []
            found.append((previous.get(p), series))
        return found

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
            raise failure(self.location, exc) from None

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


#: The ID of an entry made for a run that is not (yet) recorded: see :meth:`History.preview`.
UNRECORDED = -1


def _postgresql_insert():
    """PostgreSQL's INSERT (with ON CONFLICT), its dialect imported only for a PostgreSQL store: a SQLite
    store's run, the usual case, is spared the import."""
    from sqlalchemy.dialects import postgresql

    return postgresql.insert


def _stored_key(result) -> tuple[list[dict], dict]:
    """A result's input files as stored, and the values of the runs table's unique key it is recorded under."""
    files = [{"path": str(f["path"]), "sha256": str(f["sha256"]), "rows": f.get("rows")} for f in result.files]
    key = {
        "organisation": result.organisation.name,
        "period_start": result.period.start,
        "period_end": result.period.end,
        "profile": result.profile,
        "inputs_hash": inputs_hash(files),
    }
    return files, key


def _unrecorded(result, files: list[dict], key: dict, created_at: dt.datetime) -> RunEntry:
    """The entry :meth:`History.record` would store for ``result``, made in memory."""
    return RunEntry(
        id=UNRECORDED,
        extraction_date=result.extraction_date,
        created_at=created_at.replace(tzinfo=dt.UTC),
        tool_version=__version__,
        **key,
        indicators=dict(numeric_indicators(result.indicators.to_dict())),
        findings={f.check: FindingState(f.status, f.severity, finite_number(f.value)) for f in result.findings},
        problem_records=set().union(*problem_records(result).values()),
        files=files,
    )


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
