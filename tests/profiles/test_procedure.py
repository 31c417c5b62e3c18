"""ilp-procedure: one invalid example per rule."""

from __future__ import annotations

import pytest

from profiles.validator import Validator
from tests.profiles.helpers import DROP, Case, case, check

PROFILE = "ilp-procedure"
IUD = "valid-pemasangan-iud.json"
ICD9CM = "http://hl7.org/fhir/sid/icd-9-cm"
KPTL_ONLY = {"coding": [{"system": "http://terminology.kemkes.go.id/CodeSystem/kptl", "code": "KB-IUD"}]}

DEFAULT_EXAMPLE = IUD

CASES: list[Case] = [
    case(
        "Procedure.status:min",
        {"status": DROP},
        ("ILP-4101", "Procedure.status", None),
        ("ILP-4001", "Procedure.status", None),
    ),
    case("Procedure.code:min", {"code": DROP}, ("ILP-4101", "Procedure.code", None)),
    case(
        "Procedure.code.coding:min",
        {"code": {"text": "Pemasangan IUD"}},
        ("ILP-4101", "Procedure.code.coding", None),
        ("ILP-4105", "Procedure.code.coding", None),
    ),
    case(
        "Procedure.code.coding:icd9cm:min", {"code": KPTL_ONLY}, ("ILP-4105", "Procedure.code.coding", None)
    ),
    case(
        "Procedure.code.coding:icd9cm:max",
        {"code.coding[+]": {"system": ICD9CM, "code": "69.71"}},
        ("ILP-4105", "Procedure.code.coding[1]", None),
    ),
    case(
        "Procedure.code.coding:icd9cm.code:min",
        {"code.coding[0].code": DROP},
        ("ILP-4101", "Procedure.code.coding[0].code", None),
    ),
    # Procedure.subject is 1..1 in R4 and required by the schema: the structure stage reports it too
    case(
        "Procedure.subject:min",
        {"subject": DROP},
        ("ILP-4001", "Procedure.subject", None),
        ("ILP-4101", "Procedure.subject", 10127),
    ),
    case(
        "Procedure.subject:target",
        {"subject.reference": "Group/b5a1c2d3-e4f5-4a6b-8c7d-8e9f0a1b2c3d"},
        ("ILP-4108", "Procedure.subject.reference", 10127),
    ),
    case("Procedure.encounter:min", {"encounter": DROP}, ("ILP-4101", "Procedure.encounter", 10128)),
    case(
        "Procedure.encounter:target",
        {"encounter.reference": "EpisodeOfCare/1a2b3c4d"},
        ("ILP-4108", "Procedure.encounter.reference", 10128),
    ),
    case("Procedure.performer:min", {"performer": DROP}, ("ILP-4101", "Procedure.performer", 10399)),
    case(
        "Procedure.performer.actor:target",
        {"performer[0].actor.reference": "Organization/100000001"},
        ("ILP-4108", "Procedure.performer[0].actor.reference", 10399),
    ),
    case(
        "ilp-pro-1",
        {"performedPeriod.start": "2025-04-02T11:00:00+08:00"},
        ("ILP-4321", "Procedure.performedPeriod.start", None),
    ),
]


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.id)
def test_invalid(validator: Validator, c: Case) -> None:
    check(validator, PROFILE, c, IUD)
