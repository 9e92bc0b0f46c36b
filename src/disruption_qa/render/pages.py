"""What each HTML page shows: one typed context a page, the single object its template renders.

A template sees only ``page`` (one of the classes below) and the filters of
:mod:`.templates` (``pct``, ``num``, ``uk_date`` from :mod:`disruption_qa.format`, ``record_rows``,
``funnel_status``); every value it shows is a documented field here, worked out
by the page's ``build`` from the results model.

* :class:`ReportPage`: ``report.html``, from a :class:`~disruption_qa.report.ReportData`;
* :class:`IndexPage`: ``index.html``, from a :class:`~disruption_qa.comparison.Comparison`;
* :class:`ValidationPage`: ``validation.html``, from a :class:`~disruption_qa.results.ValidationResult`;
* :class:`DiffPage`: ``diff.html``, from an :class:`~disruption_qa.diff.ExtractionDiff`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from .. import __version__
from .. import format as fmt
from ..contract import STRANDS
from ..dates import format_date, parse_date
from ..format import share as pct
from ..report import RECORDS_SHOWN, ReportData, ValidationGroup, validation_groups
from ..spc import MIN_POINTS, ControlChart, xmr
from . import charts
from .templates import FUNNEL_STATUS

if TYPE_CHECKING:
    from ..comparison import Comparison, Funnel
    from ..diff import ExtractionDiff, Side
    from ..results import Indicators, Issue, OrganisationResult, ValidationResult


def generated_line(now: dt.datetime | None = None) -> str:
    """The footer's time stamp, the one line that differs between two renderings of the same inputs."""
    now = now or dt.datetime.now().astimezone()
    return f"Generated {now.strftime('%d/%m/%Y %H:%M')}"


def _period(start: dt.date | None, end: dt.date | None) -> str:
    return f"{format_date(start)} to {format_date(end)}"


@dataclass(kw_only=True)
class Page:
    """What every page shows around its content (``_base.html``: banner and footer)."""

    #: The template that renders the page, under ``templates/``.
    template: ClassVar[str]

    #: The footer's "Generated dd/mm/yyyy HH:MM" line.
    generated_line: str
    #: The tool's version, named in the banner and the method.
    version: str = __version__
    #: The 4P strands, in the order the tables' columns show them.
    strands: tuple[str, ...] = STRANDS


@dataclass(frozen=True)
class ReportCharts:
    """The report's charts as inline SVG (from :mod:`.charts`); each one's label reads out its numbers."""

    #: The strand mix of the organisation, and of its region and the nation when the export holds them.
    mix: str
    #: Lead disruptions each month, stacked by strand.
    monthly: str
    #: Disruptions by days from the disruption to its recording.
    lag: str
    #: Strand shares and late recording over the runs in the history; empty below two runs.
    trend: str


@dataclass(frozen=True)
class ControlFigure:
    """One control chart of a report (:mod:`disruption_qa.spc`): the months of the period, or the runs."""

    #: The heading above the chart.
    title: str
    #: The chart's limits, points and signals.
    chart: ControlChart
    #: The chart as inline SVG.
    svg: str


def control_figure(chart: ControlChart, name: str, over: str) -> ControlFigure:
    """``chart`` of ``name`` (``Lead disruptions``, ``Pursue share``) ``over`` the months or the runs, drawn."""
    value = pct if chart.percent else (lambda v: fmt.number(v, 1))
    points = "; ".join(f"{label} {value(v)}" for label, v in zip(chart.labels, chart.values) if v is not None)
    kind = "p chart" if chart.kind == "p" else "XmR chart"
    label = f"{name} {over} ({kind}): {points}"
    if chart.centre is not None:
        label += f"; centre {value(chart.centre)}; {len(chart.signals)} signal(s)"
    return ControlFigure(f"{name} {over} ({kind})", chart, charts.control(chart, label, name))


@dataclass(kw_only=True)
class ReportPage(Page):
    """One organisation's report (``report.html`` and its partials)."""

    template: ClassVar[str] = "report.html"

    #: Everything the report shows, computed from the check run (:func:`disruption_qa.report.build_report`).
    report: ReportData
    #: The period counted, "dd/mm/yyyy to dd/mm/yyyy".
    period: str
    #: The extraction date, dd/mm/yyyy, or "unknown".
    extraction_date: str
    #: "<region> region", or empty for an organisation with no region.
    region: str
    #: The charts, rendered.
    charts: ReportCharts
    #: Lead disruptions each month: (month label, strand -> records), in month order.
    monthly_rows: list[tuple[str, dict[str, int]]]
    #: The control charts: the months of the period, then the pursue share over the runs (from 12 runs).
    control: list[ControlFigure]
    #: How many records are listed under each sign (the rest are in fixes.csv).
    records_shown: int
    #: Each check's title by its ID, to name the signs in the history's changes.
    check_titles: dict[str, str]

    @property
    def result(self) -> OrganisationResult:
        """The organisation's check result (``report.result``: organisation, profile, findings...)."""
        return self.report.result

    @property
    def indicators(self) -> Indicators:
        """The organisation's headline indicators (``result.indicators``)."""
        return self.report.result.indicators

    @classmethod
    def build(cls, data: ReportData, *, now: dt.datetime | None = None) -> ReportPage:
        r = data.result
        name = r.organisation.name
        trend = ""
        if data.history is not None and len(data.history.trend) > 1:
            trend = charts.trend(
                data.history.trend,
                "Strand shares and late recording over runs: "
                + "; ".join(
                    f"{format_date(t['extraction_date'])} pursue {pct(t['pursue_share'])}" for t in data.history.trend
                ),
            )
        return cls(
            report=data,
            period=_period(r.period.start, r.period.end),
            extraction_date=fmt.date(r.extraction_date),
            region=f"{r.organisation.region} region" if r.organisation.region else "",
            charts=ReportCharts(
                mix=charts.strand_mix(
                    data.mixes,
                    f"Strand mix of {name}'s lead disruptions: "
                    + "; ".join(f"{s} {pct(data.mixes[0][1][s])}" for s in STRANDS),
                ),
                monthly=charts.monthly(
                    data.monthly, "Lead disruptions each month by strand; numbers in the table below"
                ),
                lag=charts.lag(
                    data.lag, "Disruptions by days to record: " + "; ".join(f"{label} {n}" for label, n in data.lag)
                ),
                trend=trend,
            ),
            monthly_rows=[(month, {s: int(row[s]) for s in STRANDS}) for month, row in data.monthly.iterrows()],
            control=control_figures(data),
            records_shown=RECORDS_SHOWN,
            check_titles=data.check_titles,
            generated_line=generated_line(now),
        )


def control_figures(data: ReportData) -> list[ControlFigure]:
    """The report's control charts: the months' lead disruptions and pursue share, and the pursue share over
    the runs in the history once there are MIN_POINTS (12) of them with one."""
    names = ("Lead disruptions", "Pursue share")
    out = [control_figure(chart, name, "each month") for chart, name in zip(data.control, names)]
    if data.history is not None:
        runs = [t for t in data.history.trend if t["pursue_share"] is not None]
        if len(runs) >= MIN_POINTS:
            chart = xmr(
                "The pursue share",
                [format_date(t["extraction_date"]) or "?" for t in runs],
                [t["pursue_share"] for t in runs],
                unit="run",
                percent=True,
            )
            out.append(control_figure(chart, "Pursue share", "over the runs"))
    return out


@dataclass(frozen=True)
class FunnelFigure:
    """One funnel plot of the index page."""

    #: The measure's points, pooled share and limits.
    funnel: Funnel
    #: The plot as inline SVG; empty when no force has records for the measure.
    svg: str


@dataclass(kw_only=True)
class IndexPage(Page):
    """The regional or national index (``index.html``): organisations side by side, funnel plots, inspectors' figures."""

    template: ClassVar[str] = "index.html"

    #: The side-by-side rows, funnels and inspectors' figures.
    comparison: Comparison
    #: The page's heading, naming the region or the nation.
    title: str
    #: The period counted, "dd/mm/yyyy to dd/mm/yyyy".
    period: str
    #: The extraction date, dd/mm/yyyy, or "unknown".
    extraction_date: str
    #: Whether the inspectors' figures are shown (under the inspectors' ``hmicfrs`` profiles only).
    show_figures: bool
    #: The files read (path, rows, sha256), for the method.
    files: list[dict]
    #: The funnel plots, one a measure, in the comparison's order.
    funnels: list[FunnelFigure]

    @classmethod
    def build(
        cls, comparison: Comparison, *, files: list[dict], title: str, now: dt.datetime | None = None
    ) -> IndexPage:
        start, end = (parse_date(comparison.period[k]) for k in ("start", "end"))
        extracted = parse_date(comparison.extraction_date) if comparison.extraction_date else None
        return cls(
            comparison=comparison,
            title=title,
            period=_period(start, end),
            extraction_date=fmt.date(extracted),
            show_figures=comparison.profile.startswith("hmicfrs"),
            files=files,
            funnels=[FunnelFigure(f, _funnel_svg(f)) for f in comparison.funnels],
            generated_line=generated_line(now),
        )


def _funnel_svg(f: Funnel) -> str:
    if f.pooled is None:
        return ""
    return charts.funnel(
        f,
        f"Funnel plot of {f.label.lower()}; "
        + "; ".join(
            f"{p.organisation} {fmt.number(p.share, 2) if f.rate else pct(p.share)} of {p.n}, {FUNNEL_STATUS[p.status]}"
            for p in f.points
        ),
    )


@dataclass(kw_only=True)
class ValidationPage(Page):
    """The ``validate`` report (``validation.html``): every problem, grouped by organisation and rule."""

    template: ClassVar[str] = "validation.html"

    #: Every problem found, file by file and row by row.
    issues: list[Issue]
    #: (organisation, its problems grouped by column and rule), organisations in name order; rows no
    #: organisation owns come under "Rows with no known organisation".
    by_organisation: list[tuple[str, list[ValidationGroup]]]
    #: The files read (path, rows, sha256).
    files: list[dict]
    #: The extraction date, dd/mm/yyyy, or "unknown".
    extraction_date: str
    #: Where the extraction date came from (the file's title line, its name, the command line...).
    extraction_date_source: str

    @classmethod
    def build(cls, validation: ValidationResult, *, now: dt.datetime | None = None) -> ValidationPage:
        by_org: dict[str, list] = {}
        for issue in validation.issues:
            by_org.setdefault(issue.organisation or "Rows with no known organisation", []).append(issue)
        return cls(
            issues=validation.issues,
            by_organisation=[(org, validation_groups(items)) for org, items in sorted(by_org.items())],
            files=validation.files,
            extraction_date=fmt.date(validation.extraction_date),
            extraction_date_source=validation.extraction_date_source,
            generated_line=generated_line(now),
        )


@dataclass(kw_only=True)
class DiffPage(Page):
    """What changed between two extractions (``diff.html``)."""

    template: ClassVar[str] = "diff.html"

    #: The disruptions' changes, and the master list's when both lists were given.
    diff: ExtractionDiff
    #: The disruptions added that happened on or before the earlier extraction date.
    late: list[dict]
    #: (which extraction, its file) for every file compared, earlier before later.
    sides: list[tuple[str, Side]]

    @classmethod
    def build(cls, diff: ExtractionDiff, *, now: dt.datetime | None = None) -> DiffPage:
        d = diff.disruptions
        sides = [("earlier disruptions", d.old), ("later disruptions", d.new)]
        if diff.threats is not None:
            sides += [("earlier master list", diff.threats.old), ("later master list", diff.threats.new)]
        return cls(
            diff=diff,
            late=[a for a in d.added if a.get("late")],
            sides=sides,
            generated_line=generated_line(now),
        )
