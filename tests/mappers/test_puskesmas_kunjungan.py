"""puskesmas-kunjungan: Encounter times and diagnoses, Condition, Procedure, vitals, labs, prescriptions,
referral; coded-value checks; contract errors."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from mappers.base import MappingContext
from mappers.registry import MapperRegistry
from profiles.validator import Validator
from terminology import urls
from tests.mappers.life_stage_support import (
    ORG,
    errors,
    interpretation,
    nik,
    observations,
    one,
    puskesmas_record,
    resources,
)

TYPE = "puskesmas-kunjungan"


def test_the_bundle_validates(
    mctx: MappingContext, mapper_registry: MapperRegistry, validator: Validator
) -> None:
    result = one(TYPE, puskesmas_record(), mctx, mapper_registry, validator)
    assert result.ok, result.issues
    assert [(i.severity, i.message_id, i.field) for i in result.issues] == [
        ("warning", "ILP-6064", "labs[1].loinc")
    ]
    kinds = [r["resourceType"] for r in resources(result)]
    assert kinds == [
        "Patient",
        "Encounter",
        "Condition",
        "Condition",
        "Procedure",
        *["Observation"] * 10,
        "MedicationRequest",
        "ServiceRequest",
    ]


def test_encounter(mctx: MappingContext, mapper_registry: MapperRegistry) -> None:
    result = one(TYPE, puskesmas_record(), mctx, mapper_registry)
    [encounter] = resources(result, "Encounter")
    assert encounter["identifier"] == [
        {"system": urls.encounter_identifier(ORG), "value": "REG-20240312-0031"}
    ]
    assert encounter["class"]["code"] == "AMB"
    assert encounter["period"] == {"start": "2024-03-12T01:05:00+00:00", "end": "2024-03-12T01:45:00+00:00"}
    assert [(h["status"], h["period"]["start"]) for h in encounter["statusHistory"]] == [
        ("arrived", "2024-03-12T01:05:00+00:00"),
        ("in-progress", "2024-03-12T01:20:00+00:00"),
        ("finished", "2024-03-12T01:45:00+00:00"),
    ]
    conditions = resources(result, "Condition")
    assert [
        (d["condition"]["reference"], d["rank"], d["use"]["coding"][0]["code"])
        for d in encounter["diagnosis"]
    ] == [(f"urn:uuid:{c['id']}", rank, "DD") for c, rank in zip(conditions, (1, 2), strict=True)]
    assert (
        encounter["participant"][0]["individual"]["reference"]
        == f"Practitioner?identifier={urls.NIK}|3507015004800003"
    )


def test_class_and_time_zone(mctx: MappingContext, mapper_registry: MapperRegistry) -> None:
    record = puskesmas_record(
        **{"class": "EMER", "desa_code": "9171011001"},
        patient_nik=nik("9171011001", date(1965, 8, 12), False),
    )
    [encounter] = resources(one(TYPE, record, mctx, mapper_registry), "Encounter")
    assert encounter["class"]["code"] == "EMER"
    assert encounter["period"]["start"] == "2024-03-11T23:05:00+00:00"  # 08:05 WIT


def test_conditions_and_procedures(mctx: MappingContext, mapper_registry: MapperRegistry) -> None:
    result = one(TYPE, puskesmas_record(), mctx, mapper_registry)
    conditions = resources(result, "Condition")
    assert [c["code"]["coding"][0] for c in conditions] == [
        {"system": urls.ICD_10, "code": "I10", "display": "Essential (primary) hypertension"},
        {"system": urls.ICD_10, "code": "E11.9", "display": "Type 2 diabetes mellitus without complications"},
    ]
    assert conditions[0]["category"][0]["coding"][0]["code"] == "encounter-diagnosis"
    assert conditions[0]["recordedDate"] == "2024-03-12T01:45:00+00:00"
    [procedure] = resources(result, "Procedure")
    assert procedure["code"]["coding"][0] == {
        "system": urls.ICD_9_CM,
        "code": "89.7",
        "display": "General physical examination",
    }
    assert procedure["performer"][0]["actor"]["display"] == "dr. Rina Hartati"


def test_vitals_and_labs(mctx: MappingContext, mapper_registry: MapperRegistry) -> None:
    obs = observations(one(TYPE, puskesmas_record(), mctx, mapper_registry))
    assert {role: o["code"]["coding"][0]["code"] for role, o in obs.items()} == {
        "systolic": "8480-6",
        "diastolic": "8462-4",
        "heart-rate": "8867-4",
        "resp-rate": "9279-1",
        "temperature": "8310-5",
        "weight": "29463-7",
        "height": "8302-2",
        "bmi": "39156-5",
        "lab:0": "2345-7",
        "lab:1": "5804-0",
    }
    assert obs["temperature"]["valueQuantity"]["code"] == "Cel"
    assert obs["heart-rate"]["valueQuantity"]["code"] == "/min"
    assert interpretation(obs["systolic"]) == ("H",)
    assert interpretation(obs["bmi"]) == ("HH",)
    assert interpretation(obs["lab:0"]) == ("H",)  # fasting 182 >= 126
    assert obs["lab:0"]["category"][0]["coding"][0]["code"] == "laboratory"
    assert obs["lab:1"]["valueString"] == "negatif" and "display" not in obs["lab:1"]["code"]["coding"][0]


def test_hb_threshold_follows_pregnancy(mctx: MappingContext, mapper_registry: MapperRegistry) -> None:
    birth = date(1995, 4, 9)
    woman = {"sex": "P", "birth_date": birth.isoformat(), "patient_nik": nik("3507012001", birth, True)}
    labs = [{"loinc": "718-7", "value": 11.5, "unit": "g/dL"}]
    not_pregnant = observations(one(TYPE, puskesmas_record(**woman, labs=labs), mctx, mapper_registry))
    pregnant = observations(
        one(TYPE, puskesmas_record(**woman, labs=labs, pregnant=True), mctx, mapper_registry)
    )
    assert interpretation(not_pregnant["lab:0"]) == ("L",)  # < 12.0
    assert interpretation(pregnant["lab:0"]) == ("N",)  # >= 11.0


def test_prescription(mctx: MappingContext, mapper_registry: MapperRegistry) -> None:
    [rx] = resources(one(TYPE, puskesmas_record(), mctx, mapper_registry), "MedicationRequest")
    assert rx["medicationCodeableConcept"]["coding"] == [
        {"system": urls.KFA, "code": "93000418", "display": "Amlodipine 10 mg Tablet"}
    ]
    assert rx["identifier"] == [
        {"system": urls.prescription_identifier(ORG), "value": "SIMPUS-0001"},
        {"system": urls.prescription_item_identifier(ORG), "value": "SIMPUS-0001-1"},
    ]
    assert rx["dosageInstruction"][0]["text"] == "1 x sehari 1 tablet selama 30 hari"
    assert rx["dosageInstruction"][0]["timing"]["repeat"] == {"frequency": 1, "period": 1, "periodUnit": "d"}
    assert rx["dispenseRequest"]["quantity"] == {"value": 30, "unit": "tablet"}
    assert rx["dispenseRequest"]["expectedSupplyDuration"]["code"] == "d"


def test_referral(mctx: MappingContext, mapper_registry: MapperRegistry) -> None:
    [referral] = resources(one(TYPE, puskesmas_record(), mctx, mapper_registry), "ServiceRequest")
    assert referral["performer"] == [{"reference": "Organization/100000003"}]
    assert referral["reasonCode"] == [{"text": "Hipertensi tidak terkontrol"}]
    assert not resources(one(TYPE, puskesmas_record(referral=None), mctx, mapper_registry), "ServiceRequest")


def test_newborn_without_nik(
    mctx: MappingContext, mapper_registry: MapperRegistry, validator: Validator
) -> None:
    baby = {
        "patient_nik": None,
        "mother_nik": nik("3507012001", date(1997, 3, 12), True),
        "birth_order": 0,
        "birth_date": "2024-03-01",
        "patient_name": "Bayi Ny. Siti",
        "vitals": {"weight_kg": 3.4, "temperature_c": 36.8},
        "diagnoses": [{"icd10": "P59.9", "rank": 1}],
        "prescriptions": None,
        "labs": None,
    }
    result = one(TYPE, puskesmas_record(**baby), mctx, mapper_registry, validator)
    assert result.ok and result.issues == []
    [patient] = resources(result, "Patient")
    assert patient["identifier"][0]["system"] == urls.NIK_IBU


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"diagnoses": [{"icd10": "X99.9", "rank": 1}]}, ("ILP-6060", "diagnoses[0].icd10")),
        (
            {"diagnoses": [{"icd10": "I10", "rank": 1}, {"icd10": "I10", "rank": 2}]},
            ("ILP-6062", "diagnoses[1].icd10"),
        ),
        ({"procedures": [{"icd9cm": "93.9"}]}, ("ILP-6061", "procedures[0].icd9cm")),
        ({"labs": [{"loinc": "718-7", "value": 12, "unit": "mg/dL"}]}, ("ILP-6063", "labs[0].unit")),
        ({"labs": [{"loinc": "5804-0", "value": 1, "unit": "not a unit"}]}, ("ILP-6063", "labs[0].unit")),
        ({"in_progress_at": "2024-03-12T08:00"}, ("ILP-6025", "in_progress_at")),
        ({"finished_at": "2024-03-12T08:10"}, ("ILP-6025", "finished_at")),
        (
            {"arrived_at": "2024-03-12T08:45", "in_progress_at": "2024-03-12T08:45"},
            ("ILP-6025", "finished_at"),
        ),
        ({"vitals": {"systolic": 90, "diastolic": 95}}, ("ILP-6050", "vitals.diastolic")),
    ],
)
def test_mapping_errors(
    changes: dict[str, Any], expected: tuple[str, str], mctx: MappingContext, mapper_registry: MapperRegistry
) -> None:
    result = one(TYPE, puskesmas_record(**changes), mctx, mapper_registry)
    assert not result.ok
    assert [(i, f) for i, f, _ in errors(result)] == [expected]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"encounter_id": None}, ("ILP-6001", "encounter_id")),
        ({"patient_nik": None}, ("ILP-6007", "")),
        ({"class": "OUTPATIENT"}, ("ILP-6004", "class")),
        ({"diagnoses": [{"icd10": "i10", "rank": 1}]}, ("ILP-6004", "diagnoses[0].icd10")),
        ({"prescriptions": [{"kfa_code": "93000418", "name": "x"}]}, ("ILP-6001", "prescriptions[0].dose")),
        ({"labs": [{"loinc": "718-7", "value": 12.1}]}, ("ILP-6001", "labs[0].unit")),
        ({"vitals": {"systolic": 120}}, ("ILP-6001", "vitals.diastolic")),
        ({"pregnant": True}, ("ILP-6004", "sex")),
        ({"visit_date": "2024-03-12"}, ("ILP-6006", "visit_date")),
        ({"referral": {"reason": "x"}}, ("ILP-6001", "referral.to_org_id")),
    ],
)
def test_contract_errors(
    changes: dict[str, Any], expected: tuple[str, str], mctx: MappingContext, mapper_registry: MapperRegistry
) -> None:
    result = one(TYPE, puskesmas_record(**changes), mctx, mapper_registry)
    assert not result.ok and result.bundle is None
    assert expected in [(i, f) for i, f, _ in errors(result)]
