"""Property: whatever bytes a user feeds it, `validate` ends with exit code 0, 1 or 2, never a traceback."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import jsonschema
from conftest import DISRUPTIONS_BROKEN_XLSX, DISRUPTIONS_VALID, REPO, THREATS_VALID, inputs_unchanged
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from disruption_qa.cli import app

VALID = DISRUPTIONS_VALID.read_bytes()
XLSX = DISRUPTIONS_BROKEN_XLSX.read_bytes()
SCHEMA = json.loads((REPO / "docs" / "validation.schema.json").read_text("utf-8"))
RUNNER = CliRunner()
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

#: What a mangled export tends to gain: quotes, separators, line breaks, odd bytes, a £ in cp1252.
INSERTS = [
    b'"',
    b",",
    b"\n",
    b"\r\n",
    b"\r",
    b'""',
    b",,,",
    b"\x00",
    b"\xa3",
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"=1+1",
    b" ",
    b"\t",
]

mutation = st.one_of(
    st.tuples(st.just("flip"), st.integers(0, 1 << 20), st.integers(1, 255)),
    st.tuples(st.just("delete"), st.integers(0, 1 << 20), st.integers(1, 200)),
    st.tuples(st.just("insert"), st.integers(0, 1 << 20), st.sampled_from(INSERTS)),
    st.tuples(st.just("duplicate_line"), st.integers(0, 1 << 20), st.integers(1, 3)),
    st.tuples(st.just("delete_line"), st.integers(0, 1 << 20), st.just(0)),
    st.tuples(st.just("truncate"), st.integers(0, 1 << 20), st.just(0)),
)


def mutate(data: bytes, ops) -> bytes:
    for op, where, arg in ops:
        if not data:
            break
        i = where % len(data)
        if op == "flip":
            data = data[:i] + bytes([data[i] ^ arg]) + data[i + 1 :]
        elif op == "delete":
            data = data[:i] + data[i + arg :]
        elif op == "insert":
            data = data[:i] + arg + data[i:]
        elif op == "truncate":
            data = data[:i]
        else:
            lines = data.split(b"\n")
            j = where % len(lines)
            if op == "duplicate_line":
                lines[j : j + 1] = [lines[j]] * (arg + 1)
            else:
                del lines[j]
            data = b"\n".join(lines)
    return data


def run_validate(disruptions: bytes, name: str = "d.csv", threats: bytes | None = None):
    """Validate the bytes in-process; check the outcome is a clean exit with sane outputs."""
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        (tmp / name).write_bytes(disruptions)
        args = ["validate", str(tmp / name), "--out", str(tmp / "out")]
        if threats is not None:
            (tmp / "t.csv").write_bytes(threats)
            args += ["--threats", str(tmp / "t.csv")]
        with inputs_unchanged(args):
            result = RUNNER.invoke(app, args)
        assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
        assert result.exit_code in (0, 1, 2), (result.exit_code, result.output)
        assert "Traceback" not in result.output
        if result.exit_code == 2:
            lines = result.stderr.splitlines()
            assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
            assert not (tmp / "out" / "validation.json").exists()
        else:
            doc = json.loads((tmp / "out" / "validation.json").read_text("utf-8"))
            jsonschema.validate(doc, SCHEMA)
            assert (len(doc["errors"]) > 0) == (result.exit_code == 1)
            assert (tmp / name).read_bytes() == disruptions  # never modified
        return result.exit_code


def test_the_valid_file_itself_is_clean():
    assert run_validate(VALID) == 0


@SETTINGS
@given(st.binary(max_size=4096))
def test_random_bytes(data):
    run_validate(data)


@SETTINGS
@given(st.lists(mutation, min_size=1, max_size=8))
def test_mutated_valid_csv(ops):
    run_validate(mutate(VALID, ops))


@SETTINGS
@given(st.lists(mutation, min_size=1, max_size=4))
@example([("flip", 375, 1)])  # found by hypothesis: a Created Date in the year 3022 overflowed pandas
@example([("flip", 29, 1)])  # found by hypothesis: a lone CR in a title line broke the header search
def test_mutated_threats_csv(ops):
    run_validate(VALID, threats=mutate(THREATS_VALID.read_bytes(), ops))


@SETTINGS
@given(st.lists(mutation, min_size=1, max_size=4))
@example([("flip", 7733, 64)])  # found by hypothesis: zipfile raised NotImplementedError('zip file version 8.4')
def test_mutated_xlsx(ops):
    run_validate(mutate(XLSX, ops), name="d.xlsx")


@SETTINGS
@given(
    st.lists(st.text(alphabet=st.characters(codec="utf-8"), max_size=30), min_size=1, max_size=14), st.integers(0, 29)
)
def test_random_cells_in_a_valid_row(cells, index):
    """A record whose cells are arbitrary text (quoted properly) is reported, never a crash."""
    import csv
    import io

    rows = list(csv.reader(io.StringIO(VALID.decode("utf-8"), newline="")))
    rows[3 + index] = cells
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    run_validate(buf.getvalue().encode("utf-8"))
