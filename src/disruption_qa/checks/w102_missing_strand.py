from __future__ import annotations

from typing import ClassVar

from ..contract import STRANDS
from .base import Check, Context, Finding, Param, pct, share_text


class MissingStrand(Check):
    """A strand of the 4P approach is missing, or nearly missing, from the records.

    What it checks:
    Whether the period's counted lead disruptions include any Prevent and any
    Protect record, and whether each strand's share reaches its floor
    (Prevent and Protect 5% by default; Prepare has no floor unless set).

    Why it matters:
    Inspectors saw prevent and protect work in fieldwork that never reached
    APMIS. A strand with no records at all almost always means the work is not
    being recorded, not that it is not being done.

    Basis:
    The tool's own rule, from the finding behind W101 (The 2023 inspection
    of the north-west, Lancashire Constabulary, "Lancashire Constabulary
    should improve how it records disruptions on the national database":
    "not all disruption activity is being recorded"). The 5% floors are
    the tool's choice.

    Example:
    Prevent: 4 of 373 lead disruptions (1%), below the floor of 5%.

    What to do:
    Find who does the missing strand's work (diversion schemes, safeguarding
    teams, partnership closures) and make sure they know how to record it,
    or who records it for them.
    """

    id = "W102"
    name = "missing-strand"
    title = "A 4P strand is missing from the records"
    params: ClassVar[dict[str, Param]] = {
        "prevent_floor": Param(float, 0.05, "Lowest acceptable Prevent share of lead disruptions."),
        "protect_floor": Param(float, 0.05, "Lowest acceptable Protect share of lead disruptions."),
        "prepare_floor": Param(float, 0.0, "Lowest acceptable Prepare share of lead disruptions (0: none needed)."),
    }

    def run(self, ctx: Context) -> Finding:
        counted = ctx.counted
        total = len(counted)
        if total == 0:
            return self.not_applicable("no lead disruptions were counted in the period")
        counts = counted["strand"].value_counts()
        short = []
        for strand in STRANDS[1:]:
            floor = self.settings.get(f"{strand.lower()}_floor") or 0
            n = int(counts.get(strand, 0))
            must_exist = strand in ("Prevent", "Protect")
            if (must_exist and n == 0) or n / total < floor:
                short.append(
                    f"{strand}: {n} of {total} lead disruptions ({pct(n, total)}), below the floor of {share_text(floor)}"
                )
        if not short:
            return self.finding(None, f"Every strand reaches its floor among {total} lead disruptions.", value=0)
        return self.finding(True, "; ".join(short) + ".", value=len(short))
