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

Forces differ for real reasons beyond chance, so once counts are in the
hundreds those plain limits flag nearly every force. Following Spiegelhalter
("Handling over-dispersion of performance indicators", Quality and Safety in
Health Care 2005), the spread is measured first (:func:`dispersion`): each
force's z-score ``(y - p0) / s``, winsorised at the 10th and 90th percentiles,
gives ``phi = mean(z²)``; when ``I·phi`` is beyond the 95% point of chi-squared
with ``I - 1`` degrees of freedom (I forces, at least five), the limits widen by
the additive random-effects term ``tau² = (I·phi - (I - 1)) / (Σw - Σw²/Σw)``,
``w = 1/s²``, to ``p0 ± z·sqrt(s² + tau²)``. A funnel then says whether a force
differs from its peers more than forces usually differ; W101's thresholds say
whether its recording meets the standard, whatever its peers do.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from statistics import NormalDist

import numpy as np

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
    (
        "vulnerability_share",
        "SOC vulnerability share of the master list",
        lambda i: i.threats_by_type["SOC Vulnerability"] if i.has_master_list else 0,
        lambda i: i.threats or 0,
    ),
)
#: The rates compared with funnel plots (Poisson: the variance of a force's rate is ``r0 / n``).
RATE_METRICS = (
    (
        "disruptions_per_active_threat",
        "Lead disruptions per active threat",
        lambda i: i.lead_disruptions,
        lambda i: i.active_threats or 0,
    ),
)


#: The share of z-scores winsorised at each end before the spread between forces is measured (Spiegelhalter).
WINSORISED = 0.10
#: The fewest forces whose spread can be measured.
MIN_FORCES = 5


def variance(p0: float, n: float, rate: bool = False) -> float:
    """The chance variance of a force's value around ``p0`` for ``n`` records: binomial for a share
    (``p0(1-p0)/n``), Poisson for a rate per unit (``p0/n``)."""
    return p0 / n if rate else p0 * (1 - p0) / n


def control_limits(p0: float, n: int, z: float, tau2: float = 0.0, rate: bool = False) -> tuple[float, float]:
    """Normal-approximation limits around the pooled value ``p0`` for ``n`` records, widened by the between-force
    variance ``tau2`` (0: the plain limits), clipped to [0, 1] for a share and at 0 for a rate."""
    if n <= 0:
        return (0.0, math.inf) if rate else (0.0, 1.0)
    half = z * math.sqrt(variance(p0, n, rate) + tau2)
    return max(0.0, p0 - half), p0 + half if rate else min(1.0, p0 + half)


def chi2_95(df: int) -> float:
    """The 95% point of chi-squared with ``df`` degrees of freedom (Wilson and Hilferty's cube-root
    approximation, within 1% from 3 degrees of freedom)."""
    z = NormalDist().inv_cdf(0.95)
    return df * (1 - 2 / (9 * df) + z * math.sqrt(2 / (9 * df))) ** 3


@dataclass
class Dispersion:
    """How far the forces' shares spread beyond chance, and whether the limits were widened for it."""

    forces: int
    #: The winsorised over-dispersion estimate (1: as chance allows); None when it cannot be measured.
    phi: float | None
    #: The additive between-force variance the limits are widened by (0: plain limits).
    tau2: float
    #: Whether the limits were widened.
    adjusted: bool
    #: Why, in words.
    reason: str


def dispersion(pairs: list[tuple[int, int]], p0: float, rate: bool = False) -> Dispersion:
    """The spread of the forces' values ``x / n`` around ``p0`` (Spiegelhalter 2005, additive random effects)."""
    forces = len(pairs)
    if forces < MIN_FORCES or not 0 < p0 < (math.inf if rate else 1):
        why = f"with {forces} forces" if forces < MIN_FORCES else "with a pooled value at its bound"
        return Dispersion(forces, None, 0.0, False, f"no adjustment for over-dispersion is possible {why}")
    x, n = (np.array(v, dtype=float) for v in zip(*pairs))
    s2 = variance(p0, n, rate)
    z = (x / n - p0) / np.sqrt(s2)
    low, high = np.quantile(z, [WINSORISED, 1 - WINSORISED])
    phi = float(np.mean(np.clip(z, low, high) ** 2))
    if forces * phi <= chi2_95(forces - 1):
        why = f"the forces spread no more than chance allows (phi {phi:.2f}): plain limits"
        return Dispersion(forces, phi, 0.0, False, why)
    w = 1 / s2
    tau2 = float((forces * phi - (forces - 1)) / (w.sum() - (w**2).sum() / w.sum()))
    why = f"the forces spread more than chance allows (phi {phi:.2f}): limits widened by tau {math.sqrt(tau2):.3f}"
    return Dispersion(forces, phi, tau2, True, why)


@dataclass
class FunnelPoint:
    organisation: str
    n: int
    x: int
    share: float
    limits95: tuple[float, float]
    limits998: tuple[float, float]
    status: str  # within | alert-high | alert-low | outlier-high | outlier-low, against the limits used
    #: The status against the plain limits (the same when they were not widened).
    plain_status: str = "within"


@dataclass
class Funnel:
    metric: str
    label: str
    pooled: float | None
    points: list[FunnelPoint] = field(default_factory=list)
    dispersion: Dispersion | None = None
    #: A rate per unit (Poisson), not a share (binomial).
    rate: bool = False

    @property
    def outliers(self) -> list[FunnelPoint]:
        return [p for p in self.points if p.status != "within"]

    @property
    def plain_outliers(self) -> list[FunnelPoint]:
        return [p for p in self.points if p.plain_status != "within"]


def classify(share: float, n: int, p0: float, tau2: float = 0.0, rate: bool = False) -> tuple[str, tuple, tuple]:
    lo95, hi95 = control_limits(p0, n, Z95, tau2, rate)
    lo998, hi998 = control_limits(p0, n, Z998, tau2, rate)
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


def funnel(results: list[OrganisationResult], metric: str, label: str, num, den, rate: bool = False) -> Funnel:
    """One funnel over the police forces that have records for the measure."""
    pairs = [
        (r.organisation.name, int(num(r.indicators)), int(den(r.indicators)))
        for r in results
        if r.organisation.kind == "force" and den(r.indicators)
    ]
    total_n = sum(n for _, _, n in pairs)
    if not total_n:
        return Funnel(metric, label, None, rate=rate)
    p0 = sum(x for _, x, _ in pairs) / total_n
    spread = dispersion([(x, n) for _, x, n in pairs], p0, rate)
    points = []
    for name, x, n in pairs:
        status, l95, l998 = classify(x / n, n, p0, spread.tau2, rate)
        points.append(FunnelPoint(name, n, x, x / n, l95, l998, status, classify(x / n, n, p0, rate=rate)[0]))
    return Funnel(metric, label, p0, points, spread, rate)


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
    #: W117's finding for each organisation (lead and support reconciled across them): organisation, report,
    #: status, message; empty when W117 did not run.
    reconciliation: list[dict] = field(default_factory=list)
    #: What each organisation's control charts of the months say (``spc``): organisation, report, the signals'
    #: sentences, and why no limits were drawn (or None). Information, not warning signs.
    control: list[dict] = field(default_factory=list)

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
                    "method": ("normal approximation to the Poisson" if f.rate else "normal approximation")
                    + ", 95% and 99.8% limits"
                    + (
                        ", widened for over-dispersion (additive random effects)"
                        if f.dispersion and f.dispersion.adjusted
                        else ""
                    ),
                    "dispersion": asdict(f.dispersion) if f.dispersion else None,
                    "points": [asdict(p) for p in f.points],
                }
                for f in self.funnels
            ],
            "inspection_figures": self.figures,
            "reconciliation": self.reconciliation,
            "control_charts": self.control,
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
    funnels = [funnel(results, *m) for m in FUNNEL_METRICS] + [funnel(results, *m, rate=True) for m in RATE_METRICS]
    figures = inspection_figures(results, extraction_date)
    if funnels[0].pooled is not None:
        figures.append(pursue_in_words(funnels[0], results))
    return Comparison(
        profile=profile,
        period=period,
        extraction_date=extraction_date,
        rows=[row(r) for r in results],
        funnels=funnels,
        figures=figures,
        has_master_list=any(r.indicators.has_master_list for r in results),
        reconciliation=reconciliation(results),
        control=control_signals(results),
    )


def control_signals(results: list[OrganisationResult]) -> list[dict]:
    """Each organisation's control-chart signals over the months of the period, in sentences."""
    return [
        {
            "organisation": r.organisation.name,
            "report": f"{r.slug}/report.html",
            "signals": [s.sentence for chart in r.figures.control for s in chart.signals],
            # why the months' count has no limits (the period's months are too few), or None
            "reason": r.figures.control[0].reason,
        }
        for r in results
        if r.figures is not None and r.figures.control
    ]


def reconciliation(results: list[OrganisationResult]) -> list[dict]:
    """What W117 (lead and support reconciled across organisations) found for each organisation."""
    out = []
    for r in results:
        for f in r.findings:
            if f.check == "W117":
                out.append(
                    {
                        "organisation": r.organisation.name,
                        "report": f"{r.slug}/report.html",
                        "status": f.status,
                        "message": f.message,
                    }
                )
    return out


def pursue_in_words(f: Funnel, results: list[OrganisationResult]) -> dict:
    """The pursue-share funnel's result in a sentence, beside W101's: whether a force differs from its peers more
    than forces usually differ, and which forces' recording is pursue-heavy whatever their peers do."""
    regions = {r.organisation.region for r in results}
    region = next(iter(regions)) if len(regions) == 1 else None
    where = f"in the {region} region" if region else "among the forces compared"
    allowing = "Allowing for the usual differences between forces" if f.dispersion.adjusted else "Against its limits"
    out = [p for p in f.points if p.status.startswith("outlier")]
    if out:
        said = "; ".join(
            f"{p.organisation}'s ({share_words(p.share)}) is {'above' if p.status.endswith('high') else 'below'} its"
            f" peers'"
            for p in out
        )
        first = (
            f"{allowing}, the pursue share of {len(out)} force{'s' if len(out) != 1 else ''} stands out {where}: {said}"
        )
    else:
        first = f"{allowing}, no force's pursue share stands out {where}"
    flagged = [
        (r.organisation.name, finding)
        for r in results
        if r.organisation.kind == "force"
        for finding in r.findings
        if finding.check == "W101" and finding.status == FLAGGED
    ]
    errors = [name for name, finding in flagged if finding.severity == "error"]
    if errors:
        limit = next(finding for _, finding in flagged if finding.severity == "error").threshold["error"]
        verb = "is" if len(errors) == 1 else "are"
        second = f"{_names(errors)} {verb} above W101's {share_words(limit)} threshold"
    else:
        second = "no force is above W101's error threshold"
    return {
        "organisation": f"{region} region" if region else "All forces",
        "figure": "pursue funnel",
        "adjusted": f.dispersion.adjusted,
        "outliers": [p.organisation for p in out],
        "plain_outliers": [p.organisation for p in f.plain_outliers if p.plain_status.startswith("outlier")],
        "w101_errors": errors,
        "sentence": f"{first}; {second}.",
    }


def _names(names: list[str]) -> str:
    """``A``, ``A and B``, ``A, B and C``."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
