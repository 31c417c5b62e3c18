"""posyandu-remaja: the Bundle, findings by age (anaemia, blood pressure, adult BMI), contract errors."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from mappers.base import MappingContext
from mappers.registry import MapperRegistry
from profiles.validator import Validator
from terminology import urls
from tests.mappers.life_stage_support import (
    errors,
    interpretation,
    nik,
    observations,
    one,
    remaja_record,
    resources,
)

TYPE = "posyandu-remaja"


def born(birth: date, sex: str = "P") -> dict[str, Any]:
    return {"birth_date": birth.isoformat(), "sex": sex, "nik": nik("3507012001", birth, sex == "P")}


def test_the_bundle_validates(
    mctx: MappingContext, mapper_registry: MapperRegistry, validator: Validator
) -> None:
    result = one(TYPE, remaja_record(), mctx, mapper_registry, validator)
    assert result.ok and result.issues == []
    kinds = [r["resourceType"] for r in resources(result)]
    assert kinds == ["Patient", "Encounter", *["Observation"] * 10, "ServiceRequest"]


def test_measurements_and_bmi(mctx: MappingContext, mapper_registry: MapperRegistry) -> None:
    obs = observations(one(TYPE, remaja_record(), mctx, mapper_registry))
    assert obs["bmi"]["valueQuantity"] == {
        "value": 18.2,
        "unit": "kg/m2",
        "system": urls.UCUM,
        "code": "kg/m2",
    }
    assert obs["bmi"]["derivedFrom"] == [
        {"reference": f"urn:uuid:{obs['weight']['id']}"},
        {"reference": f"urn:uuid:{obs['height']['id']}"},
    ]
    assert obs["waist"]["code"]["coding"][0]["code"] == "8280-0"
    assert obs["smoking"]["code"]["coding"][0]["code"] == "72166-2"
    assert obs["smoking"]["valueCodeableConcept"]["coding"][0]["code"] == "8392000"  # non-smoker
    assert obs["sdq"]["valueInteger"] == 12 and "interpretation" not in obs["sdq"]
    assert obs["iron-tablets"]["valueQuantity"]["value"] == 4


def test_a_13_year_old(mctx: MappingContext, mapper_registry: MapperRegistry) -> None:
    obs = observations(one(TYPE, remaja_record(), mctx, mapper_registry))
    # 13 years: hypertension thresholds apply (AAP 2017), Hb 11.2 < 12.0 (WHO 12–14 y), BMI not classified
    assert interpretation(obs["systolic"]) == interpretation(obs["diastolic"]) == ("H",)
    assert interpretation(obs["hb"]) == ("L",)
    assert interpretation(obs["bmi"]) == () and "BMI-for-age" in obs["bmi"]["note"][0]["text"]
    assert interpretation(obs["waist"]) == () and "adult cut-offs" in obs["waist"]["note"][0]["text"]


def test_an_11_year_old(mctx: MappingContext, mapper_registry: MapperRegistry) -> None:
    record = remaja_record(**born(date(2012, 9, 1), "L"), hb_g_dl=11.4)
    obs = observations(one(TYPE, record, mctx, mapper_registry))
    assert interpretation(obs["systolic"]) == () and "percentile" in obs["systolic"]["note"][0]["text"]
    assert interpretation(obs["hb"]) == ("L",)  # 5–11 years: < 11.5
    assert not resources(one(TYPE, record, mctx, mapper_registry), "ServiceRequest")


def test_an_adult_gets_the_adult_classes(mctx: MappingContext, mapper_registry: MapperRegistry) -> None:
    record = remaja_record(
        **born(date(2005, 1, 15), "L"), weight_kg=80, height_cm=170, waist_cm=95, hb_g_dl=12.5
    )
    obs = observations(one(TYPE, record, mctx, mapper_registry))
    assert interpretation(obs["bmi"]) == ("HH",)  # 27.7 > 27.0
    assert interpretation(obs["waist"]) == ("H",)  # > 90 cm, man
    assert interpretation(obs["hb"]) == ("L",)  # man >= 15: < 13.0


def test_hypertension_is_referred(mctx: MappingContext, mapper_registry: MapperRegistry) -> None:
    result = one(TYPE, remaja_record(), mctx, mapper_registry)
    [referral] = resources(result, "ServiceRequest")
    obs = observations(result)
    assert [r["reference"] for r in referral["reasonReference"]] == [
        f"urn:uuid:{obs['systolic']['id']}",
        f"urn:uuid:{obs['diastolic']['id']}",
    ]
    quiet = remaja_record(systolic=None, diastolic=None)
    assert not resources(one(TYPE, quiet, mctx, mapper_registry), "ServiceRequest")
    explicit = remaja_record(systolic=None, diastolic=None, referral_reason="Konseling PKPR")
    [referral] = resources(one(TYPE, explicit, mctx, mapper_registry), "ServiceRequest")
    assert referral["reasonCode"] == [{"text": "Konseling PKPR"}] and "reasonReference" not in referral


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"systolic": None}, ("ILP-6001", "systolic")),
        ({"sdq_score": 41}, ("ILP-6005", "sdq_score")),
        ({"smoking": "kadang"}, ("ILP-6002", "smoking")),
        ({"height_cm": None}, ("ILP-6001", "height_cm")),
        ({"weight_kg": 5}, ("ILP-6005", "weight_kg")),
        ({"sex": "F"}, ("ILP-6004", "sex")),
        ({"visit_date": "12/03/2024"}, ("ILP-6003", "visit_date")),
    ],
)
def test_contract_errors(
    changes: dict[str, Any], expected: tuple[str, str], mctx: MappingContext, mapper_registry: MapperRegistry
) -> None:
    result = one(TYPE, remaja_record(**changes), mctx, mapper_registry)
    assert not result.ok and result.bundle is None
    assert expected in [(i, f) for i, f, _ in errors(result)]


def test_swapped_pressures_fail_the_record(mctx: MappingContext, mapper_registry: MapperRegistry) -> None:
    result = one(TYPE, remaja_record(systolic=70, diastolic=70), mctx, mapper_registry)
    assert [(i, f) for i, f, _ in errors(result)] == [("ILP-6050", "diastolic")]
