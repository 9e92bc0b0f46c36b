"""Selections of records: the period under review and the inspectors' filters.

The inspectors' filters are those of Appendix 2 of the 2023 north-west
inspection (contract, "The inspectors' filters"). They work on typed frames
(:func:`disruption_qa.reading.typed_frame`).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from .contract import CLOSED_PHASES, COUNTED_ASSESSMENTS, LEAD


def in_period(frame: pd.DataFrame, start: dt.date, end: dt.date, column: str = "record_date") -> pd.Series:
    """Rows whose date (Record Date by default) falls from ``start`` to ``end`` inclusive."""
    dates = frame[column]
    return (dates >= pd.Timestamp(start)) & (dates <= pd.Timestamp(end))


def inspection_disruptions(frame: pd.DataFrame, start: dt.date, end: dt.date) -> pd.Series:
    """Lead disruptions recorded in the period and assessed Major, Moderate or Minor."""
    return (
        (frame["disruption_type"] == LEAD)
        & in_period(frame, start, end)
        & frame["assessment_category"].isin(COUNTED_ASSESSMENTS)
    )


def inspection_threats(frame: pd.DataFrame) -> pd.Series:
    """Tactical, moderated SOC threats, not Tier 5, whose phase does not contain "Closed"."""
    return (
        (frame["assessment_type"] == "Tactical")
        & (frame["moderation_status"] == "Moderated")
        & (frame["soc_status"] == "SOC")
        & (frame["tier"].fillna("") != "Tier 5")
        & ~frame["phase"].isin(CLOSED_PHASES)
        & ~frame["phase"].fillna("").str.contains("Closed", case=False)
    )
