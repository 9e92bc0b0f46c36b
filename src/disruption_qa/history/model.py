"""What a run looks like once remembered, and what changed between two runs: plain data, no SQL.

:class:`RunEntry` is one organisation's result of one ``check`` run as the store
holds it; :func:`compare` says what is new, resolved and persisting since the
previous run; :func:`trend` lists the key figures of a series of runs.
:func:`problem_records` and :func:`numeric_indicators` say what of a result is
stored: the IDs behind each problem, by the problem's stable code, and every
indicator that is a number.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import numbers
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

from ..results import FLAGGED

STRANDS = ("pursue", "prevent", "protect", "prepare")


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
    """The signs new, resolved and persisting since ``previous``, and the new problem records.

    A local rule (``L001`` ...) is one config's, so it is compared only when it ran in both runs: one that did
    not run now is not resolved, and one that did not run before is not new."""
    now = set(current.flagged)
    before = set(previous.flagged) if previous else set()
    if previous is not None:
        local = {k for k in now | before if k.startswith("L")}
        both = set(current.findings) & set(previous.findings)
        now -= local - both
        before -= local - both
    return Changes(
        new=sorted(now - before),
        resolved=sorted(before - now),
        persisting=sorted(now & before),
        # one copy of the (nationally half a million) problem records, not two
        new_records=current.problem_records - previous.problem_records if previous else set(current.problem_records),
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


# --- what is stored from a result --------------------------------------------------------


def inputs_hash(files: list[dict]) -> str:
    """One SHA-256 over the input files' SHA-256s, in the run's order (disruptions, then threats).

    Paths do not count: the same extraction checked from another folder is the same run.
    """
    return hashlib.sha256("\n".join(f["sha256"] for f in files).encode("ascii")).hexdigest()


def problem_records(result) -> dict[str, list[str]]:
    """The distinct IDs of the records behind each validation rule that failed and each flagged sign, sorted,
    by source: the rule's stable code (``V-DATE``, never its wording) or the check ID (``W101``)."""
    found: dict[str, set[str]] = {}
    for i in result.validation_errors:
        if _present(i.record_id):
            found.setdefault(i.code, set()).add(str(i.record_id))
    lists = {code: sorted(ids) for code, ids in found.items()}
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


def finite_number(value) -> float | None:
    """``value`` as a float when it is a finite real number (not a bool), else None."""
    if type(value) in (float, int):  # the common case, without the slow check against the numbers ABC
        return float(value) if math.isfinite(value) else None
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def numeric_indicators(indicators: dict, prefix: str = "") -> Iterator[tuple[str, float]]:
    """Every indicator that is a number, nested dicts flattened as ``parent.key``."""
    for key, value in indicators.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            yield from numeric_indicators(value, f"{name}.")
        elif (number := finite_number(value)) is not None:
            yield name, number
