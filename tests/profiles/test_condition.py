"""ilp-condition: one invalid example per rule."""

from __future__ import annotations

import pytest

from profiles.validator import Validator
from tests.profiles.helpers import DROP, Case, case, check

PROFILE = "ilp-condition"
HT = "valid-hipertensi.json"
ICD10 = "http://hl7.org/fhir/sid/icd-10"
SNOMED_ONLY = {
    "coding": [{"system": "http://snomed.info/sct", "code": "38341003", "display": "Hypertensive disorder"}]
}

DEFAULT_EXAMPLE = HT

CASES: list[Case] = [
    case(
        "Condition.clinicalStatus:min",
        {"clinicalStatus": DROP},
        ("ILP-4101", "Condition.clinicalStatus", None),
    ),
    case("Condition.category:min", {"category": DROP}, ("ILP-4101", "Condition.category", None)),
    case("Condition.code:min", {"code": DROP}, ("ILP-4101", "Condition.code", None)),
    case(
        "Condition.code.coding:min",
        {"code": {"text": "Hipertensi"}},
        ("ILP-4101", "Condition.code.coding", None),
        ("ILP-4105", "Condition.code.coding", None),
    ),
    case(
        "Condition.code.coding:icd10:min", {"code": SNOMED_ONLY}, ("ILP-4105", "Condition.code.coding", None)
    ),
    case(
        "Condition.code.coding:icd10:max",
        {"code.coding[+]": {"system": ICD10, "code": "I11.9"}},
        ("ILP-4105", "Condition.code.coding[1]", None),
    ),
    case(
        "Condition.code.coding:icd10.code:min",
        {"code.coding[0].code": DROP},
        ("ILP-4101", "Condition.code.coding[0].code", None),
    ),
    # Condition.subject is 1..1 in R4 and required by the schema: the structure stage reports it too
    case(
        "Condition.subject:min",
        {"subject": DROP},
        ("ILP-4001", "Condition.subject", None),
        ("ILP-4101", "Condition.subject", 10125),
    ),
    case(
        "Condition.subject:target",
        {"subject.reference": "Group/b5a1c2d3-e4f5-4a6b-8c7d-8e9f0a1b2c3d"},
        ("ILP-4108", "Condition.subject.reference", 10125),
    ),
    case("Condition.encounter:min", {"encounter": DROP}, ("ILP-4101", "Condition.encounter", 10126)),
    case(
        "Condition.encounter:target",
        {"encounter.reference": "EpisodeOfCare/1a2b3c4d"},
        ("ILP-4108", "Condition.encounter.reference", 10126),
    ),
    case(
        "Condition.recorder:target",
        {"recorder.reference": "Patient/P02478375538"},
        ("ILP-4108", "Condition.recorder.reference", 10678),
    ),
    case(
        "ilp-con-1",
        {"onsetDateTime": "2025-03-13T08:20:00+07:00"},
        ("ILP-4321", "Condition.onsetDateTime", None),
    ),
    case(
        "ilp-con-2",
        {"recordedDate": "2025-03-13T08:25:00+07:00"},
        ("ILP-4321", "Condition.recordedDate", None),
    ),
]


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.id)
def test_invalid(validator: Validator, c: Case) -> None:
    check(validator, PROFILE, c, HT)
