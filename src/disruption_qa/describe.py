"""What an export needs before it can be checked: ``disruption-qa describe``.

A force's export may name columns, write codes and dates otherwise than the
contract. :func:`describe` reads a file as far as it can and says, per column
of the contract, how it was matched (exactly, by an alias of the config, or a
header suggested by its similarity); per column with a list of values, the
values outside it with their counts and the value each most likely means; the
date formats found in each date column; the organisations not on the list;
and the title lines. :func:`proposed_config` turns that into a config for the
user to review (aliases, value mappings, organisations to declare), which
``check --config`` then reads the file with.

It computes; rendering is in ``render/describe.py``.
"""

from __future__ import annotations

import csv
import difflib
import itertools
import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd

from . import contract as c
from .config import Config
from .errors import InputError
from .reading import (
    MAX_TITLE_LINES,
    _cell_text,
    _decode,
    _read_bytes,
    _sniff,
    read_export,
    value_key,
)

#: How alike (difflib's ratio of the normalised names, 0 to 1) a header must be to a contract column's name to
#: be suggested for it.
HEADER_SIMILARITY = 0.6
#: How alike a value must be to a contract value to be suggested for it, when neither holds the other.
VALUE_SIMILARITY = 0.6
#: A value outside the list that is merely like a value on it (not a code for it) is proposed for mapping only
#: when at least this many records hold it: rarer ones are typing slips, better corrected in APMIS than mapped
#: (the config lists them as comments).
MAPPING_MIN_ROWS = 10
#: The date formats told apart, each a pattern of the whole text, in the order they are tried.
DATE_FORMATS = {
    "dd/mm/yyyy": r"\d{1,2}/\d{1,2}/\d{4}",
    "dd/mm/yyyy hh:mm": r"\d{1,2}/\d{1,2}/\d{4} \d{1,2}:\d{2}(:\d{2})?",
    "yyyy-mm-dd": r"\d{4}-\d{2}-\d{2}",
    "yyyy-mm-dd hh:mm": r"\d{4}-\d{2}-\d{2}[ T]\d{1,2}:\d{2}(:\d{2})?",
    "Excel serial number": r"\d{5}(\.\d+)?",
}


@dataclass
class ColumnMatch:
    """How one contract column was found in the file."""

    column: str  # the contract's name
    required: bool
    how: str  # exact | alias | suggested | missing
    header: str | None = None  # the file's header it was matched to
    similarity: float | None = None  # for a suggestion


@dataclass
class OutsideValue:
    """A value of a column with a list of values that is not on the list."""

    column: str
    value: str
    rows: int
    likely: str | None  # the value it most likely means, or None
    #: Whether it reads as a code for ``likely`` (it starts it, or holds it whole: ``PUR``, ``4P - Pursue``)
    #: rather than a value merely like it (``Persue``: a typing slip when rare).
    code: bool = False

    @property
    def slip(self) -> bool:
        """A typing slip, better corrected in APMIS than mapped: rare, like a value on the list, and not a code."""
        return not self.code and self.likely is not None and self.rows < MAPPING_MIN_ROWS


@dataclass
class Description:
    """What one file holds, against the contract."""

    file: str
    kind: str  # disruptions | threats
    title_lines: list[str]
    extraction_date: str | None
    header_row: int | None
    columns: list[ColumnMatch]
    extra_headers: list[str]  # the file's headers that match no contract column
    records: int | None = None
    values: list[OutsideValue] = field(default_factory=list)
    dates: dict[str, dict[str, int]] = field(default_factory=dict)  # column -> format -> records
    unknown_organisations: list[OutsideValue] = field(default_factory=list)
    #: Why the file could not be read even with the suggested headers (None when it could).
    problem: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)


def describe(path: str | Path, kind: str = "disruptions", *, sheet: str | None = None, config: Config | None = None):
    """Describe one export file (``kind``: disruptions or threats) against the contract."""
    config = config or Config()
    export_kind = c.EXPORT_KINDS[kind]
    path = Path(path)
    data = _read_bytes(path)  # read once: its first rows here, then the whole export
    rows = _head_rows(path, data, sheet)
    h = _header_row(rows, export_kind, config.aliases.get(kind, {}))
    header = [cell for cell in rows[h] if cell] if rows else []
    columns, extra = match_columns(header, export_kind, config.aliases.get(kind, {}))
    out = Description(
        file=str(path),
        kind=kind,
        title_lines=[" ".join(cell for cell in row if cell).strip() for row in rows[:h]],
        extraction_date=None,
        header_row=h + 1 if rows else None,
        columns=columns,
        extra_headers=extra,
    )
    aliases = {m.column: [m.header] for m in columns if m.how in ("alias", "suggested")}
    with c.extra_organisations(config.organisations):
        try:
            export = read_export(path, export_kind, sheet=sheet, aliases=aliases, data=data)
        except InputError as exc:
            out.problem = exc.detail
            return out
        out.records = export.source.rows
        out.extraction_date = export.extraction_date.isoformat() if export.extraction_date else None
        known = set(c.organisation_names())
        for col in export_kind.columns:
            if col.key not in export.text.columns:
                continue
            values = export.text[col.key]
            if col.kind == "date":
                out.dates[col.name] = date_formats(values)
            elif col.values:
                out.values += outside(col, values, config.values.get(col.name, {}))
            elif col.organisation:
                out.unknown_organisations += unknown_organisations(col, values, known, config.values.get(col.name, {}))
    return out


#: Where ``str.splitlines`` ends a line.
_LINE_BREAK = re.compile("\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")


def _head_rows(path: Path, data: bytes, sheet: str | None) -> list[list[str]]:
    """The file's first rows, as text cells (the title lines and the header are among them)."""
    if _sniff(data, path) == "xlsx":
        import io

        import python_calamine as pc

        try:
            book = pc.CalamineWorkbook.from_filelike(io.BytesIO(data))
            name = sheet or book.sheet_names[0]
            cells = book.get_sheet_by_name(name).to_python(skip_empty_area=False, nrows=MAX_TITLE_LINES + 1)
        except Exception as exc:  # calamine's own errors (corrupt XML, a password ...), in one line
            raise InputError(f"is not a readable Excel workbook ({str(exc).splitlines()[0]})", path) from None
        return [[_cell_text(v) or "" for v in row] for row in cells]
    text, _ = _decode(data, path)  # the whole file, so that one which is not text is refused here, as before
    breaks = list(itertools.islice(_LINE_BREAK.finditer(text), MAX_TITLE_LINES + 1))  # only the first lines split
    lines = (text[: breaks[-1].end()] if breaks else text).splitlines()[: MAX_TITLE_LINES + 1]
    return [list(row) for row in csv.reader(lines)]


def _normal(name: str) -> str:
    return c.normalise_header(name)


def _header_row(rows: list[list[str]], kind: c.ExportKind, aliases: dict[str, list[str]]) -> int:
    """The row most like a header: the most cells matching a contract column exactly or closely."""

    def score(row: list[str]) -> float:
        columns, _ = match_columns([cell for cell in row if cell], kind, aliases)
        return sum(1.0 if m.how in ("exact", "alias") else 0.5 for m in columns if m.how != "missing")

    return max(range(len(rows)), key=lambda i: (score(rows[i]), -i)) if rows else 0


def match_columns(
    header: list[str], kind: c.ExportKind, aliases: dict[str, list[str]]
) -> tuple[list[ColumnMatch], list[str]]:
    """Each contract column matched to a header: exactly (names compared as the reader compares them), by a
    config alias, or suggested (the most alike header left, at least HEADER_SIMILARITY alike, each header used
    once, the most alike pairs first); and the headers left over."""
    left = {_normal(h): h for h in header if h}
    found: dict[str, ColumnMatch] = {}
    for col in kind.columns:
        for how, names in (("exact", [col.name, col.key]), ("alias", aliases.get(col.name, []))):
            hit = next((left[_normal(n)] for n in names if _normal(n) in left), None)
            if hit is not None:
                found[col.name] = ColumnMatch(col.name, col.required, how, hit)
                del left[_normal(hit)]
                break
    pairs = sorted(
        (
            (header_similarity(col.name, left[norm]), col.name, norm)
            for col in kind.columns
            if col.name not in found
            for norm in left
        ),
        reverse=True,
    )
    for ratio, name, norm in pairs:
        if ratio < HEADER_SIMILARITY:
            break
        if name in found or norm not in left:
            continue
        col = next(col for col in kind.columns if col.name == name)
        found[name] = ColumnMatch(name, col.required, "suggested", left.pop(norm), round(ratio, 2))
    columns = [found.get(col.name) or ColumnMatch(col.name, col.required, "missing") for col in kind.columns]
    return columns, list(left.values())


#: Words a header may hold that tell nothing (``Date of Disruption``).
FILLER_WORDS = {"of", "the", "a", "an", "no", "number"}


def header_similarity(name: str, header: str) -> float:
    """How alike a contract column's name and a header are, 0 to 1: their letters compared as written, and their
    words compared in any order (``Date of Disruption`` is ``Disruption Date``), whichever is closer."""

    def words(text: str) -> str:
        found = re.findall(r"[a-z0-9]+", text.casefold())
        return " ".join(sorted(w for w in found if w not in FILLER_WORDS))

    as_written = difflib.SequenceMatcher(None, _normal(name), _normal(header)).ratio()
    any_order = difflib.SequenceMatcher(None, words(name), words(header)).ratio()
    return max(as_written, any_order)


def likely_value(value: str, choices: tuple[str, ...] | list[str]) -> str | None:
    """The value on ``choices`` that ``value`` most likely means: the one it starts or holds whole
    (``4P - Pursue``, ``PUR`` and ``Lead`` mean Pursue, Pursue and Lead Disruption), else the most alike."""
    return _likely(value, choices)[0]


def _likely(value: str, choices: tuple[str, ...] | list[str]) -> tuple[str | None, bool]:
    """:func:`likely_value`, and whether ``value`` reads as a code for it (starts it or holds it whole)."""
    mine = re.sub(r"[^a-z0-9]", "", value.casefold())
    if not mine:
        return None, False
    theirs = {choice: re.sub(r"[^a-z0-9]", "", choice.casefold()) for choice in choices}
    starts = [ch for ch, t in theirs.items() if t.startswith(mine) or (len(t) >= 4 and t in mine)]
    if len(starts) == 1:
        return starts[0], True
    by_case = {ch.casefold(): ch for ch in choices}
    close = difflib.get_close_matches(value.casefold(), by_case, n=1, cutoff=VALUE_SIMILARITY)
    return (by_case[close[0]], False) if close else (None, False)


def outside(col: c.Column, values: pd.Series, mapped: dict[str, str]) -> list[OutsideValue]:
    """The values of ``col`` neither on its list (in any case) nor mapped by the config, with their counts."""
    on_list = {v.casefold() for v in col.values}
    counts = values.value_counts()
    return [
        OutsideValue(col.name, str(v), int(n), *_likely(str(v), col.values))
        for v, n in counts.items()
        if str(v).casefold() not in on_list and value_key(v) not in mapped
    ]


def unknown_organisations(
    col: c.Column, values: pd.Series, known: set[str], mapped: dict[str, str]
) -> list[OutsideValue]:
    """The organisations of ``col`` not on the list (nor mapped by the config), each with the one it most likely
    means (a misspelling), or None (an organisation to declare)."""
    from .validation import suggest_organisation

    counts = values.value_counts()
    return [
        OutsideValue(col.name, str(v), int(n), suggest_organisation(str(v)))
        for v, n in counts.items()
        if v not in known and value_key(v) not in mapped
    ]


def date_formats(values: pd.Series) -> dict[str, int]:
    """How many records of a date column are written in each of DATE_FORMATS, and in none (``other``)."""
    counts = values.value_counts()
    out: dict[str, int] = {}
    for text, n in counts.items():
        name = next((f for f, pattern in DATE_FORMATS.items() if re.fullmatch(pattern, str(text).strip())), "other")
        out[name] = out.get(name, 0) + int(n)
    return dict(sorted(out.items(), key=lambda kv: -kv[1]))


#: The columns naming organisations.
ORGANISATION_COLUMNS = {col.name for kind in c.EXPORT_KINDS.values() for col in kind.columns if col.organisation}


def _kind_of_organisation(name: str) -> str:
    lower = name.lower()
    if "regional organised crime unit" in lower or re.search(r"\brocu\b", lower):
        return "rocu"
    if re.search(r"\b(police|constabulary)\b", lower):
        return "force"
    return "agency"


def _toml(text: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's: quotes, backslashes and control characters)."""
    return json.dumps(text, ensure_ascii=False)


def proposed_config(descriptions: list[Description], config: Config | None = None) -> str:
    """A config that reads the described files: the suggested headers as aliases, the values outside the lists
    mapped to the value each most likely means, misspelt organisations mapped to theirs, unknown ones declared
    (kind guessed from the name, region to fill in), with what the ``config`` they were described with already
    said of them (its aliases, mappings and organisations). Commented, for the user to review."""
    config = config or Config()
    lines = [
        "# Proposed by `disruption-qa describe`: review every line before use (pass it with --config).",
        "# Nothing here is certain: each suggestion is the most likely reading of your export.",
        "",
    ]
    for d in descriptions:
        named = [m for m in d.columns if m.how in ("alias", "suggested")]
        if named:
            lines.append(f"[columns.{d.kind}]  # {d.file}")
            for m in named:
                said = "the config's alias" if m.how == "alias" else f"similarity {m.similarity:.2f}"
                lines.append(f"{_toml(m.column)} = {_toml(m.header)}  # {said}")
            lines.append("")
        for m in d.columns:
            if m.how == "missing":
                lines.append(f"# {d.kind}: no column found for {m.column}" + (" (required)" if m.required else ""))
    mappings: dict[str, list[OutsideValue]] = {}
    kept: dict[str, list[tuple[str, str]]] = {}
    declare: dict[str, OutsideValue] = {}
    for d in descriptions:
        for v in d.values + d.unknown_organisations:
            if v.slip:
                meant = f", meant {_toml(v.likely)}?" if v.likely else ""
                lines.append(
                    f"# {v.column}: {_toml(v.value)} in {v.rows} record(s){meant} a typing slip: correct it in APMIS"
                )
            elif v.likely is not None:
                mappings.setdefault(v.column, []).append(v)
            elif v.column in ORGANISATION_COLUMNS:
                declare.setdefault(v.value, v)
            else:
                lines.append(f"# {v.column}: no value on the list looks like {_toml(v.value)} ({v.rows} records)")
    for column, mapped in config.values.items():  # the config's own mappings, kept
        mappings.setdefault(column, [])
        kept[column] = list(mapped.items())
    for column, found in mappings.items():
        lines += [""] if lines[-1] else []
        lines.append(f"[values.{_toml(column)}]")
        seen = set()
        for source, target in kept.get(column, []):
            seen.add(source)
            lines.append(f"{_toml(source)} = {_toml(target)}  # the config's mapping")
        for v in found:
            if value_key(v.value) in seen:
                continue
            seen.add(value_key(v.value))
            lines.append(f"{_toml(v.value)} = {_toml(v.likely)}  # {v.rows} records")
    for org in config.organisations:  # the config's own, kept
        lines += [""] if lines[-1] else []
        lines += ["[[organisations]]  # the config's", f"name = {_toml(org.name)}", f"kind = {_toml(org.kind)}"]
        lines.append(f"region = {_toml(org.region)}")
    for name, v in declare.items():
        lines += [""] if lines[-1] else []
        lines += [
            "[[organisations]]  # not on the shipped list: check the kind and fill in the region",
            f"name = {_toml(name)}  # {v.rows} records",
            f"kind = {_toml(_kind_of_organisation(name))}  # force, rocu or agency",
            'region = "Unassigned"',
        ]
    serial = [
        (d.file, col) for d in descriptions for col, formats in d.dates.items() if "Excel serial number" in formats
    ]
    for file, col in serial:
        lines.append(f"# {col} in {file}: Excel serial numbers, read as dates when the whole column is.")
    return "\n".join(lines).rstrip() + "\n"
