"""Reading costs what the file holds, not what it claims: a workbook with one value in its farthest cell is
refused in one line (never an abort), a sparse one is read by the rows that exist, headers as wide as Excel's
16,384 columns are read whole, and one CSV value longer than the limit is named by its row and column."""

from __future__ import annotations

import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from conftest import Run, csv_text, one_line_error, run_cli, valid_disruption_rows

from disruption_qa.reading import MAX_CELLS, MAX_COLUMNS, MAX_FIELD_CHARS, column_letter

TITLE = ["APMIS Disruptions Export", "Extracted: 04/01/2023 09:00"]
#: The memory a command may take here: far less than the whole rectangle of the far-cell workbook.
MEMORY_CAP = 3 * 1024**3


def run_capped(*args: object) -> Run:
    """The command in a child process that cannot take more than MEMORY_CAP of address space."""
    return run_cli(*args, prefix=("prlimit", f"--as={MEMORY_CAP}"))


def workbook(path: Path, rows: list[list[str]], extra_cells: str = "", first_row: int = 1) -> Path:
    """A minimal .xlsx written part by part: every value an inline string, then ``extra_cells`` (sheet XML)."""
    cells = []
    for r, row in enumerate(rows, start=first_row):
        values = "".join(
            f'<c r="{column_letter(c)}{r}" t="inlineStr"><is><t>{escape(v)}</t></is></c>'
            for c, v in enumerate(row)
            if v != ""
        )
        cells.append(f'<row r="{r}">{values}</row>')
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    pkg = "http://schemas.openxmlformats.org/package/2006/relationships"
    parts = {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
        ),
        "_rels/.rels": (
            f'<Relationships xmlns="{pkg}"><Relationship Id="rId1" Type="{rel}/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<workbook xmlns="{main}" xmlns:r="{rel}"><sheets>'
            '<sheet name="Disruptions" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{pkg}"><Relationship Id="rId1" Type="{rel}/worksheet" '
            'Target="worksheets/sheet1.xml"/></Relationships>'
        ),
        "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{main}"><sheetData>{"".join(cells)}{extra_cells}</sheetData></worksheet>',
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' + text)
    return path


def one_record() -> list[list[str]]:
    header, records = valid_disruption_rows()
    return [[TITLE[0]], [TITLE[1]], header, records[0]]


# --- the used area of a workbook ---------------------------------------------------------------------------


@pytest.mark.parametrize("far", ["XFD1048576", "CV1048576"])
def test_a_value_in_a_far_cell_is_refused_in_one_line_not_an_abort(tmp_path, far):
    row = far.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    far_cell = f'<row r="{row}"><c r="{far}" t="inlineStr"><is><t>stray</t></is></c></row>'
    book = workbook(tmp_path / "far.xlsx", one_record(), far_cell)
    assert book.stat().st_size < 4096  # a 2 KB workbook
    run = run_capped("validate", book, "--out", tmp_path / "out")
    one_line_error(run, f"has values as far as cell {far}", f"more than the {MAX_CELLS:,} cells read")
    assert not (tmp_path / "out").exists()


STRAY = "<is><t>stray</t></is></c>"


@pytest.mark.parametrize(
    ("far_cell", "far"),
    [
        # the reader places a cell by its reference however it is spelled ...
        (f'<row r="1048576"><c r="xfd1048576" t="inlineStr">{STRAY}</row>', "XFD1048576"),
        (f"<row r='1048576'><c r='XFD1048576' t='inlineStr'>{STRAY}</row>", "XFD1048576"),
        (f'<row r="1048576"><c r = "XFD1048576" t="inlineStr">{STRAY}</row>', "XFD1048576"),
        (f'<row r="1048576"><c r="XFD0001048576" t="inlineStr">{STRAY}</row>', "XFD1048576"),
        (f'<row r="1048576"><c t="inlineStr" r="XFD1048576">{STRAY}</row>', "XFD1048576"),
        (
            f'<x:row r="1048576"><x:c r="XFD1048576" t="inlineStr">{STRAY.replace("</c>", "</x:c>")}</x:row>',
            "XFD1048576",
        ),
        # ... and one without a reference after the cell before it, in its row or after the row before it
        (f'<row r="1048576"><c r="XFC1048576" s="1"/><c t="inlineStr">{STRAY}</row>', "XFD1048576"),
        (f'<row r="1048575"/><row>{f"<c t={chr(34)}inlineStr{chr(34)}>{STRAY}" * 30}</row>', "AD1048576"),
    ],
)
def test_a_far_cell_spelled_otherwise_is_refused_too(tmp_path, far_cell, far):
    run = run_capped("validate", workbook(tmp_path / "far.xlsx", one_record(), far_cell), "--out", tmp_path / "out")
    one_line_error(run, f"has values as far as cell {far}", f"more than the {MAX_CELLS:,} cells read")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "sheet",
    [
        '<row r="1"><c r="A1"><v>1</v></c><c r="Z40"><v>1</v></c></row>',
        '<row r="1"><c r="A1"><v>1</v></c><c s=">" r="Z40"><v>1</v></c></row>',  # ">" inside a value
        '<row r="1"><c r="A1"><v>1</v></c><c s="x r=\'A1\'" r="Z40"><v>1</v></c></row>',  # r in a value
        '<row r="1"><c r="B1" r="Z40"><v>1</v></c></row>',  # two references: the last counts
        '<row r="40"><!-- <row r="1"> --><c><v>1</v></c><c r="Z1"><v>2</v></c></row>',  # a comment is not read
        '<row r="1"><c r="A1"><v>1</v></c><\u00e9:c xmlns:\u00e9="{main}" r="Z40"><\u00e9:v>1</\u00e9:v></\u00e9:c></row>',
        '<row r="40"><c r="A1"><v>1</v></c></row><row><c><v>1</v></c></row>',  # a cell's reference moves no row
        '<row r="40"/><row><c r="A1"><v>1</v></c></row><row><c><v>1</v></c></row>',
        "<row><c r = 'z040'><v>1</v></c></row>",
        '<row r="1"><c r="A1"><v>1</v></c><c s="' + "a" * 9_000_000 + '" r="Z40"><v>1</v></c></row>',  # over a piece
    ],
    ids=[
        "excel",
        "gt-in-value",
        "r-in-value",
        "two-r",
        "comment",
        "non-ascii-prefix",
        "cell-ref",
        "empty-row",
        "lower-case",
        "long-tag",
    ],
)
def test_the_guard_places_cells_where_the_reader_does(tmp_path, sheet):
    """Against calamine itself: the farthest row and column the guard finds are those the reader fills."""
    import python_calamine

    from disruption_qa.reading import _extent, _quick_extent

    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    book = workbook(tmp_path / "b.xlsx", [], sheet.replace("{main}", main))
    rows = python_calamine.CalamineWorkbook.from_path(str(book)).get_sheet_by_index(0).to_python(skip_empty_area=False)
    filled = [(r + 1, c + 1) for r, row in enumerate(rows) for c, v in enumerate(row) if v not in ("", None)]
    expected = (max(r for r, _ in filled), max(c for _, c in filled))
    with zipfile.ZipFile(book) as archive:
        with archive.open("xl/worksheets/sheet1.xml") as stream:
            quick = _quick_extent(stream)
        with archive.open("xl/worksheets/sheet1.xml") as stream:
            found = _extent(stream)
    assert found == expected
    assert quick in ((None, 0), expected)  # the quick pass reads Excel's spelling only, or leaves the sheet to _extent


def test_a_far_cell_of_formatting_alone_costs_nothing(tmp_path):
    for n, styled in enumerate(
        ['<row r="1048576"><c r="XFD1048576" s="1"/></row>', "<row r='1048576'><c r='xfd1048576' s='1'/></row>"]
    ):
        run = run_capped(
            "validate", workbook(tmp_path / f"styled{n}.xlsx", one_record(), styled), "--out", tmp_path / f"o{n}"
        )
        assert run.code == 0, run.stderr
        assert "1 records" in run.stdout or "1 record" in run.stdout


def test_a_sparse_sheet_is_read_by_the_rows_that_exist(tmp_path):
    # records on rows 4 to 33, then a stray note 100,000 rows down (10 million cells of used area)
    header, records = valid_disruption_rows()
    note = '<row r="100000"><c r="CV100000" t="inlineStr"><is><t>note</t></is></c></row>'
    book = workbook(tmp_path / "sparse.xlsx", [[TITLE[0]], [TITLE[1]], header, *records], note)
    run = run_capped("validate", book, "--out", tmp_path / "o")
    assert run.code == 0, run.stdout + run.stderr
    assert f"{len(records)} records" in run.stdout  # no blank record for each empty row in between


# --- wide headers -----------------------------------------------------------------------------------------


#: The contract's columns in the valid sample.
WIDTH = len(valid_disruption_rows()[0])


def wide(before: int, after: int = 0) -> list[list[str]]:
    header, records = valid_disruption_rows()
    pad_b, pad_a = [""] * before, [""] * after
    extra_b = [f"Local field {i}" for i in range(before)]
    extra_a = [f"Note {i}" for i in range(after)]
    return [extra_b + header + extra_a] + [pad_b + r + pad_a for r in records]


@pytest.mark.parametrize(
    "before, after",
    [(8_000, 0), (10_000 - WIDTH, 0), (0, 10_000 - WIDTH), (MAX_COLUMNS - WIDTH, 0)],
    ids=["8000-before", "10000-columns", "10000-after", "16384-columns"],
)
def test_a_header_as_wide_as_excel_allows_is_read_whole(tmp_path, before, after):
    records = valid_disruption_rows()[1]
    path = tmp_path / "wide.csv"
    path.write_text(csv_text(wide(before, after), title=TITLE), encoding="utf-8")
    assert len(path.read_text().splitlines()[2]) > 65_536  # longer than the header line once read
    run = run_capped("validate", path, "--out", tmp_path / "o")
    assert run.code == 0, run.stdout + run.stderr
    assert f"{len(records)} records" in run.stdout and "no validation problems" in run.stdout


def test_a_wide_header_in_a_workbook_is_read_whole(tmp_path):
    rows = wide(MAX_COLUMNS - WIDTH)
    book = workbook(tmp_path / "wide.xlsx", [[TITLE[0]], [TITLE[1]], *rows])
    run = run_capped("validate", book, "--out", tmp_path / "o")
    assert run.code == 0, run.stdout + run.stderr
    assert "no validation problems" in run.stdout


def test_a_header_wider_than_excel_allows_is_refused(tmp_path):
    path = tmp_path / "wider.csv"
    path.write_text(csv_text(wide(MAX_COLUMNS - WIDTH + 1), title=TITLE), encoding="utf-8")
    one_line_error(run_capped("validate", path, "--out", tmp_path / "o"), "16,385 columns", "at most 16,384")


# --- one CSV value --------------------------------------------------------------------------------------------


def test_a_value_over_the_limit_is_named_by_row_and_column(tmp_path):
    header, records = valid_disruption_rows()
    records[4][header.index("Summary")] = "x" * (MAX_FIELD_CHARS + 1)
    path = tmp_path / "long.csv"
    path.write_text(csv_text([header, *records], title=TITLE), encoding="utf-8")
    letter = column_letter(header.index("Summary"))
    one_line_error(
        run_capped("validate", path, "--out", tmp_path / "o"), f"row 8, column {letter} (Summary)", "131,072"
    )


def test_a_value_at_the_limit_is_read(tmp_path):
    header, records = valid_disruption_rows()
    records[4][header.index("Summary")] = "x" * MAX_FIELD_CHARS
    path = tmp_path / "long.csv"
    path.write_text(csv_text([header, *records], title=TITLE), encoding="utf-8")
    assert run_capped("validate", path, "--out", tmp_path / "o").code == 0


def test_a_quote_that_never_closes_is_named_by_its_row(tmp_path):
    header, records = valid_disruption_rows()
    text = csv_text([header, *records[:5]], title=TITLE)
    text += '"DR-RUNAWAY,never closed\r\n' + ("more text of the same value\r\n" * 6000)
    path = tmp_path / "runaway.csv"
    path.write_text(text, encoding="utf-8")
    one_line_error(run_capped("validate", path, "--out", tmp_path / "o"), "row 9:", "a value longer than 131,072")
