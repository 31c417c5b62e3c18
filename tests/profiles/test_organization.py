"""ilp-organization: one invalid example per rule."""

from __future__ import annotations

import pytest

from profiles.validator import Validator
from tests.profiles.helpers import DROP, Case, case, check, example

PROFILE = "ilp-organization"
PUSKESMAS = "valid-puskesmas.json"
PUSTU = "valid-pustu.json"
ADMIN_CODE = example(PROFILE, PUSKESMAS)["address"][0]["extension"][0]

DEFAULT_EXAMPLE = PUSKESMAS

CASES: list[Case] = [
    case("Organization.identifier:min", {"identifier": DROP}, ("ILP-4101", "Organization.identifier", 10446)),
    case("Organization.type:min", {"type": DROP}, ("ILP-4101", "Organization.type", None)),
    case("Organization.name:min", {"name": DROP}, ("ILP-4101", "Organization.name", None)),
    case(
        "Organization.address.extension:administrativeCode:max",
        {"address[0].extension[+]": ADMIN_CODE},
        ("ILP-4105", "Organization.address[0].extension[1]", None),
    ),
    case(
        "Organization.partOf:target",
        {"partOf.reference": "Location/b017aa54-f1df-4ec2-9d84-8823815d7228"},
        ("ILP-4108", "Organization.partOf.reference", None),
        example=PUSTU,
    ),
    case(
        "ilp-org-1",
        {"identifier[0].system": "http://sys-ids.kemkes.go.id/location/100000001"},
        ("ILP-4330", "Organization.identifier", 10446),
    ),
]


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.id)
def test_invalid(validator: Validator, c: Case) -> None:
    check(validator, PROFILE, c, PUSKESMAS)


@pytest.mark.parametrize(
    "system",
    [
        "http://sys-ids.kemkes.go.id/organization/",  # no org id
        "http://sys-ids.kemkes.go.id/organization/100000001/extra",
        "https://sys-ids.kemkes.go.id/organization/100000001",
        "http://sys-ids.kemkes.go.id/Organization/100000001",
    ],
)
def test_sys_ids_rule_variants(validator: Validator, system: str) -> None:
    c = case("ilp-org-1", {"identifier[0].system": system}, ("ILP-4330", "Organization.identifier", 10446))
    check(validator, PROFILE, c, PUSKESMAS)


def test_sys_ids_rule_accepts_any_one_matching_identifier(validator: Validator) -> None:
    extra = {"system": "https://fhir.kemkes.go.id/id/kode-faskes", "value": "1234567"}
    check(validator, PROFILE, case("ilp-org-1", {"identifier[+]": extra}), PUSKESMAS)
