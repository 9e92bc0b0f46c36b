"""The control charts (``spc``): limits worked by hand, each Making Data Count rule broken by a series built to
break it, a series that breaks none, and no limits under twelve points."""

from __future__ import annotations

import math

import pytest

from disruption_qa.spc import MIN_POINTS, OUTSIDE, RUN, SHIFT, TREND, p_chart, xmr

MONTHS = [f"{m} 2022" for m in ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")]


def test_the_rules_are_making_data_counts():
    assert (MIN_POINTS, RUN) == (12, 7)


def test_xmr_limits_by_hand_and_a_series_that_breaks_no_rule():
    values = [10, 12, 11, 13, 9, 10, 12, 11, 10, 12, 11, 10]
    chart = xmr("The number of lead disruptions", MONTHS, values)
    mean = 131 / 12
    moving_range = (2 + 1 + 2 + 4 + 1 + 2 + 1 + 1 + 2 + 1 + 1) / 11
    assert chart.centre == pytest.approx(mean)
    assert chart.upper == pytest.approx([mean + 2.66 * moving_range] * 12)
    assert chart.lower == pytest.approx([mean - 2.66 * moving_range] * 12)
    assert chart.reason is None and chart.signals == []


def test_the_lower_xmr_limit_is_never_below_zero():
    chart = xmr("The number of lead disruptions", MONTHS, [0, 5, 0, 6, 1, 5, 0, 6, 1, 5, 0, 6])
    assert chart.lower == [0.0] * 12 and chart.upper[0] > 6


def test_a_point_beyond_the_limits():
    values = [10, 12, 11, 13, 9, 10, 12, 30, 10, 12, 11, 10]
    chart = xmr("The number of lead disruptions", MONTHS, values)
    (signal,) = chart.signals
    assert (signal.rule, signal.direction, signal.first, signal.last) == (OUTSIDE, "up", 7, 7)
    assert signal.sentence == "The number of lead disruptions was above its usual range in Aug 2022."


def test_a_shift_of_seven_on_one_side():
    values = [10, 11, 10, 11, 10, 12, 13, 12, 13, 12, 13, 12]  # the last 7 above the mean of 11.58
    chart = xmr("The number of lead disruptions", MONTHS, values)
    (signal,) = chart.signals
    assert (signal.rule, signal.direction, signal.first, signal.last) == (SHIFT, "up", 5, 11)
    assert signal.sentence == (
        "The number of lead disruptions stayed above its average for 7 months in a row, from Jun 2022 to Dec 2022."
    )


def test_six_on_one_side_is_no_shift():
    values = [10, 11, 10, 11, 10, 11, 12, 13, 12, 13, 12, 13]  # the last 6 above the mean of 11.5
    assert xmr("n", MONTHS, values).signals == []


def test_a_point_on_the_centre_line_breaks_a_run():
    values = [13, 13, 13, 13, 13, 13, 13, 9, 13, 12, 10, 10]
    assert SHIFT in [s.rule for s in xmr("n", MONTHS, values).signals]
    on_line = [13, 13, 13, 13, 12, 13, 13, 9, 13, 12, 10, 10]  # mean 12: the fifth point on it, runs of 4 and 2
    chart = xmr("n", MONTHS, on_line)
    assert chart.centre == 12 and chart.signals == []


def test_a_trend_of_seven_rising():
    values = [12, 8, 12, 8, 10, 11, 12, 13, 14, 15, 16, 9]  # 8 points rising, from April to November
    chart = xmr("The number of lead disruptions", MONTHS, values)
    (signal,) = chart.signals
    assert (signal.rule, signal.direction, signal.first, signal.last) == (TREND, "up", 3, 10)
    assert signal.sentence == (
        "The number of lead disruptions rose month on month for 8 months, from Apr 2022 to Nov 2022."
    )


def test_a_trend_falling_and_an_equal_point_breaking_one():
    falling = [16, 15, 14, 13, 12, 11, 10, 14, 10, 14, 10, 14]  # 7 falling, then alternating
    (signal,) = [s for s in xmr("n", MONTHS, falling).signals if s.rule == TREND]
    assert (signal.direction, signal.first, signal.last) == ("down", 0, 6)
    flat = [16, 15, 14, 13, 13, 11, 10, 14, 10, 14, 10, 14]  # a repeated value: runs of 4 and 4
    assert [s for s in xmr("n", MONTHS, flat).signals if s.rule == TREND] == []


def test_eleven_months_draw_no_limits_and_read_nothing():
    values = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 50]
    chart = xmr("The number of lead disruptions", MONTHS[:11], values)
    assert chart.centre is None and chart.upper == [] and chart.lower == [] and chart.signals == []
    assert chart.reason == "11 points: limits need at least 12, so none are drawn"
    shares = p_chart("Pursue share", MONTHS[:11], [5] * 11, [10] * 11)
    assert shares.centre is None and shares.signals == [] and shares.reason.startswith("11 points")


def test_p_chart_limits_each_month_by_its_own_records():
    hits = [30, 32, 28, 31, 29, 30, 33, 27, 30, 31, 29, 60]
    totals = [50, 50, 50, 50, 50, 50, 50, 50, 50, 50, 50, 100]
    chart = p_chart("Pursue share", MONTHS, hits, totals)
    p = sum(hits) / sum(totals)
    assert chart.centre == pytest.approx(p)
    assert chart.upper[0] == pytest.approx(p + 3 * math.sqrt(p * (1 - p) / 50))
    assert chart.lower[11] == pytest.approx(p - 3 * math.sqrt(p * (1 - p) / 100))
    assert chart.upper[11] < chart.upper[0]  # more records, narrower limits
    assert chart.signals == []


def test_p_chart_flags_a_month_outside_its_own_limits_and_skips_a_month_without_records():
    hits = [30, 32, 28, 31, 0, 30, 33, 27, 48, 31, 29, 30, 30]
    totals = [50, 50, 50, 50, 0, 50, 50, 50, 50, 50, 50, 50, 50]
    labels = [*MONTHS, "Jan 2023"]
    chart = p_chart("Pursue share", labels, hits, totals)
    assert chart.values[4] is None and chart.upper[4] is None and chart.lower[4] is None
    (signal,) = chart.signals
    assert (signal.rule, signal.first) == (OUTSIDE, 8)
    assert signal.sentence == "Pursue share was above its usual range in Sep 2022."


def test_twelve_points_need_twelve_with_data():
    hits = [30] * 12
    totals = [50] * 11 + [0]
    assert p_chart("Pursue share", MONTHS, hits, totals).reason.startswith("11 points")


def test_a_run_of_runs_speaks_of_runs():
    values = [10, 11, 10, 11, 10, 12, 13, 12, 13, 12, 13, 12]
    chart = xmr("Pursue share", [f"run {i}" for i in range(1, 13)], values, unit="run")
    assert "for 7 runs in a row" in chart.signals[0].sentence


# --- in the reports and the index ----------------------------------------------------------------


@pytest.fixture(scope="module")
def north_west():
    from conftest import REPO

    from disruption_qa import api

    folder = REPO / "sample_exports" / "north-west-2022"
    return api.check(folder / "disruptions_2023-01-04.csv", folder / "threats_2023-01-04.csv", year=2022)


def test_each_organisation_has_its_months_on_two_charts_from_its_own_counts(north_west):
    for r in north_west.results:
        counts, shares = r.figures.control
        totals = [sum(month) for month in zip(*r.figures.monthly.values())]
        assert counts.values == totals and counts.labels == r.figures.months and counts.kind == "xmr"
        assert shares.kind == "p" and shares.values == [
            p / n if n else None for p, n in zip(r.figures.monthly["Pursue"], totals)
        ]
        assert counts.centre == pytest.approx(sum(totals) / 12)


def test_the_report_draws_the_charts_and_says_each_signal(north_west):
    from disruption_qa.render import charts, pages
    from disruption_qa.render.html import render_report
    from disruption_qa.report import build_report

    flagged = [r for r in north_west.results if any(c.signals for c in r.figures.control)]
    assert flagged  # the sample has at least one signal to show
    for r in flagged[:2]:
        data = build_report(r, north_west)
        page = pages.ReportPage.build(data)
        assert [f.chart for f in page.control] == r.figures.control
        for figure in page.control:
            # each point of a signal drawn as a square in the signal's colour (the legend adds one more)
            points = sum(s.last - s.first + 1 for s in figure.chart.signals)
            assert figure.svg.count(f'fill="{charts.SIGNAL}"') == points + (1 if points else 0)
        html = render_report(data)
        for chart in r.figures.control:
            for s in chart.signals:
                assert s.sentence in html


def test_twelve_runs_add_the_runs_chart_and_eleven_do_not(north_west):
    import dataclasses
    import datetime as dt

    from disruption_qa.render import pages
    from disruption_qa.report import build_report
    from disruption_qa.results import HistoryView

    data = build_report(north_west.results[0], north_west)
    rows = [
        {"extraction_date": dt.date(2022, m, 4), "pursue_share": 0.6 + 0.01 * (m % 3), "late_share": None}
        for m in range(1, 13)
    ]
    twelve = pages.control_figures(dataclasses.replace(data, history=HistoryView(None, None, rows)))
    assert len(twelve) == 3
    runs = twelve[2].chart
    assert (
        runs.unit == "run" and runs.percent and runs.centre == pytest.approx(sum(r["pursue_share"] for r in rows) / 12)
    )
    assert runs.labels[0] == "04/01/2022"
    eleven = pages.control_figures(dataclasses.replace(data, history=HistoryView(None, None, rows[1:])))
    assert len(eleven) == 2


def test_the_index_lists_each_organisations_signals(north_west, tmp_path):
    from disruption_qa import api

    api.write(north_west, tmp_path, html=True)
    index = (tmp_path / "index.html").read_text("utf-8")
    said = [s.sentence for r in north_west.results for chart in r.figures.control for s in chart.signals]
    assert said and all(sentence in index for sentence in said)


def test_a_signal_is_information_and_leaves_the_exit_code_alone(tmp_path):
    import datetime as dt

    from test_checks import healthy, run

    records, threats = healthy()

    def later(text: str) -> str:
        return (dt.datetime.strptime(text, "%d/%m/%Y") + dt.timedelta(days=1)).strftime("%d/%m/%Y")

    december = [r for r in records if r["Disruption Date"].endswith("/12/2022")]
    extra = [
        {
            **r,
            "Disruption ID": f"E{n:04d}",
            "Disruption Date": later(r["Disruption Date"]),
            "Record Date": later(r["Record Date"]),
        }
        for n, r in enumerate(december, 1)
    ]
    result, findings = run(tmp_path, records + extra, threats)
    counts, _ = result.results[0].figures.control
    # December above the limits (and the eleven months before it below the raised mean: a shift)
    assert [(s.rule, counts.labels[s.first]) for s in counts.signals] == [(SHIFT, "Jan 2022"), (OUTSIDE, "Dec 2022")]
    assert not any(f.flagged for f in findings.values())
    assert result.exit_code("warning") == 0


def test_one_organisations_chart_without_limits_hides_no_other_signal(north_west, tmp_path):
    import dataclasses

    from disruption_qa import api

    first = north_west.results[0]
    short = p_chart("The pursue share", MONTHS[:11], [1] * 11, [2] * 11)  # a share chart with no limits
    figures = dataclasses.replace(first.figures, control=[first.figures.control[0], short])
    run = dataclasses.replace(
        north_west, results=[dataclasses.replace(first, figures=figures), *north_west.results[1:]]
    )
    api.write(run, tmp_path, html=True)
    index = (tmp_path / "index.html").read_text("utf-8")
    said = [s.sentence for r in run.results[1:] for chart in r.figures.control for s in chart.signals]
    assert said and all(sentence in index for sentence in said)
    assert "No control limits" not in index
