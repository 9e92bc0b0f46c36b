"""The run history: every ``check`` run remembered, so a team can see what changed.

A force's performance team runs ``check`` on every monthly extraction. The
history store keeps, for each organisation of each run, what the run found —
period, extraction date, profile, the input files' SHA-256, every numeric
indicator, each check's status, severity and value, and the IDs of the records
behind the problems — so that the next run can say what is new, what was
resolved and whether the figures are improving.

The store is SQL through SQLAlchemy Core: an SQLite file by default (in the
user's data directory), or a PostgreSQL database a ROCU shares between its
forces. The package keeps its layers apart:

- :mod:`.model`: what a stored run is (:class:`RunEntry`), what changed between
  two (:func:`compare`), a series' figures (:func:`trend`); plain data, no SQL.
- :mod:`.schema`: the tables and the numbered migrations (:data:`MIGRATIONS`)
  that build and upgrade both backends, each in its own transaction.
- :mod:`.connection`: the engine for a location, write transactions, one-line errors.
- :mod:`.store`: :func:`open_history` and the :class:`History` it returns.

Layout of the store (schema version 4)::

    schema_version       version (PK), applied_at, tool_version
    runs                 id (PK), organisation, period_start, period_end, extraction_date,
                         profile, inputs_hash, created_at (UTC), tool_version (v2)
                         UNIQUE (organisation, period_start, period_end, profile, inputs_hash)
                         INDEX (organisation, extraction_date) (v2)
    run_files            run_id, position, path, sha256, row_count
    run_indicators       run_id, name, value            (by_strand.Pursue, pursue_share, ...)
    run_findings         run_id, check_id, status, severity, value
    run_problem_records  run_id, source, record_ids     (source: a validation rule's code, V-DATE (v4),
                                                         or a check ID, W101; record_ids: a JSON array
                                                         of IDs (v3))

Safety: one transaction per run (all its organisations or none); the UNIQUE
constraint makes re-recording an extraction a no-op, even when two processes
record it at once; SQLite runs in WAL mode with a busy timeout and takes its
write lock at the start of a writing transaction (``BEGIN IMMEDIATE``), so
concurrent writers queue rather than fail; PostgreSQL migrations hold an
advisory lock. A store written by a newer schema is refused with one line.
"""

from .connection import create_engine, default_location
from .model import Changes, FindingState, RunEntry, compare, inputs_hash, problem_records, trend
from .schema import MIGRATIONS, SCHEMA_VERSION, migrate
from .store import History, open_for_reading, open_history

__all__ = [
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "Changes",
    "FindingState",
    "History",
    "RunEntry",
    "compare",
    "create_engine",
    "default_location",
    "inputs_hash",
    "migrate",
    "open_for_reading",
    "open_history",
    "problem_records",
    "trend",
]
