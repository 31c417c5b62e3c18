"""posyandu-ibu-hamil: the Bundle, KEK / hypertension / anaemia findings, Td, referral, contract errors."""

from __future__ import annotations

from typing import Any

import pytest

from mappers.base import MappingContext
from mappers.common.errors import MappingError
from mappers.posyandu_ibu_hamil import PosyanduIbuHamilMapper
from mappers.registry import MapperRegistry
from profiles.validator import Validator
from terminology import urls
from tests.mappers.life_stage_support import (
    errors,
    ibu_hamil_record,
    interpretation,
    observations,
    one,
    resources,
)

TYPE = "posyandu-ibu-hamil"


def test_the_bundle_validates(
    mctx: MappingContext, mapper_registry: MapperRegistry, validator: Validator
) -> None:
    result = one(TYPE, ibu_hamil_record(), mctx, mapper_registry, validator)
    assert result.ok and result.issues == []
    kinds = [r["resourceType"] for r in resources(result)]
    assert kinds == ["Patient", "Encounter", *["Observation"] * 11, "Immunization", "ServiceRequest"]
    assert result.bundle is not None
    methods = [e["request"]["method"] for e in result.bundle["entry"]]
    assert methods == ["POST", *["PUT"] * 14]


def test_measurements(mctx: MappingContext, mapper_registry: MapperRegistry) -> None:
    obs = observations(one(TYPE, ibu_hamil_record(), mctx, mapper_registry))
    expected = {
        "gestational-age": ("18185-9", 24, "wk"),
        "weight": ("29463-7", 58.5, "kg"),
        "height": ("8302-2", 152, "cm"),
        "muac": ("56072-2", 22.8, "cm"),
        "systolic": ("8480-6", 145, "mm[Hg]"),
        "diastolic": ("8462-4", 85, "mm[Hg]"),
        "hb": ("718-7", 10.4, "g/dL"),
        "fundal-height": ("11881-0", 23, "cm"),
    }
    for role, (code, value, unit) in expected.items():
        resource = obs[role]
        assert resource["code"]["coding"][0]["code"] == code
        assert resource["valueQuantity"] == {"value": value, "unit": unit, "system": urls.UCUM, "code": unit}
        assert resource["effectiveDateTime"] == "2024-03-12T02:10:00+00:00"  # 09:10 WIB
    assert obs["anc-visit"]["valueInteger"] == 3
    assert obs["iron-tablets"]["valueQuantity"]["code"] == "{tbl}"
    assert obs["iron-tablets"]["category"][0]["coding"][0]["code"] == "therapy"
    assert obs["danger-sign:0"]["valueString"] == "bengkak kaki"


def test_findings_as_interpretations(mctx: MappingContext, mapper_registry: MapperRegistry) -> None:
    obs = observations(one(TYPE, ibu_hamil_record(), mctx, mapper_registry))
    assert interpretation(obs["muac"]) == ("L", "OI000018")  # KEK: LiLA < 23.5
    assert interpretation(obs["systolic"]) == ("H",)  # 145 >= 140
    assert interpretation(obs["diastolic"]) == ("N",)  # 85 < 90
    assert obs["systolic"]["interpretation"][0]["text"].startswith("Hipertensi dalam kehamilan")
    assert interpretation(obs["hb"]) == ("L",)  # 10.4 < 11.0 in pregnancy
    assert "weight" in obs and interpretation(obs["weight"]) == ()


def test_no_kek_no_hypertension(mctx: MappingContext, mapper_registry: MapperRegistry) -> None:
    record = ibu_hamil_record(muac_cm=23.5, systolic=139, diastolic=89, hb_g_dl=11.0)
    obs = observations(one(TYPE, record, mctx, mapper_registry))
    assert interpretation(obs["muac"]) == ("N",)
    assert interpretation(obs["systolic"]) == interpretation(obs["diastolic"]) == ("N",)
    assert interpretation(obs["hb"]) == ("N",)


def test_td_immunization(mctx: MappingContext, mapper_registry: MapperRegistry) -> None:
    [imm] = resources(one(TYPE, ibu_hamil_record(), mctx, mapper_registry), "Immunization")
    codes = [(c["system"], c["code"]) for c in imm["vaccineCode"]["coding"]]
    assert codes == [(urls.KFA, "93014731"), (urls.KFA, "VG107"), (urls.CVX, "139")]
    assert [c["code"] for c in imm["reasonCode"][0]["coding"]] == ["IM-WUS", "IM-Ideal"]
    assert imm["protocolApplied"] == [{"doseNumberPositiveInt": 2}]
    assert (imm["lotNumber"], imm["expirationDate"]) == ("TD2311A", "2025-01-31")
    catch_up = ibu_hamil_record(td_catch_up=True, td_kfa_code="93006988")
    [imm] = resources(one(TYPE, catch_up, mctx, mapper_registry), "Immunization")
    assert imm["reasonCode"][0]["coding"][1]["code"] == "IM-Kejar"
    assert imm["vaccineCode"]["coding"][0]["code"] == "93006988"


def test_expired_td_is_a_warning(mctx: MappingContext, mapper_registry: MapperRegistry) -> None:
    result = one(TYPE, ibu_hamil_record(td_expiry_date="2024-01-31"), mctx, mapper_registry)
    assert result.ok
    assert [(i.severity, i.message_id, i.field) for i in result.issues] == [
        ("warning", "ILP-6053", "td_expiry_date")
    ]


def test_unknown_td_product_fails_the_record(mctx: MappingContext) -> None:
    with pytest.raises(MappingError, match="not a KFA vaccine product") as exc:
        PosyanduIbuHamilMapper().map(ibu_hamil_record(td_kfa_code="93999999"), mctx)
    assert [(i.message_id, i.field) for i in exc.value.issues] == [("ILP-6052", "td_kfa_code")]


def test_referral_reasons(mctx: MappingContext, mapper_registry: MapperRegistry) -> None:
    result = one(TYPE, ibu_hamil_record(), mctx, mapper_registry)
    [referral] = resources(result, "ServiceRequest")
    obs = observations(result)
    full_url = {r["id"]: f"urn:uuid:{r['id']}" for r in obs.values()}
    assert referral["reasonCode"] == [{"text": "Periksa dokter: tekanan darah tinggi"}]
    assert referral["reasonReference"] == [
        {"reference": full_url[obs["systolic"]["id"]]},
        {"reference": full_url[obs["danger-sign:0"]["id"]]},
    ]
    assert referral["performer"] == [{"reference": "Organization/100011961"}]


def test_severe_anaemia_is_referred_mild_is_not(
    mctx: MappingContext, mapper_registry: MapperRegistry
) -> None:
    quiet = {"systolic": 110, "diastolic": 70, "danger_signs": None, "referral_reason": None}
    assert not resources(one(TYPE, ibu_hamil_record(**quiet), mctx, mapper_registry), "ServiceRequest")
    result = one(TYPE, ibu_hamil_record(hb_g_dl=6.5, **quiet), mctx, mapper_registry)
    [referral] = resources(result, "ServiceRequest")
    assert interpretation(observations(result)["hb"]) == ("LL",)
    assert "reasonCode" not in referral and len(referral["reasonReference"]) == 1


def test_referral_to_another_facility(mctx: MappingContext, mapper_registry: MapperRegistry) -> None:
    result = one(TYPE, ibu_hamil_record(referral_to_org_id="100000003"), mctx, mapper_registry)
    [referral] = resources(result, "ServiceRequest")
    assert referral["performer"] == [{"reference": "Organization/100000003"}]


def test_iron_tablets_as_yes_no(mctx: MappingContext, mapper_registry: MapperRegistry) -> None:
    obs = observations(one(TYPE, ibu_hamil_record(iron_tablets_given=True), mctx, mapper_registry))
    assert obs["iron-tablets"]["valueBoolean"] is True


def test_swapped_pressures_fail_the_record(mctx: MappingContext, mapper_registry: MapperRegistry) -> None:
    result = one(TYPE, ibu_hamil_record(systolic=80, diastolic=120), mctx, mapper_registry)
    assert not result.ok
    assert errors(result) == [
        ("ILP-6050", "diastolic", "the diastolic pressure must be lower than the systolic one")
    ]


def test_birth_after_visit_fails(mctx: MappingContext, mapper_registry: MapperRegistry) -> None:
    result = one(TYPE, ibu_hamil_record(birth_date="2024-04-01"), mctx, mapper_registry)
    assert [(i, f) for i, f, _ in errors(result)] == [("ILP-6025", "birth_date")]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"sex": "L"}, ("ILP-6004", "sex")),
        ({"anc_visit_number": 7}, ("ILP-6005", "anc_visit_number")),
        ({"systolic": 301}, ("ILP-6005", "systolic")),
        ({"muac_cm": "22,8 cm"}, ("ILP-6002", "muac_cm")),
        ({"gestational_age_weeks": None}, ("ILP-6001", "gestational_age_weeks")),
        ({"td_lot_number": None}, ("ILP-6001", "td_lot_number")),
        ({"td_kfa_code": "93005779"}, ("ILP-6004", "td_kfa_code")),
        ({"td_expiry_date": "2025-02-30"}, ("ILP-6003", "td_expiry_date")),
        ({"danger_signs": []}, ("ILP-6005", "danger_signs")),
        ({"nik": "35070152039700"}, ("ILP-6004", "nik")),
        ({"hamil": True}, ("ILP-6006", "hamil")),
    ],
)
def test_contract_errors(
    changes: dict[str, Any], expected: tuple[str, str], mctx: MappingContext, mapper_registry: MapperRegistry
) -> None:
    result = one(TYPE, ibu_hamil_record(**changes), mctx, mapper_registry)
    assert not result.ok and result.bundle is None
    assert expected in [(i, f) for i, f, _ in errors(result)]
