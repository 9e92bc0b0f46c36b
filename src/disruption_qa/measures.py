"""Measures shared by the checks and the indicators, so each is computed one way only."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .contract import STRANDS, arrow_array

#: The contract's strands, for positions among them.
STRAND_INDEX = pd.Index(STRANDS)


@dataclass
class Lateness:
    happened: pd.DataFrame  # records whose Disruption Date is in the period (and have a Record Date)
    lag_days: pd.Series
    late: pd.Series  # the Disruption IDs of those recorded more than `days` after they happened
    entered_after: pd.Series  # ... of those recorded after the period ended

    @property
    def share(self) -> float | None:
        return len(self.late) / len(self.happened) if len(self.happened) else None


def happened_in(records: pd.DataFrame, start: dt.date, end: dt.date) -> tuple[pd.DataFrame, pd.Series]:
    """The records whose Disruption Date is in the period (and that have a Record Date), and their lag in days."""
    happened = records[
        (records["disruption_date"] >= pd.Timestamp(start))
        & (records["disruption_date"] <= pd.Timestamp(end))
        & records["record_date"].notna()
    ]
    return happened, (happened["record_date"] - happened["disruption_date"]).dt.days


def lateness(
    records: pd.DataFrame,
    start: dt.date,
    end: dt.date,
    days: int,
    happened: tuple[pd.DataFrame, pd.Series] | None = None,
) -> Lateness:
    """How late the disruptions that happened in the period were recorded.

    ``happened``: :func:`happened_in` of the same records and period, when already at hand.
    """
    happened, lag = happened if happened is not None else happened_in(records, start, end)
    ids = happened["disruption_id"]  # a column, not the whole frame, is filtered: only IDs and counts are used
    return Lateness(happened, lag, ids[lag > days], ids[happened["record_date"] > pd.Timestamp(end)])


def top_recorder(records: pd.DataFrame) -> tuple[str | None, int, int, int]:
    """The busiest recorder: (user, their records, all records with a recorder, number of recorders)."""
    named = records["recorded_by"].dropna()
    if named.empty:
        return None, 0, 0, 0
    counts = named.value_counts()
    counts = counts[counts > 0]  # a categorical column also counts the users of other organisations and years, at 0
    return str(counts.index[0]), int(counts.iloc[0]), len(named), len(counts)


def unassessed(threats: pd.DataFrame, as_of: pd.Timestamp, moderation_days: int) -> dict[str, pd.Series]:
    """Masks over threats: no MoRiLE score, no tier, still unmoderated more than ``moderation_days`` after
    their Created Date as of ``as_of`` (the extraction date), and any of them."""
    no_score = threats["morile_score"].isna()
    no_tier = threats["tier"].isna()
    age = (as_of - threats["created_date"]).dt.days  # an unknown Created Date: waiting too long
    waiting = (threats["moderation_status"] == "Unmoderated") & (age.isna() | (age > moderation_days))
    return {
        "no_score": no_score,
        "no_tier": no_tier,
        "moderation_overdue": waiting,
        "any": no_score | no_tier | waiting,
    }


def plans(threats: pd.DataFrame, as_of: pd.Timestamp, review_days: int) -> dict[str, pd.Series]:
    """Masks over threats for their 4P plans as of ``as_of`` (the extraction date): due (created at least
    ``review_days`` before), and among those due, no plan recorded (no Last Review Date) and out of date (last
    reviewed more than ``review_days`` before)."""
    age = (as_of - threats["created_date"]).dt.days
    due = age.isna() | (age >= review_days)  # a threat whose Created Date is unknown is due
    no_plan = due & threats["last_review_date"].isna()
    out_of_date = due & ((as_of - threats["last_review_date"]).dt.days > review_days)
    return {"due": due, "no_plan": no_plan, "out_of_date": out_of_date}


def distinct(values: pd.Series) -> pd.Index:
    """The distinct values of a column, blanks left out: through the category codes when it is categorical (as
    the engine gives it), far quicker than comparing the values themselves."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes = np.unique(values.cat.codes.to_numpy())
        return values.cat.categories.take(codes[codes >= 0])
    return pd.Index(values.dropna().unique())


def is_in(values: pd.Series, among: pd.Index) -> np.ndarray:
    """Which of ``values`` are among ``among``: by pyarrow when the column is pyarrow-backed (pandas' own isin
    then goes through Python value by value)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    array = arrow_array(values)
    if array is None:
        return values.isin(among).to_numpy()
    value_set = arrow_array(among)
    if value_set is None:
        value_set = pa.array(list(among), type=pa.string())
    elif isinstance(value_set, pa.ChunkedArray):
        value_set = value_set.combine_chunks()
    found = pc.is_in(array, value_set=value_set.cast(array.type))
    return found.to_numpy(zero_copy_only=False).astype(bool)


def officers(threats: pd.DataFrame) -> pd.Series:
    """Threats held by each Lead Responsible Officer, most first (threats with none left out)."""
    held = threats["lead_responsible_officer"].value_counts()
    return held[held > 0]  # a categorical column also counts other organisations' officers, at 0


def in_scope(threats: pd.DataFrame | None) -> pd.DataFrame | None:
    """The threats whose Phase is one of ``contract.PHASES_IN_SCOPE`` (Active or Dormant)."""
    from .contract import PHASES_IN_SCOPE

    return threats[threats["phase"].isin(PHASES_IN_SCOPE)] if threats is not None else None


def active(threats: pd.DataFrame | None) -> pd.DataFrame | None:
    return threats[threats["phase"] == "Active"] if threats is not None else None


def codes_in(values: pd.Series, names: pd.Index) -> np.ndarray:
    """Each value's position in ``names``; -1 where blank or not among them.

    Through the category codes when the column is categorical (as the engine
    gives it): comparing the values themselves was most of W110's and W112's time."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return np.append(names.get_indexer(values.cat.categories), -1)[values.cat.codes.to_numpy()]
    return names.get_indexer(values)


#: The recording-lag distribution's bars: (first day, last day or None, label).
LAG_BUCKETS = [
    (0, 7, "up to 7 days"),
    (8, 28, "8 to 28 days"),
    (29, 90, "29 to 90 days"),
    (91, 180, "91 to 180 days"),
    (181, 365, "181 to 365 days"),
    (366, None, "over a year"),
]


def monthly_by_strand(counted: pd.DataFrame, start: dt.date, end: dt.date, column: str = "record_date") -> pd.DataFrame:
    """Counted records each month of the period (by the date the period is taken on, ``column``) by strand: one
    row per month, ``Jan 2022``."""
    months = pd.period_range(pd.Timestamp(start), pd.Timestamp(end), freq="M")
    dates = counted[column]
    month = (dates.dt.year * 12 + dates.dt.month - (start.year * 12 + start.month)).to_numpy(dtype=float, na_value=-1)
    strand = codes_in(counted["strand"], STRAND_INDEX)  # -1: blank or not a contract strand
    keep = (month >= 0) & (month < len(months)) & (strand >= 0)  # months of the period, the contract's strands
    cells = month[keep].astype(int) * len(STRANDS) + strand[keep]
    counts = np.bincount(cells, minlength=len(months) * len(STRANDS)).reshape(len(months), len(STRANDS))
    return pd.DataFrame(counts, index=[m.strftime("%b %Y") for m in months], columns=list(STRANDS))


def lag_distribution(lag: pd.Series) -> list[tuple[str, int]]:
    """Recording lags (days, as :func:`happened_in` gives them) counted in the LAG_BUCKETS."""
    out = []
    for low, high, label in LAG_BUCKETS:
        mask = lag >= low if high is None else (lag >= low) & (lag <= high)
        out.append((label, int(mask.sum())))
    return out
