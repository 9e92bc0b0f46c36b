from __future__ import annotations

from typing import ClassVar

import numpy as np
import pandas as pd

from ..contract import TACTIC_STRAND
from ..measures import STRAND_INDEX, codes_in
from .base import Check, Context, Finding, Param, pct, share_text

TACTICS = pd.Index(list(TACTIC_STRAND))
#: Each tactic's usual strand, as a position among the contract's strands.
USUAL_STRAND = np.asarray(STRAND_INDEX.get_indexer([TACTIC_STRAND[t] for t in TACTICS]))


class TacticStrandMismatch(Check):
    """Many records whose tactic usually serves another strand.

    What it checks:
    The share of records in the period whose Tactic usually serves a strand
    other than the one recorded (the contract's tactic table), e.g. a
    Safeguarding Referral recorded as Pursue.

    Why it matters:
    A tactic outside its usual strand is legal (an arrest can protect a
    victim), but when it is common, prevent and protect work is being filed as
    pursue, or the other way round, and the strand mix misleads.

    Basis:
    The tool's own rule, from the finding behind W101 (The 2023 inspection
    of the north-west, Greater Manchester Police, "The force should
    continue to improve how it records disruptions on APMIS": of prevent
    and protect work, "it seems likely that some of this work isn't being
    recorded"). Which tactics belong to which strand, and the 10%
    tolerance, are the tool's choice.

    Example:
    52 of 402 records (13%) use a tactic that usually serves another strand; the threshold is 10%.

    What to do:
    Sample the records listed with their recorders and agree how each tactic
    is recorded.
    """

    id = "W112"
    name = "tactic-strand-mismatch"
    title = "Tactics recorded under an unusual strand"
    params: ClassVar[dict[str, Param]] = {
        "threshold": Param(float, 0.10, "Share of mismatched records above which to flag.")
    }

    def run(self, ctx: Context) -> Finding:
        tactic = codes_in(ctx.in_period["tactic"], TACTICS)  # -1: a tactic with no usual strand
        known = tactic >= 0
        total = int(known.sum())
        if total == 0:
            return self.not_applicable("no disruptions were recorded in the period")
        usual = USUAL_STRAND[tactic]  # (a tactic of -1 takes the last: masked by ``known``)
        odd = ctx.in_period["disruption_id"][known & (usual != codes_in(ctx.in_period["strand"], STRAND_INDEX))]
        share = len(odd) / total
        message = (
            f"{len(odd)} of {total} records ({pct(len(odd), total)}) use a tactic that usually serves"
            f" another strand; the threshold is {share_text(self.settings['threshold'])}."
        )
        return self.finding(share > self.settings["threshold"], message, value=share, records=odd)
