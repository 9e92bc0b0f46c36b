"""The user's catalogue: default settings, named profiles, and a config's overrides.

Settings are layered, later wins: each check's defaults (declared on its class,
:meth:`Check.defaults <disruption_qa.checks.base.Check.defaults>`), then the
profile's ``[checks.*]``, then the user's ``--config`` ``[checks.*]``. A check
is named by its ID (``W101``) or its name (``pursue-skew``).

``checks/defaults.toml`` lists the same defaults for users to read; it is
generated from the classes (:func:`disruption_qa.render.catalogue_docs.defaults_toml`)
and a test holds it to them, so the tool does not read it.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field, replace
from importlib.resources.abc import Traversable
from typing import Any

import pandas as pd

from .checks import BY_KEY, CATALOGUE
from .checks.base import SEVERITIES
from .config import Config
from .errors import InputError
from .resources import data_dir

#: The dates a period may be taken on (``period_basis``), and their columns.
PERIOD_BASES = {"record": "record_date", "disruption": "disruption_date"}


@dataclass(frozen=True)
class Profile:
    """A named set of filters (what counts) and check settings."""

    name: str
    description: str
    disruptions: dict[str, Any] = field(default_factory=dict)
    threats: dict[str, Any] = field(default_factory=dict)
    checks: dict[str, dict] = field(default_factory=dict)

    def counted(self, frame: pd.DataFrame) -> pd.Series:
        """Which records (already in the period) the profile counts."""
        mask = pd.Series(True, index=frame.index)
        if self.disruptions.get("types"):
            mask &= frame["disruption_type"].isin(self.disruptions["types"])
        if self.disruptions.get("assessment_categories"):
            mask &= frame["assessment_category"].isin(self.disruptions["assessment_categories"])
        return mask

    def threats_counted(self, frame: pd.DataFrame) -> pd.Series:
        """Which master-list threats the profile counts."""
        f = self.threats
        mask = pd.Series(True, index=frame.index)
        for key, column in (
            ("assessment_types", "assessment_type"),
            ("moderation_statuses", "moderation_status"),
            ("soc_statuses", "soc_status"),
        ):
            if f.get(key):
                mask &= frame[column].isin(f[key])
        if f.get("exclude_tiers"):
            mask &= ~frame["tier"].isin(f["exclude_tiers"])
        for word in f.get("exclude_phases_containing", []):
            mask &= ~frame["phase"].fillna("").str.contains(word, case=False, regex=False)
        return mask

    @property
    def period_basis(self) -> str:
        """The date the period is taken on: ``record`` (Record Date) or ``disruption`` (Disruption Date)."""
        return self.disruptions.get("period_basis", "record")

    @property
    def period_column(self) -> str:
        return PERIOD_BASES[self.period_basis]

    @property
    def also_by_disruption_date(self) -> bool:
        """Whether each organisation's figures by Disruption Date are given beside the headline ones (a profile
        that keeps an inspection's Record Date filter)."""
        return bool(self.disruptions.get("also_by_disruption_date"))

    def with_period_basis(self, basis: str | None, where: str | None = None) -> Profile:
        """The profile with its period taken on ``basis`` (None: as it is). A profile that gives the figures by
        Disruption Date beside its own keeps its basis: another is an :class:`InputError`."""
        if basis is None or basis == self.period_basis:
            return self
        if basis not in PERIOD_BASES:
            raise InputError(f"period_basis must be record or disruption, not {basis!r}", where)
        if self.also_by_disruption_date:
            raise InputError(
                f"the {self.name} profile takes the period on Record Date, as the inspection did, and gives each"
                " organisation's figures by Disruption Date beside them: leave period_basis out",
                where,
            )
        return replace(self, disruptions={**self.disruptions, "period_basis": basis})


def _load_toml(path: Traversable) -> dict:
    """A shipped TOML file, read through importlib.resources (see :mod:`disruption_qa.resources`)."""
    return tomllib.loads(path.read_text("utf-8"))


def defaults() -> dict[str, dict]:
    """Every check's default settings by ID: ``enabled``, ``severity`` (single-level checks), its params."""
    return {c.id: c.defaults() for c in CATALOGUE}


def profile_names() -> list[str]:
    return sorted(
        p.name.removesuffix(".toml") for p in (data_dir("checks") / "profiles").iterdir() if p.name.endswith(".toml")
    )


def load_profile(name: str) -> Profile:
    path = data_dir("checks") / "profiles" / f"{name}.toml"
    if not path.is_file():
        raise InputError(f"unknown profile {name!r} (profiles: {', '.join(profile_names())})")
    raw = _load_toml(path)
    return Profile(
        name=name,
        description=raw.get("description", ""),
        disruptions=raw.get("disruptions", {}),
        threats=raw.get("threats", {}),
        checks=raw.get("checks", {}),
    )


def _merge(target: dict[str, dict], layer: dict[str, dict], where: str) -> None:
    named: dict[str, str] = {}  # check ID -> the key this layer set it under
    for key, values in layer.items():
        check = BY_KEY.get(key)
        if check is None:
            raise InputError(f"{where}: [checks.{key}] is not a check (see `disruption-qa checks`)")
        if check.id in named:
            raise InputError(
                f"{where}: {check.id} is set twice, as [checks.{named[check.id]}] and [checks.{key}]: keep one"
            )
        named[check.id] = key
        if not isinstance(values, dict):
            raise InputError(f"{where}: [checks.{key}] must be a table of settings")
        allowed = check.all_params()
        for name, value in values.items():
            if name in check.moved:
                raise InputError(
                    f"{where}: {check.id} ({check.name}) has no setting {name!r} since version"
                    f" {check.moved[name][1]}: it is {check.moved[name][0]}'s now ([checks.{check.moved[name][0]}])"
                )
            if name not in allowed:
                raise InputError(
                    f"{where}: {check.id} ({check.name}) has no setting {name!r} (settings: {', '.join(allowed)})"
                )
            kind = allowed[name].kind
            ok = isinstance(value, kind) or (kind is float and isinstance(value, int) and not isinstance(value, bool))
            if not ok or (kind in (int, float) and isinstance(value, bool)):
                raise InputError(f"{where}: {check.id} setting {name!r} must be a {kind.__name__}, not {value!r}")
            if name == "severity" and value not in SEVERITIES:
                raise InputError(f"{where}: {check.id} severity must be warning or error, not {value!r}")
            _in_range(allowed[name], value, f"{where}: {check.id} setting {name!r}")
            target[check.id][name] = value
        levels = target[check.id]
        if (
            levels.get("warning") is not None
            and levels.get("error") is not None
            and levels["warning"] > levels["error"]
        ):
            raise InputError(
                f"{where}: {check.id} warning ({levels['warning']}) is above its error level ({levels['error']}):"
                " the warning level must be the lower"
            )


def _in_range(param, value, what: str) -> None:
    """Raise an InputError for a value of the right type that cannot mean anything: a share outside 0 to 1
    (or not a number at all: nan, inf), a negative count, an empty list or one naming an unknown value."""
    if param.kind is float and not (math.isfinite(value) and 0 <= value <= 1):
        raise InputError(f"{what} is a share and must be from 0 to 1 (0.7 for 70%), not {value!r}")
    if param.kind is int and value < 0:
        raise InputError(f"{what} must not be negative, not {value!r}")
    if param.kind is list:
        if not value:
            raise InputError(f"{what} must name at least one value")
        unknown = [v for v in value if not isinstance(v, str) or (param.choices and v not in param.choices)]
        if unknown:
            choices = f" (one of {', '.join(param.choices)})" if param.choices else ""
            raise InputError(f"{what}: {unknown[0]!r} is not an allowed value{choices}")


def settings_for(profile: Profile, config: Config | None = None) -> dict[str, dict]:
    """Every check's settings: defaults, then the profile, then the user's config."""
    settings = defaults()
    _merge(settings, profile.checks, f"profile {profile.name}")
    if config is not None and config.checks:
        _merge(settings, config.checks, config.path or "config")
    for rule in config.local_checks if config is not None else []:
        settings[rule.id] = rule.defaults()
    return settings
