from __future__ import annotations

from typing import ClassVar

from ..contract import THREAT_TYPES
from ..measures import distinct, is_in
from .base import Check, Context, Finding, Param, pct, share_text


class ThreatsWithoutDisruption(Check):
    """Active threats in scope against which their owner recorded no disruption in the period.

    What it checks:
    The organisation's active threats in scope (Phase ``Active``; a dormant
    threat is not expected to be disrupted) of the threat types disruptions
    are recorded against (``disruption_threat_types``, as the minimum
    standard says) against which the organisation recorded no disruption,
    lead or support, with a Record Date in the period; flagged when their
    share is over ``threshold``.

    Why it matters:
    An active threat nobody is disrupting is either not being worked, or its
    work is not being recorded.

    Basis:
    The 2023 inspection of the north-west, Cumbria Constabulary, "Cumbria
    Constabulary should improve the quality of its 4P plans, how it uses
    them to disrupt serious organised crime ...": "limited understanding
    of the benefits of using this approach to disrupt serious organised
    crime". The 25% tolerance is the tool's choice.

    Example:
    31 of 102 active threats in scope (30%) have no disruption recorded against them by the organisation in the period; the threshold is 25%.

    What to do:
    Review the threats listed at the SOC tasking meeting: record the
    disruptions carried out, plan some, or make the threat dormant or close it.
    """

    id = "W116"
    name = "threats-without-disruption"
    title = "Active threats without a disruption in the period"
    records = "threats"
    needs_master_list = True
    params: ClassVar[dict[str, Param]] = {
        "threshold": Param(float, 0.25, "Share of active threats in scope with no disruption above which to flag."),
        "disruption_threat_types": Param(
            list,
            ["Organised Crime Group"],
            "Threat types expected to have disruptions recorded against them.",
            choices=THREAT_TYPES,
        ),
    }

    def run(self, ctx: Context) -> Finding:
        active = ctx.active_threats
        ids = (
            active["threat_id"][active["threat_type"].isin(self.settings["disruption_threat_types"])]
            if (active is not None)
            else None
        )
        if ids is None or len(ids) == 0:
            return self.not_applicable(
                "the organisation has no active threats in scope of the types disruptions are recorded against"
            )
        bad = ids[~is_in(ids, distinct(ctx.in_period["threat_id"]))]
        share = len(bad) / len(ids)
        message = (
            f"{len(bad)} of {len(ids)} active threats in scope ({pct(len(bad), len(ids))}) have no disruption"
            " recorded against them by the organisation in the period;"
            f" the threshold is {share_text(self.settings['threshold'])}."
        )
        return self.finding(share > self.settings["threshold"], message, value=share, records=bad)
