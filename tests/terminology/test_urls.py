"""The canonical URLs are exactly the ones the domain notes give."""

from __future__ import annotations

import pytest

from terminology import urls


def test_identifier_systems() -> None:
    assert urls.NIK == "https://fhir.kemkes.go.id/id/nik"
    assert urls.NIK_IBU == "https://fhir.kemkes.go.id/id/nik-ibu"
    assert urls.IHS_NUMBER == "https://fhir.kemkes.go.id/id/ihs-number"
    assert urls.encounter_identifier("100011961") == "http://sys-ids.kemkes.go.id/encounter/100011961"
    assert urls.organization_identifier("10000004") == "http://sys-ids.kemkes.go.id/organization/10000004"
    assert urls.episode_of_care_identifier("1") == "http://sys-ids.kemkes.go.id/episode-of-care/1"
    assert urls.prescription_item_identifier("1") == "http://sys-ids.kemkes.go.id/prescription-item/1"
    assert urls.servicerequest_identifier("1") == "http://sys-ids.kemkes.go.id/servicerequest/1"
    assert urls.KFA == "http://sys-ids.kemkes.go.id/kfa"


@pytest.mark.parametrize("bad", ["", "a/b", "x y", "1" * 65])
def test_bad_org_ids(bad: str) -> None:
    with pytest.raises(ValueError):
        urls.observation_identifier(bad)


def test_profiles_and_extensions() -> None:
    assert urls.profile("Patient") == "https://fhir.kemkes.go.id/r4/StructureDefinition/Patient"
    assert urls.ADMINISTRATIVE_CODE == "https://fhir.kemkes.go.id/r4/StructureDefinition/administrativeCode"
    assert urls.BIRTH_PLACE == "https://fhir.kemkes.go.id/r4/StructureDefinition/birthPlace"
    assert urls.CITIZENSHIP_STATUS == "https://fhir.kemkes.go.id/r4/StructureDefinition/citizenshipStatus"
    assert urls.IMMUNIZATION_REASON == "http://terminology.kemkes.go.id/CodeSystem/immunization-reason"
    assert urls.CLINICAL_TERM == "http://terminology.kemkes.go.id/CodeSystem/clinical-term"
