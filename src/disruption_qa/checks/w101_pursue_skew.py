from __future__ import annotations

from typing import ClassVar

from .base import Check, Context, Finding, Param, pct, share_text


class PursueSkew(Check):
    """Pursue makes up too much of the organisation's lead disruptions.

    What it checks:
    The share of the lead disruptions counted in the period whose 4P Strand is
    Pursue. It flags at a warning level and at an error level.

    Why it matters:
    Organisations that tackle serious and organised crime well prevent people
    from being drawn in and protect victims, not only arrest and seize. A
    record that is nearly all pursue usually means prevent and protect work is
    done but not recorded.

    Basis:
    The 2023 inspection of the north-west, Lancashire Constabulary,
    "Lancashire Constabulary should improve how it records disruptions on
    the national database": "not all disruption activity is being
    recorded, particularly activity linked to protecting victims".
    Cheshire recorded 84% of its disruptions as pursue, Lancashire 85%.
    The 70% and 80% levels are the tool's choice, set so that both sit
    above the error level.

    Example:
    312 of 373 lead disruptions (84%) are pursue: error (threshold 80%).

    What to do:
    Ask lead responsible officers, neighbourhood teams and safeguarding partners
    what prevent and protect work they did against each threat, and check it is
    on APMIS. The pursue records listed are the ones to sample: a safeguarding
    referral or a closure order filed as pursue belongs to another strand.
    """

    id = "W101"
    name = "pursue-skew"
    title = "Pursue dominates recorded disruptions"
    severity = None  # two levels: the warning and error params
    inclusive = True
    params: ClassVar[dict[str, Param]] = {
        "warning": Param(float, 0.70, "Pursue share of lead disruptions at or above which to warn."),
        "error": Param(float, 0.80, "Pursue share of lead disruptions at or above which to report an error."),
    }

    def run(self, ctx: Context) -> Finding:
        counted = ctx.counted
        total = len(counted)
        if total == 0:
            return self.not_applicable("no lead disruptions were counted in the period")
        is_pursue = counted["strand"] == "Pursue"
        pursue = counted["disruption_id"][is_pursue]
        share = len(pursue) / total
        level = self.level(share)
        limit = self.settings.get(level or "warning")
        tail = f"the {level or 'warning'} threshold is {share_text(limit)}" if limit is not None else "no threshold set"
        message = f"{len(pursue)} of {total} lead disruptions ({pct(len(pursue), total)}) are pursue; {tail}."
        return self.finding(level, message, value=share, records=pursue)
