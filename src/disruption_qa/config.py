"""A user's config file (TOML): column aliases, and later check thresholds.

Example::

    # disruption-qa.toml
    period_basis = "disruption"      # take the period on Disruption Date

    [columns.disruptions]
    "Disruption ID" = ["APMIS Ref", "Reference"]
    "4P Strand" = "Strand"

    [columns.threats]
    "Threat ID" = "URN"

    [values."4P Strand"]             # export codes -> contract values (any case and spacing)
    PUR = "Pursue"
    "4P - Prevent" = "Prevent"

    [values."Disruption Type"]
    Lead = "Lead Disruption"

    [[organisations]]                # an organisation the shipped list does not know
    name = "Ruritania Constabulary"
    kind = "force"                   # force, rocu or agency
    region = "North West"
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from .contract import EXPORT_KINDS, Organisation, normalise_header, shipped_organisations
from .errors import InputError, file_system_error, kind_of
from .reading import value_key
from .rules import Rule, parse_rules, rule_check


@dataclass
class Config:
    path: str | None = None
    aliases: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # kind -> column -> aliases
    checks: dict[str, dict] = field(default_factory=dict)  # check ID or name -> settings
    #: Column name -> export value (as ``reading.value_key`` compares it) -> the contract value it means.
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    #: Organisations the shipped list does not know, used wherever it is (``contract.extra_organisations``).
    organisations: list[Organisation] = field(default_factory=list)
    #: Local rules (``[[rules]]``, see :mod:`disruption_qa.rules`), run as checks beside the built-in ones.
    rules: list[Rule] = field(default_factory=list)
    raw: dict = field(default_factory=dict)

    @cached_property
    def local_checks(self) -> list:
        """The local rules as check classes, in the order declared."""
        return [rule_check(rule, self.path) for rule in self.rules]


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
    unknown = set(raw) - {"columns", "checks", "values", "organisations", "rules", "profile", "period_basis"}
    if unknown:
        raise InputError(
            f"unknown section(s): {', '.join(sorted(unknown))}"
            " (expected columns, checks, values, organisations, rules, profile, period_basis)",
            path,
        )
    for section in ("columns", "checks", "values"):
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
    extra = _organisations(raw.get("organisations", []), path)
    values = _values(raw.get("values", {}), path, [*shipped_organisations(), *(o.name for o in extra)])
    rules = parse_rules(raw.get("rules", []), path)
    return Config(
        path=str(path),
        aliases=aliases,
        checks=raw.get("checks", {}),
        values=values,
        organisations=extra,
        rules=rules,
        raw=raw,
    )


ORGANISATION_KINDS = ("force", "rocu", "agency")


def _organisations(entries: list, path: Path) -> list[Organisation]:
    """``[[organisations]]``: each with a name the shipped list does not have, a kind and a region."""
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise InputError("organisations must be [[organisations]] tables (name, kind, region)", path)
    shipped = {name.casefold() for name in shipped_organisations()}
    out: list[Organisation] = []
    for n, entry in enumerate(entries, 1):
        where = f"[[organisations]] {n}"
        unknown = set(entry) - {"name", "kind", "region"}
        if unknown:
            raise InputError(
                f"{where}: unknown key(s) {', '.join(sorted(unknown))} (expected name, kind, region)", path
            )
        for key in ("name", "kind", "region"):
            if not isinstance(entry.get(key), str) or not entry[key].strip():
                raise InputError(f"{where}: {key} is required, as text", path)
        name = " ".join(entry["name"].split())
        if entry["kind"] not in ORGANISATION_KINDS:
            raise InputError(f"{where} ({name}): kind must be force, rocu or agency, not {entry['kind']!r}", path)
        if name.casefold() in shipped:
            raise InputError(f"{where}: {name} is already on the shipped list of organisations", path)
        if name.casefold() in {o.name.casefold() for o in out}:
            raise InputError(f"{where}: {name} is declared twice", path)
        out.append(Organisation(name, entry["kind"], " ".join(entry["region"].split())))
    return out


def _values(section: dict, path: Path, organisations: list[str]) -> dict[str, dict[str, str]]:
    """``[values."<column>"]``: each export value a column with a list of values may hold (a vocabulary, or the
    organisations: shipped or declared in ``organisations``), mapped to a value on that list."""
    vocabularies = {}
    for kind in EXPORT_KINDS.values():
        for col in kind.columns:
            if col.values or col.organisation:
                vocabularies[normalise_header(col.name)] = col
    out: dict[str, dict[str, str]] = {}
    for column, mapping in section.items():
        col = vocabularies.get(normalise_header(column))
        if col is None:
            choices = ", ".join(sorted({c.name for c in vocabularies.values()}))
            raise InputError(f"[values]: {column!r} is not a column with a list of values (those are: {choices})", path)
        if not isinstance(mapping, dict):
            raise InputError(f'[values."{column}"] must map export values to contract values, not {mapping!r}', path)
        choices = col.values or tuple(organisations)
        allowed = {v.casefold(): v for v in choices}
        for source, target in mapping.items():
            if not isinstance(target, str) or target.casefold() not in allowed:
                listed = ", ".join(choices) if col.values else "an organisation on the list, or one declared"
                raise InputError(
                    f'[values."{column}"]: {source!r} maps to {target!r}, which is not a value of {col.name}'
                    f" (one of: {listed})",
                    path,
                )
            if not value_key(source):
                raise InputError(f'[values."{column}"]: an empty export value cannot be mapped', path)
            out.setdefault(col.name, {})[value_key(source)] = allowed[target.casefold()]
    return out
