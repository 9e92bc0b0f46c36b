"""HTML reports from ``templates/`` with jinja2 (autoescape on): self-contained, no script.

The environment, its loader over the shipped templates and the escaping of
the record tables are in :mod:`.templates`. Anything that came from an input
file is escaped: by the template engine, or, in the rows of the record tables
(:func:`~.templates.record_rows`), by the same escape function before the rows
are put together. The only other markup inserted
unescaped is each chart's SVG, itself rendered from ``templates/_chart.svg``
with autoescape on.
The page is reproducible: the same inputs give the same bytes apart from the
generated-at line in the footer.
"""

from __future__ import annotations

import datetime as dt

from .. import __version__
from ..checks import CATALOGUE
from ..contract import STRANDS
from ..dates import format_date
from ..report import RECORDS_SHOWN
from . import charts
from .templates import FUNNEL_STATUS as STATUS_TEXT
from .templates import compile_templates, environment, num, pct, record_rows

__all__ = ["compile_templates", "render_diff", "render_index", "render_report", "render_validation"]


def generated_line(now: dt.datetime | None = None) -> str:
    now = now or dt.datetime.now().astimezone()
    return f"Generated {now.strftime('%d/%m/%Y %H:%M')}"


def render_report(data, *, now: dt.datetime | None = None) -> str:
    """The report of one organisation (a :class:`~disruption_qa.report.ReportData`)."""
    r = data.result
    name = r.organisation.name
    period = f"{format_date(r.period.start)} to {format_date(r.period.end)}"
    chart_svgs = {
        "mix": charts.strand_mix(
            data.mixes,
            f"Strand mix of {name}'s lead disruptions: "
            + "; ".join(f"{s} {pct(data.mixes[0][1][s])}" for s in STRANDS),
        ),
        "monthly": charts.monthly(data.monthly, "Lead disruptions each month by strand; numbers in the table below"),
        "lag": charts.lag(
            data.lag, "Disruptions by days to record: " + "; ".join(f"{label} {n}" for label, n in data.lag)
        ),
    }
    if data.history is not None and len(data.history.trend) > 1:
        chart_svgs["trend"] = charts.trend(
            data.history.trend,
            "Strand shares and late recording over runs: "
            + "; ".join(
                f"{format_date(t['extraction_date'])} pursue {pct(t['pursue_share'])}" for t in data.history.trend
            ),
        )
    else:
        chart_svgs["trend"] = ""
    monthly_rows = [(month, {s: int(row[s]) for s in STRANDS}) for month, row in data.monthly.iterrows()]
    return (
        environment()
        .get_template("report.html")
        .render(
            r=r,
            data=data,
            ind=r.indicators,
            period=period,
            extraction_date=format_date(r.extraction_date) or "unknown",
            region=f"{r.organisation.region} region" if r.organisation.region else "",
            strands=STRANDS,
            charts=chart_svgs,
            monthly_rows=monthly_rows,
            pct=pct,
            shown=RECORDS_SHOWN,
            record_rows=record_rows,
            titles={cls.id: cls.title for cls in CATALOGUE},
            date=lambda day: format_date(day) or "unknown",
            version=__version__,
            generated_line=generated_line(now),
        )
    )


def render_index(comparison, *, files, title: str, now: dt.datetime | None = None) -> str:
    """The regional or national index: the side-by-side table, funnel plots, inspectors' figures."""
    from ..dates import parse_date

    funnels = [
        (
            f,
            charts.funnel(
                f,
                f"Funnel plot of {f.label.lower()}; "
                + "; ".join(f"{p.organisation} {pct(p.share)} of {p.n}, {STATUS_TEXT[p.status]}" for p in f.points),
            ),
        )
        if f.pooled is not None
        else (f, "")
        for f in comparison.funnels
    ]
    start, end = (parse_date(comparison.period[k]) for k in ("start", "end"))
    extracted = parse_date(comparison.extraction_date) if comparison.extraction_date else None
    return (
        environment()
        .get_template("index.html")
        .render(
            cmp=comparison,
            title=title,
            period=f"{format_date(start)} to {format_date(end)}",
            extraction_date=format_date(extracted) or "unknown",
            show_figures=comparison.profile.startswith("hmicfrs"),
            strands=STRANDS,
            funnels=funnels,
            files=files,
            pct=pct,
            num=num,
            status_text=STATUS_TEXT,
            version=__version__,
            generated_line=generated_line(now),
        )
    )


def render_diff(diff, *, now: dt.datetime | None = None) -> str:
    """What changed between two extractions."""
    d = diff.disruptions
    sides = [("earlier disruptions", d.old), ("later disruptions", d.new)]
    if diff.threats is not None:
        sides += [("earlier master list", diff.threats.old), ("later master list", diff.threats.new)]
    return (
        environment()
        .get_template("diff.html")
        .render(
            diff=diff,
            late=[a for a in d.added if a.get("late")],
            strands=STRANDS,
            sides=sides,
            date=lambda day: format_date(day) or "an unknown date",
            version=__version__,
            generated_line=generated_line(now),
        )
    )


def render_validation(validation, *, now: dt.datetime | None = None) -> str:
    """The ``validate`` report: every problem, grouped by organisation and rule."""
    from ..report import validation_groups

    by_org: dict[str, list] = {}
    for issue in validation.issues:
        by_org.setdefault(issue.organisation or "Rows with no known organisation", []).append(issue)
    return (
        environment()
        .get_template("validation.html")
        .render(
            issues=validation.issues,
            by_organisation=[(org, validation_groups(items)) for org, items in sorted(by_org.items())],
            files=validation.files,
            extraction_date=format_date(validation.extraction_date) or "unknown",
            extraction_date_source=validation.extraction_date_source,
            version=__version__,
            generated_line=generated_line(now),
        )
    )
