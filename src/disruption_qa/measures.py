"""Measures shared by the checks and the indicators, so each is computed one way only."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from .contract import STRANDS


@dataclass
class Lateness:
    happened: pd.DataFrame  # records whose Disruption Date is in the period (and have a Record Date)
    lag_days: pd.Series
    late: pd.DataFrame  # recorded more than `days` after they happened
    entered_after: pd.DataFrame  # recorded after the period ended

    @property
    def share(self) -> float | None:
        return len(self.late) / len(self.happened) if len(self.happened) else None


def lateness(records: pd.DataFrame, start: dt.date, end: dt.date, days: int) -> Lateness:
    """How late the disruptions that happened in the period were recorded."""
    happened = records[
        (records["disruption_date"] >= pd.Timestamp(start))
        & (records["disruption_date"] <= pd.Timestamp(end))
        & records["record_date"].notna()
    ]
    lag = (happened["record_date"] - happened["disruption_date"]).dt.days
    return Lateness(happened, lag, happened[lag > days], happened[happened["record_date"] > pd.Timestamp(end)])


def top_recorder(records: pd.DataFrame) -> tuple[str | None, int, int, int]:
    """The busiest recorder: (user, their records, all records with a recorder, number of recorders)."""
    named = records["recorded_by"].dropna()
    if named.empty:
        return None, 0, 0, 0
    counts = named.value_counts()
    return str(counts.index[0]), int(counts.iloc[0]), len(named), len(counts)


def unassessed(threats: pd.DataFrame) -> dict[str, pd.Series]:
    """Masks over threats: no MoRiLE score, no tier, unmoderated, and any of them."""
    no_score = threats["morile_score"].isna()
    no_tier = threats["tier"].isna()
    unmoderated = threats["moderation_status"] == "Unmoderated"
    return {"no_score": no_score, "no_tier": no_tier, "unmoderated": unmoderated, "any": no_score | no_tier | unmoderated}


def active(threats: pd.DataFrame | None) -> pd.DataFrame | None:
    return threats[threats["phase"] == "Active"] if threats is not None else None


#: The recording-lag distribution's bars: (first day, last day or None, label).
LAG_BUCKETS = [(0, 7, "up to 7 days"), (8, 28, "8 to 28 days"), (29, 90, "29 to 90 days"),
               (91, 180, "91 to 180 days"), (181, 365, "181 to 365 days"), (366, None, "over a year")]


def monthly_by_strand(counted: pd.DataFrame, start: dt.date, end: dt.date) -> pd.DataFrame:
    """Counted records each month of the period (by Record Date) by strand: one row per month, ``Jan 2022``."""
    months = pd.period_range(pd.Timestamp(start), pd.Timestamp(end), freq="M")
    table = (
        counted.assign(month=counted["record_date"].dt.to_period("M"))
        .groupby(["month", "strand"], observed=True)
        .size()
        .unstack(fill_value=0)
        .reindex(index=months, columns=list(STRANDS), fill_value=0)
    )
    table.index = [m.strftime("%b %Y") for m in table.index]
    return table.astype(int)


def lag_distribution(records: pd.DataFrame, start: dt.date, end: dt.date) -> list[tuple[str, int]]:
    """Disruptions that happened in the period, counted in the LAG_BUCKETS of days they took to be recorded."""
    lag = lateness(records, start, end, 0).lag_days
    out = []
    for low, high, label in LAG_BUCKETS:
        mask = lag >= low if high is None else (lag >= low) & (lag <= high)
        out.append((label, int(mask.sum())))
    return out
