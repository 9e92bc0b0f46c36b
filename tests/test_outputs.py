"""Output writers: tables safe to open in Excel."""

from __future__ import annotations

import csv

import pandas as pd

from disruption_qa.render.files import write_frame_csv


def test_frame_csv_neutralises_formulas_and_round_trips(tmp_path):
    values = ["=HYPERLINK(\"x\")", "+1", "-2", "@SUM(A1)", "\tx", "plain, with comma", 'say "hi"', None, "line\nbreak"]
    frame = pd.DataFrame({"value": values, "row": pd.array([1, None, 3, 4, 5, 6, 7, 8, 9], dtype="Int64")})
    path = tmp_path / "fixes.csv"
    write_frame_csv(path, frame)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["value"] for r in rows] == [
        "'=HYPERLINK(\"x\")", "'+1", "'-2", "'@SUM(A1)", "'\tx", "plain, with comma", 'say "hi"', "", "line\nbreak",
    ]
    assert [r["row"] for r in rows] == ["1", "", "3", "4", "5", "6", "7", "8", "9"]
