"""Every official R4 search parameter of a supported type compiles, for every base type."""

from __future__ import annotations

from gateway.search.expression import compile_expression
from gateway.search.registry import INDEXED_TYPES, SearchRegistry
from profiles.definitions import R4Definitions


def test_every_r4_parameter_compiles(definitions: R4Definitions) -> None:
    compiled = 0
    for sp in definitions.search_parameters:
        if sp["type"] not in INDEXED_TYPES or "expression" not in sp:
            continue
        bases = sp["base"]
        if "Resource" in bases or "DomainResource" in bases:
            bases = sorted(definitions.resource_types)
        for base in bases:
            expr = compile_expression(definitions, base, sp["expression"])
            assert expr.paths or expr.deceased_special, (sp["url"], base)
            compiled += 1
    assert compiled > 2400


def test_choice_and_where(definitions: R4Definitions) -> None:
    value = compile_expression(definitions, "Observation", "(Observation.value as Quantity)")
    obs = {"valueQuantity": {"value": 1}, "valueString": "x"}
    assert list(value.evaluate(obs)) == [({"value": 1}, "Quantity")]
    effective = compile_expression(definitions, "Observation", "Observation.effective")
    assert list(effective.evaluate({"effectivePeriod": {"start": "2020"}})) == [({"start": "2020"}, "Period")]
    patient = compile_expression(
        definitions, "Observation", "Observation.subject.where(resolve() is Patient)"
    )
    assert list(patient.evaluate({"subject": {"reference": "Group/1"}})) == []
    assert len(list(patient.evaluate({"subject": {"reference": "https://x/fhir/Patient/1"}}))) == 1
    phone = compile_expression(definitions, "Patient", "Patient.telecom.where(system='phone')")
    telecom = {"telecom": [{"system": "email", "value": "a@b"}, {"system": "phone", "value": "0812"}]}
    assert [v["value"] for v, _ in phone.evaluate(telecom)] == ["0812"]


def test_extract_index_rows(registry: SearchRegistry) -> None:
    rows = registry.extract(
        {
            "resourceType": "Patient",
            "identifier": [{"system": "s", "value": "1"}],
            "name": [{"family": "Ménard", "given": ["René"]}],
            "birthDate": "2020-06-30",
            "deceasedDateTime": "2024-01-01",
            "generalPractitioner": [{"reference": "Practitioner/9"}],
        }
    )
    assert ("Patient.identifier", "s", "1") in rows.token
    assert ("Patient.deceased", None, "true") in rows.token
    assert ("Patient.family", "menard", "Ménard") in rows.string
    assert ("Patient.general-practitioner", "Practitioner", "9", None) in rows.reference
    assert [k for k, _, _ in rows.date] == ["Patient.birthdate", "Patient.death-date"]
