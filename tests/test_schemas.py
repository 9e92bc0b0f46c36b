"""The schemas are built from the contract: each rule is declared once and reaches every place that tests it."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest
from conftest import DISRUPTIONS_VALID, csv_text, valid_disruption_rows
from hypothesis import given, settings
from hypothesis import strategies as st

from disruption_qa import contract as c
from disruption_qa.errors import InputError
from disruption_qa.reading import read_export
from disruption_qa.schemas import build_schema, schema_for
from disruption_qa.validation import RULES, validate

D_HEADER, D_RECORDS = valid_disruption_rows()
KINDS = [c.DISRUPTIONS, c.THREATS]


def _checks(schema) -> list[tuple[str, str]]:
    """Each check of a schema as (rule, column key): a column's checks, then the wide ones (``rule:column``)."""
    on_columns = [(check.name, key) for key, column in schema.columns.items() for check in column.checks]
    return on_columns + [tuple(check.name.split(":", 1)) for check in schema.checks]


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.key)
def test_each_rule_of_the_contract_is_one_check_of_the_schema_and_no_check_is_anything_else(kind):
    declared = [(r.name, r.column) for r in kind.column_rules] + [(r.name, r.column) for r in kind.all_record_rules]
    assert sorted(_checks(build_schema(kind))) == sorted(declared)
    assert len(set(declared)) == len(declared)


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.key)
def test_a_column_is_in_the_schema_as_the_contract_says(kind):
    schema = build_schema(kind)
    for key, column in schema.columns.items():
        assert column.required == kind.column(key).required
        # blanks are the rule "required"'s to report, not pandera's own not_nullable
        assert column.nullable
    assert {col.key for col in kind.required} <= set(schema.columns)


def test_each_field_of_a_column_gives_its_rule():
    assert [r.name for r in c.Column("A", True, unique=True).rules] == ["required", "unique", "control_character"]
    assert [r.name for r in c.Column("A", False, kind="date").rules] == ["date"]
    assert [r.name for r in c.Column("A", True, kind="number", not_negative=True).rules] == [
        "required",
        "number",
        "not_negative",
    ]
    assert [r.name for r in c.Column("A", False, values=("x",)).rules] == ["allowed"]
    assert [r.name for r in c.Column("A", True, organisation=True).rules] == ["required", "organisation"]
    assert [r.name for r in c.Column("A", False).rules] == ["control_character"]  # free text
    assert [(r.name, r.column) for r in c.DISRUPTIONS.column("recording_organisation").rules] == [
        ("required", "recording_organisation"),
        ("organisation", "recording_organisation"),
    ]
    assert c.DISRUPTIONS.id_column == "disruption_id" and c.THREATS.id_column == "threat_id"


def test_every_rule_the_contract_declares_has_a_code_and_every_code_a_rule():
    names = {r.name for kind in KINDS for r in (*kind.column_rules, *kind.all_record_rules)}
    assert names == set(RULES) - {"row_shape"}  # row_shape is the reader's, not a cell's


def test_a_rule_tests_its_cells_once_blank_cells_failing_required_only():
    values = pd.Series(["Pursue", "PU", None], dtype="str")
    allowed = c.DISRUPTIONS.column("strand").rules
    assert [list(r.passes(values)) for r in allowed] == [[True, True, False], [True, False, True]]
    dates = pd.Series([pd.Timestamp("2022-06-01"), pd.NaT, pd.NaT])
    (parses,) = c.THREATS.column("closed_date").rules
    assert list(parses.passes(dates, pd.Series(["01/06/2022", "soon", None], dtype="str"))) == [True, False, True]


# --- a rule added to a column reaches the schema, the validation and the whole-column guard ----------------------


def _with_threat_areas() -> c.ExportKind:
    """The disruptions export, had the contract closed Threat Area to its list."""
    columns = tuple(
        dataclasses.replace(col, values=c.THREAT_AREAS) if col.key == "threat_area" else col
        for col in c.DISRUPTIONS.columns
    )
    return dataclasses.replace(c.DISRUPTIONS, columns=columns)


AREA = D_HEADER.index("Threat Area")


def _file(tmp_path, records) -> str:
    path = tmp_path / "d.csv"
    path.write_text(csv_text([D_HEADER, *records]), encoding="utf-8")
    return str(path)


def test_a_rule_added_to_a_column_reaches_the_schema():
    kind = _with_threat_areas()
    assert ("allowed", "threat_area") in _checks(build_schema(kind))
    assert ("allowed", "threat_area") not in _checks(build_schema(c.DISRUPTIONS))


def test_a_rule_added_to_a_column_reaches_the_validation(tmp_path):
    records = [list(r) for r in D_RECORDS]
    assert all(r[AREA] in c.THREAT_AREAS or not r[AREA] for r in records)  # the sample keeps the added rule
    records[2][AREA] = "Narcotics"
    path = _file(tmp_path, records)
    assert validate(read_export(path, c.DISRUPTIONS)).issues == []
    issues = validate(read_export(path, _with_threat_areas())).issues
    assert [(i.row, i.column, i.code, i.value) for i in issues] == [(4, "Threat Area", "V-VOCAB", "Narcotics")]
    assert issues[0].message.startswith("'Narcotics' is not an allowed Threat Area")


def test_a_kind_of_its_own_is_validated_by_its_own_rules_in_a_forked_process(tmp_path):
    """A process made ready before the read is given the exports pickled: the contract's own kinds travel by
    their key, and another kind under the same key goes to a process forked then, not back as the contract's."""
    import copy
    import pickle

    from disruption_qa.parallel import Pool
    from disruption_qa.validation import _prepare

    kind = _with_threat_areas()
    assert copy.copy(kind) is kind and copy.deepcopy(kind) is kind
    with pytest.raises(TypeError, match="contract's own"):
        pickle.dumps(kind)
    records = [list(r) for r in D_RECORDS]
    records[2][AREA] = "Narcotics"
    path = _file(tmp_path, records)
    pool = Pool(workers=2)
    issues = validate(read_export(path, kind), pool=pool, ready=pool.ready(_prepare)).issues
    assert [(i.row, i.code, i.value) for i in issues] == [(4, "V-VOCAB", "Narcotics")]


def test_a_rule_added_to_a_column_reaches_the_whole_column_guard(tmp_path):
    records = []
    for i in range(1200):
        row = list(D_RECORDS[i % len(D_RECORDS)])
        row[0], row[AREA] = f"D{i:06d}", "Narcotics"
        records.append(row)
    path = _file(tmp_path, records)
    validate(read_export(path, c.DISRUPTIONS))  # no rule on Threat Area: nothing to refuse
    with pytest.raises(InputError, match="Threat Area \\(column L\\) is not on the contract's list on 1,200 of 1,200"):
        validate(read_export(path, _with_threat_areas()))


def test_a_kind_has_one_schema_per_process():
    assert schema_for(c.DISRUPTIONS) is schema_for(c.DISRUPTIONS)
    assert schema_for(_with_threat_areas()) is not schema_for(c.DISRUPTIONS)
    assert read_export(DISRUPTIONS_VALID).kind is c.DISRUPTIONS


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.one_of(st.none(), st.sampled_from(["D1", "D2", "D3", "D10", "d2", "E"])), max_size=12), st.booleans()
)
def test_a_unique_id_is_found_the_same_whether_the_ids_are_in_order_or_not(ids, in_order):
    """The unique-ID rule compares neighbours when the IDs are in order and hashes them otherwise: either way,
    an ID passes when no other record uses it, and a blank one passes (it is reported as required)."""
    if in_order:  # in order among the IDs given, blanks left where they fell
        given_ids = iter(sorted(i for i in ids if i is not None))
        ids = [None if i is None else next(given_ids) for i in ids]
    values = pd.Series(ids, dtype="str", index=range(5, 5 + len(ids)))
    rule = c.Column("Disruption ID", True, unique=True).rules[1]
    expected = [i is None or ids.count(i) == 1 for i in ids]
    passes = rule.passes(values)
    assert passes.tolist() == expected
    assert passes.index.equals(values.index)
