"""Dates as APMIS exports write them: UK ``dd/mm/yyyy`` (optionally with a time) or ISO.

``03/04/2022`` is always the 3rd of April. Parsing is vectorised over the unique
values of a column (an export of a million rows holds a few thousand distinct
dates), so it costs almost nothing at national scale.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

#: Tried in order; the first that parses a value wins. Day-first formats come
#: first so that an ambiguous value is never read month-first.
FORMATS = (
    "%d/%m/%Y",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%Y-%m-%d",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
)

UK_FORMAT = "%d/%m/%Y"


def parse_dates(values: pd.Series) -> pd.Series:
    """Parse a column of date text into ``datetime64`` days; blank or unparseable gives NaT."""
    text = values.astype("string").str.strip()
    uniques = pd.Series(text.dropna().unique(), dtype="string")
    parsed = pd.Series(pd.NaT, index=uniques.index, dtype="datetime64[ns]")
    for fmt in FORMATS:
        todo = parsed.isna()
        if not todo.any():
            break
        parsed[todo] = pd.to_datetime(uniques[todo], format=fmt, errors="coerce")
    lookup = pd.Series(parsed.dt.normalize().array, index=uniques.array, dtype="datetime64[ns]")
    out = text.map(lookup) if len(lookup) else pd.Series(pd.NaT, index=text.index)
    return pd.Series(pd.to_datetime(out), index=values.index, name=values.name).astype("datetime64[ns]")


def parse_date(text: str) -> dt.date | None:
    """Parse one date (a title line, a command-line option); None when it is not a date."""
    value = parse_dates(pd.Series([text])).iloc[0]
    return None if pd.isna(value) else value.date()


def format_date(value: dt.date | pd.Timestamp | None) -> str:
    """A date as users write it: ``dd/mm/yyyy``."""
    if value is None or pd.isna(value):
        return ""
    return value.strftime(UK_FORMAT)
