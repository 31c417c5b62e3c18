"""Fixtures of the mapper tests: terminology, validator and registry once per session; a valid record."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from mappers.base import MappingContext
from mappers.registry import MapperRegistry
from profiles.definitions import R4Definitions
from profiles.validator import Validator
from terminology.service import TerminologyService
from tests.mappers.life_stage_support import apply

NOW = datetime(2024, 6, 1, tzinfo=UTC)


def balita_record(**changes: Any) -> dict[str, Any]:
    """A valid posyandu-balita record (a girl of 22 months in Gambir, Jakarta Pusat); ``None`` removes."""
    record: dict[str, Any] = {
        "record_id": "BAL-0001",
        "source_system": "kader-app",
        "visit_date": "2024-03-12T09:10",
        "facility_org_id": "100011961",
        "location_id": "posyandu-melati-01",
        "officer_nik": "3171014101850003",
        "officer_name": "Bidan Sari",
        "desa_code": "3171011001",
        "nik": "3171015205220001",
        "name": "Aisyah Putri",
        "sex": "P",
        "birth_date": "2022-05-12",
        "birth_place": "Jakarta",
        "rt": "003",
        "rw": "005",
        "phone": "081234567890",
        "mother_nik": "3171014503950002",
        "mother_name": "Rina Lestari",
        "weight_kg": 10.9,
        "height_cm": 84.5,
        "measure_position": "terlentang",
        "head_circumference_cm": 46.5,
        "muac_cm": 14.8,
        "vitamin_a": "merah",
        "immunizations": [
            {"vaccine": "93005779", "dose": 2, "lot_number": "MR2403A", "expiry_date": "2025-06-30"}
        ],
        "exclusive_breastfeeding": False,
        "development_ok": True,
        "referral_reason": "Berat badan tidak naik 2 kali berturut-turut",
    }
    return apply(record, changes)


@pytest.fixture(scope="session")
def terminology() -> TerminologyService:
    return TerminologyService.load()


@pytest.fixture(scope="session")
def validator(terminology: TerminologyService) -> Validator:
    return Validator(R4Definitions.load(), bindings=terminology, services=terminology, clock=lambda: NOW)


@pytest.fixture(scope="session")
def mapper_registry() -> MapperRegistry:
    return MapperRegistry.load()


@pytest.fixture(scope="session")
def mctx(terminology: TerminologyService) -> MappingContext:
    return MappingContext(terminology, NOW)
