"""ilp-observation: one invalid example per rule."""

from __future__ import annotations

import pytest

from profiles.validator import Validator
from tests.profiles.helpers import DROP, SD_BASE, Case, case, check, edit, errors, example

PROFILE = "ilp-observation"
WEIGHT = "valid-berat-badan-balita.json"

DEFAULT_EXAMPLE = WEIGHT

CASES: list[Case] = [
    case(
        "Observation.status:min",
        {"status": DROP},
        ("ILP-4101", "Observation.status", None),
        ("ILP-4001", "Observation.status", None),
    ),
    case("Observation.category:min", {"category": DROP}, ("ILP-4101", "Observation.category", None)),
    # Observation.code is also required by the R4 schema: the structure stage reports it too (ILP-4001)
    case(
        "Observation.code:min",
        {"code": DROP},
        ("ILP-4001", "Observation.code", None),
        ("ILP-4101", "Observation.code", None),
    ),
    case(
        "Observation.code.coding:min",
        {"code.coding": DROP, "code.text": "Berat badan"},
        ("ILP-4101", "Observation.code.coding", None),
    ),
    case("Observation.subject:min", {"subject": DROP}, ("ILP-4101", "Observation.subject", 10129)),
    case(
        "Observation.subject:target",
        {"subject.reference": "Group/b5a1c2d3-e4f5-4a6b-8c7d-8e9f0a1b2c3d"},
        ("ILP-4108", "Observation.subject.reference", 10129),
    ),
    case("Observation.encounter:min", {"encounter": DROP}, ("ILP-4101", "Observation.encounter", 10130)),
    case(
        "Observation.encounter:target",
        {"encounter.reference": "EpisodeOfCare/1"},
        ("ILP-4108", "Observation.encounter.reference", 10130),
    ),
    case("Observation.performer:min", {"performer": DROP}, ("ILP-4101", "Observation.performer", 10383)),
    case(
        "Observation.performer:target",
        {"performer[0].reference": "Patient/P02478375538"},
        ("ILP-4108", "Observation.performer[0].reference", 10383),
    ),
    case(
        "Observation.effective[x]:min",
        {"effectiveDateTime": DROP},
        ("ILP-4101", "Observation.effective[x]", None),
    ),
    case(
        "Observation.effective[x]:type",
        {"effectiveDateTime": DROP, "effectiveInstant": "2025-05-14T02:20:00+00:00"},
        ("ILP-4107", "Observation.effectiveInstant", None),
    ),
    case(
        "ilp-obs-2",
        {"effectiveDateTime": "2025-05-14T09:20:00+07:00"},
        ("ILP-4321", "Observation.effectiveDateTime", 10295),
    ),
    case("ilp-obs-3", {"issued": "2025-05-14T10:25:00+08:00"}, ("ILP-4321", "Observation.issued", 10296)),
    case(
        "Observation.valueQuantity.system:fixed",
        {"valueQuantity.system": "http://unitsofmeasure.com"},
        ("ILP-4103", "Observation.valueQuantity.system", 10012),
    ),
    case(
        "Observation.valueQuantity.code:min",
        {"valueQuantity.code": DROP},
        ("ILP-4101", "Observation.valueQuantity.code", None),
        ("ILP-4322", "Observation.valueQuantity.code", 10012),
    ),
    case(
        "ilp-obs-1",
        {"valueQuantity.code": "[lb_av]", "valueQuantity.unit": "lb", "valueQuantity.value": 16.3},
        ("ILP-4322", "Observation.valueQuantity.code", 10012),
    ),
]


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.id)
def test_invalid(validator: Validator, c: Case) -> None:
    check(validator, PROFILE, c, WEIGHT)


def test_unit_rule_ignores_codes_without_a_unit_table(validator: Validator) -> None:
    """A code the unit table does not know (``units_for`` → None) is not judged."""
    doc = example(PROFILE, WEIGHT)
    edit(doc, "code.coding[0].code", "56072-2")
    edit(doc, "valueQuantity.code", "mm")
    assert errors(validator.validate(doc, profiles=[SD_BASE + PROFILE])) == []
