from __future__ import annotations

from ..contract import VULNERABILITY
from .base import Check, Context, Finding


class NoVulnerabilities(Check):
    """The organisation's master list holds no SOC vulnerabilities.

    What it checks:
    Whether any threat the organisation owns on the SOC master list (as the
    profile counts it) is of Threat Type ``SOC Vulnerability``.

    Why it matters:
    Vulnerabilities such as county lines exploitation are part of every
    organisation's SOC picture. In 2023 Cheshire had 118 threats on the
    master list and none were vulnerabilities; three months later, after
    feedback, it had recorded 37.

    Basis:
    The 2023 inspection of the north-west, Cheshire Constabulary,
    "Understanding SOC and setting priorities to tackle it": "none of
    these assessments were completed for SOC vulnerabilities, such as
    county lines".

    Example:
    None of 118 threats on the master list is a SOC vulnerability.

    What to do:
    Review the threats listed with the threat assessment team: several may be
    vulnerabilities recorded as organised crime groups. Make sure analysts
    know the three threat types and when each applies.
    """

    id = "W105"
    name = "no-vulnerabilities"
    title = "No SOC vulnerabilities on the master list"
    records = "threats"
    needs_master_list = True

    def run(self, ctx: Context) -> Finding:
        threats = ctx.threats
        if threats is None or len(threats) == 0:
            return self.not_applicable("the organisation owns no threats on the master list")
        n = int((threats["threat_type"] == VULNERABILITY).sum())
        if n:
            return self.finding(
                None, f"{n} of {len(threats)} threats on the master list are SOC vulnerabilities.", value=n
            )
        message = f"None of {len(threats)} threats on the master list is a SOC vulnerability."
        return self.finding(True, message, value=0, records=threats["threat_id"])
