"""How the tool writes figures for people: shares, counts, numbers and dates, the same in every output.

Shares are written as the inspectors write them, in whole percent (``84%``,
or ``84 percent`` in a sentence quoted from an inspection report); dates in
the UK form the exports use (``03/04/2022``). A figure that does not exist
(no records to divide by) is written as each view asks (``n/a``, ``-``).
Text from an export is shown with its control characters made visible
(:func:`visible`), so a value cannot move the cursor, recolour or retitle a
terminal, or hide inside a report or a CSV.
"""

from __future__ import annotations

import re

from .contract import CONTROLS_BUT_LINE_BREAKS
from .dates import format_date

__all__ = ["CONTROL_CHARACTERS", "count", "date", "number", "plural", "share", "share_of", "share_words", "visible"]

#: The characters never shown as they are: C0 controls but tab and line breaks, DEL, and C1 controls (ESC
#: starts a terminal's escape sequences; CSI, U+009B, is ESC [ in one character). A CR is kept only as the
#: start of a CRLF line break: alone it returns the cursor to the start of the line.
CONTROL_CHARACTERS = re.compile(CONTROLS_BUT_LINE_BREAKS + "|\r(?!\n)")


def visible(text: str) -> str:
    """``text`` with each control character written as its escape: ``\\x1b[2K`` for ESC [2K."""
    if text.isprintable() or not CONTROL_CHARACTERS.search(text):  # (the first test is the quicker: most text)
        return text
    return CONTROL_CHARACTERS.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def share(value: float | None, missing: str = "n/a") -> str:
    """``0.84`` -> ``84%``; ``missing`` for None."""
    return missing if value is None else f"{value * 100:.0f}%"


def share_of(part: float, whole: float) -> str:
    """``84%`` of ``part`` in ``whole`` (``0%`` when ``whole`` is nothing)."""
    return share(part / whole if whole else 0.0)


def share_words(value: float) -> str:
    """``0.84`` -> ``84 percent``, as an inspection report writes it in a sentence."""
    return f"{value * 100:.0f} percent"


def number(value: float | None, places: int = 1, missing: str = "n/a") -> str:
    """``1234.56`` -> ``1,234.6`` (``places`` decimals); ``missing`` for None."""
    return missing if value is None else f"{value:,.{places}f}"


def count(value: float) -> str:
    """A count or a measure on an axis: ``1,234`` when whole, else one decimal (``12.5``)."""
    return f"{value:,.0f}" if value == int(value) else f"{value:,.1f}"


def plural(n: int, word: str) -> str:
    """``1 record``, ``2 records``."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def date(value, missing: str = "unknown") -> str:
    """A date as the exports write it (``dd/mm/yyyy``); ``missing`` when there is none."""
    return format_date(value) or missing
