"""What a check is: its metadata, its parameters, what it is given and what it returns.

A check is one class in one module named after its stable ID
(``w101_pursue_skew.py``), and that class holds everything about it: its ID,
name and title; the export its records come from (``records``); its severity;
its parameters, each with its type, default value and description
(``params``); and its documentation, the docstring under the headings
*What it checks*, *Why it matters*, *Basis* (the inspection's words it rests on, section named, or that it
is the tool's own rule; and which thresholds are the tool's choice), *Example* and *What to do*. Both user
catalogues are generated from the classes and tested to be current:
``docs/checks.md`` (:mod:`disruption_qa.render.catalogue_docs`) and the default
settings, ``checks/defaults.toml`` (:func:`~disruption_qa.render.catalogue_docs.defaults_toml`).

Checks compute; they never format. Each returns a :class:`Finding`, which the
renderers turn into JSON, CSV, terminal and HTML.
"""

from __future__ import annotations

import datetime as dt
import inspect
import re
from copy import copy
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar

import pandas as pd

from ..contract import Organisation
from ..format import share, share_of
from ..results import CLEAR, FLAGGED, NOT_APPLICABLE, SEVERITIES, Finding, RecordKind, RecordRefs

if TYPE_CHECKING:
    from ..records import RecordSource

DOC_HEADINGS = ("What it checks", "Why it matters", "Basis", "Example", "What to do")


@dataclass(frozen=True)
class Param:
    """One tunable setting of a check: its type, its default value and what it means.

    ``default`` None means the setting is not set unless a profile or config sets
    it (only ``severity``, on a check with two levels).
    """

    kind: type  # float (a share, 0 to 1), int (a count of days or records, not negative), bool, str or list
    default: Any
    description: str
    #: The values a list setting may hold (each one of them); None where any text is allowed.
    choices: tuple[str, ...] | None = None


#: What the two settings every check understands mean (see :meth:`Check.all_params`).
ENABLED = "Run this check (false switches it off)."
SEVERITY = "Severity of a finding when the check has a single level: warning or error."


@dataclass
class Context:
    """Everything a check may look at, for one organisation and one period.

    ``records``: every disruption the organisation recorded (any type) that happened or was
    recorded in the period: what a check may look at (the rest of the export is left out).
    ``in_period``: those with a Record Date in the period.
    ``counted``: the lead disruptions the profile counts (its filters applied).
    ``threats``: the organisation's master list as the profile counts it; ``all_threats``
    is its whole master list; ``master_list`` every organisation's, one row per Threat ID
    and indexed by it (None without one).
    """

    organisation: Organisation
    start: dt.date
    end: dt.date
    extraction_date: dt.date | None
    records: pd.DataFrame
    in_period: pd.DataFrame
    counted: pd.DataFrame
    threats: pd.DataFrame | None
    all_threats: pd.DataFrame | None
    master_list: pd.DataFrame | None
    #: Where records are found, by export (see ``locate``); empty where the frames stand alone (tests).
    sources: dict[RecordKind, RecordSource] = field(default_factory=dict, repr=False)
    #: The date the period is taken on (``record_date``, or ``disruption_date`` under that period basis).
    period_column: str = "record_date"

    @property
    def has_master_list(self) -> bool:
        return self.master_list is not None

    @property
    def as_of(self) -> pd.Timestamp:
        """The day ages are counted to (how long a threat waited, how old a plan or a Pending record is): the
        extraction date, else the period's last day."""
        return pd.Timestamp(self.extraction_date or self.end)

    @cached_property
    def happened(self) -> tuple[pd.DataFrame, pd.Series]:
        """The records that happened in the period and their recording lag in days
        (:func:`~disruption_qa.measures.happened_in`), worked out once for the checks and indicators."""
        from ..measures import happened_in

        return happened_in(self.records, self.start, self.end)

    def locate(self, finding: Finding) -> Finding:
        """The finding with its records located in their file (``Finding.refs``): each on the row its check
        found it on, else looked up by ID."""
        return _locate(self.sources, finding)

    @cached_property
    def threats_in_scope(self) -> pd.DataFrame | None:
        """The threats in scope: the organisation's threats the profile counts (``threats``) whose Phase is
        Active or Dormant (``contract.PHASES_IN_SCOPE``); None without a master list. The one definition the
        master-list indicators and checks count."""
        from ..measures import in_scope

        return in_scope(self.threats)

    @cached_property
    def officers(self) -> pd.Series | None:
        """Threats in scope held by each Lead Responsible Officer, most first; None without a master list."""
        from ..measures import officers

        return officers(self.threats_in_scope) if self.threats_in_scope is not None else None

    @cached_property
    def active_threats(self) -> pd.DataFrame | None:
        """The threats in scope whose Phase is Active, or None without a master list."""
        from ..measures import active

        return active(self.threats_in_scope)


def _locate(sources: dict[RecordKind, RecordSource], finding: Finding) -> Finding:
    """``finding`` with its records located in their file (``Finding.refs``): each on the row its check found it
    on, else looked up by ID."""
    source = sources.get(finding.kind)
    if source is None or not finding.records:
        return finding
    rows = finding.refs.rows if len(finding.refs) == len(finding.records) else []
    return replace(finding, refs=source.refs(finding.records, rows))


@dataclass
class Extraction:
    """Everything a check across organisations may look at: the whole extraction at once.

    ``records``: every disruption in the file, of every organisation and any date (free text left out).
    ``organisations``: those the run reports on, each of which gets a finding. ``recording_organisations``: the
    distinct Recording Organisations in the file, whether reported on or not.
    """

    organisations: list[Organisation]
    start: dt.date
    end: dt.date
    records: pd.DataFrame
    sources: dict[RecordKind, RecordSource] = field(default_factory=dict, repr=False)
    period_column: str = "record_date"

    @cached_property
    def in_period(self) -> pd.Series:
        """Which of ``records`` have their period date (``period_column``) in the period."""
        dates = self.records[self.period_column]
        return (dates >= pd.Timestamp(self.start)) & (dates <= pd.Timestamp(self.end))

    @cached_property
    def recording_organisations(self) -> list[str]:
        return sorted(self.records["recording_organisation"].dropna().unique().tolist())

    def locate(self, finding: Finding) -> Finding:
        return _locate(self.sources, finding)


#: Where a check runs: on each organisation's :class:`Context` (``ORGANISATION``), or once on the whole
#: :class:`Extraction`, giving every organisation its finding (``EXTRACTION``: checks across organisations).
ORGANISATION, EXTRACTION = "organisation", "extraction"


class Check:
    """Base class: subclasses set the metadata and implement :meth:`run` (or, for a check across
    organisations, set ``scope = EXTRACTION`` and implement :meth:`run_all`)."""

    id: ClassVar[str]
    name: ClassVar[str]
    title: ClassVar[str]
    #: The export the records a finding lists come from: ``disruptions`` (Disruption IDs)
    #: or ``threats`` (Threat IDs from the SOC master list).
    records: ClassVar[RecordKind] = "disruptions"
    #: The default severity of a single-level check's finding; None for a check with two
    #: levels, whose ``warning`` and ``error`` params set them.
    severity: ClassVar[str | None] = "warning"
    needs_master_list: ClassVar[bool] = False
    #: ``ORGANISATION`` (run per organisation) or ``EXTRACTION`` (run once on every organisation's records).
    scope: ClassVar[str] = ORGANISATION
    #: Two-level checks flag at or above (``inclusive``) or strictly above their thresholds.
    inclusive: ClassVar[bool] = False
    params: ClassVar[dict[str, Param]] = {}
    #: Settings the check had once and another check has now: name -> (that check's ID, the version since).
    moved: ClassVar[dict[str, tuple[str, str]]] = {}

    def __init__(self, settings: dict[str, Any]):
        self.settings = settings

    # --- metadata ---------------------------------------------------------------

    @classmethod
    def summary(cls) -> str:
        return inspect.cleandoc(cls.__doc__ or "").split("\n", 1)[0]

    @classmethod
    def sections(cls) -> dict[str, str]:
        """The docstring's sections by heading (``What it checks:`` ...)."""
        doc = inspect.cleandoc(cls.__doc__ or "")
        parts = re.split(r"^({}):\s*$".format("|".join(map(re.escape, DOC_HEADINGS))), doc, flags=re.M)
        return {parts[i]: parts[i + 1].strip() for i in range(1, len(parts) - 1, 2)}

    @classmethod
    def all_params(cls) -> dict[str, Param]:
        """Every setting the check understands: ``enabled`` and ``severity``, then its own ``params``."""
        common = {"enabled": Param(bool, True, ENABLED), "severity": Param(str, cls.severity, SEVERITY)}
        return {**common, **cls.params}

    @classmethod
    def defaults(cls) -> dict[str, Any]:
        """The check's default settings, in the order of :meth:`all_params` (those without a default left out)."""
        # copied, so that a run's settings never share a list with the class
        return {name: copy(p.default) for name, p in cls.all_params().items() if p.default is not None}

    # --- running ------------------------------------------------------------------

    def run(self, ctx: Context) -> Finding:  # pragma: no cover - abstract
        raise NotImplementedError

    def run_all(self, ex: Extraction) -> dict[str, Finding]:  # pragma: no cover - abstract
        """A check across organisations: the finding of each of ``ex.organisations``, by name."""
        raise NotImplementedError

    def evaluate(self, ctx: Context) -> Finding:
        if self.scope != ORGANISATION:
            raise TypeError(f"{self.id} runs across organisations: call evaluate_all")
        if self.needs_master_list and not ctx.has_master_list:
            return self.not_applicable("no SOC master list was given (use --threats)")
        return ctx.locate(self.run(ctx))

    def evaluate_all(self, ex: Extraction) -> dict[str, Finding]:
        """A check across organisations on the whole extraction: each reported organisation's finding, by name,
        located; not applicable to every one when the file holds fewer than two recording organisations."""
        present = ex.recording_organisations
        if len(present) < 2:
            only = f"only {present[0]} recorded disruptions" if present else "no organisation recorded disruptions"
            reason = f"{only} in the file, so there is no other organisation to reconcile with"
            return {org.name: self.not_applicable(reason) for org in ex.organisations}
        found = self.run_all(ex)
        return {org.name: ex.locate(found[org.name]) for org in ex.organisations}

    @property
    def two_level(self) -> bool:
        return "warning" in self.settings or "error" in self.settings

    def thresholds(self) -> dict[str, Any] | Any:
        if self.two_level:
            return {k: self.settings[k] for k in SEVERITIES if self.settings.get(k) is not None}
        return self.settings.get("threshold")

    def level(self, value: float) -> str | None:
        """The most serious level ``value`` reaches, or None."""
        for severity in reversed(SEVERITIES):
            limit = self.settings.get(severity)
            if limit is None:
                continue
            if value >= limit if self.inclusive else value > limit:
                return severity
        return None

    def top_severity(self) -> str:
        if self.two_level:
            return "error" if self.settings.get("error") is not None else "warning"
        return self.settings.get("severity", "warning")

    def finding(
        self,
        flagged: bool | str | None,
        message: str,
        *,
        value=None,
        records: pd.Series | list | None = None,
        details: dict | None = None,
    ) -> Finding:
        """A finding: ``flagged`` is a level (from :meth:`level`), True/False, or None for clear.

        ``records``: the IDs behind it, best a column of the Context's frames (indexed by
        spreadsheet row), so that each record keeps the row it was found on (``Finding.refs``,
        given its file by :meth:`Context.locate`)."""
        if isinstance(flagged, str):
            severity, status = flagged, FLAGGED
        elif flagged:
            severity, status = self.settings.get("severity", "warning"), FLAGGED
        else:
            severity, status = self.top_severity(), CLEAR
        ids, rows = (
            distinct_ids(records) if status == FLAGGED and records is not None else ([], [])
        )  # only flagged ones list them
        return Finding(
            check=self.id,
            name=self.name,
            title=self.title,
            severity=severity,
            status=status,
            value=_plain(value),
            threshold=self.thresholds(),
            message=message,
            records=ids,
            details=details or {},
            kind=self.records,
            refs=RecordRefs("", ids, rows) if len(rows) == len(ids) else RecordRefs(""),
        )

    def without_threats_in_scope(self, ctx: Context) -> Finding | None:
        """Not applicable when the organisation has no threats in scope (:attr:`Context.threats_in_scope`);
        None when it has some."""
        scope = ctx.threats_in_scope
        if scope is None or len(scope) == 0:
            return self.not_applicable(
                "the organisation has no threats in scope (Active or Dormant) on the master list"
            )
        return None

    def not_applicable(self, reason: str) -> Finding:
        return Finding(
            check=self.id,
            name=self.name,
            title=self.title,
            severity=self.top_severity(),
            status=NOT_APPLICABLE,
            threshold=self.thresholds(),
            message=f"Not applicable: {reason}.",
            reason=reason,
            kind=self.records,
        )


def distinct_ids(records: pd.Series | list) -> tuple[list[str], list[int]]:
    """The distinct IDs among ``records`` as sorted strings, blanks left out, and each one's row.

    The rows are the index of a Series taken from the engine's frames (indexed by
    spreadsheet row): where an ID repeats, its first. They are empty for a list, or
    a Series not indexed by integers. Unique and sorted by pyarrow: a national run
    lists half a million records, too many to take one by one into Python.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    values = pd.Series(records).dropna()
    if len(values) == 0:
        return [], []
    strings = pa.array(values.astype("str").array)
    distinct = pc.unique(strings)  # in order of first appearance
    order = pc.array_sort_indices(distinct)
    ids = pc.take(distinct, order).to_pylist()
    if not isinstance(records, pd.Series) or not pd.api.types.is_integer_dtype(values.index.dtype):
        return ids, []
    first = pc.take(pc.index_in(distinct, value_set=strings), order).to_numpy()
    return ids, values.index.to_numpy()[first].tolist()


def _plain(value):
    """numpy scalars to Python numbers, rounded for reading."""
    if value is None:
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float):
        return round(value, 4)
    return value


#: How the checks' messages write shares (``84%``): format.py's, under the names the check modules use.
pct, share_text = share_of, share
