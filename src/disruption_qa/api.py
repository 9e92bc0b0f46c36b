"""The library API: what the command line calls, usable from Python too.

    from disruption_qa import api
    run = api.check("disruptions.csv", threats="threats.csv", year=2022, history=None)
    api.write(run, "reports/")
    api.record(run)  # in the run history, once its outputs are written

Each of :func:`validate`, :func:`check` and :func:`diff` returns the results
model (:mod:`disruption_qa.results`; ``diff`` its own model), and :func:`write`
writes any of them. Unusable input raises :class:`~disruption_qa.errors.InputError`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from .config import Config, load_config
from .contract import extra_organisations
from .diff import ExtractionDiff
from .errors import InputError, file_system_error
from .parallel import Pool
from .results import HistoryView, Run, ValidationResult

#: Runs shown in a report's trend.
TREND_RUNS = 12

Progress = Callable[[str], None] | None


def _config(config: Config | str | Path | None) -> Config:
    return config if isinstance(config, Config) else load_config(config)


def _read_and_validate(disruptions, threats, *, sheet, threats_sheet, config: Config, extracted_on, pool=None):
    from .reading import read_export
    from .validation import prepared_meanwhile, ready_for
    from .validation import validate as run_validation

    ready = ready_for(disruptions, pool)  # a small extraction's schema run is made ready while it is read
    try:
        with prepared_meanwhile(pool):  # with no pool, pandera is imported on a thread meanwhile
            d = read_export(disruptions, "disruptions", sheet=sheet, aliases=config.aliases.get("disruptions"))
            t = None
            if threats is not None:
                t = read_export(threats, "threats", sheet=threats_sheet, aliases=config.aliases.get("threats"))
        return run_validation(d, t, extracted_on=extracted_on, pool=pool, values=config.values, ready=ready)
    finally:
        if ready is not None:  # not given its job (the files were refused, or are large): let go at once
            ready.drop()


def validate(
    disruptions: str | Path,
    threats: str | Path | None = None,
    *,
    sheet: str | None = None,
    threats_sheet: str | None = None,
    config: Config | str | Path | None = None,
    extracted_on: dt.date | None = None,
) -> ValidationResult:
    """Read an extraction and check it against the export contract: every problem, located."""
    config = _config(config)
    with extra_organisations(config.organisations):
        validation = _read_and_validate(
            disruptions, threats, sheet=sheet, threats_sheet=threats_sheet, config=config, extracted_on=extracted_on
        )
        return validation.result()


def check(
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
    period_basis: str | None = None,
    sheet: str | None = None,
    threats_sheet: str | None = None,
    include_summaries: bool = False,
    history: str | Path | bool | None = False,
    progress: Progress = None,
    pool: Pool | None = None,
) -> Run:
    """Validate an extraction and run every enabled check for each organisation.

    ``history``: False keeps no history; None uses the default store (in the
    user's data folder); a path or ``postgresql://`` URL uses that store. Each
    organisation's result then comes with its previous run, what changed since
    and its trend (``Run.history``), read before anything is recorded; record
    the run with :func:`record` once its outputs are written. ``include_summaries``:
    the records a report lists show their free-text Summary. ``period_basis``: ``record`` or ``disruption``,
    the date the period is taken on (over the config's ``period_basis`` and the profile's).
    """
    from .catalogue import load_profile, settings_for
    from .engine import resolve_organisations, resolve_period, run_checks

    if isinstance(history, str) and "://" in history:
        from .history.connection import parse_url

        parse_url(history)  # a URL that cannot be parsed is refused before any work
    config = _config(config)
    chosen = load_profile(config.raw.get("profile", profile) if profile == "default" else profile)
    chosen = chosen.with_period_basis(config.raw.get("period_basis"), config.path).with_period_basis(period_basis)
    settings = settings_for(chosen, config)
    if not any(s.get("enabled", True) for s in settings.values()):
        # a run of no checks would read as a clean bill of health
        raise InputError(
            "every check is switched off (enabled = false), so a check run could find nothing:"
            " switch one on, or use validate for the export contract alone",
            config.path,
        )
    # the config's organisations are known while the extraction is read, validated and checked
    with extra_organisations(config.organisations):
        pool = pool or Pool()
        if progress:
            progress("reading and validating")
        # a large extraction's schemas run on a spare core beside the checks
        validation = _read_and_validate(
            disruptions,
            threats,
            sheet=sheet,
            threats_sheet=threats_sheet,
            config=config,
            extracted_on=extracted_on,
            pool=pool,
        )
        if history is not False:
            # imported (SQLAlchemy: a tenth of a second) while the schemas run on another core
            from . import history as _history  # noqa: F401
        frame = validation.frames["disruptions"]
        period = resolve_period(frame, year=year, start=start, end=end)
        orgs = resolve_organisations(organisations, frame, validation.frames.get("threats"))
        results = run_checks(
            validation,
            profile=chosen,
            settings=settings,
            period=period,
            organisations=orgs,
            pool=pool,
            include_summaries=include_summaries,
            progress=progress,
            local=config.local_checks,
        )
        run = Run(validation.result(), chosen, settings, period, results, include_summaries)
        run.local_checks = list(config.local_checks)
    if history is not False:
        run.history_location = history
        if progress:
            progress("reading the run history")
        run.history = _history_views(run)
    return run


def _history_views(run: Run) -> dict[str, HistoryView]:
    """Per organisation, what its outputs show of the past: read from the history store, before the run is
    recorded (see :func:`record`). A store that cannot be read gives no views; :func:`record` then says why."""
    from .history import compare, open_for_reading, trend

    views = {}
    try:
        with open_for_reading(run.history_location, create=True) as store:
            entries = store.preview(run)
            for entry, (previous, recent) in zip(entries, store.around(entries, TREND_RUNS)):
                views[entry.organisation] = HistoryView(previous, compare(previous, entry), trend(recent))
    except InputError as exc:
        run.history_error = exc
    return views


def record(run: Run) -> None:
    """Record a :func:`check` run in the history store it was given (``history=``); nothing when it was given
    none. Record it after writing its outputs (:func:`write`): a store that cannot be written then costs the
    record of the run, never its reports. Raises :class:`InputError` when the run cannot be recorded."""
    from .history import open_history

    if run.history_location is False:
        return
    if run.history_error is not None:
        raise run.history_error
    with open_history(run.history_location) as store:
        store.record(run)


def diff(
    old: str | Path,
    new: str | Path,
    *,
    threats_old: str | Path | None = None,
    threats_new: str | Path | None = None,
    config: Config | str | Path | None = None,
    include_summaries: bool = False,
) -> ExtractionDiff:
    """Compare two extractions of the same data: records added (late), changed and removed."""
    from .diff import diff_files

    return diff_files(
        old,
        new,
        threats_old=threats_old,
        threats_new=threats_new,
        include_summaries=include_summaries,
        aliases=_config(config).aliases,
    )


def write(
    result: Run | ValidationResult | ExtractionDiff,
    out: str | Path,
    *,
    html: bool = True,
    progress: Progress = None,
    pool: Pool | None = None,
) -> list[Path]:
    """Write the outputs of a :func:`check`, :func:`validate` or :func:`diff` into the folder ``out``; returns
    the files written."""
    from .render import outputs

    out = Path(out)
    if isinstance(result, Run):
        return outputs.write_run(result, out, html=html, progress=progress, pool=pool)
    if isinstance(result, ValidationResult):
        return outputs.write_validation(result, out, html=html)
    if isinstance(result, ExtractionDiff):
        return outputs.write_diff(result, out)
    raise TypeError(f"cannot write a {type(result).__name__}")


def describe(
    disruptions: str | Path,
    threats: str | Path | None = None,
    *,
    sheet: str | None = None,
    threats_sheet: str | None = None,
    config: Config | str | Path | None = None,
):
    """What each export holds against the contract (:func:`disruption_qa.describe.describe`): one
    :class:`~disruption_qa.describe.Description` per file."""
    from .describe import describe as describe_file

    config = _config(config)
    found = [describe_file(disruptions, "disruptions", sheet=sheet, config=config)]
    if threats is not None:
        found.append(describe_file(threats, "threats", sheet=threats_sheet, config=config))
    return found


def write_config(descriptions, path: str | Path, config: Config | str | Path | None = None) -> Path:
    """The config :func:`disruption_qa.describe.proposed_config` proposes (keeping what ``config``, the one the
    files were described with, said), written to ``path``; never over an existing file (an InputError)."""
    from .describe import proposed_config

    path = Path(path)
    text = proposed_config(descriptions, _config(config))
    try:
        with path.open("x", encoding="utf-8") as out:
            out.write(text)
    except FileExistsError:
        raise InputError("already exists: describe never overwrites a file; name another, or remove it", path) from None
    except OSError as exc:
        raise file_system_error(exc, path) from None
    return path
