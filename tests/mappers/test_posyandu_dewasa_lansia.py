"""posyandu-dewasa-lansia: the Bundle, the adult findings, the TB screen and the referral they call for."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from mappers.base import MappingContext
from mappers.registry import MapperRegistry
from profiles.validator import Validator
from tests.mappers.life_stage_support import (
    dewasa_record,
    errors,
    interpretation,
    nik,
    observations,
    one,
    resources,
)

TYPE = "posyandu-dewasa-lansia"
HEALTHY: dict[str, Any] = {
    "weight_kg": 60,
    "height_cm": 165,
    "waist_cm": 80,
    "systolic": 120,
    "diastolic": 80,
    "glucose_mg_dl": 110,
    "srq20_score": 2,
    "tb_symptoms": {"cough_2_weeks": False},
}


def test_the_bundle_validates(
    mctx: MappingContext, mapper_registry: MapperRegistry, validator: Validator
) -> None:
    result = one(TYPE, dewasa_record(), mctx, mapper_registry, validator)
    assert result.ok and result.issues == []
    kinds = [r["resourceType"] for r in resources(result)]
    assert kinds == ["Patient", "Encounter", *["Observation"] * 13, "ServiceRequest"]


def test_findings(mctx: MappingContext, mapper_registry: MapperRegistry) -> None:
    obs = observations(one(TYPE, dewasa_record(), mctx, mapper_registry))
    assert obs["bmi"]["valueQuantity"]["value"] == 28.7
    assert interpretation(obs["bmi"]) == ("HH",)  # > 27.0: obese
    assert interpretation(obs["waist"]) == ("H",)  # 96 > 90 (man)
    assert interpretation(obs["systolic"]) == interpretation(obs["diastolic"]) == ("H",)
    assert interpretation(obs["glucose"]) == ("H",)  # GDS 210 >= 200
    assert obs["glucose"]["code"]["coding"][0]["code"] == "41653-7"  # glucometer (default)
    assert obs["glucose"]["code"]["text"] == "Glukosa darah sewaktu (GDS)"
    assert interpretation(obs["cholesterol"]) == ("H",)  # 200–239
    assert interpretation(obs["srq20"]) == ("POS",) and obs["srq20"]["valueInteger"] == 7
    assert obs["puma"]["valueInteger"] == 5 and interpretation(obs["puma"]) == ()
    assert obs["adl"]["valueInteger"] == 20
    assert obs["smoking"]["valueCodeableConcept"]["coding"][0]["code"] == "77176002"


def test_tb_screen(mctx: MappingContext, mapper_registry: MapperRegistry) -> None:
    obs = observations(one(TYPE, dewasa_record(), mctx, mapper_registry))
    screen = obs["tb-screen"]
    assert interpretation(screen) == ("POS",)
    assert screen["interpretation"][0]["text"] == "Terduga TBC: batuk ≥ 2 minggu, keringat malam"
    assert [(c["code"]["coding"][0]["code"], c["valueBoolean"]) for c in screen["component"]] == [
        ("tb-cough-2-weeks", True),
        ("tb-fever", False),
        ("tb-weight-loss", False),
        ("tb-night-sweats", True),
    ]


def test_referral_lists_every_positive_screen(mctx: MappingContext, mapper_registry: MapperRegistry) -> None:
    result = one(TYPE, dewasa_record(), mctx, mapper_registry)
    [referral] = resources(result, "ServiceRequest")
    obs = observations(result)
    reasons = [r["reference"] for r in referral["reasonReference"]]
    assert reasons == [
        f"urn:uuid:{obs[k]['id']}" for k in ("systolic", "diastolic", "glucose", "srq20", "tb-screen")
    ]
    assert "reasonCode" not in referral


def test_a_healthy_adult_is_not_referred(mctx: MappingContext, mapper_registry: MapperRegistry) -> None:
    result = one(TYPE, dewasa_record(**HEALTHY), mctx, mapper_registry)
    assert not resources(result, "ServiceRequest")
    obs = observations(result)
    assert interpretation(obs["bmi"]) == ("N",)
    assert interpretation(obs["glucose"]) == ("N",)
    assert interpretation(obs["tb-screen"]) == ("NEG",)


def test_tb_alone_is_referred(mctx: MappingContext, mapper_registry: MapperRegistry) -> None:
    record = dewasa_record(**(HEALTHY | {"tb_symptoms": {"cough_2_weeks": True}}))
    [referral] = resources(one(TYPE, record, mctx, mapper_registry), "ServiceRequest")
    assert len(referral["reasonReference"]) == 1


def test_fasting_glucose_and_venous_sample(mctx: MappingContext, mapper_registry: MapperRegistry) -> None:
    record = dewasa_record(
        **(HEALTHY | {"glucose_type": "puasa", "glucose_mg_dl": 118, "glucose_specimen": "vena"})
    )
    result = one(TYPE, record, mctx, mapper_registry)
    glucose = observations(result)["glucose"]
    assert glucose["code"]["coding"][0]["code"] == "2345-7"
    assert glucose["interpretation"][0]["text"].startswith("Glukosa darah puasa terganggu")
    assert not resources(result, "ServiceRequest")  # prediabetes: not referred


def test_a_minor_is_mapped_with_a_warning(mctx: MappingContext, mapper_registry: MapperRegistry) -> None:
    birth = date(2008, 7, 1)
    record = dewasa_record(birth_date=birth.isoformat(), nik=nik("3507012001", birth, False))
    result = one(TYPE, record, mctx, mapper_registry)
    assert result.ok
    assert [(i.severity, i.message_id, i.field) for i in result.issues] == [
        ("warning", "ILP-6051", "birth_date")
    ]
    obs = observations(result)
    assert interpretation(obs["bmi"]) == interpretation(obs["waist"]) == ()
    why = [{"text": "not classified at 15 years: the adult cut-offs apply from 18"}]
    assert obs["bmi"]["note"] == obs["waist"]["note"] == why
    assert interpretation(obs["systolic"]) == ("H",)  # 15 years: the blood-pressure cut-off applies


def test_elderly_woman(mctx: MappingContext, mapper_registry: MapperRegistry) -> None:
    birth = date(1950, 2, 3)
    record = dewasa_record(
        birth_date=birth.isoformat(), sex="P", nik=nik("3507012001", birth, True), waist_cm=85, adl_score=11
    )
    obs = observations(one(TYPE, record, mctx, mapper_registry))
    assert interpretation(obs["waist"]) == ("H",)  # > 80 cm (woman)
    assert obs["adl"]["valueInteger"] == 11


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"srq20_score": 21}, ("ILP-6005", "srq20_score")),
        ({"puma_score": 10}, ("ILP-6005", "puma_score")),
        ({"glucose_type": None}, ("ILP-6001", "glucose_type")),
        ({"glucose_type": "2jpp"}, ("ILP-6004", "glucose_type")),
        ({"waist_cm": None}, ("ILP-6001", "waist_cm")),
        ({"tb_symptoms": {"fever": True}}, ("ILP-6001", "tb_symptoms.cough_2_weeks")),
        (
            {"tb_symptoms": {"cough_2_weeks": True, "batuk_darah": True}},
            ("ILP-6006", "tb_symptoms.batuk_darah"),
        ),
        ({"systolic": 39}, ("ILP-6005", "systolic")),
    ],
)
def test_contract_errors(
    changes: dict[str, Any], expected: tuple[str, str], mctx: MappingContext, mapper_registry: MapperRegistry
) -> None:
    result = one(TYPE, dewasa_record(**changes), mctx, mapper_registry)
    assert not result.ok and result.bundle is None
    assert expected in [(i, f) for i, f, _ in errors(result)]
