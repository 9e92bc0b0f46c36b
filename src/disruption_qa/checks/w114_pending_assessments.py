from __future__ import annotations

from typing import ClassVar

from .base import Check, Context, Finding, Param


class PendingAssessments(Check):
    """Disruptions left at ``Pending`` assessment long after recording.

    What it checks:
    Records in the period whose Assessment Category is still ``Pending`` more
    than ``days`` days after their Record Date (as of the extraction date).

    Why it matters:
    The inspectors counted only disruptions assessed Major, Moderate or Minor.
    A disruption left pending drops out of every such count, however
    significant the activity was.

    Basis:
    The 2023 inspection of the north-west, Appendix 2, "Data methodology
    and caveats": the inspectors counted disruptions whose "Assessment
    Category is Major, Minor and Moderate". The 28 days are the tool's own
    hygiene rule.

    Example:
    17 disruptions are still Pending more than 28 days after they were recorded.

    What to do:
    Ask the recorders (or the threat's lead responsible officer) to assess
    each record listed against the national scale.
    """

    id = "W114"
    name = "pending-assessments"
    title = "Disruptions still pending assessment"
    params: ClassVar[dict[str, Param]] = {
        "days": Param(int, 28, "Days after recording by which a disruption should be assessed.")
    }

    def run(self, ctx: Context) -> Finding:
        records = ctx.in_period
        if len(records) == 0:
            return self.not_applicable("no disruptions were recorded in the period")
        pending = records["assessment_category"] == "Pending"
        old = records["disruption_id"][pending & ((ctx.as_of - records["record_date"]).dt.days > self.settings["days"])]
        if old.empty:
            return self.finding(
                None,
                f"No disruption is pending assessment for more than {self.settings['days']} days ({int(pending.sum())} pending in all).",
                value=0,
            )
        message = f"{len(old)} disruption(s) are still Pending more than {self.settings['days']} days after they were recorded."
        return self.finding(True, message, value=len(old), records=old)
