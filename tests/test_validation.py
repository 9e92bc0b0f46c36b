"""Validation: every schema rule, with exact rows, record IDs, columns, rule text and values."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from conftest import (
    DISRUPTIONS_BROKEN,
    DISRUPTIONS_BROKEN_XLSX,
    DISRUPTIONS_VALID,
    REPO,
    SMALL,
    THREATS_BROKEN,
    THREATS_VALID,
    csv_text,
    valid_disruption_rows,
    valid_threat_rows,
)

from disruption_qa import api
from disruption_qa.reading import column_letter, read_export
from disruption_qa.validation import RULES, suggest_organisation, validate

D_HEADER, D_RECORDS = valid_disruption_rows()
T_HEADER, T_RECORDS = valid_threat_rows()
TITLE = ["APMIS Disruptions Export", "Extracted: 04/01/2023 09:14"]
FIRST = 4  # row of the first record under two title lines and the header


def flat(issues):
    return [(i.row, i.record_id, i.column, i.rule, i.value) for i in issues]


# --- the broken samples: every problem, exactly where the README says ---------------------------

BROKEN_DISRUPTIONS = [
    (5, "DIS-CH-0002", "Recorded By", "required value", None),
    (6, "DIS-CH-0003", "Disruption ID", "unique ID", "DIS-CH-0003"),
    (7, "DIS-CH-0003", "Disruption ID", "unique ID", "DIS-CH-0003"),
    (8, "DIS-CH-0005", "Recording Organisation", "known organisation", "Chesire Constabulary"),
    (10, "DIS-CH-0007", "Disruption Type", "allowed values", "Lead"),
    (12, "DIS-CH-0009", "Threat Type", "allowed values", "OCG"),
    (14, "DIS-ME-0011", "Disruption Date", "valid date", "31/02/2022"),
    (16, "DIS-ME-0013", "Record Date", "valid date", "last Tuesday"),
    (17, "DIS-ME-0014", "4P Strand", "allowed values", "Persue"),
    (18, "DIS-ME-0015", "Assessment Category", "allowed values", "Significant"),
    (19, "DIS-ME-0016", "Tactic", "allowed values", "Arrests"),
    (21, "DIS-ME-0018", "Record Date", "recorded on or after the disruption", "18/06/2022"),
    (22, "DIS-ME-0019", "Disruption Date", "not after the extraction date", "15/01/2023"),
    (22, "DIS-ME-0019", "Record Date", "not after the extraction date", "16/01/2023"),
    (24, "DIS-RO-0021", "Threat ID", "required value", None),
    (26, "DIS-RO-0023", "Supported Organisation", "support disruptions name the supported organisation", None),
    (27, "DIS-RO-0024", "Supported Organisation", "known organisation", "Merseyside Constabulary"),
]
RAGGED = (28, "DIS-RO-0025", None, "well-formed row")

BROKEN_THREATS = [
    (4, "CH-OCG-0101", "Owning Organisation", "required value", None),
    (5, "CH-OCG-0102", "Threat ID", "unique ID", "CH-OCG-0102"),
    (5, "CH-OCG-0102", "Last Review Date", "valid date", "30/09/22"),
    (6, "CH-OCG-0102", "Threat ID", "unique ID", "CH-OCG-0102"),
    (7, "CH-PI-0104", "Owning Organisation", "known organisation", "Chesire Constabulary"),
    (8, "CH-OCG-0105", "Closed Date", "closed threats have a Closed Date", None),
    (9, "ME-OCG-0201", "Assessment Type", "allowed values", "Tactial"),
    (10, "ME-OCG-0202", "SOC Status", "allowed values", "Yes"),
    (11, "ME-OCG-0203", "Moderation Status", "allowed values", "Pending"),
    (12, "ME-VUL-0204", "Tier", "allowed values", "Tier 6"),
    (13, "ME-OCG-0205", "MoRiLE Score", "valid number", "high"),
    (14, "ME-PI-0206", "MoRiLE Score", "not negative", "-40"),
    (15, "RO-OCG-0301", "Created Date", "valid date", "2022-13-01"),
    (16, "RO-OCG-0302", "Closed Date", "closed on or after creation", "05/05/2021"),
    (17, "RO-OCG-0303", "Created Date", "not after the extraction date", "20/01/2023"),
    (18, "RO-OCG-0304", "Phase", "allowed values", "Closed"),
    (19, "RO-OCG-0305", "Last Review Date", "not after the extraction date", "10/01/2023"),
    (20, "RO-OCG-0306", "Closed Date", "not after the extraction date", "06/01/2023"),
    (20, "RO-OCG-0306", "Last Review Date", "not after the extraction date", "06/01/2023"),
    (21, "ME-OCG-0207", "Closed Date", "valid date", "unknown"),
]


@pytest.fixture(scope="module")
def broken():
    return validate(read_export(DISRUPTIONS_BROKEN, "disruptions"), read_export(THREATS_BROKEN, "threats"))


def test_valid_samples_have_no_problems():
    result = validate(read_export(DISRUPTIONS_VALID, "disruptions"), read_export(THREATS_VALID, "threats"))
    assert result.issues == []
    assert result.extraction_date == dt.date(2023, 1, 4)
    assert [f["rows"] for f in result.files] == [30, 15]


def test_broken_disruptions_every_problem(broken):
    found = flat(i for i in broken.issues if i.file == str(DISRUPTIONS_BROKEN))
    ragged = [f for f in found if f[3] == "well-formed row"]
    assert [f for f in found if f[3] != "well-formed row"] == BROKEN_DISRUPTIONS
    assert [f[:4] for f in ragged] == [RAGGED]
    assert ragged[0][4].startswith("DIS-RO-0025,North West Regional Organised Crime Unit,Lead Disruption,")


def test_broken_threats_every_problem(broken):
    assert flat(i for i in broken.issues if i.file == str(THREATS_BROKEN)) == BROKEN_THREATS


def _readme_table(title: str) -> list[tuple[int, str, str, str]]:
    text = (SMALL / "README.md").read_text("utf-8")
    section = text.split(f"## {title}", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 5 and cells[0].isdigit():
            rows.append((int(cells[0]), cells[1], cells[2], cells[3]))
    return rows


def test_readme_lists_every_problem(broken):
    """The sample README's tables are what the tool reports (so a user can check one against the other)."""
    for path, title in [
        (DISRUPTIONS_BROKEN, "Problems in `disruptions_broken.csv`"),
        (THREATS_BROKEN, "Problems in `threats_broken.csv`"),
    ]:
        found = sorted(
            (i.row, i.record_id, i.column or "(whole row)", i.rule) for i in broken.issues if i.file == str(path)
        )
        assert sorted(_readme_table(title)) == found


def test_excel_cell_references():
    result = validate(read_export(DISRUPTIONS_BROKEN_XLSX, "disruptions"))
    assert flat(result.issues) == BROKEN_DISRUPTIONS  # the same problems, no ragged row in a workbook
    cells = [i.cell for i in result.issues]
    expected = [f"Disruptions!{column_letter(D_HEADER.index(col))}{row}" for row, _, col, _, _ in BROKEN_DISRUPTIONS]
    assert cells == expected
    assert cells[:3] == ["Disruptions!M5", "Disruptions!A6", "Disruptions!A7"]
    assert "Disruptions!H21" in cells and "Disruptions!D27" in cells


def test_csv_issues_have_no_cell_reference(broken):
    assert {i.cell for i in broken.issues} == {None}


def test_messages_in_the_users_terms(broken):
    by = {(i.file, i.row, i.column): i.message for i in broken.issues}
    d, t = str(DISRUPTIONS_BROKEN), str(THREATS_BROKEN)
    assert by[d, 8, "Recording Organisation"] == (
        "'Chesire Constabulary' is not an organisation on the list; did you mean Cheshire Constabulary?"
    )
    assert by[t, 7, "Owning Organisation"].endswith("did you mean Cheshire Constabulary?")
    assert by[d, 27, "Supported Organisation"].endswith("did you mean Merseyside Police?")
    assert by[d, 6, "Disruption ID"] == "Disruption ID DIS-CH-0003 is used by more than one record (also row 7)"
    assert by[d, 7, "Disruption ID"].endswith("(also row 6)")
    assert by[d, 5, "Recorded By"] == "Recorded By is required but blank"
    assert by[d, 17, "4P Strand"].endswith("did you mean Pursue?")
    assert by[d, 14, "Disruption Date"] == "'31/02/2022' is not a date: write dd/mm/yyyy (or yyyy-mm-dd)"
    assert by[d, 21, "Record Date"] == "Record Date 18/06/2022 is before the Disruption Date 20/06/2022"
    assert by[d, 22, "Record Date"] == "Record Date 16/01/2023 is after the extraction date 04/01/2023"
    assert by[d, 26, "Supported Organisation"] == "a Support Disruption must name its Supported Organisation"
    assert by[t, 8, "Closed Date"] == "a threat in phase 'Closed - Dismantled' must have a Closed Date"
    assert by[t, 13, "MoRiLE Score"] == "'high' is not a number"
    assert by[t, 14, "MoRiLE Score"] == "MoRiLE Score must be 0 or more, not -40"
    assert by[t, 16, "Closed Date"] == "Closed Date 05/05/2021 is before the Created Date 22/02/2022"
    assert "15 values but the header has 14 columns" in by[d, 28, None]


@pytest.mark.parametrize(
    "value, suggestion",
    [
        ("Chesire Constabulary", "Cheshire Constabulary"),
        ("Merseyside Constabulary", "Merseyside Police"),
        ("North West ROCU", "North West Regional Organised Crime Unit"),
        ("Greater Manchester Constabulary", "Greater Manchester Police"),
        ("Lancashire Constabularly", "Lancashire Constabulary"),
        ("Nowhere Police", None),
        ("", None),
    ],
)
def test_organisation_suggestions(value, suggestion):
    assert suggest_organisation(value) == suggestion


# --- one rule at a time, on the valid sample --------------------------------------------------------


def _disruptions(tmp_path, changes: dict[tuple[int, str], str], title=TITLE, extra_rows=()):
    records = [list(r) for r in D_RECORDS] + [list(r) for r in extra_rows]
    for (i, column), value in changes.items():
        records[i][D_HEADER.index(column)] = value
    path = tmp_path / "d.csv"
    path.write_text(csv_text([D_HEADER, *records], title=title), "utf-8", newline="")
    return read_export(path, "disruptions")


def _threats(tmp_path, changes: dict[tuple[int, str], str], title=TITLE):
    records = [list(r) for r in T_RECORDS]
    for (i, column), value in changes.items():
        records[i][T_HEADER.index(column)] = value
    path = tmp_path / "t.csv"
    path.write_text(csv_text([T_HEADER, *records], title=title), "utf-8", newline="")
    return read_export(path, "threats")


def _only(result):
    assert len(result.issues) == 1, flat(result.issues)
    return result.issues[0]


D_REQUIRED = [
    c
    for c in (
        "Recording Organisation",
        "Disruption Type",
        "Threat ID",
        "Threat Type",
        "Disruption Date",
        "Record Date",
        "4P Strand",
        "Assessment Category",
        "Tactic",
        "Recorded By",
    )
]


@pytest.mark.parametrize("column", D_REQUIRED)
def test_disruptions_required_value(tmp_path, column):
    issue = _only(validate(_disruptions(tmp_path, {(6, column): ""})))
    assert (issue.row, issue.record_id, issue.column, issue.rule, issue.value) == (
        FIRST + 6,
        D_RECORDS[6][0],
        column,
        RULES["required"].text,
        None,
    )
    assert issue.message == f"{column} is required but blank"


def test_disruption_id_required(tmp_path):
    issue = _only(validate(_disruptions(tmp_path, {(9, "Disruption ID"): ""})))
    assert (issue.row, issue.record_id, issue.column, issue.rule) == (13, None, "Disruption ID", "required value")


def test_two_blank_ids_are_two_required_values_not_a_duplicate(tmp_path):
    result = validate(_disruptions(tmp_path, {(3, "Disruption ID"): "", (9, "Disruption ID"): ""}))
    assert flat(result.issues) == [
        (7, None, "Disruption ID", "required value", None),
        (13, None, "Disruption ID", "required value", None),
    ]


def test_disruption_id_unique(tmp_path):
    result = validate(
        _disruptions(tmp_path, {(20, "Disruption ID"): D_RECORDS[2][0], (25, "Disruption ID"): D_RECORDS[2][0]})
    )
    assert flat(result.issues) == [
        (6, D_RECORDS[2][0], "Disruption ID", "unique ID", D_RECORDS[2][0]),
        (24, D_RECORDS[2][0], "Disruption ID", "unique ID", D_RECORDS[2][0]),
        (29, D_RECORDS[2][0], "Disruption ID", "unique ID", D_RECORDS[2][0]),
    ]
    assert result.issues[0].message.endswith("(also row 24, 29)")
    assert result.issues[1].message.endswith("(also row 6, 29)")


def test_many_duplicates_list_a_few_rows(tmp_path):
    same = {(i, "Disruption ID"): "DIS-X" for i in range(0, 20, 2)}  # rows 4, 6, ..., 22
    result = validate(_disruptions(tmp_path, same))
    assert [i.row for i in result.issues] == list(range(4, 24, 2))
    assert (
        result.issues[0].message
        == "Disruption ID DIS-X is used by more than one record (also row 6, 8, 10, 12, 14 and 4 more)"
    )
    assert result.issues[-1].message.endswith("(also row 4, 6, 8, 10, 12 and 4 more)")


@pytest.mark.parametrize(
    "column, value, rule",
    [
        ("Recording Organisation", "Chesire Constabulary", "known organisation"),
        ("Disruption Type", "Lead", "allowed values"),
        ("Threat Type", "OCG", "allowed values"),
        ("4P Strand", "Persue", "allowed values"),
        ("Assessment Category", "Significant", "allowed values"),
        ("Tactic", "Arrests", "allowed values"),
        ("Disruption Date", "31/02/2022", "valid date"),
        ("Disruption Date", "2022/04/03", "valid date"),
        ("Record Date", "tomorrow", "valid date"),
    ],
)
def test_disruptions_value_rules(tmp_path, column, value, rule):
    issue = _only(validate(_disruptions(tmp_path, {(12, column): value})))
    assert (issue.row, issue.record_id, issue.column, issue.rule, issue.value) == (
        16,
        D_RECORDS[12][0],
        column,
        rule,
        value,
    )


def test_supported_organisation_known(tmp_path):
    # row 26 is a support disruption (DIS-RO-0023)
    assert D_RECORDS[22][D_HEADER.index("Disruption Type")] == "Support Disruption"
    issue = _only(validate(_disruptions(tmp_path, {(22, "Supported Organisation"): "Chesire Constabulary"})))
    assert (issue.row, issue.record_id, issue.column, issue.rule) == (
        26,
        "DIS-RO-0023",
        "Supported Organisation",
        "known organisation",
    )
    assert issue.message.endswith("did you mean Cheshire Constabulary?")


def test_support_needs_supported_organisation(tmp_path):
    issue = _only(validate(_disruptions(tmp_path, {(22, "Supported Organisation"): ""})))
    assert (issue.row, issue.record_id, issue.column, issue.rule, issue.value) == (
        26,
        "DIS-RO-0023",
        "Supported Organisation",
        RULES["support_needs_supported"].text,
        None,
    )


def test_support_needs_supported_when_the_column_is_absent(tmp_path):
    col = D_HEADER.index("Supported Organisation")
    records = [r[:col] + r[col + 1 :] for r in D_RECORDS]
    path = tmp_path / "d.csv"
    path.write_text(csv_text([D_HEADER[:col] + D_HEADER[col + 1 :], *records], title=TITLE), "utf-8")
    result = validate(read_export(path, "disruptions"))
    support_rows = [
        FIRST + i for i, r in enumerate(D_RECORDS) if r[D_HEADER.index("Disruption Type")] == "Support Disruption"
    ]
    assert [(i.row, i.column, i.rule) for i in result.issues] == [
        (r, "Supported Organisation", RULES["support_needs_supported"].text) for r in support_rows
    ]


def test_lead_disruption_needs_no_supported_organisation(tmp_path):
    assert validate(_disruptions(tmp_path, {})).issues == []


def test_record_date_not_before_disruption_date(tmp_path):
    issue = _only(
        validate(_disruptions(tmp_path, {(4, "Disruption Date"): "10/06/2022", (4, "Record Date"): "09/06/2022"}))
    )
    assert (issue.row, issue.record_id, issue.column, issue.rule, issue.value) == (
        8,
        "DIS-CH-0005",
        "Record Date",
        RULES["record_before_disruption"].text,
        "09/06/2022",
    )
    assert issue.message == "Record Date 09/06/2022 is before the Disruption Date 10/06/2022"


def test_same_day_record_is_fine(tmp_path):
    assert (
        validate(
            _disruptions(tmp_path, {(4, "Disruption Date"): "10/06/2022", (4, "Record Date"): "2022-06-10"})
        ).issues
        == []
    )


def test_implausible_year_is_an_invalid_date(tmp_path):
    result = validate(
        _disruptions(tmp_path, {(5, "Record Date"): "02/11/3022"}),
        _threats(tmp_path, {(3, "Created Date"): "2022-01-07"}),
    )
    issue = _only(result)
    assert (issue.row, issue.record_id, issue.column, issue.rule, issue.value) == (
        9,
        "DIS-CH-0006",
        "Record Date",
        RULES["date"].text,
        "02/11/3022",
    )
    assert issue.message == "'02/11/3022' has an implausible year (3022): check the date"


def test_uk_date_read_day_first_in_rules(tmp_path):
    # 03/04/2022 is 3 April: a record on 02/04/2022 is before it, one on 04/03/2022 (4 March) too
    result = validate(_disruptions(tmp_path, {(0, "Disruption Date"): "03/04/2022", (0, "Record Date"): "04/03/2022"}))
    assert [(i.row, i.rule) for i in result.issues] == [(4, RULES["record_before_disruption"].text)]
    assert "before the Disruption Date 03/04/2022" in result.issues[0].message


# --- the extraction date -----------------------------------------------------------------------


def test_after_extraction_date_from_the_title_line(tmp_path):
    export = _disruptions(
        tmp_path,
        {(1, "Record Date"): "05/01/2023", (2, "Disruption Date"): "2023-01-05", (2, "Record Date"): "06/01/2023"},
    )
    result = validate(export)
    assert result.extraction_date == dt.date(2023, 1, 4)
    assert result.extraction_date_source.startswith("title line")
    assert flat(result.issues) == [
        (5, "DIS-CH-0002", "Record Date", RULES["after_extraction"].text, "05/01/2023"),
        (6, "DIS-CH-0003", "Disruption Date", RULES["after_extraction"].text, "2023-01-05"),
        (6, "DIS-CH-0003", "Record Date", RULES["after_extraction"].text, "06/01/2023"),
    ]
    assert result.issues[1].message == "Disruption Date 05/01/2023 is after the extraction date 04/01/2023"


def test_extraction_day_itself_is_allowed(tmp_path):
    assert validate(_disruptions(tmp_path, {(1, "Record Date"): "04/01/2023 17:30"})).issues == []


def test_after_extraction_date_given_by_the_user(tmp_path):
    export = _disruptions(tmp_path, {}, title=["APMIS Disruptions Export"])
    assert export.extraction_date is None
    result = validate(export, extracted_on=dt.date(2022, 12, 1))
    assert result.extraction_date == dt.date(2022, 12, 1) and result.extraction_date_source == "given by the user"
    late = sorted(
        FIRST - 1 + i
        for i, r in enumerate(D_RECORDS)
        if dt.datetime.strptime(r[D_HEADER.index("Record Date")], "%d/%m/%Y").date() > dt.date(2022, 12, 1)
    )
    assert late  # the sample has December records
    assert sorted({i.row for i in result.issues if i.column == "Record Date"}) == late
    assert {i.rule for i in result.issues} == {RULES["after_extraction"].text}


def test_title_line_wins_over_the_users_date(tmp_path):
    result = validate(_disruptions(tmp_path, {}), extracted_on=dt.date(2022, 12, 1))
    assert result.extraction_date == dt.date(2023, 1, 4) and result.issues == []


def test_without_title_or_date_the_latest_record_date_is_used(tmp_path):
    result = validate(
        _disruptions(tmp_path, {(3, "Disruption Date"): "01/02/2023", (3, "Record Date"): "01/02/2023"}, title=[])
    )
    assert result.extraction_date == dt.date(2023, 2, 1) and result.extraction_date_source == "latest Record Date"
    assert result.issues == []


def test_threats_title_line_gives_the_date_when_disruptions_has_none(tmp_path):
    d = _disruptions(tmp_path, {(1, "Record Date"): "05/01/2023"}, title=[])
    t = _threats(tmp_path, {})
    result = validate(d, t)
    assert result.extraction_date == dt.date(2023, 1, 4)
    assert flat(result.issues) == [(3, "DIS-CH-0002", "Record Date", RULES["after_extraction"].text, "05/01/2023")]


# --- threats rules ------------------------------------------------------------------------------

T_REQUIRED = [
    "Owning Organisation",
    "Threat Type",
    "Assessment Type",
    "SOC Status",
    "Moderation Status",
    "Phase",
    "Created Date",
]


@pytest.mark.parametrize("column", T_REQUIRED)
def test_threats_required_value(tmp_path, column):
    issue = _only(validate(_disruptions(tmp_path, {}), _threats(tmp_path, {(2, column): ""})))
    assert (issue.file, issue.row, issue.record_id, issue.column, issue.rule, issue.value) == (
        str(tmp_path / "t.csv"),
        6,
        T_RECORDS[2][0],
        column,
        RULES["required"].text,
        None,
    )


def test_threat_id_required_and_unique(tmp_path):
    result = validate(
        _disruptions(tmp_path, {}), _threats(tmp_path, {(1, "Threat ID"): "", (5, "Threat ID"): "ME-OCG-0202"})
    )
    assert flat(result.issues) == [
        (5, None, "Threat ID", RULES["required"].text, None),
        (9, "ME-OCG-0202", "Threat ID", RULES["unique"].text, "ME-OCG-0202"),
        (10, "ME-OCG-0202", "Threat ID", RULES["unique"].text, "ME-OCG-0202"),
    ]


@pytest.mark.parametrize(
    "column, value, rule",
    [
        ("Owning Organisation", "Chesire Constabulary", "known organisation"),
        ("Threat Type", "Gang", "allowed values"),
        ("Assessment Type", "Tactial", "allowed values"),
        ("SOC Status", "Yes", "allowed values"),
        ("Moderation Status", "Pending", "allowed values"),
        ("Tier", "Tier 6", "allowed values"),
        ("Phase", "Closed", "allowed values"),
        ("MoRiLE Score", "high", "valid number"),
        ("MoRiLE Score", "-0.5", "not negative"),
        ("Created Date", "2022-13-01", "valid date"),
        ("Last Review Date", "30/09/22", "valid date"),
        ("Last Review Date", "05/01/2023", "not after the extraction date"),
        ("Created Date", "05/01/2023", "not after the extraction date"),
    ],
)
def test_threats_value_rules(tmp_path, column, value, rule):
    # row 10: ME-OCG-0202, an active threat
    issue = _only(validate(_disruptions(tmp_path, {}), _threats(tmp_path, {(6, column): value})))
    assert (issue.row, issue.record_id, issue.column, issue.rule, issue.value) == (
        10,
        "ME-OCG-0202",
        column,
        rule,
        value,
    )


def test_morile_zero_and_blank_are_fine(tmp_path):
    t = _threats(tmp_path, {(6, "MoRiLE Score"): "0", (7, "MoRiLE Score"): "", (8, "Tier"): ""})
    assert validate(_disruptions(tmp_path, {}), t).issues == []


def test_closed_threat_needs_a_closed_date(tmp_path):
    # row 8: CH-OCG-0105, Closed - Dismantled
    issue = _only(validate(_disruptions(tmp_path, {}), _threats(tmp_path, {(4, "Closed Date"): ""})))
    assert (issue.row, issue.record_id, issue.column, issue.rule, issue.value) == (
        8,
        "CH-OCG-0105",
        "Closed Date",
        RULES["closed_needs_date"].text,
        None,
    )


def test_closed_date_unparseable_is_a_date_problem_only(tmp_path):
    issue = _only(validate(_disruptions(tmp_path, {}), _threats(tmp_path, {(4, "Closed Date"): "soon"})))
    assert (issue.row, issue.column, issue.rule, issue.value) == (8, "Closed Date", RULES["date"].text, "soon")


def test_closed_date_before_created_and_after_extraction(tmp_path):
    t = _threats(
        tmp_path, {(4, "Closed Date"): "01/01/2020", (9, "Closed Date"): "07/01/2023", (9, "Last Review Date"): ""}
    )
    result = validate(_disruptions(tmp_path, {}), t)
    assert flat(result.issues) == [
        (8, "CH-OCG-0105", "Closed Date", RULES["closed_before_created"].text, "01/01/2020"),
        (13, "ME-OCG-0205", "Closed Date", RULES["after_extraction"].text, "07/01/2023"),
    ]


# --- structure and laziness ----------------------------------------------------------------------


def test_ragged_row_is_a_problem_with_its_row(tmp_path):
    records = [list(r) for r in D_RECORDS]
    records[7] = records[7] + ["stray"]
    path = tmp_path / "d.csv"
    path.write_text(csv_text([D_HEADER, *records], title=TITLE), "utf-8")
    issue = _only(validate(read_export(path, "disruptions")))
    assert (issue.row, issue.record_id, issue.column, issue.rule) == (11, "DIS-CH-0008", None, RULES["row_shape"].text)
    assert issue.value.endswith(",stray")


def test_issues_in_file_row_and_column_order(tmp_path):
    """Disruptions before threats whatever their names; within a row, left to right as in the contract."""
    d = _disruptions(tmp_path, {(0, "Tactic"): "x", (0, "Disruption ID"): "", (0, "Threat Type"): "y"})
    records = [list(r) for r in T_RECORDS]
    records[0][T_HEADER.index("Tier")] = "z"
    t_path = tmp_path / "a_threats.csv"  # sorts before d.csv by name
    t_path.write_text(csv_text([T_HEADER, *records]), "utf-8")
    result = validate(d, read_export(t_path, "threats"))
    assert [(i.file[-5:], i.row, i.column) for i in result.issues] == [
        ("d.csv", 4, "Disruption ID"),
        ("d.csv", 4, "Threat Type"),
        ("d.csv", 4, "Tactic"),
        ("s.csv", 2, "Tier"),
    ]


def test_old_mac_line_endings(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text(csv_text([D_HEADER, *D_RECORDS[:5]], title=TITLE).replace("\r\n", "\r"), "utf-8", newline="")
    export = read_export(path, "disruptions")
    assert list(export.text.index) == [4, 5, 6, 7, 8] and export.extraction_date == dt.date(2023, 1, 4)
    assert validate(export).issues == []


def test_lazy_every_failure_in_one_pass(tmp_path):
    changes = {(0, "Tactic"): "Nope", (0, "4P Strand"): "Nope", (29, "Threat Type"): "", (15, "Record Date"): "x"}
    result = validate(_disruptions(tmp_path, changes))
    assert [(i.row, i.column) for i in result.issues] == [
        (4, "4P Strand"),
        (4, "Tactic"),
        (19, "Record Date"),
        (33, "Threat Type"),
    ]


def test_every_rule_has_plain_english():
    assert all(rule.text and not re.search(r"[_:]", rule.text) for rule in RULES.values())


def test_every_rule_has_its_own_stable_code_and_every_issue_carries_it():
    codes = [rule.code for rule in RULES.values()]
    assert len(set(codes)) == len(codes) and all(code.startswith("V-") for code in codes)
    assert {rule.code for rule in RULES.values()} == set(
        json.loads((REPO / "docs" / "validation.schema.json").read_text())["properties"]["errors"]["items"][
            "properties"
        ]["code"]["enum"]
    )
    result = api.validate(DISRUPTIONS_BROKEN)
    by_text = {rule.text: rule.code for rule in RULES.values()}
    assert result.issues and all(issue.code == by_text[issue.rule] for issue in result.issues)
