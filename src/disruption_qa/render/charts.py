"""Charts as inline SVG, drawn by matplotlib (a well-kept library, no network, no script).

Each function returns an ``<svg>`` string ready to be placed in a page: text
stays text (searchable, crisp when printed), the output is byte-for-byte
reproducible (fixed hash salt, no date in the metadata), and element IDs are
prefixed so several charts can share a page. Colours are the Okabe-Ito
palette, distinguishable with colour-blindness; every bar also carries its
number, so nothing is told by colour alone.
"""

from __future__ import annotations

import io
import re

import matplotlib
from matplotlib.figure import Figure  # not pyplot: no GUI machinery, a faster start

STRAND_COLOURS = {"Pursue": "#0072B2", "Prevent": "#E69F00", "Protect": "#009E73", "Prepare": "#CC79A7"}
TEXT = "#1f2328"

matplotlib.rcParams.update(
    {
        "svg.hashsalt": "disruption-qa",
        "svg.fonttype": "none",
        "font.family": "sans-serif",
        "font.size": 9,
        "axes.edgecolor": "#8c959f",
        "axes.labelcolor": TEXT,
        "xtick.color": TEXT,
        "ytick.color": TEXT,
        "axes.spines.top": False,
        "axes.spines.right": False,
    }
)


def _axes(figsize: tuple[float, float]):
    fig = Figure(figsize=figsize)
    return fig, fig.subplots()


def _svg(fig, prefix: str, label: str) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None}, bbox_inches="tight")
    svg = buf.getvalue()
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r'id="([^"]+)"', lambda m: f'id="{prefix}-{m.group(1)}"', svg)
    svg = re.sub(r'(url\(#|href="#)([^")]+)', lambda m: f"{m.group(1)}{prefix}-{m.group(2)}", svg)
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.S)
    label = label.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
    return svg.replace("<svg ", f'<svg role="img" aria-label="{label}" focusable="false" ', 1)


def strand_mix(mixes: list[tuple[str, dict[str, float], int]], prefix: str, label: str) -> str:
    """100% stacked bars: one per organisation or group, strands left to right."""
    fig, ax = _axes(figsize=(7.2, 0.55 * len(mixes) + 0.9))
    names = [m[0] for m in mixes][::-1]
    for i, (name, shares, _total) in enumerate(mixes[::-1]):
        left = 0.0
        for strand, colour in STRAND_COLOURS.items():
            width = shares.get(strand, 0.0)
            ax.barh(i, width, left=left, color=colour, edgecolor="white", height=0.62,
                    label=strand if i == 0 else None)
            if width >= 0.06:
                ax.text(left + width / 2, i, f"{width * 100:.0f}%", ha="center", va="center",
                        color="white" if strand == "Pursue" else "#000000", fontsize=8.5, fontweight="bold")
            left += width
    ax.set_yticks(range(len(names)), names)
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0, decimals=0))
    ax.legend(ncols=4, loc="upper center", bbox_to_anchor=(0.5, -0.18), frameon=False)
    return _svg(fig, prefix, label)


def monthly(table, prefix: str, label: str) -> str:
    """Stacked bars of records per month by strand."""
    fig, ax = _axes(figsize=(7.2, 2.8))
    bottom = [0] * len(table)
    for strand, colour in STRAND_COLOURS.items():
        values = table[strand].tolist()
        ax.bar(range(len(table)), values, bottom=bottom, color=colour, label=strand, width=0.75)
        bottom = [b + v for b, v in zip(bottom, values)]
    for x, total in enumerate(bottom):
        ax.text(x, total, str(total), ha="center", va="bottom", fontsize=7.5, color=TEXT)
    ax.set_xticks(range(len(table)), [m.split(" ")[0] for m in table.index], fontsize=8)
    ax.set_ylabel("records")
    ax.legend(ncols=4, loc="upper center", bbox_to_anchor=(0.5, -0.12), frameon=False)
    return _svg(fig, prefix, label)


def lag(buckets: list[tuple[str, int]], prefix: str, label: str) -> str:
    """Bars of records by days between the disruption and its recording."""
    fig, ax = _axes(figsize=(7.2, 2.4))
    labels = [b[0] for b in buckets]
    values = [b[1] for b in buckets]
    ax.bar(range(len(values)), values, color="#0072B2", width=0.7)
    for x, v in enumerate(values):
        ax.text(x, v, str(v), ha="center", va="bottom", fontsize=8, color=TEXT)
    ax.set_xticks(range(len(values)), labels, fontsize=8)
    ax.set_ylabel("records")
    return _svg(fig, prefix, label)


def trend(rows: list[dict], prefix: str, label: str) -> str:
    """Lines of the strand shares and the late-recording share over runs, one point per extraction."""
    from ..dates import format_date

    fig, ax = _axes(figsize=(7.2, 2.6))
    xs = list(range(len(rows)))
    styles = {"pursue_share": ("Pursue", "-", "o"), "prevent_share": ("Prevent", "-", "s"),
              "protect_share": ("Protect", "-", "^"), "late_share": ("Late recording", "--", "D")}
    for key, (name, line, marker) in styles.items():
        values = [r[key] if r[key] is not None else float("nan") for r in rows]
        colour = STRAND_COLOURS.get(name, "#57606a")
        ax.plot(xs, values, line, marker=marker, color=colour, label=name, markersize=5)
    ax.set_xticks(xs, [format_date(r["extraction_date"]) or "?" for r in rows], fontsize=8)
    ax.set_ylim(0, 1)
    ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0, decimals=0))
    ax.legend(ncols=4, loc="upper center", bbox_to_anchor=(0.5, -0.15), frameon=False)
    return _svg(fig, prefix, label)


def funnel(f, prefix: str, label: str) -> str:
    """A funnel plot: share against records, pooled line, 95% and 99.8% limits; outliers named.

    Status is told by marker shape and by the label, not by colour alone.
    """
    import numpy as np

    from ..comparison import Z95, Z998, control_limits

    fig, ax = _axes(figsize=(7.2, 3.6))
    top = max(p.n for p in f.points) * 1.08
    ns = np.linspace(max(5, min(p.n for p in f.points) * 0.6), top, 200)
    for z, style, name in ((Z95, "--", "95% limits"), (Z998, ":", "99.8% limits")):
        lows, highs = zip(*(control_limits(f.pooled, n, z) for n in ns))
        ax.plot(ns, highs, style, color="#57606a", linewidth=1, label=name)
        ax.plot(ns, lows, style, color="#57606a", linewidth=1)
    ax.axhline(f.pooled, color="#1f2328", linewidth=1, label=f"pooled {f.pooled * 100:.0f}%")
    markers = {"within": ("o", "#0072B2"), "alert-high": ("^", "#E69F00"), "alert-low": ("v", "#E69F00"),
               "outlier-high": ("s", "#D55E00"), "outlier-low": ("D", "#D55E00")}
    for p in f.points:
        marker, colour = markers[p.status]
        ax.scatter([p.n], [p.share], marker=marker, color=colour, s=46, zorder=3, edgecolors="#1f2328", linewidths=0.6)
        if p.status != "within":
            ax.annotate(f"{p.organisation} ({p.share * 100:.0f}%)", (p.n, p.share), textcoords="offset points",
                        xytext=(6, 4), fontsize=8, color=TEXT)
    ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0, decimals=0))
    ax.set_xlabel("records (n)")
    ax.set_ylabel("share")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncols=3, frameon=False, fontsize=8)
    return _svg(fig, prefix, label)
