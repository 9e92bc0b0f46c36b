"""pandera schemas of the two exports, built from the contract's rules.

Every rule is declared once, in :mod:`disruption_qa.contract`: a column's own
rules (:attr:`contract.Column.rules`: required, unique ID, the date or number
parses, not negative, allowed values, known organisation) and the rules across a
record's columns (:attr:`contract.ExportKind.all_record_rules`). This module only
turns each into a pandera check named after it, and pandera runs them.

The schemas run on a *validation frame* (see :func:`validation_frame`): the
typed values under their contract keys, plus the original text of each date
and number column under ``<key>__text`` so a rule can tell a blank cell from
one that does not parse. The extraction date travels in ``frame.attrs``.

A rule on a column's values alone is a column check named as the rule
(``required``, ``allowed``...). A rule that reads more than one column of the
frame (a parse rule reads the text as written too) is a wide (dataframe-level)
check named ``<rule>:<column key>``: the column is the one the user must fix,
and :mod:`disruption_qa.validation` reports the failure there.
"""

from __future__ import annotations

from functools import cache

import pandas as pd
import pandera.pandas as pa

from . import contract as c

TEXT_SUFFIX = c.TEXT_SUFFIX

#: Failure cases pandera keeps of a wide check. It would list each failing row once per column of
#: the frame (a million failing rows: tens of millions of cases, gigabytes); one case says the check
#: failed, and validation.py takes every failing row from the check's own mask.
WIDE_CASES = 1

#: The dtype of each kind of column in a typed frame (see ``reading.typed_frame``).
DTYPES = {"text": str, "date": pd.Timestamp, "number": float}


def wide_check(name: str, test) -> pa.Check:
    """A dataframe check (a rule across columns), named ``rule:column`` for the column it is reported in.

    ``ignore_na=False``: otherwise pandera passes the rows with every column blank,
    finding them by testing every value of the frame once per rule (a national
    extraction: 20 million cells, 20 times); the reader drops blank rows anyway."""
    return pa.Check(test, name=name, n_failure_cases=WIDE_CASES, ignore_na=False)


def column_check(rule: c.ColumnRule) -> pa.Check:
    """A rule on a column's values alone, as a check of that column named as the rule.

    ``ignore_na=False``: each rule says itself what a blank cell does (only
    ``required`` fails it), and pandera need not copy the column without its blanks."""
    return pa.Check(rule.passes, name=rule.name, ignore_na=False)


def parse_check(rule: c.ColumnRule) -> pa.Check:
    """A rule reading the column's text as written beside its values; an absent optional column passes."""
    key = rule.column

    def test(df: pd.DataFrame) -> pd.Series:
        if key not in df:
            return pd.Series(True, index=df.index)
        return rule.passes(df[key], df[key + TEXT_SUFFIX])

    return wide_check(f"{rule.name}:{key}", test)


def record_check(rule: c.RecordRule) -> pa.Check:
    """A rule across a record's columns; the extraction date comes from the frame's attrs."""
    return wide_check(f"{rule.name}:{rule.column}", lambda df: rule.passes(df, df.attrs.get("extraction_date")))


def build_schema(kind: c.ExportKind) -> pa.DataFrameSchema:
    """The schema of an export: every rule of the contract's columns and records, in the columns' order.

    A column is in the schema when a rule tests its values alone; it must be
    present when it is required (the reader refuses a file without it). Extra
    columns are allowed and kept; nothing is coerced (the frame is typed already).
    """
    columns = {
        col.key: pa.Column(
            DTYPES[col.kind],
            checks=[column_check(rule) for rule in col.rules if not rule.reads_text],
            nullable=True,  # the rule "required" says which columns must not be blank, and reports them
            required=col.required,
        )
        for col in kind.columns
        if any(not rule.reads_text for rule in col.rules)
    }
    checks = [parse_check(rule) for rule in kind.column_rules if rule.reads_text]
    checks += [record_check(rule) for rule in kind.all_record_rules]
    return pa.DataFrameSchema(columns, checks=checks, name=kind.title, strict=False, coerce=False)


def validation_frame(typed: pd.DataFrame, text: pd.DataFrame, kind: c.ExportKind, extraction_date) -> pd.DataFrame:
    """Typed values plus the original text of parsed columns, ready for a schema."""
    extra = {
        rule.column + TEXT_SUFFIX: text[rule.column]
        for rule in kind.column_rules
        if rule.reads_text and rule.column in text.columns
    }
    frame = typed.assign(**extra)
    frame.attrs["extraction_date"] = pd.Timestamp(extraction_date) if extraction_date else None
    return frame


@cache
def schema_for(kind: c.ExportKind) -> pa.DataFrameSchema:
    """The schema of an export kind, built once per process."""
    return build_schema(kind)
