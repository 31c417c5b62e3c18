"""The bindings the profiles declare, wired through a fake :class:`profiles.engine.Bindings`.

The other profile tests run without bindings. Here a fake terminology that knows exactly the value sets the
profiles bind (with a few codes each) shows each binding's strength and path: required → ILP-4201 (error),
extensible → ILP-4202 (warning), and an unknown value set → ILP-4203 (warning).

Still to come with the real terminology adapter (the lead wires it): the same cases against the real value
sets, in particular the ones the terminology service has to provide first: the gateway's all-codes value sets
``…/fhir/ValueSet/icd-10`` and ``…/fhir/ValueSet/icd-9-cm`` over the vendored tables, and the Kemkes
``http://terminology.kemkes.go.id/ValueSet/immunization-reason`` / ``immunization-routine-timing``.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from profiles import engine
from profiles.definitions import R4Definitions
from profiles.engine import MemoBindings, _codes
from profiles.validator import Validator
from tests.profiles.conftest import NOW, FakeServices
from tests.profiles.helpers import EXAMPLES, SD_BASE, Case, case, edit, example

HL7 = "http://hl7.org/fhir/ValueSet/"
LOCAL = "https://ilp-gateway.example.id/fhir/ValueSet/"
KEMKES = "http://terminology.kemkes.go.id/ValueSet/"
TERMINOLOGY = "http://terminology.hl7.org/CodeSystem/"
VALUE_SETS: dict[str, tuple[str, frozenset[str]]] = {
    HL7 + "organization-type": (
        TERMINOLOGY + "organization-type",
        frozenset({"prov", "dept", "govt", "other"}),
    ),
    HL7 + "location-physical-type": (
        TERMINOLOGY + "location-physical-type",
        frozenset({"bu", "ro", "wi", "area"}),
    ),
    "http://terminology.hl7.org/ValueSet/v3-ActEncounterCode": (
        TERMINOLOGY + "v3-ActCode",
        frozenset({"AMB", "EMER", "HH", "IMP", "VR", "FLD"}),
    ),
    HL7 + "encounter-participant-type": (
        TERMINOLOGY + "v3-ParticipationType",
        frozenset({"ATND", "CON", "PPRF"}),
    ),
    HL7 + "condition-category": (
        TERMINOLOGY + "condition-category",
        frozenset({"encounter-diagnosis", "problem-list-item"}),
    ),
    LOCAL + "icd-10": ("http://hl7.org/fhir/sid/icd-10", frozenset({"I10", "E45", "Z30.1"})),
    LOCAL + "icd-9-cm": ("http://hl7.org/fhir/sid/icd-9-cm", frozenset({"69.7", "86.59"})),
    HL7 + "immunization-origin": (
        TERMINOLOGY + "immunization-origin",
        frozenset({"provider", "record", "recall", "school"}),
    ),
    HL7 + "immunization-function": (TERMINOLOGY + "v2-0443", frozenset({"OP", "AP"})),
    KEMKES + "immunization-reason": (
        "http://terminology.kemkes.go.id/CodeSystem/immunization-reason",
        frozenset({"IM-Program", "IM-Rutin", "IM-Dasar", "IM-Lanjutan", "IM-Tambahan", "IM-Pilihan"}),
    ),
    KEMKES + "immunization-routine-timing": (
        "http://terminology.kemkes.go.id/CodeSystem/immunization-routine-timing",
        frozenset({"IM-Ideal", "IM-Kejar"}),
    ),
}


class FakeBindings:
    def __init__(self, value_sets: dict[str, tuple[str, frozenset[str]]]) -> None:
        self.value_sets = value_sets

    def knows_valueset(self, url: str) -> bool:
        return url in self.value_sets

    def in_valueset(self, url: str, system: str | None, code: str) -> bool:
        vs_system, codes = self.value_sets[url]
        return system in (None, vs_system) and code in codes


@pytest.fixture(scope="module")
def bound(definitions: R4Definitions) -> Validator:
    return Validator(
        definitions, bindings=FakeBindings(VALUE_SETS), services=FakeServices(), clock=lambda: NOW
    )


def declared_bindings() -> set[tuple[str, str, str]]:
    from profiles.validator import load_structure_definitions

    return {
        (e["id"], e["binding"]["strength"], e["binding"]["valueSet"])
        for sd in load_structure_definitions()
        for e in sd["differential"]["element"]
        if "binding" in e
    }


def test_declared_bindings() -> None:
    """The bindings the profiles declare; a change here is deliberate (and needs its case below)."""
    assert declared_bindings() == {
        ("Organization.type", "extensible", HL7 + "organization-type"),
        ("Location.physicalType", "extensible", HL7 + "location-physical-type"),
        ("Encounter.class", "extensible", "http://terminology.hl7.org/ValueSet/v3-ActEncounterCode"),
        ("Encounter.participant.type", "extensible", HL7 + "encounter-participant-type"),
        ("Condition.category", "required", HL7 + "condition-category"),
        ("Condition.code.coding:icd10", "required", LOCAL + "icd-10"),
        ("Procedure.code.coding:icd9cm", "required", LOCAL + "icd-9-cm"),
        ("Immunization.reportOrigin", "extensible", HL7 + "immunization-origin"),
        ("Immunization.performer.function", "extensible", HL7 + "immunization-function"),
        ("Immunization.reasonCode.coding:reason", "required", KEMKES + "immunization-reason"),
        ("Immunization.reasonCode.coding:routineTiming", "required", KEMKES + "immunization-routine-timing"),
    }
    assert {vs for _, _, vs in declared_bindings()} == set(VALUE_SETS)


def _issues(
    validator: Validator, profile: str, name: str, edits: tuple[tuple[str, Any], ...] = ()
) -> list[tuple[str, ...]]:
    doc = example(profile, name)
    for path, value in edits:
        edit(doc, path, value)
    result = validator.validate(doc, profiles=[SD_BASE + profile])
    return sorted(
        (i.severity, i.message_id, i.expression[0] if i.expression else "")
        for i in result.issues
        if i.severity in ("error", "warning")
    )


VALID = sorted(EXAMPLES.glob("*/valid-*.json"))


@pytest.mark.parametrize("path", VALID, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_valid_examples_are_in_the_bound_value_sets(bound: Validator, path: Any) -> None:
    assert _issues(bound, path.parent.name, path.name) == []


BINDING_CASES: list[Case] = [
    case(
        "Organization.type:binding",
        {"type[0].coding[0].code": "puskesmas"},
        ("warning", "ILP-4202", "Organization.type[0]"),
        profile="ilp-organization",
        example="valid-puskesmas.json",
    ),
    case(
        "Location.physicalType:binding",
        {"physicalType.coding[0].code": "gedung"},
        ("warning", "ILP-4202", "Location.physicalType"),
        profile="ilp-location",
        example="valid-posyandu.json",
    ),
    case(
        "Encounter.class:binding",
        {"class.code": "POSYANDU"},
        ("warning", "ILP-4202", "Encounter.class"),
        profile="ilp-encounter",
        example="valid-posyandu-finished.json",
    ),
    case(
        "Encounter.participant.type:binding",
        {"participant[0].type[0].coding[0].code": "KADER"},
        ("warning", "ILP-4202", "Encounter.participant[0].type[0]"),
        profile="ilp-encounter",
        example="valid-posyandu-finished.json",
    ),
    case(
        "Condition.category:binding",
        {"category[0].coding[0].code": "health-concern"},
        ("error", "ILP-4201", "Condition.category[0]"),
        profile="ilp-condition",
        example="valid-hipertensi.json",
    ),
    case(
        "Condition.code.coding:icd10:binding",
        {"code.coding[0].code": "I10.9"},
        ("error", "ILP-4201", "Condition.code.coding[0]"),
        profile="ilp-condition",
        example="valid-hipertensi.json",
    ),
    case(
        "Procedure.code.coding:icd9cm:binding",
        {"code.coding[0].code": "69.79.1"},
        ("error", "ILP-4201", "Procedure.code.coding[0]"),
        profile="ilp-procedure",
        example="valid-pemasangan-iud.json",
    ),
    case(
        "Immunization.reportOrigin:binding",
        {"reportOrigin": {"coding": [{"system": TERMINOLOGY + "immunization-origin", "code": "petugas"}]}},
        ("warning", "ILP-4202", "Immunization.reportOrigin"),
        profile="ilp-immunization",
        example="valid-pentabio-diberikan.json",
    ),
    case(
        "Immunization.performer.function:binding",
        {"performer[0].function.coding[0].code": "VAKSINATOR"},
        ("warning", "ILP-4202", "Immunization.performer[0].function"),
        profile="ilp-immunization",
        example="valid-pentabio-diberikan.json",
    ),
    case(
        "Immunization.reasonCode.coding:reason:binding",
        {"reasonCode[0].coding[0].code": "IM-Rutinan"},
        ("error", "ILP-4201", "Immunization.reasonCode[0].coding[0]"),
        profile="ilp-immunization",
        example="valid-pentabio-diberikan.json",
    ),
    case(
        "Immunization.reasonCode.coding:routineTiming:binding",
        {"reasonCode[0].coding[1].code": "IM-Terlambat"},
        ("error", "ILP-4201", "Immunization.reasonCode[0].coding[1]"),
        profile="ilp-immunization",
        example="valid-pentabio-diberikan.json",
    ),
]


@pytest.mark.parametrize("c", BINDING_CASES, ids=lambda c: c.id)
def test_binding(bound: Validator, c: Case) -> None:
    assert _issues(bound, c.profile, c.example, c.edits) == sorted(c.expect)


def test_unknown_value_set_is_a_warning_until_terminology_provides_it(definitions: R4Definitions) -> None:
    without_icd10 = {k: v for k, v in VALUE_SETS.items() if k != LOCAL + "icd-10"}
    validator = Validator(
        definitions, bindings=FakeBindings(without_icd10), services=FakeServices(), clock=lambda: NOW
    )
    assert _issues(validator, "ilp-condition", "valid-hipertensi.json") == [
        ("warning", "ILP-4203", "Condition.code.coding[0]")
    ]


CODES = st.sampled_from(["AMB", "ATND", "IM-Dasar", "IM-Ideal", "zzz", ""])
SYSTEMS = st.one_of(
    st.none(),
    st.sampled_from([v[0] for v in VALUE_SETS.values()] + ["http://example.org/other"]),
    st.integers(),
)
CODING = st.one_of(
    st.fixed_dictionaries({}, optional={"system": SYSTEMS, "code": st.one_of(CODES, st.integers())}),
    st.integers(),
)
CODED = st.one_of(
    CODES,
    st.integers(),
    st.fixed_dictionaries({}, optional={"coding": st.one_of(st.lists(CODING, max_size=4), CODING)}),
    st.fixed_dictionaries({}, optional={"system": SYSTEMS, "code": CODES, "coding": st.just([])}),
)


@given(st.sampled_from(sorted(VALUE_SETS)), CODED)
def test_bound_is_certain(url: str, value: Any) -> None:
    """Generated code skips the binding check when :func:`profiles.engine.bound` says so: it may only say so
    when a code the check reads (:func:`profiles.engine._codes`) is in the value set, and it says so for a
    plain coded value with a member code."""
    fake = FakeBindings(VALUE_SETS)
    members = MemoBindings(fake).members(url)
    member = any(fake.in_valueset(url, system, code) for system, code in _codes(value))
    assert not engine.bound(members, value) or member
    if isinstance(value, dict) and isinstance(value.get("coding"), list) and member:
        assert engine.bound(members, value)
