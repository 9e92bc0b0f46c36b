"""`disruption-qa diff`: each kind of difference, and the north-west case of 4 January vs 13 July."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from conftest import run_cli as cli

from disruption_qa.contract import DISRUPTIONS
from disruption_qa.diff import HIDDEN, diff_files

ROOT = Path(__file__).resolve().parent.parent
NW = ROOT / "sample_exports" / "north-west-2022"


# --- the shipped extractions ---------------------------------------------------------------


@pytest.fixture(scope="module")
def northwest(tmp_path_factory):
    out = tmp_path_factory.mktemp("diff")
    proc = cli(
        "diff",
        NW / "disruptions_2023-01-04.csv",
        NW / "disruptions_2023-07-13.csv",
        "--threats-old",
        NW / "threats_2023-01-04.csv",
        "--threats-new",
        NW / "threats_2023-07-13.csv",
        "--out",
        out,
    )
    return proc, json.loads((out / "diff.json").read_text()), (out / "diff.html").read_text(encoding="utf-8")


def test_finds_exactly_the_late_records(northwest):
    proc, data, html = northwest
    assert proc.code == 0, proc.stderr
    d = data["disruptions"]
    added = [a["record_id"] for a in d["added"]]
    assert sorted(added) == [f"D{n}" for n in range(2003539, 2003686)]  # D2003539 to D2003685
    assert all(a["late"] for a in d["added"])
    assert d["summary"] == {"added": 147, "added_late": 147, "removed": 0, "changed": 10}
    per_org = {org: e["added_late"] for org, e in d["by_organisation"].items()}
    assert per_org == {
        "Cheshire Constabulary": 24,
        "Cumbria Constabulary": 10,
        "Greater Manchester Police": 38,
        "Lancashire Constabulary": 32,
        "Merseyside Police": 28,
        "North Wales Police": 9,
        "North West Regional Organised Crime Unit": 6,
    }
    late_strands = {
        s: sum(e["added_late_by_strand"][s] for e in d["by_organisation"].values())
        for s in ("Pursue", "Prevent", "Protect", "Prepare")
    }
    assert late_strands["Prevent"] + late_strands["Protect"] > late_strands["Pursue"] * 3  # mostly prevent and protect
    assert "147 disruptions added (147 added late), 10 changed, 0 removed" in proc.stdout
    assert "Cheshire Constabulary: 24 added late" in proc.stdout
    assert "D2003539" in html


def test_lists_the_changed_assessments(northwest):
    _, data, _ = northwest
    changed = {c["record_id"]: c["fields"] for c in data["disruptions"]["changed"]}
    assert set(changed) == {
        "D2003496",
        "D2003497",
        "D2003507",
        "D2003509",
        "D2003511",
        "D2003515",
        "D2003523",
        "D2003525",
        "D2003527",
        "D2003528",
    }
    assert changed["D2003496"] == [{"column": "Assessment Category", "old": "Pending", "new": "Moderate"}]


def test_master_list_changes(northwest):
    _, data, _ = northwest
    t = data["threats"]
    assert sorted(a["record_id"] for a in t["added"]) == [f"T{n}" for n in range(101216, 101229)]
    changed = {c["record_id"]: {f["column"]: (f["old"], f["new"]) for f in c["fields"]} for c in t["changed"]}
    # scores since applied, plans reviewed since, threats moderated since (sample_exports/README.md)
    assert {"Tier": ("", "Tier 4"), "MoRiLE Score": ("", "47")}.items() <= changed["T100008"].items()
    moderated = {"Moderation Status": ("Unmoderated", "Moderated"), "SOC Status": ("SOC", "Non-SOC")}
    assert moderated.items() <= changed["T101141"].items()
    columns = {column for fields in changed.values() for column in fields}
    assert columns == {"Tier", "MoRiLE Score", "Last Review Date", "Moderation Status", "SOC Status", "Threat Type"}
    assert len(changed) == 1059 and t["removed"] == []


def test_master_list_reclassifications_are_counted_by_organisation(northwest):
    proc, data, html = northwest
    t = data["threats"]
    # counted from the changes themselves: every Threat Type that changed, by organisation and from -> to
    types = [
        (c["organisation"], f["old"], f["new"], c["record_id"])
        for c in t["changed"]
        for f in c["fields"]
        if f["column"] == "Threat Type"
    ]
    assert {(o, a, b) for o, a, b, _ in types} == {
        ("Cheshire Constabulary", "Organised Crime Group", "SOC Vulnerability")
    }
    sentence = (
        f"Cheshire Constabulary: {len(types)} threats reclassified from Organised Crime Group to SOC Vulnerability"
    )
    assert [r["sentence"] for r in t["reclassified"]] == [sentence] and len(types) == 31
    assert t["reclassified"][0]["threat_ids"] == sorted(i for *_, i in types)
    assert sentence in proc.stdout and sentence in html


# --- each kind of difference on a small hand-made pair ------------------------------------------

HEADER = [c.name for c in DISRUPTIONS.columns]


def record(
    rid, org="Cheshire Constabulary", happened="01/03/2022", recorded="03/03/2022", strand="Pursue", summary="s"
):
    return {
        "Disruption ID": rid,
        "Recording Organisation": org,
        "Disruption Type": "Lead Disruption",
        "Supported Organisation": "",
        "Threat ID": "T1",
        "Threat Type": "Organised Crime Group",
        "Disruption Date": happened,
        "Record Date": recorded,
        "4P Strand": strand,
        "Assessment Category": "Major",
        "Tactic": "Arrest",
        "Threat Area": "",
        "Recorded By": "U1",
        "Summary": summary,
    }


def write(path, extracted, rows):
    with open(path, "w", newline="", encoding="utf-8") as fh:
        fh.write(f"APMIS Disruptions Export\nExtracted: {extracted}\n")
        w = csv.DictWriter(fh, fieldnames=HEADER)
        w.writeheader()
        w.writerows(rows)


@pytest.fixture
def pair(tmp_path):
    old, new = tmp_path / "old.csv", tmp_path / "new.csv"
    write(old, "04/01/2023", [record("A"), record("B"), record("C", summary="NARRATIVE-OLD"), record("D"), record("E")])
    write(
        new,
        "13/07/2023",
        [
            record("A"),
            record("B", strand="Prevent"),  # changed strand
            record("C", summary="NARRATIVE-NEW"),  # changed summary: text hidden
            record("E", happened="2022-03-01", recorded="2022-03-03"),  # same dates, ISO: not a change
            record("F", happened="20/12/2022", recorded="02/02/2023", strand="Protect"),  # added late
            record("G", org="Merseyside Police", happened="01/03/2023", recorded="02/03/2023"),  # new activity
        ],
    )  # D removed
    return old, new


def test_each_kind_of_difference(pair):
    old, new = pair
    d = diff_files(old, new).disruptions
    assert [(a["record_id"], a["late"]) for a in d.added] == [("F", True), ("G", False)]
    assert [r["record_id"] for r in d.removed] == ["D"]
    changed = {c["record_id"]: c["fields"] for c in d.changed}
    assert set(changed) == {"B", "C"}
    assert changed["B"] == [{"column": "4P Strand", "old": "Pursue", "new": "Prevent"}]
    assert changed["C"] == [{"column": "Summary", "old": HIDDEN, "new": HIDDEN}]
    assert d.by_organisation["Cheshire Constabulary"] == {
        "added": 1,
        "removed": 1,
        "changed": 2,
        "added_late": 1,
        "added_late_by_strand": {"Pursue": 0, "Prevent": 0, "Protect": 1, "Prepare": 0},
    }
    assert d.by_organisation["Merseyside Police"]["added_late"] == 0


def test_summaries_shown_only_when_asked(pair, tmp_path):
    old, new = pair
    out = tmp_path / "out"
    assert cli("diff", old, new, "--out", out).code == 0
    assert "NARRATIVE" not in (out / "diff.json").read_text() and "NARRATIVE" not in (out / "diff.html").read_text()
    assert cli("diff", old, new, "--out", out, "--include-summaries").code == 0
    changed = {
        c["record_id"]: c["fields"] for c in json.loads((out / "diff.json").read_text())["disruptions"]["changed"]
    }
    assert changed["C"] == [{"column": "Summary", "old": "NARRATIVE-OLD", "new": "NARRATIVE-NEW"}]


def test_identical_extractions(pair, tmp_path):
    old, _ = pair
    proc = cli("diff", old, old, "--out", tmp_path / "same")
    assert proc.code == 0
    assert "0 disruptions added (0 added late), 0 changed, 0 removed" in proc.stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (["{missing}", "{old}"], "no such file"),
        (["{old}", "{new}", "--threats-old", "{old}"], "give both --threats-old and --threats-new"),
        (["{threats}", "{new}"], "looks like a SOC master list export"),
    ],
)
def test_unusable_input_exits_2(pair, tmp_path, args, message):
    old, new = pair
    names = {"old": old, "new": new, "missing": tmp_path / "nope.csv", "threats": NW / "threats_2023-01-04.csv"}
    proc = cli("diff", *[a.format(**names) for a in args], "--out", tmp_path / "x")
    assert proc.code == 2
    assert message in proc.stderr and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
