from __future__ import annotations

from typing import ClassVar

from ..measures import lateness
from .base import Check, Context, Finding, Param, pct, share_text


class LateRecording(Check):
    """Disruptions typed in long after they happened.

    What it checks:
    Of the disruptions that happened in the period (by Disruption Date), the
    share recorded more than ``days`` days later. It also counts those entered
    after the period ended, which a year-end extraction misses altogether.

    Why it matters:
    The inspectors took a second extraction six months after the year end and
    found disruptions for 2022 that had been added since. Late records make
    every in-year figure an undercount, and the work they describe is easily
    forgotten before it is recorded.

    Basis:
    The 2023 inspection of the north-west, Appendix 2, "Data methodology
    and caveats": "A further extraction was carried out on 13 July 2023 to
    examine further disruptions [of 2022] which were added to APMIS after
    4 January 2023". The 28 days and the 20% tolerance are the tool's own
    hygiene rule.

    Example:
    61 of 402 disruptions (15%) were recorded more than 28 days after they happened; 9 were entered after the period ended.

    What to do:
    Find which teams record late (the records listed name their recorders) and
    agree a recording deadline; check the records entered after the year end
    are counted where they belong.
    """

    id = "W107"
    name = "late-recording"
    title = "Disruptions recorded late"
    params: ClassVar[dict[str, Param]] = {
        "days": Param(int, 28, "Days between Disruption Date and Record Date after which a record is late."),
        "threshold": Param(float, 0.20, "Share of late records above which to flag."),
    }

    def run(self, ctx: Context) -> Finding:
        late_ = lateness(ctx.records, ctx.start, ctx.end, self.settings["days"], ctx.happened)
        happened, lag, late, after = late_.happened, late_.lag_days, late_.late, late_.entered_after
        if len(happened) == 0:
            return self.not_applicable("no disruptions happened in the period")
        share = late_.share
        message = (
            f"{len(late)} of {len(happened)} disruptions ({pct(len(late), len(happened))}) were recorded more than"
            f" {self.settings['days']} days after they happened; {len(after)} were entered after the period ended;"
            f" the threshold is {share_text(self.settings['threshold'])}."
        )
        details = {"median_lag_days": float(lag.median()), "entered_after_period": len(after), "late": len(late)}
        return self.finding(share > self.settings["threshold"], message, value=share, records=late, details=details)
