"""The catalogue run as a whole through the real pipeline: what is not one check's data case.

Each check's own cases (a small extraction and the finding it must give) are
data, in ``tests/check_cases/<ID>.toml``, run by ``tests/test_check_cases.py``.
Here a healthy year of records for one force (``healthy()``) is written as
real CSV exports and checked with ``api.check``: every check is clear on
it, and the run's indicators, config and exit code behave.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pandas as pd
from conftest import threat_record, write_export

from disruption_qa import api
from disruption_qa.checks import CATALOGUE
from disruption_qa.contract import DISRUPTIONS, THREATS

ORG = "Cheshire Constabulary"

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
        threat_record(
            f"T{n:03d}",
            ORG,
            **{
                "Threat Type": "SOC Vulnerability" if n >= 10 else "Organised Crime Group",
                "Lead Responsible Officer": f"LRO{n}",
            },
        )
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
    write_export(path, rows, kind.key, extracted=dt.date(2023, 1, 4))


def run(tmp_path, records, threats=None, *, config: str | None = None):
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
    result = api.check(d, t, year=2022, config=cfg, organisations=[ORG])
    return result, {f.check: f for f in result.results[0].findings}


def set_pursue(records, n_pursue):
    """Make exactly n_pursue of the records pursue (keeping tactics in strand)."""
    for i, r in enumerate(records):
        strand = "Pursue" if i < n_pursue else ("Prevent" if i % 2 else "Protect")
        r["4P Strand"] = strand
        r["Tactic"] = STRAND_TACTICS[strand][0]


# --- the healthy year is clean on every check -------------------------------------------


def test_healthy_year_flags_nothing(tmp_path):
    records, threats = healthy()
    run_, findings = run(tmp_path, records, threats)
    assert run_.validation.issues == []
    # W117 reconciles organisations with each other: the one organisation of this file has none to reconcile with
    assert {k: f.status for k, f in findings.items()} == {k: "clear" for k in findings} | {"W117": "not-applicable"}
    assert len(findings) == len(CATALOGUE)
    ind = run_.results[0].indicators
    assert ind.lead_disruptions == 120
    assert ind.by_strand == {"Pursue": 60, "Prevent": 24, "Protect": 24, "Prepare": 12}
    assert ind.pursue_share == 0.5
    assert ind.threats == 12 and ind.threats_by_type["SOC Vulnerability"] == 2
    assert ind.recorders == 4
    assert run_.exit_code() == 0


def test_a_threat_whose_created_date_is_unknown_is_due_and_overdue():
    from disruption_qa.measures import plans, unassessed

    threats = pd.DataFrame(
        {
            "created_date": pd.to_datetime([None, "2022-12-20"]),
            "last_review_date": pd.to_datetime([None, None]),
            "moderation_status": ["Unmoderated", "Unmoderated"],
            "morile_score": [100.0, 100.0],
            "tier": ["Tier 2", "Tier 2"],
        }
    )
    as_of = pd.Timestamp(2023, 1, 4)
    assert unassessed(threats, as_of, 28)["moderation_overdue"].tolist() == [True, False]
    masks = plans(threats, as_of, 90)
    assert masks["due"].tolist() == [True, False] and masks["no_plan"].tolist() == [True, False]


# --- the run as a whole ----------------------------------------------------------------


def test_a_config_file_sets_a_check_by_its_name_and_switches_one_off(tmp_path):
    records, threats = healthy()
    _, f = run(tmp_path, records, threats, config="[checks.pursue-skew]\nwarning = 0.45\n")
    assert (f["W101"].status, f["W101"].severity) == ("flagged", "warning")
    _, f = run(tmp_path, records, threats, config="[checks.W101]\nenabled = false\n")
    assert "W101" not in f and len(f) == len(CATALOGUE) - 1


def test_the_recorders_indicator_counts_only_the_users_of_the_period_and_organisation(tmp_path):
    # users who recorded only in another year or for another organisation are not among its recorders
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
    result, _ = run(tmp_path, [*records, other_year, other_org], threats)
    assert result.results[0].indicators.recorders == 4  # U1 to U4 (W108's own case: check_cases/W108.toml)


def test_exit_code_follows_fail_on(tmp_path):
    records, threats = healthy()
    set_pursue(records, 86)  # 72%: a warning only
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
