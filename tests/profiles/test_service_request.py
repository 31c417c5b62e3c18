"""ilp-service-request (referral): one invalid example per rule."""

from __future__ import annotations

import pytest

from profiles.validator import Validator
from tests.profiles.helpers import DROP, Case, case, check

PROFILE = "ilp-service-request"
STUNTING = "valid-rujukan-stunting.json"  # reasonReference only
HYPERTENSION = "valid-rujukan-rs-hipertensi.json"  # reasonCode only

DEFAULT_EXAMPLE = STUNTING

CASES: list[Case] = [
    case(
        "ServiceRequest.status:min",
        {"status": DROP},
        ("ILP-4101", "ServiceRequest.status", None),
        ("ILP-4001", "ServiceRequest.status", None),
    ),
    case(
        "ServiceRequest.intent:min",
        {"intent": DROP},
        ("ILP-4101", "ServiceRequest.intent", None),
        ("ILP-4001", "ServiceRequest.intent", None),
    ),
    case("ServiceRequest.code:min", {"code": DROP}, ("ILP-4101", "ServiceRequest.code", None)),
    case(
        "ServiceRequest.subject:target",
        {"subject.reference": "Location/b017aa54-f1df-4ec2-9d84-8823815d7228"},
        ("ILP-4108", "ServiceRequest.subject.reference", None),
    ),
    case("ServiceRequest.encounter:min", {"encounter": DROP}, ("ILP-4101", "ServiceRequest.encounter", None)),
    case(
        "ServiceRequest.encounter:target",
        {"encounter.reference": "EpisodeOfCare/1a2b3c4d"},
        ("ILP-4108", "ServiceRequest.encounter.reference", None),
    ),
    case("ServiceRequest.requester:min", {"requester": DROP}, ("ILP-4101", "ServiceRequest.requester", None)),
    case(
        "ServiceRequest.requester:target",
        {"requester.reference": "Organization/100000001"},
        ("ILP-4108", "ServiceRequest.requester.reference", None),
    ),
    case("ServiceRequest.performer:min", {"performer": DROP}, ("ILP-4101", "ServiceRequest.performer", None)),
    case(
        "ServiceRequest.performer:target",
        {"performer[0].reference": "Practitioner/N10000002"},
        ("ILP-4108", "ServiceRequest.performer[0].reference", None),
    ),
    case("ilp-sr-1", {"reasonReference": DROP}, ("ILP-4338", "ServiceRequest.reasonCode", None)),
    case(
        "ilp-sr-2",
        {"authoredOn": "2025-05-14T09:38:00+07:00"},
        ("ILP-4321", "ServiceRequest.authoredOn", None),
    ),
]


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.id)
def test_invalid(validator: Validator, c: Case) -> None:
    check(validator, PROFILE, c, STUNTING)


def test_reason_code_alone_is_enough(validator: Validator) -> None:
    check(validator, PROFILE, case("ok", {}), HYPERTENSION)
    c = case("ilp-sr-1", {"reasonCode": DROP}, ("ILP-4338", "ServiceRequest.reasonCode", None))
    check(validator, PROFILE, c, HYPERTENSION)
