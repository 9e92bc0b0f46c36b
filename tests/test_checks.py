"""Every warning-sign check: a clean example and a failing one, run through the real pipeline.

Each case starts from a healthy year of records for one force (``healthy()``),
changes what the check looks at, writes real CSV exports and runs
``api.check_files`` on them, then asserts on the check's finding.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools

import pandas as pd
import pytest

from disruption_qa import api
from disruption_qa.contract import DISRUPTIONS, THREATS

ORG = "Cheshire Constabulary"
ROCU = "North West Regional Organised Crime Unit"

STRAND_TACTICS = {
    "Pursue": ["Arrest", "Charge", "Search Warrant", "Seizure - Drugs"],
    "Prevent": ["Diversionary Intervention", "Ancillary Order"],
    "Protect": ["Safeguarding Referral", "Closure Order"],
    "Prepare": ["Community Resilience"],
}
# 10 records a month: 5 pursue, 2 prevent, 2 protect, 1 prepare (50% pursue).
MONTH_MIX = ["Pursue"] * 5 + ["Prevent"] * 2 + ["Protect"] * 2 + ["Prepare"]


def healthy() -> tuple[list[dict], list[dict]]:
    """A year (2022) of well-recorded disruptions and a well-kept master list."""
    threats = [
        {
            "Threat ID": f"T{n:03d}",
            "Owning Organisation": ORG,
            "Threat Type": "SOC Vulnerability" if n >= 10 else "Organised Crime Group",
            "Assessment Type": "Tactical",
            "SOC Status": "SOC",
            "Moderation Status": "Moderated",
            "Tier": "Tier 2",
            "MoRiLE Score": "120",
            "Phase": "Active",
            "Created Date": "01/06/2020",
            "Closed Date": "",
            "Lead Responsible Officer": f"LRO{n}",
            "Last Review Date": "01/11/2022",
            "Threat Area": "Drugs Supply",
        }
        for n in range(12)
    ]
    records = []
    counter = itertools.count(1)
    users = itertools.cycle(["U1", "U2", "U3", "U4"])
    ocgs = itertools.cycle([f"T{n:03d}" for n in range(10)])
    for month in range(1, 13):
        for i, strand in enumerate(MONTH_MIX):
            day = dt.date(2022, month, 1 + 2 * i)
            n = next(counter)
            records.append(
                {
                    "Disruption ID": f"D{n:04d}",
                    "Recording Organisation": ORG,
                    "Disruption Type": "Lead Disruption",
                    "Supported Organisation": "",
                    "Threat ID": next(ocgs),
                    "Threat Type": "Organised Crime Group",
                    "Disruption Date": day.strftime("%d/%m/%Y"),
                    "Record Date": (day + dt.timedelta(days=3)).strftime("%d/%m/%Y"),
                    "4P Strand": strand,
                    "Assessment Category": ["Major", "Moderate", "Minor"][n % 3],
                    "Tactic": STRAND_TACTICS[strand][n % len(STRAND_TACTICS[strand])],
                    "Threat Area": "Drugs Supply",
                    "Recorded By": next(users),
                    "Summary": "synthetic",
                }
            )
    # the vulnerabilities are disrupted by safeguarding, recorded against the OCG exploiting them
    return records, threats


def write(path, kind, rows):
    with open(path, "w", newline="", encoding="utf-8") as fh:
        fh.write("APMIS Export\nExtracted: 04/01/2023 09:14\n")
        w = csv.DictWriter(fh, fieldnames=[c.name for c in kind.columns])
        w.writeheader()
        w.writerows(rows)


def run(tmp_path, records, threats=None, *, config: str | None = None, profile="default", organisation=ORG):
    d = tmp_path / "disruptions.csv"
    write(d, DISRUPTIONS, records)
    t = None
    if threats is not None:
        t = tmp_path / "threats.csv"
        write(t, THREATS, threats)
    cfg = None
    if config:
        cfg = tmp_path / "config.toml"
        cfg.write_text(config)
    result = api.check(d, t, year=2022, profile=profile, config=cfg, organisations=[organisation])
    return result, {f.check: f for f in result.results[0].findings}


def ids(rows, **match):
    return [r["Disruption ID"] for r in rows if all(r[k] == v for k, v in match.items())]


# --- the healthy year is clean on every check -------------------------------------------


def test_healthy_year_flags_nothing(tmp_path):
    records, threats = healthy()
    run_, findings = run(tmp_path, records, threats)
    assert run_.validation.issues == []
    assert {k: f.status for k, f in findings.items()} == {k: "clear" for k in findings}
    assert len(findings) == 14
    ind = run_.results[0].indicators
    assert ind.lead_disruptions == 120
    assert ind.by_strand == {"Pursue": 60, "Prevent": 24, "Protect": 24, "Prepare": 12}
    assert ind.pursue_share == 0.5
    assert ind.threats == 12 and ind.threats_by_type["SOC Vulnerability"] == 2
    assert run_.exit_code() == 0


def test_master_list_checks_not_applicable_without_one(tmp_path):
    records, _ = healthy()
    _, findings = run(tmp_path, records, None)
    for check in ("W105", "W106", "W110", "W113"):
        assert findings[check].status == "not-applicable"
        assert "master list" in findings[check].reason
    assert findings["W101"].status == "clear"


# --- W101 ------------------------------------------------------------------------------


def _set_pursue(records, n_pursue):
    """Make exactly n_pursue of the records pursue (keeping tactics in strand)."""
    for i, r in enumerate(records):
        strand = "Pursue" if i < n_pursue else ("Prevent" if i % 2 else "Protect")
        r["4P Strand"] = strand
        r["Tactic"] = STRAND_TACTICS[strand][0]


def test_w101_error_at_84_percent(tmp_path):
    records, threats = healthy()
    _set_pursue(records, 101)  # 101/120 = 84%
    _, f = run(tmp_path, records, threats)
    w = f["W101"]
    assert (w.status, w.severity) == ("flagged", "error")
    assert w.value == pytest.approx(101 / 120, abs=1e-4)
    assert w.message == "101 of 120 lead disruptions (84%) are pursue; the error threshold is 80%."
    assert w.records == sorted(ids(records, **{"4P Strand": "Pursue"}))
    assert w.threshold == {"warning": 0.7, "error": 0.8}


def test_w101_warning_at_exactly_70_percent(tmp_path):
    records, threats = healthy()
    _set_pursue(records, 84)  # 84/120 = 70%: "at or above"
    _, f = run(tmp_path, records, threats)
    assert (f["W101"].status, f["W101"].severity) == ("flagged", "warning")
    assert "the warning threshold is 70%" in f["W101"].message


def test_w101_threshold_from_config_and_switch_off(tmp_path):
    records, threats = healthy()
    _, f = run(tmp_path, records, threats, config="[checks.pursue-skew]\nwarning = 0.45\n")
    assert (f["W101"].status, f["W101"].severity) == ("flagged", "warning")
    _, f = run(tmp_path, records, threats, config="[checks.W101]\nenabled = false\n")
    assert "W101" not in f


def test_w101_counts_only_what_the_profile_counts(tmp_path):
    records, threats = healthy()
    # 30 extra pursue records left Pending: counted by default, not by the inspectors
    for n in range(30):
        extra = dict(
            records[0],
            **{"Disruption ID": f"P{n}", "Assessment Category": "Pending", "4P Strand": "Pursue", "Tactic": "Arrest"},
        )
        records.append(extra)
    _, default = run(tmp_path, records, threats)
    _, hmic = run(tmp_path, records, threats, profile="hmicfrs-2023")
    assert default["W101"].value == pytest.approx(90 / 150, abs=1e-4)
    assert hmic["W101"].value == pytest.approx(0.5)


# --- W102 ------------------------------------------------------------------------------


def test_w102_flags_a_missing_strand(tmp_path):
    records, threats = healthy()
    for r in records:
        if r["4P Strand"] == "Protect":
            r["4P Strand"], r["Tactic"] = "Pursue", "Arrest"
    _, f = run(tmp_path, records, threats)
    assert f["W102"].status == "flagged"
    assert "Protect: 0 of 120 lead disruptions (0%)" in f["W102"].message
    assert "Prevent" not in f["W102"].message


def test_w102_flags_a_strand_below_its_floor(tmp_path):
    records, threats = healthy()
    prevent = [r for r in records if r["4P Strand"] == "Prevent"]
    for r in prevent[3:]:
        r["4P Strand"], r["Tactic"] = "Pursue", "Arrest"
    _, f = run(tmp_path, records, threats)
    assert f["W102"].status == "flagged"
    assert "Prevent: 3 of 120 lead disruptions (2%), below the floor of 5%" in f["W102"].message


# --- W103 ------------------------------------------------------------------------------


def test_w103_flags_priority_individuals_and_vulnerabilities(tmp_path):
    records, threats = healthy()
    records[4]["Threat ID"], records[4]["Threat Type"] = "T010", "SOC Vulnerability"
    records[7]["Threat Type"] = "Priority Individual"
    threats.append(dict(threats[0], **{"Threat ID": "T099", "Threat Type": "Priority Individual"}))
    records[7]["Threat ID"] = "T099"
    _, f = run(tmp_path, records, threats)
    assert f["W103"].status == "flagged"
    assert f["W103"].records == sorted([records[4]["Disruption ID"], records[7]["Disruption ID"]])
    assert "2 of 120 disruptions" in f["W103"].message
    # a later standard that allows priority individuals only flags the vulnerability
    _, f = run(
        tmp_path,
        records,
        threats,
        config='[checks.W103]\nallowed_threat_types = ["Organised Crime Group", "Priority Individual"]\n',
    )
    assert f["W103"].records == [records[4]["Disruption ID"]]


# --- W104 ------------------------------------------------------------------------------


def test_w104_flags_a_force_recording_support(tmp_path):
    records, threats = healthy()
    records[2].update({"Disruption Type": "Support Disruption", "Supported Organisation": "Merseyside Police"})
    _, f = run(tmp_path, records, threats)
    assert (f["W104"].status, f["W104"].severity) == ("flagged", "error")
    assert f["W104"].records == [records[2]["Disruption ID"]]


def test_w104_does_not_apply_to_a_rocu(tmp_path):
    records, _threats = healthy()
    for r in records:
        r["Recording Organisation"] = ROCU
    records[2].update({"Disruption Type": "Support Disruption", "Supported Organisation": ORG})
    _, f = run(tmp_path, records, None, organisation=ROCU)
    assert f["W104"].status == "not-applicable"


# --- W105 ------------------------------------------------------------------------------


def test_w105_flags_a_master_list_without_vulnerabilities(tmp_path):
    records, threats = healthy()
    for t in threats:
        t["Threat Type"] = "Organised Crime Group"
    _, f = run(tmp_path, records, threats)
    assert f["W105"].status == "flagged"
    assert f["W105"].message == "None of 12 threats on the master list is a SOC vulnerability."
    assert f["W105"].records == [t["Threat ID"] for t in threats]


# --- W106 ------------------------------------------------------------------------------


def test_w106_flags_unassessed_active_threats(tmp_path):
    records, threats = healthy()
    threats[0]["MoRiLE Score"] = ""
    threats[1]["Tier"] = ""
    _, f = run(tmp_path, records, threats)
    assert f["W106"].status == "flagged"  # 2 of 12 = 17% > 5%
    assert f["W106"].records == ["T000", "T001"]
    assert "1 have no MoRiLE score, 1 no tier, 0 are unmoderated" in f["W106"].message


def test_w106_ignores_closed_threats(tmp_path):
    records, threats = healthy()
    threats.append(
        dict(
            threats[0],
            **{"Threat ID": "T050", "Phase": "Closed - Archived", "Closed Date": "01/12/2021", "MoRiLE Score": ""},
        )
    )
    _, f = run(tmp_path, records, threats)
    assert f["W106"].status == "clear"


# --- W107 ------------------------------------------------------------------------------


def test_w107_flags_late_recording(tmp_path):
    records, threats = healthy()
    late = records[:30]  # 25% late
    for r in late:
        day = dt.datetime.strptime(r["Disruption Date"], "%d/%m/%Y").date()
        r["Record Date"] = (day + dt.timedelta(days=60)).strftime("%d/%m/%Y")
    _, f = run(tmp_path, records, threats)
    assert f["W107"].status == "flagged"
    assert f["W107"].records == sorted(r["Disruption ID"] for r in late)
    assert f["W107"].message.startswith(
        "30 of 120 disruptions (25%) were recorded more than 28 days after they happened"
    )


def test_w107_counts_records_entered_after_the_period(tmp_path):
    records, threats = healthy()
    records[-1]["Record Date"] = "02/01/2023"
    _, f = run(tmp_path, records, threats)
    assert f["W107"].status == "clear"
    assert f["W107"].details["entered_after_period"] == 1


# --- W108 ------------------------------------------------------------------------------


def test_w108_flags_one_recorder(tmp_path):
    records, threats = healthy()
    for r in records[:70]:
        r["Recorded By"] = "ANALYST1"
    _, f = run(tmp_path, records, threats)
    assert f["W108"].status == "flagged"
    assert f["W108"].details["top_recorder"] == "ANALYST1"
    assert "One user (ANALYST1) typed in 70 of 120 records (58%)" in f["W108"].message


def test_w108_counts_only_the_users_of_the_period_and_organisation(tmp_path):
    # users who recorded only in another year or for another organisation are not "users recorded in all"
    records, threats = healthy()
    other_year = dict(
        records[0],
        **{
            "Disruption ID": "D9001",
            "Disruption Date": "01/02/2021",
            "Record Date": "03/02/2021",
            "Recorded By": "OLDHAND",
        },
    )
    other_org = dict(
        records[0],
        **{"Disruption ID": "D9002", "Recording Organisation": "Merseyside Police", "Recorded By": "NEIGHBOUR"},
    )
    result, f = run(tmp_path, [*records, other_year, other_org], threats)
    assert result.results[0].indicators.recorders == 4  # U1 to U4
    assert "4 users recorded in all" in f["W108"].message


def test_w108_needs_twenty_records(tmp_path):
    records, threats = healthy()
    records = records[:19]
    for r in records:
        r["Recorded By"] = "ANALYST1"
    _, f = run(tmp_path, records, threats)
    assert f["W108"].status == "not-applicable"


# --- W109 ------------------------------------------------------------------------------


def test_w109_flags_a_silent_month(tmp_path):
    records, threats = healthy()
    records = [r for r in records if not r["Record Date"].endswith("/08/2022")]
    _, f = run(tmp_path, records, threats)
    assert f["W109"].status == "flagged"
    assert "August 2022 (0)" in f["W109"].message
    assert f["W109"].details["monthly"]["2022-08"] == 0


# --- W110 ------------------------------------------------------------------------------


def test_w110_flags_records_off_the_master_list(tmp_path):
    records, threats = healthy()
    records[0]["Threat ID"] = "T404"
    threats[1].update({"Phase": "Closed - Dismantled", "Closed Date": "01/02/2022"})
    closed = dt.date(2022, 2, 1)
    after_close = [
        r["Disruption ID"]
        for r in records
        if r["Threat ID"] == "T001" and dt.datetime.strptime(r["Disruption Date"], "%d/%m/%Y").date() > closed
    ]
    records[2]["Threat Type"] = "Priority Individual"  # T002 is an OCG on the master list
    _, f = run(tmp_path, records, threats)
    w = f["W110"]
    assert w.status == "flagged"
    assert w.details["unknown_threat"] == 1
    assert w.details["type_differs"] == 1
    assert records[0]["Disruption ID"] in w.records and records[2]["Disruption ID"] in w.records
    assert after_close and w.details["threat_closed"] == len(after_close)
    assert set(after_close) <= set(w.records)


def test_w110_a_blank_threat_type_differs_only_on_the_record(tmp_path):
    records, threats = healthy()
    records[3]["Threat Type"] = ""  # the master list has one: the record differs
    blank_on_list = threats[2]["Threat ID"]
    threats[2]["Threat Type"] = ""  # the master list has none: nothing to differ from
    on_blank = [r["Disruption ID"] for r in records if r["Threat ID"] == blank_on_list and r is not records[3]]
    _, f = run(tmp_path, records, threats)
    w = f["W110"]
    assert w.details["type_differs"] == 1 and w.details["unknown_threat"] == 0
    assert records[3]["Disruption ID"] in w.records and on_blank and not set(on_blank) & set(w.records)


# --- W111 ------------------------------------------------------------------------------


def test_w111_flags_probable_duplicates(tmp_path):
    records, threats = healthy()
    records.append(dict(records[5], **{"Disruption ID": "DUP1", "Recorded By": "U9"}))
    _, f = run(tmp_path, records, threats)
    assert f["W111"].status == "flagged"
    assert f["W111"].records == sorted([records[5]["Disruption ID"], "DUP1"])
    assert f["W111"].value == 1


def test_w111_counts_groups_not_records(tmp_path):
    records, threats = healthy()
    # a group of three (record 5 and two copies) and a group of two (record 9 and one copy)
    records += [dict(records[5], **{"Disruption ID": f"DUP{n}"}) for n in (1, 2)]
    records.append(dict(records[9], **{"Disruption ID": "DUP3"}))
    _, f = run(tmp_path, records, threats)
    w = f["W111"]
    assert w.value == 2
    assert w.records == sorted([records[5]["Disruption ID"], records[9]["Disruption ID"], "DUP1", "DUP2", "DUP3"])
    assert w.message.startswith("2 group(s) of probable duplicates (5 records")


# --- W112 ------------------------------------------------------------------------------


def test_w112_flags_tactics_under_another_strand(tmp_path):
    records, threats = healthy()
    odd = [r for r in records if r["4P Strand"] == "Pursue"][:15]  # 15 of 120 = 12.5%
    for r in odd:
        r["Tactic"] = "Safeguarding Referral"
    _, f = run(tmp_path, records, threats)
    assert f["W112"].status == "flagged"
    assert f["W112"].records == sorted(r["Disruption ID"] for r in odd)


def test_w112_clear_below_threshold(tmp_path):
    records, threats = healthy()
    for r in [r for r in records if r["4P Strand"] == "Pursue"][:5]:
        r["Tactic"] = "Safeguarding Referral"
    _, f = run(tmp_path, records, threats)
    assert f["W112"].status == "clear"
    assert f["W112"].value == pytest.approx(5 / 120, abs=1e-4)


# --- W113 ------------------------------------------------------------------------------


def test_w113_flags_unmanaged_threats(tmp_path):
    records, threats = healthy()
    threats[0]["Lead Responsible Officer"] = ""
    threats[3]["Last Review Date"] = "01/06/2021"
    _, f = run(tmp_path, records, threats)
    w = f["W113"]
    assert w.status == "flagged"
    # T010 and T011 are vulnerabilities: the minimum standard expects no disruption against them
    assert w.records == ["T000", "T003"]
    assert w.details == {"no_owner": 1, "no_review": 1, "no_disruption": 0}


def test_w113_flags_an_ocg_with_no_disruption(tmp_path):
    records, threats = healthy()
    for r in records:
        if r["Threat ID"] in ("T004", "T005"):
            r["Threat ID"] = "T006"
    _, f = run(tmp_path, records, threats)
    assert f["W113"].status == "flagged"
    assert f["W113"].records == ["T004", "T005"]
    assert f["W113"].details["no_disruption"] == 2


# --- W114 ------------------------------------------------------------------------------


def test_w114_flags_old_pending_assessments(tmp_path):
    records, threats = healthy()
    records[0]["Assessment Category"] = "Pending"  # January: long before the extraction
    records[-1]["Assessment Category"] = "Pending"  # recorded 2 January 2023?  no: late December
    records[-1]["Record Date"] = "30/12/2022"
    _, f = run(tmp_path, records, threats)
    assert f["W114"].status == "flagged"
    assert f["W114"].records == [records[0]["Disruption ID"]]


# --- the run as a whole ----------------------------------------------------------------


def test_exit_code_follows_fail_on(tmp_path):
    records, threats = healthy()
    _set_pursue(records, 86)  # 72%: a warning only
    result, f = run(tmp_path, records, threats)
    assert f["W101"].severity == "warning"
    assert result.exit_code("error") == 0
    assert result.exit_code("warning") == 1


def test_a_findings_records_are_its_distinct_ids_sorted_as_python_sorts_with_their_rows():
    from disruption_qa.checks.base import distinct_ids

    # indexed by spreadsheet row, as the engine's frames are: each ID's row is its first
    ids = pd.Series(["D10", "D9", None, "D10", "Déjà", "d1", "Z"], index=[5, 6, 7, 8, 9, 10, 12], dtype="str")
    assert distinct_ids(ids) == (sorted({"D10", "D9", "Déjà", "d1", "Z"}), [5, 6, 9, 12, 10])
    assert distinct_ids(["T2", 7, None, "T2"]) == (["7", "T2"], [])  # a list has no rows
    assert distinct_ids(pd.Series(["b", "a", "b"], index=[3, 4, 2], dtype="category")) == (["a", "b"], [4, 3])
    assert distinct_ids(pd.Series(["b"], index=["x"])) == (["b"], [])  # an index that is not rows
    assert distinct_ids(pd.Series([], dtype="str")) == ([], []) and distinct_ids([None]) == ([], [])
