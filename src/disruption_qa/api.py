"""The library API: what the command line calls, usable from Python too.

from disruption_qa import api
validation = api.validate_files("disruptions.csv", threats="threats.csv")
api.write_validation(validation, "out/")
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .catalogue import Profile, load_profile, settings_for
from .checks import Finding
from .config import Config, load_config
from .engine import OrganisationResult, Period, resolve_organisations, resolve_period, run_checks
from .parallel import forget_waiting
from .reading import read_export
from .render.files import write_atomic, write_csv, write_frame_csv, write_json
from .validation import Validation, validate

if TYPE_CHECKING:
    import pyarrow

FIXES_HEADER = ["file", "cell", "row", "record_id", "column", "rule", "value", "message"]


def validate_files(
    disruptions: str | Path,
    threats: str | Path | None = None,
    *,
    sheet: str | None = None,
    threats_sheet: str | None = None,
    config: Config | str | Path | None = None,
    extracted_on: dt.date | None = None,
    background: bool = False,
) -> Validation:
    """Read and validate an extraction. Raises InputError for unusable files.

    ``background``: see :func:`disruption_qa.validation.validate`."""
    if not isinstance(config, Config):
        config = load_config(config)
    d = read_export(disruptions, "disruptions", sheet=sheet, aliases=config.aliases.get("disruptions"))
    t = None
    if threats is not None:
        t = read_export(threats, "threats", sheet=threats_sheet, aliases=config.aliases.get("threats"))
    return validate(d, t, extracted_on=extracted_on, background=background)


def validation_fix_rows(validation: Validation) -> list[list]:
    return [
        [i.file, i.cell or "", i.row, i.record_id or "", i.column or "", i.rule, i.value or "", i.message]
        for i in validation.issues
    ]


def write_validation(validation: Validation, out: str | Path, *, html: bool = False) -> list[Path]:
    """``validation.json`` and ``fixes.csv`` (and with ``html``, ``report.html``) in ``out``."""
    out = Path(out)
    write_json(out / "validation.json", validation.to_dict())
    write_csv(out / "fixes.csv", FIXES_HEADER, validation_fix_rows(validation))
    written = [out / "validation.json", out / "fixes.csv"]
    if html:
        from .render.html import render_validation

        write_atomic(out / "report.html", render_validation(validation))
        written.append(out / "report.html")
    return written


# --- check -----------------------------------------------------------------------

CHECK_FIXES_HEADER = [
    "record_id",
    "record_type",
    "source",
    "name",
    "severity",
    "file",
    "row",
    "cell",
    "column",
    "value",
    "message",
    "new_since_last_run",
]


@dataclass
class CheckRun:
    """A whole ``check`` run: the validation, the settings used and one result per organisation."""

    validation: Validation
    profile: Profile
    settings: dict[str, dict]
    period: Period
    results: list[OrganisationResult]
    #: Where the records the findings point at are in their files.
    locator: RecordLocator | None = None

    def exit_code(self, fail_on: str = "error") -> int:
        """0 when nothing at or above ``fail_on`` is flagged (validation errors count as errors)."""
        if self.validation.issues:
            return 1
        return 1 if any(r.flagged(fail_on) for r in self.results) else 0


def check_files(
    disruptions: str | Path,
    threats: str | Path | None = None,
    *,
    organisations: list[str] | None = None,
    year: int | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    extracted_on: dt.date | None = None,
    profile: str = "default",
    config: Config | str | Path | None = None,
    sheet: str | None = None,
    threats_sheet: str | None = None,
    progress=None,
) -> CheckRun:
    """Validate an extraction and run every enabled check for each organisation."""
    if not isinstance(config, Config):
        config = load_config(config)
    chosen = load_profile(config.raw.get("profile", profile) if profile == "default" else profile)
    settings = settings_for(chosen, config)
    if progress:
        progress("reading and validating")
    # a large extraction's schemas run on a spare core beside the checks
    validation = validate_files(
        disruptions,
        threats,
        sheet=sheet,
        threats_sheet=threats_sheet,
        config=config,
        extracted_on=extracted_on,
        background=True,
    )
    try:
        frame = validation.frames["disruptions"]
        period = resolve_period(frame, year=year, start=start, end=end)
        orgs = resolve_organisations(organisations, frame, validation.frames.get("threats"))
        results = run_checks(
            validation, profile=chosen, settings=settings, period=period, organisations=orgs, progress=progress
        )
    finally:
        forget_waiting()  # the schema run was taken by the checks' pool, or this run stopped on bad input
    return CheckRun(validation, chosen, settings, period, results, RecordLocator(validation).find_for(results))


class RecordLocator:
    """Where records stand in their files.

    A finding's records come with the rows the check found them on
    (``Finding.rows``, where an ID repeats the first of those rows): those are
    used once checked to hold those IDs. Records without rows (or with rows
    that do not hold them: a Series not taken from the engine's frames) are
    looked up by ID (an ID's first row in the file when it repeats), found when
    first asked for by one vectorised scan of the ID column for the whole
    batch; :meth:`find_for` asks up front for every record without rows, so
    forked report workers inherit the answers. Positions index the typed
    frames of ``validation.frames`` (which keep the export's rows in order);
    rows are spreadsheet row numbers.
    """

    def __init__(self, validation: Validation):
        self.exports = {e.kind.key: e for e in validation.exports}
        self.first: dict[str, dict[str, int]] = {kind: {} for kind in self.exports}  # ID -> position, -1 if absent
        self._columns: dict = {}  # kind -> its ID column as a pyarrow array (_ids)
        self._verified: dict[int, tuple] = {}  # id of a finding -> (the finding, its positions or None): _checked

    def find_for(self, results: list[OrganisationResult]) -> RecordLocator:
        """Find every record the results' findings point at without its row."""
        wanted: dict[str, set[str]] = {"disruptions": set(), "threats": set()}
        for result in results:
            for f in result.findings:
                if not f.rows:
                    wanted[records_kind(f.check)].update(f.records)
        for kind, ids in wanted.items():
            if kind in self.exports:
                self.find(kind, ids)
        return self

    def find(self, kind: str, ids) -> None:
        """Learn where each of ``ids`` first occurs (once per ID)."""
        import pyarrow as pa
        import pyarrow.compute as pc

        known = self.first[kind]
        missing = [i for i in ids if i not in known] if known else list(ids)
        if not missing:
            return
        # index_in gives the first position of each value in the ID column, null where it is absent
        at = pc.fill_null(pc.index_in(pa.array(missing, pa.string()), value_set=self._ids(kind)), -1)
        known.update(zip(missing, at.to_numpy(zero_copy_only=False).tolist()))

    def _ids(self, kind: str):
        """The ID column of ``kind`` as a pyarrow string array (made once)."""
        import pyarrow as pa

        if kind not in self._columns:
            column = self.exports[kind].text[self.exports[kind].kind.id_column]
            self._columns[kind] = pa.array(column.array, from_pandas=True).cast(pa.string())
        return self._columns[kind]

    def _at(self, kind: str, ids: list[str]) -> np.ndarray:
        known = self.first[kind]
        try:  # found already (find_for), the usual case
            return np.fromiter((known[i] for i in ids), dtype=np.int64, count=len(ids))
        except KeyError:
            self.find(kind, ids)
            return np.fromiter((known[i] for i in ids), dtype=np.int64, count=len(ids))

    def positions(self, kind: str, ids: list[str]) -> np.ndarray:
        """Each ID's position in its typed frame, -1 where it is not in the file."""
        if kind not in self.exports:
            return np.full(len(ids), -1)
        return self._at(kind, ids)

    def rows_of(self, f: Finding) -> tuple[str, pyarrow.Array]:
        """The file of a finding's records and the spreadsheet row of each (a pyarrow int64 array, null where
        an ID is not in the file)."""
        import pyarrow as pa

        kind = records_kind(f.check)
        if self._checked(f) is not None:
            return self.exports[kind].source.path, pa.array(f.rows, pa.int64())
        path, rows = self.locate(kind, f.records)
        return path, pa.array(rows, pa.int64())

    def positions_of(self, f: Finding, count: int) -> np.ndarray:
        """The positions of a finding's first ``count`` records in their typed frame (-1 where not in the file)."""
        at = self._checked(f, count)
        return at if at is not None else self.positions(records_kind(f.check), f.records[:count])

    def _checked(self, f: Finding, count: int | None = None) -> np.ndarray | None:
        """The positions of a finding's (first ``count``) records from the rows its check found them on,
        once all its rows are checked to hold its IDs; None without rows, or when any does not (its IDs
        are looked up then, for fixes.csv and the report alike).

        Checked as arrays, once a finding (fixes.csv, then the report: a national run checks 552,000
        rows); a finding is taken not to change once its run is done."""
        if id(f) not in self._verified:
            self._verified[id(f)] = (f, self._verify(f))  # the finding kept with it, so that its id is not reused
        at = self._verified[id(f)][1]
        return at if at is None or count is None else at[:count].copy()

    def _verify(self, f: Finding) -> np.ndarray | None:
        import pyarrow as pa
        import pyarrow.compute as pc

        kind = records_kind(f.check)
        if not len(f.rows) or len(f.rows) != len(f.records) or kind not in self.exports:
            return None
        at = self.exports[kind].text.index.get_indexer(f.rows)
        if (at < 0).any():
            return None
        same = pc.fill_null(pc.equal(pc.take(self._ids(kind), at), pa.array(f.records, pa.string())), False)
        return at if pc.all(same).as_py() else None

    def locate(self, kind: str, ids: list[str]):
        """The file and the spreadsheet rows of ``ids`` (missing where an ID is not in the file)."""
        if kind not in self.exports:
            return "", pd.array([pd.NA] * len(ids), dtype="Int64")
        at = self._at(kind, ids)
        found = pd.array(self.exports[kind].text.index.to_numpy()[at], dtype="Int64")
        found[at < 0] = pd.NA
        return self.exports[kind].source.path, found


def check_fixes(
    result: OrganisationResult, kinds: dict[str, str], locator: RecordLocator, history: HistoryView | None = None
) -> pyarrow.Table:
    """Every record the organisation should open in APMIS, with what points at it (fixes.csv): a pyarrow Table
    (``.to_pydict()`` gives lists by column, ``.to_pandas()`` a DataFrame).

    ``kinds`` maps each input file's path to ``disruption`` or ``threat``. With the
    run history, ``new_since_last_run`` says ``yes`` for a record that was not a
    problem record in the organisation's previous run (matched by ID), else ``no``;
    without it, the column is blank. Built from arrays, a finding at a time (a
    value the same on every row of a finding repeated by pyarrow): a national run
    has half a million of these rows, and lists of Python values cost a second.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    text = pa.string()
    schema = pa.schema([(name, pa.int64() if name == "row" else text) for name in CHECK_FIXES_HEADER[:-1]])
    errors = result.validation_errors
    parts = [
        pa.table(
            {
                "record_id": [i.record_id or "" for i in errors],
                "record_type": [kinds.get(i.file, "") for i in errors],
                "source": ["validation"] * len(errors),
                "name": [i.rule for i in errors],
                "severity": ["error"] * len(errors),
                "file": [i.file for i in errors],
                "row": [i.row for i in errors],
                "cell": [i.cell or "" for i in errors],
                "column": [i.column or "" for i in errors],
                "value": [i.value or "" for i in errors],
                "message": [i.message for i in errors],
            },
            schema=schema,
        )
    ]
    for f in result.findings:
        if f.status != "flagged" or not f.records:
            continue
        path, rows = locator.rows_of(f)
        count = len(f.records)
        same = {
            "record_type": records_kind(f.check).removesuffix("s"),
            "source": f.check,
            "name": f.name,
            "severity": f.severity,
            "file": path,
            "cell": "",
            "column": "",
            "value": "",
            "message": f.title,
        }
        columns = {
            "record_id": pa.array(f.records, text),
            "row": rows,
            **{name: pa.repeat(pa.scalar(value, text), count) for name, value in same.items()},
        }
        parts.append(pa.table([columns[name] for name in schema.names], schema=schema))
    table = pa.concat_tables(parts)
    if history is None:
        new = pa.repeat(pa.scalar("", text), table.num_rows)
    else:
        is_new = pc.is_in(table["record_id"], value_set=pa.array(list(history.changes.new_records), text))
        new = pc.if_else(is_new, "yes", "no")
    return table.append_column("new_since_last_run", new)


#: Checks whose records are threats (master-list rows), not disruptions.
THREAT_RECORD_CHECKS = ("W105", "W106", "W113")


def records_kind(check: str) -> str:
    """The export a check's records come from: ``threats`` or ``disruptions``."""
    return "threats" if check in THREAT_RECORD_CHECKS else "disruptions"


def write_check(
    run: CheckRun,
    out: str | Path,
    *,
    include_summaries: bool = False,
    html: bool = True,
    progress=None,
    history: dict[str, HistoryView] | None = None,
) -> list[Path]:
    """One folder per organisation (results.json, fixes.csv, report.html) and the whole validation at the top.

    ``history`` (from :func:`record_history`) adds each organisation's trend and
    changes since its previous run to its report and fixes.csv. Organisations
    are written on every core (see :mod:`disruption_qa.parallel`).
    """
    from .parallel import map_organisations

    out = Path(out)
    written = write_validation(run.validation, out)
    if html:
        from .render.html import compile_templates

        compile_templates()
    shared = _Writing(
        run,
        out,
        include_summaries,
        html,
        history or {},
        {e.source.path: ("threat" if e.kind.key == "threats" else "disruption") for e in run.validation.exports},
        run.locator or RecordLocator(run.validation).find_for(run.results),
    )
    for paths in map_organisations(
        _write_organisation, shared, run.results, progress, lambda i, r: f"report {i + 1} of {len(run.results)}"
    ):
        written += paths
    if len(run.results) > 1:
        written += write_comparison(run, out, html=html)
    return written


@dataclass
class _Writing:
    """What writing each organisation's folder shares (inherited by forked workers)."""

    run: CheckRun
    out: Path
    include_summaries: bool
    html: bool
    history: dict[str, HistoryView]
    kinds: dict[str, str]  # input file -> disruption or threat
    locator: RecordLocator


def _write_organisation(w: _Writing, result: OrganisationResult) -> list[Path]:
    """results.json, fixes.csv and report.html of one organisation."""
    folder = w.out / result.slug
    view = w.history.get(result.organisation.name)
    write_json(folder / "results.json", result.to_dict())
    write_frame_csv(folder / "fixes.csv", check_fixes(result, w.kinds, w.locator, view))
    written = [folder / "results.json", folder / "fixes.csv"]
    if w.html:
        from .render.html import render_report
        from .report import build_report

        data = build_report(
            result, w.run.results, w.run, include_summaries=w.include_summaries, locator=w.locator, history=view
        )
        write_atomic(folder / "report.html", render_report(data))
        written.append(folder / "report.html")
    return written


def comparison_title(run: CheckRun) -> str:
    regions = sorted({r.organisation.region for r in run.results})
    return (
        f"{regions[0]} region" if len(regions) == 1 else f"{len(run.results)} organisations in {len(regions)} regions"
    )


def write_comparison(run: CheckRun, out: Path, *, html: bool = True) -> list[Path]:
    """``comparison.json`` and ``index.html``: the organisations side by side."""
    from .comparison import compare
    from .render.html import render_index

    cmp = compare(
        run.results,
        profile=run.profile.name,
        period=run.period.to_dict(),
        extraction_date=run.validation.extraction_date.isoformat() if run.validation.extraction_date else None,
    )
    write_json(out / "comparison.json", cmp.to_dict())
    written = [out / "comparison.json"]
    if html:
        write_atomic(out / "index.html", render_index(cmp, files=run.validation.files, title=comparison_title(run)))
        written.append(out / "index.html")
    return written


# --- diff ----------------------------------------------------------------------------------


def write_diff(diff, out: str | Path) -> list[Path]:
    """``diff.json`` and ``diff.html`` in ``out``."""
    from .render.html import render_diff

    out = Path(out)
    write_json(out / "diff.json", diff.to_dict())
    write_atomic(out / "diff.html", render_diff(diff))
    return [out / "diff.json", out / "diff.html"]


# --- history ---------------------------------------------------------------------------------

#: Runs shown in a report's trend.
TREND_RUNS = 12


@dataclass
class HistoryView:
    """One organisation's memory: its previous run, what changed since, and its recent trend."""

    previous: object  # history.RunEntry | None
    changes: object  # history.Changes
    trend: list[dict]


def record_history(run: CheckRun, location: str | Path | None = None) -> dict[str, HistoryView]:
    """Record the run in the history store (SQLite file or PostgreSQL URL; default in the user's data folder)
    and return, per organisation, what its report and fixes.csv show of the past."""
    from .history import compare, open_history, trend

    views = {}
    with open_history(location) as store:
        entries = store.record(run)
        for entry, (previous, recent) in zip(entries, store.around(entries, TREND_RUNS)):
            views[entry.organisation] = HistoryView(previous, compare(previous, entry), trend(recent))
    return views
