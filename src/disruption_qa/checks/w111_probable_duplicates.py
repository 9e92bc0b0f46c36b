from __future__ import annotations

from .base import Check, Context, Finding

KEY = ["recording_organisation", "threat_id", "disruption_date", "strand", "tactic"]


class ProbableDuplicates(Check):
    """Two or more records of the same disruption.

    What it checks:
    Records in the period that share Recording Organisation, Threat ID,
    Disruption Date, 4P Strand and Tactic under different Disruption IDs.

    Why it matters:
    Double counting inflates performance and hides how much work was really
    done; it usually happens when two people record the same operation.

    Basis:
    The tool's own hygiene rule: the inspection gives no figure for
    duplicates. What makes two records probable duplicates (the same
    organisation, threat, date, strand and tactic) is the tool's choice.

    Example:
    4 groups of probable duplicates (9 records).

    What to do:
    Open each group; where they describe the same activity, keep one record
    and ask for the others to be deleted.
    """

    id = "W111"
    name = "probable-duplicates"
    title = "Probable duplicate records"

    def run(self, ctx: Context) -> Finding:
        records = ctx.in_period
        if len(records) == 0:
            return self.not_applicable("no disruptions were recorded in the period")
        later = records.duplicated(KEY, keep="first")  # a record with the same key earlier on
        earlier = records.duplicated(KEY, keep="last")  # ... later on
        dup = later | earlier
        if not dup.any():
            return self.finding(None, f"No probable duplicates among {len(records)} records.", value=0)
        groups = int((earlier & ~later).sum())  # each group's first record
        message = f"{groups} group(s) of probable duplicates ({int(dup.sum())} records with the same organisation, threat, date, strand and tactic)."
        return self.finding(True, message, value=groups, records=records["disruption_id"][dup])
