"""Running the checks: one context per organisation, every enabled check, one result each.

The engine keeps the records of the period, splits them by organisation once,
builds each organisation's :class:`~disruption_qa.checks.Context`, computes its
indicators and report figures and runs the catalogue over it, organisations on
every core (:mod:`disruption_qa.parallel`). The checks across organisations
(``scope = EXTRACTION``, such as W117) run once on the whole extraction, and
their finding for each organisation takes its place among the others'. It
formats nothing: see ``render/``.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from . import contract as c
from .catalogue import Profile
from .checks import CATALOGUE, Context
from .checks.base import EXTRACTION, Extraction
from .errors import InputError
from .measures import lag_distribution, lateness, monthly_by_strand, top_recorder, unassessed
from .parallel import Pool
from .records import RecordSource, record_tables
from .results import Figures, Finding, Indicators, Issue, OrganisationResult, Period, strand_shares
from .spc import monthly_charts
from .validation import Validation

#: Columns the checks never need; dropped before splitting (the free text is the largest).
NOT_FOR_CHECKS = ("summary",)


def resolve_period(frame: pd.DataFrame, *, year: int | None, start: dt.date | None, end: dt.date | None) -> Period:
    """``--year``, or ``--from``/``--to``, else the calendar year of the latest Record Date."""
    if year is not None:
        return Period(dt.date(year, 1, 1), dt.date(year, 12, 31))
    if start or end:
        if not (start and end):
            raise InputError("give both --from and --to, or --year")
        if end < start:
            raise InputError("--to is before --from")
        return Period(start, end)
    latest = frame["record_date"].max()
    if pd.isna(latest):
        raise InputError("no Record Date parses, so the period is unknown: give --year or --from/--to")
    return Period(dt.date(latest.year, 1, 1), dt.date(latest.year, 12, 31))


def resolve_organisations(
    names: list[str] | None, disruptions: pd.DataFrame, threats: pd.DataFrame | None
) -> list[c.Organisation]:
    known = c.organisations()
    if names:
        chosen = []
        for name in names:
            if name not in known:
                close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
                hint = f"; did you mean {close[0]}?" if close else ""
                raise InputError(f"unknown organisation {name!r}{hint}")
            chosen.append(known[name])
        return chosen
    present = set(disruptions["recording_organisation"].dropna().unique())
    if threats is not None:
        present |= set(threats["owning_organisation"].dropna().unique())
    return [org for name, org in known.items() if name in present]


#: Columns with few distinct values: categorical for the checks, so comparisons and grouping are fast.
CATEGORICAL = (
    "recording_organisation",
    "disruption_type",
    "supported_organisation",
    "threat_type",
    "strand",
    "assessment_category",
    "tactic",
    "threat_area",
    "recorded_by",
    "owning_organisation",
    "assessment_type",
    "soc_status",
    "moderation_status",
    "tier",
    "phase",
)


def _for_checks(frame: pd.DataFrame, kind: c.ExportKind) -> pd.DataFrame:
    """The frame the checks work on (given without NOT_FOR_CHECKS): every contract column present
    but those, categorical where that is faster."""
    frame = _with_columns(frame, kind)
    return frame.assign(**{col: frame[col].astype("category") for col in CATEGORICAL if col in frame.columns})


@dataclass
class _Split:
    """A frame split by the values of a column: each part is taken when asked for
    (by the worker checking that organisation, so that taking the rows is spread over the cores)."""

    frame: pd.DataFrame
    rows: dict[str, object]  # value -> its rows' positions

    @classmethod
    def of(cls, frame: pd.DataFrame, column: str, where: pd.Series | None = None) -> _Split:
        """Split ``frame`` by ``column``, only its rows ``where`` holds if given (the others are in no part:
        left out when each part is taken, with no copy of the whole frame)."""
        if where is None or where.all():
            return cls(frame, frame.groupby(column, observed=True, sort=False).indices)
        keep = np.flatnonzero(where.to_numpy())
        kept = frame[column].take(keep)
        return cls(
            frame, {value: keep[at] for value, at in kept.groupby(kept, observed=True, sort=False).indices.items()}
        )

    def part(self, value: str) -> pd.DataFrame:
        rows = self.rows.get(value)
        return self.frame.take(rows) if rows is not None else self.frame.iloc[0:0]


def _with_columns(frame: pd.DataFrame, kind: c.ExportKind) -> pd.DataFrame:
    """Optional contract columns a file left out, added blank so checks can rely on them (not those no check reads)."""
    frame = frame.copy(deep=False)
    for col in kind.columns:
        if col.key not in frame.columns and col.key not in NOT_FOR_CHECKS:
            frame[col.key] = pd.Series(
                pd.NaT if col.kind == "date" else None,
                index=frame.index,
                dtype="datetime64[ns]" if col.kind == "date" else ("float64" if col.kind == "number" else "str"),
            )
    return frame


def indicators(ctx: Context, settings: dict[str, dict], profile: Profile) -> dict:
    """The organisation's figures from its records (the keyword arguments of
    :class:`~disruption_qa.results.Indicators` but the validation figures, known once the schema run is done)."""
    counted = ctx.counted
    total = len(counted)
    by_strand = _counts(counted["strand"], c.STRANDS)
    late = lateness(ctx.records, ctx.start, ctx.end, settings["W107"]["days"], ctx.happened)
    _, top_n, named, recorders = top_recorder(ctx.in_period)
    allowed = settings["W103"]["allowed_threat_types"]
    non_ocg = int((ctx.in_period["threat_type"].notna() & ~ctx.in_period["threat_type"].isin(allowed)).sum())
    in_period = len(ctx.in_period)
    result = {
        "lead_disruptions": total,
        "support_disruptions": int((ctx.in_period["disruption_type"] == c.SUPPORT).sum()),
        "records_in_period": in_period,
        "by_strand": by_strand,
        **strand_shares(by_strand, total),
        "happened_in_period": len(late.happened),
        "late_records": len(late.late),
        "late_share": late.share,
        "median_lag_days": float(late.lag_days.median()) if len(late.lag_days) else None,
        "entered_after_period": len(late.entered_after),
        "recorders": recorders,
        "top_recorder_share": top_n / named if named else None,
        "non_ocg_records": non_ocg,
        "non_ocg_share": non_ocg / in_period if in_period else None,
    }
    if profile.also_by_disruption_date:
        result["by_disruption_date"] = by_disruption_date(ctx, profile)
    if ctx.threats is not None:
        threats, scope = ctx.threats, ctx.threats_in_scope
        active_threats = len(ctx.active_threats)
        held = ctx.officers
        result.update(
            threats=len(threats),
            threats_by_type=_counts(threats["threat_type"], c.THREAT_TYPES),
            threats_in_scope=len(scope),
            threat_phases_in_scope=list(c.PHASES_IN_SCOPE),
            active_threats=active_threats,
            unassessed_threats=int(unassessed(scope, ctx.as_of, settings["W106"]["moderation_days"])["any"].sum()),
            officers=len(held),
            threats_per_officer_median=float(held.median()) if len(held) else None,
            threats_per_officer_max=int(held.max()) if len(held) else None,
            disruptions_per_active_threat=total / active_threats if active_threats else None,
        )
    return result


def by_disruption_date(ctx: Context, profile: Profile) -> dict:
    """The headline figures again, the period taken on Disruption Date (what happened in it, whenever it was
    entered up to the extraction), with the records entered after the period ended: their count and strands."""
    dates = ctx.records["disruption_date"]
    happened = _where(ctx.records, (dates >= pd.Timestamp(ctx.start)) & (dates <= pd.Timestamp(ctx.end)))
    counted = _where(happened, profile.counted(happened))
    by_strand = _counts(counted["strand"], c.STRANDS)
    after = counted[counted["record_date"] > pd.Timestamp(ctx.end)]
    return {
        "lead_disruptions": len(counted),
        "by_strand": by_strand,
        **strand_shares(by_strand, len(counted)),
        "entered_after_period": len(after),
        "entered_after_period_by_strand": _counts(after["strand"], c.STRANDS),
    }


def _counts(values: pd.Series, of) -> dict[str, int]:
    """How many of ``values`` are each of ``of`` (one counting pass, not one comparison each)."""
    counts = values.value_counts()
    return {v: int(counts.get(v, 0)) for v in of}


@dataclass
class _Prepared:
    """What every organisation's checks share: split once, inherited by forked workers."""

    validation: Validation
    profile: Profile
    settings: dict[str, dict]
    period: Period
    checks: list
    by_org: _Split
    threats_by_org: _Split | None
    master_by_id: pd.DataFrame | None
    sources: dict[str, RecordSource]
    include_summaries: bool


#: From this many disruption records, the checks across organisations run beside the organisations' checks (on
#: a spare core) rather than after them: below it, a process started for them costs more than it saves.
ACROSS_ROWS = 100_000


@dataclass
class _Across:
    """The checks across organisations (``scope = EXTRACTION``) and the whole extraction they look at."""

    checks: list
    whole: Extraction
    include_summaries: bool


def _check_across(a: _Across) -> dict[str, dict[str, Finding]]:
    """Each check across organisations: its finding for each organisation (by check ID, then organisation name),
    located, with the records a report lists."""
    out = {}
    for check in a.checks:
        found = check.evaluate_all(a.whole)
        names = list(found)
        tables = record_tables([found[n] for n in names], a.whole.sources, include_summaries=a.include_summaries)
        out[check.id] = {
            n: found[n] if table is None else replace(found[n], shown=table) for n, table in zip(names, tables)
        }
    return out


@dataclass
class _Checked:
    """What a worker found for one organisation (the validation problems are added once they are known)."""

    organisation: c.Organisation
    indicators: dict
    findings: list[Finding]
    figures: Figures


def _between(dates: pd.Series, start: pd.Timestamp, end: pd.Timestamp) -> pd.Series:
    return (dates >= start) & (dates <= end)


def run_checks(
    validation: Validation,
    *,
    profile: Profile,
    settings: dict[str, dict],
    period: Period,
    organisations: list[c.Organisation],
    pool: Pool,
    include_summaries: bool = False,
    progress: Callable[[str], None] | None = None,
    local: list | tuple = (),
) -> list[OrganisationResult]:
    """Every enabled check for each organisation (the catalogue's, then the ``local`` rules' check classes), on
    the ``pool``'s cores: one result each, with its validation problems."""
    start, end = pd.Timestamp(period.start), pd.Timestamp(period.end)
    everything = validation.frames["disruptions"]
    # the checks look at the records of the period by either date, no further: the rest is in no organisation's part
    relevant = _between(everything[profile.period_column], start, end) | _between(
        everything["disruption_date"], start, end
    )
    # the free text (the largest column) is left out first
    disruptions = _for_checks(everything.drop(columns=list(NOT_FOR_CHECKS), errors="ignore"), c.DISRUPTIONS)
    threats = validation.frames.get("threats")
    if threats is not None:
        threats = _for_checks(threats, c.THREATS)
    checks = [cls(settings[cls.id]) for cls in (*CATALOGUE, *local) if settings[cls.id].get("enabled", True)]
    sources = {e.kind.key: RecordSource(e, validation.frames[e.kind.key]) for e in validation.exports}
    across = _Across(
        checks=[check for check in checks if check.scope == EXTRACTION],
        whole=Extraction(
            organisations=organisations,
            start=period.start,
            end=period.end,
            records=disruptions,
            sources=sources,
            period_column=profile.period_column,
        ),
        include_summaries=include_summaries,
    )
    # a large extraction's checks across organisations run on a spare core beside the organisations' checks
    found = pool.alongside(_check_across, across) if across.checks and len(disruptions) >= ACROSS_ROWS else None
    prepared = _Prepared(
        validation=validation,
        profile=profile,
        settings=settings,
        period=period,
        checks=checks,
        by_org=_Split.of(disruptions, "recording_organisation", where=relevant),
        threats_by_org=_Split.of(threats, "owning_organisation") if threats is not None else None,
        master_by_id=threats.drop_duplicates("threat_id").set_index("threat_id", drop=False).rename_axis(None)
        if threats is not None
        else None,
        sources=sources,
        include_summaries=include_summaries,
    )
    checked = pool.map(_check_organisation, prepared, organisations, progress, lambda i, org: org.name)
    by_check = found.result() if found is not None else _check_across(across)
    for one in checked:  # each organisation's findings in catalogue order, those across organisations slotted in
        own = iter(one.findings)
        one.findings = [by_check[c.id][one.organisation.name] if c.id in by_check else next(own) for c in checks]
    # last: a large extraction's schema run went on beside the checks (see validation.validate)
    issues: dict[str, list[Issue]] = {}
    for issue in validation.issues:
        if issue.organisation is not None:
            issues.setdefault(issue.organisation, []).append(issue)
    recorded = everything["recording_organisation"].value_counts().to_dict()  # whatever their dates
    return [
        _result(p, prepared, issues.get(p.organisation.name, []), recorded.get(p.organisation.name, 0)) for p in checked
    ]


def _result(checked: _Checked, p: _Prepared, issues: list[Issue], records: int) -> OrganisationResult:
    errors = len(issues)
    return OrganisationResult(
        organisation=checked.organisation,
        period=p.period,
        extraction_date=p.validation.extraction_date,
        profile=p.profile.name,
        period_basis=p.profile.period_basis,
        files=p.validation.files,
        indicators=Indicators(
            **checked.indicators,
            validation_errors=errors,
            validation_errors_per_100=round(errors / records * 100, 2) if records else None,
        ),
        findings=checked.findings,
        validation_errors=issues,
        figures=checked.figures,
    )


def _where(frame: pd.DataFrame, mask: pd.Series) -> pd.DataFrame:
    """The rows of ``frame`` where ``mask`` holds; the frame itself when it holds everywhere (the usual case
    for the profile's filters), with no copy of every column."""
    return frame if mask.all() else frame[mask]


def _check_organisation(p: _Prepared, org: c.Organisation) -> _Checked:
    """One organisation's context, findings (located, with the records a report lists), indicators and
    report figures."""
    start, end = pd.Timestamp(p.period.start), pd.Timestamp(p.period.end)
    records = p.by_org.part(org.name)
    dates = records[p.profile.period_column]
    in_period = _where(records, (dates >= start) & (dates <= end))
    own_threats = p.threats_by_org.part(org.name) if p.threats_by_org is not None else None
    ctx = Context(
        organisation=org,
        start=p.period.start,
        end=p.period.end,
        extraction_date=p.validation.extraction_date,
        records=records,
        in_period=in_period,
        counted=_where(in_period, p.profile.counted(in_period)),
        threats=_where(own_threats, p.profile.threats_counted(own_threats)) if own_threats is not None else None,
        all_threats=own_threats,
        master_list=p.master_by_id,
        sources=p.sources,
        period_column=p.profile.period_column,
    )
    findings = [check.evaluate(ctx) for check in p.checks if check.scope != EXTRACTION]
    tables = record_tables(findings, p.sources, include_summaries=p.include_summaries)
    monthly = monthly_by_strand(ctx.counted, p.period.start, p.period.end, p.profile.period_column)
    by_strand = {s: monthly[s].astype(int).tolist() for s in monthly.columns}
    return _Checked(
        organisation=org,
        indicators=indicators(ctx, p.settings, p.profile),
        findings=[f if table is None else replace(f, shown=table) for f, table in zip(findings, tables)],
        figures=Figures(
            months=list(monthly.index),
            monthly=by_strand,
            lag=lag_distribution(ctx.happened[1]),
            control=monthly_charts(list(monthly.index), by_strand),
        ),
    )
