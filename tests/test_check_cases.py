"""Every warning-sign check against its cases: one TOML file of data cases per check, one test.

As sqlfluff keeps a YAML file of pass and fail cases per rule, each check has
``tests/check_cases/<ID>.toml`` (``W101.toml`` ...): a list of ``[[case]]``
tables, each a small extraction and the finding the check must give on it.
``test_case`` builds the extraction in memory (no file is written), takes it
through the engine's own path (typed frames, validation, the per-organisation
Context: ``validation.validate`` then ``engine.run_checks``) with only that
check enabled, and compares its finding with the case's ``[case.expect]``.

A case::

    [[case]]
    name = "error at 84 percent"            # unique in its file; the test's ID
    organisation = "Cheshire Constabulary"  # optional: the organisation checked
    period = 2022                           # optional: a year, or ["01/01/2022", "30/06/2022"]
    extracted = "04/01/2023"                # optional: the extraction date (dd/mm/yyyy)
    profile = "default"                     # optional: the profile whose filters and settings apply
    validation = []                         # optional: codes of the validation problems the input has
    disruptions = [                         # optional (one default record): the disruptions export
      { repeat = 101, "4P Strand" = "Pursue" },
      { repeat = 19, "4P Strand" = "Prevent", Tactic = "Ancillary Order" },
    ]
    threats = [{ repeat = 12 }]             # optional (none: no master list): the master list

    [case.settings]                         # optional: the check's settings, over its defaults and the profile's
    error = 0.9

    [case.expect]                           # what the finding must be
    status = "flagged"                      # flagged | clear | not-applicable (required)
    severity = "error"
    value = 0.8417                          # compared to 4 decimal places, as findings round
    records = ["D0001..D0101"]              # every record ID, sorted; "D0001..D0101" is a run of IDs
    threshold = { warning = 0.7, error = 0.8 }
    message = "..."                         # the whole message
    message_contains = ["..."]              # or parts of it (a string or a list)
    message_excludes = ["..."]              # and parts it must not have
    reason_contains = "master list"         # why the check did not apply
    details = { late = 30 }                 # entries the finding's details must have (nested tables too)

A row is written as the export contract writes it: the contract's column names,
dates as dd/mm/yyyy, ``""`` for a blank cell. A column a row leaves out takes
its value from ``check_cases/defaults.toml`` (a healthy record or threat of the
case's organisation), so a case names only what it is about. ``repeat = n``
makes n rows of one; ``{n}`` in a value is the row's number in its table (from
1) and ``{organisation}`` the case's organisation, which is how the default IDs
(``D0001``, ``T001``) and organisations are written.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from disruption_qa import contract
from disruption_qa.catalogue import load_profile, settings_for
from disruption_qa.checks import CATALOGUE, CLEAR, FLAGGED, NOT_APPLICABLE, Finding
from disruption_qa.config import Config
from disruption_qa.engine import resolve_organisations, resolve_period, run_checks
from disruption_qa.parallel import Pool
from disruption_qa.reading import Export, SourceFile
from disruption_qa.validation import validate

CASES = Path(__file__).resolve().parent / "check_cases"
DEFAULTS = tomllib.loads((CASES / "defaults.toml").read_text("utf-8"))

CASE_KEYS = {
    "name",
    "organisation",
    "period",
    "extracted",
    "profile",
    "validation",
    "disruptions",
    "threats",
    "settings",
    "expect",
}
EXPECT_KEYS = {
    "status",
    "severity",
    "value",
    "records",
    "threshold",
    "message",
    "message_contains",
    "message_excludes",
    "reason_contains",
    "details",
}
STATUSES = (FLAGGED, CLEAR, NOT_APPLICABLE)


@dataclass
class Case:
    check: str
    name: str
    spec: dict

    def __str__(self) -> str:
        return f"{self.check}: {self.name}"


def case_files() -> dict[str, Path]:
    """Each check's case file by check ID."""
    return {path.stem: path for path in sorted(CASES.glob("W*.toml"))}


def load_cases() -> list[Case]:
    cases = []
    for check, path in case_files().items():
        for number, spec in enumerate(tomllib.loads(path.read_text("utf-8")).get("case", []), 1):
            cases.append(Case(check, spec.get("name", f"case {number} (no name)"), spec))
    return cases


ALL_CASES = load_cases()


def dates(text: str) -> dt.date:
    return dt.datetime.strptime(text, "%d/%m/%Y").date()


def rows_of(kind: contract.ExportKind, rows: list[dict], defaults: dict, organisation: str) -> list[dict[str, str]]:
    """The case's rows of one export, each repeated and completed from the defaults, values as text."""
    names = {col.name for col in kind.columns}
    out = []
    for row in rows:
        row = dict(row)
        repeat = row.pop("repeat", 1)
        unknown = set(row) - names
        assert not unknown, f"not columns of the {kind.title}: {sorted(unknown)}"
        for _ in range(repeat):
            n = len(out) + 1
            cells = {**defaults, **row}
            out.append({name: str(cells.get(name, "")).format(n=n, organisation=organisation) for name in names})
    return out


def export_of(kind: contract.ExportKind, rows: list[dict[str, str]]) -> Export:
    """The export a file of these rows would read as: one text column per contract column (by its key),
    blanks missing, indexed by spreadsheet row (the header on row 1)."""
    frame = pd.DataFrame(
        [[row[col.name] or None for col in kind.columns] for row in rows],
        columns=[col.key for col in kind.columns],
        index=range(2, 2 + len(rows)),
        dtype="str",
    )
    source = SourceFile(path=f"{kind.key}.csv", sha256="", rows=len(rows))
    return Export(kind=kind, source=source, text=frame, letters={})


def finding_for(case: Case):
    """The case's extraction run through the engine with only its check enabled: (finding, validation)."""
    spec = {**DEFAULTS["case"], **case.spec}
    organisation = spec["organisation"]
    disruptions = export_of(
        contract.DISRUPTIONS,
        rows_of(contract.DISRUPTIONS, spec.get("disruptions", [{}]), DEFAULTS["disruption"], organisation),
    )
    threats = None
    if "threats" in spec:
        threats = export_of(
            contract.THREATS, rows_of(contract.THREATS, spec["threats"], DEFAULTS["threat"], organisation)
        )
    validation = validate(disruptions, threats, extracted_on=dates(spec["extracted"]))
    profile = load_profile(spec["profile"])
    settings = settings_for(profile, Config(checks={case.check: spec.get("settings", {})}))
    for check in CATALOGUE:
        settings[check.id]["enabled"] = check.id == case.check
    frame = validation.frames["disruptions"]
    period = spec["period"]
    if isinstance(period, int):
        period = resolve_period(frame, year=period, start=None, end=None)
    else:
        period = resolve_period(frame, year=None, start=dates(period[0]), end=dates(period[1]))
    orgs = resolve_organisations([organisation], frame, validation.frames.get("threats"))
    (result,) = run_checks(
        validation, profile=profile, settings=settings, period=period, organisations=orgs, pool=Pool(workers=1)
    )
    (finding,) = result.findings
    return finding, validation


def expand(ids: list[str]) -> list[str]:
    """Record IDs with runs written ``D0001..D0101`` spelled out."""
    out = []
    for item in ids:
        run = re.fullmatch(r"(\D*)(\d+)\.\.(\D*)(\d+)", item)
        if run is None:
            out.append(item)
            continue
        prefix, first, prefix_again, last = run.groups()
        assert prefix == prefix_again and len(first) == len(last), f"not a run of IDs: {item}"
        out += [f"{prefix}{n:0{len(first)}d}" for n in range(int(first), int(last) + 1)]
    return out


def as_list(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else value


def assert_details(actual: dict, expected: dict, path: str = "details") -> None:
    for key, want in expected.items():
        assert key in actual, f"{path} has no {key!r}: {actual}"
        if isinstance(want, dict):
            assert_details(actual[key], want, f"{path}.{key}")
        else:
            assert actual[key] == pytest.approx(want, abs=1e-4), f"{path}.{key}"


def assert_finding(finding: Finding, expect: dict) -> None:
    assert finding.status == expect["status"], finding.message
    if "severity" in expect:
        assert finding.severity == expect["severity"]
    if "value" in expect:
        assert finding.value == pytest.approx(expect["value"], abs=1e-4)
    if "records" in expect:
        assert finding.records == expand(expect["records"])
    if "threshold" in expect:
        assert finding.threshold == expect["threshold"]
    if "message" in expect:
        assert finding.message == expect["message"]
    for part in as_list(expect.get("message_contains", [])):
        assert part in finding.message
    for part in as_list(expect.get("message_excludes", [])):
        assert part not in finding.message
    if "reason_contains" in expect:
        assert expect["reason_contains"] in (finding.reason or "")
    assert_details(finding.details, expect.get("details", {}))


@pytest.mark.parametrize("case", ALL_CASES, ids=str)
def test_case(case: Case):
    assert set(case.spec) <= CASE_KEYS, f"unknown keys: {sorted(set(case.spec) - CASE_KEYS)}"
    expect = case.spec["expect"]
    assert set(expect) <= EXPECT_KEYS, f"unknown expectations: {sorted(set(expect) - EXPECT_KEYS)}"
    assert expect["status"] in STATUSES
    finding, validation = finding_for(case)
    # a case's input is a valid extraction unless it says which rules it breaks (a typo would otherwise go unseen)
    assert sorted(i.code for i in validation.issues) == sorted(case.spec.get("validation", []))
    assert finding.check == case.check
    assert_finding(finding, expect)


# --- the cases themselves ----------------------------------------------------------------


def test_every_check_has_a_flagged_and_a_clear_case():
    statuses = {check.id: set() for check in CATALOGUE}
    for case in ALL_CASES:
        statuses[case.check].add(case.spec["expect"]["status"])
    assert set(case_files()) == set(statuses), "a case file for each check in the catalogue, and no other"
    missing = {check: sorted({FLAGGED, CLEAR} - found) for check, found in statuses.items() if {FLAGGED, CLEAR} - found}
    assert missing == {}


def test_every_case_has_a_name_unique_in_its_file():
    assert all("name" in case.spec for case in ALL_CASES)
    names = [(case.check, case.name) for case in ALL_CASES]
    assert len(names) == len(set(names))


def test_the_default_rows_are_complete_and_valid():
    # a case that changes nothing (one default disruption, one default threat) is a valid extraction
    for table, kind in (("disruption", contract.DISRUPTIONS), ("threat", contract.THREATS)):
        assert set(DEFAULTS[table]) == {col.name for col in kind.columns}
    case = Case(CATALOGUE[0].id, "defaults", {"threats": [{}], "expect": {"status": CLEAR}})
    _, validation = finding_for(case)
    assert validation.issues == []


def test_a_run_of_ids_is_spelled_out():
    assert expand(["D0009..D0011", "DUP1"]) == ["D0009", "D0010", "D0011", "DUP1"]
    assert expand(["T001..T001"]) == ["T001"]
