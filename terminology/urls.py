"""THE one module of canonical URLs: identifier systems, code systems, SATUSEHAT extensions and profiles.

Every other module (mappers, profiles, gateway) takes its URLs from here, so a correction is made once.
Sources: the domain notes (satusehat-and-ilp.md §2.1–2.5, §3.2), which cite the SATUSEHAT pages, the
Kamus Validasi rule numbers and the community libraries; entries marked (!) are conflicting or inferred
there. Identifier systems that carry the facility's Organization id (its IHS number in the Master Sarana
Index) are functions: ``encounter_identifier("100011961")`` →
``http://sys-ids.kemkes.go.id/encounter/100011961``.

FHIR background: https://hl7.org/fhir/R4/datatypes.html#Identifier,
https://hl7.org/fhir/R4/terminologies-systems.html.
"""

from __future__ import annotations

import re

# ------------------------------------------------------------------ our own canonical base (this gateway)
LOCAL_BASE = "https://ilp-gateway.example.id/fhir"  # placeholder: replace by a domain the project owns
ILP_PROFILE_BASE = f"{LOCAL_BASE}/StructureDefinition/"  # our profiles (ilp-patient, …) and extensions


def ilp_profile(name: str) -> str:
    """``ilp_profile("ilp-patient")`` → the canonical URL of one of this gateway's profiles."""
    return ILP_PROFILE_BASE + name


# Identifiers and codes the gateway itself defines (unconfirmed for SATUSEHAT; see docs/records)
NEWBORN_IDENTIFIER = f"{LOCAL_BASE}/sid/newborn"  # mother's NIK + birth date + birth order
ILP_OBSERVATION_CODES = f"{LOCAL_BASE}/CodeSystem/ilp-observation"
KFA_TO_VACCINE_GROUP = f"{LOCAL_BASE}/ConceptMap/kfa-vaccine-to-vaccine-group"
KFA_TO_CVX = f"{LOCAL_BASE}/ConceptMap/kfa-vaccine-to-cvx"

# ----------------------------------------------------------------------------- person identifier systems
NIK = "https://fhir.kemkes.go.id/id/nik"  # lower-case; the library README's /id/NIK is a typo
NIK_IBU = "https://fhir.kemkes.go.id/id/nik-ibu"  # mother's NIK on a newborn Patient
IHS_NUMBER = "https://fhir.kemkes.go.id/id/ihs-number"
# (!) IDCore spells the passport system …/passport, code in the wild sends …/paspor: emit one, accept both.
PASSPORT = "https://fhir.kemkes.go.id/id/passport"
PASSPORT_ALT = "https://fhir.kemkes.go.id/id/paspor"  # (!) accept on input
KK = "https://fhir.kemkes.go.id/id/kk"  # (!) family card, seen in one code-search hit only
SIP_NUMBER = "https://fhir.kemkes.go.id/id/sip-number"  # (!) practitioner licence, one library only

# ------------------------------------------------------------- facility-scoped identifier systems (sys-ids)
SYS_IDS = "http://sys-ids.kemkes.go.id"
KFA = f"{SYS_IDS}/kfa"  # KFA product/template codes and the vaccine-group (VG…) codes, used as a code system

_ORG_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")


def sys_ids(kind: str, org_id: str) -> str:
    """``http://sys-ids.kemkes.go.id/{kind}/{org_id}``; raises ValueError for an unusable org id."""
    if not _ORG_ID.match(org_id):
        raise ValueError(f"not an organization id: {org_id!r}")
    return f"{SYS_IDS}/{kind}/{org_id}"


def organization_identifier(org_id: str) -> str:
    """A facility's internal sub-organization codes (Kamus Validasi rule 10446)."""
    return sys_ids("organization", org_id)


def location_identifier(org_id: str) -> str:
    """Location identifiers (rule 10447)."""
    return sys_ids("location", org_id)


def encounter_identifier(org_id: str) -> str:
    """Encounter registration numbers (rule 10117)."""
    return sys_ids("encounter", org_id)


def asik_encounter_identifier(org_id: str) -> str:
    """Encounters recorded in ASIK (rule 10117)."""
    return sys_ids("asik", org_id)


def sitb_encounter_identifier(org_id: str) -> str:
    """Encounters recorded in SITB (rule 10117)."""
    return sys_ids("sitb", org_id)


def condition_identifier(org_id: str) -> str:
    """Condition identifiers (rule 10444)."""
    return sys_ids("condition", org_id)


def observation_identifier(org_id: str) -> str:
    """Observation identifiers (rule 10441). (!) The Observation page shows ``…/organization/{org}``."""
    return sys_ids("observation", org_id)


def procedure_identifier(org_id: str) -> str:
    """Procedure identifiers (rule 10442)."""
    return sys_ids("procedure", org_id)


def immunization_identifier(org_id: str) -> str:
    """Immunization identifiers (SATUSEHAT Immunization page)."""
    return sys_ids("immunization", org_id)


def servicerequest_identifier(org_id: str) -> str:
    return sys_ids("servicerequest", org_id)


def composition_identifier(org_id: str) -> str:
    """Composition identifiers (rule 10464)."""
    return sys_ids("composition", org_id)


def episode_of_care_identifier(org_id: str) -> str:
    """EpisodeOfCare identifiers (rule 10458)."""
    return sys_ids("episode-of-care", org_id)


def medication_identifier(org_id: str) -> str:
    return sys_ids("medication", org_id)


def prescription_identifier(org_id: str) -> str:
    """MedicationRequest (prescription) identifiers."""
    return sys_ids("prescription", org_id)


def prescription_item_identifier(org_id: str) -> str:
    return sys_ids("prescription-item", org_id)


def medicationstatement_identifier(org_id: str) -> str:
    return sys_ids("medicationstatement", org_id)


def allergy_identifier(org_id: str) -> str:
    return sys_ids("allergy", org_id)


def clinicalimpression_identifier(org_id: str) -> str:
    return sys_ids("clinicalimpression", org_id)


def specimen_identifier(org_id: str) -> str:
    """(!) The notes list ``/specimen`` without the org part; assumed to follow the others."""
    return sys_ids("specimen", org_id)


# Encounter episode identifiers (rule 10117), not facility-scoped.
EPISODE_ANC = "http://terminology.kemkes.go.id/CodeSystem/episodeofcare/ANC"
EPISODE_NEONATE = "http://terminology.kemkes.go.id/CodeSystem/episodeofcare/neonate"
EPISODE_PUERPERIUM = "http://terminology.kemkes.go.id/CodeSystem/episodeofcare/puerperium"

# ----------------------------------------------------------------------------- international code systems
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
SNOMED = "http://snomed.info/sct"
ICD_10 = "http://hl7.org/fhir/sid/icd-10"  # WHO edition; SATUSEHAT names version 2010
ICD_9_CM = "http://hl7.org/fhir/sid/icd-9-cm"  # procedures (volume 3) for Procedure.code
CVX = "http://hl7.org/fhir/sid/cvx"
BCP_47 = "urn:ietf:bcp:47"
ATC_DDD = "https://www.whocc.no/atc_ddd_index/"  # Immunization.route (e.g. inj.intramuscular)

# ------------------------------------------------------------------------------------ HL7 code systems
V3_ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"  # Encounter.class AMB, EMER, IMP, HH, VR
V3_PARTICIPATION_TYPE = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"  # ATND
V3_MARITAL_STATUS = "http://terminology.hl7.org/CodeSystem/v3-MaritalStatus"
V3_ACT_REASON = "http://terminology.hl7.org/CodeSystem/v3-ActReason"
V3_ROLE_CODE = "http://terminology.hl7.org/CodeSystem/v3-RoleCode"
V3_OBSERVATION_INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
V2_0131 = "http://terminology.hl7.org/CodeSystem/v2-0131"  # contact relationship
V2_0443 = "http://terminology.hl7.org/CodeSystem/v2-0443"  # Immunization.performer.function
DIAGNOSIS_ROLE = "http://terminology.hl7.org/CodeSystem/diagnosis-role"
SERVICE_TYPE = "http://terminology.hl7.org/CodeSystem/service-type"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
CONDITION_VER_STATUS = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
CONDITION_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
LOCATION_PHYSICAL_TYPE = "http://terminology.hl7.org/CodeSystem/location-physical-type"
ORGANIZATION_TYPE = "http://terminology.hl7.org/CodeSystem/organization-type"
IMMUNIZATION_ORIGIN = "http://terminology.hl7.org/CodeSystem/immunization-origin"
IMMUNIZATION_FUNDING_SOURCE = "http://terminology.hl7.org/CodeSystem/immunization-funding-source"
EPISODEOFCARE_TYPE = "http://terminology.hl7.org/CodeSystem/episodeofcare-type"
ADMINISTRATIVE_GENDER = "http://hl7.org/fhir/administrative-gender"

# ------------------------------------------------------------------- terminology.kemkes.go.id code systems
KEMKES_CS = "http://terminology.kemkes.go.id/CodeSystem/"
CLINICAL_TERM = KEMKES_CS + "clinical-term"  # OI… nutrition-status interpretation, OC…, ED…
EXAMINATION = KEMKES_CS + "examination"
KPTL = KEMKES_CS + "kptl"
KEMKES_ORGANIZATION_TYPE = KEMKES_CS + "organization-type"
KEMKES_LOCATION_TYPE = KEMKES_CS + "location-type"
KEMKES_LOCATION_PHYSICAL_TYPE = KEMKES_CS + "location-physical-type"
LOCATION_SERVICE_CLASS = KEMKES_CS + "locationServiceClass"
LOCATION_UPGRADE_CLASS = KEMKES_CS + "locationUpgradeClass"
MEDICATION_FORM = KEMKES_CS + "medication-form"
MEDICATION_TYPE = KEMKES_CS + "medication-type"
KEMKES_EPISODEOFCARE_TYPE = KEMKES_CS + "episodeofcare-type"
COMPOSITION_SECTION = KEMKES_CS + "composition-section"
IMMUNIZATION_REASON = KEMKES_CS + "immunization-reason"
IMMUNIZATION_ROUTINE_TIMING = KEMKES_CS + "immunization-routine-timing"
IMMUNIZATION_STATUS_REASON = KEMKES_CS + "immunization-statusReason"
IMMUNIZATION_FUNDING_SOURCE_KEMKES = KEMKES_CS + "immunization-fundingSource"
TB_CASE_DEFINITION = KEMKES_CS + "tb-case-definition"
CLINICAL_SPECIALITY = KEMKES_CS + "clinical-speciality"

# Kemendagri region codes: SATUSEHAT publishes no code system url for them, so this one is the gateway's.
KODE_WILAYAH = f"{LOCAL_BASE}/CodeSystem/kode-wilayah"

# ------------------------------------------------------------------------ profiles and extensions (prod)
PROFILE_BASE = "https://fhir.kemkes.go.id/r4/StructureDefinition/"


def profile(name: str) -> str:
    """``profile("Patient")`` → ``https://fhir.kemkes.go.id/r4/StructureDefinition/Patient``."""
    return PROFILE_BASE + name


ADMINISTRATIVE_CODE = PROFILE_BASE + "administrativeCode"  # Patient/Organization.address: province…rw
BIRTH_PLACE = PROFILE_BASE + "birthPlace"  # valueAddress {city, country}
CITIZENSHIP_STATUS = PROFILE_BASE + "citizenshipStatus"  # valueCode, e.g. WNI
MEDICATION_TYPE_EXTENSION = PROFILE_BASE + "MedicationType"
SERVICE_CLASS = PROFILE_BASE + "ServiceClass"
# (!) Draft IDCore names for the same extensions: accept on input, never emit.
ADDRESS_EXTENSION_IDCORE = PROFILE_BASE + "AddressExtension"
CITIZENSHIP_EXTENSION_IDCORE = PROFILE_BASE + "CitizenshipStatusExtension"
ADMINISTRATIVE_CODE_PARTS = ("province", "city", "district", "village", "rt", "rw")

# Questionnaires SATUSEHAT accepts in QuestionnaireResponse.questionnaire (rule 10169).
QUESTIONNAIRES = tuple(
    f"https://fhir.kemkes.go.id/Questionnaire/{q}" for q in ("Q0006", "Q0007", "Q0008", "Q0011", "Q0023")
)
