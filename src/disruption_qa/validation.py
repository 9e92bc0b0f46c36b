"""Validation: run the schemas lazily and say every failure in the user's terms.

pandera gathers every failure into one ``failure_cases`` frame (check, column,
index). This module turns each into an :class:`~disruption_qa.results.Issue` naming the file,
the spreadsheet row (the frame's index), the Excel cell, the record's ID, the
column as the contract spells it, the rule in plain English and the offending
value as it stands in the file. It is the one place that translation happens.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import difflib
import functools
import os
import re
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from . import contract as c
from .dates import format_date, implausible_year
from .errors import InputError
from .reading import Export, typed_frame
from .results import Issue, ValidationResult

if TYPE_CHECKING:
    from collections.abc import Iterator

    from .parallel import Pool, Ready


@dataclass(frozen=True)
class Rule:
    """A contract rule: its stable code (never reused: the history keys problem records by it) and its name in
    plain English (what reports and fixes.csv show)."""

    code: str
    text: str


#: The contract's rules, by the name the schema gives each check.
RULES = {
    "required": Rule("V-REQUIRED", "required value"),
    "unique": Rule("V-UNIQUE", "unique ID"),
    "allowed": Rule("V-VOCAB", "allowed values"),
    "organisation": Rule("V-ORG", "known organisation"),
    "date": Rule("V-DATE", "valid date"),
    "number": Rule("V-NUMBER", "valid number"),
    "not_negative": Rule("V-NEGATIVE", "not negative"),
    "record_before_disruption": Rule("V-RECORD-BEFORE-DISRUPTION", "recorded on or after the disruption"),
    "after_extraction": Rule("V-AFTER-EXTRACTION", "not after the extraction date"),
    "support_needs_supported": Rule("V-SUPPORTED-ORG", "support disruptions name the supported organisation"),
    "closed_needs_date": Rule("V-CLOSED-DATE", "closed threats have a Closed Date"),
    "closed_before_created": Rule("V-CLOSED-BEFORE-CREATED", "closed on or after creation"),
    "row_shape": Rule("V-ROW-SHAPE", "well-formed row"),
    "control_character": Rule("V-CONTROL-CHARACTER", "no control characters"),
}

#: A rule's stable code by its plain-English name (for stores and files written before codes existed).
CODE_OF_TEXT = {rule.text: rule.code for rule in RULES.values()}


#: How many other rows a duplicate ID's message lists before "and N more".
DUPLICATE_ROWS_LISTED = 5


@dataclass
class Validation:
    """An extraction being validated: its exports, their typed frames for the checks, and the problems found
    (:meth:`result` gives them as the results model)."""

    exports: list[Export]
    extraction_date: dt.date | None
    extraction_date_source: str
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)  # kind -> typed frame
    #: What was read otherwise than as written: Excel serial-number date columns, the config's value mappings used
    #: (see ``reading.typed_frame``).
    reading: list[dict] = field(default_factory=list)
    #: The issues once known, or the schema run going on beside the checks (``Pool.alongside``, ``Pool.beside``).
    pending: object = field(default=None, repr=False)

    @property
    def issues(self) -> list[Issue]:
        """Every problem found, file by file and row by row (waiting for the schema run if it is still going on)."""
        if not isinstance(self.pending, list):
            self.pending = self.pending.result() if self.pending is not None else []
        return self.pending

    @property
    def files(self) -> list[dict]:
        return [e.source.to_dict() for e in self.exports]

    def result(self) -> ValidationResult:
        """What was found, as the results model (waiting for the schema run if need be)."""
        kinds = {e.source.path: e.kind.key for e in self.exports}
        return ValidationResult(
            self.files, self.extraction_date, self.extraction_date_source, self.issues, kinds, self.reading
        )


def resolve_extraction_date(disruptions: Export, threats: Export | None, given: dt.date | None, typed: pd.DataFrame):
    """The contract's order: a title line, else the user's date, else the latest Record Date."""
    for export in (disruptions, threats):
        if export is not None and export.extraction_date:
            return export.extraction_date, f"title line of {export.source.path}"
    if given:
        return given, "given by the user"
    latest = typed["record_date"].max()
    if pd.notna(latest):
        return latest.date(), "latest Record Date"
    return None, "unknown"


#: A rule failing on at least this many records and this share of them is the file's mistake, not the rows'.
WHOLE_COLUMN_ROWS, WHOLE_COLUMN_SHARE = 1000, 0.5


def _most(failing: int, count: int) -> bool:
    """Whether ``failing`` of ``count`` records is the whole column's failure (WHOLE_COLUMN_*)."""
    return failing >= max(WHOLE_COLUMN_ROWS, WHOLE_COLUMN_SHARE * count)


#: The rules a whole column can fail when a file is written otherwise than the contract says,
#: with what a failing value is not and what to do.
WHOLE_COLUMN_RULES = {
    "date": ("is not a date", "write dd/mm/yyyy or yyyy-mm-dd"),
    "allowed": ("is not on the contract's list", "check the column, or whether the export uses other codes"),
    "organisation": ("is not an organisation on the list", "check the column, or whether the export uses other codes"),
}


def _refuse_unreadable_columns(export: Export, typed: pd.DataFrame) -> None:
    """Raise an InputError when most of a large file's values in a column cannot be what the contract says.

    A date column in another format, or a vocabulary or organisation column in
    another coding (``PU`` for Pursue), would otherwise be a million
    row-by-row problems: no help to a user, and minutes of work. The test is
    the contract's rule itself, the one the schema runs.
    """
    for rule in export.kind.column_rules:
        if rule.name not in WHOLE_COLUMN_RULES or rule.column not in typed.columns:
            continue
        key, (want, hint) = rule.column, WHOLE_COLUMN_RULES[rule.name]
        wrong = ~rule.passes(typed[key], export.text[key])  # a blank cell keeps the rule
        failing, count = int(wrong.sum()), int(export.text[key].notna().sum())
        if _most(failing, count):
            example = export.text.loc[wrong, key].iloc[0]
            raise InputError(
                f"{export.kind.display(key)} (column {export.letters.get(key, '?')}) {want} on {failing:,} of"
                f" {count:,} records (such as {example!r}): {hint}",
                export.source.path,
            )


def _refuse_impossible_dates(export: Export, typed: pd.DataFrame, date: dt.date | None, source: str) -> None:
    """Raise an InputError when a date rule fails on most of a large file: an extraction date older
    than most Record Dates (a wrong title line or --extracted-on), or Disruption and Record Date swapped.
    The tests are the contract's rules (``after_extraction``, ``record_before_disruption``)."""
    dated = typed["record_date"].notna()
    count = int(dated.sum())
    if count < WHOLE_COLUMN_ROWS:
        return

    limit = pd.Timestamp(date) if date is not None else None

    def most(rule: str) -> int | None:
        """How many records fail a rule reported in the Record Date, when that is most of them."""
        failing = int((~export.kind.record_rule(rule, "record_date").passes(typed, limit)).sum())
        return failing if _most(failing, count) else None

    record = typed["record_date"]
    if date is not None and (failing := most("after_extraction")):
        where = {"given by the user": "--extracted-on"}.get(source, source)
        raise InputError(
            f"the extraction date {format_date(date)} ({where}) is before the Record Date of {failing:,} of {count:,}"
            f" records (the latest is {format_date(record.max())}): check the extraction date, or that this is the"
            " right file",
            export.source.path,
        )
    if failing := most("record_before_disruption"):
        letters = ", ".join(export.letters.get(k, "?") for k in ("disruption_date", "record_date"))
        raise InputError(
            f"the Record Date is before the Disruption Date on {failing:,} of {count:,} records (columns {letters},"
            f" header on row {export.source.header_row}): are the two columns swapped?",
            export.source.path,
        )


#: From this many disruption records, ``validate(..., pool=)`` sets the schema run aside for a spare core.
BACKGROUND_ROWS = 100_000

#: Below this size a disruptions file's schema run goes to a process made ready before the file is read (see
#: :func:`ready_for`): about 40,000 records at about 210 bytes a record. The frames it is then given are pickled
#: in this process: for a 6 MB file that still paid, for a 15 MB one it took as long as the pandera import it
#: saves (docs/performance.md, "Validation").
READY_BYTES = 8 << 20


def ready_for(disruptions, pool: Pool | None) -> Ready | None:
    """For a small extraction about to be read, a process forked now that imports pandera and builds the
    schemas meanwhile (:meth:`~disruption_qa.parallel.Pool.ready`): given to :func:`validate`, its schema run
    then starts with them ready. None for a large file (its schemas run beside the checks' workers), one that
    cannot be seen, or where the pool does not fork."""
    try:
        small = os.stat(disruptions).st_size < READY_BYTES
    except (OSError, TypeError, ValueError):
        return None
    return pool.ready(_prepare) if small and pool is not None else None


@contextlib.contextmanager
def prepared_meanwhile(pool: Pool | None) -> Iterator[None]:
    """Within: pandera imported and both schemas built (:func:`_prepare`) on a thread, when the schema run will
    be in this process (no ``pool``) and another core is free. The files are read within: pyarrow parses outside
    Python's lock, so the import, which would otherwise wait for the read and the typing, goes on beside them.
    (With a pool, the schema run goes to a forked process, made ready before the read for a small extraction:
    see :func:`validate`.) The thread has ended on leaving, before anything forks (a process forked while it
    held a module's import lock would wait for that lock for ever) and before the schemas are wanted
    (:func:`~disruption_qa.schemas.schema_for` builds each once, but two threads asking at once would both
    build it)."""
    from .parallel import available_cores

    if pool is not None or available_cores() < 2:
        yield
        return
    thread = threading.Thread(target=_prepare_quietly, name="prepare-schemas", daemon=True)
    thread.start()
    try:
        yield
    finally:
        thread.join()


def _prepare_quietly() -> None:
    with contextlib.suppress(Exception):  # the schema run imports and builds them again, and says what is wrong
        _prepare()


def _prepare() -> None:
    """What a schema run can do before the extraction is read: import pandera and build both schemas."""
    from .schemas import schema_for

    for kind in c.EXPORT_KINDS.values():
        schema_for(kind)


def validate(
    disruptions: Export,
    threats: Export | None = None,
    *,
    extracted_on: dt.date | None = None,
    pool: Pool | None = None,
    values: dict[str, dict[str, str]] | None = None,
    ready: Ready | None = None,
) -> Validation:
    """Validate an extraction lazily: every failure of every rule, in one pass.

    Given a ``pool``, the schemas run on a spare core while the caller goes on with the typed frames: a large
    extraction's are set aside for its next per-organisation work (the checks; see
    :meth:`disruption_qa.parallel.Pool.alongside`), a small one's start at once in a forked process
    (:meth:`~disruption_qa.parallel.Pool.beside`), or in the process ``ready`` (from :func:`ready_for`), which
    made pandera ready while the extraction was read. ``Validation.issues`` waits for them, or runs them, when
    first read.
    """
    reading: list[dict] = []  # the config's value mappings (``values``) used, and serial-number dates
    typed = {"disruptions": typed_frame(disruptions, values, reading)}
    if threats is not None:
        typed["threats"] = typed_frame(threats, values, reading)
    date, source = resolve_extraction_date(disruptions, threats, extracted_on, typed["disruptions"])
    for export in (disruptions, threats):
        if export is not None:
            _refuse_unreadable_columns(export, typed[export.kind.key])
    _refuse_impossible_dates(disruptions, typed["disruptions"], date, source)
    result = Validation(
        exports=[e for e in (disruptions, threats) if e is not None],
        extraction_date=date,
        extraction_date_source=source,
        frames=typed,
        reading=reading,
    )
    job = (result.exports, typed, date)
    if pool is None:
        result.pending = _issues(job)
    elif len(typed["disruptions"]) >= BACKGROUND_ROWS:
        result.pending = pool.alongside(_issues, job)
    elif ready is not None:  # a small run's checks stay in this process: its schemas go on beside them now
        result.pending = ready.beside(_issues, job)
    else:  # ... with pandera's import
        result.pending = pool.beside(_issues, job)
    return result


def _issues(job) -> list[Issue]:
    """Every structural and schema problem of the exports, in the order a user works through them:
    file by file, row by row, left to right."""
    exports, typed, date = job
    issues: list[Issue] = []
    for export in exports:
        issues.extend(_structural(export))
        issues.extend(_run_schema(export, typed[export.kind.key], date))
    files = [e.source.path for e in exports]
    position = {e.kind.key: {col.name: n for n, col in enumerate(e.kind.columns)} for e in exports}
    kind_of = {e.source.path: e.kind.key for e in exports}

    def order(issue: Issue):
        columns = position[kind_of[issue.file]]
        column = -1 if issue.column is None else columns.get(issue.column, len(columns))
        return (files.index(issue.file), issue.row, column, issue.column or "")

    issues.sort(key=order)
    owner = _owners(exports)
    for issue in issues:
        issue.organisation = owner(issue)
    return issues


def _owners(exports: list[Export]):
    """A function giving the organisation that owns a problem's row (its Recording or Owning Organisation),
    or None."""
    owner_of = {e.source.path: e.text.get(e.kind.owner_column, pd.Series(dtype="str")) for e in exports}

    def owner(issue: Issue) -> str | None:
        name = owner_of[issue.file].get(issue.row)
        return name if isinstance(name, str) else None

    return owner


def _structural(export: Export) -> list[Issue]:
    ids = export.text.get(export.kind.id_column, pd.Series(dtype="str"))
    issues = []
    for p in export.problems:
        record_id = ids.get(p.row)
        record_id = None if record_id is None or pd.isna(record_id) else str(record_id)
        issues.append(
            Issue(
                export.source.path,
                p.row,
                record_id,
                None,
                RULES["row_shape"].text,
                p.value,
                p.message,
                code=RULES["row_shape"].code,
            )
        )
    return issues


#: Words every organisation name shares; a suggestion is made on the rest ("Merseyside").
_GENERIC_WORDS = set(
    [
        "constabulary",
        "police",
        "service",
        "force",
        "regional",
        "organised",
        "crime",
        "unit",
        "special",
        "operations",
        "for",
        "the",
        "of",
        "and",
        "region",
    ]
)


def _distinctive(name: str) -> str:
    """The words that tell organisations apart; a misspelt generic word ("Constabularly") is generic too."""

    def generic(word: str) -> bool:
        return word in _GENERIC_WORDS or bool(difflib.get_close_matches(word, _GENERIC_WORDS, n=1, cutoff=0.8))

    return " ".join(w for w in name.lower().split() if not generic(w))


def suggest_organisation(value: str | None) -> str | None:
    """The organisation a misspelt name most likely means, or None.

    Matched on the whole name and on its distinctive words, so that
    ``Chesire Constabulary`` suggests Cheshire Constabulary and ``Merseyside
    Constabulary`` suggests Merseyside Police (not Derbyshire Constabulary).
    """
    if not value:
        return None
    best, best_score = None, (0.0, 0.0)
    value = re.sub(r"\brocu\b", "regional organised crime unit", value.lower())
    mine = _distinctive(value)
    for name in c.organisation_names():
        theirs = _distinctive(name)
        whole = difflib.SequenceMatcher(None, value, name.lower()).ratio()
        score = difflib.SequenceMatcher(None, mine, theirs).ratio() if mine and theirs else whole
        score = (score, whole)  # ties (West Midlands Police / ROCU) go to the closer whole name
        if score > best_score:
            best, best_score = name, score
    return best if best_score[0] >= 0.75 else None


def _rule_of(check: str) -> str:
    """The contract's rule a schema check runs: its name, before the colon of a wide check's."""
    return check.split(":", 1)[0]


def _run_schema(export: Export, typed: pd.DataFrame, extraction_date) -> list[Issue]:
    # pandera is imported here, not with the module: a large extraction is validated in a
    # forked process (see validate), and the main process never pays for the import
    import pandera.pandas as pa

    from .schemas import schema_for, validation_frame

    frame = validation_frame(typed, export.text, export.kind, extraction_date)
    schema = schema_for(export.kind)
    try:
        schema.validate(frame, lazy=True)
        return []
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    cases = cases[cases["index"].notna()][["check", "column", "index"]]
    # A wide check keeps one failure case (schemas.WIDE_CASES): its failing rows come from its own
    # mask, reported in the column named after the colon of its name.
    wide = cases["check"].str.contains(":", regex=False)
    failed = set(cases.loc[wide, "check"])
    rows = [
        pd.DataFrame(
            {
                "check": check.name,
                "column": check.name.split(":", 1)[1],
                "index": frame.index[~check(frame).check_output.to_numpy(dtype=bool)],
            }
        )
        for check in schema.checks
        if check.name in failed
    ]
    cases = pd.concat([cases[~wide], *rows], ignore_index=True).drop_duplicates(["check", "column", "index"])
    return _describe(export, typed, cases, extraction_date)


def _describe(export: Export, typed: pd.DataFrame, cases: pd.DataFrame, extraction_date) -> list[Issue]:
    kind, text = export.kind, export.text
    ids = text[kind.id_column] if kind.id_column in text else pd.Series(dtype="str")
    issues: list[Issue] = []
    suggestions: dict[str, str | None] = {}
    duplicates: dict[str, list[int]] = {}
    repeated = cases.loc[(cases["check"] == "unique") & (cases["column"] == kind.id_column), "index"]
    if len(repeated):  # pandera reports every row of a repeated ID: grouped here, not found again in the whole column
        dup = ids.loc[repeated.astype(int).to_numpy()]
        for value, rows in dup.groupby(dup, sort=False).groups.items():
            duplicates[value] = sorted(int(r) for r in rows)
    said: dict[tuple, str] = {}  # the message of a rule, column and value it depends on alone, worked out once
    cells, record_ids, positions = _cells(text, ids, cases)
    typed_at = _typed_at(typed)
    for (check, key, row), cell, record_id, position in zip(
        cases[["check", "column", "index"]].itertuples(index=False), cells, record_ids, positions
    ):
        row = int(row)
        rule = _rule_of(check)
        if rule == "required" and cell is not None:
            continue  # a value that does not parse: reported by the date/number rule
        value = cell
        name = kind.display(key)
        if rule in BY_VALUE:
            message = said.get((rule, key, value))
            if message is None:
                message = _message(rule, name, key, value, row, None, extraction_date, suggestions, duplicates, kind)
                said[rule, key, value] = message
        else:
            at = functools.partial(typed_at, position)
            message = _message(rule, name, key, value, row, at, extraction_date, suggestions, duplicates, kind)
        issues.append(
            Issue(
                file=export.source.path,
                row=row,
                record_id=record_id,
                column=name,
                rule=RULES[rule].text,
                value=value,
                message=message,
                cell=export.cell(key, row),
                code=RULES[rule].code,
            )
        )
    return issues


def _cells(text: pd.DataFrame, ids: pd.Series, cases: pd.DataFrame) -> tuple[list, list, np.ndarray]:
    """Each failure case's cell as text (None when blank, or when its column is not in the file), its record's
    ID and its row's position in the frame, taken a column at a time by position: a national file's failures
    number thousands, and looking each up by label costs more than the rest of their description."""
    rows = cases["index"].astype(int).to_numpy()
    at = text.index.get_indexer(rows)
    known = at >= 0
    cells: list = [None] * len(cases)
    columns = cases["column"].to_numpy()
    for key in pd.unique(columns):
        if key not in text.columns:
            continue
        _fill_texts(cells, np.flatnonzero((columns == key) & known), text[key], at)
    record_ids: list = [None] * len(cases)
    if len(ids):
        _fill_texts(record_ids, np.flatnonzero(known), ids, at)
    return cells, record_ids, at


def _fill_texts(into: list, where: np.ndarray, values: pd.Series, at: np.ndarray) -> None:
    """``into[i]`` for each ``i`` of ``where``: the value at position ``at[i]`` of ``values`` as text (None when
    blank)."""
    for i, v in zip(where, values.take(at[where]).to_numpy(dtype=object)):
        into[i] = None if pd.isna(v) else str(v)


def _typed_at(typed: pd.DataFrame):
    """``typed_at(position, column)``: a typed value by its row's position, each column's values taken out once
    (a lookup by label costs more than the rest of a message)."""
    arrays: dict[str, object] = {}

    def typed_at(position: int, column: str):
        if position < 0:  # (a row not in the frame; never from the frame's own failure cases)
            raise KeyError(f"no row at position {position}")
        if column not in arrays:
            arrays[column] = typed[column].array
        return arrays[column][position]

    return typed_at


#: The rules whose message depends on the column and the value alone (not on the row or its other cells).
BY_VALUE = frozenset({"required", "organisation", "allowed", "date", "number", "not_negative", "control_character"})


def _message(rule, name, key, value, row, at, extraction_date, suggestions, duplicates, kind) -> str:
    """The message of a failure; ``at(column)`` gives a typed value of its row (None for the BY_VALUE rules)."""
    if rule == "required":
        return f"{name} is required but blank"
    if rule == "unique":
        others = [r for r in duplicates.get(value, []) if r != row]
        listed = ", ".join(map(str, others[:DUPLICATE_ROWS_LISTED]))
        if len(others) > DUPLICATE_ROWS_LISTED:
            listed += f" and {len(others) - DUPLICATE_ROWS_LISTED} more"
        return f"{name} {value} is used by more than one record (also row {listed})"
    if rule == "organisation":
        if value not in suggestions:
            suggestions[value] = suggest_organisation(value)
        hint = f"; did you mean {suggestions[value]}?" if suggestions[value] else ""
        return f"{value!r} is not an organisation on the list{hint}"
    if rule == "allowed":
        allowed = kind.column(key).values or ()
        close = difflib.get_close_matches(value or "", allowed, n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]}?" if close else ""
        listed = ", ".join(allowed) if len(allowed) <= 8 else "the contract's list"
        return f"{value!r} is not an allowed {name} (expected {listed}){hint}"
    if rule == "date":
        year = implausible_year(value)
        if year is not None:
            return f"{value!r} has an implausible year ({year}): check the date"
        return f"{value!r} is not a date: write dd/mm/yyyy (or yyyy-mm-dd)"
    if rule == "number":
        return f"{value!r} is not a number"
    if rule == "not_negative":
        return f"{name} must be 0 or more, not {value}"
    if rule == "record_before_disruption":
        happened = format_date(at("disruption_date"))
        return f"Record Date {format_date(at(key))} is before the Disruption Date {happened}"
    if rule == "after_extraction":
        return f"{name} {format_date(at(key))} is after the extraction date {format_date(extraction_date)}"
    if rule == "support_needs_supported":
        return "a Support Disruption must name its Supported Organisation"
    if rule == "closed_needs_date":
        return f"a threat in phase {at('phase')!r} must have a Closed Date"
    if rule == "closed_before_created":
        closed = format_date(at(key))
        return f"Closed Date {closed} is before the Created Date {format_date(at('created_date'))}"
    if rule == "control_character":
        codes = ", ".join(
            f"\\x{ord(ch):02x}" for ch in sorted(set(re.findall(c.controls(kind.column(key).multiline), value or "")))
        )
        return f"{name} holds control characters ({codes}), which are not text: retype the value in APMIS"
    return f"{name}: {rule}"
