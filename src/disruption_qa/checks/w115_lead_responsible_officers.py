from __future__ import annotations

from typing import ClassVar

from .base import Check, Context, Finding, Param, pct, share_text


class LeadResponsibleOfficers(Check):
    """Threats in scope with no lead responsible officer, or officers holding too many.

    What it checks:
    The organisation's threats in scope (those the profile counts whose Phase
    is ``Active`` or ``Dormant``) with no Lead Responsible Officer: by default
    one is enough to flag (``threshold`` is the share tolerated). And each
    officer holding more than ``max_threats`` threats in scope, whose threats
    are listed too.

    Why it matters:
    Every threat needs an officer who owns its 4P plan, with the time to do
    it.

    Basis:
    The 2023 inspection of the north-west, Cheshire Constabulary,
    "Cheshire Constabulary should improve the quality of its 4P plans":
    "It wasn't always clear who the plan owner was"; North Wales Police,
    "Cause of concern": "Lead responsible officers are managing
    significant other demands, which limits their effectiveness". The 30
    threats per officer are the tool's choice.

    Example:
    Of 138 threats in scope, 6 (4%) have no Lead Responsible Officer; 5 officers hold the others, 1 of them more than 30 (LRO-2: 41); the threshold is 0%.

    What to do:
    Assign an officer to each threat listed without one, and share out the
    threats of an officer holding too many.
    """

    id = "W115"
    name = "lead-responsible-officers"
    title = "Threats in scope without a lead responsible officer, or officers holding too many"
    records = "threats"
    needs_master_list = True
    params: ClassVar[dict[str, Param]] = {
        "threshold": Param(
            float, 0.0, "Share of threats in scope with no Lead Responsible Officer above which to flag."
        ),
        "max_threats": Param(int, 30, "Threats in scope one officer may hold; more is flagged."),
    }

    def run(self, ctx: Context) -> Finding:
        if not_applicable := self.without_threats_in_scope(ctx):
            return not_applicable
        scope = ctx.threats_in_scope
        most = self.settings["max_threats"]
        no_officer = scope["lead_responsible_officer"].isna()
        held = ctx.officers
        over = held[held > most]
        share = int(no_officer.sum()) / len(scope)
        overloaded = ", ".join(f"{name}: {n}" for name, n in over.items())
        message = (
            f"Of {len(scope)} threats in scope, {int(no_officer.sum())} ({pct(int(no_officer.sum()), len(scope))})"
            f" have no Lead Responsible Officer; {len(held)} officers hold the others, {len(over)} of them more"
            f" than {most}{f' ({overloaded})' if len(over) else ''}; the threshold is"
            f" {share_text(self.settings['threshold'])}."
        )
        bad = scope["threat_id"][no_officer | scope["lead_responsible_officer"].isin(over.index)]
        details = {"no_officer": int(no_officer.sum()), "officers": len(held), "overloaded": len(over)}
        flagged = share > self.settings["threshold"] or len(over) > 0
        return self.finding(flagged, message, value=share, records=bad, details=details)
