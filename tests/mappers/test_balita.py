"""posyandu-balita: what the Bundle holds, times, identities, warnings and row failures."""

from __future__ import annotations

from typing import Any

import pytest

from mappers.base import MappingContext, MapResult
from mappers.pipeline import map_records
from mappers.reader import rows_from_records
from mappers.registry import MapperRegistry
from profiles.validator import Validator
from terminology import urls
from tests.mappers.conftest import balita_record

PROFILE = "https://ilp-gateway.example.id/fhir/StructureDefinition/ilp-"


def run(
    records: list[dict[str, Any]],
    mctx: MappingContext,
    registry: MapperRegistry,
    validator: Validator | None = None,
) -> list[MapResult]:
    return list(
        map_records("posyandu-balita", rows_from_records(records), mctx, registry, validator=validator)
    )


def one(record: dict[str, Any], mctx: MappingContext, registry: MapperRegistry) -> MapResult:
    [result] = run([record], mctx, registry)
    return result


def resources(result: MapResult, rtype: str | None = None) -> list[dict[str, Any]]:
    assert result.bundle is not None, result.issues
    return [e["resource"] for e in result.bundle["entry"] if rtype in (None, e["resource"]["resourceType"])]


def by_code(result: MapResult) -> dict[str, dict[str, Any]]:
    return {r["code"]["coding"][0]["code"]: r for r in resources(result, "Observation")}


def test_the_bundle(mctx: MappingContext, mapper_registry: MapperRegistry, validator: Validator) -> None:
    [result] = run([balita_record()], mctx, mapper_registry, validator)
    assert result.ok and result.issues == []
    bundle = result.bundle
    assert bundle is not None and bundle["type"] == "transaction"
    kinds = [e["resource"]["resourceType"] for e in bundle["entry"]]
    expected = ["Patient", "Patient", "Encounter", *["Observation"] * 9, "Immunization", *["Observation"] * 3]
    assert kinds == [*expected, "ServiceRequest"]
    assert all(e["resource"]["meta"]["profile"][0].startswith(PROFILE) for e in bundle["entry"])
    assert [e["request"]["method"] for e in bundle["entry"][:3]] == ["POST", "POST", "PUT"]
    assert bundle["entry"][0]["request"]["ifNoneExist"] == f"identifier={urls.NIK}|3171015205220001"
    full_urls = {e["fullUrl"] for e in bundle["entry"]}
    for entry in bundle["entry"][2:]:
        res = entry["resource"]
        subject = res.get("subject") or res.get("patient")
        assert subject["reference"] == bundle["entry"][0]["fullUrl"]
        if res["resourceType"] != "Encounter":
            assert res["encounter"]["reference"] in full_urls


def test_all_resource_types_with_referral(mctx: MappingContext, mapper_registry: MapperRegistry) -> None:
    result = one(balita_record(), mctx, mapper_registry)
    kinds = {r["resourceType"] for r in resources(result)}
    assert kinds == {"Patient", "Encounter", "Observation", "Immunization", "ServiceRequest"}
    [referral] = resources(result, "ServiceRequest")
    assert referral["reasonCode"] == [{"text": "Berat badan tidak naik 2 kali berturut-turut"}]
    assert referral["performer"] == [{"reference": "Organization/100011961"}]
    assert not resources(one(balita_record(referral_reason=None), mctx, mapper_registry), "ServiceRequest")


def test_measurements_and_zscores(mctx: MappingContext, mapper_registry: MapperRegistry) -> None:
    obs = by_code(one(balita_record(), mctx, mapper_registry))
    assert obs["29463-7"]["valueQuantity"] == {"value": 10.9, "unit": "kg", "system": urls.UCUM, "code": "kg"}
    assert obs["8306-3"]["valueQuantity"]["value"] == 84.5  # lying: length
    assert obs["9843-4"]["valueQuantity"]["code"] == "cm"
    assert obs["56072-2"]["category"][0]["coding"][0]["code"] == "exam"
    assert obs["29463-7"]["category"][0]["coding"][0]["code"] == "vital-signs"
    z = obs["z-bb-u"]
    assert z["valueQuantity"]["code"] == "{Zscore}"
    assert z["interpretation"][0]["coding"][0] == {
        "system": urls.CLINICAL_TERM,
        "code": "OI000009",
        "display": "Berat Badan Normal",
    }
    assert z["derivedFrom"] == [{"reference": f"urn:uuid:{obs['29463-7']['id']}"}]
    assert obs["OC000005"]["interpretation"][0]["coding"][0]["code"] == "OI000003"  # BB/PB gizi baik
    assert obs["z-pb-u"]["interpretation"][0]["coding"][0]["code"] == "OI000013"
    assert obs["perkembangan"]["valueCodeableConcept"]["coding"][0]["code"] == "OI000016"
    assert obs["asi-eksklusif"]["valueBoolean"] is False
    assert obs["vitamin-a"]["valueCodeableConcept"]["coding"][0]["code"] == "vitamin-a-merah"


def test_standing_child_uses_height_codes(mctx: MappingContext, mapper_registry: MapperRegistry) -> None:
    record = balita_record(
        birth_date="2021-01-12", nik="3171015201210001", measure_position="berdiri", height_cm=90.0
    )
    obs = by_code(one(record, mctx, mapper_registry))
    assert "8302-2" in obs and "z-tb-u" in obs and "OC000006" in obs


def test_times_are_utc_by_province(mctx: MappingContext, mapper_registry: MapperRegistry) -> None:
    [enc] = resources(one(balita_record(), mctx, mapper_registry), "Encounter")
    assert enc["period"] == {"start": "2024-03-12T02:10:00+00:00", "end": "2024-03-12T02:40:00+00:00"}
    assert [h["status"] for h in enc["statusHistory"]] == ["arrived", "in-progress", "finished"]
    papua = balita_record(desa_code="9103011001", visit_date="2024-03-12T09:10", visit_end="2024-03-12T10:00")
    [enc] = resources(one(papua, mctx, mapper_registry), "Encounter")
    assert enc["period"] == {"start": "2024-03-12T00:10:00+00:00", "end": "2024-03-12T01:00:00+00:00"}
    [enc] = resources(one(balita_record(visit_date="2024-03-12"), mctx, mapper_registry), "Encounter")
    assert enc["period"]["start"] == "2024-03-12T01:00:00+00:00"  # a bare date: 08:00 WIB


def test_newborn_form(mctx: MappingContext, mapper_registry: MapperRegistry, validator: Validator) -> None:
    record = balita_record(
        nik=None, birth_order=2, birth_date="2024-02-20", name="Bayi Ny. Rina", vitamin_a=None
    )
    [result] = run([record], mctx, mapper_registry, validator)
    assert result.ok, result.issues
    child, mother = resources(result, "Patient")
    assert child["identifier"][0] == {"use": "official", "system": urls.NIK_IBU, "value": "3171014503950002"}
    assert child["multipleBirthInteger"] == 2
    assert result.bundle is not None
    assert result.bundle["entry"][0]["request"]["ifNoneExist"] == (
        "identifier=https://ilp-gateway.example.id/fhir/sid/newborn|3171014503950002.2024-02-20.2"
    )
    assert mother["identifier"] == [{"use": "official", "system": urls.NIK, "value": "3171014503950002"}]
    assert mother["birthDate"] == "1995-03-05" and mother["gender"] == "female"


def test_same_record_same_ids(mctx: MappingContext, mapper_registry: MapperRegistry) -> None:
    first, again, other = run(
        [balita_record(), balita_record(), balita_record(record_id="BAL-0002")], mctx, mapper_registry
    )
    assert first.bundle == again.bundle
    assert first.bundle is not None and other.bundle is not None
    ids = [e["fullUrl"] for e in first.bundle["entry"]]
    other_ids = [e["fullUrl"] for e in other.bundle["entry"]]
    assert ids[:2] == other_ids[:2]  # the same child and mother
    assert not set(ids[2:]) & set(other_ids[2:])  # a new visit


def warnings(result: MapResult) -> list[tuple[str, str]]:
    return [(i.field, i.message_id) for i in result.issues if i.severity == "warning"]


def test_findings_are_warnings(mctx: MappingContext, mapper_registry: MapperRegistry) -> None:
    record = balita_record(
        weight_kg=30.0,
        measure_position="berdiri",
        vitamin_a="biru",
        immunizations=[{"vaccine": "93005779", "dose": 2, "lot_number": "A", "expiry_date": "2024-01-31"}],
    )
    result = one(record, mctx, mapper_registry)
    assert result.ok
    found = warnings(result)
    assert ("measure_position", "ILP-6035") in found
    assert ("weight_kg", "ILP-6031") in found  # WAZ > +5
    assert ("vitamin_a", "ILP-6036") in found
    assert ("immunizations[0].expiry_date", "ILP-6034") in found
    assert all(i.row == 1 and i.record_id == "BAL-0001" for i in result.issues)
    z = by_code(result)["z-bb-u"]
    assert "interpretation" not in z and "WHO's plausible range" in z["note"][0]["text"]


def test_child_over_59_months(mctx: MappingContext, mapper_registry: MapperRegistry) -> None:
    record = balita_record(
        birth_date="2018-01-12", nik="3171015201180001", measure_position="berdiri", height_cm=110.0
    )
    result = one(record, mctx, mapper_registry)
    assert result.ok and warnings(result) == [("birth_date", "ILP-6033"), ("vitamin_a", "ILP-6036")]
    assert not any(c.startswith("z-") for c in by_code(result))


@pytest.mark.parametrize(
    ("changes", "field", "message_id"),
    [
        (
            {
                "immunizations": [
                    {"vaccine": "93000000", "dose": 1, "lot_number": "A", "expiry_date": "2025-01-01"}
                ]
            },
            "immunizations[0].vaccine",
            "ILP-6030",
        ),
        ({"birth_date": "2024-04-01"}, "birth_date", "ILP-6025"),
        ({"visit_end": "2024-03-12T09:00"}, "visit_end", "ILP-6025"),
        ({"nik": "3171014503950002"}, "mother_nik", "ILP-6037"),
        ({"mother_nik": "3171019913950002"}, "mother_nik", "ILP-6038"),
        ({"weight_kg": "10.9"}, "weight_kg", "ILP-6002"),
    ],
)
def test_row_failures(
    mctx: MappingContext,
    mapper_registry: MapperRegistry,
    changes: dict[str, Any],
    field: str,
    message_id: str,
) -> None:
    result = one(balita_record(**changes), mctx, mapper_registry)
    assert result.bundle is None
    assert (field, message_id) in [(i.field, i.message_id) for i in result.issues]
    assert all(i.severity == "error" for i in result.issues)


def test_immunization(mctx: MappingContext, mapper_registry: MapperRegistry) -> None:
    record = balita_record(
        immunizations=[
            {"vaccine": "93001282", "dose": 4, "lot_number": "P1", "expiry_date": "2025-01-01"},
            {"vaccine": "93005208", "dose": 1, "lot_number": "B1", "expiry_date": "2025-01-01"},
        ]
    )
    penta, bcg = resources(one(record, mctx, mapper_registry), "Immunization")
    codes = [(c["system"], c["code"]) for c in penta["vaccineCode"]["coding"]]
    assert codes == [
        (urls.KFA, "93001282"),
        (urls.KFA, "VG17"),
        (urls.KFA, "VG45"),
        (urls.KFA, "VG107"),
        (urls.CVX, "198"),
    ]
    assert [c["code"] for c in penta["reasonCode"][0]["coding"]] == ["IM-Baduta", "IM-Ideal"]
    assert [c["code"] for c in bcg["reasonCode"][0]["coding"]] == ["IM-Dasar", "IM-Kejar"]
    assert penta["protocolApplied"] == [{"doseNumberPositiveInt": 4}]
    assert penta["lotNumber"] == "P1" and penta["expirationDate"] == "2025-01-01"
    assert penta["location"] == {"reference": "Location/posyandu-melati-01"}
    assert (
        penta["performer"][0]["actor"]["reference"] == f"Practitioner?identifier={urls.NIK}|3171014101850003"
    )
