"""The calibrated north-west extraction for 2022 (preset ``north-west-2022``).

It reproduces, under the inspectors' filters (Appendix 2 of the 2023 HMICFRS
inspection of the north-west regional response to serious and organised crime),
the figures the inspection published, and chooses plausible figures where it
gives none. Two extractions, as the inspection had:

* taken on 4 January 2023 09:14 (``disruptions_2023-01-04.csv``,
  ``threats_2023-01-04.csv``, and the disruptions again as ``.xlsx``);
* taken on 13 July 2023 10:02 (``disruptions_2023-07-13.csv``,
  ``threats_2023-07-13.csv``): everything of the first, plus disruptions of
  2022 typed in after 4 January 2023 (mostly prevent and protect), a few
  January records whose Pending assessment has since been made, MoRiLE
  scores since applied to some Cumbria threats, and new unmoderated threats.

Every figure is planned exactly (counts by organisation, strand and
assessment), not drawn: the random generator only decides which threat,
which day, which tactic and which recorder. Contract-breaking cells are
planted on rows the inspectors' filters exclude anyway, so the figures hold
whether or not a user drops the rows validation reports.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from ..contract import SOC_STATUSES
from ..errors import InputError
from . import core, records
from .generator import DATE_COLUMNS, DISRUPTIONS_TITLE, THREATS_TITLE, _supported_candidates
from .writing import dates, prepare_out, replace, write_csv, write_xlsx, written

YEAR = 2022
FIRST = dt.datetime(2023, 1, 4, 9, 14)
SECOND = dt.datetime(2023, 7, 13, 10, 2)
SEED = 20230104

CHESHIRE, CUMBRIA, GMP, LANCASHIRE, MERSEYSIDE, NORTH_WALES, ROCU = range(7)
ORGS = [
    "Cheshire Constabulary",
    "Cumbria Constabulary",
    "Greater Manchester Police",
    "Lancashire Constabulary",
    "Merseyside Police",
    "North Wales Police",
    "North West Regional Organised Crime Unit",
]

#: Threats on the master list that pass the inspectors' filters (4 January 2023).
#: Published: Cheshire 118, Lancashire 243, region 938. The split of the other 577 is ours.
PASSING = np.array([118, 62, 190, 243, 175, 70, 80])
#: Threats that fail at least one filter (closed, Tier 5, unmoderated, non-SOC, strategic): ours.
FAILING = np.array([34, 20, 55, 66, 50, 22, 30])

#: Lead disruptions recorded in 2022 and assessed Major, Moderate or Minor, by strand
#: (Pursue, Prevent, Protect, Prepare). Published: Cheshire 373 (312 pursue), GMP 490
#: (70% pursue: 343), Lancashire 635 (85% pursue: 540), Cumbria 30% prevent. Ours:
#: every other number (Cumbria 230, Merseyside 820, North Wales 170, the ROCU 260).
COUNTED = np.array(
    [
        [312, 30, 27, 4],  # Cheshire 373
        [128, 69, 28, 5],  # Cumbria 230, prevent 30.0%
        [343, 70, 66, 11],  # Greater Manchester 490, pursue 70.0%
        [540, 45, 44, 6],  # Lancashire 635, pursue 85.0%
        [451, 172, 164, 33],  # Merseyside 820, pursue 55.0%
        [112, 30, 24, 4],  # North Wales 170
        [200, 30, 25, 5],  # North West ROCU 260
    ]
)
#: Strand mix of the lead records of 2022 the filters leave out (None, Negative, Pending):
#: the counted mix, but Greater Manchester's leans to pursue so that its pursue share of
#: all lead records of 2022 (the default view) stays clear of W101's 70% boundary.
UNCOUNTED_MIX = {GMP: [0.76, 0.11, 0.11, 0.02]}
#: Disruptions of 2022 typed in after 4 January 2023 (only in the July extraction): ours.
LATE = np.array([24, 10, 38, 32, 28, 9, 6])
LATE_STRANDS = [0.13, 0.40, 0.42, 0.05]
#: Support disruptions: the ROCU for the forces; Merseyside, wrongly (check W104).
ROCU_SUPPORT = 236
MERSEYSIDE_SUPPORT = 9
#: Recorders per organisation; North Wales' first (its senior analyst) types in 62%.
RECORDERS = np.array([9, 6, 14, 11, 16, 5, 10])
SENIOR_ANALYST_SHARE = 0.62
#: January records still Pending whose assessment was made by July.
ASSESSED_BY_JULY = 10
#: Cumbria threats with no MoRiLE score in January that have one by July.
MORILE_BY_JULY = 6
#: Threats created between the extractions (unmoderated, so outside the filters).
NEW_THREATS = np.array([2, 1, 3, 2, 3, 1, 1])

PRESETS = {"north-west-2022": "the north-west region's extraction for 2022, calibrated to the 2023 inspection"}


#: How each organisation keeps its master list, as the inspection found it (checks W106, W113, W115, W116);
#: everything not named here is kept well. Drawn from a stream of its own, after the disruptions, so that no
#: disruption figure depends on it.
MASTER_LIST_SEED = [SEED, 16]
#: Cheshire "had reclassified some SOC threats. It had recorded 37 SOC vulnerabilities" by 1 April 2023: in the
#: July master list, up to this many of its organised crime groups no disruption was recorded against are
#: vulnerabilities (one with disruptions would no longer match their Threat Type).
RECLASSIFIED_BY_JULY = 37
#: Days within which a plan kept current was last reviewed, before each extraction (W113 allows 90).
CURRENT_REVIEW_DAYS = 80
#: Share of the plans due whose last review is over 90 days old: Cheshire "Some plans were out of date";
#: North Wales' plans "lack evidence of being reviewed and updated".
OUT_OF_DATE = {CHESHIRE: 0.25, NORTH_WALES: 0.35}
#: Share of the threats due with no plan recorded: Cumbria "Some investigations had no 4P plan at all".
NO_PLAN = {CUMBRIA: 0.08}
#: Cheshire "has five lead responsible officers", and "It wasn't always clear who the plan owner was".
CHESHIRE_OFFICERS = 5
CHESHIRE_NO_OFFICER = 5
#: North Wales' LROs "are managing significant other demands": one holds this many threats (W115 allows 30).
NORTH_WALES_BUSIEST = 34
#: The most active threats without a disruption of their owner in 2022 where the inspection found none
#: missing (W116 allows 25%); Cumbria and North Wales keep theirs (over a third).
UNDISRUPTED_AT_MOST = 0.18


#: Lead and support reconciled across organisations (check W117), from a stream of its own after the master list:
RECONCILE_SEED = [SEED, 18]
#: the ROCU's support disruptions for each force have the force's own lead beside them (same threat, within
#: 14 days) but for this share of them; North Wales' are left as drawn (over half with no lead of its own:
#: "NWROCU and its constituent forces record SOC disruption activity in different ways").
SUPPORT_UNMATCHED = 0.1
SUPPORT_AS_DRAWN = {NORTH_WALES}
#: ROCU lead disruptions that Merseyside also recorded as its lead (same threat and tactic, within 3 days).
DOUBLE_COUNTED = 3


#: The lowest MoRiLE score of Tier 2, 3 and 4 (tier codes 1 to 3) as the sample scores a threat.
LOWEST_SCORE = np.array([95, 55, 20])


def _tiers(rng: np.random.Generator, n: int) -> np.ndarray:
    """Tier codes for ``n`` threats a force has assessed: Tier 2 to 4 (codes 1 to 3), never Tier 5."""
    return rng.choice([1, 2, 3], size=n, p=[0.3, 0.4, 0.3])


def _as_inspected(threats: pd.DataFrame, frame: pd.DataFrame, first: dt.date, second: dt.date) -> dict[str, np.ndarray]:
    """Shape the master list's assessment, plans, officers and phases as the inspection found them (in place);
    returns what changed by the July extraction: the threats then moderated (``moder``) and the plans'
    Last Review Dates (``review``, day numbers, -1 blank)."""
    rng = np.random.default_rng(MASTER_LIST_SEED)
    org, phase = threats["org"].to_numpy(), threats["phase"].to_numpy().copy()
    created, passes = threats["created"].to_numpy().copy(), threats["passes"].to_numpy()
    live = phase <= core.DORMANT
    ext1, ext2 = core.day(first), core.day(second)

    # W106: every threat scored and tiered but Cumbria's; assessments moderated within 28 days of creation
    score, tier = threats["score"].to_numpy().copy(), threats["tier"].to_numpy().copy()
    fill = live & (org != CUMBRIA) & (np.isnan(score) | (tier < 0))
    tier[fill] = _tiers(rng, int(fill.sum()))
    score[fill] = LOWEST_SCORE[tier[fill] - 1] + rng.integers(0, 40, int(fill.sum()))
    moder, soc = threats["moder"].to_numpy().copy(), threats["soc"].to_numpy().copy()
    waiting = live & (moder == 1) & (ext1 - created > 28)
    # one disrupted before then was moderated long ago: it fails the filters as not SOC instead, so that the
    # threats the inspectors counted stay the same
    disrupted_early = np.isin(np.arange(len(threats)), frame["threat"][frame["ddate"] < ext1 - 28].to_numpy())
    moder[waiting & disrupted_early], soc[waiting & disrupted_early] = 0, 1
    recent = np.flatnonzero(waiting & ~disrupted_early)
    first_disrupted = pd.Series(frame["ddate"].to_numpy()).groupby(frame["threat"].to_numpy()).min()
    created[recent] = np.minimum(
        ext1 - 1 - rng.integers(0, 27, len(recent)), first_disrupted.reindex(recent, fill_value=ext1).to_numpy()
    )

    # W115: Cheshire's five officers, some threats with none; one North Wales officer holding too many
    lro = threats["lro"].to_numpy().copy()
    cheshire = np.flatnonzero(org == CHESHIRE)
    lro[cheshire] = lro[cheshire][lro[cheshire] >= 0].min() + rng.permutation(len(cheshire)) % CHESHIRE_OFFICERS
    unowned = lro < 0
    lro[unowned] = [lro[(org == o) & ~unowned].min() + rng.integers(0, 4) for o in org[unowned]]
    lro[rng.choice(np.flatnonzero(live & passes & (org == CHESHIRE)), CHESHIRE_NO_OFFICER, replace=False)] = -1
    wales = np.flatnonzero(live & passes & (org == NORTH_WALES))
    lro[rng.choice(wales, NORTH_WALES_BUSIEST, replace=False)] = lro[org == NORTH_WALES].min()

    # W116: where the inspection found no gap, an active threat nobody disrupted for a year is dormant
    in_2022 = (frame["rdate"].to_numpy() <= ext1) & (frame["rdate"].to_numpy() >= core.day(dt.date(YEAR, 1, 1)))
    own = frame["org"].to_numpy() == org[frame["threat"].to_numpy()]
    disrupted = np.zeros(len(threats), bool)
    disrupted[frame["threat"].to_numpy()[in_2022 & own]] = True
    for o in set(range(7)) - {CUMBRIA, NORTH_WALES}:
        active = (org == o) & (phase == core.ACTIVE) & (threats["ttype"].to_numpy() == core.OCG)
        idle = np.flatnonzero(active & ~disrupted)
        excess = len(idle) - int(UNDISRUPTED_AT_MOST * active.sum())
        if excess > 0:
            phase[rng.choice(idle, excess, replace=False)] = core.DORMANT

    # W113: plans reviewed in the last weeks before each extraction, but where the inspection found otherwise
    review = threats["review"].to_numpy().copy()
    july = review.copy()
    draw = rng.random(len(threats))  # the same threats' plans fall behind in both extractions
    for ext, out in ((ext1, review), (ext2, july)):
        due = live & (ext - created >= 90)
        out[due] = np.maximum(ext - rng.integers(1, CURRENT_REVIEW_DAYS, int(due.sum())), created[due])
        for o, share in OUT_OF_DATE.items():
            stale = due & (org == o) & (draw < share)
            out[stale] = np.maximum(ext - 91 - rng.integers(0, 300, int(stale.sum())), created[stale])
        for o, share in NO_PLAN.items():
            # in July, a plan missing in January, or one never recorded for a threat due since
            out[due & (org == o) & (draw < share) & ((out is review) | (review < 0))] = -1
    july = np.where((july >= 0) & (review >= 0), np.maximum(july, review), july)  # a review is never undone
    # January's new threats, moderated since and found not to be SOC (so the threats counted stay the same)
    july_moder = np.where(live & (moder == 1), 0, moder)

    threats["score"], threats["tier"], threats["created"] = score, tier, created
    threats["moder"], threats["soc"] = moder, soc
    threats["lro"], threats["phase"], threats["review"] = lro, phase, review
    return {"moder": july_moder, "review": july}


def _reconciled(frame: pd.DataFrame, threats: pd.DataFrame) -> None:
    """Give the ROCU's support disruptions the supported force's lead beside them, and make a few ROCU leads
    Merseyside's too (check W117; in place). Only threats and tactics move, so every planned count stays."""
    rng = np.random.default_rng(RECONCILE_SEED)
    org, kind, ddate = frame["org"].to_numpy(), frame["kind"].to_numpy(), frame["ddate"].to_numpy()
    key = frame[["org", "threat", "ddate", "strand", "tactic"]]
    plain = ~key.duplicated(keep=False).to_numpy() & ~frame["offtype"].to_numpy() & ~frame["offstrand"].to_numpy()
    leads = plain & (kind == "counted")

    def take(rows: np.ndarray, sources: np.ndarray, columns=("threat",)) -> None:
        for c in columns:
            frame.loc[frame.index[rows], c] = frame[c].to_numpy()[sources]
        t = frame["threat"].to_numpy()[rows]
        frame.loc[frame.index[rows], "ttype"] = threats["ttype"].to_numpy()[t]
        frame.loc[frame.index[rows], "threat_number"] = threats["number"].to_numpy()[t]
        area = frame["area"].to_numpy()[rows]
        frame.loc[frame.index[rows], "area"] = np.where(area < 0, area, threats["area"].to_numpy()[t])

    support = np.flatnonzero((org == ROCU) & (kind == "support") & plain)
    supported, strand, tactic = frame["supported"].to_numpy(), frame["strand"].to_numpy(), frame["tactic"].to_numpy()
    # keys of the ROCU's records (check W111's): a support disruption moved must not become a duplicate
    taken = set(zip(*(key[org == ROCU][c].to_numpy() for c in key.columns[1:])))
    for force in range(ROCU):
        if force in SUPPORT_AS_DRAWN:
            continue
        mine = rng.permutation(support[supported[support] == force])
        own = np.flatnonzero(leads & (org == force))
        fixed, nearest = [], []
        for row in mine[round(SUPPORT_UNMATCHED * len(mine)) :]:
            close = own[np.argsort(np.abs(ddate[own] - ddate[row]), kind="stable")]
            for lead in close[np.abs(ddate[close] - ddate[row]) <= 14]:
                k = (frame["threat"].iat[lead], ddate[row], strand[row], tactic[row])
                if k not in taken:
                    taken.add(k)
                    fixed.append(row), nearest.append(lead)
                    break
        take(np.array(fixed, dtype=np.int64), np.array(nearest, dtype=np.int64))

    rocu = np.flatnonzero(leads & (org == ROCU))
    merseyside = np.flatnonzero(leads & (org == MERSEYSIDE))
    strand = frame["strand"].to_numpy()
    pairs = [
        (r, m[0])
        for r in rng.permutation(rocu)
        if len(m := merseyside[(strand[merseyside] == strand[r]) & (np.abs(ddate[merseyside] - ddate[r]) <= 3)])
    ][:DOUBLE_COUNTED]
    rows, sources = np.array([r for r, _ in pairs]), np.array([m for _, m in pairs])
    take(rows, sources, ("threat", "tactic"))


@dataclass
class Extraction:
    """What the preset built: the text columns of both extractions and what was planted where."""

    january: dict[str, pa.Array]
    july: dict[str, pa.Array]
    threats_january: dict[str, pa.Array]
    threats_july: dict[str, pa.Array]
    planted: records.Planted
    changes: dict[str, list[str]] = field(default_factory=dict)
    frame: pd.DataFrame | None = None
    threats: pd.DataFrame | None = None


def _split(total: int, shares) -> np.ndarray:
    """``total`` split by ``shares`` exactly (largest remainder)."""
    shares = np.asarray(shares, dtype=float)
    raw = total * shares / shares.sum()
    out = np.floor(raw).astype(np.int64)
    out[np.argsort(-(raw - out), kind="stable")[: total - out.sum()]] += 1
    return out


def _block(
    rng,
    org: int,
    strands: np.ndarray,
    assess,
    *,
    dlo,
    dhi,
    rlo,
    rhi,
    kind: str,
    lag=0,
    pool=0,
    support=False,
    supported=None,
    offtype=0.0,
    offstrand=0.0,
) -> pd.DataFrame:
    """Rows with exactly ``strands[s]`` rows of each strand; ``assess`` is a list of (category, share)
    drawn at random, or one category."""
    strand = np.repeat(np.arange(4), strands)
    n = len(strand)
    if isinstance(assess, int):
        a = np.full(n, assess)
    else:
        cats, p = zip(*assess)
        a = rng.choice(np.array(cats), size=n, p=np.array(p) / sum(p))
    lag = np.asarray(lag) if not np.isscalar(lag) else np.full(n, lag)
    return pd.DataFrame(
        dict(
            org=np.full(n, org),
            support=np.full(n, support),
            supported=supported if supported is not None else np.full(n, -1),
            strand=strand,
            assess=a,
            dlo=np.broadcast_to(dlo, n),
            dhi=np.broadcast_to(dhi, n),
            rlo=np.broadcast_to(rlo, n),
            rhi=np.broadcast_to(rhi, n),
            lag=lag,
            pool=np.full(n, pool),
            offtype=(rng.random(n) < offtype) & (not support),
            offstrand=rng.random(n) < offstrand,
            kind=np.full(n, kind),
        )
    )


COUNTED_ASSESS = [(core.MAJOR, 0.06), (core.MODERATE, 0.3), (core.MINOR, 0.64)]


def _plan(rng: np.random.Generator) -> pd.DataFrame:
    d = core.day
    y0, y1 = d(dt.date(YEAR, 1, 1)), d(dt.date(YEAR, 12, 31))
    first, second = d(FIRST.date()), d(SECOND.date())
    blocks = []
    candidates = _supported_candidates(ORGS)
    for org in range(7):
        counted = COUNTED[org]
        n = counted.sum()
        # counted: a few happened late in 2021 and were typed in early 2022; 3% typed in months late
        prior = _split(max(2, round(0.02 * n)), counted)
        late = _split(max(2, round(0.03 * n)), counted - prior)
        rest = counted - prior - late
        common = dict(offtype=0.02, offstrand=0.012, kind="counted")
        blocks.append(_block(rng, org, rest, COUNTED_ASSESS, dlo=y0, dhi=y1, rlo=y0, rhi=y1, **common))
        blocks.append(_block(rng, org, late, COUNTED_ASSESS, dlo=y0, dhi=y1, rlo=y0, rhi=y1, lag=1, **common))
        blocks.append(
            _block(
                rng,
                org,
                prior,
                COUNTED_ASSESS,
                dlo=d(dt.date(YEAR - 1, 10, 15)),
                dhi=d(dt.date(YEAR - 1, 12, 31)),
                rlo=y0,
                rhi=d(dt.date(YEAR, 2, 28)),
                pool=1,
                **common,
            )
        )
        # not counted: lead, typed in during 2022, assessed None or Negative, or still Pending
        other = _split(max(6, round(0.09 * n)), UNCOUNTED_MIX.get(org, counted))
        pending = _split(int(other.sum() * 0.5), other)
        stale = _split(max(1, int(pending.sum() * 0.25)), pending)
        blocks.append(
            _block(
                rng,
                org,
                other - pending,
                [(core.NONE, 0.9), (core.NEGATIVE, 0.1)],
                dlo=y0,
                dhi=y1,
                rlo=y0,
                rhi=y1,
                kind="uncounted",
                offstrand=0.012,
            )
        )
        blocks.append(
            _block(
                rng,
                org,
                pending - stale,
                core.PENDING,
                dlo=d(dt.date(YEAR, 11, 20)),
                dhi=y1,
                rlo=d(dt.date(YEAR, 12, 8)),
                rhi=y1,
                kind="uncounted",
            )
        )
        blocks.append(
            _block(
                rng,
                org,
                stale,
                core.PENDING,
                dlo=y0,
                dhi=d(dt.date(YEAR, 9, 30)),
                rlo=y0,
                rhi=d(dt.date(YEAR, 10, 31)),
                kind="uncounted",
            )
        )
        # typed in between New Year and the first extraction
        jan = _split(max(3, round(0.015 * n)), counted)
        blocks.append(
            _block(
                rng,
                org,
                jan,
                [(core.PENDING, 0.75), (core.MINOR, 0.25)],
                dlo=d(dt.date(YEAR, 12, 1)),
                dhi=y1,
                rlo=y1 + 1,
                rhi=first,
                lag=2,
                pool=1,
                kind="january",
            )
        )
        # typed in after the first extraction: only in the second
        blocks.append(
            _block(
                rng,
                org,
                _split(LATE[org], LATE_STRANDS),
                [(core.MINOR, 0.55), (core.MODERATE, 0.25), (core.PENDING, 0.15), (core.NONE, 0.05)],
                dlo=y0,
                dhi=y1,
                rlo=first + 1,
                rhi=second - 1,
                pool=1,
                kind="late",
            )
        )
        # support disruptions
        n_support = {ROCU: ROCU_SUPPORT, MERSEYSIDE: MERSEYSIDE_SUPPORT}.get(org, 0)
        if n_support:
            cand = candidates[org]
            size = np.array([core.size_of(ORGS[c]) for c in cand])
            strands = _split(n_support, [0.78, 0.1, 0.09, 0.03])
            supported = cand[rng.choice(len(cand), size=n_support, p=size / size.sum())]
            assess = COUNTED_ASSESS + [(core.NONE, 0.06), (core.PENDING, 0.08)]
            blocks.append(
                _block(
                    rng,
                    org,
                    strands,
                    assess,
                    dlo=y0,
                    dhi=y1,
                    rlo=y0,
                    rhi=y1,
                    support=True,
                    supported=supported,
                    kind="support",
                )
            )
    # two Cheshire records typed in under a misspelt organisation (they count for nobody)
    blocks.append(
        _block(rng, CHESHIRE, np.array([1, 0, 1, 0]), core.MINOR, dlo=y0, dhi=y1, rlo=y0, rhi=y1, kind="typo")
    )
    plan = pd.concat(blocks, ignore_index=True)
    return plan


def build() -> Extraction:
    """Both extractions of the preset, in memory."""
    rng = np.random.default_rng(SEED)
    first, second = FIRST.date(), SECOND.date()
    tplan = core.ThreatPlan(
        orgs=ORGS,
        passing=PASSING,
        failing=FAILING,
        no_vulnerabilities=frozenset({"Cheshire Constabulary"}),
        morile_missing={"Cumbria Constabulary": 0.25},
        default_morile_missing=0.006,
        no_lro=0.03,
        stale_review=0.05,
        fail_reasons=(0.52, 0.24, 0.03, 0.09, 0.12),
    )
    threats = core.make_threats(rng, tplan, YEAR, first)
    plan = _plan(rng)
    counts = np.bincount(plan["org"].to_numpy(), minlength=7)
    opts = records.Finish(
        year=YEAR,
        extraction=second,
        month_weights=core.month_profile(rng, 7),
        recorders=core.recorder_pools(rng, 7, counts, RECORDERS),
        one_recorder={NORTH_WALES: SENIOR_ANALYST_SHARE},
        duplicates=0.006,
        blank_area=0.01,
    )
    frame = records.finish(rng, plan, threats, opts)
    by_july = _as_inspected(threats, frame, first, second)
    _reconciled(frame, threats)
    cols = records.disruption_columns(frame, ORGS)
    planted = records.Planted()
    kind = frame["kind"].to_numpy()
    # rows the filters exclude though they fall in the period (so every check sees them)
    excluded = np.flatnonzero(np.isin(kind, ["uncounted", "support"]))
    typo_rows = np.flatnonzero(kind == "typo")
    cols = records.plant_contract_defects(
        rng, cols, frame, ORGS, YEAR, 1, excluded, CHESHIRE, typo_rows=typo_rows, planted=planted
    )
    tcols = records.threat_columns(threats, ORGS)
    tcols = records.blank_closed_dates(rng, tcols, threats, 1, planted)
    spoilt = {i for ids in planted.items.values() for i in ids}

    # the first extraction: records typed in by 4 January 2023
    in_first = frame["rdate"].to_numpy() <= core.day(first)
    january = {k: v.filter(pa.array(in_first)) for k, v in cols.items()}

    # the second: every record, some January Pending ones since assessed
    ids = cols["Disruption ID"].to_numpy(zero_copy_only=False)
    waiting = np.flatnonzero(
        (kind == "january") & (frame["assess"].to_numpy() == core.PENDING) & ~np.isin(ids, list(spoilt))
    )
    assessed = np.sort(rng.permutation(waiting)[:ASSESSED_BY_JULY])
    new_values = list(rng.choice(["Minor", "Moderate"], size=len(assessed), p=[0.7, 0.3]))
    july = dict(cols)
    july["Assessment Category"] = replace(cols["Assessment Category"], assessed, new_values)
    changes = {"assessed since January (was Pending)": [f"{i} -> {v}" for i, v in zip(ids[assessed], new_values)]}

    # the master list in July: MoRiLE applied to some Cumbria threats, and new threats
    tjuly = dict(tcols)
    reviewed = np.flatnonzero(by_july["review"] != threats["review"].to_numpy())
    moderated = np.flatnonzero(by_july["moder"] != threats["moder"].to_numpy())
    tjuly["Last Review Date"] = dates(by_july["review"])
    tjuly["Moderation Status"] = replace(tcols["Moderation Status"], moderated, ["Moderated"] * len(moderated))
    tjuly["SOC Status"] = replace(tcols["SOC Status"], moderated, [SOC_STATUSES[1]] * len(moderated))
    unscored = np.flatnonzero(
        (threats["org"].to_numpy() == CUMBRIA)
        & np.isnan(threats["score"].to_numpy())
        & (threats["phase"].to_numpy() == core.ACTIVE)
        & (threats["moder"].to_numpy() == 0)
    )
    scored = np.sort(rng.permutation(unscored)[:MORILE_BY_JULY])
    tier = _tiers(rng, len(scored))
    score = LOWEST_SCORE[tier - 1] + (rng.random(len(scored)) * np.array([65, 55, 40])[tier - 1]).astype(int)
    tjuly["Tier"] = replace(tcols["Tier"], scored, [f"Tier {t + 1}" for t in tier])
    tjuly["MoRiLE Score"] = replace(tcols["MoRiLE Score"], scored, [str(s) for s in score])
    tids = tcols["Threat ID"].to_numpy(zero_copy_only=False)
    changes["MoRiLE score and tier applied since January"] = [
        f"{tids[r]} -> Tier {t + 1}, MoRiLE {s}" for r, t, s in zip(scored, tier, score)
    ]
    # Cheshire's organised crime groups reclassified as vulnerabilities since January (a stream of their own)
    never_disrupted = ~np.isin(np.arange(len(threats)), frame["threat"].to_numpy())
    candidates = np.flatnonzero(
        (threats["org"].to_numpy() == CHESHIRE)
        & (threats["ttype"].to_numpy() == core.OCG)
        & (threats["phase"].to_numpy() <= core.DORMANT)
        & (threats["moder"].to_numpy() == 0)
        & never_disrupted
    )
    picked = np.random.default_rng([SEED, 17]).permutation(candidates)[:RECLASSIFIED_BY_JULY]
    reclassified = np.sort(picked)
    tjuly["Threat Type"] = replace(
        tcols["Threat Type"], reclassified, [core.THREAT_TYPES[core.VULN]] * len(reclassified)
    )
    changes["reclassified since January (Organised Crime Group -> SOC Vulnerability)"] = [
        str(t) for t in tids[reclassified]
    ]
    new = _new_threats(rng, threats, second)
    tjuly = {k: pa.concat_arrays([v, new[k]]) for k, v in tjuly.items()}
    changes["4P plans reviewed since January"] = [str(t) for t in tids[reviewed]]
    changes["moderated since January, found not to be SOC"] = [str(t) for t in tids[moderated]]
    changes["threats created since January (unmoderated)"] = new["Threat ID"].to_pylist()
    return Extraction(january, july, tcols, tjuly, planted, changes, frame, threats)


def _new_threats(rng, threats: pd.DataFrame, second: dt.date) -> dict[str, pa.Array]:
    """Threats put on the list in the four weeks before the July extraction: assessed by their force, given an
    officer, awaiting moderation (so outside the inspectors' filters, and not yet late for W106)."""
    org = np.repeat(np.arange(7), NEW_THREATS)
    n = len(org)
    created = np.sort(core.day(second) - 1 - rng.integers(0, 27, n))
    org = org[rng.permutation(n)]
    number = int(threats["number"].max()) + 1 + np.arange(n)
    area = np.array([rng.choice(12, p=core.area_weights(ORGS[o])) for o in org])
    ttype = np.where(org == CHESHIRE, core.OCG, rng.choice(3, size=n, p=[0.7, 0.2, 0.1]))
    tier = _tiers(rng, n)
    officers = threats["lro"].where(threats["lro"] >= 0).groupby(threats["org"]).min()
    new = pd.DataFrame(
        dict(
            number=number,
            org=org,
            ttype=ttype,
            atype=0,
            soc=0,
            moder=1,
            tier=tier,
            score=(LOWEST_SCORE[tier - 1] + 20).astype(float),
            phase=core.ACTIVE,
            created=created,
            closed=-1,
            lro=officers.reindex(org).to_numpy().astype(np.int64),
            review=-1,
            area=area,
        )
    )
    return records.threat_columns(new, ORGS)


def generate_preset(name: str, out: Path, *, force: bool = False) -> list[Path]:
    """Write a calibrated extraction; ``north-west-2022`` is the only preset. Files already in ``out`` are an
    :class:`InputError` unless ``force``."""
    if name not in PRESETS:
        raise InputError(f"unknown preset {name!r} (presets: {', '.join(PRESETS)})")
    a, b = f"{FIRST:%Y-%m-%d}", f"{SECOND:%Y-%m-%d}"
    names = [f"disruptions_{a}.csv", f"threats_{a}.csv", f"disruptions_{a}.xlsx", f"disruptions_{b}.csv"]
    paths = prepare_out(out, [*names, f"threats_{b}.csv"], force)
    ex = build()
    stamp1 = f"Extracted: {FIRST:%d/%m/%Y %H:%M}"
    stamp2 = f"Extracted: {SECOND:%d/%m/%Y %H:%M}"

    def write() -> None:
        write_csv(paths[0], [DISRUPTIONS_TITLE, stamp1], ex.january)
        write_csv(paths[1], [THREATS_TITLE, stamp1], ex.threats_january)
        write_xlsx(
            paths[2],
            [DISRUPTIONS_TITLE, stamp1],
            ex.january,
            sheet="Disruptions",
            date_columns=DATE_COLUMNS,
            created=FIRST,
        )
        write_csv(paths[3], [DISRUPTIONS_TITLE, stamp2], ex.july)
        write_csv(paths[4], [THREATS_TITLE, stamp2], ex.threats_july)

    return written(paths, write)
