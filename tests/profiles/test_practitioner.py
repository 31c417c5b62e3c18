"""ilp-practitioner: one invalid example per rule."""

from __future__ import annotations

import pytest

from profiles.validator import Validator
from tests.profiles.helpers import DROP, Case, case, check

PROFILE = "ilp-practitioner"
BIDAN = "valid-bidan.json"  # identifier[0] nakes IHS number, identifier[1] NIK
NIK = "https://fhir.kemkes.go.id/id/nik"

DEFAULT_EXAMPLE = BIDAN

CASES: list[Case] = [
    case(
        "Practitioner.identifier:min",
        {"identifier": DROP},
        ("ILP-4101", "Practitioner.identifier", None),
        ("ILP-4105", "Practitioner.identifier", None),
    ),
    case(
        "Practitioner.identifier:nik:min",
        {"identifier[1].system": "https://fhir.kemkes.go.id/id/passport"},
        ("ILP-4105", "Practitioner.identifier", None),
    ),
    case(
        "Practitioner.identifier:nik:max",
        {"identifier[+]": {"system": NIK, "value": "3507015507850009"}},
        ("ILP-4105", "Practitioner.identifier[2]", None),
    ),
    case(
        "Practitioner.identifier:nik.value:min",
        {"identifier[1].value": DROP},
        ("ILP-4101", "Practitioner.identifier[1].value", None),
    ),
    case("Practitioner.name:min", {"name": DROP}, ("ILP-4101", "Practitioner.name", None)),
    case("ilp-pra-1", {"birthDate": "1985-07-16"}, ("ILP-4313", "Practitioner.identifier[1].value", None)),
]


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.id)
def test_invalid(validator: Validator, c: Case) -> None:
    check(validator, PROFILE, c, BIDAN)


@pytest.mark.parametrize(
    "edits",
    [
        {"identifier[1].value": "350701550785000"},  # 15 digits
        {"identifier[1].value": "9907015507850009"},  # no such district
        {"gender": "male"},  # day + 40 is a woman's NIK
    ],
    ids=["length", "district", "gender"],
)
def test_nik_rule_variants(validator: Validator, edits: dict[str, str]) -> None:
    check(
        validator,
        PROFILE,
        case("ilp-pra-1", edits, ("ILP-4313", "Practitioner.identifier[1].value", None)),
        BIDAN,
    )
