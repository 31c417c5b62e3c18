"""Fixtures for the profile tests: one Validator per session, with small fake terminology services.

The Validator is built without bindings (``bindings=None``), so binding checks are skipped here; the
binding wiring is tested with a fake in ``test_bindings.py`` and against real value sets once the terminology
adapter is wired. Rules needing services (NIK, Kemendagri codes, UCUM units) get :class:`FakeServices`.
"""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest

from profiles.definitions import R4Definitions
from profiles.validator import Validator

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 1, 1, tzinfo=UTC)

# A few real Kemendagri codes (Kepmendagri 300.2.2-2138/2025): Jakarta Pusat/Gambir, Kab. Malang/Donomulyo.
AREAS = frozenset({"31", "3171", "317101", "3171011001", "35", "3507", "350701", "3507012001", "3507012002"})
UNITS = {
    ("http://loinc.org", "29463-7"): frozenset({"kg", "g"}),
    ("http://loinc.org", "8302-2"): frozenset({"cm"}),
    ("http://loinc.org", "8480-6"): frozenset({"mm[Hg]"}),
    ("http://loinc.org", "8462-4"): frozenset({"mm[Hg]"}),
    ("http://loinc.org", "8867-4"): frozenset({"/min"}),
}


class FakeServices:
    """:class:`profiles.rules.RuleServices` over the tables above (the real adapter is the lead's)."""

    def nik_problems(self, nik: str, birth_date: str | None, gender: str | None) -> list[str]:
        if len(nik) != 16 or not nik.isdigit():
            return [f"NIK '{nik}' must be 16 digits"]
        problems = []
        if nik[:6] not in AREAS:
            problems.append(f"NIK district prefix {nik[:6]} is not a Kemendagri district")
        day, month, year = int(nik[6:8]), nik[8:10], nik[10:12]
        female = day > 40
        if female:
            day -= 40
        if birth_date and birth_date[2:4] + birth_date[5:7] + birth_date[8:10] != f"{year}{month}{day:02d}":
            problems.append(f"NIK birth date part {nik[6:12]} does not match birthDate {birth_date}")
        if gender in ("male", "female") and female != (gender == "female"):
            problems.append(f"NIK day {nik[6:8]} does not fit gender {gender}")
        return problems

    def area_exists(self, code: str) -> bool:
        return code in AREAS

    def units_for(self, system: str, code: str) -> frozenset[str] | None:
        return UNITS.get((system, code))


@pytest.fixture(scope="session")
def validator(definitions: R4Definitions) -> Validator:
    return Validator(definitions, services=FakeServices(), clock=lambda: NOW)


@pytest.fixture(scope="session")
def schema_definitions() -> dict[str, Any]:
    """The vendored HL7 R4 JSON schema's definitions (for the plain ``jsonschema`` reference check)."""
    raw = orjson.loads(
        gzip.decompress((ROOT / "profiles" / "data" / "r4" / "fhir.schema.json.gz").read_bytes())
    )
    definitions: dict[str, Any] = raw["definitions"]
    return definitions
