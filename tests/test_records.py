"""Where a finding's records are found, and the fields a report lists them by (records.py)."""

from types import SimpleNamespace

import pandas as pd

from disruption_qa.records import RecordSource, record_tables
from disruption_qa.results import Finding, RecordRef, RecordRefs


def source(frame: pd.DataFrame) -> RecordSource:
    export = SimpleNamespace(source=SimpleNamespace(path="d.csv"), kind=SimpleNamespace(id_column="disruption_id"))
    return RecordSource(export, frame)


def frame(ids: list[str], rows: list[int]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "disruption_id": pd.array(ids, dtype="str"),
            "disruption_date": pd.to_datetime(["2022-03-01"] * len(ids)),
            "strand": pd.array(["Pursue"] * len(ids), dtype="str"),
        },
        index=rows,
    )


def test_records_keep_the_rows_their_check_found_them_on():
    refs = source(frame(["D1", "D2"], [5, 9])).refs(["D2", "D1"], [9, 5])
    assert list(refs) == [RecordRef("D2", "d.csv", 9), RecordRef("D1", "d.csv", 5)]


def test_records_without_rows_are_looked_up_by_id_first_row_where_repeated_none_where_absent():
    refs = source(frame(["D1", "D2", "D1"], [4, 5, 6])).refs(["D1", "D2", "D9"], [])
    assert refs.rows == [4, 5, -1]
    assert [r.row for r in refs] == [4, 5, None]
    assert refs[1:] == RecordRefs("d.csv", ["D2", "D9"], [5, -1])


def test_record_tables_list_fields_as_written_and_records_not_in_the_file_as_blank_rows():
    found = source(frame(["D1"], [7]))
    listed = Finding("W101", "pursue-skew", "t", "warning", "flagged", records=["D1", "D2"])
    listed.refs = found.refs(listed.records, [])
    none = source(frame([], []))
    missing = Finding("W101", "pursue-skew", "t", "warning", "flagged", records=["D1", "D2"])
    missing.refs = none.refs(missing.records, [])
    clear = Finding("W102", "n", "t", "warning", "clear")
    table, no_table = record_tables([listed, clear], {"disruptions": found})
    assert table.columns == ["Disruption ID", "Disruption Date", "4P Strand"]
    assert table.cells == [["D1", "D2"], ["01/03/2022", ""], ["Pursue", ""]]
    assert no_table is None
    (empty,) = record_tables([missing], {"disruptions": none})
    assert empty.cells == [["D1", "D2"], ["", ""], ["", ""]]
