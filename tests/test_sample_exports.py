"""The shipped north-west extraction gives the inspection's published figures.

Every figure is computed from the files in ``sample_exports/north-west-2022``
through the package's own reading (read_export, typed_frame) and filtering
(filters.inspection_*) code, never from the generator's parameters.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from functools import cache
from pathlib import Path

import pandas as pd
import pytest
from conftest import run_cli

from disruption_qa import contract as C
from disruption_qa.filters import inspection_disruptions, inspection_threats
from disruption_qa.reading import read_export, typed_frame

ROOT = Path(__file__).resolve().parents[1]
FOLDER = ROOT / "sample_exports" / "north-west-2022"
README = ROOT / "sample_exports" / "README.md"
JANUARY, JULY = "2023-01-04", "2023-07-13"
STAMPS = (JANUARY, JULY)
START, END = dt.date(2022, 1, 1), dt.date(2022, 12, 31)

CHESHIRE = "Cheshire Constabulary"
CUMBRIA = "Cumbria Constabulary"
GMP = "Greater Manchester Police"
LANCASHIRE = "Lancashire Constabulary"
MERSEYSIDE = "Merseyside Police"
NORTH_WALES = "North Wales Police"
ROCU = "North West Regional Organised Crime Unit"
FORCES = (CHESHIRE, CUMBRIA, GMP, LANCASHIRE, MERSEYSIDE, NORTH_WALES)
REGION = FORCES + (ROCU,)

#: Records the July extraction changed (documented in sample_exports/README.md).
ASSESSED_BY_JULY = {
    "D2003496": "Moderate",
    "D2003497": "Minor",
    "D2003507": "Minor",
    "D2003509": "Minor",
    "D2003511": "Moderate",
    "D2003515": "Moderate",
    "D2003523": "Moderate",
    "D2003525": "Moderate",
    "D2003527": "Minor",
    "D2003528": "Minor",
}
MORILE_BY_JULY = {"T100008", "T100514", "T100745", "T100803", "T101038", "T101086"}
NEW_THREATS = {f"T1012{n}" for n in range(16, 29)}
#: Cheshire's organised crime groups with no disruption against them, vulnerabilities by July.
RECLASSIFIED_BY_JULY = {
    *("T100037", "T100295", "T100318", "T100341", "T100369", "T100400", "T100421", "T100523", "T100606"),
    *("T100645", "T100670", "T100741", "T100876", "T100893", "T100906", "T100926", "T100957", "T100964", "T100968"),
    *("T100973", "T100981", "T100992", "T101011", "T101053", "T101075", "T101127", "T101146", "T101162"),
    *("T101173", "T101193", "T101198"),
}
MODERATED_BY_JULY = {
    *("T101141", "T101154", "T101160", "T101182", "T101196", "T101203"),
    *("T101205", "T101207", "T101208", "T101212", "T101213"),
}


@cache
def disruptions(stamp: str) -> pd.DataFrame:
    return typed_frame(read_export(FOLDER / f"disruptions_{stamp}.csv", "disruptions"))


@cache
def threats(stamp: str) -> pd.DataFrame:
    return typed_frame(read_export(FOLDER / f"threats_{stamp}.csv", "threats"))


def contract_clean(frame: pd.DataFrame) -> pd.DataFrame:
    """The disruptions without the rows a simple validation reports."""
    orgs = set(C.organisations())
    ok = frame["disruption_date"].notna() & frame["record_date"].notna()
    ok &= frame["record_date"] >= frame["disruption_date"]
    ok &= frame["recording_organisation"].isin(orgs)
    ok &= frame["supported_organisation"].isna() | frame["supported_organisation"].isin(orgs)
    for col in C.DISRUPTIONS.columns:
        if col.values:
            ok &= frame[col.key].isin(col.values)
    ok &= ~frame["disruption_id"].duplicated(keep=False)
    ok &= ~((frame["disruption_type"] == C.SUPPORT) & frame["supported_organisation"].isna())
    return frame[ok]


def threats_clean(frame: pd.DataFrame) -> pd.DataFrame:
    ok = ~(frame["phase"].isin(C.CLOSED_PHASES) & frame["closed_date"].isna())
    ok &= ~frame["threat_id"].duplicated(keep=False)
    return frame[ok]


VIEWS = [(s, clean) for s in STAMPS for clean in (False, True)]


def counted(stamp: str, clean: bool) -> pd.DataFrame:
    frame = disruptions(stamp)
    if clean:
        frame = contract_clean(frame)
    return frame[inspection_disruptions(frame, START, END)]


def strand_table(stamp: str, clean: bool) -> pd.DataFrame:
    frame = counted(stamp, clean)
    table = frame.groupby("recording_organisation")["strand"].value_counts().unstack(fill_value=0)
    table["n"] = table.sum(axis=1)
    return table


def default_view(stamp: str) -> pd.DataFrame:
    """Lead disruptions with a Record Date in 2022, any assessment (the tool's default profile)."""
    frame = disruptions(stamp)
    return frame[(frame["disruption_type"] == C.LEAD) & (frame["record_date"].dt.year == 2022)]


# --- the published figures ----------------------------------------------------------


@pytest.mark.parametrize("stamp,clean", VIEWS)
def test_master_list_figures(stamp, clean):
    frame = threats(stamp)
    if clean:
        frame = threats_clean(frame)
    passing = frame[inspection_threats(frame)]
    by_org = passing["owning_organisation"].value_counts()
    assert by_org[CHESHIRE] == 118
    assert by_org[LANCASHIRE] == 243
    assert by_org.reindex(REGION).sum() == 938
    assert set(passing["owning_organisation"]) == set(REGION)
    # none of Cheshire's threats is a SOC vulnerability in January, filtered or not; by July some are
    cheshire = threats(stamp)[threats(stamp)["owning_organisation"] == CHESHIRE]
    vulnerabilities = set(cheshire.loc[cheshire["threat_type"] == C.VULNERABILITY, "threat_id"])
    assert vulnerabilities == (set() if stamp == JANUARY else RECLASSIFIED_BY_JULY)


@pytest.mark.parametrize("stamp,clean", VIEWS)
def test_disruption_figures(stamp, clean):
    t = strand_table(stamp, clean)
    assert (t.loc[CHESHIRE, "n"], t.loc[CHESHIRE, "Pursue"]) == (373, 312)
    assert round(312 / 373 * 100) == 84
    assert (t.loc[GMP, "n"], t.loc[GMP, "Pursue"]) == (490, 343)
    assert t.loc[GMP, "Pursue"] / t.loc[GMP, "n"] == pytest.approx(0.70)
    assert (t.loc[LANCASHIRE, "n"], t.loc[LANCASHIRE, "Pursue"]) == (635, 540)
    assert round(540 / 635 * 100) == 85
    forces = t.loc[list(FORCES)]
    prevent = forces["Prevent"] / forces["n"]
    assert (forces.loc[CUMBRIA, "n"], forces.loc[CUMBRIA, "Prevent"]) == (230, 69)
    assert prevent[CUMBRIA] == pytest.approx(0.30)
    assert (prevent.drop(CUMBRIA) < prevent[CUMBRIA]).all()
    # North Wales strictly the fewest, Merseyside the most, with a balanced mix
    assert (forces["n"].drop(NORTH_WALES) > forces.loc[NORTH_WALES, "n"]).all()
    assert forces["n"].idxmax() == MERSEYSIDE
    m = forces.loc[MERSEYSIDE]
    assert m["Pursue"] / m["n"] < 0.60
    assert m["Prevent"] / m["n"] >= 0.10 and m["Protect"] / m["n"] >= 0.10
    # the figures this extraction chose where the inspection gives none
    assert forces["n"].to_dict() == {
        CHESHIRE: 373,
        CUMBRIA: 230,
        GMP: 490,
        LANCASHIRE: 635,
        MERSEYSIDE: 820,
        NORTH_WALES: 170,
    }
    assert t.loc[ROCU, "n"] == 260


@pytest.mark.parametrize("stamp", STAMPS)
def test_north_wales_senior_analyst(stamp):
    frame = disruptions(stamp)
    nw = frame[frame["recording_organisation"] == NORTH_WALES]
    views = {
        "all records": nw,
        "disrupted in 2022": nw[nw["disruption_date"].dt.year == 2022],
        "recorded in 2022": nw[nw["record_date"].dt.year == 2022],
        "counted": counted(stamp, False).query("recording_organisation == @NORTH_WALES"),
        "default view": default_view(stamp).query("recording_organisation == @NORTH_WALES"),
    }
    for name, rows in views.items():
        top = rows["recorded_by"].value_counts()
        assert len(rows) >= 20, name
        assert top.iloc[0] / len(rows) > 0.50, name
    # nobody else depends on one recorder
    for org in REGION:
        if org != NORTH_WALES:
            rows = frame[frame["recording_organisation"] == org]
            assert rows["recorded_by"].value_counts(normalize=True).iloc[0] < 0.40
            assert rows["recorded_by"].nunique() >= 5


@pytest.mark.parametrize("stamp", STAMPS)
def test_pursue_bands_in_the_default_view(stamp):
    view = default_view(stamp)
    share = (view["strand"] == "Pursue").groupby(view["recording_organisation"]).mean()
    assert share[CHESHIRE] >= 0.80 and share[LANCASHIRE] >= 0.80
    assert 0.70 <= share[GMP] < 0.80
    assert share[CUMBRIA] < 0.70 and share[MERSEYSIDE] < 0.70 and share[NORTH_WALES] < 0.70
    assert share[ROCU] >= 0.70 and share[ROCU] < 0.80


def test_rocu_records_lead_and_support():
    frame = disruptions(JANUARY)
    rocu = frame[frame["recording_organisation"] == ROCU]
    assert (rocu["disruption_type"] == C.LEAD).sum() > 200
    support = rocu[rocu["disruption_type"] == C.SUPPORT]
    assert len(support) > 200
    # every support record but the one planted names whom it supported, a force of the region
    assert support["supported_organisation"].isna().sum() == 1
    assert set(support["supported_organisation"].dropna()) == set(FORCES)
    # forces record lead disruptions only, except Merseyside's nine (check W104)
    forces = frame[frame["recording_organisation"].isin(FORCES) & (frame["disruption_type"] == C.SUPPORT)]
    assert forces["recording_organisation"].value_counts().to_dict() == {MERSEYSIDE: 9}


# --- the two extractions -------------------------------------------------------------


def test_extraction_dates_and_titles():
    for stamp, day in ((JANUARY, dt.date(2023, 1, 4)), (JULY, dt.date(2023, 7, 13))):
        for kind in ("disruptions", "threats"):
            export = read_export(FOLDER / f"{kind}_{stamp}.csv", kind)
            assert export.extraction_date == day
            assert export.source.header_row == 3
            assert list(export.text.columns) == [c.key for c in export.kind.columns]
            frame = typed_frame(export)
            for col in export.kind.columns:
                if col.kind == "date":
                    assert (frame[col.key].dropna() <= pd.Timestamp(day)).all()
    lines = (FOLDER / f"disruptions_{JANUARY}.csv").read_text("utf-8").splitlines()
    assert lines[:2] == ["APMIS Disruptions Export", "Extracted: 04/01/2023 09:14"]
    lines = (FOLDER / f"threats_{JULY}.csv").read_text("utf-8").splitlines()
    assert lines[:2] == ["APMIS SOC Master List Export", "Extracted: 13/07/2023 10:02"]


def test_july_holds_january_plus_late_records():
    jan, jul = disruptions(JANUARY), disruptions(JULY)
    jan_text = read_export(FOLDER / f"disruptions_{JANUARY}.csv").text
    jul_text = read_export(FOLDER / f"disruptions_{JULY}.csv").text
    # the first extraction's records come first, in the same order
    head = jul_text.iloc[: len(jan_text)].reset_index(drop=True)
    old = jan_text.reset_index(drop=True)
    differs = (head.fillna("~") != old.fillna("~")).any(axis=1)
    changed = head.loc[differs, ["disruption_id", "assessment_category"]]
    assert dict(changed.itertuples(index=False)) == ASSESSED_BY_JULY
    assert (old.loc[differs, "assessment_category"] == "Pending").all()
    assert (
        (
            old.loc[differs, ~head.columns.isin(["assessment_category"])].fillna("~")
            == head.loc[differs, ~head.columns.isin(["assessment_category"])].fillna("~")
        )
        .all()
        .all()
    )
    # the late records: 2022 activity typed in after 4 January 2023, mostly prevent and protect
    late = jul.iloc[len(jan) :]
    assert len(late) == 147
    assert (late["disruption_date"].dt.year == 2022).all()
    assert (late["record_date"] > pd.Timestamp("2023-01-04")).all()
    assert (late["record_date"] < pd.Timestamp("2023-07-13")).all()
    assert late["strand"].isin(["Prevent", "Protect"]).mean() > 0.75
    assert not set(late["disruption_id"]) & set(jan["disruption_id"])


def test_july_master_list_changes():
    jan = read_export(FOLDER / f"threats_{JANUARY}.csv", "threats").text.reset_index(drop=True)
    jul = read_export(FOLDER / f"threats_{JULY}.csv", "threats").text.reset_index(drop=True)
    head = jul.iloc[: len(jan)]
    differs = head.fillna("~") != jan.fillna("~")
    # only the columns of the three kinds of change: scores, plan reviews, moderation
    changed = {"tier", "morile_score", "last_review_date", "moderation_status", "soc_status", "threat_type"}
    assert not differs.drop(columns=list(changed)).any().any()
    scored = differs["morile_score"]
    assert set(head.loc[scored, "threat_id"]) == MORILE_BY_JULY
    assert jan.loc[scored, "morile_score"].isna().all() and head.loc[scored, "morile_score"].notna().all()
    assert (jan.loc[scored, "owning_organisation"] == CUMBRIA).all()
    # plans reviewed since: a later Last Review Date, never one taken away
    reviewed = differs["last_review_date"]
    before = pd.to_datetime(jan.loc[reviewed, "last_review_date"], dayfirst=True)
    after = pd.to_datetime(head.loc[reviewed, "last_review_date"], dayfirst=True)
    assert after.notna().all() and (before.isna() | (after > before)).all() and reviewed.sum() > 500
    # January's unmoderated threats moderated since, found not to be SOC (the threats counted stay the same)
    moderated = differs["moderation_status"]
    assert set(head.loc[moderated, "threat_id"]) == MODERATED_BY_JULY
    assert (jan.loc[moderated, "moderation_status"] == "Unmoderated").all()
    assert (head.loc[moderated, "soc_status"] == "Non-SOC").all() and differs["soc_status"].equals(moderated)
    # Cheshire's reclassifications, none of a threat with disruptions against it
    reclassified = differs["threat_type"]
    assert set(head.loc[reclassified, "threat_id"]) == RECLASSIFIED_BY_JULY
    assert (jan.loc[reclassified, "threat_type"] == C.OCG).all()
    assert (head.loc[reclassified, "threat_type"] == C.VULNERABILITY).all()
    assert not set(disruptions(JULY)["threat_id"]) & RECLASSIFIED_BY_JULY
    new = jul.iloc[len(jan) :]
    assert set(new["threat_id"]) == NEW_THREATS
    assert (new["moderation_status"] == "Unmoderated").all()
    for tid in ASSESSED_BY_JULY | dict.fromkeys(
        MORILE_BY_JULY | MODERATED_BY_JULY | RECLASSIFIED_BY_JULY | NEW_THREATS
    ):
        assert tid in README.read_text("utf-8")


@pytest.mark.parametrize("stamp", STAMPS)
def test_disruptions_consistent_with_master_list(stamp):
    frame = contract_clean(disruptions(stamp))
    t = threats(stamp).set_index("threat_id")
    known = frame["threat_id"].isin(t.index)
    assert (~known).sum() == 1  # the planted W110 record
    frame = frame[known]
    master = t.loc[frame["threat_id"]]
    types_differ = master["threat_type"].to_numpy() != frame["threat_type"].to_numpy()
    assert types_differ.sum() == 1  # the planted W110 record
    assert (frame["disruption_date"].to_numpy() >= master["created_date"].to_numpy()).all()
    closed = master["closed_date"].notna().to_numpy()
    assert (frame["disruption_date"].to_numpy()[closed] <= master["closed_date"].to_numpy()[closed]).all()


def test_planted_defects_are_there():
    frame = disruptions(JANUARY)
    text = read_export(FOLDER / f"disruptions_{JANUARY}.csv").text
    assert (text["recording_organisation"] == "Chesire Constabulary").sum() == 2
    assert (text["strand"] == "Persue").sum() == 1
    assert (text["assessment_category"] == "Modrate").sum() == 1
    assert text["disruption_date"].eq("31/02/2022").sum() == 1
    assert text["record_date"].eq("2022-13-01").sum() == 1
    assert frame["disruption_id"].duplicated().sum() == 1
    assert (frame["record_date"] < frame["disruption_date"]).sum() == 1
    # W103: lead disruptions against priority individuals and vulnerabilities
    assert ((frame["disruption_type"] == C.LEAD) & (frame["threat_type"] != C.OCG)).sum() > 30
    # W107: a long tail of records typed in months late
    lag = (frame["record_date"] - frame["disruption_date"]).dt.days
    assert lag.median() <= 7 and (lag > 90).sum() > 50
    # W111: probable duplicates
    key = ["recording_organisation", "threat_id", "disruption_date", "strand", "tactic"]
    assert frame.duplicated(key).sum() > 20
    # W112: tactics far from their strand
    assert (frame["tactic"].map(C.TACTIC_STRAND) != frame["strand"]).sum() > 20
    # W114: Pending long after recording
    ext = pd.Timestamp("2023-01-04")
    assert ((frame["assessment_category"] == "Pending") & ((ext - frame["record_date"]).dt.days > 90)).sum() > 20
    t = threats(JANUARY)
    assert (t["phase"].isin(C.CLOSED_PHASES) & t["closed_date"].isna()).sum() == 1
    # the summaries exercise the reader
    summary = text["summary"].dropna()
    for needle in (",", '"', "\n", "£"):
        assert summary.str.contains(needle, regex=False).any(), needle


def test_excel_copy_matches_the_csv():
    book = read_export(FOLDER / f"disruptions_{JANUARY}.xlsx", "disruptions")
    assert book.source.sheet == "Disruptions"
    assert book.extraction_date == dt.date(2023, 1, 4)
    a, b = typed_frame(book), disruptions(JANUARY)
    assert len(a) == len(b)
    for col in a.columns:
        left, right = a[col].reset_index(drop=True), b[col].reset_index(drop=True)
        pd.testing.assert_series_equal(left, right, check_names=False, check_dtype=False)
    import zipfile

    sheet = zipfile.ZipFile(FOLDER / f"disruptions_{JANUARY}.xlsx").read("xl/worksheets/sheet1.xml").decode()
    assert re.search(r'<c r="G4" s="\d+"><v>\d+</v>', sheet)  # a real date cell


# --- the README's expected findings ------------------------------------------------------


def expected_findings() -> list[tuple[str, str, str]]:
    text = README.read_text("utf-8")
    section = text.split("## Expected findings", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if (
            line.startswith("|")
            and len(cells) == 3
            and cells[0] not in ("organisation",)
            and not set(cells[0]) <= set("-: ")
        ):
            rows.append(tuple(cells))
    return rows


def test_expected_findings_table_agrees_with_the_files():
    rows = expected_findings()
    assert len(rows) >= 10
    view = default_view(JANUARY)
    share = (view["strand"] == "Pursue").groupby(view["recording_organisation"]).mean()
    t = threats(JANUARY)
    scope = t[t["phase"].isin(["Active", "Dormant"])]  # the threats in scope: not closed
    org = scope["owning_organisation"]
    age = (pd.Timestamp(2023, 1, 4) - scope["created_date"]).dt.days
    waiting = (scope["moderation_status"] == "Unmoderated") & (age > 28)
    unassessed = (scope["morile_score"].isna() | scope["tier"].isna() | waiting).groupby(org).mean()
    due = age >= 90
    no_plan = (due & scope["last_review_date"].isna()).groupby(org).sum()
    reviewed_before = (pd.Timestamp(2023, 1, 4) - scope["last_review_date"]).dt.days > 90
    out_of_date = (due & reviewed_before).groupby(org).sum() / due.groupby(org).sum()
    no_officer = scope["lead_responsible_officer"].isna().groupby(org).sum()
    busiest = scope.groupby("owning_organisation")["lead_responsible_officer"].agg(lambda s: s.value_counts().max())
    frame = disruptions(JANUARY)
    own = frame[frame["record_date"].dt.year == 2022]
    active = scope[(scope["phase"] == "Active") & (scope["threat_type"] == C.OCG)]
    disrupted = pd.Series(
        [
            ((own["recording_organisation"] == o) & (own["threat_id"] == i)).any()
            for o, i in zip(active["owning_organisation"], active["threat_id"])
        ],
        index=active.index,
    )
    undisrupted = (~disrupted).groupby(active["owning_organisation"]).mean()
    in_year = frame[frame["record_date"].dt.year == 2022]
    top = in_year.groupby("recording_organisation")["recorded_by"].agg(lambda s: s.value_counts(normalize=True).iloc[0])
    live = t[~t["phase"].str.contains("Closed")]
    reconciled = w117_by_hand(in_year, frame)
    for org, check, status in rows:
        assert org in REGION, org
        if check == "W101":
            s = share[org]
            assert status == ("error" if s >= 0.8 else "warning" if s >= 0.7 else "clear"), (org, s)
        elif check == "W104":
            n = ((frame["recording_organisation"] == org) & (frame["disruption_type"] == C.SUPPORT)).sum()
            assert status == ("flagged" if n else "clear"), org
        elif check == "W105":
            has = ((live["owning_organisation"] == org) & (live["threat_type"] == C.VULNERABILITY)).any()
            assert status == ("clear" if has else "flagged"), org
        elif check == "W106":
            assert status == ("flagged" if unassessed[org] > 0 else "clear"), (org, unassessed[org])
        elif check == "W113":
            flagged = no_plan[org] > 0 or out_of_date[org] > 0.10
            assert status == ("flagged" if flagged else "clear"), (org, no_plan[org], out_of_date[org])
            assert abs(out_of_date[org] - 0.10) > 0.05  # clear of the threshold
        elif check == "W115":
            flagged = no_officer[org] > 0 or busiest[org] > 30
            assert status == ("flagged" if flagged else "clear"), (org, no_officer[org], busiest[org])
        elif check == "W116":
            assert status == ("flagged" if undisrupted[org] > 0.25 else "clear"), (org, undisrupted[org])
            assert abs(undisrupted[org] - 0.25) > 0.03
        elif check == "W108":
            assert status == ("flagged" if top[org] > 0.5 else "clear"), (org, top[org])
        elif check == "W117":
            doubles, received, share, itself = reconciled[org]
            flagged = doubles > 0 or (share is not None and share > 0.5) or itself > 0
            assert status == ("flagged" if flagged else "clear"), (org, reconciled[org])
            assert received < 5 or abs(share - 0.5) > 0.04  # a force's share clear of the threshold
        else:
            pytest.fail(f"no test for {check}")
    statuses = {(o, c): s for o, c, s in rows}
    assert statuses[(CHESHIRE, "W101")] == "error" and statuses[(LANCASHIRE, "W101")] == "error"
    assert statuses[(GMP, "W101")] == "warning"
    assert statuses[(CUMBRIA, "W101")] == "clear" and statuses[(MERSEYSIDE, "W101")] == "clear"
    assert statuses[(CHESHIRE, "W105")] == "flagged" and statuses[(NORTH_WALES, "W108")] == "flagged"
    assert statuses[(MERSEYSIDE, "W104")] == "flagged"
    # where the inspection found each failing of the master list, and nowhere else
    for check, found in {
        "W106": {CUMBRIA},
        "W113": {CHESHIRE, CUMBRIA, NORTH_WALES},
        "W115": {CHESHIRE, NORTH_WALES},
        "W116": {CUMBRIA, NORTH_WALES},
        "W117": {MERSEYSIDE, NORTH_WALES, ROCU},
    }.items():
        assert {o for o in REGION if statuses[(o, check)] == "flagged"} == found, check


def w117_by_hand(in_year: pd.DataFrame, frame: pd.DataFrame) -> dict[str, tuple]:
    """Per organisation, record by record: its leads another organisation also led (same threat and tactic, at
    most 3 days apart), the support it received and the share of it with no lead of its own within 14 days, and
    support it recorded for itself."""
    leads = in_year[in_year["disruption_type"] == C.LEAD]
    every_lead = frame[frame["disruption_type"] == C.LEAD]
    support = in_year[(in_year["disruption_type"] == C.SUPPORT) & in_year["supported_organisation"].notna()]
    out = {}
    for org in REGION:
        doubles = 0
        for r in leads[leads["recording_organisation"] == org].itertuples():
            others = leads[
                (leads["recording_organisation"] != org)
                & (leads["threat_id"] == r.threat_id)
                & (leads["tactic"] == r.tactic)
            ]
            doubles += bool(((others["disruption_date"] - r.disruption_date).abs().dt.days <= 3).any())
        got = support[(support["supported_organisation"] == org) & (support["recording_organisation"] != org)]
        unmatched = 0
        for s in got.itertuples():
            own = every_lead[(every_lead["recording_organisation"] == org) & (every_lead["threat_id"] == s.threat_id)]
            unmatched += not ((own["disruption_date"] - s.disruption_date).abs().dt.days <= 14).any()
        itself = ((support["recording_organisation"] == org) & (support["supported_organisation"] == org)).sum()
        out[org] = (doubles, len(got), unmatched / len(got) if len(got) else None, itself)
    return out


def test_readme_says_how_to_run_and_regenerate():
    text = README.read_text("utf-8")
    assert "disruption-qa sample --preset north-west-2022 --out sample_exports/north-west-2022" in text
    assert (
        "Run: `disruption-qa check sample_exports/north-west-2022/disruptions_2023-01-04.csv "
        "--threats sample_exports/north-west-2022/threats_2023-01-04.csv --year 2022`"
    ) in text
    assert "## small/" in text


# --- reproducible ------------------------------------------------------------------------------


def test_regenerating_gives_the_same_bytes(tmp_path):
    out = tmp_path / "north-west-2022"
    run = run_cli("sample", "--preset", "north-west-2022", "--out", out, cwd=tmp_path)
    assert run.code == 0, run.stderr
    shipped = sorted(p.name for p in FOLDER.iterdir() if not p.name.startswith("."))
    made = sorted(p.name for p in out.iterdir())
    assert made == shipped
    for name in shipped:
        a = hashlib.sha256((FOLDER / name).read_bytes()).hexdigest()
        b = hashlib.sha256((out / name).read_bytes()).hexdigest()
        assert a == b, name


def test_unknown_preset_is_one_clear_line(tmp_path):
    run = run_cli("sample", "--preset", "south-2022", "--out", tmp_path / "x")
    assert run.code == 2
    assert run.stderr.strip().splitlines() == ["error: unknown preset 'south-2022' (presets: north-west-2022)"]
