"""From planned codes to finished records: dates, recorders, IDs, free text, and the text columns.

:func:`finish` turns a plan (see :mod:`.core`) into disruption records with
every field decided; :func:`disruption_columns` and :func:`threat_columns`
turn records into the export's text columns, in the contract's order;
:func:`plant_contract_defects` then spoils a few cells the way people do.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa

from ..contract import (
    ASSESSMENT_CATEGORIES,
    ASSESSMENT_TYPES,
    DISRUPTION_TYPES,
    DISRUPTIONS,
    MODERATION_STATUSES,
    PHASES,
    SOC_STATUSES,
    STRANDS,
    TACTICS,
    THREAT_AREAS,
    THREAT_TYPES,
    THREATS,
    TIERS,
)
from . import core
from .writing import dates, prefixed, replace, strings

DISRUPTION_ID_BASE = 2_000_001
THREAT_ID_WIDTH = 6


# --- free text -------------------------------------------------------------------------

_PHRASES = {
    "Arrest": "Arrest of subject {s} for conspiracy to supply",
    "Charge": "Subject {s} charged following file review",
    "Conviction": "Subject {s} convicted at crown court",
    "Search Warrant": "Warrant executed at premises {s}",
    "Seizure - Drugs": "Class A drugs seized from vehicle {s}",
    "Seizure - Cash": "Cash seized under POCA from subject {s}",
    "Seizure - Firearms": "Handgun and ammunition recovered at location {s}",
    "Asset Confiscation": "Confiscation order granted against subject {s}",
    "Account Freezing Order": "Account freezing order on accounts linked to subject {s}",
    "Vehicle Stop": "Vehicle {s} stopped on intelligence",
    "Serious Crime Prevention Order": "SCPO granted on subject {s}",
    "Ancillary Order": "Ancillary order obtained for subject {s}",
    "Offender Management": "Subject {s} adopted onto offender management",
    "Diversionary Intervention": "Young person {s} referred to diversion scheme",
    "Education and Awareness": "Awareness input delivered at school {s}",
    "Safeguarding Referral": "Safeguarding referral made for person {s}",
    "Victim Support": "Victim {s} referred to support service",
    "Closure Order": "Closure order obtained on address {s}",
    "Cuckooing Intervention": "Cuckooed address {s} visited with housing partner",
    "Target Hardening": "Security improvements fitted at premises {s}",
    "Partnership Enforcement": "Joint licensing visit to business {s}",
    "Community Resilience": "Community event held in area {s}",
    "Contingency Planning": "Contingency plan tested for site {s}",
}
_OPERATIONS = (
    "Op Kestrel",
    "Op Harrier",
    "Op Merlin",
    "Op Osprey",
    "Op Plover",
    "Op Curlew",
    "Op Dunlin",
    "Op Linnet",
    "Op Siskin",
    "Op Wren",
    "Op Tern",
    "Op Egret",
)
_TAILS = (
    "enquiries ongoing",
    "file passed to CPS",
    "partners informed",
    "intelligence submitted",
    "no further action at this stage",
    "reviewed at tasking meeting",
)
_LETTERS = ("A", "B", "C", "D")
_MONEY = {"Seizure - Cash", "Asset Confiscation", "Account Freezing Order"}
_AMOUNTS = ("£2,450", "£12,000", "£38,500", "£7,900")
#: share of each summary shape: plain, with a comma, with quotes, over two lines; the rest blank
_SHAPES = (0.78, 0.1, 0.05, 0.04)


def _summary_text(tactic: str, shape: int, op: int, tail: int, letter: int) -> str:
    phrase = _PHRASES[tactic].format(s=_LETTERS[letter])
    o, t = _OPERATIONS[op], _TAILS[tail]
    if shape == 0:
        return f"{o}: {phrase}."
    if shape == 1:
        money = f" ({_AMOUNTS[letter]})" if tactic in _MONEY else ""
        return f"{phrase}{money}, {t}."
    if shape == 2:
        return f'{phrase} - see "{o}" log.'
    return f"{phrase}.\n{t.capitalize()}."


SUMMARIES: list[str] = [
    _summary_text(tac, sh, op, tl, le)
    for tac in TACTICS
    for sh in range(4)
    for op in range(len(_OPERATIONS))
    for tl in range(len(_TAILS))
    for le in range(len(_LETTERS))
]


def summary_codes(rng: np.random.Generator, tactic: np.ndarray) -> np.ndarray:
    n = len(tactic)
    shape = rng.choice(5, size=n, p=list(_SHAPES) + [1 - sum(_SHAPES)])
    op = rng.integers(0, len(_OPERATIONS), n)
    tail = rng.integers(0, len(_TAILS), n)
    letter = rng.integers(0, len(_LETTERS), n)
    code = (((tactic * 4 + np.minimum(shape, 3)) * len(_OPERATIONS) + op) * len(_TAILS) + tail) * len(_LETTERS) + letter
    return np.where(shape == 4, -1, code)


# --- finishing ---------------------------------------------------------------------------


@dataclass
class Finish:
    """Options of :func:`finish`."""

    year: int
    extraction: dt.date  # the last extraction the records are made for
    month_weights: np.ndarray
    recorders: list  # from core.recorder_pools
    one_recorder: dict[int, float] = field(default_factory=dict)
    stale_pending: float = 0.0  # share of old records still Pending (W114)
    duplicates: float = 0.0  # share of rows made probable duplicates (W111)
    blank_area: float = 0.0  # share of rows with no Threat Area


def finish(rng: np.random.Generator, plan: pd.DataFrame, threats: pd.DataFrame, opts: Finish) -> pd.DataFrame:
    """Every field of every planned disruption, as codes; rows ordered by Disruption ID."""
    frame = core.fill_disruptions(rng, plan, threats, opts.year, opts.month_weights)
    frame["assess"] = core.assess_by_age(rng, frame, opts.extraction, opts.stale_pending)
    frame["duplicate"] = False
    if opts.duplicates:
        dup = core.make_duplicates(rng, frame, opts.duplicates)
        frame.loc[frame.index[dup], "duplicate"] = True
    frame["user"] = core.assign_recorders(rng, frame["org"].to_numpy(), opts.recorders, opts.one_recorder)
    frame["summary"] = summary_codes(rng, frame["tactic"].to_numpy())
    area = threats["area"].to_numpy()[frame["threat"].to_numpy()]
    frame["area"] = np.where(rng.random(len(frame)) < opts.blank_area, -1, area)
    frame["ttype"] = threats["ttype"].to_numpy()[frame["threat"].to_numpy()]
    frame["threat_number"] = threats["number"].to_numpy()[frame["threat"].to_numpy()]
    # IDs are given in the order records were typed in
    order = np.lexsort((rng.random(len(frame)), frame["rdate"].to_numpy()))
    frame = frame.iloc[order].reset_index(drop=True)
    frame["number"] = DISRUPTION_ID_BASE + np.arange(len(frame))
    return frame


# --- text columns ---------------------------------------------------------------------------


def disruption_columns(frame: pd.DataFrame, orgs: list[str]) -> dict[str, pa.Array]:
    """The disruptions export's columns, in the contract's order, as text."""
    support = frame["support"].to_numpy()
    supported = np.where(support, frame["supported"].to_numpy(), -1)
    cols = {
        "Disruption ID": prefixed("D", frame["number"].to_numpy()),
        "Recording Organisation": strings(orgs, frame["org"].to_numpy()),
        "Disruption Type": strings(list(DISRUPTION_TYPES), support.astype(np.int64)),
        "Supported Organisation": strings(orgs, supported),
        "Threat ID": prefixed("T", frame["threat_number"].to_numpy(), THREAT_ID_WIDTH),
        "Threat Type": strings(list(THREAT_TYPES), frame["ttype"].to_numpy()),
        "Disruption Date": dates(frame["ddate"].to_numpy()),
        "Record Date": dates(frame["rdate"].to_numpy()),
        "4P Strand": strings(list(STRANDS), frame["strand"].to_numpy()),
        "Assessment Category": strings(list(ASSESSMENT_CATEGORIES), frame["assess"].to_numpy()),
        "Tactic": strings(list(TACTICS), frame["tactic"].to_numpy()),
        "Threat Area": strings(list(THREAT_AREAS), frame["area"].to_numpy()),
        "Recorded By": prefixed("U", frame["user"].to_numpy()),
        "Summary": strings(SUMMARIES, frame["summary"].to_numpy()),
    }
    assert list(cols) == [c.name for c in DISRUPTIONS.columns]
    return cols


def threat_columns(threats: pd.DataFrame, orgs: list[str]) -> dict[str, pa.Array]:
    """The master list export's columns, in the contract's order, as text."""
    score = threats["score"].to_numpy()
    score_codes = np.where(np.isnan(score), -1, np.nan_to_num(score, nan=0).astype(np.int64))
    top = int(score_codes.max()) + 1 if len(score_codes) else 1
    cols = {
        "Threat ID": prefixed("T", threats["number"].to_numpy(), THREAT_ID_WIDTH),
        "Owning Organisation": strings(orgs, threats["org"].to_numpy()),
        "Threat Type": strings(list(THREAT_TYPES), threats["ttype"].to_numpy()),
        "Assessment Type": strings(list(ASSESSMENT_TYPES), threats["atype"].to_numpy()),
        "SOC Status": strings(list(SOC_STATUSES), threats["soc"].to_numpy()),
        "Moderation Status": strings(list(MODERATION_STATUSES), threats["moder"].to_numpy()),
        "Tier": strings(list(TIERS), threats["tier"].to_numpy()),
        "MoRiLE Score": strings([str(i) for i in range(top)], score_codes),
        "Phase": strings(list(PHASES), threats["phase"].to_numpy()),
        "Created Date": dates(threats["created"].to_numpy()),
        "Closed Date": dates(threats["closed"].to_numpy()),
        "Lead Responsible Officer": prefixed("LRO", threats["lro"].to_numpy()),
        "Last Review Date": dates(threats["review"].to_numpy()),
        "Threat Area": strings(list(THREAT_AREAS), threats["area"].to_numpy()),
    }
    assert list(cols) == [c.name for c in THREATS.columns]
    return cols


# --- planted contract defects --------------------------------------------------------------


@dataclass
class Planted:
    """What was planted where: defect name -> Disruption IDs or Threat IDs."""

    items: dict[str, list[str]] = field(default_factory=dict)

    def add(self, name: str, ids) -> None:
        self.items.setdefault(name, []).extend(str(i) for i in ids)


def plant_contract_defects(
    rng: np.random.Generator,
    cols: dict[str, pa.Array],
    frame: pd.DataFrame,
    orgs: list[str],
    year: int,
    per_kind: int,
    candidates: np.ndarray,
    typo_org: int | None,
    typo_rows: np.ndarray | None = None,
    planted: Planted | None = None,
) -> dict[str, pa.Array]:
    """Spoil ``per_kind`` rows (taken from ``candidates``, rows the inspectors' filters exclude
    anyway) for each kind of contract break, and misspell ``typo_org`` on ``typo_rows``
    (default: ``per_kind`` of its own candidate rows)."""
    planted = planted if planted is not None else Planted()
    ids = cols["Disruption ID"].to_numpy(zero_copy_only=False)
    pool = rng.permutation(candidates)
    support_pool = pool[frame["support"].to_numpy()[pool]]
    lead_pool = pool[~frame["support"].to_numpy()[pool]]
    taken: set[int] = set()

    def take(source: np.ndarray, k: int) -> np.ndarray:
        rows = [int(r) for r in source if int(r) not in taken][:k]
        taken.update(rows)
        return np.array(sorted(rows), dtype=np.int64)

    rows = take(pool, per_kind)
    cols["Disruption Date"] = replace(cols["Disruption Date"], rows, [f"31/02/{year}"] * len(rows))
    planted.add("Disruption Date not a date (31/02)", ids[rows])
    rows = take(pool, per_kind)
    cols["Record Date"] = replace(cols["Record Date"], rows, [f"{year}-13-01"] * len(rows))
    planted.add("Record Date not a date (month 13)", ids[rows])
    rows = take(pool, per_kind)
    before = frame["ddate"].to_numpy()[rows] - rng.integers(3, 40, len(rows))
    cols["Record Date"] = replace(cols["Record Date"], rows, dates(before).to_pylist())
    planted.add("Record Date before Disruption Date", ids[rows])
    rows = take(pool, per_kind)
    cols["4P Strand"] = replace(cols["4P Strand"], rows, ["Persue"] * len(rows))
    planted.add("4P Strand 'Persue' (unknown value)", ids[rows])
    rows = take(pool, per_kind)
    cols["Assessment Category"] = replace(cols["Assessment Category"], rows, ["Modrate"] * len(rows))
    planted.add("Assessment Category 'Modrate' (unknown value)", ids[rows])
    # a duplicated Disruption ID: the second of each pair takes the first's ID
    pairs = take(pool, 2 * per_kind)
    if len(pairs) >= 2:
        first, second = pairs[0::2][: len(pairs) // 2], pairs[1::2][: len(pairs) // 2]
        planted.add("Disruption ID duplicated", ids[first])
        cols["Disruption ID"] = replace(cols["Disruption ID"], second, list(ids[first]))
    rows = take(support_pool, per_kind)
    cols["Supported Organisation"] = replace(cols["Supported Organisation"], rows, [None] * len(rows))
    planted.add("Support Disruption with no Supported Organisation", ids[rows])
    if typo_org is not None:
        if typo_rows is None:
            mine = lead_pool[frame["org"].to_numpy()[lead_pool] == typo_org]
            typo_rows = take(mine, per_kind)
        cols["Recording Organisation"] = replace(
            cols["Recording Organisation"], typo_rows, [core.typo_of(orgs[typo_org])] * len(typo_rows)
        )
        planted.add(f"Recording Organisation '{core.typo_of(orgs[typo_org])}' (unknown)", ids[typo_rows])
    # W110: a Threat ID that is not on the master list, and a Threat Type that differs from it
    rows = take(pool, per_kind)
    missing = [f"T{9 * 10 ** (THREAT_ID_WIDTH - 1) + int(i)}" for i in range(len(rows))]
    cols["Threat ID"] = replace(cols["Threat ID"], rows, missing)
    planted.add("Threat ID not on the master list (W110)", ids[rows])
    rows = take(pool, per_kind)
    ttype = frame["ttype"].to_numpy()[rows]
    other = [THREAT_TYPES[(t + 1) % 3] for t in ttype]
    cols["Threat Type"] = replace(cols["Threat Type"], rows, other)
    planted.add("Threat Type differs from the master list (W110)", ids[rows])
    return cols


def blank_closed_dates(
    rng, cols: dict[str, pa.Array], threats: pd.DataFrame, k: int, planted: Planted, avoid: set[int] = frozenset()
) -> dict[str, pa.Array]:
    """A closed threat with no Closed Date (a contract break; closed threats are filtered out anyway)."""
    closed = np.flatnonzero(threats["closed"].to_numpy() >= 0)
    closed = np.array([r for r in closed if int(threats["number"].iloc[r]) not in avoid], dtype=np.int64)
    rows = np.sort(rng.permutation(closed)[:k])
    cols["Closed Date"] = replace(cols["Closed Date"], rows, [None] * len(rows))
    planted.add("closed threat with no Closed Date", cols["Threat ID"].to_numpy(zero_copy_only=False)[rows])
    return cols
