"""``disruption-qa sample``: any selection, any size, same seed same bytes, valid when asked."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pandas as pd
import pytest
from conftest import run_cli

from disruption_qa import contract as C
from disruption_qa.errors import InputError
from disruption_qa.reading import read_export, typed_frame
from disruption_qa.sample import generate, generate_preset, select_organisations
from disruption_qa.sample.core import typo_of


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load(folder: Path, ext: str = "csv") -> tuple[pd.DataFrame, pd.DataFrame, dt.date]:
    d = read_export(folder / f"disruptions.{ext}", "disruptions")
    t = read_export(folder / f"threats.{ext}", "threats")
    return typed_frame(d), typed_frame(t), d.extraction_date


@pytest.fixture(scope="module")
def clean_national(tmp_path_factory):
    out = tmp_path_factory.mktemp("clean")
    paths = generate(out, national=True, rows=4000, seed=11, defects="none")
    return out, paths


@pytest.fixture(scope="module")
def realistic_region(tmp_path_factory):
    out = tmp_path_factory.mktemp("realistic")
    generate(out, rows=3000, seed=5)
    return out


# --- reproducible ---------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_same_seed_same_bytes(tmp_path, fmt):
    a = generate(tmp_path / "a", region="North West", rows=400, seed=7, fmt=fmt)
    b = generate(tmp_path / "b", region="North West", rows=400, seed=7, fmt=fmt)
    assert [p.name for p in a] == [f"disruptions.{fmt}", f"threats.{fmt}"]
    assert [sha(p) for p in a] == [sha(p) for p in b]


def test_different_seeds_differ(tmp_path):
    a = generate(tmp_path / "a", rows=400, seed=1)
    b = generate(tmp_path / "b", rows=400, seed=2)
    assert sha(a[0]) != sha(b[0]) and sha(a[1]) != sha(b[1])


def test_cli_writes_what_the_library_writes(tmp_path):
    run = run_cli(
        "sample",
        "--out",
        tmp_path / "cli",
        "--organisations",
        "Cheshire Constabulary",
        "--organisations",
        "National Crime Agency",
        "--rows",
        "300",
        "--seed",
        "4",
    )
    assert run.code == 0, run.stderr
    lib = generate(tmp_path / "lib", organisations=["Cheshire Constabulary", "National Crime Agency"], rows=300, seed=4)
    for p in lib:
        assert sha(p) == sha(tmp_path / "cli" / p.name)


# --- valid under the contract -------------------------------------------------------------


def test_defects_none_is_contract_clean(clean_national):
    out, _ = clean_national
    d, t, extracted = load(out)
    ext = pd.Timestamp(extracted)
    assert extracted == dt.date(2023, 1, 4)
    orgs = set(C.organisations())
    for kind, frame in ((C.DISRUPTIONS, d), (C.THREATS, t)):
        for col in kind.columns:
            values = frame[col.key]
            if col.required:
                assert values.notna().all(), col.name
            if col.values:
                assert values.dropna().isin(col.values).all(), col.name
            if col.organisation:
                assert values.dropna().isin(orgs).all(), col.name
            if col.kind == "date":
                present = values.dropna()
                assert (present <= ext).all(), col.name
        assert frame[kind.id_column].is_unique
    # both files' raw date text parses (typed NaT only where the cell is blank)
    for path, kind in ((out / "disruptions.csv", "disruptions"), (out / "threats.csv", "threats")):
        export = read_export(path, kind)
        typed = typed_frame(export)
        for col in export.kind.columns:
            if col.kind == "date":
                assert (typed[col.key].isna() == export.text[col.key].isna()).all(), col.name
    assert (d["record_date"] >= d["disruption_date"]).all()
    assert (d["disruption_date"].dt.year == 2022).all()
    support = d["disruption_type"] == C.SUPPORT
    assert d.loc[support, "supported_organisation"].notna().all()
    assert d.loc[~support, "supported_organisation"].isna().all()
    kinds = d["recording_organisation"].map(lambda o: C.organisations()[o].kind)
    assert set(kinds[support]) <= {"rocu", "agency"}  # forces record lead disruptions only
    assert (d.loc[support, "supported_organisation"] != d.loc[support, "recording_organisation"]).all()
    closed = t["phase"].isin(C.CLOSED_PHASES)
    assert t.loc[closed, "closed_date"].notna().all()
    assert t.loc[~closed, "closed_date"].isna().all()
    assert (t.loc[closed, "closed_date"] >= t.loc[closed, "created_date"]).all()
    assert (t["morile_score"].dropna() >= 0).all()
    # consistent with the master list
    m = d.merge(t, on="threat_id", how="left", suffixes=("", "_t"))
    assert m["owning_organisation"].notna().all()
    assert (m["threat_type"] == m["threat_type_t"]).all()
    assert (m["disruption_date"] >= m["created_date"]).all()
    assert (m.loc[m["closed_date"].notna(), "disruption_date"] <= m.loc[m["closed_date"].notna(), "closed_date"]).all()
    # the minimum standard of the time: disruptions against organised crime groups only
    assert (d["threat_type"] == C.OCG).all()
    assert (d["tactic"].map(C.TACTIC_STRAND) == d["strand"]).all()


def test_national_selection_and_plausibility(clean_national):
    out, _paths = clean_national
    d, t, _ = load(out)
    assert len(d) == 4000
    recording = set(d["recording_organisation"])
    assert {"National Crime Agency", "HM Revenue and Customs", "Metropolitan Police Service"} <= recording
    assert len(set(t["owning_organisation"])) == len(C.organisations())
    assert d["recording_organisation"].value_counts().index[0] == "Metropolitan Police Service"
    # ROCUs and agencies record support disruptions; several recorders per organisation
    support = d[d["disruption_type"] == C.SUPPORT]
    assert {"National Crime Agency"} <= set(support["recording_organisation"])
    assert (d.groupby("recording_organisation")["recorded_by"].nunique() >= 3).all()
    # mostly pursue, tactics of the strand, threat areas that fit the agency
    assert 0.6 < (d["strand"] == "Pursue").mean() < 0.8
    hmrc = d[(d["recording_organisation"] == "HM Revenue and Customs") & (d["disruption_type"] == C.LEAD)]
    assert (
        hmrc["threat_area"]
        .isin(
            [
                "Fraud",
                "Money Laundering",
                "Intellectual Property Crime",
                "Drugs Supply",
                "Modern Slavery and Human Trafficking",
            ]
        )
        .all()
    )
    # monthly volumes vary, record lags have a long tail
    months = d["disruption_date"].dt.month.value_counts()
    assert len(months) == 12 and months.max() > 1.15 * months.min()
    lag = (d["record_date"] - d["disruption_date"]).dt.days
    assert lag.median() <= 7 and lag.quantile(0.99) > 35


@pytest.mark.parametrize("rows", [1, 57, 2500])
def test_row_count_is_honoured(tmp_path, rows):
    generate(tmp_path, region="Wales", rows=rows, seed=3)
    d, t, _ = load(tmp_path)
    assert len(d) == rows
    assert set(t["owning_organisation"]) == {n for n, o in C.organisations().items() if o.region == "Wales"}


def test_organisation_selection(tmp_path):
    generate(tmp_path, organisations=["merseyside police", "HM Revenue and Customs"], rows=500, seed=2)
    d, t, _ = load(tmp_path)
    chosen = {"Merseyside Police", "HM Revenue and Customs"}
    assert set(d["recording_organisation"].dropna()) <= chosen | {typo_of(n) for n in chosen}
    assert set(t["owning_organisation"]) == {"Merseyside Police", "HM Revenue and Customs"}
    assert select_organisations(None, None, False) == [
        n for n, o in C.organisations().items() if o.region == "North West"
    ]
    assert "National Crime Agency" in select_organisations(None, None, True)


def test_unknown_names_are_one_clear_line(tmp_path):
    with pytest.raises(InputError) as err:
        generate(tmp_path, organisations=["Gotham City Police"], rows=10)
    assert str(err.value) == "unknown organisation 'Gotham City Police'"
    with pytest.raises(InputError, match="unknown region 'Atlantis'"):
        generate(tmp_path, region="Atlantis", rows=10)
    with pytest.raises(InputError, match="presets: north-west-2022"):
        generate_preset("nowhere", tmp_path)
    run = run_cli("sample", "--out", tmp_path / "x", "--organisation", "Nowhere Police")
    assert run.code == 2
    assert run.stderr.strip() == "error: unknown organisation 'Nowhere Police'"


def test_xlsx_is_readable_and_holds_the_csv_data(tmp_path):
    generate(tmp_path / "x", rows=300, seed=9, fmt="xlsx")
    generate(tmp_path / "c", rows=300, seed=9, fmt="csv")
    for kind, sheet in (("disruptions", "Disruptions"), ("threats", "Threats")):
        book = read_export(tmp_path / "x" / f"{kind}.xlsx", kind)
        assert book.source.sheet == sheet and book.extraction_date == dt.date(2023, 1, 4)
        a = typed_frame(book).reset_index(drop=True)
        b = typed_frame(read_export(tmp_path / "c" / f"{kind}.csv", kind)).reset_index(drop=True)
        pd.testing.assert_frame_equal(a, b, check_dtype=False)


def test_realistic_defects_are_planted(realistic_region):
    d, t, _ = load(realistic_region)
    text = read_export(realistic_region / "disruptions.csv").text
    assert (text["recording_organisation"] == "Chesire Constabulary").any()
    assert (text["strand"] == "Persue").any()
    assert d["disruption_id"].duplicated().any()
    assert d["record_date"].isna().any() and d["disruption_date"].isna().any()
    assert (d["record_date"] < d["disruption_date"]).any()
    assert ((d["disruption_type"] == C.SUPPORT) & d["supported_organisation"].isna()).any()
    assert (t["phase"].isin(C.CLOSED_PHASES) & t["closed_date"].isna()).any()
    lead = d["disruption_type"] == C.LEAD
    assert (lead & (d["threat_type"] != C.OCG)).sum() > 10  # W103
    forces = d["recording_organisation"].map(lambda o: getattr(C.organisations().get(o), "kind", None)) == "force"
    assert (forces & ~lead).any()  # W104
    assert not (t["owning_organisation"].eq("Cheshire Constabulary") & t["threat_type"].eq(C.VULNERABILITY)).any()
    active = t[t["phase"] == "Active"]
    assert active["morile_score"].isna().any() and active["lead_responsible_officer"].isna().any()
    lag = (d["record_date"] - d["disruption_date"]).dt.days
    assert (lag > 90).sum() > 30  # W107
    nw = d[d["recording_organisation"] == "North Wales Police"]
    assert nw["recorded_by"].value_counts(normalize=True).iloc[0] > 0.5  # W108
    assert (~d["threat_id"].isin(t["threat_id"])).any()  # W110
    key = ["recording_organisation", "threat_id", "disruption_date", "strand", "tactic"]
    assert d.duplicated(key).sum() >= 5  # W111
    assert (d["tactic"].map(C.TACTIC_STRAND) != d["strand"]).sum() > 10  # W112
    ext = pd.Timestamp("2023-01-04")
    assert ((d["assessment_category"] == "Pending") & ((ext - d["record_date"]).dt.days > 60)).any()  # W114


def test_contract_breaks_only_on_rows_the_filters_exclude(realistic_region):
    """Dropping the rows validation reports must not change the inspectors' counts."""
    from disruption_qa.filters import inspection_disruptions

    d, _, _ = load(realistic_region)
    text = read_export(realistic_region / "disruptions.csv").text
    broken = (
        d["record_date"].isna()
        | d["disruption_date"].isna()
        | (d["record_date"] < d["disruption_date"])
        | ~text["strand"].isin(C.STRANDS)
        | ~text["assessment_category"].isin(C.ASSESSMENT_CATEGORIES)
        | d["disruption_id"].duplicated(keep=False)
    )
    counted = inspection_disruptions(d, dt.date(2022, 1, 1), dt.date(2022, 12, 31))
    assert broken.sum() >= 6
    assert not (broken & counted).any()


def test_single_line_summaries_for_readers_without_multiline_support(tmp_path):
    import pandas as pd

    from disruption_qa.sample import generate

    generate(tmp_path / "multi", rows=3000, seed=5)
    generate(tmp_path / "single", rows=3000, seed=5, multiline_summaries=False)
    multi = (tmp_path / "multi" / "disruptions.csv").read_bytes()
    single = (tmp_path / "single" / "disruptions.csv").read_bytes()
    assert multi.count(b"\r\n") < multi.count(b"\n")  # bare line breaks inside quoted summaries
    assert single.count(b"\r\n") == single.count(b"\n")
    frame = pd.read_csv(tmp_path / "single" / "disruptions.csv", engine="pyarrow", skiprows=2)
    assert len(frame) == 3000
