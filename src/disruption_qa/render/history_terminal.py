"""The terminal and JSON views of the run history (``disruption-qa history``).

``history_table`` prints one line per stored run, oldest first, then one trend
line per organisation: where its pursue share and its number of flagged signs
went from its first listed run to its latest. ``history_json`` is the same
runs for machines. Both take :class:`~disruption_qa.history.RunEntry` lists as
:meth:`~disruption_qa.history.History.runs` returns them; neither computes a
figure the history module does not (``trend`` gives each run's key figures).
"""

from __future__ import annotations

from ..dates import format_date
from ..format import date as date_text
from ..format import share
from ..history import RunEntry, trend

COLUMNS = ("extraction", "organisation", "period", "profile", "pursue", "prevent", "protect", "flagged", "errors/100")


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def history_table(entries: list[RunEntry]) -> str:
    """One line per run, then a trend line per organisation."""
    if not entries:
        return "no runs recorded"
    rows = [COLUMNS]
    for entry, figures in zip(entries, trend(entries)):
        rows.append(
            (
                date_text(entry.extraction_date),
                entry.organisation,
                f"{format_date(entry.period_start)}-{format_date(entry.period_end)}",
                entry.profile,
                share(figures["pursue_share"], "-"),
                share(figures["prevent_share"], "-"),
                share(figures["protect_share"], "-"),
                str(figures["flagged"]),
                _number(figures["validation_errors_per_100"]),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    left = 4  # the text columns; the figures are right-aligned
    lines = [
        "  ".join(cell.ljust(w) if i < left else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths))).rstrip()
        for row in rows
    ]
    lines.append("")
    by_org: dict[str, list[RunEntry]] = {}
    for entry in entries:
        by_org.setdefault(entry.organisation, []).append(entry)
    for organisation, runs in by_org.items():
        lines.append(trend_line(organisation, runs))
    return "\n".join(lines)


def trend_line(organisation: str, runs: list[RunEntry]) -> str:
    """``Cheshire Constabulary, 3 runs: pursue share 84% to 70% (down 14 points); flagged signs 5 to 3 (down 2)``."""
    if len(runs) < 2:
        return f"{organisation}, 1 run: nothing to compare yet"
    first, last = trend([runs[0], runs[-1]])
    pursue = f"pursue share {share(first['pursue_share'], '-')} to {share(last['pursue_share'], '-')}"
    if first["pursue_share"] is not None and last["pursue_share"] is not None:
        points = round(last["pursue_share"] * 100) - round(first["pursue_share"] * 100)
        pursue += f" ({_direction(points, ' points' if abs(points) != 1 else ' point')})"
    change = last["flagged"] - first["flagged"]
    flagged = f"flagged signs {first['flagged']} to {last['flagged']} ({_direction(change, '')})"
    return f"{organisation}, {len(runs)} runs: {pursue}; {flagged}"


def _direction(change: int, unit: str) -> str:
    if change > 0:
        return f"up {change}{unit}"
    if change < 0:
        return f"down {-change}{unit}"
    return "unchanged"


def history_json(entries: list[RunEntry]) -> list[dict]:
    """Every run as a JSON-ready dict, oldest first, with the IDs of its flagged signs."""
    return [{**entry.to_dict(), "flagged": entry.flagged} for entry in entries]
