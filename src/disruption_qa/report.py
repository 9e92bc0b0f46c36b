"""What a per-organisation report shows, computed (never formatted) from a check run.

:func:`build_report` gathers, for one organisation, the figures the HTML report
needs beyond ``results.json``: strand mixes to compare with, the monthly records
by strand and the recording-lag distribution (worked out with the checks, in
``OrganisationResult.figures``), the records behind each flagged sign, and
validation problems grouped by rule. ``render/html.py`` turns it into a page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from . import __version__
from . import contract as c
from .checks.base import FLAGGED, SEVERITIES, Finding
from .dates import UK_FORMAT, format_date
from .engine import OrganisationResult

#: Records listed under each sign in the report; the full list is in fixes.csv.
RECORDS_SHOWN = 50


@dataclass
class SignView:
    finding: Finding
    why: str
    what_to_do: str
    record_columns: list[str]
    #: The records shown (the first RECORDS_SHOWN), column by column: each a list of cell texts.
    cells: list[list[str]]
    more: int

    @property
    def shown(self) -> int:
        """How many records are shown."""
        return len(self.cells[0]) if self.cells else 0

    @property
    def records(self) -> list[dict]:
        """The records shown, row by row: column name -> cell text."""
        return [dict(zip(self.record_columns, row)) for row in zip(*self.cells)]


@dataclass
class ValidationGroup:
    column: str
    rule: str
    count: int
    rows: list[str]
    example: str


@dataclass
class ReportData:
    result: OrganisationResult
    verdict: str
    fix_first: list[Finding]
    signs: list[SignView]
    mixes: list[tuple[str, dict[str, float], int]]  # label, strand -> share, records
    monthly: pd.DataFrame  # index: month label; columns: strands
    lag: list[tuple[str, int]]
    validation: list[ValidationGroup]
    method: dict
    include_summaries: bool = False
    history: object | None = None  # api.HistoryView, when the run history is kept


def validation_groups(issues) -> list[ValidationGroup]:
    """Validation problems grouped by column and rule, largest group first."""
    groups: dict[tuple[str, str], list] = {}
    for issue in issues:
        groups.setdefault((issue.column or "(whole row)", issue.rule), []).append(issue)
    return [
        ValidationGroup(col, rule, len(items), [str(i.cell or i.row) for i in items[:RECORDS_SHOWN]], items[0].message)
        for (col, rule), items in sorted(groups.items(), key=lambda kv: -len(kv[1]))
    ]


def severity_rank(f: Finding) -> tuple:
    return (-SEVERITIES.index(f.severity), f.check)


def verdict(result: OrganisationResult, fix_first: list[Finding]) -> str:
    name = result.organisation.name
    errors = sum(1 for f in fix_first if f.severity == "error")
    warnings = len(fix_first) - errors
    problems = len(result.validation_errors)
    if not fix_first and not problems:
        return f"{name}'s records show none of the warning signs, and every row meets the export contract."
    parts = []
    if errors:
        parts.append(f"{errors} serious warning sign{'s' if errors != 1 else ''}")
    if warnings:
        other = "other " if errors else ""
        parts.append(f"{warnings} {other}warning sign{'s' if warnings != 1 else ''} to look at")
    if problems:
        parts.append(f"{problems} validation problem{'s' if problems != 1 else ''} to fix")
    lead = fix_first[0].message.rstrip(".") if fix_first else ""
    head = f"{name}'s records show " + ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1]
    return head + (f"; first: {lead[0].lower() + lead[1:]}." if lead else ".")


def strand_mixes(results: list[OrganisationResult], result: OrganisationResult) -> list[tuple[str, dict, int]]:
    """The organisation's strand mix, and its region's and the nation's when the export holds them."""

    def mix(rs):
        counts = {s: sum(r.indicators["by_strand"][s] for r in rs) for s in c.STRANDS}
        total = sum(counts.values())
        return {s: (counts[s] / total if total else 0.0) for s in c.STRANDS}, total

    out = [(result.organisation.name, *mix([result]))]
    region = [r for r in results if r.organisation.region == result.organisation.region]
    if len(region) > 1:
        out.append((f"{result.organisation.region} region", *mix(region)))
    if len({r.organisation.region for r in results}) > 1:
        out.append(("All organisations in the export", *mix(results)))
    return out


def build_report(
    result: OrganisationResult,
    results: list[OrganisationResult],
    run,
    *,
    include_summaries: bool = False,
    locator=None,
    history=None,
) -> ReportData:
    """Everything the report of one organisation shows.

    ``run`` is the whole :class:`~disruption_qa.api.CheckRun`; pass a
    :class:`~disruption_qa.api.RecordLocator` as ``locator`` when building many
    reports, so that records are found by ID once per run.
    """
    from .api import RecordLocator
    from .checks import BY_KEY

    locator = locator or RecordLocator(run.validation)
    frames = run.validation.frames

    flagged = sorted((f for f in result.findings if f.status == FLAGGED), key=severity_rank)
    findings = sorted(result.findings, key=lambda f: (f.status != FLAGGED, *severity_rank(f)))
    tables = _record_tables(findings, frames, locator, include_summaries)
    signs = []
    for f, (columns, cells) in zip(findings, tables):
        sections = BY_KEY[f.check].sections()
        signs.append(
            SignView(
                f,
                sections.get("Why it matters", ""),
                sections.get("What to do", ""),
                columns,
                cells,
                max(0, len(f.records) - RECORDS_SHOWN),
            )
        )

    validation = validation_groups(result.validation_errors)
    method = {
        "files": result.files,
        "profile": run.profile.name,
        "profile_description": run.profile.description,
        "disruption_filters": run.profile.disruptions,
        "threat_filters": run.profile.threats,
        "settings": {cid: s for cid, s in run.settings.items()},
        "extraction_date_source": run.validation.extraction_date_source,
        "version": __version__,
    }
    return ReportData(
        result=replace(result, figures=None),
        verdict=verdict(result, flagged),
        fix_first=flagged,
        signs=signs,
        mixes=strand_mixes(results, result),
        monthly=result.figures["monthly"],
        lag=result.figures["lag"],
        validation=validation,
        method=method,
        include_summaries=include_summaries,
        history=history,
    )


DISRUPTION_FIELDS = [
    ("disruption_date", "Disruption Date"),
    ("record_date", "Record Date"),
    ("strand", "4P Strand"),
    ("tactic", "Tactic"),
    ("threat_id", "Threat ID"),
    ("threat_type", "Threat Type"),
    ("assessment_category", "Assessment"),
    ("recorded_by", "Recorded By"),
]
THREAT_FIELDS = [
    ("threat_type", "Threat Type"),
    ("phase", "Phase"),
    ("tier", "Tier"),
    ("morile_score", "MoRiLE Score"),
    ("moderation_status", "Moderation"),
    ("lead_responsible_officer", "Lead Responsible Officer"),
    ("last_review_date", "Last Review Date"),
]


def _record_tables(
    findings: list[Finding], frames: dict[str, pd.DataFrame], locator, include_summaries: bool
) -> list[tuple[list[str], list[list[str]]]]:
    """The table of each finding's first records: its column names and its cells, column by column.

    The records of all the findings from one export are taken and formatted
    together, a column at a time: a national run shows 17,000 records in 56
    reports, and a cell at a time cost half a second.
    """
    from .api import records_kind

    tables: list = [([], []) for _ in findings]
    for kind in ("disruptions", "threats"):
        mine = [(n, f) for n, f in enumerate(findings) if f.records and records_kind(f.check) == kind]
        if not mine:
            continue
        fields, label = (
            (THREAT_FIELDS, "Threat ID") if kind == "threats" else (list(DISRUPTION_FIELDS), "Disruption ID")
        )
        table = frames.get(kind)
        if table is None:
            for n, f in mine:
                tables[n] = ([label], [f.records[:RECORDS_SHOWN]])
            continue
        if kind == "disruptions" and include_summaries:
            fields.append(("summary", "Summary"))
        present = [(k, name) for k, name in fields if k in table.columns]
        at = np.concatenate([locator.positions_of(f, RECORDS_SHOWN) for _, f in mine])
        missing = at < 0
        if missing.all():  # (a frame without rows has no row 0 to stand in for them)
            columns = [[""] * len(at) for _ in present]
        else:
            columns = [_texts(table[k].take(np.where(missing, 0, at)), missing) for k, _ in present]
        names = [label] + [name for _, name in present]
        start = 0
        for n, f in mine:
            ids = f.records[:RECORDS_SHOWN]
            stop = start + len(ids)
            tables[n] = (list(names), [list(ids)] + [column[start:stop] for column in columns])
            start = stop
    return tables


def _texts(values: pd.Series, missing: np.ndarray) -> list[str]:
    """A column's values as the report shows them (dates dd/mm/yyyy, numbers without trailing zeros,
    blanks empty), and empty where ``missing``."""
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        texts = values.dt.strftime(UK_FORMAT).fillna("").tolist()
    else:
        texts = [v if isinstance(v, str) else _cell(v) for v in values.tolist()]
    return [("" if gone else text) for text, gone in zip(texts, missing)] if missing.any() else texts


def _cell(value) -> str:
    """A value as the report shows it: dates dd/mm/yyyy, numbers without trailing zeros, blanks empty."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, (pd.Timestamp, dt.date)):
        return format_date(value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)
