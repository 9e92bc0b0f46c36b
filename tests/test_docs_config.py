"""docs/config.md: every part of a config is documented, and every example in it loads as written."""

from __future__ import annotations

import re

import pytest
from conftest import REPO

from disruption_qa.config import load_config

DOC = (REPO / "docs" / "config.md").read_text("utf-8")
SAMPLE = REPO / "sample_exports" / "north-west-2022" / "disruptions_2023-01-04.csv"
EXAMPLES = re.findall(r"```toml\n(.*?)```", DOC, flags=re.S)


def test_every_section_a_config_may_have_has_its_heading():
    headings = " ".join(re.findall(r"^## (.+)$", DOC, flags=re.M))
    for section in ("columns", "values", "organisations", "rules", "checks", "profile", "period_basis"):
        assert section in headings, section


@pytest.mark.parametrize("example", EXAMPLES, ids=[f"example {n}" for n in range(1, len(EXAMPLES) + 1)])
def test_each_example_loads(tmp_path, example):
    path = tmp_path / "example.toml"
    path.write_text(example, "utf-8")
    load_config(path)


def test_the_rules_example_shows_every_kind_of_rule():
    from disruption_qa.rules import KINDS

    config_text = "\n".join(EXAMPLES)
    assert {kind for kind in KINDS if f'kind = "{kind}"' in config_text} == set(KINDS)


@pytest.mark.parametrize("example", EXAMPLES, ids=[f"example {n}" for n in range(1, len(EXAMPLES) + 1)])
def test_each_example_runs_a_check(tmp_path, example):
    from disruption_qa import api

    path = tmp_path / "example.toml"
    path.write_text(example, "utf-8")
    run = api.check(SAMPLE, year=2022, config=path, organisations=["Cheshire Constabulary"])
    assert run.results and run.results[0].findings
