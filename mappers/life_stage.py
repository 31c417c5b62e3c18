"""What the life-stage mappers (posyandu-ibu-hamil, posyandu-remaja, posyandu-dewasa-lansia,
puskesmas-kunjungan) share: the measurements of a visit as Observations with their findings, the gateway
codes for screenings that have no published code, and the referral the findings call for.

* A measurement is one Observation (:func:`mappers.common.observation.quantity_observation`: LOINC code of
  the ILP fragment, UCUM unit the terminology allows for it).
* A finding (:mod:`mappers.findings`) is the measurement's ``interpretation``: the v3
  ObservationInterpretation code (H, L, …), the Kemkes clinical-term code when one names the finding
  (OI000018 KEK) and the Indonesian label as ``text``. Findings are interpretations, not Conditions: a
  Posyandu screening by a kader is not a diagnosis, and the ILP Condition profile requires an ICD-10 code a
  kader does not assign. Diagnoses come from puskesmas-kunjungan.
* Screening scores with no LOINC code in the terminology (SRQ-20, SDQ, PUMA, ADL, the TB symptom screen)
  are Observations with a code of the gateway's ``ilp-observation`` code system
  (:data:`mappers.common.codes.ILP_OBSERVATION`; the codes and displays are the CodeSystem
  ``terminology/data/curated/CodeSystem-ilp-observation.json``).
  (!) A QuestionnaireResponse would need one of SATUSEHAT's approved questionnaires (Q0006, Q0007,
  Q0008, Q0011, Q0023; rule 10169), and which of them is which screening is not known (domain notes
  §8.12), so none is used.
* Positive findings that call for a referral, and the record's own ``referral_reason``, become one
  ServiceRequest (:func:`mappers.common.referral.referral_request`) with ``reasonReference`` to the
  Observations and ``reasonCode.text`` for the reasons given as text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from mappers import findings
from mappers.base import RecordIssue
from mappers.bundle import TransactionBuilder
from mappers.common.codes import ilp_code
from mappers.common.encounter import encounter_resource
from mappers.common.errors import MappingError, finding
from mappers.common.interpretation import coded
from mappers.common.observation import category, observation, quantity_observation
from mappers.common.patient import Person, add_patient
from mappers.common.referral import referral_request
from mappers.common.visit import TIME_ORDER, Visit
from mappers.findings import Finding
from terminology import urls
from terminology.service import TerminologyService

# Message ids of the life-stage mappers (docs/message-ids.md, ILP-6050–6099)
BP_ORDER = "ILP-6050"
UNDER_ADULT_AGE = "ILP-6051"
UNKNOWN_VACCINE = "ILP-6052"
EXPIRED_VACCINE = "ILP-6053"

# (!) Screenings without a published code use the gateway's ilp-observation codes (module docstring).
SMOKING_LOINC = "72166-2"  # Tobacco smoking status (LOINC; answers SNOMED CT, as in HL7 IPS / US Core)
SMOKER = {"system": urls.SNOMED, "code": "77176002", "display": "Smoker"}
NON_SMOKER = {"system": urls.SNOMED, "code": "8392000", "display": "Non-smoker"}


def born_before(birth_date: str, visit: Visit) -> date:
    """The birth date, checked to lie on or before the visit's local date."""
    born = date.fromisoformat(birth_date)
    if born > visit.arrived.date():
        raise MappingError.at("birth_date", "the birth date is after the visit date", TIME_ORDER)
    return born


def check_blood_pressure(record: dict[str, Any], prefix: str = "") -> None:
    """A diastolic pressure at or above the systolic one is a recording error (swapped fields)."""
    if "systolic" in record and "diastolic" in record and record["diastolic"] >= record["systolic"]:
        raise MappingError.at(
            f"{prefix}diastolic", "the diastolic pressure must be lower than the systolic one", BP_ORDER
        )


@dataclass(slots=True)
class VisitRecorder:
    """Adds one visit's Observations, findings and referral to its transaction."""

    terminology: TerminologyService
    visit: Visit
    tx: TransactionBuilder
    subject: str
    encounter: str
    warnings: list[RecordIssue] = field(default_factory=list)
    referral_refs: list[str] = field(default_factory=list)
    referral_texts: list[str] = field(default_factory=list)

    @classmethod
    def for_person(cls, terminology: TerminologyService, visit: Visit, person: Person) -> VisitRecorder:
        """A new transaction with the person's Patient (:func:`add_patient`) and the visit's Encounter."""
        tx = TransactionBuilder()
        subject = add_patient(tx, person)
        encounter = tx.put(
            encounter_resource(visit, subject, subject_display=person.name), visit.id("encounter")
        )
        return cls(terminology, visit, tx, subject, encounter)

    # ------------------------------------------------------------------------------------ resources
    def put(self, resource: dict[str, Any], role: str) -> str:
        return self.tx.put(resource, self.visit.id(role))

    def warn(self, field_path: str, message: str, message_id: str) -> None:
        self.warnings.append(finding(field_path, message, message_id))

    def interpretation(self, found: Finding) -> list[dict[str, Any]]:
        concept = coded(self.terminology, urls.V3_OBSERVATION_INTERPRETATION, found.interpretation)
        if found.clinical_term:
            concept["coding"] += coded(self.terminology, urls.CLINICAL_TERM, found.clinical_term)["coding"]
        concept["text"] = found.label
        return [concept]

    def finish(self, resource: dict[str, Any], role: str, found: Finding | None, refer: bool) -> str:
        """Add ``resource`` with ``found`` as its interpretation; a positive finding with ``refer`` becomes a
        reason of the referral."""
        if found is not None:
            resource["interpretation"] = self.interpretation(found)
        ref = self.put(resource, f"obs:{role}")
        if found is not None and found.positive and refer:
            self.referral_refs.append(ref)
        return ref

    def bmi(
        self, weight_kg: float, height_cm: float, measured: tuple[str, str], *, adult: bool, note: str | None
    ) -> str:
        """BMI (LOINC 39156-5) derived from the weight and height Observations ``measured``, with the adult
        class (:func:`mappers.findings.bmi_class`) only for an adult."""
        value = findings.bmi(weight_kg, height_cm)
        found = findings.bmi_class(value) if adult else None
        return self.quantity("bmi", "39156-5", value, found=found, derived_from=measured, note=note)

    def quantity(
        self,
        role: str,
        loinc_code: str,
        value: float,
        *,
        unit: str | None = None,
        category_code: str = "vital-signs",
        found: Finding | None = None,
        refer: bool = False,
        derived_from: tuple[str, ...] = (),
        note: str | None = None,
        code_text: str | None = None,
    ) -> str:
        """A measurement (LOINC, UCUM; ``unit`` defaults to the preferred one) with its finding; ``note``
        says why a value is not interpreted, ``code_text`` names what was measured more precisely."""
        resource = quantity_observation(
            self.terminology,
            self.visit,
            role,
            loinc_code,
            value,
            unit or self.terminology.allowed_units(loinc_code)[0],
            subject=self.subject,
            encounter=self.encounter,
            category_code=category_code,
        )
        if derived_from:
            resource["derivedFrom"] = [{"reference": r} for r in derived_from]
        if note:
            resource["note"] = [{"text": note}]
        if code_text:
            resource["code"]["text"] = code_text
        return self.finish(resource, role, found, refer)

    def blood_pressure(
        self,
        systolic: float,
        diastolic: float,
        found: Finding | None,
        *,
        refer: bool = False,
        note: str | None = None,
    ) -> tuple[str, str]:
        """Systolic (8480-6) and diastolic (8462-4) as two Observations, the way SATUSEHAT integrations send
        them (domain notes §2.4). Each value is interpreted on its own: the one at or over its threshold
        (systolic ≥ 140, diastolic ≥ 90) carries the pair's finding (``H``, its label as text) and, with
        ``refer``, is a reason of the referral; the other is ``N``. ``found`` None: not interpreted (an
        age the thresholds do not cover)."""
        refs = []
        for role, code, value, limit, name in (
            ("systolic", "8480-6", systolic, 140, "Sistolik"),
            ("diastolic", "8462-4", diastolic, 90, "Diastolik"),
        ):
            own = None
            if found is not None:
                own = (
                    found
                    if found.positive and value >= limit
                    else Finding(f"{role}-normal", f"{name} < {limit} mmHg", "N", False)
                )
            refs.append(self.quantity(role, code, value, found=own, refer=refer, note=note))
        return refs[0], refs[1]

    def score(
        self,
        role: str,
        code: str,
        value: int,
        *,
        found: Finding | None = None,
        refer: bool = False,
        category_code: str = "survey",
    ) -> str:
        """A questionnaire score or count (``valueInteger``) with its finding."""
        resource = self.coded(role, ilp_code(self.terminology, code), category_code, {"valueInteger": value})
        return self.finish(resource, role, found, refer)

    def tb_screen(self, symptoms: dict[str, bool], found: Finding) -> str:
        """The TB symptom screen: one Observation, a boolean component per symptom asked, the result as
        interpretation (POS/NEG); a positive screen is always referred (presumptive TB needs a test)."""
        resource = self.coded("tb-screen", ilp_code(self.terminology, "tb-symptom-screen"), "survey", None)
        resource["component"] = [
            {
                "code": ilp_code(self.terminology, f"tb-{name.replace('_', '-')}"),
                "valueBoolean": symptoms[name],
            }
            for name in ("cough_2_weeks", "fever", "weight_loss", "night_sweats")
            if name in symptoms
        ]
        return self.finish(resource, "tb-screen", found, True)

    def smoking(self, smokes: bool) -> str:
        """Tobacco smoking status (LOINC 72166-2), SNOMED CT smoker / non-smoker."""
        concept = {
            "coding": [{"system": urls.LOINC, "code": SMOKING_LOINC, "display": "Tobacco smoking status"}]
        }
        value = {"valueCodeableConcept": {"coding": [dict(SMOKER if smokes else NON_SMOKER)]}}
        return self.put(self.coded("smoking", concept, "social-history", value), "obs:smoking")

    def iron_tablets(self, given: int | bool) -> str:
        """Tablet tambah darah: the number of tablets (UCUM ``{tbl}``) or, when only yes/no is recorded, a
        boolean. (!) An Observation, as the ILP profiles have no MedicationDispense/Statement profile and no
        KFA code for TTD is established here."""
        if isinstance(given, bool):
            value: dict[str, Any] = {"valueBoolean": given}
        else:
            value = {
                "valueQuantity": {"value": given, "unit": "tablet", "system": urls.UCUM, "code": "{tbl}"}
            }
        resource = self.coded("iron-tablets", ilp_code(self.terminology, "iron-tablets"), "exam", value)
        resource["category"] = [
            {"coding": [{"system": urls.OBSERVATION_CATEGORY, "code": "therapy", "display": "Therapy"}]}
        ]
        return self.put(resource, "obs:iron-tablets")

    def note(self, role: str, code: str, text: str, *, abnormal: bool, refer: bool) -> str:
        """A recorded sign as text (``valueString``), ``A`` (abnormal) when ``abnormal``."""
        resource = self.coded(role, ilp_code(self.terminology, code), "exam", {"valueString": text})
        if abnormal:
            resource["interpretation"] = [coded(self.terminology, urls.V3_OBSERVATION_INTERPRETATION, "A")]
        ref = self.put(resource, f"obs:{role}")
        if refer:
            self.referral_refs.append(ref)
        return ref

    def coded(
        self, role: str, code: dict[str, Any], category_code: str, value: dict[str, Any] | None
    ) -> dict[str, Any]:
        resource = observation(
            self.visit, role, code, subject=self.subject, encounter=self.encounter, value=value
        )
        resource["category"] = category(category_code)
        return resource

    # ------------------------------------------------------------------------------------- referral
    def refer(self, reason_text: str | None, to_org_id: str | None = None) -> str | None:
        """The visit's referral, when the record gives a reason or a finding called for one."""
        texts = [*self.referral_texts, *([reason_text] if reason_text else [])]
        if not texts and not self.referral_refs:
            return None
        resource = referral_request(
            self.visit,
            subject=self.subject,
            encounter=self.encounter,
            reason_text="; ".join(texts) or None,
            reason_references=self.referral_refs or None,
            to_org_id=to_org_id,
        )
        return self.put(resource, "referral")
