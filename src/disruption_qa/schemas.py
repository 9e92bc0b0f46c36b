"""pandera schemas of the two exports, taken from the contract.

The schemas run on a *validation frame* (see :func:`validation_frame`): the
typed values under their contract keys, plus the original text of each date
and number column under ``<key>__text`` so a rule can tell a blank cell from
one that does not parse. The extraction date travels in ``frame.attrs``.

Wide (dataframe-level) checks are named ``<rule>:<column key>``: the column is
the one the user must fix, and :mod:`disruption_qa.validation` reports the
failure there. Column-level checks are pandera's own (``not_nullable``, ``isin``,
``greater_than_or_equal_to``), and ``unique`` for the ID columns (see
:func:`_used_once`).
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from . import contract as c

TEXT_SUFFIX = "__text"

#: Failure cases pandera keeps of a wide check. It would list each failing row once per column of
#: the frame (a million failing rows: tens of millions of cases, gigabytes); one case says the check
#: failed, and validation.py takes every failing row from the check's own mask.
WIDE_CASES = 1


def wide_check(name: str):
    """A dataframe check (a rule across columns), named ``rule:column`` for the column it is reported in.

    ``ignore_na=False``: otherwise pandera passes the rows with every column blank,
    finding them by testing every value of the frame once per rule (a national
    extraction: 20 million cells, 20 times); the reader drops blank rows anyway."""
    return pa.dataframe_check(name=name, n_failure_cases=WIDE_CASES, ignore_na=False)


ORGS = list(c.organisation_names())


def validation_frame(typed: pd.DataFrame, text: pd.DataFrame, kind: c.ExportKind, extraction_date) -> pd.DataFrame:
    """Typed values plus the original text of parsed columns, ready for a schema."""
    extra = {
        col.key + TEXT_SUFFIX: text[col.key]
        for col in kind.columns
        if col.kind in ("date", "number") and col.key in text.columns
    }
    frame = typed.assign(**extra)
    frame.attrs["extraction_date"] = pd.Timestamp(extraction_date) if extraction_date else None
    return frame


# --- wide-check builders -------------------------------------------------------------


def _parseable(df: pd.DataFrame, key: str) -> pd.Series:
    return df[key + TEXT_SUFFIX].isna() | df[key].notna()


def _used_once(ids: pd.Series) -> pd.Series:
    """True where an ID is used by one row only (a blank one passes: it is reported as required).

    One hash pass over the IDs; pandera's own ``unique=True`` makes two
    (``is_unique``, then ``duplicated``): 0.15 s more on a million IDs. The
    check sees the blanks too (``ignore_na=False``): leaving them out would copy
    every ID, which costs more than the pass saves."""
    return ~ids.duplicated(keep=False) | ids.isna()


def _not_after_extraction(df: pd.DataFrame, key: str) -> pd.Series:
    limit = df.attrs.get("extraction_date")
    if limit is None or pd.isna(limit):
        return pd.Series(True, index=df.index)
    return df[key].isna() | (df[key] <= limit)


class DisruptionsSchema(pa.DataFrameModel):
    """The disruptions export: one row per disruption record."""

    disruption_id: Series[str] = pa.Field(nullable=False)
    recording_organisation: Series[str] = pa.Field(nullable=False, isin=ORGS)
    disruption_type: Series[str] = pa.Field(nullable=False, isin=list(c.DISRUPTION_TYPES))
    supported_organisation: Series[str] | None = pa.Field(nullable=True, isin=ORGS)
    threat_id: Series[str] = pa.Field(nullable=False)
    threat_type: Series[str] = pa.Field(nullable=False, isin=list(c.THREAT_TYPES))
    disruption_date: Series[pd.Timestamp] = pa.Field(nullable=False)
    record_date: Series[pd.Timestamp] = pa.Field(nullable=False)
    strand: Series[str] = pa.Field(nullable=False, isin=list(c.STRANDS))
    assessment_category: Series[str] = pa.Field(nullable=False, isin=list(c.ASSESSMENT_CATEGORIES))
    tactic: Series[str] = pa.Field(nullable=False, isin=list(c.TACTICS))
    recorded_by: Series[str] = pa.Field(nullable=False)

    @pa.check("disruption_id", name="unique", ignore_na=False)
    def _disruption_id_unique(cls, ids):
        return _used_once(ids)

    @wide_check("date:disruption_date")
    def _disruption_date_parses(cls, df):
        return _parseable(df, "disruption_date")

    @wide_check("date:record_date")
    def _record_date_parses(cls, df):
        return _parseable(df, "record_date")

    @wide_check("record_before_disruption:record_date")
    def _recorded_after_it_happened(cls, df):
        return df["record_date"].isna() | df["disruption_date"].isna() | (df["record_date"] >= df["disruption_date"])

    @wide_check("after_extraction:disruption_date")
    def _disruption_not_after_extraction(cls, df):
        return _not_after_extraction(df, "disruption_date")

    @wide_check("after_extraction:record_date")
    def _record_not_after_extraction(cls, df):
        return _not_after_extraction(df, "record_date")

    @wide_check("support_needs_supported:supported_organisation")
    def _support_names_supported(cls, df):
        if "supported_organisation" not in df:
            return df["disruption_type"] != c.SUPPORT
        return (df["disruption_type"] != c.SUPPORT) | df["supported_organisation"].notna()

    class Config:
        strict = False  # extra columns are allowed and kept
        coerce = False


class ThreatsSchema(pa.DataFrameModel):
    """The SOC master list export: one row per threat."""

    threat_id: Series[str] = pa.Field(nullable=False)
    owning_organisation: Series[str] = pa.Field(nullable=False, isin=ORGS)
    threat_type: Series[str] = pa.Field(nullable=False, isin=list(c.THREAT_TYPES))
    assessment_type: Series[str] = pa.Field(nullable=False, isin=list(c.ASSESSMENT_TYPES))
    soc_status: Series[str] = pa.Field(nullable=False, isin=list(c.SOC_STATUSES))
    moderation_status: Series[str] = pa.Field(nullable=False, isin=list(c.MODERATION_STATUSES))
    tier: Series[str] | None = pa.Field(nullable=True, isin=list(c.TIERS))
    morile_score: Series[float] | None = pa.Field(nullable=True, ge=0)
    phase: Series[str] = pa.Field(nullable=False, isin=list(c.PHASES))
    created_date: Series[pd.Timestamp] = pa.Field(nullable=False)

    @pa.check("threat_id", name="unique", ignore_na=False)
    def _threat_id_unique(cls, ids):
        return _used_once(ids)

    @wide_check("number:morile_score")
    def _morile_parses(cls, df):
        return _parseable(df, "morile_score") if "morile_score" in df else pd.Series(True, index=df.index)

    @wide_check("date:created_date")
    def _created_parses(cls, df):
        return _parseable(df, "created_date")

    @wide_check("date:closed_date")
    def _closed_parses(cls, df):
        return _parseable(df, "closed_date") if "closed_date" in df else pd.Series(True, index=df.index)

    @wide_check("date:last_review_date")
    def _review_parses(cls, df):
        return _parseable(df, "last_review_date") if "last_review_date" in df else pd.Series(True, index=df.index)

    @wide_check("closed_needs_date:closed_date")
    def _closed_has_date(cls, df):
        closed = df["phase"].isin(c.CLOSED_PHASES)
        if "closed_date" not in df:
            return ~closed
        return ~closed | df["closed_date"].notna() | df["closed_date" + TEXT_SUFFIX].notna()

    @wide_check("closed_before_created:closed_date")
    def _closed_after_created(cls, df):
        if "closed_date" not in df:
            return pd.Series(True, index=df.index)
        return df["closed_date"].isna() | df["created_date"].isna() | (df["closed_date"] >= df["created_date"])

    @wide_check("after_extraction:created_date")
    def _created_not_after_extraction(cls, df):
        return _not_after_extraction(df, "created_date")

    @wide_check("after_extraction:closed_date")
    def _closed_not_after_extraction(cls, df):
        return _not_after_extraction(df, "closed_date") if "closed_date" in df else pd.Series(True, index=df.index)

    @wide_check("after_extraction:last_review_date")
    def _review_not_after_extraction(cls, df):
        if "last_review_date" not in df:
            return pd.Series(True, index=df.index)
        return _not_after_extraction(df, "last_review_date")

    class Config:
        strict = False
        coerce = False


SCHEMAS = {"disruptions": DisruptionsSchema, "threats": ThreatsSchema}
