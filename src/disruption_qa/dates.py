"""Dates as APMIS exports write them: UK ``dd/mm/yyyy`` (optionally with a time) or ISO; or a whole column
of Excel serial numbers, as a spreadsheet saved as CSV may write them.

``03/04/2022`` is always the 3rd of April. Parsing is vectorised over the unique
values of a column (an export of a million rows holds a few thousand distinct
dates), so it costs almost nothing at national scale.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
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

#: Years a date in an APMIS export can plausibly have. A date outside them
#: (``02/11/3022``, ``01/01/0022``) is a typing slip, reported as an invalid
#: date; the bounds also keep every date inside ``datetime64[ns]``.
FIRST_YEAR, LAST_YEAR = 1900, 2199


def _parse_uniques(uniques: pd.Series) -> pd.Series:
    """Each text parsed by the first format that fits; NaT when none does. Any year."""
    parsed = pd.Series(pd.NaT, index=uniques.index, dtype="datetime64[us]")
    for fmt in FORMATS:
        todo = parsed.isna()
        if not todo.any():
            break
        parsed[todo] = pd.to_datetime(uniques[todo], format=fmt, errors="coerce").astype("datetime64[us]")
    return parsed


#: Excel's day 0 (serial 1 is 1 January 1900, counting Excel's 29 February 1900).
EXCEL_EPOCH = dt.date(1899, 12, 30)
#: The serial numbers a column of dates written by Excel as numbers may hold: 1 January 1990 to 31 December 2099.
SERIAL_RANGE = ((dt.date(1990, 1, 1) - EXCEL_EPOCH).days, (dt.date(2099, 12, 31) - EXCEL_EPOCH).days)
_SERIAL = r"^\d{5}(\.\d+)?$"


def parse_dates(values: pd.Series) -> pd.Series:
    """Parse a column of date text into ``datetime64`` days; blank, unparseable or implausible gives NaT."""
    return parse_date_column(values)[0]


def parse_date_column(values: pd.Series, serial: bool = True) -> tuple[pd.Series, bool]:
    """A column of date text as ``datetime64`` days (blank, unparseable or implausible: NaT), and whether it was
    read as Excel serial numbers: only when ``serial`` allows and every value in it is one, in SERIAL_RANGE (``44927`` is 1 January
    2023; a fraction is a time of day). Never value by value: one date among serial numbers is not guessed."""
    codes, uniques = pd.factorize(values)  # blank: -1
    texts = pd.Series(uniques, dtype="string").str.strip()
    serial = serial and bool(len(texts)) and bool(texts.str.fullmatch(_SERIAL).all())
    if serial:
        numbers = texts.astype(float)
        serial = bool(numbers.between(*SERIAL_RANGE).all())
    if serial:
        parsed = pd.Timestamp(EXCEL_EPOCH) + pd.to_timedelta(np.floor(numbers.to_numpy(dtype=float)), unit="D")
        parsed = pd.Series(parsed, index=texts.index)
    else:
        parsed = _parse_uniques(texts)
    years = parsed.dt.year
    parsed = parsed.where((years >= FIRST_YEAR) & (years <= LAST_YEAR)).astype("datetime64[ns]").dt.normalize()
    days = np.append(parsed.to_numpy(), np.datetime64("NaT", "ns"))  # the last one for code -1
    return pd.Series(days[codes], index=values.index, name=values.name, dtype="datetime64[ns]"), serial


def parse_date(text: str) -> dt.date | None:
    """Parse one date (a title line, a command-line option); None when it is not a date (a serial number alone is
    not: only a whole column of them is read as dates)."""
    value = parse_date_column(pd.Series([text]), serial=False)[0].iloc[0]
    return None if pd.isna(value) else value.date()


def format_date(value: dt.date | pd.Timestamp | None) -> str:
    """A date as users write it: ``dd/mm/yyyy``."""
    if value is None or pd.isna(value):
        return ""
    return value.strftime(UK_FORMAT)


def implausible_year(text: str | None) -> int | None:
    """The year of a well-formed date outside FIRST_YEAR..LAST_YEAR (for the message), else None.

    One value at a time (a message each), so by the standard library's
    ``strptime`` with the same formats: a pandas parse of one value is far slower.
    """
    if text is None:
        return None
    for fmt in FORMATS:
        try:
            value = dt.datetime.strptime(str(text).strip(), fmt)
        except ValueError:
            continue
        return None if FIRST_YEAR <= value.year <= LAST_YEAR else value.year
    return None
