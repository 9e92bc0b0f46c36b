from __future__ import annotations

from ..contract import SUPPORT
from .base import Check, Context, Finding


class ForceSupportDisruptions(Check):
    """A police force recorded support disruptions, which only ROCUs and agencies may.

    What it checks:
    Records in the period of Disruption Type ``Support Disruption`` whose
    Recording Organisation is a police force (not a regional organised crime
    unit or a national agency).

    Why it matters:
    Only a regional organised crime unit records support disruptions. A
    force's support records are either lead disruptions typed wrongly, or
    another organisation's disruptions counted twice.

    Basis:
    The 2023 inspection of the north-west, Appendix 2, "Data methodology
    and caveats": "Police forces can only record disruptions that they
    have led".

    Example:
    6 support disruptions recorded by a police force.

    What to do:
    Open each record: if the force led the activity, change it to a lead
    disruption; if a ROCU or agency led it, ask them to record it and remove
    the force's copy.
    """

    id = "W104"
    name = "force-support-disruptions"
    title = "A police force recorded support disruptions"
    severity = "error"

    def run(self, ctx: Context) -> Finding:
        if ctx.organisation.kind != "force":
            return self.not_applicable(
                f"{ctx.organisation.name} is a {ctx.organisation.kind}, which may record support disruptions"
            )
        support = ctx.in_period["disruption_id"][ctx.in_period["disruption_type"] == SUPPORT]
        if len(support) == 0:
            return self.finding(None, "No support disruptions recorded by the force.", value=0)
        message = (
            f"{len(support)} support disruption(s) recorded by a police force, which may record only lead disruptions."
        )
        return self.finding(True, message, value=len(support), records=support)
