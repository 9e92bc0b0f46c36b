from __future__ import annotations

from typing import ClassVar

from ..contract import THREAT_TYPES
from .base import Check, Context, Finding, Param


class NonOcgDisruptions(Check):
    """Disruptions recorded against threats the minimum standard does not allow.

    What it checks:
    Records in the period whose Threat Type is not one of the types the
    minimum standard in force allows disruptions against. At the time of the
    2023 inspection that was organised crime groups only, not priority
    individuals or SOC vulnerabilities; set ``allowed_threat_types`` when the
    standard changes.

    Why it matters:
    The inspectors counted disruptions as the national minimum standard has
    them recorded. Records against other threat types fall out of any
    comparison and suggest the recorder is unsure which threat a disruption
    belongs to.

    Basis:
    The 2023 inspection of the north-west, Appendix 2, "Data methodology
    and caveats": "minimum standards stipulated that disruption data
    should only be recorded against organised crime groups and not
    priority individuals or SOC vulnerabilities".

    Example:
    14 of 402 disruptions (3%) are recorded against Priority Individual or SOC Vulnerability threats.

    What to do:
    Open each record listed and move it to the organised crime group the
    activity disrupted; if none exists on the master list, talk to the
    threat assessment team about mapping one.
    """

    id = "W103"
    name = "non-ocg-disruptions"
    title = "Disruptions recorded against priority individuals or vulnerabilities"
    params: ClassVar[dict[str, Param]] = {
        "allowed_threat_types": Param(
            list,
            ["Organised Crime Group"],
            "Threat types the minimum standard allows disruptions against.",
            choices=THREAT_TYPES,
        ),
    }

    def run(self, ctx: Context) -> Finding:
        records = ctx.in_period
        if len(records) == 0:
            return self.not_applicable("no disruptions were recorded in the period")
        allowed = self.settings.get("allowed_threat_types") or []
        threat_type = records["threat_type"]
        is_bad = threat_type.notna() & ~threat_type.isin(allowed)
        bad = records["disruption_id"][is_bad]
        types = " or ".join(sorted(threat_type[is_bad].unique())) or "other"
        if len(bad) == 0:
            return self.finding(
                None, f"All {len(records)} disruptions are recorded against {', '.join(allowed)} threats.", value=0
            )
        message = (
            f"{len(bad)} of {len(records)} disruptions are recorded against {types} threats;"
            f" the minimum standard allows {', '.join(allowed)} only."
        )
        return self.finding(True, message, value=len(bad), records=bad)
