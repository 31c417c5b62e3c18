"""Visit → Encounter, as SATUSEHAT accepts one (Encounter resource page; Kamus Validasi rules 10117–10124;
``ivanwilliammd/satusehat-integration`` src/FHIR/Encounter.php; domain notes §3.1, §7).

* identifier ``http://sys-ids.kemkes.go.id/encounter/{org-id}`` = the record id (10117);
* ``class`` v3-ActCode (default ``AMB``; (!) no source says which class Posyandu outreach uses: ``FLD``
  would be the closer FHIR meaning, but SATUSEHAT's documented classes are AMB, EMER, IMP, HH, VR);
* subject (10118); participant ATND with ``individual`` = the health worker's Practitioner by NIK, a
  conditional reference the transaction resolves (10119); ``location`` = ``Location/<location_id>``
  (10120); ``serviceProvider`` = ``Organization/<facility_org_id>`` (10124);
* ``period`` start and end (10121, 10123; end later than start when finished) and ``statusHistory``
  arrived → in-progress → finished lying within the period (10122), all in UTC.
"""

from __future__ import annotations

from typing import Any

from mappers.common.visit import Visit
from terminology import urls

ENCOUNTER_PROFILE = urls.ilp_profile("ilp-encounter")
CLASS_DISPLAY = {"AMB": "ambulatory", "HH": "home health", "FLD": "field", "VR": "virtual"}


def encounter_resource(
    visit: Visit, subject: str, *, class_code: str = "AMB", subject_display: str | None = None
) -> dict[str, Any]:
    """The finished Encounter of ``visit`` for the Patient referenced by ``subject``."""
    arrived, in_progress, finished = visit.start, visit.measured, visit.end
    subject_ref: dict[str, str] = {"reference": subject}
    if subject_display:
        subject_ref["display"] = subject_display
    return {
        "resourceType": "Encounter",
        "meta": {"profile": [ENCOUNTER_PROFILE]},
        "identifier": [{"system": urls.encounter_identifier(visit.org_id), "value": visit.record_id}],
        "status": "finished",
        "class": {
            "system": urls.V3_ACT_CODE,
            "code": class_code,
            "display": CLASS_DISPLAY.get(class_code, ""),
        }
        if class_code in CLASS_DISPLAY
        else {"system": urls.V3_ACT_CODE, "code": class_code},
        "subject": subject_ref,
        "participant": [
            {
                "type": [
                    {
                        "coding": [
                            {"system": urls.V3_PARTICIPATION_TYPE, "code": "ATND", "display": "attender"}
                        ]
                    }
                ],
                "individual": visit.performer,
            }
        ],
        "period": {"start": arrived, "end": finished},
        "location": [{"location": visit.location}],
        "statusHistory": [
            {"status": "arrived", "period": {"start": arrived, "end": in_progress}},
            {"status": "in-progress", "period": {"start": in_progress, "end": finished}},
            {"status": "finished", "period": {"start": finished, "end": finished}},
        ],
        "serviceProvider": visit.organization,
    }
