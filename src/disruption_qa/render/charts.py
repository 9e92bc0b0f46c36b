"""Charts as inline SVG: the geometry is worked out here, the markup is ``templates/_chart.svg``.

Every chart in a report is a handful of bars, lines and points, so the module
lays them out itself rather than through a plotting library: matplotlib took
about 0.1 s per chart, 17 s of CPU for the 168 charts of a national run (see
docs/performance.md); laying out and templating a chart takes about a
millisecond. The output is text throughout (searchable, crisp when printed),
byte-for-byte reproducible, and carries no script. Element IDs are not used,
so several charts can share a page.

Colours are the Okabe-Ito palette, distinguishable with colour-blindness;
every bar also carries its number and every series its own marker or line
style, so nothing is told by colour alone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from .. import format as fmt
from ..contract import STRANDS
from .templates import environment

STRAND_COLOURS = {"Pursue": "#0072B2", "Prevent": "#E69F00", "Protect": "#009E73", "Prepare": "#CC79A7"}
TEXT = "#1f2328"
MUTED = "#57606a"
GRID = "#d0d7de"
AXIS = "#8c959f"

WIDTH = 720
FONT = 12  # px; labels are sized from it
CHAR = 0.58  # average glyph width of a sans-serif face, in ems, to leave room for labels


def text_width(text: str, size: float = FONT) -> float:
    return len(text) * size * CHAR


def nice_ticks(top: float, most: int = 6) -> list[float]:
    """Round tick values from 0 to at least ``top`` (steps of 1, 2, 2.5 or 5 times a power of ten)."""
    if top <= 0:
        return [0, 1]
    raw = top / most
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    if step < 1 and top >= 1:
        step = 1
    count = math.ceil(top / step - 1e-9)
    return [round(i * step, 10) for i in range(count + 1)]


def share_ticks(low: float, high: float) -> list[float]:
    """Percentage ticks covering [low, high] within [0, 1]."""
    span = max(high - low, 0.01)
    step = next(s for s in (0.01, 0.02, 0.05, 0.1, 0.2, 0.25) if span / s <= 6)
    first = math.floor(low / step + 1e-9) * step
    ticks = []
    value = first
    while value < high + step - 1e-9:
        ticks.append(round(min(max(value, 0.0), 1.0), 6))
        if value >= 1:
            break
        value += step
    return sorted(set(ticks))


@dataclass
class Chart:
    """Everything ``templates/_chart.svg`` draws, in pixels of the chart's own coordinate space."""

    label: str
    width: float
    height: float
    rects: list[tuple] = field(default_factory=list)  # x, y, w, h, fill
    lines: list[tuple] = field(default_factory=list)  # points "x,y x,y", stroke, width, dasharray
    marks: list[tuple] = field(default_factory=list)  # shape, x, y, fill
    texts: list[tuple] = field(default_factory=list)  # x, y, text, anchor, fill, size, weight

    def rect(self, x, y, w, h, fill):
        self.rects.append((_r(x), _r(y), _r(w), _r(h), fill))

    def line(self, points, stroke=AXIS, width=1, dash=""):
        self.lines.append((" ".join(f"{_r(x)},{_r(y)}" for x, y in points), stroke, width, dash))

    def mark(self, shape, x, y, fill):
        self.marks.append((shape, _r(x), _r(y), fill))

    def text(self, x, y, text, anchor="middle", fill=TEXT, size=FONT, weight="normal"):
        self.texts.append((_r(x), _r(y), text, anchor, fill, size, weight))

    def legend(self, y: float, entries: list[tuple[str, str, str | None, str]]) -> float:
        """A centred row of legend entries (label, colour, marker shape or None, dash); returns the row's bottom."""
        widths = [34 + text_width(label) for label, *_ in entries]
        x = (self.width - sum(widths) - 12 * (len(entries) - 1)) / 2
        for (label, colour, shape, dash), w in zip(entries, widths):
            if shape is None and not dash:
                self.rect(x, y - 9, 22, 12, colour)
            else:
                self.line([(x, y - 3), (x + 22, y - 3)], colour, 2, dash)
                if shape:
                    self.mark(shape, x + 11, y - 3, colour)
            self.text(x + 28, y + 1, label, anchor="start")
            x += w + 12
        return y + 8

    def svg(self) -> str:
        return environment().get_template("_chart.svg").render(chart=self)


def _r(value: float) -> float:
    return round(float(value), 1)


@dataclass
class Plot:
    """A plot area inside a chart, with linear scales from data to pixels."""

    left: float
    top: float
    width: float
    height: float
    x0: float = 0.0
    x1: float = 1.0
    y0: float = 0.0
    y1: float = 1.0

    def x(self, value: float) -> float:
        return self.left + (value - self.x0) / ((self.x1 - self.x0) or 1) * self.width

    def y(self, value: float) -> float:
        return self.top + self.height - (value - self.y0) / ((self.y1 - self.y0) or 1) * self.height

    @property
    def bottom(self) -> float:
        return self.top + self.height

    @property
    def right(self) -> float:
        return self.left + self.width


def _y_axis(c: Chart, p: Plot, ticks: list[float], fmt, title: str | None = None) -> None:
    for t in ticks:
        y = p.y(t)
        c.line([(p.left, y), (p.right, y)], GRID if t != p.y0 else AXIS)
        c.text(p.left - 6, y + 4, fmt(t), anchor="end")
    if title:
        c.text(4, p.top - 12, title, anchor="start", fill=MUTED)


def _x_labels(c: Chart, p: Plot, positions: list[float], labels: list[str], slot: float) -> None:
    """Category labels under the axis, thinned to every k-th when they would collide."""
    widest = max((text_width(label) for label in labels), default=0)
    every = max(1, math.ceil((widest + 6) / slot)) if slot else 1
    for i, (x, label) in enumerate(zip(positions, labels)):
        if i % every == 0:
            c.text(x, p.bottom + 16, label)


def _margin_for(labels: list[str]) -> float:
    return 10 + max((text_width(label) for label in labels), default=0)


def strand_mix(mixes: list[tuple[str, dict[str, float], int]], label: str) -> str:
    """100% stacked bars: one per organisation or group, strands left to right."""
    names = [m[0] for m in mixes]
    row = 34
    p = Plot(left=_margin_for(names) + 8, top=10, width=0, height=row * len(mixes))
    p.width = WIDTH - p.left - 20
    c = Chart(label, WIDTH, p.bottom + 62)
    for t in (0, 0.2, 0.4, 0.6, 0.8, 1.0):
        x = p.x(t)
        c.line([(x, p.top), (x, p.bottom)], GRID)
        c.text(x, p.bottom + 16, fmt.share(t))
    for i, (name, shares, _total) in enumerate(mixes):
        top = p.top + i * row + 5
        c.text(p.left - 8, top + 16, name, anchor="end")
        left = 0.0
        for strand in STRANDS:
            width = shares.get(strand) or 0.0
            if width > 0:
                c.rect(p.x(left), top, p.x(left + width) - p.x(left), row - 10, STRAND_COLOURS[strand])
                if width >= 0.06:
                    c.text(
                        p.x(left + width / 2),
                        top + 16,
                        fmt.share(width),
                        fill="#ffffff" if strand == "Pursue" else "#000000",
                        weight="bold",
                    )
            left += width
    c.legend(p.bottom + 44, [(s, STRAND_COLOURS[s], None, "") for s in STRANDS])
    return c.svg()


def _stacked_columns(c: Chart, p: Plot, series: list[tuple[str, str, list[float]]], labels: list[str]) -> None:
    """Columns of stacked ``(name, colour, values)`` series, with totals on top where they fit."""
    count = len(labels)
    slot = p.width / max(count, 1)
    totals = [0.0] * count
    for _name, colour, values in series:
        for i, v in enumerate(values):
            if v > 0:
                c.rect(
                    p.left + i * slot + slot * 0.125,
                    p.y(totals[i] + v),
                    slot * 0.75,
                    p.y(totals[i]) - p.y(totals[i] + v),
                    colour,
                )
            totals[i] += v
    widest = max((text_width(fmt.count(t), 10) for t in totals), default=0)
    if widest + 2 <= slot:
        for i, t in enumerate(totals):
            c.text(p.left + (i + 0.5) * slot, p.y(t) - 4, fmt.count(t), size=10)
    _x_labels(c, p, [p.left + (i + 0.5) * slot for i in range(count)], labels, slot)


def _columns_plot(top_value: float, height: float) -> tuple[Plot, list[float]]:
    ticks = nice_ticks(top_value * 1.08)
    p = Plot(left=14 + text_width(fmt.count(ticks[-1])), top=30, width=0, height=height, y1=ticks[-1])
    p.width = WIDTH - p.left - 10
    return p, ticks


def monthly(table, label: str) -> str:
    """Stacked columns of records per month by strand (``table``: month label index, strand columns)."""
    totals = table[list(STRANDS)].sum(axis=1).tolist()
    p, ticks = _columns_plot(max(totals, default=0), 190)
    c = Chart(label, WIDTH, p.bottom + 60)
    _y_axis(c, p, ticks, fmt.count, "records")
    several_years = len({m.split(" ")[-1] for m in table.index}) > 1  # then each January carries its year
    labels = [
        m if several_years and (i == 0 or m.startswith("Jan")) else m.split(" ")[0] for i, m in enumerate(table.index)
    ]
    _stacked_columns(c, p, [(s, STRAND_COLOURS[s], [float(v) for v in table[s].tolist()]) for s in STRANDS], labels)
    c.legend(p.bottom + 44, [(s, STRAND_COLOURS[s], None, "") for s in STRANDS])
    return c.svg()


def lag(buckets: list[tuple[str, int]], label: str) -> str:
    """Columns of records by days between the disruption and its recording."""
    values = [float(b[1]) for b in buckets]
    p, ticks = _columns_plot(max(values, default=0), 160)
    c = Chart(label, WIDTH, p.bottom + 28)
    _y_axis(c, p, ticks, fmt.count, "records")
    _stacked_columns(c, p, [("records", "#0072B2", values)], [b[0] for b in buckets])
    return c.svg()


TREND_SERIES = (
    ("pursue_share", "Pursue", STRAND_COLOURS["Pursue"], "circle", ""),
    ("prevent_share", "Prevent", STRAND_COLOURS["Prevent"], "square", ""),
    ("protect_share", "Protect", STRAND_COLOURS["Protect"], "triangle-up", ""),
    ("late_share", "Late recording", MUTED, "diamond", "6 4"),
)


def trend(rows: list[dict], label: str) -> str:
    """Lines of the strand shares and the late-recording share over runs, one point per extraction."""
    from ..dates import format_date

    p = Plot(left=50, top=12, width=WIDTH - 50 - 30, height=170, x0=-0.5, x1=len(rows) - 0.5)
    c = Chart(label, WIDTH, p.bottom + 60)
    _y_axis(c, p, [0, 0.2, 0.4, 0.6, 0.8, 1.0], fmt.share)
    for key, _name, colour, shape, dash in TREND_SERIES:
        run: list[tuple[float, float]] = []
        for i, r in enumerate(rows + [{key: None}]):
            if r[key] is None:
                if len(run) > 1:
                    c.line(run, colour, 2, dash)
                run = []
                continue
            run.append((p.x(i), p.y(r[key])))
            c.mark(shape, p.x(i), p.y(r[key]), colour)
    _x_labels(
        c,
        p,
        [p.x(i) for i in range(len(rows))],
        [format_date(r["extraction_date"]) or "?" for r in rows],
        p.width / max(len(rows), 1),
    )
    c.legend(p.bottom + 44, [(name, colour, shape, dash) for _k, name, colour, shape, dash in TREND_SERIES])
    return c.svg()


FUNNEL_MARKS = {
    "within": ("circle", "#0072B2"),
    "alert-high": ("triangle-up", "#E69F00"),
    "alert-low": ("triangle-down", "#E69F00"),
    "outlier-high": ("square", "#D55E00"),
    "outlier-low": ("diamond", "#D55E00"),
}


def funnel(f, label: str) -> str:
    """A funnel plot: share against records, pooled line, 95% and 99.8% limits (widened for over-dispersion
    when they were, the plain ones then drawn faintly); outliers named.

    Status is told by marker shape and by the label, not by colour alone.
    """
    from ..comparison import Z95, Z998, control_limits

    tau2 = f.dispersion.tau2 if f.dispersion else 0.0
    top = max(p.n for p in f.points) * 1.08
    first = max(5, min(p.n for p in f.points) * 0.6)
    ns = [first + (top - first) * i / 119 for i in range(120)]
    limits = {z: [control_limits(f.pooled, n, z, tau2, f.rate) for n in ns] for z in (Z95, Z998)}
    plain = {z: [control_limits(f.pooled, n, z, rate=f.rate) for n in ns] for z in (Z95, Z998)} if tau2 else {}
    shares = [pt.share for pt in f.points] + [lo for lo, _ in limits[Z998]] + [hi for _, hi in limits[Z998]]
    if f.rate:  # a rate per unit: from 0 to the highest point or limit
        yticks, value = nice_ticks(max(shares) * 1.05), (lambda v: fmt.number(v, 1))
    else:
        yticks, value = share_ticks(max(0.0, min(shares) - 0.02), min(1.0, max(shares) + 0.02)), fmt.share
    xticks = nice_ticks(top)
    p = Plot(left=50, top=26, width=WIDTH - 50 - 20, height=230, x1=xticks[-1], y0=yticks[0], y1=yticks[-1])
    c = Chart(label, WIDTH, p.bottom + 76)
    _y_axis(c, p, yticks, value, "rate" if f.rate else "share")
    for t in xticks:
        c.text(p.x(t), p.bottom + 16, fmt.count(t))
    c.text(p.left + p.width / 2, p.bottom + 36, "active threats (n)" if f.rate else "records (n)", fill=MUTED)
    for z, dash in ((Z95, "6 4"), (Z998, "2 3")):
        for drawn, colour in ((plain.get(z), GRID), (limits[z], MUTED)):
            if drawn:  # the plain limits, faint, under the widened ones
                c.line([(p.x(n), p.y(min(hi, yticks[-1]))) for n, (_, hi) in zip(ns, drawn)], colour, 1, dash)
                c.line([(p.x(n), p.y(max(lo, yticks[0]))) for n, (lo, _) in zip(ns, drawn)], colour, 1, dash)
    c.line([(p.left, p.y(f.pooled)), (p.right, p.y(f.pooled))], TEXT, 1)
    placed: list[tuple[float, float, float]] = []  # labels so far: left, right, baseline
    for pt in sorted(f.points, key=lambda pt: -pt.share):
        shape, colour = FUNNEL_MARKS[pt.status]
        c.mark(shape, p.x(pt.n), p.y(pt.share), colour)
        if pt.status != "within":
            text = f"{pt.organisation} ({value(pt.share)})"
            right = p.x(pt.n) > p.left + p.width * 0.6  # label to the left of points near the right edge
            x0 = p.x(pt.n) - 8 - text_width(text, 11) if right else p.x(pt.n) + 8
            x1 = x0 + text_width(text, 11)
            y = p.y(pt.share) - 6
            while any(x0 < r and left < x1 and abs(y - b) < 13 for left, r, b in placed):
                y += 13  # move below a label it would overprint
            placed.append((x0, x1, y))
            c.text(x1 if right else x0, y, text, anchor="end" if right else "start", size=11)
    widened = " (widened)" if tau2 else ""
    c.legend(
        p.bottom + 64,
        [
            (f"95% limits{widened}", MUTED, None, "6 4"),
            (f"99.8% limits{widened}", MUTED, None, "2 3"),
            *([("plain limits", GRID, None, "6 4")] if tau2 else []),
            (f"pooled {value(f.pooled)}", TEXT, None, "1 0"),
        ],
    )
    return c.svg()


#: The colour of a point that breaks a control chart's rule (also drawn as a square, not a circle).
SIGNAL = "#D55E00"


def control(chart, label: str, name: str) -> str:
    """A control chart (:class:`~disruption_qa.spc.ControlChart`) of ``name``: the values joined by a line, the
    centre line, the 3-sigma limits dashed (each month's own, for a p chart), and the points that break a rule
    as squares (the others circles), so a signal is told by shape as well as by colour."""
    share, step = chart.percent, chart.kind == "p"
    present = [v for v in chart.values if v is not None]
    bounds = [v for v in chart.upper + chart.lower if v is not None]
    high, low = max(present + bounds, default=1.0), min(present + bounds, default=0.0)
    if share:
        ticks, value = share_ticks(max(0.0, low - 0.02), min(1.0, high + 0.02)), fmt.share
    else:
        ticks, value = nice_ticks(high * 1.08), fmt.count
    n = len(chart.values)
    p = Plot(left=14 + text_width(value(ticks[-1])), top=12, width=0, height=170, x0=-0.5, x1=n - 0.5)
    p.y0, p.y1, p.width = ticks[0], ticks[-1], WIDTH - p.left - 10
    c = Chart(label, WIDTH, p.bottom + 60)
    _y_axis(c, p, ticks, value)
    slot = p.width / max(n, 1)
    if chart.centre is not None:
        c.line([(p.left, p.y(chart.centre)), (p.right, p.y(chart.centre))], TEXT, 1)
        for bound in (chart.upper, chart.lower):
            if step:  # a p chart: each point its own limits, a step each
                for i, v in enumerate(bound):
                    if v is not None:
                        c.line([(p.x(i) - slot / 2, p.y(v)), (p.x(i) + slot / 2, p.y(v))], MUTED, 1, "6 4")
            else:
                c.line([(p.left, p.y(bound[0])), (p.right, p.y(bound[0]))], MUTED, 1, "6 4")
    run: list[tuple[float, float]] = []
    for i, v in enumerate([*chart.values, None]):
        if v is None:
            if len(run) > 1:
                c.line(run, STRAND_COLOURS["Pursue"], 2)
            run = []
        else:
            run.append((p.x(i), p.y(v)))
    special = {i for s in chart.signals for i in range(s.first, s.last + 1)}
    for i, v in enumerate(chart.values):
        if v is not None:
            c.mark(*(("square", p.x(i), p.y(v), SIGNAL) if i in special else ("circle", p.x(i), p.y(v), "#0072B2")))
    several_years = len({label.split(" ")[-1] for label in chart.labels}) > 1
    labels = [
        m if chart.unit != "month" or (several_years and (i == 0 or m.startswith("Jan"))) else m.split(" ")[0]
        for i, m in enumerate(chart.labels)
    ]
    _x_labels(c, p, [p.x(i) for i in range(n)], labels, slot)
    entries = [(name, STRAND_COLOURS["Pursue"], "circle", "")]
    if chart.centre is not None:
        entries += [(f"centre {value(chart.centre)}", TEXT, None, "1 0"), ("3-sigma limits", MUTED, None, "6 4")]
    if special:
        entries.append(("breaks a rule", SIGNAL, "square", ""))
    c.legend(p.bottom + 44, entries)
    return c.svg()
