"""Writing sample exports: CSV fast and byte-stable, Excel byte-stable.

Columns arrive as pyarrow string arrays (null = blank cell). CSV is built with
pyarrow compute kernels, chunk by chunk, quoting only the values that need it
(as Excel and APMIS do), rows ending in CRLF. Excel goes through xlsxwriter with
fixed document properties, so the same data gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import InputError, file_system_error, kind_of
from .core import EPOCH

CHUNK = 250_000
EXCEL_MAX_ROWS = 1_048_576
UK = "%d/%m/%Y"


def strings(values: list[str | None], codes: np.ndarray) -> pa.Array:
    """Take ``values[code]`` for each code; a negative code is a blank cell."""
    codes = np.asarray(codes)
    mask = codes < 0
    table = pa.array(list(values), pa.string())
    return table.take(pa.array(np.where(mask, 0, codes), mask=mask))


def dates(days: np.ndarray) -> pa.Array:
    """Days since 1970 as ``dd/mm/yyyy`` text; -1 is a blank cell."""
    days = np.asarray(days, dtype=np.int64)
    uniq, inverse = np.unique(days, return_inverse=True)
    text = [None if u < 0 else (EPOCH + dt.timedelta(days=int(u))).strftime(UK) for u in uniq]
    return strings(text, np.where(uniq[inverse] < 0, -1, inverse))


def prefixed(prefix: str, numbers: np.ndarray, width: int = 0) -> pa.Array:
    """``prefix`` followed by each number (zero-padded to ``width``); -1 is a blank cell."""
    numbers = np.asarray(numbers, dtype=np.int64)
    mask = numbers < 0
    text = pc.utf8_lpad(pa.array(np.where(mask, 0, numbers)).cast(pa.string()), width, "0")
    out = pc.binary_join_element_wise(prefix, text, "")
    return pc.if_else(pa.array(mask), pa.nulls(len(numbers), pa.string()), out)


def replace(array: pa.Array, rows: np.ndarray, values: list[str | None]) -> pa.Array:
    """The array with ``array[rows[i]] = values[i]`` (a handful of planted defects)."""
    rows = np.asarray(rows, dtype=np.int64)
    if not len(rows):
        return array
    order = np.argsort(rows, kind="stable")
    mask = np.zeros(len(array), bool)
    mask[rows] = True
    new = pa.array([values[i] for i in order], pa.string())
    return pc.replace_with_mask(array.cast(pa.string()), pa.array(mask), new)


def _escape(array: pa.Array) -> pa.Array:
    array = array.cast(pa.large_string())
    needs = pc.fill_null(pc.match_substring_regex(array, r'[,"\r\n]'), False)
    q, empty = pa.scalar('"', pa.large_string()), pa.scalar("", pa.large_string())
    quoted = pc.binary_join_element_wise(q, pc.replace_substring(array, '"', '""'), q, empty)
    return pc.fill_null(pc.if_else(needs, quoted, array), "")


def prepare_out(out: Path, names: list[str], force: bool) -> list[Path]:
    """Make the folder ``out`` and give the paths of the files ``names`` in it, before any work: a folder
    that cannot be made, or (unless ``force``) a file there already, is an :class:`InputError`: a sample
    never silently replaces an export."""
    out = Path(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise file_system_error(exc, out, "cannot be made") from None
    paths = [out / name for name in names]
    for path in paths:
        kind = kind_of(path, "cannot be written")
        if kind is None:
            continue
        if kind == "folder":
            raise InputError("cannot be written: it is a folder", path)
        if not force:
            raise InputError("exists already: choose another --out, or add --force to replace it", path)
    return paths


def written(paths: list[Path], write) -> list[Path]:
    """Run ``write()`` (which writes ``paths``), an operating-system failure being an :class:`InputError`."""
    try:
        write()
    except OSError as exc:
        raise file_system_error(exc, Path(exc.filename) if exc.filename else paths[0]) from None
    return paths


def write_csv(path: Path, titles: list[str], columns: dict[str, pa.Array]) -> Path:
    """UTF-8 CSV: title lines, the header, then the rows."""
    names = list(columns)
    arrays = [columns[n] for n in names]
    n = len(arrays[0])
    with open(path, "wb") as fh:
        head = titles + [",".join(names)]
        fh.write(("\r\n".join(head) + "\r\n").encode("utf-8"))
        for start in range(0, n, CHUNK):
            chunk = [_escape(a.slice(start, CHUNK)) for a in arrays]
            lines = pc.binary_join_element_wise(*chunk, pa.scalar(",", pa.large_string()))
            whole = pa.LargeListArray.from_arrays(pa.array([0, len(lines)], pa.int64()), lines)
            text = pc.binary_join(whole, pa.scalar("\r\n", pa.large_string()))[0].as_py()
            fh.write(text.encode("utf-8"))
            fh.write(b"\r\n")
    return path


def write_xlsx(
    path: Path,
    titles: list[str],
    columns: dict[str, pa.Array],
    *,
    sheet: str,
    date_columns: set[str],
    number_columns: set[str] = frozenset(),
    created: dt.datetime,
) -> Path:
    """An Excel workbook, one sheet: title lines, the header, the rows; dates as real date cells
    (a value that is not a valid ``dd/mm/yyyy`` date stays text, as a typing mistake would)."""
    import xlsxwriter

    names = list(columns)
    n = len(columns[names[0]])
    if n + len(titles) + 1 > EXCEL_MAX_ROWS:
        raise InputError(
            f"{n} rows do not fit in one Excel sheet (at most {EXCEL_MAX_ROWS - len(titles) - 1}); use --format csv"
        )
    book = xlsxwriter.Workbook(
        str(path),
        {"constant_memory": True, "strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False},
    )
    book.set_properties(
        {"title": titles[0] if titles else "", "author": "disruption-qa sample", "company": "", "created": created}
    )
    ws = book.add_worksheet(sheet)
    bold = book.add_format({"bold": True})
    date_fmt = book.add_format({"num_format": "dd/mm/yyyy"})
    row = 0
    for t in titles:
        ws.write_string(row, 0, t)
        row += 1
    for c, name in enumerate(names):
        ws.write_string(row, c, name, bold)
    ws.set_column(0, len(names) - 1, 18)
    row += 1
    values = [columns[name].to_pylist() for name in names]
    kinds = ["date" if nm in date_columns else "number" if nm in number_columns else "text" for nm in names]
    parsed: dict[str, dt.datetime | None] = {}
    for i in range(n):
        for c in range(len(names)):
            v = values[c][i]
            if v is None:
                continue
            if kinds[c] == "date":
                if v not in parsed:
                    try:
                        parsed[v] = dt.datetime.strptime(v, UK)
                    except ValueError:
                        parsed[v] = None
                when = parsed[v]
                if when is not None:
                    ws.write_datetime(row, c, when, date_fmt)
                    continue
            elif kinds[c] == "number":
                try:
                    ws.write_number(row, c, float(v))
                    continue
                except ValueError:
                    pass
            ws.write_string(row, c, v)
        row += 1
    book.close()
    return path
