from __future__ import annotations

from typing import ClassVar

import numpy as np
import pandas as pd

from ..contract import LEAD, SUPPORT
from .base import EXTRACTION, Check, Extraction, Finding, Param, pct, share_text

ID, ORG, SUPPORTED, THREAT, TACTIC, DATE = (
    "disruption_id",
    "recording_organisation",
    "supported_organisation",
    "threat_id",
    "tactic",
    "disruption_date",
)


class LeadSupportReconciliation(Check):
    """Lead and support disruptions that do not agree between organisations.

    What it checks:
    Across every organisation in the extraction at once (the only check that
    does), three things. (a) Two organisations each recording a lead
    disruption in the period against the same Threat ID with the same Tactic,
    their Disruption Dates at most ``days`` apart: the same disruption
    probably counted twice; any one flags both. (b) Support disruptions in the
    period whose Supported Organisation recorded no lead disruption against
    that Threat ID within ``window_days`` of its Disruption Date (either
    side): the supported organisation is flagged when the share of the support
    it received without a matching lead is above ``threshold``, and the
    records are listed either way. (c) A support disruption whose Supported
    Organisation is its own Recording Organisation: any one flags. Lead
    disruptions are counted whatever their assessment; records without a
    Threat ID or a Disruption Date cannot be matched and are left out (the
    validation report lists them). Not applicable when only one organisation
    recorded disruptions in the file.

    Why it matters:
    A force records the disruptions it led and a regional organised crime
    unit the support it gave, so each support disruption should have a lead
    beside it in the supported force's records. Where it does not, the force
    is probably not recording work it led; where two organisations both
    claim the lead, the region counts one disruption twice.

    Basis:
    The 2023 inspection of the north-west, Appendix 2, "Data methodology and
    caveats": police forces "can only record disruptions that they have
    led", and a ROCU records support disruptions "carried out to benefit a
    force"; and the regional finding, "NWROCU and its constituent forces
    record SOC disruption activity in different ways". The 3 days, the 14-day
    window and the 50% threshold are the tool's choice.

    Example:
    9 of 16 support disruptions it received (56%) have no lead disruption of its own against the same threat within 14 days, above the threshold of 50%.

    What to do:
    For each pair of leads, agree which organisation led and ask the other
    to change its record to a support disruption or delete it. For support
    without a lead, ask the supported force whether it led the activity and,
    if so, to record it. Correct a support disruption recorded for its own
    organisation to a lead disruption.
    """

    id = "W117"
    name = "lead-support-reconciliation"
    title = "Lead and support disruptions disagree between organisations"
    scope = EXTRACTION
    params: ClassVar[dict[str, Param]] = {
        "days": Param(int, 3, "Days apart within which two organisations' leads on a threat and tactic are one."),
        "window_days": Param(
            int, 14, "Days either side of a support disruption within which the supported lead must fall."
        ),
        "threshold": Param(
            float, 0.5, "Share of support received without a matching lead above which to flag the supported."
        ),
    }

    def run_all(self, ex: Extraction) -> dict[str, Finding]:
        frame, in_period = ex.records, ex.in_period
        dated = frame[THREAT].notna() & frame[DATE].notna()
        lead = (frame["disruption_type"] == LEAD) & dated
        support = (frame["disruption_type"] == SUPPORT) & in_period & frame[SUPPORTED].notna()
        pairs = double_counted(frame[lead & in_period], self.settings["days"])
        received = _as_text(frame.loc[support & dated, [ID, ORG, SUPPORTED, THREAT, DATE]])
        received["matched"] = matched(received, frame[lead], self.settings["window_days"])
        supported = _as_text(frame.loc[support, [ID, ORG, SUPPORTED]])
        own = supported[supported[SUPPORTED] == supported[ORG]]
        return {org.name: self._finding(org.name, pairs, received, own) for org in ex.organisations}

    def _finding(self, name: str, pairs: pd.DataFrame, received: pd.DataFrame, own: pd.DataFrame) -> Finding:
        s = self.settings
        mine = pairs[pairs[ORG] == name]
        got = received[(received[SUPPORTED] == name) & (received[ORG] != name)]
        unmatched = got[~got["matched"]]
        share = len(unmatched) / len(got) if len(got) else None
        self_support = own[own[ORG] == name]
        gave = received[(received[ORG] == name) & (received[SUPPORTED] != name)]
        gave_unmatched = gave[~gave["matched"]]
        parts = []
        if len(mine):
            parts.append(
                f"{len(mine)} lead disruption(s) also recorded as lead by another organisation ({_by(mine['other_organisation'])})"
                f" against the same threat with the same tactic within {s['days']} days"
            )
        if len(got):
            over = share > s["threshold"]
            parts.append(
                f"{len(unmatched)} of {len(got)} support disruptions it received ({pct(len(unmatched), len(got))}) have no"
                f" lead disruption of its own against the same threat within {s['window_days']} days,"
                f" {'above' if over else 'within'} the threshold of {share_text(s['threshold'])}"
            )
        if len(self_support):
            parts.append(
                f"{len(self_support)} support disruption(s) recorded with itself as the organisation supported"
            )
        if len(gave):
            parts.append(
                f"of the {len(gave)} support disruptions it recorded, {len(gave_unmatched)} have no matching lead by"
                f" the organisation supported" + (f" ({_by(gave_unmatched[SUPPORTED])})" if len(gave_unmatched) else "")
            )
        over = share is not None and share > s["threshold"]
        flagged = len(mine) > 0 or over or len(self_support) > 0
        if not parts:
            message = (
                "No lead disruption also claimed by another organisation, and no support disruption given or received."
            )
        else:
            message = "; ".join(parts) + "."
            message = message[0].upper() + message[1:]
        # IDs alone (each found on its row by ID): the pairs come from a merge, which keeps no spreadsheet rows
        records = [*mine[ID], *mine["other_id"], *unmatched[ID], *self_support[ID]]
        details = {
            "double_counted": [
                {
                    "disruption_id": r[ID],
                    "other_id": r["other_id"],
                    "other_organisation": r["other_organisation"],
                    "days_apart": int(r["days_apart"]),
                }
                for r in mine.to_dict("records")
            ],
            "support_received": len(got),
            "support_received_unmatched": len(unmatched),
            "supported_itself": len(self_support),
            "support_recorded": len(gave),
            "support_recorded_unmatched": _counts(gave_unmatched[SUPPORTED]),
        }
        if not flagged or not over:  # the unmatched support is listed either way: here when not among the records
            details["unmatched_support"] = sorted(unmatched[ID].tolist())
        return self.finding(flagged, message, value=share, records=records, details=details)


def _as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """The organisation columns as plain text, so that two of them compare whatever their categories."""
    return frame.assign(**{c: frame[c].astype(object) for c in (ORG, SUPPORTED) if c in frame.columns})


def _by(names: pd.Series) -> str:
    return ", ".join(f"{name} {n}" for name, n in _counts(names).items())


def _counts(names: pd.Series) -> dict[str, int]:
    counts = names.value_counts()
    return {str(k): int(v) for k, v in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))}


def double_counted(leads: pd.DataFrame, days: int) -> pd.DataFrame:
    """Each lead disruption with another organisation's lead against the same threat with the same tactic at most
    ``days`` apart: one row per (record, other record), so each pair twice, once from each side; columns the
    record's ID and organisation, ``other_id``, ``other_organisation`` and ``days_apart``."""
    columns = [ID, ORG, "other_id", "other_organisation", "days_apart"]
    if len(leads) < 2:
        return pd.DataFrame(columns=columns)
    threat, _ = pd.factorize(leads[THREAT])
    org, _ = pd.factorize(leads[ORG])
    # only threats more than one organisation recorded leads against can pair: nearly none, nationally
    low = np.full(threat.max() + 1, np.iinfo(np.int64).max)
    high = np.full(threat.max() + 1, -1)
    np.minimum.at(low, threat, org)
    np.maximum.at(high, threat, org)
    shared = leads[low[threat] != high[threat]]
    if len(shared) == 0:
        return pd.DataFrame(columns=columns)
    side = _as_text(shared[[ID, ORG, THREAT, TACTIC, DATE]]).assign(**{TACTIC: shared[TACTIC].astype(object)})
    both = side.merge(side, on=[THREAT, TACTIC], suffixes=("", "_other"))
    apart = (both[DATE] - both[f"{DATE}_other"]).abs().dt.days
    keep = (both[ORG] != both[f"{ORG}_other"]) & (apart <= days)
    out = both[keep].assign(days_apart=apart[keep])
    out = out.rename(columns={f"{ID}_other": "other_id", f"{ORG}_other": "other_organisation"})[columns]
    return out.sort_values([ORG, ID, "other_id"], ignore_index=True)


def matched(support: pd.DataFrame, leads: pd.DataFrame, window: int) -> np.ndarray:
    """For each support disruption, whether its Supported Organisation recorded a lead against its Threat ID at
    most ``window`` days from its Disruption Date."""
    if len(support) == 0:
        return np.zeros(0, bool)
    threats = support[THREAT].unique()
    candidates = leads[leads[THREAT].isin(threats)]
    candidates = _as_text(candidates[[ORG, THREAT, DATE]]).rename(columns={ORG: SUPPORTED, DATE: "lead_date"})
    numbered = support[[SUPPORTED, THREAT, DATE]].assign(at=np.arange(len(support)))
    both = numbered.merge(candidates, on=[SUPPORTED, THREAT])
    close = (both[DATE] - both["lead_date"]).abs().dt.days <= window
    out = np.zeros(len(support), bool)
    out[both["at"].to_numpy()[close.to_numpy()]] = True
    return out
