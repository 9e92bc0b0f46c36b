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
    Across every organisation in the extraction at once (the only check
    that does), three things. (a) A lead disruption in the period and
    another organisation's lead (of any date in the file) against the same
    Threat ID with the same Tactic, their Disruption Dates at most
    ``days`` apart: the same disruption probably counted twice; any one
    flags both. (b) Support disruptions in the period whose Supported
    Organisation recorded no lead disruption against that Threat ID within
    ``window_days`` of its Disruption Date (either side): the supported
    organisation is flagged when the share of the support it received
    without a matching lead is above ``threshold``, and the records are
    listed either way. (c) A support disruption whose Supported
    Organisation is its own Recording Organisation: any one flags. Lead
    disruptions are counted whatever their assessment; records without a
    Threat ID, a Disruption Date, an organisation or (for (a)) a Tactic
    cannot be matched and are left out (the validation report lists them).
    Not applicable when only one organisation recorded disruptions in the
    file.

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
        frame = ex.records
        # the columns matched on as integer codes, once: comparing and sorting numbers, not text, over a
        # national extraction's million records
        orgs = _categories(frame[ORG]).union(_categories(frame[SUPPORTED]))
        org, supported = _codes(frame[ORG], orgs), _codes(frame[SUPPORTED], orgs)
        threat, threat_ids = pd.factorize(frame[THREAT])  # -1: blank
        width = max(len(threat_ids), 1)  # (organisation, threat) as one integer: organisation * width + threat
        day = frame[DATE].to_numpy("datetime64[D]").astype(np.int64)
        kind, in_period = frame["disruption_type"], ex.in_period.to_numpy()
        lead = (kind == LEAD).to_numpy() & (threat >= 0) & frame[DATE].notna().to_numpy()
        support = (kind == SUPPORT).to_numpy() & in_period & (supported >= 0)

        # (a) leads of the period against another organisation's lead of any date, on a threat more than one
        # organisation led against (blank organisations and tactics cannot be compared: validation lists them)
        candidates = lead & (org >= 0) & frame[TACTIC].notna().to_numpy()
        pairs = double_counted(
            frame.take(np.flatnonzero(candidates & _shared(threat, org, candidates))), self.settings["days"]
        )
        pairs = pairs[ex.in_period.reindex(pairs["row"]).to_numpy(dtype=bool)]
        # (b) support of the period against the leads of the file
        rows = np.flatnonzero(support)
        given = _as_text(frame[[ID, ORG, SUPPORTED, THREAT, DATE]].take(rows))
        can_match = (threat[rows] >= 0) & given[DATE].notna().to_numpy()
        wanted = np.zeros(width, bool)
        wanted[threat[rows][can_match]] = True
        leads = np.flatnonzero(lead & wanted[np.maximum(threat, 0)])
        found = np.zeros(len(rows), bool)
        found[can_match] = matched(
            supported[rows][can_match] * width + threat[rows][can_match],
            day[rows][can_match],
            org[leads] * width + threat[leads],
            day[leads],
            self.settings["window_days"],
        )
        given["matched"] = found
        itself = (given[SUPPORTED] == given[ORG]).to_numpy()
        # each organisation's part of each, taken once (a national extraction has dozens of organisations)
        kept = given[~itself & can_match]
        sources = {
            "pairs": (pairs, ORG),
            "itself": (given[itself], ORG),
            "received": (kept, SUPPORTED),
            "gave": (kept, ORG),
        }
        parts = {key: _by_value(frame, column) for key, (frame, column) in sources.items()}
        return {
            org.name: self._finding(
                **{key: parts[key].get(org.name, frame.iloc[0:0]) for key, (frame, _) in sources.items()}
            )
            for org in ex.organisations
        }

    def _finding(
        self, pairs: pd.DataFrame, itself: pd.DataFrame, received: pd.DataFrame, gave: pd.DataFrame
    ) -> Finding:
        s = self.settings
        unmatched = received[~received["matched"]] if len(received) else received
        share = len(unmatched) / len(received) if len(received) else None
        over = share is not None and share > s["threshold"]
        gave_unmatched = gave[~gave["matched"]] if len(gave) else gave
        parts = []
        if len(pairs):
            others = pairs.drop_duplicates("other_id")["other_organisation"]
            parts.append(
                f"{pairs[ID].nunique()} lead disruption(s) also recorded as lead by another organisation"
                f" ({_by(others)}) against the same threat with the same tactic within {s['days']} days"
            )
        if len(received):
            parts.append(
                f"{len(unmatched)} of {len(received)} support disruptions it received ({pct(len(unmatched), len(received))}) have no"
                f" lead disruption of its own against the same threat within {s['window_days']} days,"
                f" {'above' if over else 'within'} the threshold of {share_text(s['threshold'])}"
            )
        if len(itself):
            parts.append(f"{len(itself)} support disruption(s) recorded with itself as the organisation supported")
        if len(gave):
            parts.append(
                f"of the {len(gave)} support disruptions it recorded, {len(gave_unmatched)} have no matching lead by"
                f" the organisation supported" + (f" ({_by(gave_unmatched[SUPPORTED])})" if len(gave_unmatched) else "")
            )
        flagged = len(pairs) > 0 or over or len(itself) > 0
        if not parts:
            message = (
                "No lead disruption also claimed by another organisation, and no support disruption given or received."
            )
        else:
            message = "; ".join(parts) + "."
            message = message[0].upper() + message[1:]
        # each ID on its spreadsheet row (the frames' index; the pairs keep theirs as columns through the merge)
        records = pd.Series(
            [*pairs[ID], *pairs["other_id"], *unmatched[ID], *itself[ID]],
            index=[*pairs["row"], *pairs["other_row"], *unmatched.index, *itself.index],
            dtype=object,
        )
        details = {
            "double_counted": [
                {
                    "disruption_id": r[ID],
                    "other_id": r["other_id"],
                    "other_organisation": r["other_organisation"],
                    "days_apart": int(r["days_apart"]),
                }
                for r in (pairs.to_dict("records") if len(pairs) else [])
            ],
            "support_received": len(received),
            "support_received_unmatched": len(unmatched),
            "supported_itself": len(itself),
            "support_recorded": len(gave),
            "support_recorded_unmatched": _counts(gave_unmatched[SUPPORTED]),
        }
        if not flagged:  # the unmatched support is listed either way: here, as a clear finding lists no records
            details["unmatched_support"] = sorted(unmatched[ID].tolist())
        return self.finding(flagged, message, value=share, records=records, details=details)


def _by_value(frame: pd.DataFrame, column: str) -> dict[str, pd.DataFrame]:
    """``frame``'s rows split by the value of ``column``."""
    if len(frame) == 0:
        return {}
    return {str(value): frame.take(rows) for value, rows in frame.groupby(column, sort=False).indices.items()}


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
    record's ID and organisation, ``other_id``, ``other_organisation``, ``days_apart``, and both records' rows
    (``row``, ``other_row``: the index of ``leads``). ``leads`` is best only
    those against a threat more than one organisation led against (see ``_shared``): they are merged in pairs."""
    columns = [ID, ORG, "other_id", "other_organisation", "days_apart", "row", "other_row"]
    if len(leads) < 2:
        return pd.DataFrame(columns=columns)
    side = _as_text(leads[[ID, ORG, THREAT, TACTIC, DATE]]).assign(
        **{TACTIC: leads[TACTIC].astype(object)}, row=leads.index
    )
    both = side.merge(side, on=[THREAT, TACTIC], suffixes=("", "_other"))
    apart = (both[DATE] - both[f"{DATE}_other"]).abs().dt.days
    keep = (both[ORG] != both[f"{ORG}_other"]) & (apart <= days)
    out = both[keep].assign(days_apart=apart[keep])
    out = out.rename(
        columns={f"{ID}_other": "other_id", f"{ORG}_other": "other_organisation", "row_other": "other_row"}
    )[columns]
    return out.sort_values([ORG, ID, "other_id"], ignore_index=True)


def matched(
    keys: np.ndarray, days: np.ndarray, lead_keys: np.ndarray, lead_days: np.ndarray, window: int
) -> np.ndarray:
    """For each support disruption (its supported organisation and threat as one integer ``keys``, its Disruption
    Date as a day number ``days``), whether a lead has the same key (its recording organisation and threat) at
    most ``window`` days away.

    Each lead becomes one sortable integer, key then day, and each support disruption looks up the first lead of
    its key from ``window`` days before: matched when that lead is no later than ``window`` days after. Sorting
    and searching numbers, not merging frames: a national extraction has hundreds of thousands of leads."""
    if len(keys) == 0 or len(lead_keys) == 0:
        return np.zeros(len(keys), bool)
    first_day = min(days.min(), lead_days.min())
    days = days - first_day + window + 1  # never below window + 1, so a window never reaches the key before
    lead_days = lead_days - first_day + window + 1
    span = int(max(days.max(), lead_days.max())) + window + 2  # nor the key after
    sorted_leads = np.sort(lead_keys.astype(np.int64) * span + lead_days)
    at = keys.astype(np.int64) * span + days
    first = np.searchsorted(sorted_leads, at - window, side="left")
    return (first < len(sorted_leads)) & (sorted_leads[np.minimum(first, len(sorted_leads) - 1)] <= at + window)


def _categories(values: pd.Series) -> pd.Index:
    if isinstance(values.dtype, pd.CategoricalDtype):
        return values.cat.categories
    return pd.Index(values.dropna().unique())


def _codes(values: pd.Series, categories: pd.Index) -> np.ndarray:
    """Each value's position in ``categories`` (-1 for a blank), as int64."""
    return pd.Categorical(values, categories=categories).codes.astype(np.int64)


def _shared(threat: np.ndarray, org: np.ndarray, among: np.ndarray) -> np.ndarray:
    """For each record, whether its threat (a code, as ``org``) has records of more than one organisation
    ``among`` the records where that holds: only those can be one disruption counted twice (nearly none,
    nationally)."""
    if not among.any():
        return np.zeros(len(threat), bool)
    size = int(threat.max()) + 1
    low, high = np.full(size, np.iinfo(np.int64).max), np.full(size, -1)
    np.minimum.at(low, threat[among], org[among])
    np.maximum.at(high, threat[among], org[among])
    return (threat >= 0) & (low[np.maximum(threat, 0)] != high[np.maximum(threat, 0)])
