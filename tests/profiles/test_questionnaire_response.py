"""ilp-questionnaire-response (screenings): one invalid example per rule."""

from __future__ import annotations

import pytest

from profiles.validator import Validator
from tests.profiles.helpers import DROP, Case, case, check

PROFILE = "ilp-questionnaire-response"
SRQ20 = "valid-srq20.json"
Q = "QuestionnaireResponse"

DEFAULT_EXAMPLE = SRQ20

CASES: list[Case] = [
    case(f"{Q}.questionnaire:min", {"questionnaire": DROP}, ("ILP-4101", f"{Q}.questionnaire", None)),
    case(
        "ilp-qr-1",
        {"questionnaire": "https://ilp-gateway.example.id/fhir/Questionnaire/srq-20"},
        ("ILP-4339", f"{Q}.questionnaire", 10169),
    ),
    case(
        f"{Q}.status:min",
        {"status": DROP},
        ("ILP-4101", f"{Q}.status", None),
        ("ILP-4001", f"{Q}.status", None),
    ),
    case(f"{Q}.subject:min", {"subject": DROP}, ("ILP-4101", f"{Q}.subject", None)),
    case(
        f"{Q}.subject:target",
        {"subject.reference": "Group/b5a1c2d3-e4f5-4a6b-8c7d-8e9f0a1b2c3d"},
        ("ILP-4108", f"{Q}.subject.reference", None),
    ),
    case(f"{Q}.encounter:min", {"encounter": DROP}, ("ILP-4101", f"{Q}.encounter", None)),
    case(
        f"{Q}.encounter:target",
        {"encounter.reference": "EpisodeOfCare/1a2b3c4d"},
        ("ILP-4108", f"{Q}.encounter.reference", None),
    ),
    case(f"{Q}.authored:min", {"authored": DROP}, ("ILP-4101", f"{Q}.authored", None)),
    case("ilp-qr-2", {"authored": "2025-03-13T08:18:00+07:00"}, ("ILP-4321", f"{Q}.authored", None)),
    case(f"{Q}.author:min", {"author": DROP}, ("ILP-4101", f"{Q}.author", None)),
    case(f"{Q}.source:min", {"source": DROP}, ("ILP-4101", f"{Q}.source", None)),
]


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.id)
def test_invalid(validator: Validator, c: Case) -> None:
    check(validator, PROFILE, c, SRQ20)


@pytest.mark.parametrize("q", ["Q0006", "Q0007", "Q0008", "Q0011", "Q0023"])
def test_every_approved_questionnaire_passes(validator: Validator, q: str) -> None:
    check(
        validator, PROFILE, case(q, {"questionnaire": f"https://fhir.kemkes.go.id/Questionnaire/{q}"}), SRQ20
    )


@pytest.mark.parametrize(
    "url",
    [
        "https://fhir.kemkes.go.id/Questionnaire/Q0009",
        "http://fhir.kemkes.go.id/Questionnaire/Q0006",
        "https://fhir.kemkes.go.id/Questionnaire/Q0006|1.0.0",
    ],
)
def test_other_questionnaires_fail(validator: Validator, url: str) -> None:
    c = case("ilp-qr-1", {"questionnaire": url}, ("ILP-4339", f"{Q}.questionnaire", 10169))
    check(validator, PROFILE, c, SRQ20)
