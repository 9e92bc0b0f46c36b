"""The catalogue itself: stable IDs, documentation shape, settings, profiles, generated docs."""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
import tomllib
from pathlib import Path

import pandas as pd
import pytest
from conftest import TITLE_LINES, run_cli, sample_rows

from disruption_qa import filters
from disruption_qa.catalogue import defaults, load_profile, profile_names, settings_for
from disruption_qa.checks import BY_KEY, CATALOGUE
from disruption_qa.checks.base import DOC_HEADINGS, SEVERITIES
from disruption_qa.config import load_config
from disruption_qa.errors import InputError
from disruption_qa.render.catalogue_docs import GENERATED, catalogue_markdown, defaults_toml, write_generated
from disruption_qa.results import RECORD_KINDS

ROOT = Path(__file__).resolve().parent.parent

#: The IDs are stable: never reuse or renumber one.
STABLE = {
    "W101": "pursue-skew",
    "W102": "missing-strand",
    "W103": "non-ocg-disruptions",
    "W104": "force-support-disruptions",
    "W105": "no-vulnerabilities",
    "W106": "unassessed-threats",
    "W107": "late-recording",
    "W108": "recorder-concentration",
    "W109": "silent-months",
    "W110": "orphan-records",
    "W111": "probable-duplicates",
    "W112": "tactic-strand-mismatch",
    "W113": "unmanaged-threats",
    "W114": "pending-assessments",
    "W115": "lead-responsible-officers",
    "W116": "threats-without-disruption",
    "W117": "lead-support-reconciliation",
}


@pytest.mark.parametrize("check", CATALOGUE, ids=lambda c: c.id)
def test_each_check_states_its_basis(check):
    basis = " ".join(check.sections()["Basis"].split())
    if basis.startswith("The 2023 inspection of the north-west"):
        assert re.search(r'"[^"]{20,}"', basis), "quotes the inspection's words"
        assert re.search(r', "[A-Z][^"]{10,}"[:,(]', basis) or "Appendix 2" in basis, "names the section"
    else:
        assert basis.startswith("The tool's own"), "an inspection's words, or the tool's own rule"
    if any(p.kind in (int, float) for p in check.params.values()):
        assert "the tool's choice" in basis or "the tool's own" in basis, "says which thresholds are its own"


def test_ids_and_names_are_stable():
    assert {c.id: c.name for c in CATALOGUE} == STABLE


@pytest.mark.parametrize("check", CATALOGUE, ids=lambda c: c.id)
def test_each_check_is_one_documented_module(check):
    module = sys.modules[check.__module__]
    assert Path(module.__file__).name == f"{check.id.lower()}_{check.name.replace('-', '_')}.py"
    assert check.summary(), "the docstring's first line is the summary"
    sections = check.sections()
    assert list(sections) == list(DOC_HEADINGS), f"{check.id}'s docstring needs exactly the headings, in order"
    for heading in DOC_HEADINGS:
        assert len(sections[heading]) > 20, f"{check.id} lacks a '{heading}' section"


@pytest.mark.parametrize("check", CATALOGUE, ids=lambda c: c.id)
def test_each_setting_has_a_default_of_its_kind(check):
    declared = check.all_params()
    assert list(declared)[:2] == ["enabled", "severity"]
    for name, param in declared.items():
        assert param.description.endswith("."), (check.id, name)
        if param.default is None:
            continue
        assert isinstance(param.default, param.kind), (check.id, name, param.default)
        assert not (param.kind in (int, float) and isinstance(param.default, bool)), (check.id, name)
    assert all(p.default is not None for p in check.params.values()), f"{check.id} declares a setting with no default"
    two_level = "warning" in check.params or "error" in check.params
    # a two-level check's levels are its warning and error settings; any other flags at its severity
    assert check.severity is None if two_level else check.severity in SEVERITIES


def test_settings_at_run_time_are_the_declared_defaults_in_order():
    settings = settings_for(load_profile("default"))
    assert settings == defaults()
    assert list(settings) == [c.id for c in CATALOGUE]
    assert settings["W101"] == {"enabled": True, "warning": 0.7, "error": 0.8}
    assert list(settings["W107"].items()) == [
        ("enabled", True),
        ("severity", "warning"),
        ("days", 28),
        ("threshold", 0.2),
    ]
    assert settings["W110"] == {"enabled": True, "severity": "error"}
    assert type(settings["W102"]["prepare_floor"]) is float
    settings["W103"]["allowed_threat_types"].append("Priority Individual")
    assert BY_KEY["W103"].params["allowed_threat_types"].default == ["Organised Crime Group"], (
        "a run's lists are its own"
    )


def test_docs_checks_md_is_current():
    current = (ROOT / "docs" / "checks.md").read_text(encoding="utf-8")
    assert current == catalogue_markdown(), (
        "docs/checks.md is stale: run `python -m disruption_qa.render.catalogue_docs`"
    )


def test_defaults_toml_is_current():
    current = (ROOT / "checks" / "defaults.toml").read_bytes()
    assert current == defaults_toml().encode("utf-8"), (
        "checks/defaults.toml is stale: run `python -m disruption_qa.render.catalogue_docs`"
    )


def test_defaults_toml_reads_back_as_the_defaults():
    """Every value, its type (0.0 stays a float) and the order of the settings, as the tool uses them."""
    read = tomllib.loads(defaults_toml())
    assert read == defaults()
    for check_id, values in defaults().items():
        assert list(read[check_id].items()) == list(values.items())
        assert [type(v) for v in read[check_id].values()] == [type(v) for v in values.values()], check_id
    text = defaults_toml()
    for check in CATALOGUE:
        for name, param in check.params.items():
            assert f"# {param.description}\n{name} = " in text, (check.id, name)


def test_regenerating_writes_the_committed_files(tmp_path):
    for relative in GENERATED:
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
    written = write_generated(tmp_path)
    assert sorted(p.relative_to(tmp_path).as_posix() for p in written) == sorted(GENERATED)
    for relative in GENERATED:
        assert (tmp_path / relative).read_bytes() == (ROOT / relative).read_bytes(), relative


def test_every_setting_named_in_profiles_and_docs_is_declared():
    """The profiles, and every example config in the documentation, name checks and settings that exist."""
    for name in profile_names():
        for key, values in load_profile(name).checks.items():
            assert key in BY_KEY, (name, key)
            assert set(values) <= set(BY_KEY[key].all_params()), (name, key)
        settings_for(load_profile(name))  # and their values are of the declared kinds
    examples = []
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        examples += re.findall(r"```toml\n(.*?)```", path.read_text(encoding="utf-8"), flags=re.S)
    header = "\n".join(line[6:] for line in defaults_toml().splitlines() if line.startswith("#     "))
    examples = [text for text in [*examples, header] if "[checks." in text]
    assert len(examples) >= 2, "the README's example config and the one in checks/defaults.toml"
    for text in examples:
        for key, values in tomllib.loads(text)["checks"].items():
            assert key in BY_KEY and set(values) <= set(BY_KEY[key].all_params()), (key, values)


NW = ROOT / "sample_exports" / "north-west-2022"

#: Settings under which every check flags somewhere in the north-west sample, so that each lists records.
EVERY_CHECK_FLAGS = """
[checks.W101]
warning = 0.0
[checks.W106]
threshold = 0.0
[checks.W107]
days = 0
threshold = 0.0
[checks.W108]
threshold = 0.0
[checks.W109]
fraction = 1.0
[checks.W112]
threshold = 0.0
[checks.W113]
threshold = 0.0
[checks.W114]
days = 0
"""

#: Checks whose findings list no records: a missing strand has none to point at.
LIST_NO_RECORDS = {"W102"}


def _ids(path: Path, column: str) -> set[str]:
    rows = sample_rows(path)
    header = rows[TITLE_LINES]
    return {row[header.index(column)] for row in rows[TITLE_LINES + 1 :] if row}


def test_each_check_lists_records_of_the_export_it_names(tmp_path):
    assert {c.records for c in CATALOGUE} == set(RECORD_KINDS)
    ids = {
        "disruptions": _ids(NW / "disruptions_2023-01-04.csv", "Disruption ID"),
        "threats": _ids(NW / "threats_2023-01-04.csv", "Threat ID"),
    }
    assert not ids["disruptions"] & ids["threats"]
    config = tmp_path / "flag-everything.toml"
    config.write_text(EVERY_CHECK_FLAGS)
    run_cli(
        "check",
        NW / "disruptions_2023-01-04.csv",
        "--threats",
        NW / "threats_2023-01-04.csv",
        "--year",
        "2022",
        "--no-history",
        "--config",
        config,
        "--out",
        tmp_path / "out",
    )
    listed: dict[str, set[str]] = {c.id: set() for c in CATALOGUE}
    for path in (tmp_path / "out").glob("*/results.json"):
        for finding in json.loads(path.read_text("utf-8"))["findings"]:
            listed[finding["check"]] |= set(finding["records"])
    for check in CATALOGUE:
        if check.id in LIST_NO_RECORDS:
            assert not listed[check.id]
            continue
        assert listed[check.id], f"{check.id} listed no records in the sample"
        assert listed[check.id] <= ids[check.records], f"{check.id} lists records that are not {check.records}"


def test_profiles_exist():
    assert {"default", "hmicfrs-2023"} <= set(profile_names())
    with pytest.raises(InputError, match=r"unknown profile 'nope'.*hmicfrs-2023"):
        load_profile("nope")


def _frame(rows, columns):
    return pd.DataFrame(rows, columns=columns)


def test_hmicfrs_profile_applies_the_inspectors_filters_exactly():
    """Every combination of the filtered values: the profile and Appendix 2 agree row for row."""
    import itertools

    profile = load_profile("hmicfrs-2023")
    d = _frame(
        [
            (t, a, pd.Timestamp(day))
            for t, a, day in itertools.product(
                ["Lead Disruption", "Support Disruption"],
                ["Major", "Moderate", "Minor", "None", "Negative", "Pending"],
                ["2021-12-31", "2022-01-01", "2022-12-31", "2023-01-01"],
            )
        ],
        ["disruption_type", "assessment_category", "record_date"],
    )
    in_period = filters.in_period(d, dt.date(2022, 1, 1), dt.date(2022, 12, 31))
    expected = filters.inspection_disruptions(d, dt.date(2022, 1, 1), dt.date(2022, 12, 31))
    assert (in_period & profile.counted(d)).equals(expected)
    assert int(expected.sum()) == 6  # lead x 3 categories x 2 days in 2022

    t = _frame(
        list(
            itertools.product(
                ["Tactical", "Strategic"],
                ["Moderated", "Unmoderated"],
                ["SOC", "Non-SOC"],
                ["Tier 1", "Tier 5", None],
                ["Active", "Dormant", "Closed - Merged", "Closed - Archived"],
            )
        ),
        ["assessment_type", "moderation_status", "soc_status", "tier", "phase"],
    )
    assert profile.threats_counted(t).equals(filters.inspection_threats(t))
    assert int(filters.inspection_threats(t).sum()) == 4  # (Tier 1, blank) x (Active, Dormant)


@pytest.mark.parametrize(
    "text, message",
    [
        ("[checks.W999]\nwarning = 0.1\n", "W999.*is not a check"),
        ("[checks.W101]\nwarnng = 0.1\n", "W101 .pursue-skew. has no setting 'warnng'"),
        ("[checks.W101]\nwarning = 'high'\n", "W101 setting 'warning' must be a float"),
        ("[checks.W104]\nseverity = 'fatal'\n", "severity must be warning or error"),
        (
            "[checks.W113]\ndisruption_threat_types = ['Organised Crime Group']\n",
            r"W113 .unmanaged-threats. has no setting 'disruption_threat_types' since version 0.2.0: it is W116's",
        ),
    ],
)
def test_config_mistakes_are_named(tmp_path, text, message):
    path = tmp_path / "c.toml"
    path.write_text(text)
    with pytest.raises(InputError, match=message) as err:
        settings_for(load_profile("default"), load_config(path))
    assert str(path) in str(err.value)


def test_config_overrides_profile_overrides_defaults(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text("[checks.pursue-skew]\nerror = 0.9\n[checks.W109]\nenabled = false\n")
    s = settings_for(load_profile("hmicfrs-2023"), load_config(path))
    assert s["W101"] == {"enabled": True, "warning": 0.7, "error": 0.9}
    assert s["W109"]["enabled"] is False


def test_checks_command_lists_the_catalogue():
    run = run_cli("checks")
    assert run.code == 0, run.stderr
    out = run.stdout
    for check_id, name in STABLE.items():
        assert f"{check_id}  {name}" in out
