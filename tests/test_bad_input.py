"""Unusable input: exit code 2 and one clear line naming the file, never a traceback."""

from __future__ import annotations

import io
import json
import random
import zipfile

import pytest
import xlsxwriter
from conftest import (
    DISRUPTIONS_BROKEN_XLSX,
    DISRUPTIONS_VALID,
    THREATS_VALID,
    csv_text,
    run_cli,
    valid_disruption_rows,
)

D_HEADER, D_RECORDS = valid_disruption_rows()


def assert_unusable(run, *phrases: str, out=None):
    """Exit 2, exactly one line on stderr holding every phrase, no traceback, no outputs."""
    assert run.code == 2, (run.code, run.stdout, run.stderr)
    assert "Traceback" not in run.stderr + run.stdout
    lines = run.stderr.splitlines()
    assert len(lines) == 1, run.stderr
    assert lines[0].startswith("error: ")
    for phrase in phrases:
        assert phrase in lines[0], (phrase, lines[0])
    if out is not None:
        assert not (out / "validation.json").exists()
    return lines[0]


def validate(*args, tmp_path):
    out = tmp_path / "out"
    return run_cli("validate", *args, "--out", out), out


def test_missing_path(tmp_path):
    path = tmp_path / "nowhere.csv"
    run, out = validate(path, tmp_path=tmp_path)
    assert_unusable(run, str(path), "no such file", out=out)


def test_missing_threats_path(tmp_path):
    path = tmp_path / "threats.csv"
    run, out = validate(DISRUPTIONS_VALID, "--threats", path, tmp_path=tmp_path)
    assert_unusable(run, str(path), "no such file", out=out)


def test_a_folder(tmp_path):
    run, out = validate(tmp_path, tmp_path=tmp_path)
    assert_unusable(run, str(tmp_path), "is a folder", out=out)


@pytest.mark.parametrize(
    "data",
    [b"", b"   \r\n\r\n\t \n", b"\xef\xbb\xbf", b"\xef\xbb\xbf\r\n  \r\n"],
    ids=["empty", "whitespace", "bom-only", "bom-whitespace"],
)
def test_empty_file(tmp_path, data):
    path = tmp_path / "d.csv"
    path.write_bytes(data)
    run, out = validate(path, tmp_path=tmp_path)
    assert_unusable(run, str(path), "is empty", out=out)


def test_no_recognisable_header(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("Name,Age,Town\nAnn,34,Crewe\nBob,51,Chester\n", "utf-8")
    run, out = validate(path, tmp_path=tmp_path)
    assert_unusable(run, str(path), "no header row found in the first 6 rows", "Disruption ID", out=out)


@pytest.mark.parametrize("sep, name", [(";", "semicolons"), ("\t", "tabs")])
def test_other_separator(tmp_path, sep, name):
    path = tmp_path / "d.csv"
    lines = ["APMIS Disruptions Export", sep.join(D_HEADER), *(sep.join(r).replace("\n", " ") for r in D_RECORDS)]
    path.write_text("\r\n".join(lines), "utf-8")
    run, out = validate(path, tmp_path=tmp_path)
    assert_unusable(run, str(path), f"is separated by {name}, not commas", out=out)


def test_utf16_text(tmp_path):
    path = tmp_path / "d.csv"
    path.write_bytes(DISRUPTIONS_VALID.read_text("utf-8").encode("utf-16"))
    run, out = validate(path, tmp_path=tmp_path)
    assert_unusable(run, str(path), "is UTF-16 text", out=out)


def test_a_quote_that_never_closes_in_a_large_file(tmp_path):
    # one stray quote swallows the rest of a 2 MB export into one value
    rows = [[c.replace(",", " ").replace("\n", " ") for c in r] for r in D_RECORDS] * 300
    lines = [",".join(r) for r in [D_HEADER, *rows]]  # nothing needs quoting
    cells = lines[41].split(",")  # row 42
    cells[D_HEADER.index("Tactic")] = '"' + cells[D_HEADER.index("Tactic")]
    lines[41] = ",".join(cells)
    path = tmp_path / "d.csv"
    path.write_text("\r\n".join(lines), "utf-8")
    assert len(path.read_bytes()) > 1_000_000
    run, out = validate(path, tmp_path=tmp_path)
    assert_unusable(run, str(path), "row 42: a value longer than", "never closes", out=out)


def test_header_but_no_records(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text(
        csv_text([D_HEADER], title=["APMIS Disruptions Export", "Extracted: 04/01/2023"]) + ",,,,\r\n\r\n", "utf-8"
    )
    run, out = validate(path, tmp_path=tmp_path)
    assert_unusable(run, str(path), "has a header but no records (header on row 3)", out=out)


def test_pdf_renamed_csv(tmp_path):
    path = tmp_path / "d.csv"
    path.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n")
    run, out = validate(path, tmp_path=tmp_path)
    assert_unusable(run, str(path), "is a PDF document", out=out)


def test_zip_renamed_csv(tmp_path):
    path = tmp_path / "d.csv"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("disruptions.csv", DISRUPTIONS_VALID.read_text("utf-8"))
    path.write_bytes(buf.getvalue())
    run, out = validate(path, tmp_path=tmp_path)
    assert_unusable(run, str(path), "is a ZIP archive", out=out)


def test_random_binary(tmp_path):
    path = tmp_path / "d.csv"
    path.write_bytes(random.Random(7).randbytes(4096))
    run, out = validate(path, tmp_path=tmp_path)
    assert_unusable(run, str(path), "binary", out=out)


def test_binary_without_nul_bytes(tmp_path):
    # no NUL byte, but bytes that are neither UTF-8 nor Windows-1252 (0x81 is unassigned there)
    path = tmp_path / "d.csv"
    path.write_bytes(b"Disruption ID,\x81\x8d\x8f\x90\x9d\xff\xfe\r\n" * 20)
    run, out = validate(path, tmp_path=tmp_path)
    assert_unusable(run, str(path), "is not text in UTF-8 or Windows-1252", out=out)


def test_old_excel_file(tmp_path):
    path = tmp_path / "d.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512)
    run, out = validate(path, tmp_path=tmp_path)
    assert_unusable(run, str(path), "old-style Excel (.xls)", out=out)


def test_master_list_passed_as_disruptions(tmp_path):
    run, out = validate(THREATS_VALID, tmp_path=tmp_path)
    assert_unusable(
        run, str(THREATS_VALID), "looks like a SOC master list export, but a disruptions export was expected", out=out
    )


def test_disruptions_passed_as_master_list(tmp_path):
    run, out = validate(DISRUPTIONS_VALID, "--threats", DISRUPTIONS_VALID, tmp_path=tmp_path)
    assert_unusable(
        run,
        str(DISRUPTIONS_VALID),
        "looks like a disruptions export, but a SOC master list export was expected",
        out=out,
    )


def test_swapped_files(tmp_path):
    run, out = validate(THREATS_VALID, "--threats", DISRUPTIONS_VALID, tmp_path=tmp_path)
    assert_unusable(run, str(THREATS_VALID), "looks like a SOC master list export", out=out)


@pytest.mark.parametrize("keep", [0.5, 0.9, 0.05])
def test_truncated_xlsx(tmp_path, keep):
    data = DISRUPTIONS_BROKEN_XLSX.read_bytes()
    path = tmp_path / "d.xlsx"
    path.write_bytes(data[: int(len(data) * keep)])
    run, out = validate(path, tmp_path=tmp_path)
    line = assert_unusable(run, str(path), out=out)
    assert "damaged" in line or "not a readable Excel workbook" in line


def test_xlsx_with_a_damaged_part(tmp_path):
    # a well-formed ZIP whose sheet XML is garbage
    src = zipfile.ZipFile(DISRUPTIONS_BROKEN_XLSX)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                data = b"<worksheet><sheetData><row><c r='A1' t='s'><v>999999</v></c>" + data[:100]
            z.writestr(item, data)
    path = tmp_path / "d.xlsx"
    path.write_bytes(buf.getvalue())
    run, out = validate(path, tmp_path=tmp_path)
    assert_unusable(run, str(path), out=out)


def test_text_named_xlsx(tmp_path):
    path = tmp_path / "d.xlsx"
    path.write_text(DISRUPTIONS_VALID.read_text("utf-8"), "utf-8")
    run, out = validate(path, tmp_path=tmp_path)
    assert_unusable(run, str(path), "is named .xlsx but is not an Excel workbook", out=out)


def test_xlsx_missing_sheet(tmp_path):
    run, out = validate(DISRUPTIONS_BROKEN_XLSX, "--sheet", "Threats", tmp_path=tmp_path)
    assert_unusable(run, str(DISRUPTIONS_BROKEN_XLSX), "has no sheet named 'Threats' (sheets: Disruptions)", out=out)


def test_xlsx_empty_sheet(tmp_path):
    path = tmp_path / "d.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    wb.add_worksheet("Disruptions")
    wb.close()
    run, out = validate(path, tmp_path=tmp_path)
    assert_unusable(run, str(path), "sheet 'Disruptions' is empty", out=out)


def test_sheet_option_on_a_csv_is_ignored_not_a_crash(tmp_path):
    run, _ = validate(DISRUPTIONS_VALID, "--sheet", "Disruptions", tmp_path=tmp_path)
    assert run.code == 0


def test_missing_required_column(tmp_path):
    col = D_HEADER.index("Tactic")
    path = tmp_path / "d.csv"
    path.write_text(
        csv_text([D_HEADER[:col] + D_HEADER[col + 1 :], *(r[:col] + r[col + 1 :] for r in D_RECORDS)]), "utf-8"
    )
    run, out = validate(path, tmp_path=tmp_path)
    assert_unusable(run, str(path), "row 1 looks like the header but lacks required column(s): Tactic", out=out)


def test_missing_required_columns_under_title_lines(tmp_path):
    drop = {D_HEADER.index("Tactic"), D_HEADER.index("Recorded By")}
    keep = [i for i in range(len(D_HEADER)) if i not in drop]
    rows = [[r[i] for i in keep] for r in [D_HEADER, *D_RECORDS]]
    path = tmp_path / "d.csv"
    path.write_text(csv_text(rows, title=["APMIS Disruptions Export", "Extracted: 04/01/2023"]), "utf-8")
    run, out = validate(path, tmp_path=tmp_path)
    assert_unusable(
        run, str(path), "row 3 looks like the header but lacks required column(s): Tactic, Recorded By", out=out
    )


@pytest.mark.parametrize("second", ["Record Date", "record_date", "RECORD-DATE"])
def test_duplicated_column(tmp_path, second):
    path = tmp_path / "d.csv"
    path.write_text(csv_text([D_HEADER + [second], *(r + ["01/01/2022"] for r in D_RECORDS)]), "utf-8")
    run, out = validate(path, tmp_path=tmp_path)
    assert_unusable(run, str(path), "column 'Record Date' appears twice (columns H and O)", out=out)


@pytest.mark.parametrize("value", ["31/31/2022", "yesterday", "2022-02-30", ""])
def test_bad_extracted_on(tmp_path, value):
    run, out = validate(DISRUPTIONS_VALID, "--extracted-on", value, tmp_path=tmp_path)
    assert_unusable(run, f"--extracted-on {value!r} is not a date", out=out)


def test_broken_config_toml(tmp_path):
    config = tmp_path / "qa.toml"
    config.write_text('[columns.disruptions]\n"Disruption ID" = ["APMIS Ref"\n', "utf-8")
    run, out = validate(DISRUPTIONS_VALID, "--config", config, tmp_path=tmp_path)
    assert_unusable(run, str(config), "is not valid TOML", out=out)


def test_unknown_config_section(tmp_path):
    config = tmp_path / "qa.toml"
    config.write_text('[colums.disruptions]\n"Disruption ID" = "APMIS Ref"\n', "utf-8")
    run, out = validate(DISRUPTIONS_VALID, "--config", config, tmp_path=tmp_path)
    assert_unusable(run, str(config), "unknown section(s): colums", out=out)


@pytest.mark.parametrize(
    "text, phrase",
    [
        (
            '[columns.disruption]\n"Disruption ID" = "Ref"\n',
            "[columns.disruption]: expected [columns.disruptions] or [columns.threats]",
        ),
        ('[columns.disruptions]\n"Incident ID" = "Ref"\n', "'Incident ID' is not a column of the disruptions export"),
        ('[columns.disruptions]\n"Disruption ID" = 7\n', "'Disruption ID' must be a name or a list of names"),
        ('[columns.disruptions]\n"Disruption ID" = ["Ref", 7]\n', "'Disruption ID' must be a name or a list of names"),
        ("columns = 3\n", "[columns]"),
        ("[columns]\ndisruptions = 3\n", "[columns.disruptions]"),
        ('[columns.disruptions]\n"Disruption ID" = {a = 1}\n', "'Disruption ID' must be a name or a list of names"),
    ],
)
def test_config_mistakes(tmp_path, text, phrase):
    config = tmp_path / "qa.toml"
    config.write_text(text, "utf-8")
    run, out = validate(DISRUPTIONS_VALID, "--config", config, tmp_path=tmp_path)
    assert_unusable(run, str(config), phrase, out=out)


def test_config_not_utf8(tmp_path):
    config = tmp_path / "qa.toml"
    config.write_bytes(b'[columns.disruptions]\n"Disruption ID" = "R\xe9f"\n')
    run, out = validate(DISRUPTIONS_VALID, "--config", config, tmp_path=tmp_path)
    assert_unusable(run, str(config), "is not a UTF-8 text file", out=out)


def test_missing_config(tmp_path):
    config = tmp_path / "nope.toml"
    run, out = validate(DISRUPTIONS_VALID, "--config", config, tmp_path=tmp_path)
    assert_unusable(run, str(config), "no such config file", out=out)


def test_out_is_a_file(tmp_path):
    out = tmp_path / "out"
    out.write_text("not a folder")
    run = run_cli("validate", DISRUPTIONS_VALID, "--out", out)
    assert_unusable(run, str(out / "validation.json"), "cannot be written")
    assert out.read_text() == "not a folder"


@pytest.mark.parametrize("args", [["validate"], ["validate", "x.csv", "--bogus"], ["valdate", "x.csv"]])
def test_wrong_usage(args):
    run = run_cli(*args)
    assert run.code == 2
    assert "Traceback" not in run.stderr + run.stdout


# --- a date rule failing on most of a large file is the file's mistake ---------------------------

D_DATE, R_DATE = D_HEADER.index("Disruption Date"), D_HEADER.index("Record Date")


def _many(n: int, change: dict[int, str] | None = None) -> list[list[str]]:
    """``n`` valid records with their own IDs; ``change`` sets columns (by position) on every one."""
    rows = []
    for i in range(n):
        row = list(D_RECORDS[i % len(D_RECORDS)])
        row[0] = f"D{i:06d}"
        for column, value in (change or {}).items():
            row[column] = value
        rows.append(row)
    return rows


@pytest.mark.parametrize(
    "title, option, where",
    [
        (["APMIS Disruptions Export", "Extracted: 01/01/2020 09:00"], [], "(title line of"),
        (None, ["--extracted-on", "01/01/2020"], "(--extracted-on)"),
    ],
    ids=["title-line", "option"],
)
def test_an_extraction_date_before_most_records_is_one_error(tmp_path, title, option, where):
    path = tmp_path / "d.csv"
    path.write_text(csv_text([D_HEADER, *_many(1200)], title=title), encoding="utf-8")
    run, out = validate(path, *option, tmp_path=tmp_path)
    assert_unusable(
        run,
        "d.csv",
        "the extraction date 01/01/2020",
        where,
        "is before the Record Date of 1,200 of 1,200 records",
        "check the extraction date",
        out=out,
    )


def test_a_few_rows_after_the_extraction_date_are_still_listed_row_by_row(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text(
        csv_text([D_HEADER, *_many(999)], title=["APMIS Disruptions Export", "Extracted: 01/01/2020 09:00"]),
        encoding="utf-8",
    )
    run, out = validate(path, tmp_path=tmp_path)
    assert run.code == 1 and "Traceback" not in run.stderr
    errors = json.loads((out / "validation.json").read_text(encoding="utf-8"))["errors"]
    late = [e for e in errors if "after the extraction date" in e["message"]]
    assert len([e for e in late if e["column"] == "Record Date"]) == 999  # (and each Disruption Date too)


def _dotted_record_dates(rows: list[list[str]]) -> list[list[str]]:
    for row in rows:
        day, month, year = row[R_DATE].split("/")
        row[R_DATE] = f"{year}.{month}.{day}"
    return rows


@pytest.mark.parametrize(
    "rows, phrases",
    [
        (
            _many(1200, {D_DATE: "10/06/2022", R_DATE: "01/06/2022"}),
            ["the Record Date is before the Disruption Date on 1,200 of 1,200 records", "are the two columns swapped?"],
        ),
        (
            _dotted_record_dates(_many(1200)),
            ["Record Date (column H) is not a date on 1,200 of 1,200 records", "write dd/mm/yyyy or yyyy-mm-dd"],
        ),
        (
            _many(1200, {D_HEADER.index("4P Strand"): "PU"}),
            [
                "4P Strand (column I) is not on the contract's list on 1,200 of 1,200 records",
                "(such as 'PU')",
                "whether the export uses other codes",
            ],
        ),
    ],
    ids=["swapped-dates", "dates-in-another-format", "vocabulary-in-other-codes"],
)
def test_a_column_wrong_on_most_records_is_one_error(tmp_path, rows, phrases):
    path = tmp_path / "d.csv"
    path.write_text(csv_text([D_HEADER, *rows]), encoding="utf-8")
    run, out = validate(path, tmp_path=tmp_path)
    assert_unusable(run, "d.csv", *phrases, out=out)
