"""W117 lead-support-reconciliation beyond its check cases: the pairing and matching functions on their own, the
engine's checks across organisations, and what the index says.

The check's boundaries (3 vs 4 days, 14 vs 15 days, a share at the threshold) are in ``check_cases/W117.toml``.
"""

from __future__ import annotations

import csv
import json

import numpy as np
import pandas as pd
import pytest
from conftest import disruption_record, run_cli, write_export

from disruption_qa import api
from disruption_qa.checks import BY_KEY, CATALOGUE
from disruption_qa.checks.base import EXTRACTION, ORGANISATION
from disruption_qa.checks.w117_lead_support_reconciliation import double_counted, matched

CHESHIRE, MERSEYSIDE, ROCU = "Cheshire Constabulary", "Merseyside Police", "North West Regional Organised Crime Unit"


def leads(*rows: tuple[str, str, str, str, str]) -> pd.DataFrame:
    """Lead disruptions from (ID, organisation, threat, tactic, date)."""
    frame = pd.DataFrame(rows, columns=["disruption_id", "recording_organisation", "threat_id", "tactic", "when"])
    return frame.assign(
        disruption_date=pd.to_datetime(frame.pop("when")),
        recording_organisation=frame["recording_organisation"].astype("category"),
        tactic=frame["tactic"].astype("category"),
    )


def test_double_counted_lists_each_pair_from_both_sides():
    frame = leads(
        ("D1", CHESHIRE, "T1", "Arrest", "2022-06-01"),
        ("D2", MERSEYSIDE, "T1", "Arrest", "2022-06-03"),
        ("D3", CHESHIRE, "T1", "Arrest", "2022-06-02"),  # Cheshire's own second lead: W111's, not a pair with D1
        ("D4", MERSEYSIDE, "T1", "Charge", "2022-06-01"),  # another tactic
        ("D5", ROCU, "T2", "Arrest", "2022-06-01"),  # another threat
        ("D6", ROCU, "T1", "Arrest", "2022-06-07"),  # 4 days from D2, 5 from D3, 6 from D1
    )
    pairs = double_counted(frame, 3)
    got = sorted(zip(pairs["disruption_id"], pairs["other_id"], pairs["days_apart"]))
    assert got == [("D1", "D2", 2), ("D2", "D1", 2), ("D2", "D3", 1), ("D3", "D2", 1)]
    assert set(pairs.loc[pairs["disruption_id"] == "D2", "other_organisation"]) == {CHESHIRE}
    assert len(double_counted(frame, 4)) == 6  # D2 and D6 are 4 days apart


def test_double_counted_with_no_shared_threat_is_empty():
    frame = leads(("D1", CHESHIRE, "T1", "Arrest", "2022-06-01"), ("D2", MERSEYSIDE, "T2", "Arrest", "2022-06-01"))
    assert double_counted(frame, 3).empty and double_counted(frame.iloc[:1], 3).empty


def test_matched_looks_for_a_lead_of_the_same_key_either_side():
    # keys: (organisation, threat) as one integer; days: day numbers. Leads: key 1 on day 114, key 4 on day 100.
    keys, days = np.array([1, 1, 1, 1, 2, 3]), np.array([100, 128, 129, 99, 114, 114])
    found = matched(keys, days, np.array([1, 4]), np.array([114, 100]), 14)
    # 14 days before and after match; 15 after and before do not; no lead has key 2; key 3's neighbour 4 is not 3
    assert found.tolist() == [True, True, False, False, False, False]
    assert matched(keys[:0], days[:0], np.array([1]), np.array([1]), 14).tolist() == []
    assert matched(keys, days, np.array([], int), np.array([], int), 14).tolist() == [False] * 6


def test_w117_is_the_one_check_across_organisations():
    assert [c.id for c in CATALOGUE if c.scope == EXTRACTION] == ["W117"]
    assert {c.scope for c in CATALOGUE} == {ORGANISATION, EXTRACTION}
    with pytest.raises(TypeError, match="across organisations"):
        BY_KEY["W117"](BY_KEY["W117"].defaults()).evaluate(None)


def record(n: int, org: str, **cells) -> dict:
    return disruption_record(f"D{n:04d}", org, **cells)


@pytest.fixture
def three_organisations(tmp_path):
    """Cheshire and Merseyside both lead D0001/D0002; the ROCU supports Cheshire twice, once beside Cheshire's lead
    and once on a threat Cheshire never disrupted, and Merseyside once, beside nothing."""
    support = {"Disruption Type": "Support Disruption"}
    rows = [
        record(1, CHESHIRE),
        record(2, MERSEYSIDE, **{"Disruption Date": "03/06/2022"}),
        record(3, ROCU, **support, **{"Supported Organisation": CHESHIRE}),
        record(4, ROCU, **support, **{"Supported Organisation": CHESHIRE, "Threat ID": "T002"}),
        record(5, ROCU, **support, **{"Supported Organisation": MERSEYSIDE, "Threat ID": "T003"}),
        record(6, MERSEYSIDE, **{"Threat ID": "T004", "Tactic": "Charge", "4P Strand": "Pursue"}),
    ]
    path = tmp_path / "disruptions.csv"
    write_export(path, rows)
    return path


def test_every_organisation_gets_its_finding_and_records_point_at_both_sides(three_organisations):
    run = api.check(three_organisations, year=2022)
    found = {r.organisation.name: next(f for f in r.findings if f.check == "W117") for r in run.results}
    assert set(found) == {CHESHIRE, MERSEYSIDE, ROCU}
    cheshire, merseyside, rocu = found[CHESHIRE], found[MERSEYSIDE], found[ROCU]
    # (a) both sides of the pair, each finding listing both records, located on their rows of the file
    assert cheshire.flagged and cheshire.records == ["D0001", "D0002", "D0004"]
    assert cheshire.details["double_counted"] == [
        {"disruption_id": "D0001", "other_id": "D0002", "other_organisation": MERSEYSIDE, "days_apart": 2}
    ]
    assert dict(zip(cheshire.refs.ids, cheshire.refs.rows)) == {"D0001": 2, "D0002": 3, "D0004": 5}
    # (b) Cheshire received 2 support disruptions, one beside its own lead: 50%, at the threshold
    assert cheshire.value == 0.5 and cheshire.details["support_received_unmatched"] == 1
    # Merseyside: flagged for the pair, and its one support received has no lead of its own (100%)
    assert merseyside.flagged and merseyside.value == 1 and merseyside.records == ["D0001", "D0002", "D0005"]
    # the ROCU is told which of its support lacks a lead, and is not flagged for it
    assert not rocu.flagged and rocu.value is None
    assert rocu.details["support_recorded"] == 3
    assert rocu.details["support_recorded_unmatched"] == {CHESHIRE: 1, MERSEYSIDE: 1}


def test_one_organisation_reported_is_still_reconciled_with_the_rest_of_the_file(three_organisations):
    run = api.check(three_organisations, year=2022, organisations=[CHESHIRE])
    (result,) = run.results
    finding = next(f for f in result.findings if f.check == "W117")
    assert finding.flagged and finding.details["double_counted"][0]["other_organisation"] == MERSEYSIDE


def test_the_index_says_what_w117_found(three_organisations, tmp_path):
    out = tmp_path / "reports"
    proc = run_cli("check", three_organisations, "--year", "2022", "--out", out, "--history", tmp_path / "h.sqlite")
    assert proc.code == 1, proc.stderr
    comparison = json.loads((out / "comparison.json").read_text("utf-8"))
    said = {r["organisation"]: r for r in comparison["reconciliation"]}
    assert said[CHESHIRE]["status"] == "flagged" and said[ROCU]["status"] == "clear"
    assert "(Merseyside Police 1)" in said[CHESHIRE]["message"]
    index = (out / "index.html").read_text("utf-8")
    assert "Lead and support across organisations" in index
    assert said[MERSEYSIDE]["message"] in index
    fixes = list(csv.DictReader((out / "merseyside-police" / "fixes.csv").open(encoding="utf-8-sig")))
    assert {r["record_id"] for r in fixes if r["source"] == "W117"} == {"D0001", "D0002", "D0005"}
    results = json.loads((out / "north-west-regional-organised-crime-unit" / "results.json").read_text("utf-8"))
    (w117,) = [f for f in results["findings"] if f["check"] == "W117"]
    assert w117["details"]["support_recorded_unmatched"] == {CHESHIRE: 1, MERSEYSIDE: 1}
    assert np.isclose(w117["threshold"], 0.5)
