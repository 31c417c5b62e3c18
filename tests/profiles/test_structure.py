"""The structure stage (profiles/structure.py): the shape rules are reported once, by the Python check with
their own message ids (the schema copy of them only makes ``is_valid`` fail), and a Bundle entry's
resource is validated whatever it holds."""

from __future__ import annotations

import pytest

from profiles.definitions import R4Definitions
from profiles.structure import StructureValidator


@pytest.fixture(scope="module")
def structure() -> StructureValidator:
    return StructureValidator(R4Definitions.load())


def _issues(structure: StructureValidator, resource: object) -> list[tuple[str, tuple[str, ...], str]]:
    return [(i.message_id, i.expression, i.diagnostics) for i in structure.validate(resource)]


def test_two_choice_variants_are_one_issue(structure: StructureValidator) -> None:
    obs = {"resourceType": "Observation", "status": "final", "code": {"text": "x"}}
    assert _issues(structure, {**obs, "valueString": "a"}) == []
    assert _issues(structure, {**obs, "valueString": "a", "valueQuantity": {"value": 1}}) == [
        (
            "ILP-4002",
            ("Observation.valueQuantity",),
            "Observation: only one of value[x] may be present, found valueString, valueQuantity",
        )
    ]


def test_an_r5_array_is_one_issue(structure: StructureValidator) -> None:
    enc = {"resourceType": "Encounter", "status": "finished", "class": [{"code": "AMB"}]}
    assert _issues(structure, enc) == [
        (
            "ILP-4003",
            ("Encounter.class",),
            "Encounter.class is a single value in FHIR R4, not an array (an R5 shape?)",
        )
    ]


def test_bundle_entries_are_validated_in_place(structure: StructureValidator) -> None:
    """A valid entry costs nothing; an invalid, null or nested one is reported at its entry."""
    good = {"resourceType": "Patient", "gender": "female"}
    bad = {"resourceType": "Patient", "gender": "perempuan"}
    bundle = {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [{"resource": good}, {"resource": bad}, {"resource": None}],
    }
    found = _issues(structure, bundle)
    assert [(m, e) for m, e, _ in found] == [
        ("ILP-4001", ("Bundle.entry[2].resource",)),  # the Bundle's schema: null is not an object
        ("ILP-4001", ("Bundle.entry[1].resource.gender",)),
        ("ILP-4001", ("Bundle.entry[2].resource",)),  # and the entry itself is not a resource
    ]
