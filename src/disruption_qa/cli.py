"""The command line: parses arguments, calls the library, maps errors to exit codes.

Exit codes: 0 clean, 1 data problems found, 2 unusable input or wrong usage,
3 an internal error (a bug: please report it).
Heavy libraries are imported inside the commands, so ``--help`` stays fast.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from . import prefetch
from .errors import InputError
from .runtime import begin, leave, tune_memory

app = typer.Typer(
    name="disruption-qa",
    help="Check the quality of SOC disruption records exported from APMIS.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def say(text: str, *, err: bool = False, nl: bool = True) -> None:
    """Print a line: every line the tool prints goes through here, its control characters made visible
    (``\\x1b``), so no value from an export can move the cursor, recolour or retitle the terminal."""
    from .format import visible

    typer.echo(visible(text), err=err, nl=nl)


def fail(message: str) -> None:
    """One line on stderr, exit code 2."""
    say(f"error: {message}", err=True)
    raise typer.Exit(2)


DisruptionsArg = Annotated[
    Path, typer.Argument(help="The disruptions export (.csv or .xlsx).", show_default=False, readable=False)
]
ThreatsOpt = Annotated[
    Path | None, typer.Option("--threats", help="The SOC master list export (.csv or .xlsx).", readable=False)
]
SheetOpt = Annotated[
    str | None, typer.Option("--sheet", help="Sheet of the disruptions workbook (default: the first).")
]
ThreatsSheetOpt = Annotated[
    str | None, typer.Option("--threats-sheet", help="Sheet of the master list workbook (default: the first).")
]
ConfigOpt = Annotated[
    Path | None,
    typer.Option(
        "--config", help="A TOML config file: column aliases, value mappings, check thresholds.", readable=False
    ),
]
ExtractedOpt = Annotated[
    str | None, typer.Option("--extracted-on", help="Extraction date dd/mm/yyyy, when no title line gives it.")
]
OutOpt = Annotated[Path, typer.Option("--out", help="Folder for the outputs.", readable=False)]
HistoryOpt = Annotated[
    str | None,
    typer.Option(
        "--history",
        help="The run history: a SQLite file or a postgresql:// URL (default: history.sqlite in your user data folder).",
    ),
]


def parse_day(text: str | None, option: str):
    if text is None:
        return None
    from .dates import parse_date

    day = parse_date(text)
    if day is None:
        fail(f"{option} {text!r} is not a date: write dd/mm/yyyy")
    return day


@app.command()
def validate(
    disruptions: DisruptionsArg,
    threats: ThreatsOpt = None,
    out: OutOpt = Path("reports"),
    sheet: SheetOpt = None,
    threats_sheet: ThreatsSheetOpt = None,
    config: ConfigOpt = None,
    extracted_on: ExtractedOpt = None,
) -> None:
    """Validate an export against the APMIS contract and list every cell to fix.

    Writes validation.json, fixes.csv and report.html to --out. Exit 0 when clean, 1 when
    problems were found, 2 when a file cannot be used.

    Example: disruption-qa validate disruptions.csv --threats threats.csv --out reports
    """
    prefetch.start(disruptions, threats)  # read on a spare core while the libraries are imported
    tune_memory()
    from . import api
    from .render.terminal import validation_summary

    day = parse_day(extracted_on, "--extracted-on")
    try:
        result = api.validate(
            disruptions, threats, sheet=sheet, threats_sheet=threats_sheet, config=config, extracted_on=day
        )
        written = api.write(result, out)
    except InputError as exc:
        fail(str(exc))
    say(validation_summary(result))
    for p in written:
        say(f"wrote {p}")
    raise typer.Exit(1 if result.issues else 0)


@app.command()
def check(
    disruptions: DisruptionsArg,
    threats: ThreatsOpt = None,
    organisation: Annotated[
        list[str] | None,
        typer.Option(
            "--organisation", help="Only this organisation (repeat for more); default: every one in the export."
        ),
    ] = None,
    year: Annotated[int | None, typer.Option(help="Calendar year under review.")] = None,
    from_: Annotated[
        str | None, typer.Option("--from", help="First day of the period, dd/mm/yyyy (with --to).")
    ] = None,
    to: Annotated[str | None, typer.Option("--to", help="Last day of the period, dd/mm/yyyy.")] = None,
    extracted_on: ExtractedOpt = None,
    profile: Annotated[
        str, typer.Option(help="Named profile of filters and settings (see `disruption-qa checks`).")
    ] = "default",
    config: ConfigOpt = None,
    period_basis: Annotated[
        str | None,
        typer.Option(
            help="Take the period on the Record Date (record: what was entered in it) or the Disruption Date"
            " (disruption: what happened in it); default: the profile's, record."
        ),
    ] = None,
    fail_on: Annotated[
        str, typer.Option(help="Exit 1 when anything at or above this level is flagged: warning or error.")
    ] = "error",
    out: OutOpt = Path("reports"),
    sheet: SheetOpt = None,
    threats_sheet: ThreatsSheetOpt = None,
    include_summaries: Annotated[
        bool,
        typer.Option(
            "--include-summaries",
            help="Show the free-text Summary of listed records in the reports (it may hold sensitive detail).",
        ),
    ] = False,
    history: HistoryOpt = None,
    no_history: Annotated[
        bool, typer.Option("--no-history", help="Do not record this run or compare it with earlier ones.")
    ] = False,
) -> None:
    """Validate, then run every warning-sign check for each organisation.

    Writes one folder per organisation to --out (results.json, fixes.csv,
    report.html), and for several organisations index.html and comparison.json.
    Each run is recorded in the run history (--history, --no-history), so each
    report shows the trend and what changed since the previous run.
    Without --year or --from/--to the period is the calendar year of the latest
    Record Date. Exit 0 when nothing at or above --fail-on is flagged, 1
    otherwise, 2 for unusable input.

    Example: disruption-qa check disruptions.csv --threats threats.csv --year 2022 --profile hmicfrs-2023
    """
    prefetch.start(disruptions, threats)  # read on a spare core while the libraries are imported
    tune_memory()
    from . import api
    from .render.terminal import check_summary

    if fail_on not in ("warning", "error"):
        fail(f"--fail-on must be warning or error, not {fail_on!r}")
    if year is not None and (from_ or to):
        fail("give --year or --from/--to, not both")
    start, end, day = parse_day(from_, "--from"), parse_day(to, "--to"), parse_day(extracted_on, "--extracted-on")
    progress = progress_printer()
    try:
        run = api.check(
            disruptions,
            threats,
            organisations=organisation,
            year=year,
            start=start,
            end=end,
            extracted_on=day,
            profile=profile,
            config=config,
            period_basis=period_basis,
            sheet=sheet,
            threats_sheet=threats_sheet,
            include_summaries=include_summaries,
            history=False if no_history else history,
            progress=progress,
        )
        written = api.write(run, out, progress=progress)
    except InputError as exc:
        fail(str(exc))
    # recorded once the outputs are on disk: a store that cannot be written costs the record, not the reports
    not_recorded = None
    if progress and not no_history:
        progress("recording the run history")
    try:
        api.record(run)
    except InputError as exc:
        not_recorded = exc
    if progress:
        progress("")
    say(check_summary(run))
    say(f"wrote {len(written)} files to {out}")
    if not_recorded is not None:
        fail(f"the outputs were written to {out}, but the run was not recorded in the history: {not_recorded}")
    raise typer.Exit(run.exit_code(fail_on))


@app.command()
def diff(
    old: Annotated[Path, typer.Argument(help="The earlier disruptions export.", show_default=False, readable=False)],
    new: Annotated[
        Path, typer.Argument(help="The later disruptions export of the same data.", show_default=False, readable=False)
    ],
    threats_old: Annotated[
        Path | None, typer.Option("--threats-old", help="The earlier SOC master list export.", readable=False)
    ] = None,
    threats_new: Annotated[
        Path | None, typer.Option("--threats-new", help="The later SOC master list export.", readable=False)
    ] = None,
    out: OutOpt = Path("reports"),
    config: ConfigOpt = None,
    include_summaries: Annotated[
        bool, typer.Option("--include-summaries", help="Show old and new Summary text when it changed.")
    ] = False,
) -> None:
    """Compare two extractions: records added late, added, changed and removed.

    Writes diff.json and diff.html to --out. Exit 0 whatever the differences,
    2 for unusable input.

    Example: disruption-qa diff disruptions_2023-01-04.csv disruptions_2023-07-13.csv --out diff
    """
    prefetch.start(old)  # read on a spare core while the libraries are imported (one file: they are large)
    tune_memory()
    from . import api
    from .render.terminal import diff_summary

    try:
        result = api.diff(
            old,
            new,
            threats_old=threats_old,
            threats_new=threats_new,
            config=config,
            include_summaries=include_summaries,
        )
        written = api.write(result, out)
    except InputError as exc:
        fail(str(exc))
    say(diff_summary(result))
    for p in written:
        say(f"wrote {p}")


@app.command()
def describe(
    disruptions: DisruptionsArg,
    threats: ThreatsOpt = None,
    sheet: SheetOpt = None,
    threats_sheet: ThreatsSheetOpt = None,
    config: ConfigOpt = None,
    write_config: Annotated[
        Path | None,
        typer.Option(
            "--write-config",
            help="Write the config proposed to read the file(s) here, for you to review (never over a file).",
            readable=False,
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the description as JSON.")] = False,
) -> None:
    """Say what an export needs before it can be checked: columns, codes, dates, organisations.

    Per column of the contract, how it was found (exactly, by an alias, or a header suggested);
    values outside the contract's lists, each with the value it most likely means; the date formats
    found; organisations not on the list; the title lines. Exit 0, or 2 when a file cannot be read.

    Example: disruption-qa describe export.csv --write-config my-export.toml
    """
    tune_memory()
    import json

    from . import api
    from .render.describe import describe_text

    try:
        found = api.describe(disruptions, threats, sheet=sheet, threats_sheet=threats_sheet, config=config)
        written = api.write_config(found, write_config, config) if write_config is not None else None
    except InputError as exc:
        fail(str(exc))
    if as_json:
        say(json.dumps([d.to_dict() for d in found], indent=2, ensure_ascii=False))
    else:
        say(describe_text(found))
    if written is not None:
        say(f"wrote {written}: review it, then run check with --config {written}", err=as_json)


@app.command("history")
def show_history(
    organisation: Annotated[
        str | None, typer.Argument(help="Only this organisation's runs.", show_default=False)
    ] = None,
    history: HistoryOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the runs as JSON.")] = False,
) -> None:
    """List the recorded runs and how recording is trending.

    Example: disruption-qa history "Cheshire Constabulary"
    """
    import json

    from .engine import resolve_organisations
    from .history import open_for_reading
    from .render.history_terminal import history_json, history_table

    unknown = None
    if organisation is not None:
        try:
            resolve_organisations([organisation], None, None)
        except InputError as exc:  # not on the list: it may still be one a config declared, with runs stored
            unknown = exc
    try:
        try:
            with open_for_reading(history) as store:
                entries = store.runs(organisation)
        except InputError as exc:
            raise (unknown or exc) from None  # a name not on the list is the first mistake to say
        if unknown is not None and not entries:  # not on the list, and no run of it (one a config declared has)
            raise unknown
    except InputError as exc:
        fail(str(exc))
    say(json.dumps(history_json(entries), indent=2, default=str) if as_json else history_table(entries))


@app.command("checks")
def list_checks(
    profile: Annotated[str, typer.Option(help="Show the settings of this profile.")] = "default",
    config: ConfigOpt = None,
    markdown: Annotated[bool, typer.Option(help="Print the catalogue documentation (docs/checks.md).")] = False,
) -> None:
    """List the warning-sign checks and their settings, and a config's local rules.

    Example: disruption-qa checks --profile hmicfrs-2023
    """
    from .catalogue import load_profile, settings_for
    from .checks import CATALOGUE
    from .config import load_config
    from .render.terminal import catalogue_table

    try:
        if markdown:
            from .render.catalogue_docs import catalogue_markdown

            say(catalogue_markdown(), nl=False)
            return
        loaded = load_config(config)
        settings = settings_for(load_profile(profile), loaded)
    except InputError as exc:
        fail(str(exc))
    say(catalogue_table([*CATALOGUE, *loaded.local_checks], settings))


def progress_printer():
    """Progress on stderr when it is a terminal; silent otherwise."""
    if not sys.stderr.isatty():
        return None

    def show(step: str) -> None:
        """One line, rewritten in place; an empty step clears it."""
        typer.echo(f"\r\033[K{step}..." if step else "\r\033[K", err=True, nl=False)

    return show


@app.command()
def sample(
    out: Annotated[Path, typer.Option(help="Folder to write the exports into.", readable=False)],
    organisations: Annotated[
        list[str] | None,
        typer.Option("--organisations", "--organisation", help="An organisation to include (repeat for more)."),
    ] = None,
    region: Annotated[str | None, typer.Option(help="Every organisation of a region, e.g. 'North West'.")] = None,
    national: Annotated[bool, typer.Option(help="Every organisation in England and Wales.")] = False,
    year: Annotated[int, typer.Option(help="Year the disruptions happened in.")] = 2022,
    rows: Annotated[int, typer.Option(help="Number of disruption records.")] = 5000,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same bytes.")] = 1,
    defects: Annotated[str, typer.Option(help="none or realistic.")] = "realistic",
    format: Annotated[str, typer.Option("--format", help="csv or xlsx.")] = "csv",
    preset: Annotated[
        str | None,
        typer.Option(help="A calibrated extraction, e.g. north-west-2022 (ignores the other options but --out)."),
    ] = None,
    single_line_summaries: Annotated[
        bool,
        typer.Option(
            "--single-line-summaries", help="No line breaks inside Summary values (for readers that cannot take them)."
        ),
    ] = False,
    force: Annotated[bool, typer.Option("--force", help="Replace exports already in --out.")] = False,
) -> None:
    """Write a synthetic disruptions export and SOC master list export.

    Files already in --out are left alone (exit 2) unless --force.

    Example: disruption-qa sample --out demo --region "North West" --rows 20000 --seed 7
    """
    from . import sample as sampling

    try:
        if preset:
            paths = sampling.generate_preset(preset, out, force=force)
        else:
            paths = sampling.generate(
                out,
                organisations=organisations,
                region=region,
                national=national,
                year=year,
                rows=rows,
                seed=seed,
                defects=defects,
                fmt=format,
                multiline_summaries=not single_line_summaries,
                force=force,
            )
    except InputError as exc:
        fail(str(exc))
    for p in paths:
        say(f"wrote {p}")


def main() -> None:
    """The console script. An unexpected failure is one line and exit code 3, never a traceback,
    unless DISRUPTION_QA_DEBUG is set (then the traceback is shown for a bug report).
    A finished command leaves at once once its output is flushed (:func:`disruption_qa.runtime.leave`)."""
    import os

    begin()
    try:
        app()
    except SystemExit as done:
        leave(done.code)
    except KeyboardInterrupt:
        say("interrupted", err=True)
        sys.exit(130)
    except Exception as exc:  # a bug, not the user's mistake: those are InputErrors
        if os.environ.get("DISRUPTION_QA_DEBUG"):
            raise
        say(f"internal error: {type(exc).__name__}: {exc} (set DISRUPTION_QA_DEBUG=1 for details)", err=True)
        sys.exit(3)
