"""The results model: what a run found, and the one thing every output is made from.

::

    Run                          a ``check``: settings, period, validation, one result per organisation
    ├── ValidationResult         the files read and every contract problem (an Issue each)
    └── OrganisationResult       one organisation: typed Indicators, one Finding per check, its Issues
        └── Finding              what one check found, with a RecordRef for each record behind it

The engine builds a :class:`Run` in one pass; ``results.json``, ``fixes.csv``,
``report.html``, ``index.html``, ``comparison.json``, the terminal summary and
the run history are all functions of it (``render/`` and ``history/``). It holds
no frames: where a record sits in its file is found once, when its finding is
made (:class:`RecordRef`), and the few records a report lists under each sign
come with their fields (:class:`RecordTable`).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any, Literal, get_args, overload

from .contract import STRANDS, Organisation

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from .catalogue import Profile

FLAGGED, CLEAR, NOT_APPLICABLE = "flagged", "clear", "not-applicable"
SEVERITIES = ("warning", "error")

#: The exports a record can come from.
RecordKind = Literal["disruptions", "threats"]
RECORD_KINDS: tuple[RecordKind, ...] = get_args(RecordKind)


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date

    def to_dict(self) -> dict:
        return {"start": self.start.isoformat(), "end": self.end.isoformat()}


# --- where records are ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordRef:
    """Where one record stands: its ID, its file, its spreadsheet row (None when the ID is not in the file)
    and, for a cell of an Excel file, the cell (``Disruptions!F57``)."""

    id: str
    file: str
    row: int | None
    cell: str | None = None


class RecordRefs:
    """The records behind a finding, in ID order: a sequence of :class:`RecordRef`.

    Held column by column (IDs and rows; one file): a national run's findings
    point at half a million records, which fixes.csv writes as columns.
    ``rows`` holds -1 where an ID is not in the file.
    """

    __slots__ = ("file", "ids", "rows")

    def __init__(self, file: str, ids: Sequence[str] = (), rows: Sequence[int] = ()):
        if len(ids) != len(rows):
            raise ValueError(f"{len(ids)} IDs but {len(rows)} rows")
        self.file, self.ids, self.rows = file, list(ids), list(rows)

    def __len__(self) -> int:
        return len(self.ids)

    @overload
    def __getitem__(self, at: int) -> RecordRef: ...

    @overload
    def __getitem__(self, at: slice) -> RecordRefs: ...

    def __getitem__(self, at):
        if isinstance(at, slice):
            return RecordRefs(self.file, self.ids[at], self.rows[at])
        row = self.rows[at]
        return RecordRef(self.ids[at], self.file, row if row >= 0 else None)

    def __iter__(self) -> Iterator[RecordRef]:
        return (self[n] for n in range(len(self)))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RecordRefs) and (self.file, self.ids, self.rows) == (other.file, other.ids, other.rows)

    def __repr__(self) -> str:
        return f"RecordRefs({self.file!r}, {len(self)} records)"


@dataclass
class RecordTable:
    """The first records behind a finding with the fields a reader checks them by, as the export writes them
    (dates dd/mm/yyyy, blanks empty): column names, then the cells column by column."""

    columns: list[str]
    cells: list[list[str]]

    @property
    def rows(self) -> list[dict[str, str]]:
        """The records row by row: column name -> cell text."""
        return [dict(zip(self.columns, row)) for row in zip(*self.cells)]

    def __len__(self) -> int:
        return len(self.cells[0]) if self.cells else 0


# --- what a check found -----------------------------------------------------------------------------


@dataclass
class Finding:
    """What one check found for one organisation."""

    check: str
    name: str
    title: str
    severity: str
    status: str
    value: float | int | None = None
    threshold: dict[str, Any] | float | int | None = None
    message: str = ""
    #: The distinct IDs of the records behind a flagged finding, sorted (empty otherwise).
    records: list[str] = field(default_factory=list)
    reason: str | None = None  # why a check did not apply
    details: dict[str, Any] = field(default_factory=dict)
    #: The export ``records`` come from.
    kind: RecordKind = "disruptions"
    #: Where each of ``records`` is (the first row, where an ID repeats), in the same order. Not in results.json.
    refs: RecordRefs = field(default_factory=lambda: RecordRefs(""), repr=False)
    #: The first records with their fields, for the report (see ``RecordTable``). Not in results.json.
    shown: RecordTable | None = field(default=None, repr=False)

    #: Fields of the model that results.json leaves out.
    NOT_SERIALISED = ("kind", "refs", "shown")

    @property
    def flagged(self) -> bool:
        return self.status == FLAGGED

    def to_dict(self) -> dict:
        # not dataclasses.asdict: it deep-copies ``records``, which runs to hundreds of thousands of IDs nationally
        data = {f.name: getattr(self, f.name) for f in fields(self) if f.name not in self.NOT_SERIALISED}
        if data["reason"] is None:
            del data["reason"]
        return data


def severity_order(f: Finding) -> tuple:
    """Most serious first, then by check ID."""
    return (-SEVERITIES.index(f.severity), f.check)


# --- validation ----------------------------------------------------------------------------------------


@dataclass
class Issue:
    """One broken cell (or row) of an export: a contract rule it breaks, and where."""

    file: str
    row: int
    record_id: str | None
    column: str | None
    #: The rule broken, in plain English (``validation.Rule.text``).
    rule: str
    value: str | None
    message: str
    cell: str | None = None  # Disruptions!F57, for Excel files
    #: The rule's stable code (``validation.Rule.code``), e.g. ``V-DATE``.
    code: str = ""
    #: The organisation that owns the row (its Recording or Owning Organisation), when it names a known one.
    organisation: str | None = field(default=None, compare=False)

    def to_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "organisation"}


@dataclass
class ValidationResult:
    """What validating an extraction found: the files read, the extraction date used, every problem."""

    files: list[dict]
    extraction_date: dt.date | None
    extraction_date_source: str
    issues: list[Issue]
    #: Each file's path -> the export it holds (``disruptions`` or ``threats``).
    kinds: dict[str, RecordKind] = field(default_factory=dict)
    #: What was read otherwise than as written: date columns of Excel serial numbers (``file``, ``column``,
    #: ``read_as``) and the config's value mappings used (``file``, ``column``, ``from``, ``to``, ``rows``).
    reading: list[dict] = field(default_factory=list)

    @property
    def value_mappings(self) -> list[dict]:
        return [r for r in self.reading if "from" in r]

    @property
    def serial_dates(self) -> list[dict]:
        return [r for r in self.reading if "read_as" in r]

    def to_dict(self) -> dict:
        return {
            "files": self.files,
            "extraction_date": self.extraction_date.isoformat() if self.extraction_date else None,
            "value_mappings": self.value_mappings,
            "serial_dates": self.serial_dates,
            "errors": [i.to_dict() for i in self.issues],
        }


# --- one organisation ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Indicators:
    """An organisation's figures: what the report, the comparison and the history show.

    Shares are fractions (0.84), None where there is nothing to divide by. The
    master-list figures are None without a master list (and left out of results.json).
    """

    lead_disruptions: int
    support_disruptions: int
    records_in_period: int
    by_strand: dict[str, int]
    pursue_share: float | None
    prevent_share: float | None
    protect_share: float | None
    prepare_share: float | None
    happened_in_period: int
    late_records: int
    late_share: float | None
    median_lag_days: float | None
    entered_after_period: int
    recorders: int
    top_recorder_share: float | None
    non_ocg_records: int
    non_ocg_share: float | None
    validation_errors: int
    validation_errors_per_100: float | None
    threats: int | None = None
    threats_by_type: dict[str, int] | None = None
    #: The threats in scope (Active or Dormant, as counted: ``threat_phases_in_scope``), of which active.
    threats_in_scope: int | None = None
    threat_phases_in_scope: list[str] | None = None
    active_threats: int | None = None
    unassessed_threats: int | None = None
    disruptions_per_active_threat: float | None = None
    #: Lead Responsible Officers holding threats in scope, and the threats each holds.
    officers: int | None = None
    threats_per_officer_median: float | None = None
    threats_per_officer_max: int | None = None
    #: Only under a profile that gives them (``also_by_disruption_date``): the headline figures with the period
    #: taken on Disruption Date, and the records entered after the period ended (see engine.by_disruption_date).
    by_disruption_date: dict | None = None

    #: The figures that exist only with a master list.
    MASTER_LIST = (
        "threats",
        "threats_by_type",
        "threats_in_scope",
        "threat_phases_in_scope",
        "active_threats",
        "unassessed_threats",
        "disruptions_per_active_threat",
        "officers",
        "threats_per_officer_median",
        "threats_per_officer_max",
    )

    @property
    def has_master_list(self) -> bool:
        return self.threats is not None

    def share(self, strand: str) -> float | None:
        """The share of lead disruptions in ``strand`` (one of the contract's strands)."""
        return getattr(self, f"{strand.lower()}_share")

    def to_dict(self) -> dict:
        keep = self.has_master_list
        return {
            f.name: getattr(self, f.name)
            for f in fields(self)
            if (keep or f.name not in self.MASTER_LIST)
            and not (f.name == "by_disruption_date" and self.by_disruption_date is None)
        }


def strand_shares(by_strand: dict[str, int], total: int) -> dict[str, float | None]:
    """``pursue_share`` ... of ``total`` (the keyword arguments of :class:`Indicators`)."""
    return {f"{s.lower()}_share": by_strand[s] / total if total else None for s in STRANDS}


@dataclass(frozen=True)
class Figures:
    """What a report draws beyond the indicators (not in results.json)."""

    #: Month labels (``Jan 2022``) of the period, and the counted records each month by strand.
    months: list[str]
    monthly: dict[str, list[int]]
    #: Records by days to record: (bucket label, count).
    lag: list[tuple[str, int]]
    #: The control charts of the months (``spc.ControlChart``: lead disruptions, pursue share), for information.
    control: list = field(default_factory=list)


@dataclass
class HistoryView:
    """One organisation's memory from the run history: its previous run, what changed since, its recent trend."""

    previous: object  # history.RunEntry | None
    changes: object  # history.Changes
    trend: list[dict]


@dataclass
class OrganisationResult:
    """Everything ``check`` found for one organisation."""

    organisation: Organisation
    period: Period
    extraction_date: dt.date | None
    profile: str
    files: list[dict]
    indicators: Indicators
    findings: list[Finding]
    validation_errors: list[Issue]
    figures: Figures | None = field(default=None, repr=False)
    #: The date the period was taken on: ``record`` (Record Date) or ``disruption`` (Disruption Date).
    period_basis: str = "record"

    @property
    def slug(self) -> str:
        return slug(self.organisation.name)

    def flagged(self, at_least: str = "warning") -> list[Finding]:
        rank = SEVERITIES.index(at_least)
        return [f for f in self.findings if f.status == FLAGGED and SEVERITIES.index(f.severity) >= rank]

    def to_dict(self) -> dict:
        return {
            "organisation": self.organisation.name,
            "kind": self.organisation.kind,
            "region": self.organisation.region,
            "period": self.period.to_dict(),
            "extraction_date": self.extraction_date.isoformat() if self.extraction_date else None,
            "profile": self.profile,
            "period_basis": self.period_basis,
            "files": self.files,
            "indicators": self.indicators.to_dict(),
            "findings": [f.to_dict() for f in self.findings],
            "validation_errors": [i.to_dict() for i in self.validation_errors],
        }


def slug(name: str) -> str:
    """An organisation's folder name: ``Cheshire Constabulary`` -> ``cheshire-constabulary``."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


# --- a whole run ------------------------------------------------------------------------------------------


@dataclass
class Run:
    """A whole ``check``: the validation, the settings used, one result per organisation, and (when the run
    history is kept) each organisation's view of its past."""

    validation: ValidationResult
    profile: Profile
    settings: dict[str, dict]
    period: Period
    results: list[OrganisationResult]
    #: Whether the records listed in the reports show their free-text Summary.
    include_summaries: bool = False
    #: Organisation name -> its past, read from the run history (empty when no history is kept).
    history: dict[str, HistoryView] = field(default_factory=dict)
    #: Where the run is recorded (api.record): a path, a URL, None for the default store, False for none.
    history_location: object = False
    #: Why the history could not be read, when it could not (the run is then not recorded either).
    history_error: Exception | None = field(default=None, repr=False)
    #: The config's local rules, as the check classes that ran beside the catalogue's (``rules.rule_check``).
    local_checks: list = field(default_factory=list, repr=False)

    def exit_code(self, fail_on: str = "error") -> int:
        """0 when nothing at or above ``fail_on`` is flagged (validation errors count as errors)."""
        if self.validation.issues:
            return 1
        return 1 if any(r.flagged(fail_on) for r in self.results) else 0

    @property
    def title(self) -> str:
        """What the run covers, for the comparison page: ``North West region`` or ``56 organisations in 10 regions``."""
        regions = sorted({r.organisation.region for r in self.results})
        if len(regions) == 1:
            return f"{regions[0]} region"
        return f"{len(self.results)} organisations in {len(regions)} regions"
