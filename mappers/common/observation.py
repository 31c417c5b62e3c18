"""Observations as SATUSEHAT accepts them (Observation resource page; Kamus Validasi 10009–10012, 10129,
10130, 10295, 10383; domain notes §2.3, §2.4, §3.1).

* ``status`` final; ``category`` observation-category (``vital-signs``, ``exam``, ``laboratory``, …);
* ``code``: LOINC for measurements (the ILP LOINC fragment of the terminology, with its display);
* ``subject`` Patient (10129), ``encounter`` (10130), ``performer`` the health worker (10383);
* ``effectiveDateTime`` in UTC (10295);
* ``valueQuantity`` with UCUM system and code (10012), the unit one the terminology allows for the LOINC
  code (the first allowed unit is the preferred one);
* identifier ``http://sys-ids.kemkes.go.id/observation/{org-id}`` (10441; (!) the Observation page shows
  ``…/organization/{org}`` instead) = ``<record id>:<role>``.

The resource id is deterministic: ``visit.id("obs:<role>")``.
"""

from __future__ import annotations

from typing import Any

from mappers.common.visit import Visit
from terminology import urls
from terminology.service import TerminologyService

OBSERVATION_PROFILE = urls.ilp_profile("ilp-observation")
CATEGORY_DISPLAY = {
    "vital-signs": "Vital Signs",
    "exam": "Exam",
    "laboratory": "Laboratory",
    "survey": "Survey",
    "social-history": "Social History",
}


def category(code: str) -> list[dict[str, Any]]:
    return [
        {"coding": [{"system": urls.OBSERVATION_CATEGORY, "code": code, "display": CATEGORY_DISPLAY[code]}]}
    ]


def loinc(terminology: TerminologyService, code: str) -> dict[str, Any]:
    """The LOINC CodeableConcept with the fragment's display; raises LookupError for a code the ILP
    fragment does not hold (a mapper bug)."""
    concept = terminology.concept(urls.LOINC, code)
    if concept is None:
        raise LookupError(f"LOINC {code} is not in the ILP LOINC fragment")
    return {"coding": [{"system": urls.LOINC, "code": code, "display": concept.display}]}


def quantity(terminology: TerminologyService, loinc_code: str, value: float, unit: str) -> dict[str, Any]:
    """A UCUM valueQuantity; ``unit`` must be one the terminology allows for ``loinc_code``."""
    allowed = terminology.allowed_units(loinc_code)
    if unit not in allowed:
        raise ValueError(f"{unit} is not an allowed unit of LOINC {loinc_code} ({allowed})")
    return {"value": value, "unit": unit, "system": urls.UCUM, "code": unit}


def observation(
    visit: Visit,
    role: str,
    code: dict[str, Any],
    *,
    subject: str,
    encounter: str,
    category_code: str = "exam",
    value: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """An Observation of the visit; ``value`` is ``{"valueQuantity": …}``, ``{"valueBoolean": …}``, ….
    ``role`` names it within the record (``weight``, ``z:wfa``) for its identifier."""
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "meta": {"profile": [OBSERVATION_PROFILE]},
        "identifier": [visit.identifier(urls.observation_identifier(visit.org_id), role)],
        "status": "final",
        "category": category(category_code),
        "code": code,
        "subject": {"reference": subject},
        "encounter": {"reference": encounter},
        "effectiveDateTime": visit.measured,
        "performer": [visit.performer],
    }
    if value:
        resource.update(value)
    return resource


def quantity_observation(
    terminology: TerminologyService,
    visit: Visit,
    role: str,
    loinc_code: str,
    value: float,
    unit: str,
    *,
    subject: str,
    encounter: str,
    category_code: str = "vital-signs",
) -> dict[str, Any]:
    """A measurement: LOINC code, UCUM quantity (see the module docstring)."""
    return observation(
        visit,
        role,
        loinc(terminology, loinc_code),
        subject=subject,
        encounter=encounter,
        category_code=category_code,
        value={"valueQuantity": quantity(terminology, loinc_code, value, unit)},
    )
