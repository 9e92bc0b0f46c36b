"""The period's basis: Record Date (what was entered in it) or Disruption Date (what happened in it).

Under ``hmicfrs-2023`` the headline figures keep Appendix 2's Record Date filter, so the July extraction gives
January's figures; each organisation's figures by Disruption Date are given beside them, with the records
entered after the period ended, which is why the inspectors went back in July. In the default profile the
basis is a setting (``period_basis``, ``--period-basis``). Every expected figure here is counted from the
files themselves, not by the tool.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import jsonschema
import pandas as pd
import pytest
from conftest import Run, one_line_error, run_cli

from disruption_qa import contract as C
from disruption_qa.reading import read_export, typed_frame
from disruption_qa.sample.northwest import ORGS

ROOT = Path(__file__).resolve().parent.parent
NW = ROOT / "sample_exports" / "north-west-2022"
JANUARY, JULY = "2023-01-04", "2023-07-13"
START, END = pd.Timestamp(2022, 1, 1), pd.Timestamp(2022, 12, 31)
REGION = sorted(ORGS)
SCHEMA = json.loads((ROOT / "docs" / "results.schema.json").read_text("utf-8"))


@cache
def frame(stamp: str) -> pd.DataFrame:
    return typed_frame(read_export(NW / f"disruptions_{stamp}.csv", "disruptions"))


def counted(stamp: str, on: str, categories: tuple[str, ...] = ()) -> pd.DataFrame:
    """Lead disruptions (of ``categories``, when given) whose ``on`` date is in 2022."""
    f = frame(stamp)
    keep = (f["disruption_type"] == C.LEAD) & f[on].between(START, END)
    if categories:
        keep &= f["assessment_category"].isin(categories)
    return f[keep]


def by_strand(records: pd.DataFrame, org: str) -> dict[str, int]:
    strands = records.loc[records["recording_organisation"] == org, "strand"].value_counts()
    return {s: int(strands.get(s, 0)) for s in C.STRANDS}


def check(out: Path, stamp: str, *options: str) -> tuple[Run, dict[str, dict]]:
    """``check`` of one north-west extraction, and each organisation's results.json."""
    args = ("check", NW / f"disruptions_{stamp}.csv", "--threats", NW / f"threats_{stamp}.csv", "--year", "2022")
    run = run_cli(*args, *options, "--no-history", "--out", out)
    results = {}
    for path in out.glob("*/results.json"):
        data = json.loads(path.read_text("utf-8"))
        results[data["organisation"]] = data
    return run, results


@pytest.fixture(scope="module")
def inspection(tmp_path_factory) -> dict[str, tuple[Path, dict[str, dict]]]:
    """Both extractions under hmicfrs-2023: the output folder and the results of each."""
    out = {}
    for stamp in (JANUARY, JULY):
        folder = tmp_path_factory.mktemp(f"hmicfrs-{stamp}")
        run, results = check(folder, stamp, "--profile", "hmicfrs-2023")
        assert run.code in (0, 1), run.stderr
        out[stamp] = folder, results
    return out


INSPECTED = ("Major", "Moderate", "Minor")


@pytest.mark.parametrize("stamp", [JANUARY, JULY])
def test_the_inspection_profile_gives_both_bases(inspection, stamp):
    _, results = inspection[stamp]
    assert sorted(results) == REGION
    by_record = counted(stamp, "record_date", INSPECTED)
    by_disruption = counted(stamp, "disruption_date", INSPECTED)
    after = by_disruption[by_disruption["record_date"] > END]
    for org, result in results.items():
        jsonschema.validate(result, SCHEMA)
        assert result["period_basis"] == "record"
        i = result["indicators"]
        # the headline: Appendix 2's Record Date filter, the same in both extractions
        assert i["by_strand"] == by_strand(by_record, org) == by_strand(counted(JANUARY, "record_date", INSPECTED), org)
        late = i["by_disruption_date"]
        assert late["by_strand"] == by_strand(by_disruption, org), org
        assert late["lead_disruptions"] == sum(late["by_strand"].values())
        assert late["entered_after_period_by_strand"] == by_strand(after, org), org
        assert late["entered_after_period"] == sum(late["entered_after_period_by_strand"].values())
    assert results["Cheshire Constabulary"]["indicators"]["lead_disruptions"] == 373  # published


def test_july_shows_the_late_records_by_strand(inspection):
    january, july = (inspection[s][1] for s in (JANUARY, JULY))
    added = {
        org: july[org]["indicators"]["by_disruption_date"]["lead_disruptions"]
        - january[org]["indicators"]["by_disruption_date"]["lead_disruptions"]
        for org in REGION
    }
    assert all(n > 0 for n in added.values()) and sum(added.values()) > 100  # typed in after 4 January
    late = pd.DataFrame([july[o]["indicators"]["by_disruption_date"]["entered_after_period_by_strand"] for o in REGION])
    assert (late["Prevent"] + late["Protect"]).sum() / late.to_numpy().sum() > 0.5  # mostly prevent and protect
    # the index and the report say both, with the late records' strands
    folder, _ = inspection[JULY]
    index = (folder / "index.html").read_text("utf-8")
    cheshire = july["Cheshire Constabulary"]["indicators"]["by_disruption_date"]
    mix = ", ".join(f"{k} {v}" for k, v in cheshire["entered_after_period_by_strand"].items() if v)
    sentence = (
        f"Cheshire Constabulary recorded 373 disruptions, of which 312 (84 percent) were pursue; counting by the date"
        f" of the disruption, {cheshire['lead_disruptions']}, of which {cheshire['by_strand']['Pursue']}"
    )
    assert (
        sentence in index
        and f"{cheshire['entered_after_period']} of them entered after the period ended ({mix})" in index
    )
    figures = json.loads((folder / "comparison.json").read_text("utf-8"))["inspection_figures"]
    first = next(f for f in figures if f["organisation"] == "Cheshire Constabulary" and f["figure"] == "disruptions")
    assert (first["disruptions"], first["by_disruption_date"]) == (373, cheshire["lead_disruptions"])
    report = (folder / "cheshire-constabulary" / "report.html").read_text("utf-8")
    assert "Counting by the date of the disruption" in report and "of which entered after the period ended" in report
    assert "period basis <code>record</code>" in report


def test_the_default_profile_takes_the_basis_as_a_setting(tmp_path):
    run, results = check(tmp_path / "record", JULY)
    assert run.code in (0, 1), run.stderr
    lead = counted(JULY, "record_date")
    for org, result in results.items():
        assert result["period_basis"] == "record" and "by_disruption_date" not in result["indicators"]
        assert result["indicators"]["by_strand"] == by_strand(lead, org)
    # by Disruption Date: the late records of 2022 count, those of 2021 typed in early 2022 do not
    config = tmp_path / "c.toml"
    config.write_text('period_basis = "disruption"\n', "utf-8")
    happened = counted(JULY, "disruption_date")
    for options in (("--period-basis", "disruption"), ("--config", config)):
        out = tmp_path / options[0].strip("-")
        run, results = check(out, JULY, *options)
        assert run.code in (0, 1), run.stderr
        for org, result in results.items():
            jsonschema.validate(result, SCHEMA)
            assert result["period_basis"] == "disruption"
            assert result["indicators"]["by_strand"] == by_strand(happened, org), org
        report = (out / "cheshire-constabulary" / "report.html").read_text("utf-8")
        assert "taken on Disruption Date" in report and "period basis <code>disruption</code>" in report
        # the months are those of the Disruption Date too (W109 and the monthly chart)
        cheshire = frame(JULY)[frame(JULY)["recording_organisation"] == "Cheshire Constabulary"]
        december = cheshire["disruption_date"].between(pd.Timestamp(2022, 12, 1), END).sum()
        w109 = next(f for f in results["Cheshire Constabulary"]["findings"] if f["check"] == "W109")
        assert w109["details"]["monthly"]["2022-12"] == december
    assert by_strand(happened, "Cheshire Constabulary") != by_strand(lead, "Cheshire Constabulary")


@pytest.mark.parametrize(
    "options, config, message",
    [
        (("--period-basis", "entered"), None, "period_basis must be record or disruption, not 'entered'"),
        ((), 'period_basis = "entered"\n', "period_basis must be record or disruption, not 'entered'"),
        (
            ("--profile", "hmicfrs-2023", "--period-basis", "disruption"),
            None,
            "the hmicfrs-2023 profile takes the period on Record Date, as the inspection did",
        ),
        ((), 'profile = "hmicfrs-2023"\nperiod_basis = "disruption"\n', "the hmicfrs-2023 profile takes the period"),
    ],
)
def test_a_basis_that_cannot_be_used_is_one_line(tmp_path, options, config, message):
    if config is not None:
        (tmp_path / "c.toml").write_text(config, "utf-8")
        options = (*options, "--config", tmp_path / "c.toml")
    run, _ = check(tmp_path / "out", JANUARY, *options)
    line = one_line_error(run, message)
    if config is not None:
        assert str(tmp_path / "c.toml") in line
    assert not (tmp_path / "out").exists()
