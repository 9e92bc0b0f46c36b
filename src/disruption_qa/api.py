"""The library API: what the command line calls, usable from Python too.

    from disruption_qa import api
    validation = api.validate_files("disruptions.csv", threats="threats.csv")
    api.write_validation(validation, "out/")
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from .config import Config, load_config
from .reading import read_export
from .render.files import write_csv, write_json
from .validation import Validation, validate

FIXES_HEADER = ["file", "cell", "row", "record_id", "column", "rule", "value", "message"]


def validate_files(
    disruptions: str | Path,
    threats: str | Path | None = None,
    *,
    sheet: str | None = None,
    threats_sheet: str | None = None,
    config: Config | str | Path | None = None,
    extracted_on: dt.date | None = None,
) -> Validation:
    """Read and validate an extraction. Raises InputError for unusable files."""
    if not isinstance(config, Config):
        config = load_config(config)
    d = read_export(disruptions, "disruptions", sheet=sheet, aliases=config.aliases.get("disruptions"))
    t = None
    if threats is not None:
        t = read_export(threats, "threats", sheet=threats_sheet, aliases=config.aliases.get("threats"))
    return validate(d, t, extracted_on=extracted_on)


def validation_fix_rows(validation: Validation) -> list[list]:
    return [[i.file, i.cell or "", i.row, i.record_id or "", i.column or "", i.rule, i.value or "", i.message] for i in validation.issues]


def write_validation(validation: Validation, out: str | Path) -> list[Path]:
    """``validation.json`` and ``fixes.csv`` in ``out``; returns the paths written."""
    out = Path(out)
    write_json(out / "validation.json", validation.to_dict())
    write_csv(out / "fixes.csv", FIXES_HEADER, validation_fix_rows(validation))
    return [out / "validation.json", out / "fixes.csv"]
