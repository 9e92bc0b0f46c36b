"""The vectorised machinery behind the sample exports: threats, disruptions, dates, text.

Everything here works on whole columns of integer codes (numpy arrays inside a
pandas frame); there is no Python loop per record, only loops over the few
organisations, strands and pools. Strings are made once, at the end, by taking
from small lists of ready-made values (see :mod:`.writing`).

Two callers use it:

* :mod:`.generator` draws a random *plan* (how many disruptions each
  organisation records, of which strand, type and assessment) for any
  selection of organisations and any size;
* :mod:`.northwest` writes an exact plan calibrated to the 2023 north-west
  inspection's published figures.

A plan is a frame with one row per disruption and these integer columns:

``org`` (index into the organisation list), ``support`` (bool), ``supported``
(organisation index or -1), ``strand`` (index into ``STRANDS``), ``assess``
(index into ``ASSESSMENT_CATEGORIES``, or -1: decide from the record's age),
``dlo``/``dhi`` (range of the Disruption Date, days since 1970), ``rlo``/``rhi``
(range of the Record Date), ``lag`` (0 usual recording lag, 1 months late,
2 short), ``pool`` (0 any threat active in the year, 1 a threat active all
year), ``offtype`` (bool: recorded against a priority individual or SOC
vulnerability, against the minimum standard), ``offstrand`` (bool: a tactic far
from its strand).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..contract import (
    ASSESSMENT_CATEGORIES,
    PHASES,
    STRANDS,
    TACTIC_STRAND,
    TACTICS,
    THREAT_AREAS,
    THREAT_TYPES,
    TIERS,
    organisations,
)

EPOCH = dt.date(1970, 1, 1)

PURSUE, PREVENT, PROTECT, PREPARE = range(4)
MAJOR, MODERATE, MINOR, NONE, NEGATIVE, PENDING = range(6)
OCG, PI, VULN = range(3)
ACTIVE, DORMANT, DISMANTLED, ARCHIVED, MERGED = range(5)

assert STRANDS == ("Pursue", "Prevent", "Protect", "Prepare")
assert ASSESSMENT_CATEGORIES[PENDING] == "Pending"
assert PHASES[MERGED] == "Closed - Merged"


def day(d: dt.date) -> int:
    """A date as days since 1970 (the integer form used throughout)."""
    return (d - EPOCH).days


# --- tactics -------------------------------------------------------------------

#: Usual tactics of each strand with their relative frequency.
_TACTIC_WEIGHTS = {
    "Arrest": 30,
    "Charge": 12,
    "Conviction": 6,
    "Search Warrant": 14,
    "Seizure - Drugs": 16,
    "Seizure - Cash": 8,
    "Seizure - Firearms": 3,
    "Asset Confiscation": 2,
    "Account Freezing Order": 2,
    "Vehicle Stop": 7,
    "Serious Crime Prevention Order": 6,
    "Ancillary Order": 8,
    "Offender Management": 10,
    "Diversionary Intervention": 12,
    "Education and Awareness": 10,
    "Safeguarding Referral": 14,
    "Victim Support": 8,
    "Closure Order": 7,
    "Cuckooing Intervention": 9,
    "Target Hardening": 5,
    "Partnership Enforcement": 8,
    "Community Resilience": 6,
    "Contingency Planning": 4,
}
#: Tactics far from each strand (check W112): what a mis-keyed strand looks like.
FAR_TACTICS = {
    PURSUE: ("Community Resilience", "Education and Awareness", "Victim Support", "Contingency Planning"),
    PREVENT: ("Seizure - Drugs", "Seizure - Firearms", "Vehicle Stop", "Contingency Planning"),
    PROTECT: ("Seizure - Drugs", "Seizure - Cash", "Conviction", "Contingency Planning"),
    PREPARE: ("Arrest", "Seizure - Drugs", "Charge", "Diversionary Intervention"),
}
TACTIC_CODE = {t: i for i, t in enumerate(TACTICS)}


def strand_tactics(strand: int) -> tuple[np.ndarray, np.ndarray]:
    names = [t for t in TACTICS if TACTIC_STRAND[t] == STRANDS[strand]]
    codes = np.array([TACTIC_CODE[t] for t in names])
    weights = np.array([_TACTIC_WEIGHTS[t] for t in names], dtype=float)
    return codes, weights / weights.sum()


# --- threat areas ------------------------------------------------------------------

_AREA_WEIGHTS = {
    "force": [34, 22, 7, 6, 5, 6, 9, 2, 2, 1, 4, 2],
    "rocu": [30, 12, 10, 8, 8, 12, 6, 2, 4, 2, 2, 4],
    "National Crime Agency": [24, 6, 10, 10, 8, 14, 2, 1, 10, 10, 4, 1],
    "HM Revenue and Customs": [4, 0, 0, 2, 45, 40, 0, 9, 0, 0, 0, 0],
    "Home Office Immigration Enforcement": [2, 0, 0, 40, 8, 6, 0, 0, 0, 44, 0, 0],
}


def area_weights(name: str) -> np.ndarray:
    org = organisations()[name]
    w = np.array(_AREA_WEIGHTS.get(name) or _AREA_WEIGHTS.get(org.kind) or _AREA_WEIGHTS["rocu"], dtype=float)
    assert len(w) == len(THREAT_AREAS)
    return w / w.sum()


# --- organisations ---------------------------------------------------------------

#: Rough relative SOC workload of each organisation (a force's size); others 1.0.
SIZE = {
    "Metropolitan Police Service": 9.0,
    "West Midlands Police": 3.6,
    "Greater Manchester Police": 3.4,
    "West Yorkshire Police": 2.8,
    "Merseyside Police": 2.4,
    "Thames Valley Police": 2.1,
    "Northumbria Police": 1.8,
    "Hampshire and Isle of Wight Constabulary": 1.7,
    "Kent Police": 1.8,
    "Essex Police": 1.7,
    "Lancashire Constabulary": 1.8,
    "South Wales Police": 1.6,
    "Avon and Somerset Police": 1.5,
    "Devon and Cornwall Police": 1.5,
    "Sussex Police": 1.3,
    "South Yorkshire Police": 1.4,
    "Nottinghamshire Police": 1.1,
    "Cheshire Constabulary": 1.1,
    "Derbyshire Constabulary": 0.9,
    "Leicestershire Police": 1.0,
    "Staffordshire Police": 0.9,
    "West Mercia Police": 1.1,
    "Humberside Police": 1.0,
    "Cleveland Police": 0.8,
    "Durham Constabulary": 0.6,
    "Cumbria Constabulary": 0.5,
    "North Wales Police": 0.6,
    "Dyfed-Powys Police": 0.5,
    "Gwent Police": 0.6,
    "Wiltshire Police": 0.5,
    "Dorset Police": 0.5,
    "Gloucestershire Constabulary": 0.5,
    "Lincolnshire Police": 0.5,
    "Northamptonshire Police": 0.6,
    "Bedfordshire Police": 0.6,
    "Cambridgeshire Constabulary": 0.6,
    "Hertfordshire Constabulary": 0.8,
    "Norfolk Constabulary": 0.7,
    "Suffolk Constabulary": 0.6,
    "Surrey Police": 0.8,
    "North Yorkshire Police": 0.6,
    "City of London Police": 0.4,
    "British Transport Police": 0.4,
    "National Crime Agency": 3.0,
    "HM Revenue and Customs": 1.5,
    "Home Office Immigration Enforcement": 0.6,
}


def size_of(name: str) -> float:
    if name in SIZE:
        return SIZE[name]
    return 0.9 if organisations()[name].kind == "rocu" else 1.0


def typo_of(name: str) -> str:
    """A plausible misspelling (a dropped letter): ``Cheshire Constabulary`` -> ``Chesire Constabulary``."""
    return name[:4] + name[5:]


# --- threats -------------------------------------------------------------------------


@dataclass
class ThreatPlan:
    """How many threats each organisation owns and how many pass the inspectors' filters."""

    orgs: list[str]
    passing: np.ndarray  # per organisation: threats that pass the master-list filters
    failing: np.ndarray  # per organisation: threats that fail at least one filter
    no_vulnerabilities: frozenset[str] = frozenset()
    #: per organisation name: share of active threats with no MoRiLE score and no tier (W106)
    morile_missing: dict | None = None
    default_morile_missing: float = 0.03
    no_lro: float = 0.04  # active threats with no Lead Responsible Officer (W115)
    stale_review: float = 0.07  # active threats whose plan was last reviewed over a year ago (W113)
    #: why failing threats fail: closed, Tier 5, unmoderated, non-SOC, strategic
    fail_reasons: tuple[float, ...] = (0.42, 0.2, 0.14, 0.12, 0.12)
    first_id: int = 100001


def make_threats(rng: np.random.Generator, plan: ThreatPlan, year: int, extraction: dt.date) -> pd.DataFrame:
    """The master list as a frame of codes, one row per threat, ordered by Threat ID.

    Columns: org, ttype, atype (0 Tactical), soc (0 SOC), moder (0 Moderated),
    tier (0..4 or -1), score (float, NaN blank), phase, created, closed (-1
    blank), lro (-1 blank), review (-1 blank), area, passes (bool), full
    (active all year), window_lo/window_hi (when disruptions can fall).
    """
    n_orgs = len(plan.orgs)
    counts = plan.passing + plan.failing
    org = np.repeat(np.arange(n_orgs), counts)
    passes = np.concatenate([np.r_[np.ones(p, bool), np.zeros(f, bool)] for p, f in zip(plan.passing, plan.failing)])
    n = len(org)
    y0, y1, ext = day(dt.date(year, 1, 1)), day(dt.date(year, 12, 31)), day(extraction)

    # the first three threats of each organisation: passing OCGs active all year, so that
    # every organisation has something to record disruptions against
    first = np.zeros(n, bool)
    starts = np.r_[0, np.cumsum(counts)[:-1]]
    for s, c in zip(starts, counts):
        first[s : s + min(3, c)] = True
    passes |= first & (counts[org] > 0)

    # threat type
    ttype = rng.choice(3, size=n, p=[0.70, 0.19, 0.11])
    novuln = np.isin(org, [i for i, o in enumerate(plan.orgs) if o in plan.no_vulnerabilities])
    ttype[novuln & (ttype == VULN)] = rng.choice([OCG, PI], size=int((novuln & (ttype == VULN)).sum()), p=[0.8, 0.2])
    ttype[first] = OCG

    # why failing threats fail: 0 closed, 1 tier 5, 2 unmoderated, 3 non-SOC, 4 strategic
    reason = np.where(passes, -1, rng.choice(5, size=n, p=list(plan.fail_reasons)))
    atype = np.where(reason == 4, 1, 0)
    soc = np.where(reason == 3, 1, 0)
    moder = np.where(reason == 2, 1, 0)
    closed_phase = reason == 0
    phase = np.where(
        closed_phase,
        rng.choice([DISMANTLED, ARCHIVED, MERGED], size=n, p=[0.5, 0.38, 0.12]),
        rng.choice([ACTIVE, DORMANT], size=n, p=[0.84, 0.16]),
    )
    phase[first] = ACTIVE

    # created: most before the year, a quarter during it; unmoderated ones are recent
    before = rng.random(n) < 0.72
    age = (rng.random(n) ** 1.6 * 6 * 365).astype(np.int64) + 80  # days before the year starts
    created = np.where(before, y0 - age, y0 + (rng.random(n) * (y1 - y0 - 10)).astype(np.int64))
    recent = moder == 1
    created[recent] = ext - 5 - (rng.random(int(recent.sum())) * 120).astype(np.int64)
    created[first] = y0 - 200 - (rng.random(int(first.sum())) * 900).astype(np.int64)
    created[closed_phase] = np.minimum(created[closed_phase], y1 - 120)
    # closed: after creation, by the extraction date; a third of them during the year
    span = np.maximum(ext - (created + 60), 1)
    closed = np.where(closed_phase, created + 60 + (rng.random(n) * span).astype(np.int64), -1)
    closed = np.where(closed_phase, np.minimum(closed, ext), -1)

    # tier and MoRiLE score
    tier = rng.choice(4, size=n, p=[0.07, 0.2, 0.38, 0.35])
    tier[reason == 1] = 4
    missing_share = np.full(n_orgs, plan.default_morile_missing)
    for i, o in enumerate(plan.orgs):
        if plan.morile_missing and o in plan.morile_missing:
            missing_share[i] = plan.morile_missing[o]
    live = ~closed_phase
    missing = live & (reason != 1) & ~first & (rng.random(n) < missing_share[org])
    missing |= recent & (rng.random(n) < 0.6)  # not yet assessed
    low = np.array([150, 95, 55, 20, 0])[tier]
    high = np.array([320, 160, 110, 60, 25])[tier]
    score = np.round(low + rng.random(n) * (high - low)).astype(float)
    score[missing] = np.nan
    tier = np.where(missing, -1, tier)

    # lead responsible officer and last review of the 4P plan
    lro_pool = np.maximum(counts // 5, 2)
    lro_base = 1000 + np.r_[0, np.cumsum(lro_pool)[:-1]]
    lro = lro_base[org] + (rng.random(n) * lro_pool[org]).astype(np.int64)
    no_lro = (phase <= DORMANT) & ~first & (rng.random(n) < plan.no_lro)
    lro[no_lro] = -1
    last = np.where(closed_phase, closed, ext)
    review = last - (rng.random(n) ** 1.5 * 300).astype(np.int64)
    stale = (phase <= DORMANT) & ~first & (rng.random(n) < plan.stale_review)
    review[stale] = last[stale] - 400 - (rng.random(int(stale.sum())) * 500).astype(np.int64)
    review = np.maximum(review, created)
    review[(rng.random(n) < 0.04) & ~stale] = -1  # never reviewed

    area = np.empty(n, np.int64)
    for i, o in enumerate(plan.orgs):
        sel = org == i
        area[sel] = rng.choice(len(THREAT_AREAS), size=int(sel.sum()), p=area_weights(o))

    # when disruptions can fall on it
    window_lo = created
    window_hi = np.where(closed >= 0, closed, ext + 100000)
    full = (created <= y0 - 60) & ((closed < 0) | (closed >= ext))
    usable = np.minimum(window_hi, y1) - np.maximum(window_lo, y0) >= 20

    frame = pd.DataFrame(
        dict(
            org=org,
            ttype=ttype,
            atype=atype,
            soc=soc,
            moder=moder,
            tier=tier,
            score=score,
            phase=phase,
            created=created,
            closed=closed,
            lro=lro,
            review=review,
            area=area,
            passes=passes,
            full=full,
            usable=usable,
            window_lo=window_lo,
            window_hi=window_hi,
            popularity=rng.gamma(0.8, size=n) + 0.05,
        )
    )
    # Threat IDs follow creation order across the list
    order = np.lexsort((rng.random(n), frame["created"].to_numpy()))
    frame = frame.iloc[order].reset_index(drop=True)
    frame["number"] = plan.first_id + np.arange(n)
    return frame


# --- disruptions ----------------------------------------------------------------------


def _pick(rng, pools: dict, key, k: int) -> np.ndarray:
    """k threat row numbers from a pool, weighted by popularity."""
    rows, p = pools[key]
    return rows[rng.choice(len(rows), size=k, p=p)]


def _pools(threats: pd.DataFrame) -> dict:
    """Threat row numbers and weights by (org, on-standard?, all-year?)."""
    pools = {}
    t = threats
    ok_type = (t["ttype"] == OCG).to_numpy()
    for org in np.unique(t["org"]):
        mine = (t["org"] == org).to_numpy() & t["usable"].to_numpy()
        for std in (True, False):
            typed = mine & (ok_type if std else ~ok_type)
            for full in (True, False):
                sel = typed & (t["full"].to_numpy() if full else True)
                rows = np.flatnonzero(sel)
                if len(rows):
                    w = t["popularity"].to_numpy()[rows]
                    pools[(org, std, full)] = (rows, w / w.sum())
    return pools


def fill_disruptions(
    rng: np.random.Generator,
    plan: pd.DataFrame,
    threats: pd.DataFrame,
    year: int,
    month_weights: np.ndarray,
) -> pd.DataFrame:
    """Give every planned disruption a threat, dates, a tactic; returns the plan with new columns.

    ``month_weights`` is (organisations x 12): how each organisation's volume
    varies over the year.
    """
    n = len(plan)
    pools = _pools(threats)
    org = plan["org"].to_numpy()
    owner = np.where(
        plan["support"].to_numpy() & (plan["supported"].to_numpy() >= 0), plan["supported"].to_numpy(), org
    )
    std = ~plan["offtype"].to_numpy()
    full = plan["pool"].to_numpy() == 1
    # a fifth of ordinary rows may use threats that opened or closed during the year
    partial_ok = ~full & (rng.random(n) < 0.2)
    threat = np.full(n, -1, np.int64)
    for o in np.unique(owner):
        for s in (True, False):
            for f in (True, False):
                sel = (owner == o) & (std == s) & (~partial_ok == f)
                k = int(sel.sum())
                if not k:
                    continue
                for key in ((o, s, f), (o, s, True), (o, True, True), (o, True, False)):
                    if key in pools and (key[2] or not f):
                        threat[sel] = _pick(rng, pools, key, k)
                        break
                else:
                    raise ValueError(f"organisation {o} owns no threat to record disruptions against")
    lo = np.maximum(threats["window_lo"].to_numpy()[threat], plan["dlo"].to_numpy())
    hi = np.minimum(threats["window_hi"].to_numpy()[threat], plan["dhi"].to_numpy())
    # a row whose range misses its threat's window falls back to the threat's window
    bad = hi < lo
    lo[bad] = threats["window_lo"].to_numpy()[threat[bad]]
    hi[bad] = np.minimum(threats["window_hi"].to_numpy()[threat[bad]], plan["dhi"].to_numpy()[bad])
    hi = np.maximum(hi, lo)

    # disruption date: month by the organisation's monthly profile, then the day
    month_start = np.array([day(dt.date(year, m, 1)) for m in range(1, 13)] + [day(dt.date(year + 1, 1, 1))])
    month = np.empty(n, np.int64)
    for o in np.unique(org):
        sel = org == o
        month[sel] = rng.choice(12, size=int(sel.sum()), p=month_weights[o])
    length = month_start[month + 1] - month_start[month]
    d = month_start[month] + (rng.random(n) * length).astype(np.int64)
    outside = (d < lo) | (d > hi)
    d[outside] = lo[outside] + (rng.random(int(outside.sum())) * (hi[outside] - lo[outside] + 1)).astype(np.int64)
    # rows recorded just after the year: the disruption happened near its end
    short = plan["lag"].to_numpy() == 2
    d[short] = np.maximum(hi[short] - (rng.lognormal(np.log(4), 0.8, int(short.sum()))).astype(np.int64), lo[short])
    # months late: the activity was early enough to be typed in months afterwards
    late = plan["lag"].to_numpy() == 1
    rhi = plan["rhi"].to_numpy()
    room = np.maximum(np.minimum(hi, rhi - 100) - lo, 0)
    d[late] = np.where(
        rhi[late] - 100 >= lo[late],
        lo[late] + (rng.random(int(late.sum())) * (room[late] + 1)).astype(np.int64),
        d[late],
    )

    d = np.minimum(d, rhi)
    # record date: a long-tailed lag, kept inside the row's range
    lag = np.floor(rng.lognormal(np.log(5), 1.05, n)).astype(np.int64)
    lag[late] = 95 + (rng.random(int(late.sum())) ** 1.3 * np.maximum(rhi[late] - d[late] - 95, 0)).astype(np.int64)
    r = d + lag
    rlo = np.maximum(plan["rlo"].to_numpy(), d)
    out = (r < rlo) | (r > rhi)
    span = np.maximum(rhi - rlo, 0)
    r[out] = rlo[out] + (rng.random(int(out.sum())) ** 2 * (span[out] + 1)).astype(np.int64)
    r = np.minimum(r, rhi)

    # tactic: usual for the strand, or far from it
    strand = plan["strand"].to_numpy()
    tactic = np.empty(n, np.int64)
    off = plan["offstrand"].to_numpy()
    for s in range(4):
        sel = (strand == s) & ~off
        codes, p = strand_tactics(s)
        tactic[sel] = rng.choice(codes, size=int(sel.sum()), p=p)
        sel = (strand == s) & off
        far = np.array([TACTIC_CODE[t] for t in FAR_TACTICS[s]])
        tactic[sel] = rng.choice(far, size=int(sel.sum()))

    result = plan.copy()
    result["threat"] = threat
    result["ddate"] = d
    result["rdate"] = r
    result["tactic"] = tactic
    return result


def assess_by_age(
    rng: np.random.Generator, frame: pd.DataFrame, extraction: dt.date, stale_pending: float
) -> np.ndarray:
    """Assessment Category for rows planned with -1: recent records are often still Pending."""
    assess = frame["assess"].to_numpy().copy()
    todo = assess < 0
    n = int(todo.sum())
    drawn = rng.choice([MAJOR, MODERATE, MINOR, NONE, NEGATIVE], size=n, p=[0.05, 0.26, 0.59, 0.09, 0.01])
    age = day(extraction) - frame["rdate"].to_numpy()[todo]
    p_pending = np.where(age <= 30, 0.55, np.where(age <= 90, 0.12, stale_pending))
    drawn[rng.random(n) < p_pending] = PENDING
    assess[todo] = drawn
    return assess


def make_duplicates(rng: np.random.Generator, frame: pd.DataFrame, rate: float) -> np.ndarray:
    """Turn some rows into probable duplicates of another row (check W111).

    A row takes over the threat, Disruption Date and tactic of a row with the
    same organisation, type, strand and date ranges, so that every planned
    count stays what it was. Returns the row numbers made duplicates.
    """
    n = len(frame)
    key_cols = ["org", "support", "supported", "strand", "dlo", "dhi", "rlo", "rhi", "offtype", "offstrand"]
    order = np.lexsort([frame[c].to_numpy() for c in reversed(key_cols)])
    keys = frame[key_cols].to_numpy()[order]
    same = np.r_[False, (keys[1:] == keys[:-1]).all(axis=1)]
    chosen = same & (rng.random(n) < rate)
    chosen[1:] &= ~chosen[:-1]  # never a duplicate of a duplicate
    dup = order[chosen]
    src = order[np.flatnonzero(chosen) - 1]
    for c in ("threat", "ddate", "tactic"):
        frame.loc[frame.index[dup], c] = frame[c].to_numpy()[src]
    # typed in again the same day or a few days later, inside the row's own range
    r = frame["rdate"].to_numpy()[src] + rng.integers(0, 4, len(dup))
    r = np.clip(
        r, np.maximum(frame["rlo"].to_numpy()[dup], frame["ddate"].to_numpy()[dup]), frame["rhi"].to_numpy()[dup]
    )
    frame.loc[frame.index[dup], "rdate"] = r
    return dup


# --- recorders ----------------------------------------------------------------------------


def recorder_pools(rng: np.random.Generator, n_orgs: int, rows_per_org: np.ndarray, sizes: np.ndarray | None = None):
    """User numbers for each organisation's recorders and the Zipf-like share each types in."""
    if sizes is None:
        sizes = np.clip(np.round(4 + 1.6 * np.sqrt(rows_per_org / 40)), 4, 40).astype(int)
    numbers = rng.choice(np.arange(10000, 100000), size=int(sizes.sum()), replace=False)
    pools = []
    start = 0
    for k in sizes:
        w = 1 / np.arange(1, k + 1) ** 0.7
        pools.append((numbers[start : start + k], w / w.sum()))
        start += k
    return pools


def assign_recorders(rng, org: np.ndarray, pools, one_recorder: dict[int, float] | None = None) -> np.ndarray:
    """The user number that typed in each record; ``one_recorder`` maps an organisation to the
    exact share its first user (a senior analyst) types in (check W108)."""
    user = np.empty(len(org), np.int64)
    for o in np.unique(org):
        rows = np.flatnonzero(org == o)
        numbers, p = pools[o]
        user[rows] = rng.choice(numbers, size=len(rows), p=p)
        if one_recorder and o in one_recorder:
            k = round(one_recorder[o] * len(rows))
            chosen = rng.permutation(rows)
            user[chosen[:k]] = numbers[0]
            user[chosen[k:]] = rng.choice(numbers[1:], size=len(rows) - k, p=p[1:] / p[1:].sum())
    return user


def month_profile(rng: np.random.Generator, n_orgs: int) -> np.ndarray:
    """Monthly volume of each organisation: a gentle seasonal shape times its own noise."""
    season = np.array([0.95, 0.95, 1.05, 1.0, 1.05, 1.0, 1.0, 0.85, 1.05, 1.1, 1.1, 0.85])
    w = season * rng.gamma(9.0, size=(n_orgs, 12))
    return w / w.sum(axis=1, keepdims=True)


def vocab(values) -> np.ndarray:
    return np.array(values, dtype=object)


THREAT_TYPE_NAMES = vocab(THREAT_TYPES)
TIER_NAMES = vocab(TIERS)
