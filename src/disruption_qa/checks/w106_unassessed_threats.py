from __future__ import annotations

from typing import ClassVar

from ..measures import unassessed
from .base import Check, Context, Finding, Param, pct, share_text


class UnassessedThreats(Check):
    """Active threats without a MoRiLE score, a tier, or moderation.

    What it checks:
    The share of the organisation's active threats (Phase ``Active``, whole
    master list) with no MoRiLE Score, no Tier, or Moderation Status
    ``Unmoderated``.

    Why it matters:
    A threat that is not scored, tiered and moderated cannot be prioritised
    against the others; the inspectors' own figures leave unmoderated threats
    out. In 2023 Cumbria had not yet applied MoRiLE to every threat.

    Example:
    23 of 140 active threats (16%) are not fully assessed: 12 have no MoRiLE score, 9 no tier, 7 are unmoderated.

    What to do:
    Send the threats listed to the analysts who run MoRiLE assessments and to
    the regional threat assessment unit for moderation.
    """

    id = "W106"
    name = "unassessed-threats"
    title = "Active threats not fully assessed"
    records = "threats"
    needs_master_list = True
    params: ClassVar[dict[str, Param]] = {
        "threshold": Param(float, 0.05, "Share of active threats not fully assessed above which to flag.")
    }

    def run(self, ctx: Context) -> Finding:
        active = ctx.active_threats
        if active is None or len(active) == 0:
            return self.not_applicable("the organisation has no active threats on the master list")
        masks = unassessed(active)
        no_score, no_tier, unmoderated = masks["no_score"], masks["no_tier"], masks["unmoderated"]
        bad = active["threat_id"][masks["any"]]
        share = len(bad) / len(active)
        parts = f"{int(no_score.sum())} have no MoRiLE score, {int(no_tier.sum())} no tier, {int(unmoderated.sum())} are unmoderated"
        message = (
            f"{len(bad)} of {len(active)} active threats ({pct(len(bad), len(active))}) are not fully assessed: {parts};"
            f" the threshold is {share_text(self.settings['threshold'])}."
        )
        flagged = share > self.settings["threshold"]
        return self.finding(flagged, message, value=share, records=bad)
