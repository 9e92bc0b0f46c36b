"""The one way figures are written for people (format.py)."""

import datetime as dt

from disruption_qa import format as fmt


def test_shares_in_whole_percent_as_the_inspectors_write_them():
    assert fmt.share(0.8365) == "84%" and fmt.share(0.0) == "0%" and fmt.share(1) == "100%"
    assert fmt.share(None) == "n/a" and fmt.share(None, "-") == "-"
    assert fmt.share_of(312, 373) == "84%" and fmt.share_of(3, 0) == "0%"
    assert fmt.share_words(0.85) == "85 percent"


def test_numbers_counts_plurals_and_dates():
    assert fmt.number(1234.56) == "1,234.6" and fmt.number(2, 0) == "2" and fmt.number(None) == "n/a"
    assert fmt.count(1200.0) == "1,200" and fmt.count(12.25) == "12.2"
    assert fmt.plural(1, "record") == "1 record" and fmt.plural(0, "record") == "0 records"
    assert fmt.date(dt.date(2022, 4, 3)) == "03/04/2022" and fmt.date(None) == "unknown"
