from __future__ import annotations

import numpy as np
import pandas as pd

from ..measures import codes_in
from .base import Check, Context, Finding


class OrphanRecords(Check):
    """Disruptions that do not match a threat on the master list.

    What it checks:
    Records in the period whose Threat ID is not on the SOC master list, whose
    threat was closed before the disruption happened, or whose Threat Type
    differs from the master list's.

    Why it matters:
    A disruption counts against a threat. One recorded against a threat that
    does not exist, was already closed, or is of another type never counts
    where it should, and the threat's 4P plan looks emptier than it is.

    Basis:
    The tool's own rule, from the export contract: a disruption counts
    against a threat of the master list, open when it happened, of the
    same type.

    Example:
    7 disruptions do not match the master list: 3 unknown Threat IDs, 2 against closed threats, 2 with another Threat Type.

    What to do:
    Open each record and correct its Threat ID or Threat Type; for closed
    threats, check whether the threat was merged into another.
    """

    id = "W110"
    name = "orphan-records"
    title = "Disruptions that do not match the master list"
    severity = "error"
    needs_master_list = True

    def run(self, ctx: Context) -> Finding:
        records = ctx.in_period
        if len(records) == 0:
            return self.not_applicable("no disruptions were recorded in the period")
        master = ctx.master_list
        at = master.index.get_indexer(records["threat_id"])  # hash lookup; -1 when not on the list
        known = at >= 0
        on_list = at.clip(min=0)  # -1 takes row 0, masked by ``known``
        closed = (
            master["closed_date"].to_numpy()[on_list] if len(master) else np.full(len(records), np.datetime64("NaT"))
        )
        closed_before = known & (closed < records["disruption_date"].to_numpy())  # NaT compares False
        types = master["threat_type"]
        names = (
            types.cat.categories if isinstance(types.dtype, pd.CategoricalDtype) else pd.Index(types.dropna().unique())
        )
        listed = codes_in(types, names)[on_list] if len(master) else np.full(len(records), -1)
        other_type = known & (listed >= 0) & (listed != codes_in(records["threat_type"], names))
        unknown = ~known
        details = {
            "unknown_threat": int(unknown.sum()),
            "threat_closed": int(closed_before.sum()),
            "type_differs": int(other_type.sum()),
        }
        bad = records["disruption_id"][unknown | closed_before | other_type]
        if bad.empty:
            return self.finding(
                None, f"All {len(records)} disruptions match a threat on the master list.", value=0, details=details
            )
        n = bad.nunique()
        message = (
            f"{n} disruption(s) do not match the master list: {details['unknown_threat']} unknown Threat IDs,"
            f" {details['threat_closed']} against threats closed before the disruption,"
            f" {details['type_differs']} with another Threat Type."
        )
        return self.finding(True, message, value=n, records=bad, details=details)
