"""Local rules: a force's own recording standards, declared in its config and run as checks.

Each ``[[rules]]`` table of a config is one rule::

    [[rules]]
    id = "L001"                      # L001 to L999 (the built-in checks' W IDs are refused)
    title = "Threat Area is required for firearms threats"
    severity = "warning"             # or "error"
    why = "Firearms threats are reviewed by area every month."
    what_to_do = "Fill in the Threat Area from the master list."
    kind = "required"                # one of KINDS
    column = "Threat Area"
    where = { column = "Tactic", values = ["Seizure - Firearms"] }   # required only where this holds

A rule compiles to a pandera ``Check`` (:func:`pandera_check`) that tests a record at a time, vectorised; it
runs as a check of its own (:func:`rule_check` makes the class), on each organisation's records of the
period (disruptions) or its master list (threats), and flags when any record breaks it. Its findings, with
their records, go everywhere a built-in check's do. No expression is evaluated: a rule is data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import pandas as pd

from .contract import EXPORT_KINDS, Column, ExportKind
from .errors import InputError

#: The kinds of rule, and the keys each needs (beyond id, title, severity, why, what_to_do, kind, column).
KINDS: dict[str, tuple[str, ...]] = {
    "required": (),  # the column is filled in (optionally only ``where`` another column has given values)
    "allowed": ("values",),  # the column holds one of ``values`` (blank allowed: see ``required``)
    "pattern": ("pattern",),  # the whole value matches the regular expression ``pattern``
    "max_length": ("max_length",),  # at most ``max_length`` characters
    "date_within": ("not_later_than", "days"),  # the date is at most ``days`` after the date column ``not_later_than``
    "unique": (),  # no two of the organisation's records share the value
}
COMMON = ("id", "title", "severity", "why", "what_to_do", "kind", "column")
#: Columns no rule may read: the free text the checks leave out (``engine.NOT_FOR_CHECKS``).
FREE_TEXT = ("summary",)
OPTIONAL = ("where", "export")
RULE_ID = re.compile(r"L\d{3}")


@dataclass(frozen=True)
class Rule:
    """One local rule, checked when the config was loaded."""

    id: str
    title: str
    severity: str
    why: str
    what_to_do: str
    kind: str
    export: str  # disruptions | threats
    column: str  # the contract's name
    values: tuple[str, ...] = ()
    pattern: str | None = None
    max_length: int | None = None
    not_later_than: str | None = None
    days: int | None = None
    where_column: str | None = None
    where_values: tuple[str, ...] = field(default_factory=tuple)

    @property
    def key(self) -> str:
        return _column(EXPORT_KINDS[self.export], self.column).key

    def describe(self) -> str:
        """What the rule asks, in words."""
        said = {
            "required": f"{self.column} is filled in",
            "allowed": f"{self.column} is one of {', '.join(self.values)} (or blank)",
            "pattern": f"{self.column} matches {self.pattern} (or is blank)",
            "max_length": f"{self.column} has at most {self.max_length} characters",
            "date_within": f"{self.column} is at most {self.days} days after {self.not_later_than}",
            "unique": f"no two of the organisation's records share a {self.column}",
        }[self.kind]
        if self.where_column:
            said += f", where {self.where_column} is {' or '.join(self.where_values)}"
        return said


def _column(kind: ExportKind, name: str) -> Column:
    return kind.named(name)


#: The built-in checks' IDs (W101 ...): never a local rule's.
BUILTIN_ID = re.compile(r"W\d{3}")


def parse_rules(entries: Any, path) -> list[Rule]:
    """The config's ``[[rules]]``, each checked: a mistake is an InputError naming the rule and the key."""
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise InputError("rules must be [[rules]] tables (see docs/config.md)", path)
    rules, seen = [], set()
    for n, entry in enumerate(entries, 1):
        name = entry.get("id") if isinstance(entry.get("id"), str) else f"number {n}"
        where = f"[[rules]] {name}"

        bad = partial(_error, where, path)

        for key in COMMON:
            if key not in entry:
                raise bad(key, "is missing")
        kind = entry["kind"]
        if not isinstance(kind, str) or kind not in KINDS:
            raise bad("kind", f"must be one of {', '.join(KINDS)}, not {kind!r}")
        unknown = set(entry) - set(COMMON) - set(OPTIONAL) - set(KINDS[kind])
        if unknown:
            raise bad(", ".join(sorted(unknown)), f"is not a key of a {kind} rule")
        for key in KINDS[kind]:
            if key not in entry:
                raise bad(key, f"is missing (a {kind} rule needs it)")
        for key in ("id", "title", "why", "what_to_do", "column"):
            if not isinstance(entry[key], str) or not entry[key].strip():
                raise bad(key, "must be text")
        rule_id = entry["id"]
        if BUILTIN_ID.fullmatch(rule_id):
            raise bad("id", f"{rule_id} is a built-in check's ID: a local rule's is L001 to L999")
        if not RULE_ID.fullmatch(rule_id):
            raise bad("id", f"must be L001 to L999, not {rule_id!r}")
        if rule_id in seen:
            raise bad("id", f"{rule_id} is used by two rules")
        seen.add(rule_id)
        if entry["severity"] not in ("warning", "error"):
            raise bad("severity", f"must be warning or error, not {entry['severity']!r}")
        export = entry.get("export")
        if export is not None and (not isinstance(export, str) or export not in EXPORT_KINDS):
            raise bad("export", f"must be disruptions or threats, not {export!r}")
        holding = [k for k in EXPORT_KINDS.values() if _has(k, entry["column"])]
        if export is None and holding:
            export = holding[0].key  # the disruptions export, when both have the column
        if export is None or not _has(EXPORT_KINDS[export], entry["column"]):
            raise bad(
                "column", f"{entry['column']!r} is not a column of the {export or 'disruptions or threats'} export"
            )
        kind_of_export = EXPORT_KINDS[export]
        column = _column(kind_of_export, entry["column"])
        if column.key in FREE_TEXT:
            raise bad(
                "column", f"{column.name} is free text, which the checks never read (it may hold sensitive detail)"
            )
        if kind in ("pattern", "max_length") and column.kind != "text":
            raise bad("column", f"{column.name} is a {column.kind} column: a {kind} rule tests text as written")
        fields: dict[str, Any] = {}
        if kind == "allowed":
            fields["values"] = _spelled(column, _texts(entry["values"], bad, "values"), bad, "values")
        if kind == "pattern":
            if not isinstance(entry["pattern"], str):
                raise bad("pattern", "must be a regular expression, as text")
            try:
                re.compile(entry["pattern"])
            except re.error as exc:
                raise bad("pattern", f"is not a regular expression ({exc})") from None
            fields["pattern"] = entry["pattern"]
        if kind == "max_length":
            if (
                not isinstance(entry["max_length"], int)
                or isinstance(entry["max_length"], bool)
                or entry["max_length"] < 1
            ):
                raise bad("max_length", f"must be a whole number of characters, 1 or more, not {entry['max_length']!r}")
            fields["max_length"] = entry["max_length"]
        if kind == "date_within":
            if column.kind != "date":
                raise bad("column", f"{column.name} is not a date column (a date_within rule compares dates)")
            other = entry["not_later_than"]
            if (
                not isinstance(other, str)
                or not _has(kind_of_export, other)
                or _column(kind_of_export, other).kind != "date"
            ):
                raise bad("not_later_than", f"must be a date column of the {export} export, not {other!r}")
            days = entry["days"]
            if not isinstance(days, int) or isinstance(days, bool) or days < 0:
                raise bad("days", f"must be a whole number of days, 0 or more, not {days!r}")
            fields.update(not_later_than=_column(kind_of_export, other).name, days=days)
        if "where" in entry:
            condition = entry["where"]
            if not isinstance(condition, dict) or set(condition) != {"column", "values"}:
                raise bad("where", 'must be { column = "...", values = ["..."] }')
            if not isinstance(condition["column"], str) or not _has(kind_of_export, condition["column"]):
                raise bad("where", f"names {condition['column']!r}, not a column of the {export} export")
            where_column = _column(kind_of_export, condition["column"])
            if where_column.key in FREE_TEXT:
                raise bad("where", f"names {where_column.name}, free text, which the checks never read")
            fields.update(
                where_column=where_column.name,
                where_values=_spelled(where_column, _texts(condition["values"], bad, "where's values"), bad, "where"),
            )
        rules.append(
            Rule(
                id=rule_id,
                title=entry["title"].strip(),
                severity=entry["severity"],
                why=entry["why"].strip(),
                what_to_do=entry["what_to_do"].strip(),
                kind=kind,
                export=export,
                column=column.name,
                **fields,
            )
        )
    return rules


def _error(where: str, path, key: str, why: str) -> InputError:
    return InputError(f"{where}: {key} {why}", path)


def _has(kind: ExportKind, name: str) -> bool:
    return kind.named(name) is not None


def _spelled(column: Column, values: tuple[str, ...], bad, key: str) -> tuple[str, ...]:
    """``values`` in the contract's spelling when ``column`` has a list of values (in any case), each on it."""
    if not column.values:
        return values
    spelling = {v.casefold(): v for v in column.values}
    for value in values:
        if value.casefold() not in spelling:
            raise bad(key, f"{value!r} is not a value of {column.name} (one of: {', '.join(column.values)})")
    return tuple(spelling[v.casefold()] for v in values)


def _texts(values: Any, bad, key: str) -> tuple[str, ...]:
    if not isinstance(values, list) or not values or not all(isinstance(v, str) and v.strip() for v in values):
        raise bad(key, "must be a list of one or more values, as text")
    return tuple(values)


def applies(rule: Rule, frame: pd.DataFrame) -> pd.Series:
    """Which records of ``frame`` the rule applies to: all, or those whose ``where`` column has its values."""
    if rule.where_column is None:
        return pd.Series(True, index=frame.index)
    key = _column(EXPORT_KINDS[rule.export], rule.where_column).key
    return frame[key].astype("object").isin(rule.where_values)


def pandera_check(rule: Rule):
    """The rule as a pandera ``Check`` on a frame of the export's typed columns: True where a record keeps it
    (a record the rule does not apply to keeps it)."""
    import pandera.pandas as pa

    key = rule.key
    kinds = EXPORT_KINDS[rule.export]

    def text(frame: pd.DataFrame) -> pd.Series:
        return frame[key].astype("string")

    def keeps(frame: pd.DataFrame) -> pd.Series:
        within = applies(rule, frame)
        if rule.kind == "required":
            ok = frame[key].notna()
        elif rule.kind == "allowed":
            ok = frame[key].isna() | frame[key].astype("object").isin(rule.values)
        elif rule.kind == "pattern":
            ok = frame[key].isna() | text(frame).str.match(f"(?:{rule.pattern})$").fillna(False).astype(bool)
        elif rule.kind == "max_length":
            ok = frame[key].isna() | (text(frame).str.len() <= rule.max_length).fillna(True).astype(bool)
        elif rule.kind == "date_within":
            other = _column(kinds, rule.not_later_than).key
            ok = frame[key].isna() | frame[other].isna() | (frame[key] <= frame[other] + pd.Timedelta(days=rule.days))
        else:  # unique among the records it applies to
            values = frame[key].where(within)
            ok = values.isna() | ~values.duplicated(keep=False)
        return ok | ~within

    return pa.Check(keeps, name=rule.id, error=rule.describe())


def rule_check(rule: Rule, source: str | None):
    """The rule as a check class: its metadata from the rule, its documentation from its why and what to do."""
    from .checks.base import Check, Context, Finding

    check = pandera_check(rule)
    records = "threats" if rule.export == "threats" else "disruptions"
    id_key = EXPORT_KINDS[rule.export].id_column
    basis = f"A local rule, declared in {source}." if source else "A local rule, declared in the config."

    class LocalRule(Check):
        __doc__ = (
            f"{rule.title}.\n\n"
            f"What it checks:\n{rule.describe()[0].upper() + rule.describe()[1:]}, in each of the organisation's"
            f" {'records of the period' if records == 'disruptions' else 'threats on the master list'}; any"
            " record that does not flags.\n\n"
            f"Why it matters:\n{rule.why}\n\nBasis:\n{basis}\n\nWhat to do:\n{rule.what_to_do}\n"
        )

        def run(self, ctx: Context) -> Finding:
            frame = ctx.in_period if records == "disruptions" else ctx.all_threats
            if frame is None:
                return self.not_applicable("no SOC master list was given (use --threats)")
            if len(frame) == 0:
                return self.not_applicable("the organisation has no records to apply it to")
            keeps = check(frame).check_output
            broken = frame[id_key][~keeps.to_numpy(dtype=bool)]
            within = int(applies(rule, frame).sum())  # the records it applies to
            noun = "records" if records == "disruptions" else "threats"
            if within == 0:
                return self.finding(None, f"No {noun} {rule.id} applies to ({rule.describe()}).", value=0)
            message = (
                f"{len(broken)} of {within} {noun} break {rule.id}: {rule.describe()}."
                if len(broken)
                else f"Every one of {within} {noun} keeps {rule.id}: {rule.describe()}."
            )
            return self.finding(len(broken) > 0, message, value=len(broken), records=broken)

    LocalRule.id = rule.id
    LocalRule.name = f"local-{rule.id.lower()}"
    LocalRule.title = rule.title
    LocalRule.records = records
    LocalRule.severity = rule.severity
    LocalRule.needs_master_list = records == "threats"
    LocalRule.params = {}
    LocalRule.__name__ = LocalRule.__qualname__ = f"LocalRule{rule.id}"
    return LocalRule
