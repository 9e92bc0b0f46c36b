"""Comparing organisations: funnel limits by hand, the table on a small region, the inspectors' figures."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from conftest import run_cli

from disruption_qa import api
from disruption_qa.comparison import Z95, Z998, chi2_95, classify, control_limits, dispersion

ROOT = Path(__file__).resolve().parent.parent
NW = ROOT / "sample_exports" / "north-west-2022"


# --- funnel limits, worked by hand -----------------------------------------------------------
# p0 = 0.5, n = 100: sqrt(0.25/100) = 0.05; 1.96 x 0.05 = 0.098; 3.09 x 0.05 = 0.1545
# p0 = 0.2, n = 400: sqrt(0.16/400) = 0.02; 1.96 x 0.02 = 0.0392; 3.09 x 0.02 = 0.0618


@pytest.mark.parametrize(
    "p0, n, z, expected",
    [
        (0.5, 100, Z95, (0.402, 0.598)),
        (0.5, 100, Z998, (0.3455, 0.6545)),
        (0.2, 400, Z95, (0.1608, 0.2392)),
        (0.2, 400, Z998, (0.1382, 0.2618)),
        (0.02, 10, Z998, (0.0, 0.1568)),  # clipped at zero
    ],
)
def test_control_limits_by_hand(p0, n, z, expected):
    low, high = control_limits(p0, n, z)
    assert low == pytest.approx(expected[0], abs=2e-4)
    assert high == pytest.approx(expected[1], abs=2e-4)


@pytest.mark.parametrize(
    "share, n, status",
    [
        (0.70, 100, "outlier-high"),  # above 0.6545
        (0.62, 100, "alert-high"),  # between 0.598 and 0.6545
        (0.55, 100, "within"),
        (0.37, 100, "alert-low"),
        (0.30, 100, "outlier-low"),
        (0.70, 10, "within"),  # a small organisation: the same share is noise
    ],
)
def test_classification_against_the_limits(share, n, status):
    assert classify(share, n, 0.5)[0] == status


# --- over-dispersion, worked step by step (Spiegelhalter 2005) -------------------------------------


@pytest.mark.parametrize("df, table", [(4, 9.4877), (5, 11.0705), (10, 18.3070), (30, 43.7730), (50, 67.5048)])
def test_chi_squared_95_percent_points_agree_with_the_tables(df, table):
    assert chi2_95(df) == pytest.approx(table, rel=0.01)


def test_over_dispersion_worked_by_hand():
    # six forces, 200 records each but the last (800); pooled share p0 = (60+80+100+120+140+400)/1800 = 0.5
    pairs = [(60, 200), (80, 200), (100, 200), (120, 200), (140, 200), (400, 800)]
    p0 = 0.5
    # s = sqrt(0.25/200) = 0.035355 for the five, sqrt(0.25/800) = 0.017678 for the last
    # z = (0.3-0.5)/0.035355 = -5.6569, -2.8284, 0, 2.8284, 5.6569, and 0 for the last
    # sorted: -5.6569, -2.8284, 0, 0, 2.8284, 5.6569; the 10th percentile lies half-way between the first two
    # (position 0.5), -4.2426; the 90th half-way between the last two, 4.2426: -5.6569 and 5.6569 are winsorised
    # phi = (4.2426² + 2.8284² + 0 + 2.8284² + 4.2426² + 0) / 6 = (18 + 8 + 8 + 18) / 6 = 8.6667
    # I·phi = 52 > chi-squared(5) 95% point 11.07: over-dispersed
    # w = 1/s² = 800 (five times) and 3200: Σw = 7200, Σw² = 5 x 640,000 + 10,240,000 = 13,440,000
    # tau² = (52 - 5) / (7200 - 13,440,000/7200) = 47 / 5333.33 = 0.0088125
    found = dispersion(pairs, p0)
    assert found.forces == 6 and found.adjusted
    assert found.phi == pytest.approx(8.6667, abs=1e-4)
    assert found.tau2 == pytest.approx(0.0088125, rel=1e-4)
    # the widened 99.8% limits for 200 records: 0.5 ± 3.0902 x sqrt(0.00125 + 0.0088125) = 0.5 ± 0.30995
    assert control_limits(p0, 200, Z998, found.tau2) == pytest.approx((0.19005, 0.80995), abs=1e-4)
    # and the 95% ones 0.5 ± 1.96 x 0.100312 = 0.5 ± 0.19661: 30% is an alert, no longer an outlier
    assert classify(0.3, 200, p0, found.tau2)[0] == "alert-low" and classify(0.3, 200, p0)[0] == "outlier-low"


def test_forces_that_spread_as_chance_allows_keep_the_plain_limits():
    # shares within a standard error of 0.5 for 200 records (s = 0.0354): z = -1, -0.5, 0, 0.5, 1 -> phi < 1
    pairs = [(93, 200), (96, 200), (100, 200), (104, 200), (107, 200)]
    found = dispersion(pairs, 0.5)
    assert not found.adjusted and found.tau2 == 0 and found.phi < 1
    assert "no more than chance allows" in found.reason


def test_rate_limits_are_poisson():
    # r0 = 4 disruptions per active threat, n = 100 threats: sqrt(4/100) = 0.2; 1.96 x 0.2 = 0.392; never below 0
    assert control_limits(4.0, 100, Z95, rate=True) == pytest.approx((3.608, 4.392), abs=2e-4)
    assert control_limits(0.5, 4, Z998, rate=True) == pytest.approx((0.0, 0.5 + 3.0902 * math.sqrt(0.125)), abs=2e-4)
    # 4.5 is above 4.392 but below 4 + 3.0902 x 0.2 = 4.618: an alert; 4.7 is an outlier
    assert classify(4.5, 100, 4.0, rate=True)[0] == "alert-high"
    assert classify(4.7, 100, 4.0, rate=True)[0] == "outlier-high"


def test_fewer_than_five_forces_cannot_be_adjusted():
    found = dispersion([(60, 200), (140, 200), (100, 200), (100, 200)], 0.5)
    assert (found.adjusted, found.phi, found.tau2) == (False, None, 0.0)
    assert found.reason == "no adjustment for over-dispersion is possible with 4 forces"


# --- the table on a small synthetic region -------------------------------------------------


@pytest.fixture(scope="module")
def region(tmp_path_factory):
    from disruption_qa.sample import generate

    folder = tmp_path_factory.mktemp("cmp")
    generate(
        folder,
        organisations=["Cheshire Constabulary", "Merseyside Police", "North West Regional Organised Crime Unit"],
        rows=1500,
        seed=4,
    )
    run = api.check(folder / "disruptions.csv", folder / "threats.csv", year=2022)
    out = folder / "out"
    api.write(run, out)
    return run, out


def test_comparison_table_has_a_row_per_organisation(region):
    run, out = region
    data = json.loads((out / "comparison.json").read_text())
    rows = {r["organisation"]: r for r in data["organisations"]}
    assert set(rows) == {r.organisation.name for r in run.results}
    for result in run.results:
        row, ind = rows[result.organisation.name], result.indicators
        assert row["lead_disruptions"] == ind.lead_disruptions
        assert row["support_disruptions"] == ind.support_disruptions
        assert row["shares"]["Pursue"] == pytest.approx(ind.by_strand["Pursue"] / ind.lead_disruptions)
        assert row["late_share"] == pytest.approx(ind.late_records / ind.happened_in_period)
        assert row["threats"] == ind.threats
        assert row["vulnerabilities"] == ind.threats_by_type["SOC Vulnerability"]
        assert row["report"] == f"{result.slug}/report.html" and (out / row["report"]).exists()
        assert [f["check"] for f in row["flagged"]] == sorted(
            (f.check for f in result.findings if f.status == "flagged"),
            key=lambda c: (next(f.severity for f in result.findings if f.check == c) != "error", c),
        )
    # the ROCU is listed but not pooled in the funnels
    pursue = next(f for f in data["funnels"] if f["metric"] == "pursue_share")
    assert {p["organisation"] for p in pursue["points"]} == {"Cheshire Constabulary", "Merseyside Police"}
    forces = [r for r in run.results if r.organisation.kind == "force"]
    assert pursue["pooled"] == pytest.approx(
        sum(r.indicators.by_strand["Pursue"] for r in forces) / sum(r.indicators.lead_disruptions for r in forces)
    )
    html = (out / "index.html").read_text(encoding="utf-8")
    for result in run.results:
        assert f'href="{result.slug}/report.html"' in html
    assert "The inspectors' figures" not in html  # default profile


def test_a_single_organisation_gets_no_index(tmp_path):
    from disruption_qa.sample import generate

    generate(tmp_path, organisations=["Cumbria Constabulary"], rows=300, seed=2)
    run = api.check(tmp_path / "disruptions.csv", tmp_path / "threats.csv", year=2022)
    api.write(run, tmp_path / "out")
    assert not (tmp_path / "out" / "index.html").exists() and not (tmp_path / "out" / "comparison.json").exists()


# --- the north-west extraction under the inspectors' filters ----------------------------------


@pytest.fixture(scope="module")
def inspection(tmp_path_factory):
    out = tmp_path_factory.mktemp("hmic")
    proc = run_cli(
        "check",
        NW / "disruptions_2023-01-04.csv",
        "--threats",
        NW / "threats_2023-01-04.csv",
        "--year",
        "2022",
        "--profile",
        "hmicfrs-2023",
        "--out",
        out,
    )
    assert proc.code in (0, 1), proc.stderr
    return out, json.loads((out / "comparison.json").read_text()), (out / "index.html").read_text(encoding="utf-8")


PUBLISHED = [
    "Cheshire Constabulary recorded 373 disruptions, of which 312 (84 percent) were pursue.",
    "Cheshire Constabulary had 118 SOC threats on the master list, none of them SOC vulnerabilities.",
    "Greater Manchester Police recorded 490 disruptions, of which 343 (70 percent) were pursue.",
    "Lancashire Constabulary recorded 635 disruptions, of which 540 (85 percent) were pursue.",
    "Lancashire Constabulary had 243 SOC threats on the master list, 17 of them SOC vulnerabilities.",
    "The North West region had 938 SOC threats on the master list.",
    "Cumbria Constabulary had the highest proportion of prevent disruptions (30 percent) of the forces in the North West region.",
]


@pytest.mark.parametrize("sentence", PUBLISHED)
def test_index_opens_with_the_published_figures(inspection, sentence):
    _, data, html = inspection
    # as published; a disruption figure may go on with the count by the date of the disruption
    published = [f["sentence"].split("; counting by the date of the disruption")[0] for f in data["inspection_figures"]]
    assert sentence.removesuffix(".") in [s.removesuffix(".") for s in published]
    assert sentence.removesuffix(".") in html
    assert html.index("The inspectors' figures") < html.index("Organisations side by side")


def test_fewest_disruptions_is_north_wales(inspection):
    _, data, _ = inspection
    fewest = next(f for f in data["inspection_figures"] if f["figure"] == "fewest disruptions")
    assert fewest["organisation"] == "North Wales Police"


def test_pursue_funnel_allows_for_the_spread_between_forces(inspection):
    _, data, html = inspection
    pursue = next(f for f in data["funnels"] if f["metric"] == "pursue_share")
    plain = {p["organisation"]: p["plain_status"] for p in pursue["points"]}
    # the plain limits flag four of the six forces
    assert plain == {
        "Cheshire Constabulary": "outlier-high",
        "Lancashire Constabulary": "outlier-high",
        "Cumbria Constabulary": "outlier-low",
        "Merseyside Police": "outlier-low",
        "Greater Manchester Police": "within",
        "North Wales Police": "within",
    }
    # the forces spread far beyond chance, so the limits widen and flag none
    assert pursue["dispersion"]["adjusted"] and pursue["dispersion"]["phi"] > 5 and pursue["dispersion"]["tau2"] > 0
    assert {p["status"] for p in pursue["points"]} == {"within"}
    assert "widened for over-dispersion" in pursue["method"]
    assert "0 forces outside the widened 95% limits; the plain limits would flag 4." in " ".join(html.split())
    # said in words beside the inspectors' figures, with W101's verdict kept apart
    sentence = (
        "Allowing for the usual differences between forces, no force's pursue share stands out in the North West"
        " region; Cheshire Constabulary and Lancashire Constabulary are above W101's 80 percent threshold."
    )
    assert sentence in [f["sentence"] for f in data["inspection_figures"]]
    assert sentence.replace("'", "&#39;") in html
    assert "North West Regional Organised Crime Unit" not in plain


def test_a_national_sample_flags_only_the_forces_set_far_outside(tmp_path):
    """Forces spread beyond chance in every national sample; the generator sets two far outside that spread
    (sample.generator.FAR_OUTSIDE): the widened limits flag exactly those, the plain ones most forces."""
    from disruption_qa.comparison import compare
    from disruption_qa.sample import generate
    from disruption_qa.sample.generator import FAR_OUTSIDE

    generate(tmp_path, national=True, rows=100_000, seed=3)
    run = api.check(tmp_path / "disruptions.csv", tmp_path / "threats.csv", year=2022)
    pursue = compare(run.results, profile="default", period={}, extraction_date=None).funnels[0]
    assert pursue.metric == "pursue_share" and pursue.dispersion.adjusted and len(pursue.points) > 40
    outside = {p.organisation: p.status for p in pursue.points if p.status.startswith("outlier")}
    assert outside == dict.fromkeys(FAR_OUTSIDE, "outlier-high")  # beyond the widened 99.8% limits: those two
    assert len([p for p in pursue.points if p.plain_status.startswith("outlier")]) > 20


def test_cheshire_stands_out_for_having_no_vulnerabilities(inspection):
    _, data, html = inspection
    vulnerable = next(f for f in data["funnels"] if f["metric"] == "vulnerability_share")
    status = {p["organisation"]: p["status"] for p in vulnerable["points"]}
    assert status.pop("Cheshire Constabulary") == "outlier-low"  # none of its 118 threats (the inspection's finding)
    assert set(status.values()) == {"within"}
    rate = next(f for f in data["funnels"] if f["metric"] == "disruptions_per_active_threat")
    assert "Poisson" in rate["method"]
    for p in rate["points"]:
        assert p["share"] == pytest.approx(p["x"] / p["n"])
    assert "Lead disruptions per active threat" in html and ">Active threats</th>" in html


def test_rocu_support_disruptions_reported_by_exception(inspection):
    _, data, _ = inspection
    support = [f for f in data["inspection_figures"] if f["figure"] == "support"]
    assert [f["organisation"] for f in support] == ["North West Regional Organised Crime Unit"]
    rocu = next(r for r in data["organisations"] if r["kind"] == "rocu")
    assert rocu["support_disruptions"] == support[0]["support_disruptions"] > 0
