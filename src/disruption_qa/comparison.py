"""Organisations side by side: the comparison table, funnel plots, and the inspectors' figures.

Computes only; ``render/html.py`` draws it (index.html) and ``comparison.json``
serialises it.

Funnel plots (Spiegelhalter, "Funnel plots for comparing institutional
performance", Statistics in Medicine 2005) compare a proportion across
organisations of different sizes without flagging small ones for noise: each
organisation's share is plotted against its number of records, around the
pooled share, with control limits ``p0 ± z·sqrt(p0(1-p0)/n)`` at z = 1.96 (95%)
and z = 3.09 (99.8%). An organisation outside the 99.8% limits is an outlier;
between the 95% and 99.8% limits, an alert. Only police forces are pooled and
plotted: ROCUs and agencies are listed in the table but do different work, and
their support disruptions are reported by exception, as the inspectors did.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

from . import contract as c
from .format import share_words
from .results import FLAGGED, OrganisationResult, severity_order

Z95 = 1.959964
Z998 = 3.090232

#: The proportions compared with funnel plots: (key, label, numerator, denominator) over indicators.
FUNNEL_METRICS = (
    (
        "pursue_share",
        "Pursue share of lead disruptions",
        lambda i: i.by_strand["Pursue"],
        lambda i: i.lead_disruptions,
    ),
    (
        "prevent_share",
        "Prevent share of lead disruptions",
        lambda i: i.by_strand["Prevent"],
        lambda i: i.lead_disruptions,
    ),
    (
        "protect_share",
        "Protect share of lead disruptions",
        lambda i: i.by_strand["Protect"],
        lambda i: i.lead_disruptions,
    ),
    (
        "late_share",
        "Share of disruptions recorded late",
        lambda i: i.late_records,
        lambda i: i.happened_in_period,
    ),
)


def control_limits(p0: float, n: int, z: float) -> tuple[float, float]:
    """Normal-approximation limits around the pooled share ``p0`` for ``n`` records, clipped to [0, 1]."""
    if n <= 0:
        return 0.0, 1.0
    half = z * math.sqrt(p0 * (1 - p0) / n)
    return max(0.0, p0 - half), min(1.0, p0 + half)


@dataclass
class FunnelPoint:
    organisation: str
    n: int
    x: int
    share: float
    limits95: tuple[float, float]
    limits998: tuple[float, float]
    status: str  # within | alert-high | alert-low | outlier-high | outlier-low


@dataclass
class Funnel:
    metric: str
    label: str
    pooled: float | None
    points: list[FunnelPoint] = field(default_factory=list)

    @property
    def outliers(self) -> list[FunnelPoint]:
        return [p for p in self.points if p.status != "within"]


def classify(share: float, n: int, p0: float) -> tuple[str, tuple, tuple]:
    lo95, hi95 = control_limits(p0, n, Z95)
    lo998, hi998 = control_limits(p0, n, Z998)
    if share > hi998:
        status = "outlier-high"
    elif share < lo998:
        status = "outlier-low"
    elif share > hi95:
        status = "alert-high"
    elif share < lo95:
        status = "alert-low"
    else:
        status = "within"
    return status, (lo95, hi95), (lo998, hi998)


def funnel(results: list[OrganisationResult], metric: str, label: str, num, den) -> Funnel:
    """One funnel over the police forces that have records for the measure."""
    pairs = [
        (r.organisation.name, int(num(r.indicators)), int(den(r.indicators)))
        for r in results
        if r.organisation.kind == "force" and den(r.indicators)
    ]
    total_n = sum(n for _, _, n in pairs)
    if not total_n:
        return Funnel(metric, label, None)
    p0 = sum(x for _, x, _ in pairs) / total_n
    points = []
    for name, x, n in pairs:
        status, l95, l998 = classify(x / n, n, p0)
        points.append(FunnelPoint(name, n, x, x / n, l95, l998, status))
    return Funnel(metric, label, p0, points)


@dataclass
class ComparisonRow:
    organisation: str
    kind: str
    region: str
    report: str  # relative link to the organisation's report
    lead_disruptions: int
    support_disruptions: int
    shares: dict[str, float | None]
    disruptions_per_active_threat: float | None
    non_ocg_share: float | None
    median_lag_days: float | None
    late_share: float | None
    top_recorder_share: float | None
    validation_errors_per_100: float | None
    threats: int | None
    vulnerabilities: int | None
    unassessed_threats: int | None
    officers: int | None
    threats_per_officer_median: float | None
    threats_per_officer_max: int | None
    flagged: list[dict]  # check, title, severity


@dataclass
class Comparison:
    profile: str
    period: dict
    extraction_date: str | None
    rows: list[ComparisonRow]
    funnels: list[Funnel]
    figures: list[dict]  # the inspectors' figures: {"organisation", "sentence", numbers...}
    has_master_list: bool

    def to_dict(self) -> dict:
        return {
            "profile": self.profile,
            "period": self.period,
            "extraction_date": self.extraction_date,
            "organisations": [asdict(r) for r in self.rows],
            "funnels": [
                {
                    "metric": f.metric,
                    "label": f.label,
                    "pooled": f.pooled,
                    "method": "normal approximation, 95% and 99.8% limits",
                    "points": [asdict(p) for p in f.points],
                }
                for f in self.funnels
            ],
            "inspection_figures": self.figures,
        }


def row(result: OrganisationResult) -> ComparisonRow:
    i = result.indicators
    flagged = sorted((f for f in result.findings if f.status == FLAGGED), key=severity_order)
    return ComparisonRow(
        organisation=result.organisation.name,
        kind=result.organisation.kind,
        region=result.organisation.region,
        report=f"{result.slug}/report.html",
        lead_disruptions=i.lead_disruptions,
        support_disruptions=i.support_disruptions,
        shares={s: i.share(s) for s in c.STRANDS},
        disruptions_per_active_threat=i.disruptions_per_active_threat,
        non_ocg_share=i.non_ocg_share,
        median_lag_days=i.median_lag_days,
        late_share=i.late_share,
        top_recorder_share=i.top_recorder_share,
        validation_errors_per_100=i.validation_errors_per_100,
        threats=i.threats,
        vulnerabilities=i.threats_by_type["SOC Vulnerability"] if i.has_master_list else None,
        unassessed_threats=i.unassessed_threats,
        officers=i.officers,
        threats_per_officer_median=i.threats_per_officer_median,
        threats_per_officer_max=i.threats_per_officer_max,
        flagged=[{"check": f.check, "title": f.title, "severity": f.severity} for f in flagged],
    )


def by_disruption_date(late: dict) -> dict:
    """The numbers of an organisation's figures by Disruption Date (``Indicators.by_disruption_date``), and the
    clause that says them after the headline sentence (``clause``)."""
    n, p, after = late["lead_disruptions"], late["by_strand"]["Pursue"], late["entered_after_period"]
    mix = ", ".join(f"{k} {v}" for k, v in late["entered_after_period_by_strand"].items() if v)
    clause = (
        f"counting by the date of the disruption, {n}, of which {p} ({share_words(p / n)}) were pursue"
        if n
        else ("counting by the date of the disruption, none")
    )
    if after:
        clause += f", {after} of them entered after the period ended ({mix})"
    return {
        "by_disruption_date": n,
        "by_disruption_date_pursue": p,
        "entered_after_period": after,
        "entered_after_period_by_strand": late["entered_after_period_by_strand"],
        "clause": clause,
    }


def inspection_figures(results: list[OrganisationResult], extraction_date: str | None) -> list[dict]:
    """The figures as an inspection report would quote them, one sentence each, with their numbers."""
    out = []
    forces = [r for r in results if r.organisation.kind == "force" and r.indicators.lead_disruptions]
    for r in results:
        i, name = r.indicators, r.organisation.name
        n, p = i.lead_disruptions, i.by_strand["Pursue"]
        if n:
            figure = {
                "organisation": name,
                "figure": "disruptions",
                "disruptions": n,
                "pursue": p,
                "pursue_share": p / n,
                "sentence": f"{name} recorded {n} disruptions, of which {p} ({share_words(p / n)}) were pursue.",
            }
            late = i.by_disruption_date
            if late and (late["lead_disruptions"], late["by_strand"]) != (n, i.by_strand):
                figure.update(by_disruption_date(late))
                figure["sentence"] = figure["sentence"][:-1] + "; " + figure.pop("clause") + "."
            out.append(figure)
        if i.has_master_list:
            v = i.threats_by_type["SOC Vulnerability"]
            tail = "none of them SOC vulnerabilities" if v == 0 else f"{v} of them SOC vulnerabilities"
            out.append(
                {
                    "organisation": name,
                    "figure": "threats",
                    "threats": i.threats,
                    "vulnerabilities": v,
                    "sentence": f"{name} had {i.threats} SOC threats on the master list, {tail}.",
                }
            )
        if i.support_disruptions and r.organisation.kind != "force":
            out.append(
                {
                    "organisation": name,
                    "figure": "support",
                    "support_disruptions": i.support_disruptions,
                    "sentence": f"{name} also recorded {i.support_disruptions} support disruptions, reported by exception.",
                }
            )
    for region in sorted({r.organisation.region for r in results}):
        members = [r for r in results if r.organisation.region == region]
        if any(r.indicators.has_master_list for r in members):
            total = sum(r.indicators.threats or 0 for r in members)
            out.append(
                {
                    "organisation": f"{region} region",
                    "figure": "region threats",
                    "threats": total,
                    "sentence": f"The {region} region had {total} SOC threats on the master list.",
                }
            )
        region_forces = [r for r in forces if r.organisation.region == region]
        if len(region_forces) > 1:
            top = max(region_forces, key=lambda r: r.indicators.prevent_share)
            share = top.indicators.prevent_share
            out.append(
                {
                    "organisation": top.organisation.name,
                    "figure": "highest prevent share",
                    "prevent_share": share,
                    "sentence": f"{top.organisation.name} had the highest proportion of prevent disruptions ({share_words(share)})"
                    f" of the forces in the {region} region.",
                }
            )
            low = min(region_forces, key=lambda r: r.indicators.lead_disruptions)
            out.append(
                {
                    "organisation": low.organisation.name,
                    "figure": "fewest disruptions",
                    "disruptions": low.indicators.lead_disruptions,
                    "sentence": f"{low.organisation.name} recorded the fewest disruptions in the {region} region"
                    f" ({low.indicators.lead_disruptions}).",
                }
            )
    return out


def compare(
    results: list[OrganisationResult], *, profile: str, period: dict, extraction_date: str | None
) -> Comparison:
    return Comparison(
        profile=profile,
        period=period,
        extraction_date=extraction_date,
        rows=[row(r) for r in results],
        funnels=[funnel(results, *m) for m in FUNNEL_METRICS],
        figures=inspection_figures(results, extraction_date),
        has_master_list=any(r.indicators.has_master_list for r in results),
    )
