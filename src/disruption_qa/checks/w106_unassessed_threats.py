from __future__ import annotations

from typing import ClassVar

from ..measures import unassessed
from .base import Check, Context, Finding, Param, pct, share_text


class UnassessedThreats(Check):
    """Threats in scope without a MoRiLE score, a tier, or moderation.

    What it checks:
    The share of the organisation's threats in scope (those the profile
    counts whose Phase is ``Active`` or ``Dormant``: every threat not closed)
    with no MoRiLE Score, no Tier, or Moderation Status ``Unmoderated``.

    Why it matters:
    A threat that is not scored, tiered and moderated cannot be prioritised
    against the others; the inspectors' own figures leave unmoderated threats
    out. In 2023 Cumbria had not yet applied MoRiLE to every threat.

    Example:
    23 of 140 threats in scope (16%) are not fully assessed: 12 have no MoRiLE score, 9 no tier, 7 are unmoderated.

    What to do:
    Send the threats listed to the analysts who run MoRiLE assessments and to
    the regional threat assessment unit for moderation.
    """

    id = "W106"
    name = "unassessed-threats"
    title = "Threats in scope not fully assessed"
    records = "threats"
    needs_master_list = True
    params: ClassVar[dict[str, Param]] = {
        "threshold": Param(float, 0.05, "Share of threats in scope not fully assessed above which to flag.")
    }

    def run(self, ctx: Context) -> Finding:
        scope = ctx.threats_in_scope
        if scope is None or len(scope) == 0:
            return self.not_applicable(
                "the organisation has no threats in scope (Active or Dormant) on the master list"
            )
        masks = unassessed(scope)
        no_score, no_tier, unmoderated = masks["no_score"], masks["no_tier"], masks["unmoderated"]
        bad = scope["threat_id"][masks["any"]]
        share = len(bad) / len(scope)
        parts = f"{int(no_score.sum())} have no MoRiLE score, {int(no_tier.sum())} no tier, {int(unmoderated.sum())} are unmoderated"
        message = (
            f"{len(bad)} of {len(scope)} threats in scope ({pct(len(bad), len(scope))}) are not fully assessed: {parts};"
            f" the threshold is {share_text(self.settings['threshold'])}."
        )
        flagged = share > self.settings["threshold"]
        return self.finding(flagged, message, value=share, records=bad)
