"""A referral (rujukan) → ServiceRequest, as the ILP ServiceRequest profile requires (status, intent,
code, subject, encounter, requester Practitioner, performer Organization, a reason; authoredOn in UTC).

(!) The domain notes give no SATUSEHAT rules for ServiceRequest (§3.1); identifier system
``http://sys-ids.kemkes.go.id/servicerequest/{org-id}`` is from ``ivanwilliammd/satusehat-integration``
(domain notes §2.1). ``code`` is SNOMED CT 3457005 "Patient referral (procedure)", ``category`` SNOMED
306206005 "Referral to service (procedure)" (international SNOMED concepts, not confirmed for SATUSEHAT);
the reason is free text (``reasonCode.text``) unless a coded finding is given.
"""

from __future__ import annotations

from typing import Any

from mappers.common.visit import Visit
from terminology import urls

SERVICE_REQUEST_PROFILE = urls.ilp_profile("ilp-service-request")
REFERRAL = {"system": urls.SNOMED, "code": "3457005", "display": "Patient referral"}
REFERRAL_CATEGORY = {"system": urls.SNOMED, "code": "306206005", "display": "Referral to service"}


def referral_request(
    visit: Visit,
    *,
    subject: str,
    encounter: str,
    reason_text: str | None = None,
    reason_codes: list[dict[str, Any]] | None = None,
    reason_references: list[str] | None = None,
    to_org_id: str | None = None,
    role: str = "referral",
    priority: str = "routine",
) -> dict[str, Any]:
    """A referral from the visit to ``to_org_id`` (default: the visit's own facility, i.e. a Posyandu or
    Pustu referring to its Puskesmas). At least one of the reasons must be given."""
    reasons: list[dict[str, Any]] = list(reason_codes or [])
    if reason_text:
        reasons.append({"text": reason_text})
    if not reasons and not reason_references:
        raise ValueError("a referral needs a reason")
    resource: dict[str, Any] = {
        "resourceType": "ServiceRequest",
        "meta": {"profile": [SERVICE_REQUEST_PROFILE]},
        "identifier": [visit.identifier(urls.servicerequest_identifier(visit.org_id), role)],
        "status": "active",
        "intent": "order",
        "priority": priority,
        "category": [{"coding": [REFERRAL_CATEGORY]}],
        "code": {"coding": [REFERRAL], "text": "Rujukan"},
        "subject": {"reference": subject},
        "encounter": {"reference": encounter},
        "authoredOn": visit.end,
        "requester": visit.performer,
        "performer": [{"reference": f"Organization/{to_org_id or visit.org_id}"}],
    }
    if reasons:
        resource["reasonCode"] = reasons
    if reason_references:
        resource["reasonReference"] = [{"reference": r} for r in reason_references]
    return resource
