from __future__ import annotations

from typing import ClassVar

from ..measures import plans
from .base import Check, Context, Finding, Param, pct, share_text


class UnmanagedThreats(Check):
    """Threats in scope whose 4P plan is not recorded or out of date.

    What it checks:
    The 4P plans of the organisation's threats in scope (those the profile
    counts whose Phase is ``Active`` or ``Dormant``) that are due for review:
    created at least ``review_days`` before the extraction date (a newer
    threat is not yet due). A due threat with no Last Review Date has no plan
    recorded: by default one is enough to flag (``no_plan_threshold``). One
    last reviewed more than ``review_days`` before the extraction date is out
    of date: flagged when their share of the threats due is over
    ``threshold``. Since version 0.2.0 this check is about 4P plans alone: a
    threat with no Lead Responsible Officer is W115's, an active threat with
    no disruption W116's.

    Why it matters:
    A 4P plan that is missing or not kept up to date is not driving the work
    against the threat.

    Basis:
    The 2023 inspection of the north-west, Cumbria Constabulary, "Cumbria
    Constabulary should improve the quality of its 4P plans ...": "Some
    investigations had no 4P plan at all"; Cheshire Constabulary,
    "Cheshire Constabulary should improve the quality of its 4P plans":
    "Some plans were out of date"; North Wales Police, "The force should
    make sure it has sufficiently trained LROs to tackle SOC": LROs'
    monthly forum "reviews the progress of 4P plans". The 90 days and the
    10% tolerance are the tool's choice: a plan reviewed at a monthly
    forum is well inside them.

    Example:
    Of 120 threats in scope due for review (created at least 90 days before the extraction), 3 have no 4P plan recorded and 19 (16%) were last reviewed more than 90 days before it; the thresholds are 0% and 10%.

    What to do:
    Take the threats listed to the SOC tasking meeting: record the plan,
    review it, or close the threat if it is no longer active.
    """

    id = "W113"
    name = "unmanaged-threats"
    title = "Threats in scope without a current 4P plan"
    records = "threats"
    needs_master_list = True
    params: ClassVar[dict[str, Param]] = {
        "threshold": Param(
            float, 0.10, "Share of the threats due for review whose plan is out of date above which to flag."
        ),
        "no_plan_threshold": Param(
            float, 0.0, "Share of the threats due for review with no plan recorded above which to flag."
        ),
        "review_days": Param(
            int, 90, "Days since the last 4P plan review after which a plan is out of date (and a threat is due)."
        ),
    }

    moved: ClassVar[dict[str, tuple[str, str]]] = {"disruption_threat_types": ("W116", "0.2.0")}

    def run(self, ctx: Context) -> Finding:
        if not_applicable := self.without_threats_in_scope(ctx):
            return not_applicable
        scope = ctx.threats_in_scope
        days = self.settings["review_days"]
        masks = plans(scope, ctx.as_of, days)
        due, no_plan, out_of_date = (int(masks[k].sum()) for k in ("due", "no_plan", "out_of_date"))
        if due == 0:
            return self.not_applicable(
                f"none of the organisation's {len(scope)} threats in scope was created {days} days or more"
                " before the extraction, so none is due for review"
            )
        share = out_of_date / due
        message = (
            f"Of {due} threats in scope due for review (created at least {days} days before the extraction),"
            f" {no_plan} have no 4P plan recorded and {out_of_date} ({pct(out_of_date, due)}) were last reviewed"
            f" more than {days} days before it; the thresholds are"
            f" {share_text(self.settings['no_plan_threshold'])} and {share_text(self.settings['threshold'])}."
        )
        flagged = no_plan / due > self.settings["no_plan_threshold"] or share > self.settings["threshold"]
        details = {"due": due, "not_due": len(scope) - due, "no_plan": no_plan, "out_of_date": out_of_date}
        bad = scope["threat_id"][masks["no_plan"] | masks["out_of_date"]]
        return self.finding(flagged, message, value=share, records=bad, details=details)
