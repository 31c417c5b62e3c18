"""A vaccination → Immunization, as SATUSEHAT accepts one (Immunization resource page, mirrored from
satusehat.kemkes.go.id/platform/docs/id/fhir/resources/immunization/; Kamus Validasi 10103–10108,
10155, 10156, 10292–10294, 10305–10307, 10450, 10451, 10456; domain notes §2.4, §3.1).

* ``vaccineCode``: three codings: the KFA actual product (93…, system ``http://sys-ids.kemkes.go.id/kfa``),
  its vaccine group(s) (VG…, same system) and the CVX name (``http://hl7.org/fhir/sid/cvx``), from the
  terminology's KFA code system and the ConceptMaps kfa-vaccine-to-vaccine-group and kfa-vaccine-to-cvx;
* ``status`` completed, ``primarySource`` true (given by the health worker at this visit), so
  ``lotNumber`` (10306), ``expirationDate`` (10307) and ``location`` (10305) are sent;
* ``occurrenceDateTime`` and ``recorded`` in UTC (10156, 10451); ``performer.actor`` the health worker
  with function v2-0443 AP (10294, 10104); ``protocolApplied.doseNumberPositiveInt`` > 0 (10450, 10456);
* ``reasonCode``: immunization-reason (IM-Dasar, IM-Baduta, …) with immunization-routine-timing
  (IM-Ideal / IM-Kejar), mandatory for routine programme immunization (10105).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mappers.common.visit import Visit
from terminology import urls
from terminology.service import TerminologyService

IMMUNIZATION_PROFILE = urls.ilp_profile("ilp-immunization")
TO_GROUP = urls.KFA_TO_VACCINE_GROUP
TO_CVX = urls.KFA_TO_CVX


@dataclass(frozen=True, slots=True)
class Vaccine:
    """A KFA vaccine product with its groups, CVX code and routine-programme antigen (if any)."""

    codings: tuple[dict[str, str], ...]
    antigen: str | None


def vaccine(terminology: TerminologyService, kfa_code: str) -> Vaccine | None:
    """The vaccine of a KFA product code; None when the terminology does not know the product or has no
    vaccine group or CVX code for it (SATUSEHAT needs all three)."""
    concept = terminology.concept(urls.KFA, kfa_code)
    if concept is None or "product" not in {str(v) for v in concept.property_values("kind")}:
        return None
    groups = terminology.translate(urls.KFA, kfa_code, url=TO_GROUP)
    cvx = terminology.translate(urls.KFA, kfa_code, url=TO_CVX)
    if not groups.result or not cvx.result:
        return None
    codings = [{"system": urls.KFA, "code": kfa_code, "display": concept.display or kfa_code}]
    codings += [{"system": m.system, "code": m.code, "display": m.display or m.code} for m in groups.matches]
    first_cvx = cvx.matches[0]
    codings.append({"system": first_cvx.system, "code": first_cvx.code, "display": first_cvx.display or ""})
    antigens = [str(v) for v in concept.property_values("program-antigen")]
    return Vaccine(tuple(codings), antigens[0] if antigens else None)


def reason(terminology: TerminologyService, reason_code: str, timing_code: str | None) -> dict[str, Any]:
    codings = []
    for system, code in (
        (urls.IMMUNIZATION_REASON, reason_code),
        (urls.IMMUNIZATION_ROUTINE_TIMING, timing_code),
    ):
        if code is None:
            continue
        concept = terminology.concept(system, code)
        if concept is None:
            raise LookupError(f"{code} is not a code of {system}")
        codings.append({"system": system, "code": code, "display": concept.display or code})
    return {"coding": codings}


def immunization_resource(
    visit: Visit,
    role: str,
    given: Vaccine,
    *,
    dose: int,
    lot_number: str,
    expiry_date: str,
    subject: str,
    encounter: str,
    reason_code: dict[str, Any],
) -> dict[str, Any]:
    """A vaccine given at the visit by its health worker."""
    return {
        "resourceType": "Immunization",
        "meta": {"profile": [IMMUNIZATION_PROFILE]},
        "identifier": [visit.identifier(urls.immunization_identifier(visit.org_id), role)],
        "status": "completed",
        "vaccineCode": {"coding": [dict(c) for c in given.codings]},
        "patient": {"reference": subject},
        "encounter": {"reference": encounter},
        "occurrenceDateTime": visit.measured,
        "recorded": visit.end,
        "primarySource": True,
        "location": visit.location,
        "lotNumber": lot_number,
        "expirationDate": expiry_date,
        "performer": [
            {
                "function": {
                    "coding": [{"system": urls.V2_0443, "code": "AP", "display": "Administering Provider"}]
                },
                "actor": visit.performer,
            }
        ],
        "reasonCode": [reason_code],
        "protocolApplied": [{"doseNumberPositiveInt": dose}],
    }
