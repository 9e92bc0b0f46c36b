from __future__ import annotations

from typing import ClassVar

from ..measures import unassessed
from .base import Check, Context, Finding, Param, pct, share_text


class UnassessedThreats(Check):
    """Threats in scope without a MoRiLE score or a tier, or waiting too long for moderation.

    What it checks:
    The organisation's threats in scope (those the profile counts whose Phase
    is ``Active`` or ``Dormant``: every threat not closed) with no MoRiLE
    Score, no Tier, or Moderation Status still ``Unmoderated`` more than
    ``moderation_days`` after their Created Date, as of the extraction date.
    Every threat should be assessed, so by default one is enough to flag
    (``threshold`` is the share tolerated).

    Why it matters:
    A threat that is not scored, tiered and moderated cannot be prioritised
    against the others.

    Basis:
    The 2023 inspection of the north-west, Cumbria Constabulary, "The
    constabulary has introduced a process to manage SOC priorities":
    MoRiLE "hasn't yet been applied to every SOC threat identified"; the
    NWROCU, "The NWROCU has a good understanding of threats affecting the
    region": forces' assessments "are then moderated by the ROCTA unit".
    The 28 days allowed for moderation are the tool's choice.

    Example:
    9 of 140 threats in scope (6%) are not fully assessed: 5 have no MoRiLE score, 4 no tier, 2 have waited more than 28 days for moderation; the threshold is 0%.

    What to do:
    Send the threats listed to the analysts who run MoRiLE assessments, and
    the ones waiting to the regional threat assessment unit for moderation.
    """

    id = "W106"
    name = "unassessed-threats"
    title = "Threats in scope not fully assessed"
    records = "threats"
    needs_master_list = True
    params: ClassVar[dict[str, Param]] = {
        "threshold": Param(float, 0.0, "Share of threats in scope not fully assessed above which to flag."),
        "moderation_days": Param(int, 28, "Days after its Created Date by which a threat should be moderated."),
    }

    def run(self, ctx: Context) -> Finding:
        if not_applicable := self.without_threats_in_scope(ctx):
            return not_applicable
        scope = ctx.threats_in_scope
        days = self.settings["moderation_days"]
        masks = unassessed(scope, ctx.as_of, days)
        counts = {name: int(mask.sum()) for name, mask in masks.items()}
        bad = scope["threat_id"][masks["any"]]
        share = len(bad) / len(scope)
        message = (
            f"{len(bad)} of {len(scope)} threats in scope ({pct(len(bad), len(scope))}) are not fully assessed:"
            f" {counts['no_score']} have no MoRiLE score, {counts['no_tier']} no tier,"
            f" {counts['moderation_overdue']} have waited more than {days} days for moderation;"
            f" the threshold is {share_text(self.settings['threshold'])}."
        )
        details = {k: counts[k] for k in ("no_score", "no_tier", "moderation_overdue")}
        flagged = share > self.settings["threshold"]
        return self.finding(flagged, message, value=share, records=bad, details=details)
