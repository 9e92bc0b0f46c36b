"""`disruption-qa validate`: exit codes, validation.json (against its JSON Schema), fixes.csv, safety."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import jsonschema
import pytest
from conftest import (
    DISRUPTIONS_BROKEN,
    DISRUPTIONS_BROKEN_XLSX,
    DISRUPTIONS_VALID,
    REPO,
    THREATS_BROKEN,
    THREATS_VALID,
    csv_text,
    inputs_unchanged,
    run_cli,
    valid_disruption_rows,
)
from typer.testing import CliRunner

from disruption_qa.cli import app

SCHEMA = json.loads((REPO / "docs" / "validation.schema.json").read_text("utf-8"))
D_HEADER, D_RECORDS = valid_disruption_rows()
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def check_schema(doc: dict) -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker()).validate(doc)


def read_fixes(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "fixes.csv starts with a BOM so Excel reads UTF-8"
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def broken_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("broken")
    return run_cli("validate", DISRUPTIONS_BROKEN, "--threats", THREATS_BROKEN, "--out", out), out


def test_valid_files_exit_0(tmp_path):
    run = run_cli("validate", DISRUPTIONS_VALID, "--threats", THREATS_VALID, "--out", tmp_path / "out")
    assert run.code == 0, run.stderr
    assert run.stderr == ""
    assert "no validation problems found" in run.stdout
    assert "extraction date: 04/01/2023" in run.stdout
    doc = json.loads((tmp_path / "out" / "validation.json").read_text("utf-8"))
    check_schema(doc)
    assert doc["errors"] == [] and doc["extraction_date"] == "2023-01-04"
    assert [(Path(f["path"]).name, f["rows"]) for f in doc["files"]] == [
        ("disruptions_valid.csv", 30),
        ("threats_valid.csv", 15),
    ]
    assert read_fixes(tmp_path / "out" / "fixes.csv") == []


def test_broken_files_exit_1(broken_run):
    run, out = broken_run
    assert run.code == 1, run.stderr
    assert run.stderr == ""
    doc = json.loads((out / "validation.json").read_text("utf-8"))
    check_schema(doc)
    by_file = {}
    for e in doc["errors"]:
        by_file.setdefault(Path(e["file"]).name, []).append((e["row"], e["column"], e["rule"]))
    assert sorted({r for r, _, _ in by_file["disruptions_broken.csv"]}) == [
        5,
        6,
        7,
        8,
        10,
        12,
        14,
        16,
        17,
        18,
        19,
        21,
        22,
        24,
        26,
        27,
        28,
    ]
    assert sorted({r for r, _, _ in by_file["threats_broken.csv"]}) == list(range(4, 22))
    assert (28, None, "well-formed row") in by_file["disruptions_broken.csv"]
    assert (16, "Closed Date", "closed on or after creation") in by_file["threats_broken.csv"]
    assert len(doc["errors"]) == 38
    assert doc["files"][0]["sha256"] == __import__("hashlib").sha256(DISRUPTIONS_BROKEN.read_bytes()).hexdigest()


def test_broken_fixes_csv_matches_json(broken_run):
    _, out = broken_run
    doc = json.loads((out / "validation.json").read_text("utf-8"))
    fixes = read_fixes(out / "fixes.csv")
    assert list(fixes[0]) == ["file", "cell", "row", "record_id", "column", "rule", "value", "message"]
    assert [(f["file"], int(f["row"]), f["column"], f["rule"]) for f in fixes] == [
        (e["file"], e["row"], e["column"] or "", e["rule"]) for e in doc["errors"]
    ]
    neg = next(f for f in fixes if f["column"] == "MoRiLE Score" and f["rule"] == "not negative")
    assert (neg["row"], neg["record_id"], neg["value"]) == ("14", "ME-PI-0206", "'-40")  # neutralised for Excel
    assert next(e for e in doc["errors"] if e["rule"] == "not negative")["value"] == "-40"  # the JSON keeps the value


def test_summary_counts_per_rule_and_first_rows(broken_run):
    run, _ = broken_run
    lines = run.stdout.splitlines()
    assert "38 validation problems in 35 rows:" in lines
    assert any(line.endswith("disruptions_broken.csv: 18 problems") for line in lines)
    assert any(line.endswith("threats_broken.csv: 20 problems") for line in lines)
    assert "       2  Disruption ID: unique ID (rows 6, 7)" in lines
    assert "       1  Recording Organisation: known organisation (row 8)" in lines
    assert any("did you mean Cheshire Constabulary?" in line for line in lines)
    assert any(line.strip().startswith("1  (whole row): well-formed row (row 28)") for line in lines)


def test_xlsx_cells_in_outputs(tmp_path):
    run = run_cli("validate", DISRUPTIONS_BROKEN_XLSX, "--out", tmp_path)
    assert run.code == 1, run.stderr
    doc = json.loads((tmp_path / "validation.json").read_text("utf-8"))
    check_schema(doc)
    cells = [(e["row"], e["cell"]) for e in doc["errors"]]
    assert cells[:3] == [(5, "Disruptions!M5"), (6, "Disruptions!A6"), (7, "Disruptions!A7")]
    assert (22, "Disruptions!G22") in cells and (22, "Disruptions!H22") in cells
    assert [f["cell"] for f in read_fixes(tmp_path / "fixes.csv")] == [c for _, c in cells]
    assert "Disruptions!M5" in run.stdout


def test_sheet_option(tmp_path):
    assert run_cli("validate", DISRUPTIONS_BROKEN_XLSX, "--sheet", "Disruptions", "--out", tmp_path).code == 1


def test_threats_sheet_option(tmp_path):
    import xlsxwriter
    from conftest import sample_rows

    path = tmp_path / "threats.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    wb.add_worksheet("Notes").write_string(0, 0, "Master list below")
    ws = wb.add_worksheet("Master List")
    for i, row in enumerate(sample_rows(THREATS_VALID)):
        for j, value in enumerate(row):
            if value:
                ws.write_string(i, j, value if i != 9 or j != 1 else "Chesire Constabulary")
    wb.close()
    run = run_cli("validate", DISRUPTIONS_VALID, "--threats", path, "--out", tmp_path / "o1")
    assert run.code == 2 and "no header row found" in run.stderr
    run = run_cli(
        "validate", DISRUPTIONS_VALID, "--threats", path, "--threats-sheet", "Master List", "--out", tmp_path / "o2"
    )
    assert run.code == 1, run.stderr
    doc = json.loads((tmp_path / "o2" / "validation.json").read_text("utf-8"))
    assert [(e["row"], e["cell"], e["column"], e["rule"]) for e in doc["errors"]] == [
        (10, "'Master List'!B10", "Owning Organisation", "known organisation")
    ]


def test_extracted_on_option(tmp_path):
    # the valid records without their title lines: nothing says when they were extracted
    path = tmp_path / "d.csv"
    path.write_text(csv_text([D_HEADER, *D_RECORDS]), "utf-8")
    run = run_cli("validate", path, "--extracted-on", "01/12/2022", "--out", tmp_path / "out")
    assert run.code == 1, run.stderr
    assert "extraction date: 01/12/2022 (given by the user)" in run.stdout
    doc = json.loads((tmp_path / "out" / "validation.json").read_text("utf-8"))
    check_schema(doc)
    assert doc["extraction_date"] == "2022-12-01"
    assert {e["rule"] for e in doc["errors"]} == {"not after the extraction date"}
    late = [i + 2 for i, r in enumerate(D_RECORDS) if r[D_HEADER.index("Record Date")].split("/")[1:] == ["12", "2022"]]
    assert sorted({e["row"] for e in doc["errors"] if e["column"] == "Record Date"}) == late
    # ISO is accepted too, and without the option the latest Record Date is used: clean
    assert run_cli("validate", path, "--extracted-on", "2023-01-04", "--out", tmp_path / "o2").code == 0
    run = run_cli("validate", path, "--out", tmp_path / "o3")
    assert run.code == 0 and "(latest Record Date)" in run.stdout


def test_config_aliases(tmp_path):
    header = list(D_HEADER)
    header[0] = "APMIS Ref"
    header[D_HEADER.index("Record Date")] = "Date Entered"
    path = tmp_path / "d.csv"
    path.write_text(
        csv_text([header, *D_RECORDS], title=["APMIS Disruptions Export", "Extracted: 04/01/2023"]), "utf-8"
    )
    run = run_cli("validate", path, "--out", tmp_path / "o1")
    assert run.code == 2 and "lacks required column(s): Disruption ID, Record Date" in run.stderr
    config = tmp_path / "qa.toml"
    config.write_text(
        '[columns.disruptions]\n"Disruption ID" = ["APMIS Ref"]\n"record date" = "date_entered"\n', "utf-8"
    )
    run = run_cli("validate", path, "--config", config, "--out", tmp_path / "o2")
    assert run.code == 0, run.stderr
    # a problem in an aliased column is reported under the contract's name
    records = [list(r) for r in D_RECORDS]
    records[3][D_HEADER.index("Record Date")] = "soon"
    path.write_text(csv_text([header, *records], title=["APMIS Disruptions Export", "Extracted: 04/01/2023"]), "utf-8")
    run = run_cli("validate", path, "--config", config, "--out", tmp_path / "o3")
    assert run.code == 1
    doc = json.loads((tmp_path / "o3" / "validation.json").read_text("utf-8"))
    assert [(e["row"], e["record_id"], e["column"], e["rule"], e["value"]) for e in doc["errors"]] == [
        (7, D_RECORDS[3][0], "Record Date", "valid date", "soon")
    ]


def test_schema_rejects_a_wrong_document(broken_run):
    _, out = broken_run
    doc = json.loads((out / "validation.json").read_text("utf-8"))
    doc["errors"][0]["row"] = "5"
    with pytest.raises(jsonschema.ValidationError):
        check_schema(doc)
    doc["errors"][0]["row"] = 5
    doc["errors"][0]["rule"] = "required"
    with pytest.raises(jsonschema.ValidationError):
        check_schema(doc)


# --- fixes.csv is safe to open in Excel ------------------------------------------------------------


def test_formulas_are_neutralised_in_fixes_csv(tmp_path):
    records = [list(r) for r in D_RECORDS[:6]]
    col = D_HEADER.index
    records[0][col("Tactic")] = '=HYPERLINK("http://example.com","Arrest")'
    records[1][col("Threat Type")] = "+1+1"
    records[2][col("4P Strand")] = "-2+3"
    records[3][col("Assessment Category")] = "@SUM(A1:A9)"
    records[4][col("Recorded By")] = '=HYPERLINK("x")'  # free text: allowed, but the ID breaks
    records[4][col("Disruption ID")] = "=cmd|' /C calc'!A0"
    records[5][col("Recorded By")] = ""
    records[5][col("Disruption ID")] = "-DIS-0006"
    path = tmp_path / "d.csv"
    path.write_text(csv_text([D_HEADER, *records]), "utf-8")
    run = run_cli("validate", path, "--out", tmp_path / "out")
    assert run.code == 1, run.stderr
    fixes = read_fixes(tmp_path / "out" / "fixes.csv")
    for f in fixes:
        for key, cell in f.items():
            assert not cell.startswith(FORMULA_STARTS), (key, cell)
    values = {(f["row"], f["column"]): f for f in fixes}
    assert values["2", "Tactic"]["value"] == '\'=HYPERLINK("http://example.com","Arrest")'
    assert values["3", "Threat Type"]["value"] == "'+1+1"
    assert values["4", "4P Strand"]["value"] == "'-2+3"
    assert values["5", "Assessment Category"]["value"] == "'@SUM(A1:A9)"
    assert values["7", "Recorded By"]["record_id"] == "'-DIS-0006"
    # the JSON keeps the values exactly as in the file
    doc = json.loads((tmp_path / "out" / "validation.json").read_text("utf-8"))
    assert doc["errors"][0]["value"] == '=HYPERLINK("http://example.com","Arrest")'


def test_excel_safe_cells():
    from disruption_qa.render.files import excel_safe

    for text in ("=1+1", "+44 161", "-40", "@SUM(A1)", "\tx"):
        assert excel_safe(text) == "'" + text
    assert excel_safe("\rx") == "\\x0dx"  # a lone CR is shown as its escape, so no longer starts a formula
    for text in ("DIS-0001", "Arrest", "", "£96,000", "04/01/2023"):
        assert excel_safe(text) == text
    assert excel_safe(None) == ""


# --- safety ------------------------------------------------------------------------------------


def test_inputs_never_modified(tmp_path):
    copies = []
    for src in (DISRUPTIONS_BROKEN, THREATS_BROKEN, DISRUPTIONS_BROKEN_XLSX):
        dst = tmp_path / src.name
        dst.write_bytes(src.read_bytes())
        os.utime(dst, ns=(1_600_000_000_000_000_000, 1_600_000_000_000_000_000))
        copies.append(dst)
    before = [(p.read_bytes(), p.stat().st_mtime_ns) for p in copies]
    assert run_cli("validate", copies[0], "--threats", copies[1], "--out", tmp_path / "o1").code == 1
    assert run_cli("validate", copies[2], "--out", tmp_path / "o2").code == 1
    assert [(p.read_bytes(), p.stat().st_mtime_ns) for p in copies] == before
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*(p.name for p in copies), "o1", "o2"])


def test_outputs_written_atomically(tmp_path, monkeypatch):
    runner = CliRunner()
    out = tmp_path / "out"
    with inputs_unchanged([DISRUPTIONS_VALID]):
        first = runner.invoke(app, ["validate", str(DISRUPTIONS_VALID), "--out", str(out)])
    assert first.exit_code == 0, first.output
    earlier = {p.name: p.read_bytes() for p in out.iterdir()}
    assert set(earlier) == {"validation.json", "fixes.csv", "report.html"}

    def crash(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", crash)
    with inputs_unchanged([DISRUPTIONS_BROKEN]):
        result = runner.invoke(app, ["validate", str(DISRUPTIONS_BROKEN), "--out", str(out)])
    assert result.exit_code == 2
    assert isinstance(result.exception, SystemExit)
    assert result.stderr.strip() == f"error: {out / 'validation.json'}: cannot be written (No space left on device)"
    # the earlier outputs are intact and no temporary file is left behind
    assert {p.name: p.read_bytes() for p in out.iterdir()} == earlier
    json.loads(earlier["validation.json"])


def test_a_crash_while_writing_leaves_no_partial_file(tmp_path, monkeypatch):
    from disruption_qa.render import files

    class Boom(Exception):
        pass

    real_fdopen = os.fdopen

    def half_write(fd, *args, **kwargs):
        fh = real_fdopen(fd, *args, **kwargs)
        real_write = fh.write

        def write(data):
            real_write(data[: len(data) // 2])
            raise Boom()

        fh.write = write
        return fh

    monkeypatch.setattr(os, "fdopen", half_write)
    with pytest.raises(Boom):
        files.write_json(tmp_path / "validation.json", {"errors": list(range(1000))})
    assert list(tmp_path.iterdir()) == []


def test_out_folder_is_created(tmp_path):
    out = tmp_path / "a" / "b" / "c"
    assert run_cli("validate", DISRUPTIONS_VALID, "--out", out).code == 0
    assert (out / "validation.json").is_file() and (out / "fixes.csv").is_file()


def test_runs_from_another_directory(tmp_path):
    run = run_cli("validate", DISRUPTIONS_VALID, "--out", "out", cwd=tmp_path)
    assert run.code == 0 and (tmp_path / "out" / "validation.json").is_file()


def test_the_command_line_never_imports_hypothesis(tmp_path):
    """pandera imports hypothesis, when it is installed (as it is for the tests), for strategies the tool never
    uses; the console script keeps it out (runtime.skip_unused_imports), and validates as before."""
    env = {**os.environ, "PYTHONPROFILEIMPORTTIME": "1"}
    run = run_cli("validate", DISRUPTIONS_BROKEN, "--out", tmp_path / "out", env=env)
    assert run.code == 1, run.stderr
    imported = {line.rsplit("|", 1)[-1].strip() for line in run.stderr.splitlines() if line.startswith("import time:")}
    assert "pandera.pandas" in imported and "hypothesis" not in imported
    assert json.loads((tmp_path / "out" / "validation.json").read_text())["errors"]
