"""ilp-measure-report (PWS indicators): one invalid example per rule."""

from __future__ import annotations

import pytest

from profiles.validator import Validator
from tests.profiles.helpers import DROP, Case, case, check

PROFILE = "ilp-measure-report"
DESA = "valid-pws-d-s-desa.json"
MR = "MeasureReport"

DEFAULT_EXAMPLE = DESA

CASES: list[Case] = [
    case(
        f"{MR}.status:min",
        {"status": DROP},
        ("ILP-4101", f"{MR}.status", None),
        ("ILP-4001", f"{MR}.status", None),
    ),
    case(
        f"{MR}.type:min", {"type": DROP}, ("ILP-4101", f"{MR}.type", None), ("ILP-4001", f"{MR}.type", None)
    ),
    case(f"{MR}.subject:min", {"subject": DROP}, ("ILP-4101", f"{MR}.subject", None)),
    case(
        f"{MR}.subject:target",
        {"subject.reference": "Patient/P02478375538"},
        ("ILP-4108", f"{MR}.subject.reference", None),
    ),
    case(f"{MR}.date:min", {"date": DROP}, ("ILP-4101", f"{MR}.date", None)),
    case("ilp-mer-1", {"date": "2025-06-01T07:00:00+07:00"}, ("ILP-4321", f"{MR}.date", None)),
    case(f"{MR}.period.start:min", {"period.start": DROP}, ("ILP-4101", f"{MR}.period.start", None)),
    case(f"{MR}.period.end:min", {"period.end": DROP}, ("ILP-4101", f"{MR}.period.end", None)),
    case(f"{MR}.group:min", {"group": DROP}, ("ILP-4101", f"{MR}.group", None)),
    case(
        f"{MR}.group.measureScore:min",
        {"group[0].measureScore": DROP},
        ("ILP-4101", f"{MR}.group[0].measureScore", None),
    ),
]


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.id)
def test_invalid(validator: Validator, c: Case) -> None:
    check(validator, PROFILE, c, DESA)
