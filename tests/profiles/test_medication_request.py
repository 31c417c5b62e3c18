"""ilp-medication-request: one invalid example per rule."""

from __future__ import annotations

import pytest

from profiles.validator import Validator
from tests.profiles.helpers import DROP, Case, case, check

PROFILE = "ilp-medication-request"
KFA_CODED = "valid-kfa-tablet.json"
BY_REFERENCE = "valid-medication-reference.json"
KFA = "http://sys-ids.kemkes.go.id/kfa"
M = "MedicationRequest.medicationCodeableConcept.coding"

DEFAULT_EXAMPLE = KFA_CODED

CASES: list[Case] = [
    case(
        "MedicationRequest.status:min",
        {"status": DROP},
        ("ILP-4101", "MedicationRequest.status", None),
        ("ILP-4001", "MedicationRequest.status", None),
    ),
    case(
        "MedicationRequest.intent:min",
        {"intent": DROP},
        ("ILP-4101", "MedicationRequest.intent", None),
        ("ILP-4001", "MedicationRequest.intent", None),
    ),
    case(
        "MedicationRequest.medication[x]:min",
        {"medicationCodeableConcept": DROP},
        ("ILP-4101", "MedicationRequest.medication[x]", None),
        ("ILP-4001", "MedicationRequest.medication", None),
    ),
    case(
        "MedicationRequest.medication[x]:target",
        {"medicationReference.reference": "Substance/2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e"},
        ("ILP-4108", "MedicationRequest.medicationReference.reference", None),
        example=BY_REFERENCE,
    ),
    case(
        "MedicationRequest.medicationCodeableConcept.coding:min",
        {"medicationCodeableConcept": {"text": "Amlodipin 5 mg"}},
        ("ILP-4101", M, None),
        ("ILP-4105", M, None),
    ),
    case(
        "MedicationRequest.medicationCodeableConcept.coding:kfa:min",
        {
            "medicationCodeableConcept.coding[0].system": "http://snomed.info/sct",
            "medicationCodeableConcept.coding[0].code": "108537001",
        },
        ("ILP-4105", M, None),
    ),
    case(
        "MedicationRequest.medicationCodeableConcept.coding:kfa:max",
        {"medicationCodeableConcept.coding[+]": {"system": KFA, "code": "92000390"}},
        ("ILP-4105", f"{M}[1]", None),
    ),
    case(
        "MedicationRequest.medicationCodeableConcept.coding:kfa.code:min",
        {"medicationCodeableConcept.coding[0].code": DROP},
        ("ILP-4101", f"{M}[0].code", None),
    ),
    case(
        "MedicationRequest.subject:target",
        {"subject.reference": "Group/b5a1c2d3-e4f5-4a6b-8c7d-8e9f0a1b2c3d"},
        ("ILP-4108", "MedicationRequest.subject.reference", None),
    ),
    case(
        "MedicationRequest.encounter:min",
        {"encounter": DROP},
        ("ILP-4101", "MedicationRequest.encounter", None),
    ),
    case(
        "MedicationRequest.encounter:target",
        {"encounter.reference": "EpisodeOfCare/1a2b3c4d"},
        ("ILP-4108", "MedicationRequest.encounter.reference", None),
    ),
    case(
        "MedicationRequest.authoredOn:min",
        {"authoredOn": DROP},
        ("ILP-4101", "MedicationRequest.authoredOn", None),
    ),
    case(
        "ilp-mr-1",
        {"authoredOn": "2025-03-13T08:28:00+07:00"},
        ("ILP-4321", "MedicationRequest.authoredOn", None),
    ),
    case(
        "MedicationRequest.requester:min",
        {"requester": DROP},
        ("ILP-4101", "MedicationRequest.requester", None),
    ),
    case(
        "MedicationRequest.requester:target",
        {"requester.reference": "Organization/100000001"},
        ("ILP-4108", "MedicationRequest.requester.reference", None),
    ),
    case(
        "MedicationRequest.dosageInstruction:min",
        {"dosageInstruction": DROP},
        ("ILP-4101", "MedicationRequest.dosageInstruction", None),
    ),
]


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.id)
def test_invalid(validator: Validator, c: Case) -> None:
    check(validator, PROFILE, c, KFA_CODED)
