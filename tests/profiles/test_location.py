"""ilp-location: one invalid example per rule."""

from __future__ import annotations

import pytest

from profiles.validator import Validator
from tests.profiles.helpers import DROP, Case, case, check, example

PROFILE = "ilp-location"
POSYANDU = "valid-posyandu.json"
ROOM = "valid-ruang-kia.json"
ADMIN_CODE = example(PROFILE, POSYANDU)["address"]["extension"][0]

DEFAULT_EXAMPLE = POSYANDU

CASES: list[Case] = [
    case("Location.identifier:min", {"identifier": DROP}, ("ILP-4101", "Location.identifier", 10447)),
    case("Location.status:min", {"status": DROP}, ("ILP-4101", "Location.status", None)),
    case("Location.name:min", {"name": DROP}, ("ILP-4101", "Location.name", None)),
    case("Location.physicalType:min", {"physicalType": DROP}, ("ILP-4101", "Location.physicalType", None)),
    case(
        "Location.address.extension:administrativeCode:min",
        {"address.extension": DROP},
        ("ILP-4105", "Location.address.extension", None),
    ),
    case(
        "Location.address.extension:administrativeCode:max",
        {"address.extension[+]": ADMIN_CODE},
        ("ILP-4105", "Location.address.extension[1]", None),
    ),
    case(
        "Location.managingOrganization:min",
        {"managingOrganization": DROP},
        ("ILP-4101", "Location.managingOrganization", None),
    ),
    case(
        "Location.managingOrganization:target",
        {"managingOrganization.reference": "Practitioner/N10000001"},
        ("ILP-4108", "Location.managingOrganization.reference", None),
    ),
    case(
        "Location.partOf:target",
        {"partOf.reference": "Organization/100000001"},
        ("ILP-4108", "Location.partOf.reference", None),
        example=ROOM,
    ),
    case(
        "ilp-loc-1",
        {"identifier[0].system": "http://sys-ids.kemkes.go.id/organization/100000001"},
        ("ILP-4330", "Location.identifier", 10447),
    ),
]


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.id)
def test_invalid(validator: Validator, c: Case) -> None:
    check(validator, PROFILE, c, POSYANDU)


def test_address_is_optional_but_coded_when_present(validator: Validator) -> None:
    check(validator, PROFILE, case("no address", {"address": DROP}), POSYANDU)


def test_address_codes_checked_on_location(validator: Validator) -> None:
    """The administrativeCode extension's own rule (ILP-4311) runs on Location.address too."""
    c = case(
        "ilp-adm-1",
        {"address.extension[0].extension[3].valueCode": "3507019999"},
        ("ILP-4311", "Location.address.extension[0].extension[3].valueCode", None),
    )
    check(validator, PROFILE, c, POSYANDU)
