from __future__ import annotations

from typing import ClassVar

from ..measures import top_recorder
from .base import Check, Context, Finding, Param, pct, share_text


class RecorderConcentration(Check):
    """One user typed in most of the organisation's records.

    What it checks:
    The share of the organisation's records in the period typed in by its
    busiest recorder (Recorded By), for organisations with at least
    ``min_records`` records.

    Why it matters:
    When recording depends on one person it stops when they are away or move
    on, and the people who did the work are not involved in recording it.

    Basis:
    The 2023 inspection of the north-west, North Wales Police, "The force
    has improved its recording of SOC disruptions": "much of this work
    fell to a senior analyst in the force". The 50% share and the 20
    records are the tool's choice.

    Example:
    One user (U0412) typed in 81 of 120 records (68%); the threshold is 50%.

    What to do:
    Train the officers and staff who manage threats to record their own
    disruptions, and give the recorder a deputy.
    """

    id = "W108"
    name = "recorder-concentration"
    title = "Recording depends on one person"
    params: ClassVar[dict[str, Param]] = {
        "threshold": Param(float, 0.50, "Share of records by one user above which to flag."),
        "min_records": Param(int, 20, "Fewest records in the period for the check to apply."),
    }

    def run(self, ctx: Context) -> Finding:
        user, n, total, recorders = top_recorder(ctx.in_period)
        if total < self.settings["min_records"]:
            return self.not_applicable(f"fewer than {self.settings['min_records']} records in the period")
        share = n / total
        message = (
            f"One user ({user}) typed in {n} of {total} records ({pct(n, total)});"
            f" {recorders} users recorded in all; the threshold is {share_text(self.settings['threshold'])}."
        )
        mine = ctx.in_period["disruption_id"][ctx.in_period["recorded_by"] == user]
        return self.finding(
            share > self.settings["threshold"],
            message,
            value=share,
            records=mine,
            details={"top_recorder": user, "recorders": recorders},
        )
