"""LOINC codes of the mappers with their UCUM units; UCUM syntax checked with ucumvert."""

from __future__ import annotations

import pytest
import ucumvert

from terminology.catalog import Catalog
from terminology.model import Reason
from terminology.service import TerminologyService
from terminology.urls import LOINC, UCUM

EXPECTED = {
    "8480-6": "mm[Hg]",
    "8462-4": "mm[Hg]",
    "8867-4": "/min",
    "8310-5": "Cel",
    "9279-1": "/min",
    "29463-7": "kg",
    "8302-2": "cm",
    "8306-3": "cm",
    "9843-4": "cm",
    "56072-2": "cm",
    "8280-0": "cm",
    "39156-5": "kg/m2",
    "718-7": "g/dL",
    "2345-7": "mg/dL",
    "41653-7": "mg/dL",
    "74774-1": "mg/dL",
    "2093-3": "mg/dL",
    "18185-9": "wk",
    "11881-0": "cm",
    "55283-6": "/min",
}


@pytest.mark.parametrize(("code", "preferred"), sorted(EXPECTED.items()))
def test_loinc_codes_and_preferred_units(svc: TerminologyService, code: str, preferred: str) -> None:
    assert svc.validate_code(code, system=LOINC).result
    assert svc.allowed_units(code)[0] == preferred
    assert svc.check_unit(code, preferred).result


def test_panel_has_no_unit_and_unknown_loinc(svc: TerminologyService) -> None:
    assert svc.lookup(LOINC, "85354-9").found
    assert svc.allowed_units("85354-9") == ()
    assert svc.validate_code("1234-5", system=LOINC).reason is Reason.UNKNOWN_CODE


def test_every_unit_in_the_data_is_ucum_by_ucumvert() -> None:
    parse = ucumvert.get_ucum_parser().parse
    catalog = Catalog.load()
    loinc = catalog.get("CodeSystem", "loinc-ilp")
    ucum = catalog.get("CodeSystem", "ucum-ilp")
    assert loinc is not None and ucum is not None
    units = {
        p["valueCode"] for c in loinc["concept"] for p in c.get("property", []) if p["code"] == "allowed-unit"
    }
    units |= {c["code"] for c in ucum["concept"]}
    for unit in sorted(units):
        parse(unit)  # raises on invalid syntax


def test_unit_checks(svc: TerminologyService) -> None:
    assert svc.check_unit("8310-5", "[degF]").result
    wrong = svc.check_unit("29463-7", "cm")
    assert not wrong.result and "kg, g, [lb_av]" in (wrong.message or "")
    not_ucum = svc.check_unit("29463-7", "lbs")
    assert not not_ucum.result and not_ucum.reason is Reason.UNKNOWN_CODE
    assert svc.units_for(LOINC, "8480-6") == frozenset({"mm[Hg]"})
    assert svc.units_for(LOINC, "85354-9") is None
    assert svc.units_for("http://snomed.info/sct", "27113001") is None


@pytest.mark.parametrize("unit", ["mg/dL", "10*3/uL", "{beats}/min", "kg.m-2", "mmol/L", "%", "[in_i]"])
def test_ucum_grammar_accepts(svc: TerminologyService, unit: str) -> None:
    assert svc.validate_code(unit, system=UCUM).result


@pytest.mark.parametrize("unit", ["mm[hg]", "KG", "kg/", " kg", "", "mmHg", "derajat"])
def test_ucum_grammar_rejects(svc: TerminologyService, unit: str) -> None:
    assert not svc.validate_code(unit, system=UCUM).result


def test_ucum_display(svc: TerminologyService) -> None:
    assert svc.validate_code("mm[Hg]", system=UCUM).display == "millimeter of mercury"
    assert svc.validate_code("10*3/uL", system=UCUM).display == "10*3/uL"
    assert svc.expand("http://hl7.org/fhir/ValueSet/units-of-time").total == 7
