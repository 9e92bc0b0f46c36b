"""Reading exports: from a CSV or Excel file to a frame of text, indexed by spreadsheet row.

What this layer guarantees to the rest of the package:

* every known column is renamed to its contract key (``Disruption ID`` -> ``disruption_id``),
  whatever the case, spacing, punctuation or a user-declared alias of its header;
  extra columns are kept under their own header;
* the frame's index is the row number a person sees in a spreadsheet (title lines
  and the header counted), so any error can point at the row to fix;
* every value is text (or missing), exactly as in the file; typing (dates,
  numbers, vocabulary spelling) is done by :func:`typed_frame`;
* a file that cannot be read raises :class:`~disruption_qa.errors.InputError` with
  one line that names the file and what is wrong.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .contract import DISRUPTIONS, EXPORT_KINDS, THREATS, ExportKind, normalise_header
from .dates import parse_date, parse_date_column
from .errors import InputError, kind_of

#: Title lines allowed above the header row (contract: "up to five").
MAX_TITLE_LINES = 5
#: The most columns an export may have: Excel's own limit (XFD). A wider header is refused.
MAX_COLUMNS = 16_384
#: A title or header line is never longer than this (every one of the most columns with a 255-character
#: name); the rest of a longer line is not looked at.
MAX_HEADER_CHARS = MAX_COLUMNS * 256
#: The longest single CSV value read: four times the most an Excel cell holds (32,767 characters). A longer
#: one is almost always a quote that opens a value and never closes, swallowing the rest of the file; it is
#: refused, naming its row, rather than read into memory.
MAX_FIELD_CHARS = 131_072
csv.field_size_limit(MAX_FIELD_CHARS)
EXTRACTED_RE = re.compile(r"extracted\s*(?:on)?\s*[:\-]?\s*(\d{1,2}/\d{1,2}/\d{4}|\d{4}-\d{2}-\d{2})", re.I)


@dataclass
class SourceFile:
    """A file as read: enough to name it in an error and to reproduce a run."""

    path: str
    sha256: str
    rows: int = 0
    format: str = "csv"  # csv | xlsx
    sheet: str | None = None
    encoding: str | None = None
    title_lines: list[str] = field(default_factory=list)
    header_row: int = 1  # spreadsheet row of the header

    def to_dict(self) -> dict:
        return {"path": self.path, "sha256": self.sha256, "rows": self.rows}


@dataclass
class StructuralProblem:
    """A row the file itself got wrong (too many or too few cells)."""

    row: int
    message: str
    value: str = ""


@dataclass
class Export:
    """One export read from one file."""

    kind: ExportKind
    source: SourceFile
    text: pd.DataFrame
    letters: dict[str, str]  # column key -> spreadsheet column letter
    extraction_date: dt.date | None = None
    problems: list[StructuralProblem] = field(default_factory=list)

    def cell(self, key: str, row: int) -> str | None:
        """``Disruptions!F57`` for an Excel file, None for CSV."""
        if self.source.format != "xlsx" or key not in self.letters:
            return None
        return f"{sheet_reference(self.source.sheet)}!{self.letters[key]}{row}"


def sheet_reference(sheet: str | None) -> str:
    """A sheet name as Excel writes it in a reference: ``Disruptions``, ``'Master List'``, ``'Bob''s'``."""
    sheet = sheet or ""
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", sheet) and not re.fullmatch(r"[A-Za-z]{1,3}[0-9]+", sheet):
        return sheet
    return "'" + sheet.replace("'", "''") + "'"


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


# --- sniffing ------------------------------------------------------------------


def _read_bytes(path: Path) -> bytes:
    kind = kind_of(path)
    if kind is None:
        raise InputError("no such file", path)
    if kind == "folder":
        raise InputError("is a folder, not an export file", path)
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot be read ({exc.strerror})", path) from None


def _sniff(data: bytes, path: Path) -> str:
    """'xlsx' or 'csv' by content, not by name; anything else is an InputError."""
    head = data[:4096].removeprefix(b"\xef\xbb\xbf")
    if (
        not head.strip() and not data.removeprefix(b"\xef\xbb\xbf").strip()
    ):  # copy the whole file only if its start is blank
        raise InputError("is empty", path)
    if data.startswith(b"PK\x03\x04"):
        try:
            names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        except Exception:  # BadZipFile, and NotImplementedError/ValueError/... on mangled headers
            raise InputError("is a damaged ZIP or Excel file and cannot be read", path) from None
        if any(n.startswith("xl/") for n in names):
            return "xlsx"
        raise InputError("is a ZIP archive, not a CSV or Excel export; unzip it first", path)
    if data.startswith(b"%PDF"):
        raise InputError("is a PDF document, not a CSV or Excel export", path)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError("is UTF-16 text (Excel's 'Unicode Text'); save it as 'CSV UTF-8' or .xlsx", path)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise InputError("is an old-style Excel (.xls) or Office file; save it as .xlsx or CSV", path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        raise InputError("is named .xlsx but is not an Excel workbook (corrupt or renamed)", path)
    if b"\x00" in data[:65536]:
        raise InputError("is a binary file, not a CSV or Excel export", path)
    return "csv"


def _decode(data: bytes, path: Path) -> tuple[str, str]:
    """Text and encoding: UTF-8 (with or without BOM), else Windows-1252."""
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise InputError(f"starts with a UTF-8 mark but is not UTF-8 (byte {exc.start + 3})", path) from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as exc:
        raise InputError(f"is not text in UTF-8 or Windows-1252 (byte {exc.start})", path) from None


# --- header --------------------------------------------------------------------


def _alias_map(kind: ExportKind, aliases: dict[str, list[str]] | None) -> dict[str, str]:
    """Normalised header -> column key, with the user's aliases."""
    mapping = {normalise_header(c.name): c.key for c in kind.columns}
    mapping.update({normalise_header(c.key): c.key for c in kind.columns})
    for canonical, names in (aliases or {}).items():
        column = kind.named(canonical)
        if column is None:
            continue  # validated when the config is loaded
        key = column.key
        for name in [names] if isinstance(names, str) else names:
            mapping[normalise_header(name)] = key
    return mapping


def _find_header(rows: list[list[str]], kind: ExportKind, mapping: dict[str, str], path: Path) -> int:
    """Index of the header row among the first rows, or an InputError that says why not."""
    required = {c.key for c in kind.required}
    best, best_hits = -1, 0
    for i, row in enumerate(rows[: MAX_TITLE_LINES + 1]):
        keys = {mapping.get(normalise_header(cell)) for cell in row if cell is not None}
        hits = len(required & keys)
        if hits == len(required):
            return i
        if hits > best_hits:
            best, best_hits = i, hits
    other = THREATS if kind is DISRUPTIONS else DISRUPTIONS
    other_required = {c.key for c in other.required}
    other_map = _alias_map(other, None)
    for row in rows[: MAX_TITLE_LINES + 1]:
        if other_required <= {other_map.get(normalise_header(c)) for c in row if c is not None}:
            raise InputError(f"looks like a {other.title}, but a {kind.title} was expected here", path)
    if best_hits >= 3:
        keys = {mapping.get(normalise_header(c)) for c in rows[best] if c is not None}
        missing = [c.name for c in kind.required if c.key not in keys]
        raise InputError(
            f"row {best + 1} looks like the header but lacks required column(s): {', '.join(missing)}"
            " (declare an alias in a config file if the export names them differently)",
            path,
        )
    raise InputError(
        f"no header row found in the first {MAX_TITLE_LINES + 1} rows: a {kind.title} needs the columns "
        + ", ".join(c.name for c in kind.required),
        path,
    )


def _extraction_date(title_lines: list[str]) -> dt.date | None:
    for line in title_lines:
        m = EXTRACTED_RE.search(line)
        if m:
            return parse_date(m.group(1))
    return None


def _columns(
    header: list[str], mapping: dict[str, str], path: Path, kind: ExportKind
) -> tuple[list[str], dict[str, str]]:
    """Frame column names for a header row, and the letter of each known column."""
    if len(header) > MAX_COLUMNS:
        raise InputError(
            f"the header has {len(header):,} columns; an export has at most {MAX_COLUMNS:,} (Excel's limit)", path
        )
    names: list[str] = []
    letters: dict[str, str] = {}
    for i, cell in enumerate(header):
        label = "" if cell is None else str(cell).strip()
        key = mapping.get(normalise_header(label))
        if key is not None:
            if key in letters:
                raise InputError(
                    f"column {kind.display(key)!r} appears twice (columns {letters[key]} and {column_letter(i)})",
                    path,
                )
            letters[key] = column_letter(i)
            names.append(key)
        else:
            name = label or f"column {column_letter(i)}"
            while name in names:
                name += "_"
            names.append(name)
    return names, letters


# --- CSV -----------------------------------------------------------------------


def _content_end(text: str | bytes) -> int:
    """Where the text ends once the blank lines (only spaces, commas or semicolons) at its end are dropped.

    Line by line from the end, so the last record keeps its own trailing commas
    (a blank Summary is a legal last cell, not a short row). An index, not a
    copy: a national export is hundreds of megabytes. Works on the decoded
    text or on the file's bytes alike.
    """
    nl, blank, cr = ("\n", " \t\r,;", "\r") if isinstance(text, str) else (b"\n", b" \t\r,;", b"\r")
    end = len(text)
    while True:
        nl_at = text.rfind(nl, 0, end)
        if text[nl_at + 1 : end].strip(blank):
            while end > 0 and text[end - 1 : end] == cr:
                end -= 1
            return end
        if nl_at == -1:
            return 0
        end = nl_at


def _other_separator(lines: list[str], kind: ExportKind, mapping: dict[str, str], path: Path) -> None:
    """Raise a clear error when the header is there but split by semicolons or tabs, not commas."""
    required = {c.key for c in kind.required}
    for sep, name in ((";", "semicolons"), ("\t", "tabs"), ("|", "bars")):
        for row in csv.reader(lines, delimiter=sep):
            if required <= {mapping.get(normalise_header(cell)) for cell in row}:
                raise InputError(
                    f"is separated by {name}, not commas: save it as 'CSV (comma delimited)' or .xlsx", path
                )


def _read_csv(path: Path, data: bytes, kind: ExportKind, aliases, digest) -> Export:
    return _read_csv_utf8(path, data, kind, aliases, digest) or _read_csv_text(path, data, kind, aliases, digest)


def _read_csv_utf8(path: Path, data: bytes, kind: ExportKind, aliases, digest) -> Export | None:
    """The common case, fast: a UTF-8 file handed to pyarrow as it is, only its first lines decoded here
    (pyarrow checks that every value is UTF-8). None when the file needs :func:`_read_csv_text`: another
    encoding, line ends of CR alone, or a row pyarrow cannot take (that path names it exactly)."""
    bom = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    if b"\n" not in data:
        return None
    end = _content_end(data)
    cut = bom
    for _ in range(MAX_TITLE_LINES + 2):  # the title lines, the header and one more line start
        nl = data.find(b"\n", cut, end)
        cut = end if nl == -1 else nl + 1
        if nl == -1:
            break
    try:
        head = data[bom:cut].decode("utf-8")
    except UnicodeDecodeError:
        return None
    h, title_lines, names, letters, start = _header(head, len(head), kind, aliases, path)
    lo = bom + len(head[:start].encode("utf-8"))
    frame = _parse_body_fast_named(memoryview(data)[lo:end], names, line_ends_in(data, lo, end), h, kind, path)
    if frame is None:
        return None
    return _csv_export(path, kind, frame, digest, "utf-8-sig" if bom else "utf-8", title_lines, h, letters, [], True)


def _csv_export(
    path: Path,
    kind: ExportKind,
    frame: pd.DataFrame,
    digest,
    encoding: str,
    title_lines: list[str],
    h: int,
    letters,
    problems: list,
    trimmed: bool,
) -> Export:
    """A CSV export read: its frame indexed by spreadsheet row (the header is on line ``h + 1``) and its source."""
    if trimmed:  # read by pyarrow: rows follow the header one a line (the exact reader indexes its own)
        frame.index = pd.RangeIndex(h + 2, h + 2 + len(frame))
    source = SourceFile(
        path=str(path),
        sha256=digest.result(),
        format="csv",
        encoding=encoding,
        title_lines=title_lines,
        header_row=h + 1,
    )
    return _finish(kind, source, frame, letters, problems, trimmed=trimmed)


def _header(text: str, end: int, kind: ExportKind, aliases, path: Path):
    """The header among the first lines of ``text[:end]``: its line number h (0-based), the title
    lines above it, the columns (names and letters) and where the body starts in ``text``."""
    starts = [0]  # where each of the first lines starts
    while len(starts) <= MAX_TITLE_LINES + 1 and (nl := text.find("\n", starts[-1], end)) != -1:
        starts.append(nl + 1)
    head_text = text[: starts[-1]] if len(starts) > MAX_TITLE_LINES + 1 else text[:end]
    # split exactly where `starts` does (str.splitlines also splits on \f, \x1c, \u2028, ...)
    # (a stray CR inside a line is a space here; no header is longer than MAX_HEADER_CHARS)
    head_lines = [line.removesuffix("\r").replace("\r", " ")[:MAX_HEADER_CHARS] for line in head_text.split("\n")][
        : MAX_TITLE_LINES + 1
    ]
    head_rows = []
    for n, line in enumerate(head_lines):
        try:
            head_rows.extend(csv.reader([line]))
        except csv.Error:
            raise too_long(path, n + 1) from None
    mapping = _alias_map(kind, aliases)
    try:
        h = _find_header(head_rows, kind, mapping, path)
    except InputError:
        _other_separator(head_lines, kind, mapping, path)
        raise
    title_lines = [",".join(c for c in r if c).strip() for r in head_rows[:h]]
    names, letters = _columns(head_rows[h], mapping, path, kind)
    # the body: everything after the header line (title lines hold no line breaks)
    return h, title_lines, names, letters, (starts[h + 1] if h + 1 < len(starts) else end)


def _read_csv_text(path: Path, data: bytes, kind: ExportKind, aliases, digest) -> Export:
    """Any export: the whole file decoded (UTF-8 or Windows-1252), malformed rows named with their row."""
    text, encoding = _decode(data, path)
    same_bytes = encoding != "cp1252"  # the text's characters are the file's UTF-8 bytes
    if "\n" not in text and "\r" in text:
        text = text.replace("\r", "\n")  # an old Mac export: rows end with CR alone
        same_bytes = False
    end = _content_end(text)
    h, title_lines, names, letters, start = _header(text, end, kind, aliases, path)
    first_row = h + 2
    problems: list[StructuralProblem] = []
    if same_bytes:  # hand pyarrow the file's own bytes: no second copy of a large export
        bom = 3 if encoding == "utf-8-sig" else 0
        tail = len(text[end:].encode("utf-8"))
        lo, hi = bom + len(text[:start].encode("utf-8")), len(data) - tail
        body_bytes, line_ends = memoryview(data)[lo:hi], line_ends_in(data, lo, hi)
    else:
        encoded = text[start:end].encode("utf-8")
        body_bytes, line_ends = memoryview(encoded), line_ends_in(encoded, 0, len(encoded))
    frame = _parse_body_fast_named(body_bytes, names, line_ends, h, kind, path)
    trimmed = frame is not None
    if frame is None:
        frame, problems = _parse_body_exact(text[start:end], names, first_row, path)
    return _csv_export(path, kind, frame, digest, encoding, title_lines, h, letters, problems, trimmed)


def line_ends_in(data: bytes, start: int, stop: int) -> int:
    """How many lines ``data[start:stop]`` holds, ended by LF, CRLF or a lone CR (as pyarrow ends rows).

    Counted by numpy in 16 MB slices (a national export is hundreds of MB).
    """
    import numpy as np

    view = np.frombuffer(memoryview(data)[start:stop], np.uint8)
    ends = 0
    for i in range(0, len(view), 1 << 24):
        part = view[i : i + (1 << 24)]
        ends += np.count_nonzero(part == 10)
        crs = np.flatnonzero(part == 13) + (i + 1)  # the byte after each CR
        if len(crs):
            inside = crs[crs < len(view)]
            ends += len(crs) - np.count_nonzero(view[inside] == 10)  # a CR not followed by LF ends a line too
    return ends + (len(view) > 0 and view[-1] not in (10, 13))


def _parse_body_fast_named(body: memoryview, names: list[str], line_ends: int, h: int, kind: ExportKind, path: Path):
    """:func:`_parse_body_fast`, a value over MAX_FIELD_CHARS named by its row and column (the header is line h+1)."""
    try:
        return _parse_body_fast(body, names, line_ends)
    except _TooLong as exc:
        label = kind.display(names[exc.column])
        raise too_long(path, h + 2 + exc.offset, f"{column_letter(exc.column)} ({label})") from None


def _parse_body_fast(body: memoryview, names: list[str], line_ends: int) -> pd.DataFrame | None:
    """pyarrow's multithreaded reader on the body's UTF-8 bytes; None when a row is malformed or blank.

    pyarrow can split a file between threads only when no value holds a line
    break. So the body is read that way first, and the result kept only if it
    has exactly one row per line ending (pyarrow raises, or finds fewer rows
    than lines, when a value holds a line break); otherwise the body is read
    again allowing them (one thread finds where rows end, the rest parse).
    Surrounding spaces are trimmed here, in pyarrow, except in the free-text
    Summary (the largest column, kept as typed); empty values become missing.
    """
    import pyarrow as pa

    if not len(body):
        return pd.DataFrame({n: pd.Series([], dtype="str") for n in names})
    try:
        table = _arrow_strings(body, len(names), newlines_in_values=False)
    except (pa.ArrowInvalid, pa.ArrowException):
        table = None  # pyarrow found a block boundary inside a value
    if table is None or table.num_rows != line_ends:
        try:
            table = _arrow_strings(body, len(names), newlines_in_values=True)
        except (pa.ArrowInvalid, pa.ArrowException):
            return None
    columns = table.columns
    del table  # each column read is let go as soon as its trimmed, one-chunk copy is made
    frame = pa.table(_trimmed(columns, names), names=[f"c{i}" for i in range(len(names))]).to_pandas()
    frame.columns = names
    return frame


def _arrow_strings(body: memoryview, width: int, *, newlines_in_values: bool):
    """The body as a pyarrow table of ``width`` string columns (a blank value is null); raises on a bad row."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    cols = [f"c{i}" for i in range(width)]
    return pacsv.read_csv(
        pa.BufferReader(pa.py_buffer(body)),
        read_options=pacsv.ReadOptions(column_names=cols, block_size=1 << (24 if newlines_in_values else 22)),
        parse_options=pacsv.ParseOptions(newlines_in_values=newlines_in_values, ignore_empty_lines=False),
        convert_options=pacsv.ConvertOptions(
            column_types={c: pa.large_string() for c in cols},  # pandas holds large strings
            null_values=[""],
            strings_can_be_null=True,
            quoted_strings_can_be_null=True,
        ),
    )


def _trimmed(columns: list, names: list[str]) -> list:
    """Each column trimmed of surrounding whitespace (not the Summary), blank made null; on every core.

    A column none of whose values starts or ends with whitespace (or with a byte of a character beyond ASCII,
    which may be a space such as U+00A0) is left as it is: :func:`_edges` tells from the values'
    first and last bytes, far quicker than trimming every value. The others are trimmed value by value. Each
    column ends in one chunk: pandas selects rows of a column of pyarrow's read blocks by joining them all first.
    """
    from concurrent.futures import ThreadPoolExecutor

    import pyarrow as pa
    import pyarrow.compute as pc

    from .parallel import available_cores

    def trim(i: int):
        column, columns[i] = columns[i], None
        longest, edged = _edges(column)
        if longest > MAX_FIELD_CHARS:  # bytes >= characters: exact below
            longer = pc.greater(pc.utf8_length(column), MAX_FIELD_CHARS)
            if pc.any(longer).as_py():
                raise _TooLong(i, pc.index(longer, True).as_py())
        if not edged:
            return column.combine_chunks()
        if names[i] == "summary":  # kept as typed: only a value of nothing but spaces is blank
            values, blank = column, pc.utf8_is_space(column)  # (an empty value is null already)
        else:
            values = pc.utf8_trim_whitespace(column)
            blank = pc.equal(values, "")
        if pc.any(blank).as_py():  # (if_else copies the column: only when a value is all spaces)
            values = pc.if_else(blank, pa.scalar(None, values.type), values)
        return values.combine_chunks()

    with ThreadPoolExecutor(available_cores()) as pool:  # numpy and pyarrow's kernels release the GIL
        return list(pool.map(trim, range(len(columns))))


def _edges(column) -> tuple[int, bool]:
    """The longest value of a pyarrow string column in bytes, and whether any value may start or end with
    whitespace: its first or last byte is ASCII whitespace, a control, or part of a character beyond ASCII.
    Read from the column's offsets and bytes with numpy, without building a value."""
    import numpy as np
    import pyarrow as pa

    longest, edged = 0, False
    for chunk in column.chunks:
        if not len(chunk):
            continue
        width = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
        offsets = np.frombuffer(chunk.buffers()[1], width)[chunk.offset : chunk.offset + len(chunk) + 1]
        lengths = np.diff(offsets)
        longest = max(longest, int(lengths.max()))
        data = chunk.buffers()[2]
        if edged or data is None or not longest:
            continue
        octets = np.frombuffer(data, np.uint8)
        filled = lengths > 0  # (a null or empty value has no bytes)
        first, last = octets[offsets[:-1][filled]], octets[offsets[1:][filled] - 1]
        edged = bool(((first <= 0x20) | (first >= 0x7F) | (last <= 0x20) | (last >= 0x7F)).any())
    return longest, edged


def too_long(path: Path, row: int, column: str | None = None) -> InputError:
    """The error for a CSV value longer than MAX_FIELD_CHARS, at ``row`` (and ``column``, where known)."""
    where = f"row {row}, column {column}" if column else f"row {row}"
    return InputError(
        f"{where}: a value longer than {MAX_FIELD_CHARS:,} characters (the limit on one CSV value); probably"
        ' a quote (") that opens a value and never closes. Check the quotes on that row',
        path,
    )


class _TooLong(Exception):
    """Raised by the fast reader: the first value longer than MAX_FIELD_CHARS, by column and row offset."""

    def __init__(self, column: int, offset: int):
        self.column, self.offset = column, offset


def _clip(text: str, keep: int = 100) -> str:
    """A long row shortened in the middle: its start names the record, its end shows the stray cells."""
    return text if len(text) <= 2 * keep + 3 else f"{text[:keep]} … {text[-keep:]}"


def _records(body: str, first_row: int, path: Path):
    """(row, cells) for each record; a value the reader cannot take is an InputError naming its row."""
    reader = csv.reader(io.StringIO(body, newline=""))
    row = first_row
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            if "field limit" in str(exc):
                raise too_long(path, row) from None
            raise InputError(f"row {row} cannot be read as CSV ({exc})", path) from None
        yield row, cells
        row += 1


def _parse_body_exact(
    body: str, names: list[str], first_row: int, path: Path
) -> tuple[pd.DataFrame, list[StructuralProblem]]:
    """The standard library's reader, row by row: exact row numbers for ragged rows."""
    width = len(names)
    rows, index, problems = [], [], []
    for row, cells in _records(body, first_row, path):
        if not cells or all(not c.strip() for c in cells):
            continue  # a blank row
        if len(cells) != width:
            problems.append(
                StructuralProblem(
                    row,
                    f"row has {len(cells)} values but the header has {width} columns"
                    " (an unquoted comma, or a missing value?)",
                    _clip(",".join(cells)),
                )
            )
            cells = (cells + [""] * width)[:width]
        rows.append([c if c != "" else None for c in cells])
        index.append(row)
    frame = (
        pd.DataFrame(rows, columns=names, index=index, dtype="str")
        if rows
        else pd.DataFrame({n: pd.Series([], dtype="str") for n in names})
    )
    return frame, problems


# --- Excel ---------------------------------------------------------------------


def _cell_text(value: object) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    # a date cell is shown as a UK spreadsheet shows it (and parsed day-first, unambiguously)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.strftime("%d/%m/%Y")
        return value.strftime("%d/%m/%Y %H:%M:%S")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return str(value).strip() or None


#: The most cells of a sheet read: its used area, from A1 to the last row and column holding a value (a
#: national year of a million records of 22 columns fits). The reader holds that whole rectangle, so one stray
#: value far from the records (XFD1048576) would need hundreds of gigabytes: such a sheet is refused.
MAX_CELLS = 25_000_000
#: A cell as Excel writes it, its reference first: the quick pass reads the column and the row of these.
_CELL_COLUMN = re.compile(rb'<c r="([A-Z]{1,3})[0-9]{1,7}"')
_CELL_ROW = re.compile(rb'<c r="[A-Z]{1,3}([0-9]{1,7})"')
#: A tag starting "<c" that is not a cell: <col>, <cols>, <cfRule>, <conditionalFormatting>, <c:chart> ...
_NOT_CELL = re.compile(rb"<c[\w.:-]")
#: A cell tag with a namespace prefix (any, ASCII or not), which the reader takes as a cell too.
_PREFIXED_CELL = re.compile(rb"<[^\s<>/:]+:c[\s/>]")
#: A cell spelled as Excel writes it but with a second reference (the reader takes the last).
_SECOND_REFERENCE = re.compile(rb'<c r="[^"]*"[^>]*\sr\s*=')
#: Every row and cell tag, however spelled: a quoted attribute value may hold ">".
_TAG = re.compile(rb"""<(/?)(?:[^\s<>/:]+:)?(row|c)(?=[\s/>])((?:[^>"']|"[^"]*"|'[^']*')*?)(/?)>""")
#: An attribute and its value; a tag's reference is its last ``r``.
_ATTRIBUTE = re.compile(rb"""([^\s=]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_PLACE = re.compile(rb"([A-Za-z]{0,3})0*([0-9]{1,12})")
_COMMENT = re.compile(rb"<!--.*?-->|<\?.*?\?>", re.S)


def _sheet_parts(archive, index: int) -> list[str]:
    """The path inside the workbook of its ``index``-th sheet's XML, from the workbook's relationships; every
    worksheet part when they do not name it (the reader may still find one)."""
    import posixpath
    from xml.etree import ElementTree

    ns = {
        "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
        "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
        "p": "http://schemas.openxmlformats.org/package/2006/relationships",
    }
    try:
        sheets = ElementTree.fromstring(archive.read("xl/workbook.xml")).findall("m:sheets/m:sheet", ns)
        rid = sheets[index].get(f"{{{ns['r']}}}id")
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels")).findall("p:Relationship", ns)
    except (KeyError, IndexError, SyntaxError):
        rels, rid = [], None
    for rel in rels:
        if rel.get("Id") == rid:
            target = rel.get("Target", "")
            part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
            if part in archive.namelist():
                return [part]
    return [name for name in archive.namelist() if name.startswith("xl/worksheets/") and name.endswith(".xml")]


def _check_extent(data: bytes, sheet_name: str, index: int, path: Path) -> None:
    """Refuse a sheet whose used area is over MAX_CELLS, naming its farthest cell, before it is loaded. The
    sheet's XML is read in pieces, so the cost follows the file's size, not the area it claims: a quick pass
    over cells spelled as Excel writes them, and a pass tag by tag, placing cells as the reader does, when a
    cell is spelled otherwise or the quick bound (which counts cells of formatting alone) is over the limit."""
    import zipfile
    import zlib

    last_row, last_col = 0, 0
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for part in _sheet_parts(archive, index):
                with archive.open(part) as stream:
                    rows, cols = _quick_extent(stream)
                if rows is None or rows * cols > MAX_CELLS:  # look again, cell by cell
                    with archive.open(part) as stream:
                        rows, cols = _extent(stream)
                last_row, last_col = max(last_row, rows), max(last_col, cols)
    except (KeyError, EOFError, OSError, zipfile.BadZipFile, zlib.error):
        return  # not laid out as expected: calamine reads it, or says why it cannot
    if last_row * last_col > MAX_CELLS:
        far = f"{column_letter(last_col - 1)}{last_row}"
        raise InputError(
            f"sheet {sheet_name!r} has values as far as cell {far}: {last_row:,} rows by {last_col:,} columns is"
            f" more than the {MAX_CELLS:,} cells read. Delete the stray cells beyond the records (Ctrl+End in"
            " Excel finds the last one) and save again",
            path,
        )


def _pieces(stream):
    """A sheet's XML in pieces of 4 MB or more, each ending before a tag or comment a boundary would cut."""
    tail = b""
    while chunk := stream.read(1 << 22):
        chunk = tail + chunk
        cut = chunk.rfind(b"<")
        opened = chunk.rfind(b"<!--")
        if opened > chunk.rfind(b"-->"):  # a comment still open: it goes whole into the next piece
            cut = opened
        if cut <= 0:  # a single tag or comment so far: read on to its end
            tail = chunk
            continue
        yield chunk[:cut]
        tail = chunk[cut:]
    if tail:
        yield tail


def _quick_extent(stream) -> tuple[int | None, int]:
    """At least the last row and column holding a value (a cell of formatting alone counts here), read from
    cells spelled as Excel writes them; (None, 0) when a cell is spelled otherwise."""
    last_row, last_col = 0, 0
    for piece in _pieces(stream):
        columns = _CELL_COLUMN.findall(piece)
        cells = piece.count(b"<c") - len(_NOT_CELL.findall(piece))
        if (
            cells != len(columns)
            or (b":c" in piece and _PREFIXED_CELL.search(piece))
            or b"<!--" in piece
            or _SECOND_REFERENCE.search(piece)
        ):
            return None, 0
        if columns:
            last_col = max(last_col, max(map(_column_number, set(columns))))
            last_row = max(last_row, max(map(int, _CELL_ROW.findall(piece))))
    return last_row, last_col


def _extent(stream) -> tuple[int, int]:
    """The last row and column holding a value, placing each cell as the reader does: by its reference (its
    last ``r``) in any spelling, else in its row after the cell before it. A row without a reference follows
    the row before it; a cell's reference places that cell alone, not the rows after it."""
    last_row, last_col, row, col = 0, 0, 0, 0
    for piece in _pieces(stream):
        for closing, name, attributes, empty in _TAG.findall(_COMMENT.sub(b"", piece)):
            if closing:
                continue
            references = [a[1] or a[2] for a in _ATTRIBUTE.findall(attributes) if a[0] == b"r"]
            place = _PLACE.fullmatch(references[-1]) if references else None
            if name == b"row":
                row, col = (int(place.group(2)) if place else row + 1), 0
                continue
            at_row = row
            if place and place.group(1):
                at_row, col = int(place.group(2)), _column_number(place.group(1).upper())
            else:
                col += 1
            if not empty:
                last_row, last_col = max(last_row, at_row), max(last_col, col)
    return last_row, last_col


def _column_number(letters: bytes) -> int:
    """1 for A, 27 for AA, 16,384 for XFD."""
    n = 0
    for b in letters:
        n = n * 26 + b - 64
    return n


def _read_xlsx(path: Path, data: bytes, kind: ExportKind, aliases, sheet: str | None, digest) -> Export:
    import python_calamine as pc

    try:
        book = pc.CalamineWorkbook.from_filelike(io.BytesIO(data))
        names_ = book.sheet_names
        if not names_:
            raise InputError("is an Excel workbook with no sheets", path)
        if sheet is not None and sheet not in names_:
            raise InputError(f"has no sheet named {sheet!r} (sheets: {', '.join(names_)})", path)
        sheet_name = sheet or names_[0]
        _check_extent(data, sheet_name, names_.index(sheet_name), path)
        cells = book.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)
    except InputError:
        raise
    except Exception as exc:  # calamine's own errors: corrupt XML, password, etc.
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(f"is not a readable Excel workbook ({reason})", path) from None
    rows = [[_cell_text(v) for v in r] for r in cells]
    while rows and all(v is None for v in rows[-1]):
        rows.pop()
    if not rows:
        raise InputError(f"sheet {sheet_name!r} is empty", path)
    mapping = _alias_map(kind, aliases)
    head = [[c or "" for c in r] for r in rows[: MAX_TITLE_LINES + 1]]
    h = _find_header(head, kind, mapping, path)
    header = head[h]
    while header and header[-1] == "" and len(header) > 1:
        header = header[:-1]
    names, letters = _columns(header, mapping, path, kind)
    width = len(names)
    # a blank row is skipped, as in a CSV; the others keep their spreadsheet row
    body, index = [], []
    for row, r in enumerate(rows[h + 1 :], start=h + 2):
        if any(v is not None for v in r):
            body.append((r + [None] * width)[:width])
            index.append(row)
    frame = (
        pd.DataFrame(body, columns=names, index=index, dtype="str")
        if body
        else pd.DataFrame({n: pd.Series([], dtype="str") for n in names})
    )
    source = SourceFile(
        path=str(path),
        sha256=digest.result(),
        format="xlsx",
        sheet=sheet_name,
        title_lines=[" ".join(c for c in r if c) for r in head[:h]],
        header_row=h + 1,
    )
    return _finish(kind, source, frame, letters, [])


# --- common ----------------------------------------------------------------------


def _finish(kind, source, frame, letters, problems, *, trimmed: bool = False) -> Export:
    """Trim values (unless the reader did), drop blank rows, and wrap the frame up as an Export.

    Surrounding spaces are never meaningful in these exports, except in the
    free-text Summary, which is kept as typed (a blank one is missing).
    """
    if not trimmed:
        for col in frame.columns:
            values = frame[col] if col == "summary" else frame[col].str.strip()
            frame[col] = values.mask(values.str.strip() == "" if col == "summary" else values == "")
    blank_rows = frame.isna().all(axis=1)
    if blank_rows.any():  # (dropna would copy every column even when no row is blank)
        frame = frame[~blank_rows]
    source.rows = len(frame)
    if source.rows == 0:
        raise InputError(f"has a header but no records (header on row {source.header_row})", source.path)
    return Export(
        kind=kind,
        source=source,
        text=frame,
        letters=letters,
        extraction_date=_extraction_date(source.title_lines),
        problems=problems,
    )


def read_export(
    path: str | Path,
    kind: str | ExportKind = "disruptions",
    *,
    sheet: str | None = None,
    aliases: dict[str, list[str]] | None = None,
    data: bytes | None = None,
) -> Export:
    """Read one export file. Never modifies the file; raises InputError when unusable.

    ``data``: the file's bytes, when the caller has read them already (else they are the ones read ahead by
    :mod:`disruption_qa.prefetch`, or read now)."""
    from concurrent.futures import ThreadPoolExecutor

    from . import prefetch

    kind = EXPORT_KINDS[kind] if isinstance(kind, str) else kind
    path = Path(path)
    data, digest = (data, None) if data is not None else prefetch.take(path) or (_read_bytes(path), None)
    fmt = _sniff(data, path)
    with ThreadPoolExecutor(1) as hasher:  # the file's SHA-256 on another core while it is parsed
        digest = digest or hasher.submit(lambda: hashlib.sha256(data).hexdigest())
        if fmt == "xlsx":
            return _read_xlsx(path, data, kind, aliases, sheet, digest)
        return _read_csv(path, data, kind, aliases, digest)


# --- typing ----------------------------------------------------------------------


def typed_frame(
    export: Export, values: dict[str, dict[str, str]] | None = None, notes: list[dict] | None = None
) -> pd.DataFrame:
    """The export's values typed for rules and checks.

    Dates become ``datetime64`` (NaT when blank or unparseable; a column holding only Excel serial numbers is
    read as such), numbers become floats (NaN likewise), and vocabulary values take the contract's spelling
    when they differ only in case, or the contract value the config's ``values`` maps them to (column name ->
    export value, compared in any case and spacing -> contract value). Unknown values are left as they are, for
    the schema to report. What was read otherwise than as written is added to ``notes``: each serial-number
    column (``{"file", "column", "read_as": "Excel serial numbers"}``) and each mapping used (``{"file",
    "column", "from", "to", "rows"}``).
    """
    from concurrent.futures import ThreadPoolExecutor

    from .parallel import available_cores

    frame = export.text.copy(deep=False)  # columns are replaced, never changed in place
    notes = notes if notes is not None else []
    columns = [col for col in export.kind.columns if col.key in frame.columns]
    # a column at a time, on every core: pyarrow's kernels (the hashing of each column's values) release the GIL
    with ThreadPoolExecutor(available_cores()) as pool:
        typed = list(
            pool.map(lambda col: _typed_column(col, frame[col.key], values or {}, export.source.path), columns)
        )
    for col, (values_typed, column_notes) in zip(columns, typed):
        if values_typed is not None:
            frame[col.key] = values_typed
        notes += column_notes
    return frame


def _typed_column(col, column: pd.Series, values: dict, path: str) -> tuple[pd.Series | None, list[dict]]:
    """One column of :func:`typed_frame`: its typed values (None when they stay as read) and its notes."""
    if col.kind == "date":
        parsed, serial = parse_date_column(column)
        return parsed, [{"file": path, "column": col.name, "read_as": "Excel serial numbers"}] if serial else []
    if col.kind == "number":
        return pd.to_numeric(column, errors="coerce"), []
    if not (col.values or (col.organisation and values.get(col.name))):  # organisations: mapped only
        return None, []
    spelling = {v.lower(): v for v in col.values or ()}
    mapped = values.get(col.name, {})
    fix = {}
    for u in column.dropna().unique():
        to = mapped.get(value_key(u))
        if to is not None and to != u:
            fix[u] = to
        elif u.lower() in spelling and spelling[u.lower()] != u:
            fix[u] = spelling[u.lower()]
    if not fix:
        return None, []
    notes = []
    if mapped:
        counts = column.value_counts()
        notes = [
            {"file": path, "column": col.name, "from": u, "to": fix[u], "rows": int(counts[u])}
            for u in sorted(fix)
            if value_key(u) in mapped
        ]
    return column.replace(fix), notes


def value_key(value: str) -> str:
    """How a value is compared with a config's value mappings: any case, spaces trimmed and runs of them one."""
    return " ".join(str(value).split()).casefold()
