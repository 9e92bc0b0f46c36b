"""Writing output files safely: atomically, and CSV that is safe to open in Excel."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import tempfile
import uuid
from collections.abc import Iterable
from pathlib import Path

from ..contract import CONTROLS_BUT_LINE_BREAKS, may_hold_controls
from ..errors import file_system_error
from ..format import visible


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


#: This process's umask, read once (reading it means setting it): new files get the usual permissions.
UMASK = _umask()

#: The values format.visible rewrites, for pyarrow's RE2 (which has no look-ahead: a CR alone is one followed
#: by anything but a line feed, or by nothing).
CONTROL_PATTERN = CONTROLS_BUT_LINE_BREAKS + "|\r([^\n]|$)"

#: A cell starting with one of these is run as a formula by spreadsheet programs.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write to a temporary file beside ``path``, then rename: never a half-written file from a stopped run.

    An earlier file at ``path`` stays intact until the new one is complete, even
    when the run is stopped midway. The file is not forced to disk (``fsync``),
    so a power cut or system crash just after a run may still leave a file
    empty or short: outputs can be written again from the inputs, and a
    national run writes nearly two hundred files, each of which would wait for
    the disk. A folder that cannot be created or written (a file in the way, no
    permission, a full disk) is an :class:`InputError` naming the path, not a traceback.
    """
    path = Path(path)
    mode = "wb" if isinstance(data, bytes) else "w"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise file_system_error(exc, path) from None
    try:
        with os.fdopen(fd, mode, **({} if mode == "wb" else {"encoding": "utf-8", "newline": ""})) as fh:
            fh.write(data)
        os.chmod(tmp, 0o666 & ~UMASK)  # mkstemp makes it private to the owner; a report is shared like any file
        os.replace(tmp, path)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise file_system_error(exc, path) from None
        raise


def write_json(path: Path, obj: object) -> None:
    write_atomic(path, to_json(obj))


#: The types ``to_json`` writes a list of on one line (bool is an int).
PLAIN = {str, int, float, bool, type(None)}


def to_json(obj: object) -> str:
    """JSON indented by two spaces, but each list of plain values (text, numbers, true/false, null) on one line.

    A national run's findings list half a million record IDs: one a line makes the
    files long to scroll, and Python's indenting encoder is written in Python,
    where the compact encoder used for the lists is in C.
    """
    token = f"@{uuid.uuid4().hex}@"
    lists: list[str] = []

    def lift(value):
        if isinstance(value, dict):
            return {k: lift(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            if value and set(map(type, value)) <= PLAIN:  # map and set run in C: half a million IDs a national run
                lists.append(json.dumps(value, ensure_ascii=False))
                return f"{token}{len(lists) - 1}"
            return [lift(v) for v in value]
        return value

    text = json.dumps(lift(obj), indent=2, ensure_ascii=False, default=str)
    return re.sub(f'"{token}(\\d+)"', lambda m: lists[int(m.group(1))], text) + "\n"


def excel_safe(value: object) -> str:
    """A value as a CSV output shows it: its control characters made visible (``\\x1b``), then neutralised
    if a spreadsheet would run it as a formula (OWASP CSV injection)."""
    if value is None:
        return ""
    text = visible(str(value))
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def write_csv(path: Path, header: list[str], rows: Iterable[Iterable[object]]) -> None:
    """A UTF-8 CSV with a byte-order mark (so Excel reads it as UTF-8), every cell Excel-safe."""
    buf = io.StringIO()
    buf.write("\ufeff")
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([excel_safe(v) for v in row])
    write_atomic(path, buf.getvalue())


def _one_chunk(values):
    """A pyarrow array from a column of any number of chunks."""
    return values.combine_chunks() if hasattr(values, "combine_chunks") else values


def write_frame_csv(path: Path, table) -> None:
    """A pyarrow Table as UTF-8 CSV with a byte-order mark, every text cell Excel-safe; a missing value is
    an empty cell.

    Vectorised with pyarrow: a national run writes hundreds of thousands of rows.
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    table = table.combine_chunks()  # one chunk a column: each kernel below runs once, not once a finding
    starts = pa.array(FORMULA_STARTS)
    cells = {}
    for name, values in zip(table.column_names, table.columns):
        values = pc.fill_null(values if values.type == pa.string() else values.cast(pa.string()), "")
        # control characters made visible; the few values holding one are rewritten one by one
        if may_hold_controls(values, False):  # (a byte scan: a tab or line break is a candidate here)
            controls = pc.match_substring_regex(values, CONTROL_PATTERN)
            if pc.any(controls).as_py():
                rewritten = pa.array([visible(v) for v in pc.filter(values, controls).to_pylist()], pa.string())
                values = pc.replace_with_mask(_one_chunk(values), _one_chunk(controls), rewritten)
        # by each value's first character; a column with nothing to neutralise is kept as it is (most are)
        risky = pc.is_in(pc.utf8_slice_codeunits(values, 0, 1), value_set=starts)
        if pc.any(risky).as_py():
            values = pc.if_else(risky, pc.binary_join_element_wise("'", values, ""), values)
        cells[name] = values
    buf = io.BytesIO()
    buf.write("\ufeff".encode("utf-8"))
    pacsv.write_csv(pa.table(cells), buf, write_options=pacsv.WriteOptions(quoting_style="needed", eol=b"\r\n"))
    write_atomic(path, buf.getvalue())
