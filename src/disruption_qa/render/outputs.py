"""The files each command writes, every one a function of the results model.

``validate``: ``validation.json``, ``fixes.csv`` (every broken cell) and ``report.html``.
``check``: the validation's two files at the top; per organisation ``results.json``,
``fixes.csv`` and ``report.html``; with several organisations ``comparison.json``
and ``index.html``. ``diff``: ``diff.json`` and ``diff.html``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError, kind_of
from ..parallel import Pool
from ..results import FLAGGED, OrganisationResult, Run, ValidationResult
from .files import write_atomic, write_csv, write_frame_csv, write_json

#: fixes.csv of ``validate``: one line per broken cell.
VALIDATION_FIXES_HEADER = ["file", "cell", "row", "record_id", "column", "rule", "value", "message"]

#: fixes.csv of an organisation: one line per record to open in APMIS, and what points at it.
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

#: ``disruptions`` -> ``disruption``: what fixes.csv calls a record of each export.
RECORD_TYPE = {"disruptions": "disruption", "threats": "threat"}


def keep_inputs(inputs: list[str], outputs: list[Path]) -> None:
    """Raise an InputError, before anything is written, when one of ``outputs`` is one of the ``inputs``
    (the same file by any path, a link included): the tool never changes its input files."""
    existing = [Path(i) for i in inputs if kind_of(i, "cannot be written") is not None]
    for output in outputs:
        if kind_of(output, "cannot be written") is None:
            continue
        for given in existing:
            if os.path.samefile(output, given):
                raise InputError(
                    f"would be replaced by an output of this run: choose another --out than {output.parent}", given
                )


def _planned_validation(out: Path, html: bool) -> list[Path]:
    return [out / "validation.json", out / "fixes.csv", *([out / "report.html"] if html else [])]


def write_validation(validation: ValidationResult, out: Path, *, html: bool = False) -> list[Path]:
    """``validation.json`` and ``fixes.csv`` (and with ``html``, ``report.html``) in ``out``."""
    keep_inputs([f["path"] for f in validation.files], _planned_validation(out, html))
    write_json(out / "validation.json", validation.to_dict())
    rows = (
        [i.file, i.cell or "", i.row, i.record_id or "", i.column or "", i.rule, i.value or "", i.message]
        for i in validation.issues
    )
    write_csv(out / "fixes.csv", VALIDATION_FIXES_HEADER, rows)
    written = [out / "validation.json", out / "fixes.csv"]
    if html:
        from .html import render_validation

        write_atomic(out / "report.html", render_validation(validation))
        written.append(out / "report.html")
    return written


def check_fixes(result: OrganisationResult, run: Run):
    """Every record the organisation should open in APMIS, with what points at it (fixes.csv): a pyarrow Table.

    With the run history, ``new_since_last_run`` says ``yes`` for a record that
    was not a problem record in the organisation's previous run (matched by ID),
    else ``no``; without it, the column is blank. Built from arrays, a finding at
    a time (a value the same on every row of a finding repeated by pyarrow): a
    national run has half a million of these rows.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    text = pa.string()
    schema = pa.schema([(name, pa.int64() if name == "row" else text) for name in CHECK_FIXES_HEADER[:-1]])
    errors = result.validation_errors
    kinds = run.validation.kinds
    parts = [
        pa.table(
            {
                "record_id": [i.record_id or "" for i in errors],
                "record_type": [RECORD_TYPE.get(kinds.get(i.file, ""), "") for i in errors],
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
        if f.status != FLAGGED or not f.records:
            continue
        rows = pa.array(f.refs.rows, pa.int64())
        count = len(f.records)
        same = {
            "record_type": RECORD_TYPE[f.kind],
            "source": f.check,
            "name": f.name,
            "severity": f.severity,
            "file": f.refs.file,
            "cell": "",
            "column": "",
            "value": "",
            "message": f.title,
        }
        columns = {
            "record_id": pa.array(f.records, text),
            "row": pc.if_else(pc.less(rows, 0), pa.scalar(None, pa.int64()), rows),  # -1: not in the file
            **{name: pa.repeat(pa.scalar(value, text), count) for name, value in same.items()},
        }
        parts.append(pa.table([columns[name] for name in schema.names], schema=schema))
    table = pa.concat_tables(parts)
    past = run.history.get(result.organisation.name)
    if past is None:
        new = pa.repeat(pa.scalar("", text), table.num_rows)
    else:
        is_new = pc.is_in(table["record_id"], value_set=pa.array(list(past.changes.new_records), text))
        new = pc.if_else(is_new, "yes", "no")
    return table.append_column("new_since_last_run", new)


def write_run(
    run: Run, out: Path, *, html: bool = True, progress: Callable[[str], None] | None = None, pool: Pool | None = None
) -> list[Path]:
    """One folder per organisation (results.json, fixes.csv, report.html), the whole validation at the top,
    and the comparison of several organisations. Organisations are written on every core of ``pool``."""
    planned = [out / r.slug / name for r in run.results for name in ("results.json", "fixes.csv", "report.html")]
    planned += [out / "comparison.json", out / "index.html"]
    keep_inputs([f["path"] for f in run.validation.files], planned)
    written = write_validation(run.validation, out)
    if html:
        from .html import compile_templates

        compile_templates()  # before the workers fork, so that each inherits them compiled

    def describe(i: int, result: OrganisationResult) -> str:
        return f"report {i + 1} of {len(run.results)}"

    for paths in (pool or Pool()).map(_write_organisation, _Writing(run, out, html), run.results, progress, describe):
        written += paths
    if len(run.results) > 1:
        written += write_comparison(run, out, html=html)
    return written


@dataclass
class _Writing:
    """What writing each organisation's folder shares (inherited by forked workers)."""

    run: Run
    out: Path
    html: bool


def _write_organisation(w: _Writing, result: OrganisationResult) -> list[Path]:
    """results.json, fixes.csv and report.html of one organisation."""
    folder = w.out / result.slug
    write_json(folder / "results.json", result.to_dict())
    write_frame_csv(folder / "fixes.csv", check_fixes(result, w.run))
    written = [folder / "results.json", folder / "fixes.csv"]
    if w.html:
        from ..report import build_report
        from .html import render_report

        write_atomic(folder / "report.html", render_report(build_report(result, w.run)))
        written.append(folder / "report.html")
    return written


def write_comparison(run: Run, out: Path, *, html: bool = True) -> list[Path]:
    """``comparison.json`` and ``index.html``: the organisations side by side."""
    from ..comparison import compare

    extraction_date = run.validation.extraction_date
    cmp = compare(
        run.results,
        profile=run.profile.name,
        period=run.period.to_dict(),
        extraction_date=extraction_date.isoformat() if extraction_date else None,
    )
    write_json(out / "comparison.json", cmp.to_dict())
    written = [out / "comparison.json"]
    if html:
        from .html import render_index

        write_atomic(out / "index.html", render_index(cmp, files=run.validation.files, title=run.title))
        written.append(out / "index.html")
    return written


def write_diff(diff, out: Path) -> list[Path]:
    """``diff.json`` and ``diff.html`` in ``out``."""
    from .html import render_diff

    sides = [diff.disruptions] + ([diff.threats] if diff.threats is not None else [])
    keep_inputs([side.path for kind in sides for side in (kind.old, kind.new)], [out / "diff.json", out / "diff.html"])
    write_json(out / "diff.json", diff.to_dict())
    write_atomic(out / "diff.html", render_diff(diff))
    return [out / "diff.json", out / "diff.html"]
