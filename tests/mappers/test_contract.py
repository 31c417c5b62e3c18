"""The contracts: jsonschema-rs (what runs) agrees with Python ``jsonschema`` (the reference), errors name
the record's own field paths and message ids, and formats are asserted."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import jsonschema
import jsonschema_rs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mappers.contract import (
    LOCAL_DATE_TIME,
    Contract,
    field_path,
    format_checkers,
    format_paths,
    is_date_or_local_date_time,
    load_schema,
    record_types,
)
from tests.mappers.conftest import balita_record

GOLDEN = Path(__file__).parent / "golden"

BROKEN: list[dict[str, Any]] = [
    balita_record(),
    balita_record(nik=None, birth_order=0),
    balita_record(nik=None),
    balita_record(visit_date="2024-02-30"),
    balita_record(visit_date="2024-03-12T25:00"),
    balita_record(visit_date="2024-03-12T09:10:00+07:00"),
    balita_record(birth_date="12-05-2022"),
    balita_record(weight_kg="10,9"),
    balita_record(weight_kg=0),
    balita_record(height_cm=300),
    balita_record(sex="X"),
    balita_record(measure_position="duduk"),
    balita_record(immunizations=[{"vaccine": "BCG", "dose": 0}]),
    balita_record(immunizations=[{"vaccine": "93005779", "dose": 1, "lot_number": "A", "expiry_date": "x"}]),
    balita_record(unknown_field=1),
    balita_record(desa_code="31.71.01.1001"),
    balita_record(officer_nik="317101410185000"),
    balita_record(record_id=""),
    balita_record(exclusive_breastfeeding="ya"),
]


@pytest.fixture(scope="module")
def contract() -> Contract:
    return Contract.load("posyandu-balita")


def reference_paths(schema: dict[str, Any], record: dict[str, Any]) -> set[str]:
    """Error locations by Python jsonschema, in the same field-path form."""
    checker = jsonschema.FormatChecker()
    for name, fn in format_checkers().items():
        checker.checks(name)(fn)
    validator = jsonschema.Draft202012Validator(schema, format_checker=checker)
    out: set[str] = set()
    for err in validator.iter_errors(record):
        parts = list(err.absolute_path)
        if err.validator == "required":
            parts.append(err.message.split("'")[1])
        if err.validator not in ("unevaluatedProperties", "anyOf"):
            out.add(field_path(parts))
    return out


def test_every_contract_is_a_valid_2020_12_schema() -> None:
    assert "posyandu-balita" in record_types()
    for rtype in record_types():
        jsonschema.Draft202012Validator.check_schema(load_schema(rtype))


@pytest.mark.parametrize("record", BROKEN)
def test_jsonschema_rs_agrees_with_the_python_reference(contract: Contract, record: dict[str, Any]) -> None:
    ours = contract.check(record, 7)
    checker = jsonschema.FormatChecker()
    for name, fn in format_checkers().items():
        checker.checks(name)(fn)
    reference = jsonschema.Draft202012Validator(contract.schema, format_checker=checker)
    assert (not ours) == reference.is_valid(record)
    assert {i.field for i in ours if i.message_id not in ("ILP-6006", "ILP-6007")} == reference_paths(
        contract.schema, record
    )
    assert all(i.row == 7 and i.severity == "error" for i in ours)


def issues(contract: Contract, record: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(i.field, i.message_id, i.message) for i in contract.check(record, 1)]


def test_errors_name_the_field_path_and_message_id(contract: Contract) -> None:
    record = balita_record(
        immunizations=[
            {"vaccine": "93005779", "dose": 1, "lot_number": "A", "expiry_date": "2025-01-01"},
            {"vaccine": "BCG", "dose": 1, "lot_number": "A"},
        ],
        weight_kg="berat",
        sex="X",
    )
    assert issues(contract, record) == [
        ("immunizations[1].expiry_date", "ILP-6001", "required field is missing"),
        ("immunizations[1].vaccine", "ILP-6004", "does not have the expected form (pattern ^93[0-9]{6}$)"),
        ("sex", "ILP-6004", '"X" is not one of L, P'),
        ("weight_kg", "ILP-6002", "must be of type number, not string"),
    ]


def test_a_nik_is_never_echoed(contract: Contract) -> None:
    found = contract.check(balita_record(nik="31710152052200019"), 1)
    assert [i.field for i in found] == ["nik"]
    assert "31710152052200019" not in found[0].message


def test_formats_are_asserted(contract: Contract) -> None:
    assert issues(contract, balita_record(visit_date="2024-02-30")) == [
        ("visit_date", "ILP-6003", '"2024-02-30" is not a valid date-or-local-date-time')
    ]
    assert issues(contract, balita_record(birth_date="2022-13-01"))[0][:2] == ("birth_date", "ILP-6003")
    assert is_date_or_local_date_time("2024-03-12")
    assert is_date_or_local_date_time("2024-03-12T09:10")
    assert is_date_or_local_date_time("2024-03-12T09:10:05+08:00")
    assert not is_date_or_local_date_time("2024-03-12 09:10")
    assert not is_date_or_local_date_time("2024-02-29T24:00")


def test_identity_alternatives_get_one_clear_message(contract: Contract) -> None:
    assert issues(contract, balita_record(nik=None)) == [
        ("", "ILP-6007", "needs nik, or mother_nik with birth_order (a baby without a NIK of its own)")
    ]
    assert contract.check(balita_record(nik=None, birth_order=0), 1) == []


def test_unknown_fields_are_reported_not_ignored(contract: Contract) -> None:
    assert issues(contract, balita_record(wieght_kg=10)) == [
        ("wieght_kg", "ILP-6006", "unknown field wieght_kg (not in the contract)")
    ]
    # a failing shared field does not make its siblings look unknown
    assert [i[0] for i in issues(contract, balita_record(officer_nik="1"))] == ["officer_nik"]


def test_field_types_follow_refs_and_items(contract: Contract) -> None:
    assert contract.field_types(["weight_kg"]) == {"number"}
    assert contract.field_types(["birth_order"]) == {"integer"}
    assert contract.field_types(["immunizations"]) == {"array"}
    assert contract.field_types(["immunizations", 3, "dose"]) == {"integer"}
    assert contract.field_types(["development_ok"]) == {"boolean"}
    assert contract.field_types(["no_such_field"]) == frozenset()
    assert "record_id" in contract.property_names([])


def test_field_path() -> None:
    assert field_path(["immunizations", 1, "vaccine"]) == "immunizations[1].vaccine"
    assert field_path(["tb_symptoms", "fever"]) == "tb_symptoms.fever"
    assert field_path([]) == ""


def test_format_paths_follow_applicators_and_refuse_what_they_cannot_place() -> None:
    fmt = {"type": "string", "format": LOCAL_DATE_TIME}
    schema = {
        "allOf": [{"$ref": "#/$defs/visit"}],
        "properties": {"items": {"items": {"properties": {"at": {"$ref": "#/$defs/t"}}}}},
        "$defs": {"visit": {"properties": {"visit_date": {"$ref": "#/$defs/t"}}}, "t": fmt},
    }
    assert format_paths(schema, LOCAL_DATE_TIME) == [("items", "*", "at"), ("visit_date",)]
    assert format_paths({"additionalProperties": fmt}, LOCAL_DATE_TIME) is None
    assert format_paths({"patternProperties": {"^t": fmt}}, LOCAL_DATE_TIME) is None
    assert format_paths({"properties": {"a": {"$ref": "other.json#/t"}}}, LOCAL_DATE_TIME) is None
    assert format_paths({"items": [fmt]}, LOCAL_DATE_TIME) is None
    tree = {
        "$ref": "#/$defs/node",
        "$defs": {"node": {"properties": {"kids": {"items": {"$ref": "#/$defs/node"}}}}},
    }
    assert format_paths(tree, LOCAL_DATE_TIME) is None  # recursive: no finite list of paths
    assert format_paths({"properties": {"a": {"$dynamicRef": "#t"}}}, LOCAL_DATE_TIME) is None
    assert format_paths({"additionalProperties": {"type": "string"}}, LOCAL_DATE_TIME) == []


TIMES = st.one_of(
    st.sampled_from(
        [
            "2024-03-12",
            "2024-02-30",
            "2024-03-12T09:10",
            "2024-03-12T25:00",
            "2024-03-12T09:10:05+08:00",
            "2024-03-12 09:10",
            "",
            "2023-02-29",
            "2024-02-29T23:59:59.5",
        ]
    ),
    st.text(max_size=20),
    st.integers(),
    st.none(),
)


@pytest.mark.parametrize("record_type", record_types())
@given(data=st.data())
def test_the_quick_check_agrees_with_the_full_validator(record_type: str, data: st.DataObject) -> None:
    """Contract.is_valid takes a validator without Python formats and checks the contract's own format
    itself; it answers as the validator with the format does, on the golden sources with any times."""
    contract = _contracts(record_type)
    assert contract._local_times  # the quick path is taken for every contract
    record = data.draw(st.sampled_from(_sources(record_type)))
    for path in contract._local_times:
        if data.draw(st.booleans()):
            value = data.draw(TIMES)
            record = {**record}
            if value is None:
                record.pop(path[0], None)
            else:
                record[path[0]] = value
    if data.draw(st.booleans()):
        record = {**record, "birth_date": data.draw(TIMES)}
    full = jsonschema_rs.Draft202012Validator(
        contract.schema, validate_formats=True, formats=format_checkers(), ignore_unknown_formats=False
    )
    assert contract.is_valid(record) == full.is_valid(record)
    assert (contract.check(record, 1) == []) == full.is_valid(record)


@functools.cache
def _contracts(record_type: str) -> Contract:
    return Contract.load(record_type)


@functools.cache
def _sources(record_type: str) -> list[dict[str, Any]]:
    out = []
    for path in sorted((GOLDEN / record_type).glob("*.source.json")):
        data = json.loads(path.read_text("utf-8"))
        out.extend(data if isinstance(data, list) else [data])
    return out
