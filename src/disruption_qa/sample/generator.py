"""``disruption-qa sample``: a synthetic extraction of any size for any organisations.

The extraction is taken on 4 January of the year after ``year`` (title line
``Extracted: 04/01/YYYY 09:14``): every disruption happened in ``year`` and was
typed in by that day. What makes it plausible:

* each organisation records in proportion to its size, with its own monthly
  volume profile and its own strand mix (mostly pursue), forces spreading
  around the usual mix more than chance alone would; with realistic defects,
  Kent Police and Dyfed-Powys Police record nearly all pursue (95%), far
  outside that spread (``FAR_OUTSIDE``: what a funnel allowing for
  over-dispersion should find);
* tactics fit their strand; recording lags are long-tailed (median under a
  week, a tail of months);
* several recorders per organisation, a few of them doing most of the typing;
* forces record lead disruptions only; ROCUs and agencies also record support
  disruptions for other organisations of the selection;
* about one threat on the master list for every 3 disruptions in a small
  extraction, one for every 20 in a national one (50,000 for a million rows).

With ``defects="realistic"`` it also holds what real extractions hold (each
for a check of the catalogue): a few contract-breaking rows, records typed in
months late, probable duplicates, tactics far from their strand, disruptions
against priority individuals and vulnerabilities, a police force recording
support disruptions, threats with no MoRiLE score, no lead responsible officer
or a stale plan review, and assessments left Pending for months. Contract-breaking
rows are always rows the inspectors' filters exclude anyway. With
``defects="none"`` the extraction is valid under the contract.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from ..contract import organisations as known_organisations
from ..errors import InputError
from . import core, records
from .writing import prepare_out, write_csv, write_xlsx, written

DEFAULT_REGION = "North West"
EXTRACTED_AT = dt.time(9, 14)


#: Forces whose recording a realistic sample sets far outside the usual spread between forces (each force's
#: strand mix is otherwise drawn around 70% pursue, 14% prevent, 13% protect, 3% prepare): nearly all pursue, so
#: that a funnel allowing for over-dispersion has something to find. Neither is in the north-west.
FAR_OUTSIDE = ("Kent Police", "Dyfed-Powys Police")
FAR_OUTSIDE_MIX = (0.95, 0.02, 0.02, 0.01)


def extraction_day(year: int) -> dt.date:
    return dt.date(year + 1, 1, 4)


def select_organisations(organisations_: list[str] | None, region: str | None, national: bool) -> list[str]:
    """Organisation names in the order of the organisation list; the North West when nothing is asked."""
    known = known_organisations()
    chosen: set[str] = set()
    by_lower = {n.lower(): n for n in known}
    for name in organisations_ or []:
        real = by_lower.get(name.strip().lower())
        if real is None:
            raise InputError(f"unknown organisation {name!r}")
        chosen.add(real)
    if region is not None:
        regions = sorted({o.region for o in known.values()})
        match = [r for r in regions if r.lower() == region.strip().lower()]
        if not match:
            raise InputError(f"unknown region {region!r} (regions: {', '.join(regions)})")
        chosen.update(n for n, o in known.items() if o.region == match[0])
    if national:
        chosen.update(known)
    if not chosen:
        chosen.update(n for n, o in known.items() if o.region == DEFAULT_REGION)
    return [n for n in known if n in chosen]


def _supported_candidates(orgs: list[str]) -> list[np.ndarray]:
    """For each organisation, whom its support disruptions may benefit (indices into ``orgs``)."""
    known = known_organisations()
    out = []
    for name in orgs:
        me = known[name]
        if me.kind == "rocu":
            cand = [i for i, o in enumerate(orgs) if known[o].kind == "force" and known[o].region == me.region]
        elif me.kind == "agency":
            cand = [i for i, o in enumerate(orgs) if known[o].kind in ("force", "rocu")]
        else:  # a force recording support disruptions: for its neighbours and its ROCU
            cand = [i for i, o in enumerate(orgs) if o != name and known[o].region == me.region]
        out.append(np.array(cand, dtype=np.int64))
    return out


def generate(
    out: Path,
    *,
    organisations: list[str] | None = None,
    region: str | None = None,
    national: bool = False,
    year: int = 2022,
    rows: int = 5000,
    seed: int = 1,
    defects: str = "realistic",
    fmt: str = "csv",
    multiline_summaries: bool = True,
    force: bool = False,
) -> list[Path]:
    """Write ``disruptions.csv`` and ``threats.csv`` (or ``.xlsx``) into ``out``; return their paths.
    Files already there are an :class:`InputError` unless ``force``.

    The organisations are those named, plus every organisation of ``region``,
    or every organisation in England and Wales and the national agencies with
    ``national``; with none of these, the North West region (its six forces and
    its ROCU). The same arguments always give the same bytes.

    ``multiline_summaries=False`` writes each Summary on one line (a line break
    becomes a space), for readers that cannot take line breaks inside quoted
    values, such as ``pandas.read_csv(engine="pyarrow")`` in the benchmark.
    """
    if defects not in ("none", "realistic"):
        raise InputError(f"defects must be 'none' or 'realistic', not {defects!r}")
    if fmt not in ("csv", "xlsx"):
        raise InputError(f"format must be 'csv' or 'xlsx', not {fmt!r}")
    if rows < 1:
        raise InputError(f"rows must be at least 1, not {rows}")
    if not 1990 <= year <= 2100:
        raise InputError(f"year {year} is out of range (1990-2100)")
    names = select_organisations(organisations, region, national)
    paths = prepare_out(out, [f"disruptions.{fmt}", f"threats.{fmt}"], force)
    realistic = defects == "realistic"
    rng = np.random.default_rng([seed, year, rows, int(realistic)])
    known = known_organisations()
    kinds = np.array([known[n].kind for n in names])
    extraction = extraction_day(year)
    y0, y1, ext = core.day(dt.date(year, 1, 1)), core.day(dt.date(year, 12, 31)), core.day(extraction)
    n_orgs = len(names)

    # --- the master list
    size = np.array([core.size_of(n) for n in names])
    share = size / size.sum()
    ratio = 3 + 17 * min(1.0, rows / 1_000_000)
    n_threats = max(int(rows / ratio), 12 * n_orgs)
    per_org = rng.multinomial(n_threats - 6 * n_orgs, share) + 6
    passing = np.round(per_org * rng.uniform(0.72, 0.84, n_orgs)).astype(np.int64)
    passing = np.clip(passing, 3, per_org)
    tplan = core.ThreatPlan(
        orgs=names,
        passing=passing,
        failing=per_org - passing,
        no_vulnerabilities=frozenset({"Cheshire Constabulary"}) if realistic else frozenset(),
        morile_missing={"Cumbria Constabulary": 0.25} if realistic else None,
        default_morile_missing=0.03 if realistic else 0.0,
        no_lro=0.04 if realistic else 0.0,
        stale_review=0.07 if realistic else 0.0,
    )
    threats = core.make_threats(rng, tplan, year, extraction)

    # --- the plan of disruptions
    counts = rng.multinomial(rows, share)
    org = np.repeat(np.arange(n_orgs), counts)
    n = rows
    candidates = _supported_candidates(names)
    p_support = np.where(kinds == "rocu", 0.35, np.where(kinds == "agency", 0.25, 0.0))
    forces = [i for i, k in enumerate(kinds) if k == "force" and len(candidates[i])]
    w104 = None
    if realistic and forces:
        w104 = next((i for i in forces if names[i] == "Merseyside Police"), forces[int(rng.integers(len(forces)))])
        p_support[w104] = 0.03
    support = (rng.random(n) < p_support[org]) & np.array([len(c) > 0 for c in candidates])[org]
    supported = np.full(n, -1, np.int64)
    for o in range(n_orgs):
        sel = support & (org == o)
        if sel.any():
            cand = candidates[o]
            w = size[cand] / size[cand].sum()
            supported[sel] = cand[rng.choice(len(cand), size=int(sel.sum()), p=w)]
    base = np.array([0.70, 0.14, 0.13, 0.03])
    mix = rng.dirichlet(60 * base, size=n_orgs)
    if realistic:  # a few far outside the usual spread between forces (the draws stay the same)
        mix[np.isin(names, FAR_OUTSIDE)] = FAR_OUTSIDE_MIX
    strand = np.empty(n, np.int64)
    for o in range(n_orgs):
        sel = org == o
        strand[sel] = rng.choice(4, size=int(sel.sum()), p=mix[o])
    plan = pd.DataFrame(
        dict(
            org=org,
            support=support,
            supported=supported,
            strand=strand,
            assess=np.full(n, -1),
            dlo=np.full(n, y0),
            dhi=np.full(n, y1),
            rlo=np.full(n, y0),
            rhi=np.full(n, ext),
            lag=np.where(realistic & (rng.random(n) < 0.03), 1, 0),
            pool=np.zeros(n, np.int64),
            offtype=realistic & ~support & (rng.random(n) < 0.015),
            offstrand=realistic & (rng.random(n) < 0.015),
        )
    )
    one = {i: 0.62 for i, nm in enumerate(names) if nm == "North Wales Police"} if realistic else {}
    opts = records.Finish(
        year=year,
        extraction=extraction,
        month_weights=core.month_profile(rng, n_orgs),
        recorders=core.recorder_pools(rng, n_orgs, np.bincount(org, minlength=n_orgs)),
        one_recorder=one,
        stale_pending=0.015 if realistic else 0.0,
        duplicates=0.005 if realistic else 0.0,
        blank_area=0.02 if realistic else 0.0,
    )
    frame = records.finish(rng, plan, threats, opts)
    cols = records.disruption_columns(frame, names)
    if not multiline_summaries:
        import pyarrow.compute as pc

        cols["Summary"] = pc.replace_substring(cols["Summary"], "\n", " ")
    tcols = records.threat_columns(threats, names)
    if realistic:
        planted = records.Planted()
        excluded = frame["support"].to_numpy() | np.isin(
            frame["assess"].to_numpy(), [core.NONE, core.NEGATIVE, core.PENDING]
        )
        # about one of each kind of contract break per 20,000 records; none in a tiny extraction
        per_kind = max(1, rows // 20000) if rows >= 200 else 0
        cheshire = names.index("Cheshire Constabulary") if "Cheshire Constabulary" in names else None
        typo = cheshire if cheshire is not None else (int(rng.integers(n_orgs)) if n_orgs else None)
        cols = records.plant_contract_defects(
            rng, cols, frame, names, year, per_kind, np.flatnonzero(excluded), typo, planted=planted
        )
        tcols = records.blank_closed_dates(rng, tcols, threats, per_kind and max(1, len(threats) // 2000), planted)

    stamp = f"Extracted: {extraction:%d/%m/%Y} {EXTRACTED_AT:%H:%M}"
    created = dt.datetime.combine(extraction, EXTRACTED_AT)
    return written(paths, lambda: write_pair(Path(out), "disruptions", "threats", cols, tcols, stamp, fmt, created))


DISRUPTIONS_TITLE = "APMIS Disruptions Export"
THREATS_TITLE = "APMIS SOC Master List Export"
DATE_COLUMNS = {"Disruption Date", "Record Date", "Created Date", "Closed Date", "Last Review Date"}


def write_pair(
    out: Path, dname: str, tname: str, cols, tcols, stamp: str, fmt: str, created: dt.datetime
) -> list[Path]:
    if fmt == "xlsx":
        return [
            write_xlsx(
                out / f"{dname}.xlsx",
                [DISRUPTIONS_TITLE, stamp],
                cols,
                sheet="Disruptions",
                date_columns=DATE_COLUMNS,
                created=created,
            ),
            write_xlsx(
                out / f"{tname}.xlsx",
                [THREATS_TITLE, stamp],
                tcols,
                sheet="Threats",
                date_columns=DATE_COLUMNS,
                number_columns={"MoRiLE Score"},
                created=created,
            ),
        ]
    return [
        write_csv(out / f"{dname}.csv", [DISRUPTIONS_TITLE, stamp], cols),
        write_csv(out / f"{tname}.csv", [THREATS_TITLE, stamp], tcols),
    ]
