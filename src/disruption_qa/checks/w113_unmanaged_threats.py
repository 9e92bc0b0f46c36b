from __future__ import annotations

from typing import ClassVar

import pandas as pd

from ..contract import THREAT_TYPES
from .base import Check, Context, Finding, Param, pct, share_text


class UnmanagedThreats(Check):
    """Threats in scope with no owner, no recent plan review, or (active ones) no disruption.

    What it checks:
    The share of the organisation's threats in scope (those the profile counts
    whose Phase is ``Active`` or ``Dormant``) with no Lead Responsible Officer,
    no 4P plan review in the ``review_days`` before the extraction date, or,
    for an active threat, no disruption recorded against it in the period
    (only for the threat types disruptions may be recorded against,
    ``disruption_threat_types``, as the minimum standard says).

    Why it matters:
    The inspectors found 4P plans used inconsistently and out of date, and
    lead responsible officers unsupported. An active threat nobody owns or
    reviews is not being managed.

    Example:
    31 of 140 threats in scope (22%) look unmanaged: 8 have no Lead Responsible Officer, 17 no review in 365 days, 12 no disruption in the period.

    What to do:
    Take the threats listed to the SOC tasking meeting: assign an owner,
    review the plan, or close the threat if it is no longer active.
    """

    id = "W113"
    name = "unmanaged-threats"
    title = "Threats in scope that look unmanaged"
    records = "threats"
    needs_master_list = True
    params: ClassVar[dict[str, Param]] = {
        "threshold": Param(float, 0.10, "Share of unmanaged threats in scope above which to flag."),
        "review_days": Param(int, 365, "Days since the last 4P plan review after which a plan is out of date."),
        "disruption_threat_types": Param(
            list,
            ["Organised Crime Group"],
            "Threat types expected to have disruptions recorded against them.",
            choices=THREAT_TYPES,
        ),
    }

    def run(self, ctx: Context) -> Finding:
        scope = ctx.threats_in_scope
        if scope is None or len(scope) == 0:
            return self.not_applicable(
                "the organisation has no threats in scope (Active or Dormant) on the master list"
            )
        as_of = pd.Timestamp(ctx.extraction_date or ctx.end)
        no_owner = scope["lead_responsible_officer"].isna()
        stale = scope["last_review_date"].isna() | (
            (as_of - scope["last_review_date"]).dt.days > self.settings["review_days"]
        )
        no_disruption = (
            (scope["phase"] == "Active")  # a dormant threat is not expected to be disrupted
            & scope["threat_type"].isin(self.settings["disruption_threat_types"])
            & (ctx.disrupted_threats.get_indexer(scope["threat_id"]) < 0)
        )
        bad = scope["threat_id"][no_owner | stale | no_disruption]
        share = len(bad) / len(scope)
        message = (
            f"{len(bad)} of {len(scope)} threats in scope ({pct(len(bad), len(scope))}) look unmanaged:"
            f" {int(no_owner.sum())} have no Lead Responsible Officer, {int(stale.sum())} no plan review in"
            f" {self.settings['review_days']} days, {int(no_disruption.sum())} no disruption in the period;"
            f" the threshold is {share_text(self.settings['threshold'])}."
        )
        details = {
            "no_owner": int(no_owner.sum()),
            "no_review": int(stale.sum()),
            "no_disruption": int(no_disruption.sum()),
        }
        return self.finding(share > self.settings["threshold"], message, value=share, records=bad, details=details)
