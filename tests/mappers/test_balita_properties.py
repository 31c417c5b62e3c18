"""Properties: any contract-valid posyandu-balita record maps to a Bundle with zero validation errors, and
the same record mapped twice gives identical ids."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mappers.base import MappingContext
from mappers.contract import Contract
from mappers.pipeline import map_records, normalise_whitespace
from mappers.reader import rows_from_records
from mappers.registry import MapperRegistry
from profiles.validator import Validator

# existing villages in every time zone (WIB Jakarta and Jawa Tengah, WITA Bali and Kaltim, WIT Papua)
VILLAGES = ["3171011001", "3301012001", "1101012001", "5171011001", "6401012009", "9103011001", "8101012001"]
VACCINES = ["93001282", "93005208", "93004972", "93004736", "93005779", "93001619", "93001652", "93001639"]
VISIT_FIRST, VISIT_LAST = date(2023, 1, 1), date(2024, 5, 31)  # before the validator's clock (2024-06-01)


def nik(district: str, born: date, female: bool, serial: int) -> str:
    day = born.day + (40 if female else 0)
    return f"{district}{day:02d}{born.month:02d}{born.year % 100:02d}{serial:04d}"


@st.composite
def records(draw: st.DrawFn) -> dict[str, Any]:
    desa = draw(st.sampled_from(VILLAGES))
    visit = draw(st.dates(VISIT_FIRST, VISIT_LAST))
    born = visit - timedelta(days=draw(st.integers(0, 1900)))
    sex = draw(st.sampled_from(["L", "P"]))
    mother_born = born - timedelta(days=draw(st.integers(16 * 365, 45 * 365)))
    record: dict[str, Any] = {
        "record_id": draw(st.from_regex(r"[A-Z]{3}-[0-9]{1,6}", fullmatch=True)),
        "source_system": draw(st.sampled_from(["kader-app", "ASIK", "simpus"])),
        "visit_date": visit.isoformat() + draw(st.sampled_from(["", "T08:00", "T23:59", "T00:05:30"])),
        "facility_org_id": draw(st.from_regex(r"[0-9]{8,9}", fullmatch=True)),
        "location_id": draw(st.from_regex(r"[a-z0-9\-]{1,20}", fullmatch=True)),
        "officer_nik": nik(desa[:6], date(1985, 1, 1), True, 3),
        "officer_name": draw(
            # letters and any Unicode space: the pipeline turns exotic spaces into plain ones
            st.text(st.characters(codec="utf-8", categories=["L", "Zs"]), min_size=1, max_size=30).filter(
                lambda s: any(not c.isspace() for c in s)
            )
        ),
        "desa_code": desa,
        "name": draw(st.sampled_from(["Aisyah", "Budi Santoso", "Bayi Ny. Rina", "Ni Luh Putu Ayu"])),
        "sex": sex,
        "birth_date": born.isoformat(),
        "mother_nik": nik(desa[:6], mother_born, True, draw(st.integers(1, 9999))),
        "mother_name": "Ibu " + draw(st.sampled_from(["Rina", "Wati", "Sri"])),
        "weight_kg": draw(st.floats(0.5, 60, allow_nan=False).map(lambda x: round(x, 1))),
        "height_cm": draw(st.floats(30, 150).map(lambda x: round(x, 1))),
        "measure_position": draw(st.sampled_from(["terlentang", "berdiri"])),
    }
    if draw(st.booleans()):
        record["nik"] = nik(desa[:6], born, sex == "P", draw(st.integers(1, 9999)))
    else:
        record["birth_order"] = draw(st.integers(0, 3))
    optional = {
        "head_circumference_cm": st.floats(20, 70).map(lambda x: round(x, 1)),
        "muac_cm": st.floats(5, 35).map(lambda x: round(x, 1)),
        "vitamin_a": st.sampled_from(["biru", "merah"]),
        "exclusive_breastfeeding": st.booleans(),
        "development_ok": st.booleans(),
        "referral_reason": st.sampled_from(["Gizi buruk", "Demam tinggi", "BB tidak naik"]),
        "rt": st.from_regex(r"[0-9]{1,3}", fullmatch=True),
        "rw": st.from_regex(r"[0-9]{1,3}", fullmatch=True),
        "phone": st.from_regex(r"08[0-9]{8,11}", fullmatch=True),
        "birth_place": st.sampled_from(["Jakarta", "Denpasar", "Jayapura"]),
        "immunizations": st.lists(
            st.fixed_dictionaries(
                {
                    "vaccine": st.sampled_from(VACCINES),
                    "dose": st.integers(1, 5),
                    "lot_number": st.from_regex(r"[A-Z0-9]{4,10}", fullmatch=True),
                    "expiry_date": st.dates(date(2022, 1, 1), date(2027, 12, 31)).map(date.isoformat),
                }
            ),
            max_size=4,
        ),
    }
    for key, strategy in optional.items():
        if draw(st.booleans()):
            record[key] = draw(strategy)
    return record


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(record=records())
def test_any_contract_valid_record_maps_to_a_valid_bundle(
    record: dict[str, Any], mctx: MappingContext, mapper_registry: MapperRegistry, validator: Validator
) -> None:
    contract: Contract = mapper_registry.contract("posyandu-balita")
    assert contract.check(normalise_whitespace(record), 1) == []
    [result] = map_records("posyandu-balita", rows_from_records([record]), mctx, mapper_registry)
    assert result.bundle is not None, result.issues
    assert all(i.severity == "warning" for i in result.issues)
    errors = [i for i in validator.validate(result.bundle, defaults=True).issues if i.is_error]
    assert errors == []


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(record=records())
def test_the_same_record_twice_gives_identical_ids(
    record: dict[str, Any], mctx: MappingContext, mapper_registry: MapperRegistry
) -> None:
    first, second = map_records(
        "posyandu-balita", rows_from_records([record, dict(record)]), mctx, mapper_registry
    )
    assert first.bundle is not None and second.bundle is not None
    assert first.bundle == second.bundle
    ids = [(e["fullUrl"], e["request"]["url"]) for e in first.bundle["entry"]]
    assert len({f for f, _ in ids}) == len(ids)
