"""A user's config file (TOML): column aliases, and later check thresholds.

Example::

    # disruption-qa.toml
    period_basis = "disruption"      # take the period on Disruption Date

    [columns.disruptions]
    "Disruption ID" = ["APMIS Ref", "Reference"]
    "4P Strand" = "Strand"

    [columns.threats]
    "Threat ID" = "URN"
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .contract import EXPORT_KINDS, normalise_header
from .errors import InputError, file_system_error, kind_of


@dataclass
class Config:
    path: str | None = None
    aliases: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # kind -> column -> aliases
    checks: dict[str, dict] = field(default_factory=dict)  # check ID or name -> settings
    raw: dict = field(default_factory=dict)


def load_config(path: str | Path | None) -> Config:
    """Read and check a config file; a mistake in it is an InputError naming the file."""
    if path is None:
        return Config()
    path = Path(path)
    kind = kind_of(path)
    if kind == "folder":
        raise InputError("is a folder, not a config file", path)
    if kind is None:
        raise InputError("no such config file", path)
    try:
        raw = tomllib.loads(path.read_text("utf-8"))
    except OSError as exc:
        raise file_system_error(exc, path, "cannot be read") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"is not valid TOML ({exc})", path) from None
    except UnicodeDecodeError:
        raise InputError("is not a UTF-8 text file", path) from None
    unknown = set(raw) - {"columns", "checks", "profile", "period_basis"}
    if unknown:
        raise InputError(
            f"unknown section(s): {', '.join(sorted(unknown))} (expected columns, checks, profile, period_basis)", path
        )
    for section in ("columns", "checks"):
        if not isinstance(raw.get(section, {}), dict):
            raise InputError(f"[{section}] must be a table of settings, not {raw[section]!r}", path)
    if not isinstance(raw.get("profile", ""), str):
        raise InputError(f"profile must be a profile's name, not {raw['profile']!r}", path)
    if raw.get("period_basis", "record") not in ("record", "disruption"):
        raise InputError(f"period_basis must be record or disruption, not {raw['period_basis']!r}", path)
    aliases: dict[str, dict[str, list[str]]] = {}
    for kind_key, columns in raw.get("columns", {}).items():
        if kind_key not in EXPORT_KINDS:
            raise InputError(f"[columns.{kind_key}]: expected [columns.disruptions] or [columns.threats]", path)
        if not isinstance(columns, dict):
            raise InputError(f"[columns.{kind_key}] must map column names to aliases, not {columns!r}", path)
        kind = EXPORT_KINDS[kind_key]
        known = {normalise_header(c.name): c.name for c in kind.columns}
        for column, names in columns.items():
            if normalise_header(column) not in known:
                raise InputError(f"[columns.{kind_key}]: {column!r} is not a column of the {kind.title}", path)
            names = [names] if isinstance(names, str) else names
            if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
                raise InputError(f"[columns.{kind_key}]: {column!r} must be a name or a list of names", path)
            aliases.setdefault(kind_key, {})[known[normalise_header(column)]] = names
    return Config(path=str(path), aliases=aliases, checks=raw.get("checks", {}), raw=raw)
