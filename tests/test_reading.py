"""Reading exports: encodings, title lines, header matching, aliases, dates, Excel, row numbers."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
import xlsxwriter
from conftest import (
    DISRUPTIONS_BROKEN,
    DISRUPTIONS_BROKEN_XLSX,
    DISRUPTIONS_VALID,
    THREATS_VALID,
    csv_text,
    valid_disruption_rows,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from disruption_qa.config import load_config
from disruption_qa.dates import parse_date, parse_dates
from disruption_qa.errors import InputError
from disruption_qa.reading import read_export, typed_frame

HEADER, RECORDS = valid_disruption_rows()
SUMMARY = HEADER.index("Summary")


def records(n: int = 3) -> list[list[str]]:
    return [list(r) for r in RECORDS[:n]]


# --- encodings -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "encoding, prefix",
    [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("cp1252", b"")],
    ids=["utf-8", "utf-8-bom", "windows-1252"],
)
def test_encodings_keep_the_pound_sign(write_file, encoding, prefix):
    rows = records()
    rows[1][SUMMARY] = "Cash seized: £8,450 – café owner’s flat"
    data = prefix + csv_text([HEADER, *rows]).encode(encoding)
    export = read_export(write_file("d.csv", data), "disruptions")
    assert export.text.at[3, "summary"] == "Cash seized: £8,450 – café owner’s flat"
    assert export.text.at[2, "disruption_id"] == rows[0][0]  # a BOM does not spoil the first header
    assert export.source.encoding == {b"": encoding, b"\xef\xbb\xbf": "utf-8-sig"}[prefix]


def test_sample_pound_signs_come_through(write_file):
    export = read_export(DISRUPTIONS_VALID, "disruptions")
    assert export.text.at[5, "summary"] == "1.2 kg cocaine seized, street value £96,000."
    cp = write_file("cp.csv", DISRUPTIONS_VALID.read_text("utf-8"), encoding="cp1252")
    assert read_export(cp, "disruptions").text.equals(export.text)


# --- title lines and row numbers ----------------------------------------------------------


@pytest.mark.parametrize("n", range(6))
def test_title_lines_and_row_numbers(write_file, n):
    title = ["APMIS Disruptions Export", "Extracted: 04/01/2023 09:14", "Region: North West", "", "Run by: analyst"][:n]
    text = csv_text([HEADER, *records(4)], title=[t or "" for t in title])
    export = read_export(write_file("d.csv", text), "disruptions")
    assert export.source.header_row == n + 1
    assert list(export.text.index) == [n + 2, n + 3, n + 4, n + 5]
    assert export.text.at[n + 2, "disruption_id"] == RECORDS[0][0]
    assert export.text.at[n + 5, "disruption_id"] == RECORDS[3][0]
    assert export.extraction_date == (dt.date(2023, 1, 4) if n >= 2 else None)


def test_six_title_lines_are_too_many(write_file):
    text = csv_text([HEADER, *records()], title=[f"line {i}" for i in range(6)])
    with pytest.raises(InputError, match="no header row found in the first 6 rows"):
        read_export(write_file("d.csv", text), "disruptions")


@pytest.mark.parametrize(
    "line, day",
    [
        ("Extracted: 04/01/2023 09:14", dt.date(2023, 1, 4)),
        ("Extracted: 03/04/2022", dt.date(2022, 4, 3)),
        ("extracted on 2022-04-03", dt.date(2022, 4, 3)),
    ],
)
def test_extraction_date_from_a_title_line(write_file, line, day):
    text = csv_text([HEADER, *records()], title=["APMIS Disruptions Export", line])
    assert read_export(write_file("d.csv", text), "disruptions").extraction_date == day


def test_title_line_with_commas_is_still_a_title(write_file):
    # Excel saves a one-cell title line padded with commas to the sheet's width
    text = "APMIS Disruptions Export" + "," * 13 + "\r\nExtracted: 04/01/2023 09:14" + "," * 13 + "\r\n"
    text += csv_text([HEADER, *records()])
    export = read_export(write_file("d.csv", text), "disruptions")
    assert export.extraction_date == dt.date(2023, 1, 4)
    assert export.text.index[0] == 4


# --- header matching and aliases ------------------------------------------------------------


def test_header_names_match_whatever_the_spelling(write_file):
    header = list(HEADER)
    header[0] = "disruption_id"
    header[HEADER.index("Disruption Date")] = "DISRUPTION DATE"
    header[HEADER.index("4P Strand")] = "4P-Strand"
    header[HEADER.index("Record Date")] = "  record-date "
    header[HEADER.index("Recording Organisation")] = "Recording.Organisation"
    export = read_export(write_file("d.csv", csv_text([header, *records()])), "disruptions")
    assert export.text.at[2, "disruption_id"] == RECORDS[0][0]
    assert export.text.at[2, "disruption_date"] == RECORDS[0][HEADER.index("Disruption Date")]
    assert export.text.at[2, "strand"] == RECORDS[0][HEADER.index("4P Strand")]
    assert export.text.at[2, "record_date"] == RECORDS[0][HEADER.index("Record Date")]
    assert export.letters["strand"] == "I"


def test_extra_columns_are_kept(write_file):
    rows = [HEADER + ["Local Ref"]] + [r + [f"L{i}"] for i, r in enumerate(records())]
    export = read_export(write_file("d.csv", csv_text(rows)), "disruptions")
    assert list(export.text["Local Ref"]) == ["L0", "L1", "L2"]


def test_aliases_from_a_config_file(write_file):
    config = write_file(
        "qa.toml",
        '[columns.disruptions]\n"Disruption ID" = ["APMIS Ref"]\n"4P Strand" = "Strand of 4P"\n',
    )
    header = list(HEADER)
    header[0] = "APMIS Ref"
    header[HEADER.index("4P Strand")] = "strand_of_4p"
    path = write_file("d.csv", csv_text([header, *records()]))
    with pytest.raises(InputError, match=r"Disruption ID, .*4P Strand"):
        read_export(path, "disruptions")
    aliases = load_config(config).aliases["disruptions"]
    export = read_export(path, "disruptions", aliases=aliases)
    assert export.text.at[2, "disruption_id"] == RECORDS[0][0]
    assert export.text.at[3, "strand"] == RECORDS[1][HEADER.index("4P Strand")]


# --- dates ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, day",
    [
        ("03/04/2022", dt.date(2022, 4, 3)),
        ("3/4/2022", dt.date(2022, 4, 3)),
        ("03/04/2022 14:30", dt.date(2022, 4, 3)),
        ("03/04/2022 14:30:59", dt.date(2022, 4, 3)),
        ("2022-04-03", dt.date(2022, 4, 3)),
        ("2022-04-03 14:30:00", dt.date(2022, 4, 3)),
        ("2022-04-03T14:30:00", dt.date(2022, 4, 3)),
        ("13/04/2022", dt.date(2022, 4, 13)),
        (" 03/04/2022 ", dt.date(2022, 4, 3)),
        ("04/13/2022", None),  # month-first is never accepted
        ("31/02/2022", None),
        ("30/09/22", None),
        ("last Tuesday", None),
        ("2022-13-01", None),
        ("02/11/3022", None),  # an implausible year (and beyond pandas' nanosecond range)
        ("31/12/1899", None),
        ("01/01/1900", dt.date(1900, 1, 1)),
    ],
)
def test_uk_and_iso_dates(text, day):
    assert parse_date(text) == day


def test_dates_column_keeps_the_index_and_blanks():
    values = pd.Series(["03/04/2022", None, "2022-04-03", "nonsense"], index=[4, 5, 6, 7], dtype="str")
    parsed = parse_dates(values)
    assert list(parsed.index) == [4, 5, 6, 7]
    assert parsed[4] == parsed[6] == pd.Timestamp(2022, 4, 3)
    assert pd.isna(parsed[5]) and pd.isna(parsed[7])


def test_typed_frame_reads_uk_dates_day_first(write_file):
    rows = records()
    rows[0][HEADER.index("Disruption Date")] = "03/04/2022"
    rows[0][HEADER.index("Record Date")] = "2022-04-05"
    typed = typed_frame(read_export(write_file("d.csv", csv_text([HEADER, *rows])), "disruptions"))
    assert typed.at[2, "disruption_date"] == pd.Timestamp(2022, 4, 3)
    assert typed.at[2, "record_date"] == pd.Timestamp(2022, 4, 5)


def test_excel_date_cells_read_as_dates():
    xlsx = read_export(DISRUPTIONS_BROKEN_XLSX, "disruptions")
    csv_ = read_export(DISRUPTIONS_BROKEN, "disruptions")
    tx, tc = typed_frame(xlsx), typed_frame(csv_)
    assert xlsx.source.format == "xlsx" and xlsx.source.sheet == "Disruptions"
    assert list(xlsx.text.index) == list(csv_.text.index) == list(range(4, 29))
    # DIS-CH-0001 happened on 2 May 2022 (a date cell; in the CSV "02/05/2022")
    assert tx.at[4, "disruption_date"] == tc.at[4, "disruption_date"] == pd.Timestamp(2022, 5, 2)
    pd.testing.assert_series_equal(tx["record_date"], tc["record_date"])
    pd.testing.assert_series_equal(tx["disruption_date"], tc["disruption_date"])
    # a date cell is shown as the user sees it in a UK spreadsheet
    assert xlsx.text.at[4, "disruption_date"] == "02/05/2022"
    # a date typed as text stays as typed
    assert xlsx.text.at[14, "disruption_date"] == "31/02/2022"


def _workbook(path, sheets: dict[str, list[list[object]]], date_format: bool = True):
    wb = xlsxwriter.Workbook(str(path))
    fmt = wb.add_format({"num_format": "dd/mm/yyyy"})
    for name, rows in sheets.items():
        ws = wb.add_worksheet(name)
        for i, row in enumerate(rows):
            for j, v in enumerate(row):
                if isinstance(v, dt.datetime):
                    ws.write_datetime(i, j, v, fmt)
                elif v is not None and v != "":
                    ws.write(i, j, v)
    wb.close()
    return path


def test_sheet_by_name(tmp_path):
    path = _workbook(
        tmp_path / "two.xlsx",
        {"Notes": [["Read me first"], ["Nothing here"]], "Data": [["APMIS Disruptions Export"], HEADER, *records()]},
    )
    with pytest.raises(InputError, match="no header row"):
        read_export(path, "disruptions")  # the first sheet is the notes
    export = read_export(path, "disruptions", sheet="Data")
    assert export.source.sheet == "Data"
    assert list(export.text.index) == [3, 4, 5]
    assert export.cell("strand", 4) == "Data!I4"
    with pytest.raises(InputError, match=r"has no sheet named 'Missing' \(sheets: Notes, Data\)"):
        read_export(path, "disruptions", sheet="Missing")


def test_excel_title_lines_with_a_date_cell(tmp_path):
    title = [["APMIS Disruptions Export"], ["Extracted:", dt.datetime(2023, 1, 4, 9, 14)], []]
    path = _workbook(tmp_path / "d.xlsx", {"Disruptions": [*title, HEADER, *records(2)]})
    export = read_export(path, "disruptions")
    assert export.extraction_date == dt.date(2023, 1, 4)
    assert export.source.header_row == 4 and list(export.text.index) == [5, 6]
    assert export.cell("disruption_id", 6) == "Disruptions!A6"


@pytest.mark.parametrize(
    "sheet, ref",
    [
        ("Disruptions", "Disruptions"),
        ("Sheet1", "Sheet1"),
        ("Master List", "'Master List'"),
        ("Bob's", "'Bob''s'"),
        ("A1", "'A1'"),
        ("2022", "'2022'"),
        ("Données", "'Données'"),
    ],
)
def test_sheet_names_in_cell_references(sheet, ref):
    from disruption_qa.reading import sheet_reference

    assert sheet_reference(sheet) == ref


def test_excel_numbers_and_datetimes(tmp_path):
    header, rows = list(HEADER), records(2)
    rows[0][HEADER.index("Disruption Date")] = dt.datetime(2022, 4, 3, 14, 30)
    rows[0][HEADER.index("Record Date")] = dt.datetime(2022, 4, 5)
    rows[1][HEADER.index("Recorded By")] = 1234
    path = _workbook(tmp_path / "d.xlsx", {"Sheet1": [header, *rows]})
    export = read_export(path, "disruptions")
    typed = typed_frame(export)
    assert typed.at[2, "disruption_date"] == pd.Timestamp(2022, 4, 3)
    assert typed.at[2, "record_date"] == pd.Timestamp(2022, 4, 5)
    assert export.text.at[3, "recorded_by"] == "1234"


# --- blank rows, embedded newlines, ragged rows --------------------------------------------------


@pytest.mark.parametrize("tail", ["\r\n\r\n", "\r\n,,,,,,,,,,,,,\r\n,,,,,,,,,,,,,\r\n", "\n\n   \n", ",,,\r\n\r\n"])
def test_trailing_blank_rows_are_ignored(write_file, tail):
    text = csv_text([HEADER, *records(3)]) + tail
    export = read_export(write_file("d.csv", text), "disruptions")
    assert list(export.text.index) == [2, 3, 4]
    assert export.problems == []


@pytest.mark.parametrize("tail", ["", "\r\n", "\r\n\r\n,,,\r\n"])
def test_last_record_with_blank_last_cells_is_not_short(write_file, tail):
    rows = records(3)
    rows[2][SUMMARY] = ""
    rows[2][SUMMARY - 1] = ""  # Recorded By blank too: the line ends ",,"
    text = csv_text([HEADER, *rows]).removesuffix("\r\n") + tail
    assert text.rstrip("\r\n,").endswith(rows[2][SUMMARY - 2])
    export = read_export(write_file("d.csv", text), "disruptions")
    assert export.problems == []
    assert list(export.text.index) == [2, 3, 4]
    assert export.text.at[4, "threat_area"] == rows[2][SUMMARY - 2]
    assert pd.isna(export.text.at[4, "recorded_by"]) and pd.isna(export.text.at[4, "summary"])


def test_blank_row_in_the_middle_keeps_row_numbers(write_file):
    text = csv_text([HEADER, *records(2)]) + "\r\n" + csv_text(records(3)[2:])
    export = read_export(write_file("d.csv", text), "disruptions")
    assert list(export.text.index) == [2, 3, 5]
    assert export.text.at[5, "disruption_id"] == RECORDS[2][0]
    assert export.problems == []


def test_trailing_blank_rows_in_excel(tmp_path):
    path = _workbook(tmp_path / "d.xlsx", {"Sheet1": [HEADER, *records(2), [], [], [None, ""]]})
    assert list(read_export(path, "disruptions").text.index) == [2, 3]


def test_embedded_newline_keeps_later_row_numbers():
    # DIS-CH-0008 (row 11) has a two-line Summary; the next record is still row 12
    export = read_export(DISRUPTIONS_VALID, "disruptions")
    assert export.text.at[11, "summary"] == "Three charged with conspiracy to supply.\nFile passed to the CPS."
    assert export.text.at[12, "disruption_id"] == "DIS-CH-0009"
    assert export.text.index[-1] == 33 and len(export.text) == 30


@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["lf", "crlf"])
@pytest.mark.parametrize("broken_every", [0, 1, 7], ids=["one-line-values", "two-line-values", "some-two-line-values"])
def test_large_files_read_in_blocks_match_the_standard_reader(write_file, monkeypatch, newline, broken_every):
    # ~9 MB: more than two of the blocks pyarrow reads in parallel. A line break
    # inside a value makes a block boundary fall mid-row, and the reader must
    # notice and read again; either way every value and row number is exact,
    # and a well-formed file never falls back to the row-by-row reader.
    import csv
    import io

    from disruption_qa import reading

    monkeypatch.setattr(reading, "_parse_body_exact", lambda *a: pytest.fail("fell back to the row-by-row reader"))

    rows = []
    for i in range(40_000):
        row = list(RECORDS[i % len(RECORDS)])
        row[0] = f"D{i:07d}"
        row[SUMMARY] = f"Summary {i}, padded {'x' * 150}" + (
            f"{newline}second line" if broken_every and i % broken_every == 0 else ""
        )
        rows.append(row)
    text = csv_text([HEADER, *rows]).replace("\r\n", "\n").replace("\n", newline)
    export = read_export(write_file("big.csv", text.encode("utf-8")), "disruptions")
    expected = list(csv.reader(io.StringIO(text, newline="")))[1:]
    assert len(export.text) == len(expected) == 40_000
    assert list(export.text.index[:2]) == [2, 3] and export.text.index[-1] == 40_001
    assert export.text["disruption_id"].tolist() == [r[0] for r in expected]
    assert export.text["summary"].tolist() == [r[SUMMARY] for r in expected]


@pytest.mark.parametrize(
    "data, lines",
    [
        (b"", 0),
        (b"a", 1),
        (b"a\n", 1),
        (b"a\r\nb", 2),
        (b"a\rb\r", 2),
        (b"a\r\n\r\n", 2),
        (b"x\r" * 3, 3),
    ],
)
def test_line_ends_count_lf_crlf_and_lone_cr(data, lines):
    from disruption_qa.reading import line_ends_in

    assert line_ends_in(data, 0, len(data)) == lines
    assert line_ends_in(b"zz" + data + b"zz", 2, 2 + len(data)) == lines


def test_ragged_rows_reported_with_their_row(write_file):
    rows = records(6)
    rows[1] = rows[1] + ["an extra cell"]  # row 3: one value too many
    rows[3] = rows[3][:-2]  # row 5: two values short
    rows[4][SUMMARY] = "Line one\nline two, with a comma"  # row 6 spans two lines
    export = read_export(write_file("d.csv", csv_text([HEADER, *rows])), "disruptions")
    assert [(p.row, p.value.split(",")[0]) for p in export.problems] == [(3, RECORDS[1][0]), (5, RECORDS[3][0])]
    assert "15 values but the header has 14" in export.problems[0].message
    assert "12 values but the header has 14" in export.problems[1].message
    assert list(export.text.index) == [2, 3, 4, 5, 6, 7]
    assert export.text.at[6, "summary"] == "Line one\nline two, with a comma"
    assert export.text.at[7, "disruption_id"] == RECORDS[5][0]


def test_broken_sample_ragged_row():
    export = read_export(DISRUPTIONS_BROKEN, "disruptions")
    assert [p.row for p in export.problems] == [28]
    assert export.text.at[28, "disruption_id"] == "DIS-RO-0025"


def test_surrounding_spaces_are_dropped_and_blank_is_missing(write_file):
    rows = records(2)
    rows[0][HEADER.index("Tactic")] = "  Arrest "
    rows[1][HEADER.index("Recorded By")] = "   "
    export = read_export(write_file("d.csv", csv_text([HEADER, *rows])), "disruptions")
    assert export.text.at[2, "tactic"] == "Arrest"
    assert pd.isna(export.text.at[3, "recorded_by"])


def test_vocabulary_case_is_forgiven(write_file):
    rows = records(1)
    rows[0][HEADER.index("4P Strand")] = "PURSUE"
    typed = typed_frame(read_export(write_file("d.csv", csv_text([HEADER, *rows])), "disruptions"))
    assert typed.at[2, "strand"] == "Pursue"


def test_reading_the_threats_export():
    export = read_export(THREATS_VALID, "threats")
    typed = typed_frame(export)
    assert len(export.text) == 15 and export.text.index[0] == 4
    assert typed["morile_score"].dtype == "float64"
    assert typed.at[4, "morile_score"] == 612
    assert typed.at[8, "closed_date"] == pd.Timestamp(2022, 8, 12)


def test_reading_never_modifies_the_file(write_file):
    path = write_file("d.csv", csv_text([HEADER, *records()]))
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    read_export(path, "disruptions")
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before


@pytest.mark.parametrize("malformed", [False, True], ids=["pyarrow reader", "exact reader"])
def test_summary_is_kept_as_typed_and_blank_when_only_spaces(write_file, malformed):
    """Other values are trimmed; the free-text Summary keeps its spaces, and one of nothing but spaces is blank."""
    rows = records(4)
    rows[0][SUMMARY] = "  padded, as typed  "
    rows[1][SUMMARY] = " \t "
    rows[2][HEADER.index("Recorded By")] = "  U12345 "
    if malformed:  # a stray cell: the exact reader reads the file, naming the row
        rows[3].append("stray")
    export = read_export(write_file("d.csv", csv_text([HEADER, *rows])), "disruptions")
    assert export.text.at[2, "summary"] == "  padded, as typed  "
    assert pd.isna(export.text.at[3, "summary"])
    assert export.text.at[4, "recorded_by"] == "U12345"
    assert [p.row for p in export.problems] == ([5] if malformed else [])


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.none(),
            st.text(
                alphabet=st.sampled_from(["a", "Ñ", "é", " ", "\t", "\u00a0", "\u2003", "\u3000", "x"]), max_size=6
            ),
        ),
        min_size=1,
        max_size=30,
    ),
    st.integers(1, 5),
    st.sampled_from(["tactic", "summary"]),
)
def test_trimming_only_what_needs_it_is_trimming_everything(values, chunks, name):
    """A column is trimmed only when a value's first or last byte may be a space (reading._edges); the result is
    that of trimming every value (and of blanking a Summary of spaces), however the column is chunked."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from disruption_qa.reading import _trimmed

    values = [v or None for v in values]  # the reader has made empty values null
    size = -(-len(values) // chunks)
    # each chunk a slice of a longer array, as pyarrow may hand them: their offsets do not start at 0
    column = pa.chunked_array(
        [pa.array(["x", *values[i : i + size], "y"], pa.large_string())[1:-1] for i in range(0, len(values), size)],
        pa.large_string(),
    )
    if name == "summary":
        expected = pc.if_else(pc.utf8_is_space(column), pa.scalar(None, pa.large_string()), column)
    else:
        trimmed = pc.utf8_trim_whitespace(column)
        expected = pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.large_string()), trimmed)
    (got,) = _trimmed([column], [name])
    assert got.to_pylist() == expected.to_pylist()
    assert isinstance(got, pa.Array)  # one chunk


def test_a_space_deep_in_a_large_file_is_trimmed(write_file):
    """pyarrow reads a large file in blocks: a padded value far down it, in a later block, is still trimmed."""
    rows = records(40_000)
    rows[-1][HEADER.index("Tactic")] = "Arrest\u00a0"
    export = read_export(write_file("d.csv", csv_text([HEADER, *rows])), "disruptions")
    assert export.text["tactic"].iloc[-1] == "Arrest"
    assert export.text["tactic"].array._pa_array.num_chunks == 1
