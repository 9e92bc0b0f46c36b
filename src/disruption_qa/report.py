"""What a per-organisation report shows, computed (never formatted) from a check run's results model.

:func:`build_report` gathers, for one organisation, what the HTML report shows
beyond ``results.json``: strand mixes to compare with, the monthly records by
strand and the recording-lag distribution (``OrganisationResult.figures``),
each sign with the records it lists (``Finding.shown``), and validation
problems grouped by rule. ``render/html.py`` turns it into a page.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import pandas as pd

from . import __version__
from . import contract as c
from .checks import CATALOGUE
from .records import RECORDS_SHOWN
from .results import FLAGGED, Finding, HistoryView, OrganisationResult, Run, severity_order

__all__ = ["RECORDS_SHOWN", "ReportData", "SignView", "ValidationGroup", "build_report", "validation_groups"]


@dataclass
class SignView:
    finding: Finding
    why: str
    #: What the check rests on: the inspection's words, or the tool's own rule (its docstring's Basis).
    basis: str
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
    control: list  # spc.ControlChart: the months' lead disruptions and pursue share
    validation: list[ValidationGroup]
    method: dict
    include_summaries: bool = False
    history: HistoryView | None = None  # when the run history is kept
    check_titles: dict[str, str] = field(default_factory=dict)  # every check's and local rule's title by ID


def validation_groups(issues) -> list[ValidationGroup]:
    """Validation problems grouped by column and rule, largest group first."""
    groups: dict[tuple[str, str], list] = {}
    for issue in issues:
        groups.setdefault((issue.column or "(whole row)", issue.rule), []).append(issue)
    return [
        ValidationGroup(col, rule, len(items), [str(i.cell or i.row) for i in items[:RECORDS_SHOWN]], items[0].message)
        for (col, rule), items in sorted(groups.items(), key=lambda kv: -len(kv[1]))
    ]


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
        counts = {s: sum(r.indicators.by_strand[s] for r in rs) for s in c.STRANDS}
        total = sum(counts.values())
        return {s: (counts[s] / total if total else 0.0) for s in c.STRANDS}, total

    out = [(result.organisation.name, *mix([result]))]
    region = [r for r in results if r.organisation.region == result.organisation.region]
    if len(region) > 1:
        out.append((f"{result.organisation.region} region", *mix(region)))
    if len({r.organisation.region for r in results}) > 1:
        out.append(("All organisations in the export", *mix(results)))
    return out


def build_report(result: OrganisationResult, run: Run) -> ReportData:
    """Everything the report of one organisation of ``run`` shows."""
    flagged = sorted((f for f in result.findings if f.status == FLAGGED), key=severity_order)
    findings = sorted(result.findings, key=lambda f: (f.status != FLAGGED, *severity_order(f)))
    signs = []
    classes = {c.id: c for c in (*CATALOGUE, *run.local_checks)}  # the catalogue's checks and the local rules
    for f in findings:
        sections = classes[f.check].sections()
        table = f.shown
        signs.append(
            SignView(
                f,
                sections.get("Why it matters", ""),
                sections.get("Basis", ""),
                sections.get("What to do", ""),
                list(table.columns) if table else [],
                [list(column) for column in table.cells] if table else [],
                max(0, len(f.records) - RECORDS_SHOWN),
            )
        )
    figures = result.figures
    method = {
        "files": result.files,
        "profile": run.profile.name,
        "profile_description": run.profile.description,
        "disruption_filters": run.profile.disruptions,
        "period_basis": run.profile.period_basis,
        "threat_filters": run.profile.threats,
        "settings": dict(run.settings),
        "extraction_date_source": run.validation.extraction_date_source,
        "value_mappings": run.validation.value_mappings,
        "serial_dates": run.validation.serial_dates,
        "version": __version__,
    }
    return ReportData(
        result=replace(result, figures=None),
        verdict=verdict(result, flagged),
        fix_first=flagged,
        signs=signs,
        mixes=strand_mixes(run.results, result),
        monthly=pd.DataFrame(figures.monthly, index=figures.months, columns=list(c.STRANDS)),
        lag=figures.lag,
        control=figures.control,
        validation=validation_groups(result.validation_errors),
        method=method,
        include_summaries=run.include_summaries,
        history=run.history.get(result.organisation.name),
        check_titles={c.id: c.title for c in classes.values()},
    )
