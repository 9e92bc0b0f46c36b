"""Statistical process control charts: has an organisation's recording shifted beyond month-to-month noise?

Two charts per organisation over the months of the period, and the same for the trend over earlier runs:

* an **XmR chart** (individuals and moving range) of a count, such as the lead disruptions recorded each month:
  centre line the mean, limits the mean ± 2.66 times the mean moving range (the lower one never below zero);
* a **p chart** of a share, such as the pursue share of each month's lead disruptions: centre line the share of
  all the months together, each month's limits p̄ ± 3·√(p̄(1 − p̄)/nᵢ) from its own number of records.

Points that break the rules NHS England's *Making Data Count* programme reads SPC charts by are marked
("Making Data Count: Strengthening your decisions", NHS England and NHS Improvement, 2019; the rules as the
NHS-R Community's NHSRplotthedots package implements them):

* ``outside``: a point beyond the 3-sigma limits;
* ``shift``: a run of :data:`RUN` (7) or more points in a row on the same side of the centre line (a point on the
  line breaks the run);
* ``trend``: a run of :data:`RUN` (7) or more points in a row each higher, or each lower, than the one before
  (an equal point breaks the run).

The programme's fourth rule, two of three points beyond 2 sigma, is left out: on twelve monthly points its
extra false alarms outweigh what it finds. With fewer than :data:`MIN_POINTS` (12) points no limits are drawn
and nothing is read. The charts inform; they are not a warning sign and never change the exit code, because
run rules on twelve points raise a false alarm for several organisations in any region.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from itertools import pairwise

#: Points a chart needs before limits are drawn and rules read.
MIN_POINTS = 12
#: Points in a row that make a shift (one side of the centre line) or a trend (rising or falling).
RUN = 7
#: The XmR chart's scaling of the mean moving range to 3-sigma limits (3 / d2, d2 = 1.128 for ranges of two).
XMR_SCALE = 2.66

OUTSIDE, SHIFT, TREND = "outside", "shift", "trend"


@dataclass
class Signal:
    """One rule broken: which (``rule``), over which points (``first`` to ``last``, indexes into the chart's
    labels), which way (``up`` or ``down``), and a sentence that says it."""

    rule: str
    direction: str
    first: int
    last: int
    sentence: str


@dataclass
class ControlChart:
    """One series on its control chart: ``values`` (None where a point has no data, such as a share of a
    month without records), with its centre line and limits (None with fewer than MIN_POINTS points)."""

    measure: str  # what the values are, for sentences: "Lead disruptions", "Pursue share"
    kind: str  # "xmr" or "p"
    labels: list[str]
    values: list[float | None]
    centre: float | None = None
    lower: list[float | None] = field(default_factory=list)
    upper: list[float | None] = field(default_factory=list)
    signals: list[Signal] = field(default_factory=list)
    #: Why no limits are drawn, or None when they are.
    reason: str | None = None
    #: What one point is, for sentences: a month, or a run of the tool.
    unit: str = "month"
    #: Whether the values are shares (0 to 1), shown as percentages.
    percent: bool = False

    @property
    def points(self) -> int:
        return sum(v is not None for v in self.values)

    def to_dict(self) -> dict:
        return {
            "measure": self.measure,
            "kind": self.kind,
            "unit": self.unit,
            "percent": self.percent,
            "labels": self.labels,
            "values": self.values,
            "centre": self.centre,
            "lower": self.lower,
            "upper": self.upper,
            "reason": self.reason,
            "signals": [s.__dict__ for s in self.signals],
        }


def xmr(
    measure: str, labels: list[str], values: list[float], unit: str = "month", percent: bool = False
) -> ControlChart:
    """An XmR chart of ``values`` (counts, or shares with ``percent``), one per label."""
    chart = ControlChart(measure, "xmr", list(labels), [float(v) for v in values], unit=unit, percent=percent)
    if not _enough(chart):
        return chart
    mean = sum(values) / len(values)
    ranges = [abs(b - a) for a, b in pairwise(values)]
    width = XMR_SCALE * sum(ranges) / len(ranges)
    chart.centre = mean
    chart.lower = [max(0.0, mean - width)] * len(values)
    chart.upper = [min(1.0, mean + width) if percent else mean + width] * len(values)
    chart.signals = read(chart)
    return chart


def p_chart(measure: str, labels: list[str], hits: list[int], totals: list[int], unit: str = "month") -> ControlChart:
    """A p chart of ``hits / totals`` per label, each point with limits from its own total (none without one)."""
    values = [h / n if n else None for h, n in zip(hits, totals)]
    chart = ControlChart(measure, "p", list(labels), values, unit=unit, percent=True)
    if not _enough(chart):
        return chart
    p = sum(hits) / sum(totals)
    chart.centre = p
    spread = [3 * math.sqrt(p * (1 - p) / n) if n else None for n in totals]
    chart.lower = [max(0.0, p - s) if s is not None else None for s in spread]
    chart.upper = [min(1.0, p + s) if s is not None else None for s in spread]
    chart.signals = read(chart)
    return chart


def _enough(chart: ControlChart) -> bool:
    if chart.points < MIN_POINTS:
        chart.reason = (
            f"{chart.points} point{'s' if chart.points != 1 else ''}: limits need at least {MIN_POINTS},"
            " so none are drawn"
        )
        return False
    return True


def read(chart: ControlChart) -> list[Signal]:
    """The rules ``chart`` breaks, in order of their first point: each run of points beyond a limit on one side,
    each shift and each trend (a run longer than RUN is one signal)."""
    values, centre = chart.values, chart.centre
    at = [i for i, v in enumerate(values) if v is not None]  # a month without data neither breaks nor makes a run
    signals = []
    side = [_sign(values[i] - centre) for i in at]
    beyond = [1 if values[i] > chart.upper[i] else -1 if values[i] < chart.lower[i] else 0 for i in at]
    for start, end, sign in _runs(beyond, 1):
        signals.append(_signal(chart, OUTSIDE, sign, at[start], at[end]))
    for start, end, sign in _runs(side, RUN):
        signals.append(_signal(chart, SHIFT, sign, at[start], at[end]))
    steps = [_sign(values[b] - values[a]) for a, b in pairwise(at)]
    for start, end, sign in _runs(steps, RUN - 1):  # RUN points rising make RUN - 1 steps up
        signals.append(_signal(chart, TREND, sign, at[start], at[end + 1]))
    return sorted(signals, key=lambda s: (s.first, s.rule))


def _sign(x: float) -> int:
    return 1 if x > 0 else -1 if x < 0 else 0


def _runs(signs: list[int], length: int) -> list[tuple[int, int, int]]:
    """Each maximal run of equal non-zero ``signs`` at least ``length`` long: (first, last, sign)."""
    out, start = [], 0
    for i in range(1, len(signs) + 1):
        if i == len(signs) or signs[i] != signs[start]:
            if signs[start] != 0 and i - start >= length:
                out.append((start, i - 1, signs[start]))
            start = i
    return out


def _signal(chart: ControlChart, rule: str, sign: int, first: int, last: int) -> Signal:
    direction = "up" if sign > 0 else "down"
    start, end = chart.labels[first], chart.labels[last]
    what = chart.measure
    n = sum(v is not None for v in chart.values[first : last + 1])
    if rule == OUTSIDE:
        where = "above" if sign > 0 else "below"
        span = f"in {start}" if first == last else f"from {start} to {end}"
        sentence = f"{what} was {where} its usual range {span}."
    elif rule == SHIFT:
        where = "above" if sign > 0 else "below"
        sentence = f"{what} stayed {where} its average for {n} {chart.unit}s in a row, from {start} to {end}."
    else:
        way = "rose" if sign > 0 else "fell"
        sentence = f"{what} {way} {chart.unit} on {chart.unit} for {n} {chart.unit}s, from {start} to {end}."
    return Signal(rule, direction, first, last, sentence)


def monthly_charts(months: list[str], by_strand: dict[str, list[int]]) -> list[ControlChart]:
    """An organisation's months on their control charts: the lead disruptions counted each month (XmR) and
    the pursue share of them (p chart)."""
    totals = [sum(month) for month in zip(*by_strand.values())]
    return [
        xmr("The number of lead disruptions", months, totals),
        p_chart("The pursue share", months, by_strand["Pursue"], totals),
    ]
