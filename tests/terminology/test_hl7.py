"""HL7 R4 value sets of the required bindings, expanded at build time from the official definitions."""

from __future__ import annotations

import pytest

from profiles.definitions import R4Definitions
from terminology.model import Reason
from terminology.service import TerminologyService

VS = "http://hl7.org/fhir/ValueSet/"
IN_SCOPE = [
    "Patient",
    "Practitioner",
    "Organization",
    "Location",
    "Encounter",
    "Observation",
    "Condition",
    "Procedure",
    "Immunization",
    "MedicationRequest",
    "ServiceRequest",
    "QuestionnaireResponse",
    "MeasureReport",
]
DATATYPES = [
    "Address",
    "ContactPoint",
    "HumanName",
    "Identifier",
    "Quantity",
    "Age",
    "Duration",
    "Timing",
    "Narrative",
    "Attachment",
    "Money",
]
NOT_ENUMERABLE = {VS + "mimetypes", VS + "currencies"}  # BCP-13 and ISO 4217 are not vendored


def test_every_required_binding_of_the_in_scope_types_is_known(
    svc: TerminologyService, definitions: R4Definitions
) -> None:
    required = set()
    for rtype in IN_SCOPE + DATATYPES:
        for el in definitions.types[rtype].elements.values():
            if el.binding and el.binding[0] == "required":
                required.add(el.binding[1].split("|")[0])
    assert len(required) >= 30
    for url in sorted(required):
        assert svc.value_set(url) is not None, url
        assert svc.knows_valueset(url) == (url not in NOT_ENUMERABLE), url


@pytest.mark.parametrize(
    ("value_set", "good", "bad"),
    [
        ("administrative-gender", "female", "wanita"),
        ("observation-status", "final", "done"),
        ("encounter-status", "finished", "completed"),
        ("condition-clinical", "active", "aktif"),
        ("condition-ver-status", "confirmed", "sure"),
        ("immunization-status", "completed", "finished"),
        ("event-status", "completed", "done"),
        ("request-status", "active", "open"),
        ("request-intent", "original-order", "wish"),  # a nested concept of 'order'
        ("medicationrequest-status", "active", "open"),
        ("medicationrequest-intent", "order", "wish"),
        ("questionnaire-answers-status", "completed", "final"),
        ("measure-report-status", "complete", "completed"),
        ("measure-report-type", "summary", "total"),
        ("identifier-use", "official", "main"),
        ("name-use", "official", "formal"),
        ("contact-point-system", "phone", "mobile"),
        ("address-use", "home", "house"),
        ("location-status", "active", "open"),
        ("link-type", "replaced-by", "same"),
        ("days-of-week", "mon", "monday"),
        ("units-of-time", "wk", "week"),
        ("event-timing", "AC", "BREAKFAST"),  # included from v3-TimingEvent
        ("quantity-comparator", "<=", "=="),
    ],
)
def test_required_value_sets(svc: TerminologyService, value_set: str, good: str, bad: str) -> None:
    assert svc.validate_code(good, url=VS + value_set).result
    rejected = svc.validate_code(bad, url=VS + value_set)
    assert not rejected.result and rejected.reason is Reason.NOT_IN_VALUE_SET


def test_encounter_class_value_set_expanded_from_a_filter(svc: TerminologyService) -> None:
    expansion = svc.expand("http://terminology.hl7.org/ValueSet/v3-ActEncounterCode")
    codes = {e.code for e in expansion.contains}
    assert {"AMB", "EMER", "IMP", "HH", "VR", "ACUTE"} <= codes
    assert "_ActEncounterCode" not in codes  # the abstract parent is excluded


def test_is_not_a_filter(svc: TerminologyService) -> None:
    url = VS + "patient-contactrelationship"
    assert svc.validate_code("C", url=url).result
    assert not svc.validate_code("O", url=url).result


def test_abstract_concepts(svc: TerminologyService) -> None:
    v3 = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
    assert svc.validate_code("_ActEncounterCode", system=v3).reason is Reason.ABSTRACT
    assert svc.validate_code("_ActEncounterCode", system=v3, abstract=True).result


def test_display_mismatch_is_a_warning(svc: TerminologyService) -> None:
    found = svc.validate_code(
        "female", system="http://hl7.org/fhir/administrative-gender", display="Perempuan"
    )
    assert found.result and found.reason is Reason.INVALID_DISPLAY and found.severity == "warning"
    assert found.display == "Female"
    assert (
        svc.validate_code(
            "female", system="http://hl7.org/fhir/administrative-gender", display="FEMALE"
        ).reason
        is Reason.OK
    )


def test_partial_expansion_says_so(svc: TerminologyService) -> None:
    url = VS + "immunization-status-reason"
    assert svc.validate_code("IMMUNE", url=url).result
    snomed = svc.validate_code("1234", url=url, system="http://snomed.info/sct")
    assert not snomed.result and "incomplete" in (snomed.message or "")


def test_hl7_concept_map(svc: TerminologyService) -> None:
    result = svc.translate("http://hl7.org/fhir/administrative-gender", "female")
    assert result.result
    assert {(m.system, m.code) for m in result.matches} == {
        ("http://terminology.hl7.org/CodeSystem/v2-0001", "F"),
        ("http://terminology.hl7.org/CodeSystem/v3-AdministrativeGender", "F"),
    }


def test_unknown_system_and_value_set(svc: TerminologyService) -> None:
    assert svc.lookup("http://example.org/cs", "x").reason is Reason.UNKNOWN_SYSTEM
    assert svc.validate_code("x", system="http://example.org/cs").reason is Reason.UNKNOWN_SYSTEM
    assert svc.validate_code("x", url="http://example.org/vs").reason is Reason.UNKNOWN_VALUE_SET
    assert svc.expand("http://example.org/vs").reason is Reason.UNKNOWN_VALUE_SET
    assert svc.expand(VS + "mimetypes").reason is Reason.NOT_ENUMERABLE
    assert svc.translate("a", "b", url="http://example.org/cm").reason is Reason.UNKNOWN_CONCEPT_MAP
    assert svc.translate("http://example.org/cs", "b").reason is Reason.NO_MATCH
