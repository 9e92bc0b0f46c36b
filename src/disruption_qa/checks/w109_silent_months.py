from __future__ import annotations

from typing import ClassVar

import pandas as pd

from .base import Check, Context, Finding, Param


class SilentMonths(Check):
    """A month in the period with no records, or far fewer than usual.

    What it checks:
    Records in the period by month of Record Date. A month flags when it has
    none, or fewer than ``fraction`` of the organisation's own median monthly
    count. Months after the extraction date are not counted.

    Why it matters:
    Serious and organised crime does not take a month off. A sudden drop
    points at recording (a recorder on leave, a system change, a backlog),
    not at crime.

    Basis:
    The tool's own hygiene rule: the inspection gives no monthly figure.
    The quarter of the monthly median is the tool's choice.

    Example:
    August 2022 has no records; the monthly median is 31.

    What to do:
    Ask who recorded in the months either side and whether a backlog exists;
    compare with the operations that ran that month.
    """

    id = "W109"
    name = "silent-months"
    title = "Months with no or very few records"
    params: ClassVar[dict[str, Param]] = {
        "fraction": Param(float, 0.25, "Share of the monthly median below which a month is silent.")
    }

    def run(self, ctx: Context) -> Finding:
        last = min(ctx.end, ctx.extraction_date) if ctx.extraction_date else ctx.end
        months = pd.period_range(pd.Timestamp(ctx.start), pd.Timestamp(last), freq="M")
        if len(ctx.in_period) == 0:
            return self.not_applicable("no disruptions were recorded in the period")
        if last < (months[-1].end_time.date() if len(months) else last):
            months = months[:-1]  # a month the extraction cut short
        if len(months) < 3:
            return self.not_applicable("the period covers fewer than three whole months")
        month_of = ctx.in_period[ctx.period_column].dt.to_period("M")
        counts = month_of.value_counts().reindex(months, fill_value=0)
        median = float(counts.median())
        silent = counts[(counts == 0) | (counts < self.settings["fraction"] * median)]
        names = [f"{m.strftime('%B %Y')} ({n})" for m, n in silent.items()]
        details = {"monthly": {str(m): int(n) for m, n in counts.items()}, "median": median}
        if silent.empty:
            return self.finding(
                None, f"Every month has records; the monthly median is {median:g}.", value=0, details=details
            )
        quiet = ctx.in_period["disruption_id"][month_of.isin(silent.index)]
        message = (
            f"{len(silent)} month(s) with no or very few records: {', '.join(names)}; the monthly median is {median:g}."
        )
        return self.finding(True, message, value=len(silent), records=quiet, details=details)
