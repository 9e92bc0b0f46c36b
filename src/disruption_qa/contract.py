"""The export layout disruption-qa reads: columns, vocabularies, tactics, organisations.

This module is the one place that holds the facts of the APMIS-style export
contract (``EXPORTS.md`` in the project's shared contract). The package ships
them; nothing is read from outside the installed package at run time.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache, cached_property
from typing import TYPE_CHECKING

from .resources import organisations_csv

if TYPE_CHECKING:
    from pandas import DataFrame, Series, Timestamp

# --- vocabularies --------------------------------------------------------------

LEAD = "Lead Disruption"
SUPPORT = "Support Disruption"
DISRUPTION_TYPES = (LEAD, SUPPORT)

OCG = "Organised Crime Group"
PRIORITY_INDIVIDUAL = "Priority Individual"
VULNERABILITY = "SOC Vulnerability"
THREAT_TYPES = (OCG, PRIORITY_INDIVIDUAL, VULNERABILITY)

STRANDS = ("Pursue", "Prevent", "Protect", "Prepare")

ASSESSMENT_CATEGORIES = ("Major", "Moderate", "Minor", "None", "Negative", "Pending")
#: The categories the inspectors counted (Appendix 2).
COUNTED_ASSESSMENTS = ("Major", "Moderate", "Minor")

ASSESSMENT_TYPES = ("Tactical", "Strategic")
SOC_STATUSES = ("SOC", "Non-SOC")
MODERATION_STATUSES = ("Moderated", "Unmoderated")
TIERS = ("Tier 1", "Tier 2", "Tier 3", "Tier 4", "Tier 5")
PHASES = ("Active", "Dormant", "Closed - Dismantled", "Closed - Archived", "Closed - Merged")
CLOSED_PHASES = tuple(p for p in PHASES if "Closed" in p)
#: The phases of the threats in scope: every threat not closed (a dormant threat still needs a score, a tier,
#: an owner and a plan, as the inspectors' own filter "Phase not contains closed" keeps it).
PHASES_IN_SCOPE = ("Active", "Dormant")

THREAT_AREAS = (
    "Drugs Supply",
    "County Lines",
    "Firearms",
    "Modern Slavery and Human Trafficking",
    "Fraud",
    "Money Laundering",
    "Organised Acquisitive Crime",
    "Intellectual Property Crime",
    "Cyber Crime",
    "Organised Immigration Crime",
    "Child Sexual Abuse and Exploitation",
    "Prison Corruption",
)

#: Each tactic and the strand it usually serves (contract, "Tactics and the strand they usually serve").
TACTIC_STRAND: dict[str, str] = {
    "Arrest": "Pursue",
    "Charge": "Pursue",
    "Conviction": "Pursue",
    "Search Warrant": "Pursue",
    "Seizure - Drugs": "Pursue",
    "Seizure - Cash": "Pursue",
    "Seizure - Firearms": "Pursue",
    "Asset Confiscation": "Pursue",
    "Account Freezing Order": "Pursue",
    "Vehicle Stop": "Pursue",
    "Serious Crime Prevention Order": "Prevent",
    "Ancillary Order": "Prevent",
    "Offender Management": "Prevent",
    "Diversionary Intervention": "Prevent",
    "Education and Awareness": "Prevent",
    "Safeguarding Referral": "Protect",
    "Victim Support": "Protect",
    "Closure Order": "Protect",
    "Cuckooing Intervention": "Protect",
    "Target Hardening": "Protect",
    "Partnership Enforcement": "Protect",
    "Community Resilience": "Prepare",
    "Contingency Planning": "Prepare",
}
TACTICS = tuple(TACTIC_STRAND)


# --- rules ---------------------------------------------------------------------------
#
# Every rule the exports' cells must keep is declared here, once, with the one vectorised test
# that says which cells keep it. A column's own rules are derived from its Column (below); the
# rules across a record's columns are listed on its ExportKind. schemas.py runs every test through
# pandera; validation.py's whole-file guards run the same tests before pandera does, and names each
# failure by the rule's name (the key of ``validation.RULES``).

#: The suffix of the columns of a validation frame holding a parsed column's text as written
#: (``record_date__text``): a rule tells a blank cell from one that does not parse by it.
TEXT_SUFFIX = "__text"


@dataclass(frozen=True)
class ColumnRule:
    """A rule one column's cells keep, and its test.

    ``passes(values, text)`` is True where a cell keeps the rule: ``values`` is the
    column typed (dates and numbers parsed, vocabularies in the contract's spelling),
    ``text`` the column as written, given to the rules that ``reads_text`` (whether a
    date or number parses). Only ``required`` fails a blank cell: every other rule
    passes it, so that a blank is reported once.
    """

    #: The rule: required | unique | date | number | not_negative | allowed | organisation | control_character.
    name: str
    column: str  # the column's key
    test: Callable[..., Series] = field(repr=False, compare=False)
    reads_text: bool = False

    def passes(self, values: Series, text: Series | None = None) -> Series:
        return self.test(values, text) if self.reads_text else self.test(values)


@dataclass(frozen=True)
class RecordRule:
    """A rule across a record's columns, reported in ``column`` (the one the user must fix).

    ``passes(frame, extraction_date)`` is True where a record keeps the rule; ``frame``
    holds the typed columns and, for the rules that need it, a parsed column's text
    under ``<key>__text`` (see ``TEXT_SUFFIX``). An optional column may be absent.
    """

    name: str
    column: str
    test: Callable[[DataFrame, Timestamp | None], Series] = field(repr=False, compare=False)

    def passes(self, frame: DataFrame, extraction_date: Timestamp | None) -> Series:
        return self.test(frame, extraction_date)


def _present(values: Series) -> Series:
    return values.notna()


def _used_once(values: Series) -> Series:
    """True where an ID is used by one row only (a blank one passes: it is reported as required).

    An export lists its records in ID order, as a rule: then a repeated ID is one equal to a neighbour, found by
    comparing each ID with the next (:func:`_repeated_in_order`). Otherwise one hash pass over the IDs; pandera's
    own ``unique=True`` makes two (``is_unique``, then ``duplicated``)."""
    import pandas as pd  # here: the contract's facts are read without pandas

    repeated = _repeated_in_order(values)
    if repeated is None:
        return ~values.duplicated(keep=False) | values.isna()
    return values.isna() | pd.Series(~repeated, index=values.index)


def arrow_array(values: Series):
    """The pyarrow array (often chunked) a pandas Series holds, or None when it is not pyarrow-backed."""
    try:
        return values.array.__arrow_array__()
    except AttributeError:
        return None


def _repeated_in_order(values: Series):
    """Where each value of a pyarrow-backed text column equals the one before or after it (blanks skipped), as a
    numpy mask, when its values are in order (each at least the one before); else None."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    array = arrow_array(values)
    if array is None:
        return None
    array = array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array
    filled = array.is_valid().to_numpy(zero_copy_only=False)
    present = array.filter(pa.array(filled)) if array.null_count else array
    if len(present) < 2:
        return np.zeros(len(array), bool)
    after, before = present[1:], present[:-1]
    if not pc.all(pc.greater_equal(after, before)).as_py():
        return None
    same = pc.equal(after, before).to_numpy(zero_copy_only=False)
    repeated = np.zeros(len(present), bool)
    repeated[1:] |= same
    repeated[:-1] |= same
    if not array.null_count:
        return repeated
    everywhere = np.zeros(len(array), bool)
    everywhere[filled] = repeated
    return everywhere


def _parses(values: Series, text: Series) -> Series:
    """A blank cell, or one whose text became a value (a date or number that parses)."""
    return text.isna() | values.notna()


def _not_negative(values: Series) -> Series:
    return values.isna() | (values >= 0)


#: Control characters in a free-text value: C0 (tab and line breaks included), DEL and C1. Only the Summary
#: may hold tabs and line breaks. (Character classes only: pandas hands the pattern to pyarrow's RE2.)
CONTROLS = "[\x00-\x1f\x7f-\x9f]"
CONTROLS_BUT_LINE_BREAKS = "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"


def controls(multiline: bool) -> str:
    """The control characters a column may not hold: tabs and line breaks are allowed in a multiline one."""
    return CONTROLS_BUT_LINE_BREAKS if multiline else CONTROLS


#: The UTF-8 bytes of the tab and line breaks the Summary may hold.
_LINE_BREAK_BYTES = (0x09, 0x0A, 0x0D)
#: The bytes of a column scanned at once for control characters (the scan's temporary arrays are as large).
_SCAN_BLOCK = 1 << 22


def may_hold_controls(values, line_breaks_allowed: bool) -> bool:
    """False when no value of a text column (a pandas Series backed by pyarrow, or a pyarrow array) holds a
    control character, found by scanning its UTF-8 bytes with numpy a block at a time (one pass over the
    bytes, far quicker than a regular expression value by value). True when one may
    (each value is then tested), or the column is not pyarrow-backed. A C0 control or DEL is one byte below
    0x80 (never part of another character); a C1 control is 0xC2 followed by 0x80 to 0x9F."""
    import numpy as np
    import pyarrow as pa

    array = values if isinstance(values, pa.ChunkedArray | pa.Array) else arrow_array(values)
    if array is None:  # not pyarrow-backed
        return True
    chunks = array.chunks if isinstance(array, pa.ChunkedArray) else [array]
    for chunk in chunks:
        if not (pa.types.is_string(chunk.type) or pa.types.is_large_string(chunk.type)):
            return True
        data = chunk.buffers()[2]  # every value's bytes (a sliced chunk's hold more values: at worst, a test)
        octets = np.frombuffer(data, np.uint8) if data is not None else np.empty(0, np.uint8)
        for start in range(0, len(octets), _SCAN_BLOCK):
            block = octets[start : start + _SCAN_BLOCK + 1]  # one byte more: a C1 control across two blocks
            low = block[block < 0x20]
            if len(low) and (not line_breaks_allowed or not np.isin(low, _LINE_BREAK_BYTES).all()):
                return True
            lead = np.flatnonzero(block[:-1] == 0xC2) + 1
            if (block == 0x7F).any() or (len(lead) and (block[lead] <= 0x9F).any()):  # continuations: 0x80-0xBF
                return True
    return False


def _free_of(multiline: bool) -> Callable[[Series], Series]:
    pattern = controls(multiline)

    def test(values: Series) -> Series:
        if not may_hold_controls(values, line_breaks_allowed=multiline):
            import pandas as pd

            return pd.Series(True, index=values.index)
        return ~values.str.contains(pattern, regex=True, na=False)  # a blank cell holds none

    return test


def _on_list(allowed: tuple[str, ...]) -> Callable[[Series], Series]:
    def test(values: Series) -> Series:
        return values.isna() | values.isin(allowed)

    return test


def _known_organisation(values: Series) -> Series:
    return values.isna() | values.isin(organisation_names())


# --- columns -------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column of an export: its name as the contract spells it and its rules."""

    name: str
    required: bool
    kind: str = "text"  # text | date | number
    values: tuple[str, ...] | None = None  # a closed vocabulary
    organisation: bool = False  # values must be names in organisations.csv
    unique: bool = False  # no two records share a value (the export's ID)
    not_negative: bool = False  # a number 0 or more
    multiline: bool = False  # free text that may hold tabs and line breaks (the Summary)

    @cached_property
    def key(self) -> str:
        """The snake_case name used inside the package (``Disruption ID`` -> ``disruption_id``)."""
        return re.sub(r"[^a-z0-9]+", "_", self.name.lower()).strip("_").replace("4p_", "")

    @cached_property
    def rules(self) -> tuple[ColumnRule, ...]:
        """The rules this column's cells keep, each derived from one of its fields above."""
        key, rules = self.key, []
        if self.required:
            rules.append(ColumnRule("required", key, _present))
        if self.unique:
            rules.append(ColumnRule("unique", key, _used_once))
        if self.kind in ("date", "number"):
            rules.append(ColumnRule(self.kind, key, _parses, reads_text=True))
        if self.not_negative:
            rules.append(ColumnRule("not_negative", key, _not_negative))
        if self.values:
            rules.append(ColumnRule("allowed", key, _on_list(self.values)))
        if self.organisation:
            rules.append(ColumnRule("organisation", key, _known_organisation))
        if self.kind == "text" and not self.values and not self.organisation:  # free text: IDs, names, notes
            rules.append(ColumnRule("control_character", key, _free_of(self.multiline)))
        return tuple(rules)


@dataclass(frozen=True)
class ExportKind:
    """One of the two exports in an extraction."""

    key: str  # disruptions | threats
    title: str  # what a user calls it
    columns: tuple[Column, ...]
    #: The rules across a record's columns; every date column's ``after_extraction`` is added to them.
    record_rules: tuple[RecordRule, ...] = ()

    def __reduce__(self):
        # the contract's own kinds are pickled by their key (their rules hold functions defined in functions,
        # which pickle cannot name), for a process that has the contract already: one forked to validate
        # (parallel.Ready); another kind under the same key must not come back as the contract's
        if EXPORT_KINDS.get(self.key) is not self:
            raise TypeError(f"only the contract's own export kinds can be pickled, not another {self.key!r}")
        return _export_kind, (self.key,)

    def __copy__(self) -> ExportKind:  # frozen: a copy is the kind itself
        return self

    def __deepcopy__(self, memo: dict) -> ExportKind:
        return self

    @property
    def id_column(self) -> str:
        """The key of the unique ID column."""
        return next(c.key for c in self.columns if c.unique)

    @property
    def owner_column(self) -> str:
        """The key of the column naming the organisation a record belongs to: its first organisation column
        (Recording Organisation; Owning Organisation on the master list)."""
        return next(c.key for c in self.columns if c.organisation)

    @property
    def required(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.required)

    @property
    def column_rules(self) -> tuple[ColumnRule, ...]:
        """Every column's rules, column by column."""
        return tuple(rule for col in self.columns for rule in col.rules)

    @property
    def all_record_rules(self) -> tuple[RecordRule, ...]:
        """The rules across columns: those declared, then each date column not after the extraction date."""
        dated = (
            RecordRule("after_extraction", c.key, _not_after_extraction(c.key))
            for c in self.columns
            if c.kind == "date"
        )
        return (*self.record_rules, *dated)

    def record_rule(self, name: str, column: str) -> RecordRule:
        return next(r for r in self.all_record_rules if (r.name, r.column) == (name, column))

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    def named(self, name: str) -> Column | None:
        """The column ``name`` means, compared as headers are (any case, spacing and punctuation), or None."""
        want = normalise_header(name)
        return next((c for c in self.columns if normalise_header(c.name) == want), None)

    def display(self, key: str) -> str:
        """The contract's name for a column key; unknown keys (extra columns) pass through."""
        for c in self.columns:
            if c.key == key:
                return c.name
        return key


# --- rules across a record's columns ----------------------------------------------------


def _always(frame: DataFrame) -> Series:
    import pandas as pd  # here: the contract's facts are read without pandas

    return pd.Series(True, index=frame.index)


def _not_after_extraction(key: str) -> Callable[[DataFrame, Timestamp | None], Series]:
    def test(frame: DataFrame, extraction_date: Timestamp | None) -> Series:
        import pandas as pd

        if key not in frame or extraction_date is None or pd.isna(extraction_date):
            return _always(frame)
        return frame[key].isna() | (frame[key] <= extraction_date)

    return test


def _recorded_on_or_after_disruption(frame: DataFrame, extraction_date) -> Series:
    recorded, happened = frame["record_date"], frame["disruption_date"]
    return recorded.isna() | happened.isna() | (recorded >= happened)


def _support_names_supported(frame: DataFrame, extraction_date) -> Series:
    if "supported_organisation" not in frame:
        return frame["disruption_type"] != SUPPORT
    return (frame["disruption_type"] != SUPPORT) | frame["supported_organisation"].notna()


def _closed_has_date(frame: DataFrame, extraction_date) -> Series:
    closed = frame["phase"].isin(CLOSED_PHASES)
    if "closed_date" not in frame:
        return ~closed
    return ~closed | frame["closed_date"].notna() | frame["closed_date" + TEXT_SUFFIX].notna()


def _closed_on_or_after_creation(frame: DataFrame, extraction_date) -> Series:
    if "closed_date" not in frame:
        return _always(frame)
    closed, created = frame["closed_date"], frame["created_date"]
    return closed.isna() | created.isna() | (closed >= created)


DISRUPTIONS = ExportKind(
    key="disruptions",
    title="disruptions export",
    columns=(
        Column("Disruption ID", True, unique=True),
        Column("Recording Organisation", True, organisation=True),
        Column("Disruption Type", True, values=DISRUPTION_TYPES),
        Column("Supported Organisation", False, organisation=True),
        Column("Threat ID", True),
        Column("Threat Type", True, values=THREAT_TYPES),
        Column("Disruption Date", True, kind="date"),
        Column("Record Date", True, kind="date"),
        Column("4P Strand", True, values=STRANDS),
        Column("Assessment Category", True, values=ASSESSMENT_CATEGORIES),
        Column("Tactic", True, values=TACTICS),
        Column("Threat Area", False),
        Column("Recorded By", True),
        Column("Summary", False, multiline=True),
    ),
    record_rules=(
        RecordRule("record_before_disruption", "record_date", _recorded_on_or_after_disruption),
        RecordRule("support_needs_supported", "supported_organisation", _support_names_supported),
    ),
)

THREATS = ExportKind(
    key="threats",
    title="SOC master list export",
    columns=(
        Column("Threat ID", True, unique=True),
        Column("Owning Organisation", True, organisation=True),
        Column("Threat Type", True, values=THREAT_TYPES),
        Column("Assessment Type", True, values=ASSESSMENT_TYPES),
        Column("SOC Status", True, values=SOC_STATUSES),
        Column("Moderation Status", True, values=MODERATION_STATUSES),
        Column("Tier", False, values=TIERS),
        Column("MoRiLE Score", False, kind="number", not_negative=True),
        Column("Phase", True, values=PHASES),
        Column("Created Date", True, kind="date"),
        Column("Closed Date", False, kind="date"),
        Column("Lead Responsible Officer", False),
        Column("Last Review Date", False, kind="date"),
        Column("Threat Area", False),
    ),
    record_rules=(
        RecordRule("closed_needs_date", "closed_date", _closed_has_date),
        RecordRule("closed_before_created", "closed_date", _closed_on_or_after_creation),
    ),
)

EXPORT_KINDS = {k.key: k for k in (DISRUPTIONS, THREATS)}


def _export_kind(key: str) -> ExportKind:
    """The export kind of this key, as it is unpickled (see ``ExportKind.__reduce__``)."""
    return EXPORT_KINDS[key]


def normalise_header(name: object) -> str:
    """Header names match regardless of case, spaces, underscores and punctuation."""
    return re.sub(r"[^a-z0-9]", "", str(name).lower())


# --- organisations ---------------------------------------------------------------


@dataclass(frozen=True)
class Organisation:
    name: str
    kind: str  # force | rocu | agency
    region: str


#: Organisations a config adds to the shipped list, while a run that uses the config goes on
#: (:func:`extra_organisations`); forked workers inherit them.
_EXTRA: dict[str, Organisation] = {}


def organisations() -> dict[str, Organisation]:
    """The organisation list shipped with the package, with any a config adds, by name."""
    return {**shipped_organisations(), **_EXTRA} if _EXTRA else shipped_organisations()


@contextmanager
def extra_organisations(extra: list[Organisation]) -> Iterator[None]:
    """Add ``extra`` to the organisations known while the block runs (a config's ``[[organisations]]``)."""
    saved = dict(_EXTRA)
    _EXTRA.update({org.name: org for org in extra})
    try:
        yield
    finally:
        _EXTRA.clear()
        _EXTRA.update(saved)


@cache
def shipped_organisations() -> dict[str, Organisation]:
    """The organisation list shipped with the package, by name."""
    text = organisations_csv().read_text("utf-8")
    rows = csv.DictReader(text.splitlines())
    return {r["organisation"]: Organisation(r["organisation"], r["kind"], r["region"]) for r in rows}


def organisation_names() -> tuple[str, ...]:
    return tuple(organisations())


def region_of(name: str) -> str | None:
    org = organisations().get(name)
    return org.region if org else None
