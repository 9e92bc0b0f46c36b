"""The export layout disruption-qa reads: columns, vocabularies, tactics, organisations.

This module is the one place that holds the facts of the APMIS-style export
contract (``EXPORTS.md`` in the project's shared contract). The package ships
them; nothing is read from outside the installed package at run time.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache

from .resources import organisations_csv

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


# --- columns -------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column of an export: its name as the contract spells it and its rules."""

    name: str
    required: bool
    kind: str = "text"  # text | date | number
    values: tuple[str, ...] | None = None  # a closed vocabulary
    organisation: bool = False  # values must be names in organisations.csv

    @property
    def key(self) -> str:
        """The snake_case name used inside the package (``Disruption ID`` -> ``disruption_id``)."""
        return re.sub(r"[^a-z0-9]+", "_", self.name.lower()).strip("_").replace("4p_", "")


@dataclass(frozen=True)
class ExportKind:
    """One of the two exports in an extraction."""

    key: str  # disruptions | threats
    title: str  # what a user calls it
    id_column: str  # key of the unique ID column
    columns: tuple[Column, ...]

    @property
    def required(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.required)

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    def display(self, key: str) -> str:
        """The contract's name for a column key; unknown keys (extra columns) pass through."""
        for c in self.columns:
            if c.key == key:
                return c.name
        return key


DISRUPTIONS = ExportKind(
    key="disruptions",
    title="disruptions export",
    id_column="disruption_id",
    columns=(
        Column("Disruption ID", True),
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
        Column("Summary", False),
    ),
)

THREATS = ExportKind(
    key="threats",
    title="SOC master list export",
    id_column="threat_id",
    columns=(
        Column("Threat ID", True),
        Column("Owning Organisation", True, organisation=True),
        Column("Threat Type", True, values=THREAT_TYPES),
        Column("Assessment Type", True, values=ASSESSMENT_TYPES),
        Column("SOC Status", True, values=SOC_STATUSES),
        Column("Moderation Status", True, values=MODERATION_STATUSES),
        Column("Tier", False, values=TIERS),
        Column("MoRiLE Score", False, kind="number"),
        Column("Phase", True, values=PHASES),
        Column("Created Date", True, kind="date"),
        Column("Closed Date", False, kind="date"),
        Column("Lead Responsible Officer", False),
        Column("Last Review Date", False, kind="date"),
        Column("Threat Area", False),
    ),
)

EXPORT_KINDS = {k.key: k for k in (DISRUPTIONS, THREATS)}


def normalise_header(name: object) -> str:
    """Header names match regardless of case, spaces, underscores and punctuation."""
    return re.sub(r"[^a-z0-9]", "", str(name).lower())


# --- organisations ---------------------------------------------------------------


@dataclass(frozen=True)
class Organisation:
    name: str
    kind: str  # force | rocu | agency
    region: str


@cache
def organisations() -> dict[str, Organisation]:
    """The organisation list shipped with the package, by name."""
    text = organisations_csv().read_text("utf-8")
    rows = csv.DictReader(text.splitlines())
    return {r["organisation"]: Organisation(r["organisation"], r["kind"], r["region"]) for r in rows}


def organisation_names() -> tuple[str, ...]:
    return tuple(organisations())


def region_of(name: str) -> str | None:
    org = organisations().get(name)
    return org.region if org else None
