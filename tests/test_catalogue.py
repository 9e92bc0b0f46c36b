"""The catalogue itself: stable IDs, documentation shape, settings, profiles, generated docs."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from disruption_qa import filters
from disruption_qa.catalogue import defaults, load_profile, profile_names, settings_for
from disruption_qa.checks import CATALOGUE
from disruption_qa.checks.base import DOC_HEADINGS
from disruption_qa.config import load_config
from disruption_qa.errors import InputError
from disruption_qa.render.catalogue_docs import catalogue_markdown

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
}


def test_ids_and_names_are_stable():
    assert {c.id: c.name for c in CATALOGUE} == STABLE


@pytest.mark.parametrize("check", CATALOGUE, ids=lambda c: c.id)
def test_each_check_is_one_documented_module(check):
    module = sys.modules[check.__module__]
    assert Path(module.__file__).name == f"{check.id.lower()}_{check.name.replace('-', '_')}.py"
    assert check.summary(), "the docstring's first line is the summary"
    sections = check.sections()
    for heading in DOC_HEADINGS:
        assert len(sections.get(heading, "")) > 20, f"{check.id} lacks a '{heading}' section"


@pytest.mark.parametrize("check", CATALOGUE, ids=lambda c: c.id)
def test_settings_and_defaults_agree(check):
    values = defaults()[check.id]
    declared = check.all_params()
    assert set(values) <= set(declared), f"defaults.toml sets undeclared settings for {check.id}"
    assert set(check.params) <= set(values), f"{check.id} declares settings with no default"
    for name, value in values.items():
        kind = declared[name].kind
        assert isinstance(value, kind) or (kind is float and isinstance(value, int)), (check.id, name, value)
    two_level = "warning" in values or "error" in values
    assert two_level or values.get("severity") in ("warning", "error")


def test_docs_checks_md_is_current():
    current = (ROOT / "docs" / "checks.md").read_text(encoding="utf-8")
    assert current == catalogue_markdown(), (
        "docs/checks.md is stale: run `disruption-qa checks --markdown > docs/checks.md`"
    )


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
    out = subprocess.run(
        [sys.executable, "-m", "disruption_qa", "checks"], capture_output=True, text=True, check=True
    ).stdout
    for check_id, name in STABLE.items():
        assert f"{check_id}  {name}" in out
