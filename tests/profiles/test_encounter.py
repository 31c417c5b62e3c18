"""ilp-encounter: one invalid example per rule (RuleNumbers 10117–10124)."""

from __future__ import annotations

import pytest

from profiles.validator import Validator
from tests.profiles.helpers import DROP, Case, case, check

PROFILE = "ilp-encounter"
FINISHED = "valid-posyandu-finished.json"
IN_PROGRESS = "valid-puskesmas-in-progress.json"
T = "2025-05-14T02:00:00+00:00"

DEFAULT_EXAMPLE = FINISHED

CASES: list[Case] = [
    case("Encounter.identifier:min", {"identifier": DROP}, ("ILP-4101", "Encounter.identifier", 10117)),
    case(
        "Encounter.status:min",
        {"status": DROP},
        ("ILP-4101", "Encounter.status", None),
        ("ILP-4001", "Encounter.status", None),
    ),
    case("Encounter.subject:min", {"subject": DROP}, ("ILP-4101", "Encounter.subject", 10118)),
    case(
        "Encounter.subject:target",
        {"subject.reference": "Group/b5a1c2d3-e4f5-4a6b-8c7d-8e9f0a1b2c3d"},
        ("ILP-4108", "Encounter.subject.reference", 10118),
    ),
    case("Encounter.participant:min", {"participant": DROP}, ("ILP-4101", "Encounter.participant", 10119)),
    case(
        "Encounter.participant.individual:min",
        {"participant[0].individual": DROP},
        ("ILP-4101", "Encounter.participant[0].individual", 10119),
    ),
    case(
        "Encounter.participant.individual:target",
        {"participant[0].individual.reference": "RelatedPerson/0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d"},
        ("ILP-4108", "Encounter.participant[0].individual.reference", 10119),
    ),
    case(
        "Encounter.period:min", {"period": DROP}, ("ILP-4101", "Encounter.period", 10121), example=IN_PROGRESS
    ),
    case(
        "Encounter.period.start:min",
        {"period": {"end": "2025-03-13T02:00:00+00:00"}},
        ("ILP-4101", "Encounter.period.start", 10123),
        example=IN_PROGRESS,
    ),
    case(
        "Encounter.statusHistory:min", {"statusHistory": DROP}, ("ILP-4101", "Encounter.statusHistory", 10122)
    ),
    case("Encounter.location:min", {"location": DROP}, ("ILP-4101", "Encounter.location", 10120)),
    # Encounter.location.location is 1..1 in R4 and required by the schema: the structure stage reports it too
    case(
        "Encounter.location.location:min",
        {"location[0]": {"status": "completed"}},
        ("ILP-4001", "Encounter.location[0].location", None),
        ("ILP-4101", "Encounter.location[0].location", 10120),
    ),
    case(
        "Encounter.location.location:target",
        {"location[0].location.reference": "Organization/100000001"},
        ("ILP-4108", "Encounter.location[0].location.reference", 10120),
    ),
    case(
        "Encounter.serviceProvider:min",
        {"serviceProvider": DROP},
        ("ILP-4101", "Encounter.serviceProvider", 10124),
    ),
    case(
        "Encounter.serviceProvider:target",
        {"serviceProvider.reference": "Location/b017aa54-f1df-4ec2-9d84-8823815d7228"},
        ("ILP-4108", "Encounter.serviceProvider.reference", 10124),
    ),
    # invariants
    case(
        "ilp-enc-1",
        {"identifier[0].system": "http://sys-ids.kemkes.go.id/condition/100000001"},
        ("ILP-4330", "Encounter.identifier", 10117),
    ),
    case("ilp-enc-2", {"period.end": DROP}, ("ILP-4331", "Encounter.period.end", 10121)),
    case(
        "ilp-enc-3",
        {"statusHistory[0].status": "in-progress", "statusHistory[1].status": "arrived"},
        ("ILP-4332", "Encounter.statusHistory", None),
    ),
    case(
        "ilp-enc-4",
        {"period.start": "2025-05-14T09:00:00+07:00"},
        ("ILP-4321", "Encounter.period.start", None),
    ),
]


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.id)
def test_invalid(validator: Validator, c: Case) -> None:
    check(validator, PROFILE, c, FINISHED)


def test_finished_period_end_must_be_after_start(validator: Validator) -> None:
    instant = {"start": T, "end": T}
    edits = {
        "period": dict(instant),
        "statusHistory": [
            {"status": s, "period": dict(instant)} for s in ("arrived", "in-progress", "finished")
        ],
    }
    check(validator, PROFILE, case("ilp-enc-2", edits, ("ILP-4331", "Encounter.period.end", 10121)), FINISHED)


def test_status_history_ends_in_current_status(validator: Validator) -> None:
    c = case(
        "ilp-enc-3",
        {"statusHistory[2]": DROP},
        ("ILP-4332", "Encounter.statusHistory[1].status", None),
    )
    check(validator, PROFILE, c, FINISHED)


def test_status_history_within_period(validator: Validator) -> None:
    c = case(
        "ilp-enc-3",
        {"statusHistory[0].period.start": "2025-05-14T01:50:00+00:00"},
        ("ILP-4332", "Encounter.statusHistory[0].period.start", None),
    )
    check(validator, PROFILE, c, FINISHED)


@pytest.mark.parametrize("kind", ["encounter", "asik", "sitb"])
def test_encounter_identifier_kinds(validator: Validator, kind: str) -> None:
    edits = {"identifier[0].system": f"http://sys-ids.kemkes.go.id/{kind}/100000001"}
    check(validator, PROFILE, case(kind, edits), FINISHED)
