"""SATUSEHAT code systems and value sets the profiles use."""

from __future__ import annotations

import pytest

from terminology.service import TerminologyService
from terminology.urls import (
    CLINICAL_TERM,
    KEMKES_ORGANIZATION_TYPE,
    LOCAL_BASE,
    ORGANIZATION_TYPE,
    V3_ACT_CODE,
)

VS = f"{LOCAL_BASE}/ValueSet/"
HL7_VS = "http://hl7.org/fhir/ValueSet/"


@pytest.mark.parametrize(
    ("code", "display"),
    [("OI000001", "Gizi Buruk"), ("OI000012", "Pendek"), ("OI000018", "Kurang Energi Kronis (KEK)")],
)
def test_nutrition_status(svc: TerminologyService, code: str, display: str) -> None:
    found = svc.validate_code(code, url=VS + "ilp-nutrition-status", system=CLINICAL_TERM)
    assert found.result and found.display == display


def test_nutrition_status_range(svc: TerminologyService) -> None:
    assert svc.expand(VS + "ilp-nutrition-status").total == 18
    assert not svc.validate_code("OI000019", url=VS + "ilp-nutrition-status").result
    assert svc.validate_code("OC000005", system=CLINICAL_TERM).result  # weight-for-length z-score
    assert [e.code for e in svc.expand(VS + "ilp-nutrition-status", filter="gizi bur").contains] == [
        "OI000001"
    ]


@pytest.mark.parametrize("code", ["AMB", "EMER", "IMP", "HH", "VR"])
def test_encounter_class(svc: TerminologyService, code: str) -> None:
    assert svc.validate_code(code, url=VS + "satusehat-encounter-class", system=V3_ACT_CODE).result


def test_encounter_class_rejects(svc: TerminologyService) -> None:
    assert not svc.validate_code("TELE", url=VS + "satusehat-encounter-class").result
    assert not svc.validate_code("TELE", system=V3_ACT_CODE).result
    assert svc.validate_code("ATND", url=VS + "satusehat-participant-type").result


def test_organization_type(svc: TerminologyService) -> None:
    url = VS + "satusehat-organization-type"
    assert svc.validate_code("prov", url=url, system=ORGANIZATION_TYPE).result
    assert svc.validate_code("131", url=url, system=KEMKES_ORGANIZATION_TYPE).display == "Posyandu"
    assert svc.validate_code("102", url=url).display == "Pusat Kesehatan Masyarakat"
    assert not svc.validate_code("999", url=url).result


@pytest.mark.parametrize(
    ("value_set", "good", "bad"),
    [
        ("location-physical-type", "bu", "gedung"),
        ("condition-category", "encounter-diagnosis", "diagnosis"),
        ("condition-category", "problem-list-item", "complaint"),
        ("observation-category", "vital-signs", "vitals"),
        ("diagnosis-role", "DD", "primary"),
        ("immunization-origin", "recall", "memory"),
        ("marital-status", "M", "K"),
    ],
)
def test_hl7_value_sets_satusehat_uses(svc: TerminologyService, value_set: str, good: str, bad: str) -> None:
    assert svc.validate_code(good, url=HL7_VS + value_set).result
    assert not svc.validate_code(bad, url=HL7_VS + value_set).result
