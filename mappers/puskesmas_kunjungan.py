"""puskesmas-kunjungan: an outpatient visit at a Puskesmas (or Pustu) from its SIMPUS → one transaction
Bundle (docs/records/puskesmas-kunjungan.md).

* Patient (conditional create on the NIK, or the newborn form) and the Encounter of the visit, whose
  identifier value is the SIMPUS registration number ``encounter_id`` (rule 10117), whose class is
  ``class`` (default AMB) and whose statusHistory is the record's own times: arrived → in-progress
  (``in_progress_at``) → finished (``finished_at``) (rules 10121–10123); ``diagnosis`` lists the Conditions
  with their rank and role DD (diagnosis-role; rule 10317);
* one Condition per diagnosis: ICD-10 with the WHO title (checked against the terminology: an unknown or
  non-codable code fails the record), category encounter-diagnosis, clinicalStatus active, recorder the
  practitioner (rule 10678), recordedDate in UTC;
* one Procedure per ICD-9-CM code (status completed, performer the practitioner, rule 10399);
* vitals as Observations: systolic 8480-6, diastolic 8462-4, heart rate 8867-4, respiratory rate 9279-1,
  temperature 8310-5 (Cel), weight 29463-7, height 8302-2, BMI 39156-5 when both; findings as for the
  Posyandu records (hypertension ≥ 140/90 from 13 years, adult BMI class from 18 years);
* one Observation per laboratory result: LOINC code, UCUM unit (for a code of the ILP fragment the unit
  must be one allowed for it; another LOINC code is accepted with a warning, its unit only syntax-checked),
  or a text result; Hb 718-7, glucose 2345-7/41653-7/74774-1 and cholesterol 2093-3 in g/dL / mg/dL get
  their findings (anaemia with the pregnancy threshold when ``pregnant``);
* one MedicationRequest per prescription item: KFA code (system ``http://sys-ids.kemkes.go.id/kfa``),
  identifiers prescription/{org} (the prescription) and prescription-item/{org} (the item), dosage text and
  timing (times per day), quantity and days as dispenseRequest;
* a referral ServiceRequest to ``referral.to_org_id``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from mappers import findings
from mappers.base import MappingContext, RecordIssue
from mappers.bundle import TransactionBuilder
from mappers.common.encounter import encounter_resource
from mappers.common.errors import MappingError
from mappers.common.patient import Person, add_patient
from mappers.common.visit import TIME_ORDER, Visit, local_datetime
from mappers.findings import Finding
from mappers.life_stage import VisitRecorder, born_before, check_blood_pressure
from terminology import urls
from terminology.service import TerminologyService

RECORD_TYPE = "puskesmas-kunjungan"
UNKNOWN_ICD10 = "ILP-6060"
UNKNOWN_ICD9CM = "ILP-6061"
REPEATED_CODE = "ILP-6062"
LAB_UNIT = "ILP-6063"
LAB_OUTSIDE_FRAGMENT = "ILP-6064"

CONDITION_PROFILE = urls.ilp_profile("ilp-condition")
PROCEDURE_PROFILE = urls.ilp_profile("ilp-procedure")
MEDICATION_REQUEST_PROFILE = urls.ilp_profile("ilp-medication-request")
# vitals field → (role, LOINC); the unit is the terminology's preferred one (mm[Hg], /min, Cel, kg, cm)
VITALS = {
    "heart_rate": ("heart-rate", "8867-4"),
    "resp_rate": ("resp-rate", "9279-1"),
    "temperature_c": ("temperature", "8310-5"),
}
GLUCOSE_CODES = frozenset({"2345-7", "41653-7", "74774-1"})


def visit_of(r: dict[str, Any]) -> Visit:
    """The visit with the record's own times (arrived ≤ in progress ≤ finished, arrived < finished)."""
    desa = r["desa_code"]
    times: dict[str, datetime] = {
        name: local_datetime(r[name], desa) for name in ("arrived_at", "in_progress_at", "finished_at")
    }
    if times["in_progress_at"] < times["arrived_at"]:
        raise MappingError.at("in_progress_at", "in_progress_at is before arrived_at", TIME_ORDER)
    if times["finished_at"] < times["in_progress_at"]:
        raise MappingError.at("finished_at", "finished_at is before in_progress_at", TIME_ORDER)
    if times["finished_at"] <= times["arrived_at"]:
        raise MappingError.at("finished_at", "finished_at must be later than arrived_at", TIME_ORDER)
    return Visit(
        RECORD_TYPE,
        r["record_id"],
        r["source_system"],
        r["org_id"],
        r["location_id"],
        r["practitioner_nik"],
        r["practitioner_name"],
        desa,
        times["arrived_at"],
        times["in_progress_at"],
        times["finished_at"],
    )


def person_of(r: dict[str, Any]) -> Person:
    return Person(
        name=r["patient_name"],
        sex=r["sex"],
        birth_date=r["birth_date"],
        desa_code=r["desa_code"],
        nik=r.get("patient_nik"),
        mother_nik=None if "patient_nik" in r else r.get("mother_nik"),
        birth_order=r.get("birth_order"),
        birth_place=r.get("birth_place"),
        rt=r.get("rt"),
        rw=r.get("rw"),
        phone=r.get("phone"),
    )


def checked_codes(
    terminology: TerminologyService,
    items: list[dict[str, Any]],
    key: str,
    group: str,
    system: str,
    message_id: str,
) -> list[tuple[str, str]]:
    """(code, display) of each item, in order; an unknown, non-codable or repeated code fails the record."""
    out: list[tuple[str, str]] = []
    for i, item in enumerate(items):
        code = item[key]
        found = terminology.validate_code(code, system=system)
        if not found.result:
            raise MappingError.at(f"{group}[{i}].{key}", found.message or f"{code} is not a code", message_id)
        if any(code == seen for seen, _ in out):
            raise MappingError.at(f"{group}[{i}].{key}", f"{code} is listed twice", REPEATED_CODE)
        out.append((code, found.display or code))
    return out


class PuskesmasKunjunganMapper:
    record_type = RECORD_TYPE

    def map(self, record: dict[str, Any], ctx: MappingContext) -> tuple[dict[str, Any], list[RecordIssue]]:
        return _Mapping(record, ctx.terminology).run()


class _Mapping:
    """One record being mapped."""

    def __init__(self, record: dict[str, Any], terminology: TerminologyService) -> None:
        self.r = record
        self.term = terminology
        self.visit = visit_of(record)
        born = born_before(record["birth_date"], self.visit)
        on = self.visit.arrived.date()
        self.years = findings.age_in_years(born, on)
        self.months = findings.age_in_months(born, on)
        check_blood_pressure(record.get("vitals", {}), "vitals.")
        self.diagnoses = checked_codes(
            terminology, record.get("diagnoses", []), "icd10", "diagnoses", urls.ICD_10, UNKNOWN_ICD10
        )
        self.procedures = checked_codes(
            terminology, record.get("procedures", []), "icd9cm", "procedures", urls.ICD_9_CM, UNKNOWN_ICD9CM
        )

    def run(self) -> tuple[dict[str, Any], list[RecordIssue]]:
        r, visit = self.r, self.visit
        tx = TransactionBuilder()
        person = person_of(r)
        subject = add_patient(tx, person)
        encounter_ref = f"urn:uuid:{visit.id('encounter')}"
        rec = VisitRecorder(self.term, visit, tx, subject, encounter_ref)
        tx.put(self.encounter(subject, person.name), visit.id("encounter"))
        for code, display in self.diagnoses:
            rec.put(self.condition(code, display, subject, encounter_ref), f"condition:{code}")
        for code, display in self.procedures:
            rec.put(self.procedure(code, display, subject, encounter_ref), f"procedure:{code}")
        self.vitals(rec)
        for i, lab in enumerate(r.get("labs", [])):
            self.lab(rec, i, lab)
        for i, item in enumerate(r.get("prescriptions", [])):
            rec.put(self.prescription(i, item, subject, encounter_ref), f"prescription:{i}")
        if "referral" in r:
            rec.refer(r["referral"]["reason"], r["referral"]["to_org_id"])
        return tx.bundle(), rec.warnings

    # ------------------------------------------------------------------------------------- encounter
    def encounter(self, subject: str, name: str) -> dict[str, Any]:
        r, visit = self.r, self.visit
        resource = encounter_resource(visit, subject, class_code=r.get("class", "AMB"), subject_display=name)
        resource["identifier"] = [
            {"system": urls.encounter_identifier(visit.org_id), "value": r["encounter_id"]}
        ]
        if self.diagnoses:
            ranks = {d["icd10"]: d["rank"] for d in r["diagnoses"]}
            resource["diagnosis"] = [
                {
                    "condition": {
                        "reference": f"urn:uuid:{visit.id(f'condition:{code}')}",
                        "display": display,
                    },
                    "use": {
                        "coding": [
                            {"system": urls.DIAGNOSIS_ROLE, "code": "DD", "display": "Discharge diagnosis"}
                        ]
                    },
                    "rank": ranks[code],
                }
                for code, display in self.diagnoses
            ]
        return resource

    # ---------------------------------------------------------------------------- diagnoses, procedures
    def condition(self, code: str, display: str, subject: str, encounter: str) -> dict[str, Any]:
        visit = self.visit
        return {
            "resourceType": "Condition",
            "meta": {"profile": [CONDITION_PROFILE]},
            "identifier": [visit.identifier(urls.condition_identifier(visit.org_id), f"condition:{code}")],
            "clinicalStatus": {
                "coding": [{"system": urls.CONDITION_CLINICAL, "code": "active", "display": "Active"}]
            },
            "category": [
                {
                    "coding": [
                        {
                            "system": urls.CONDITION_CATEGORY,
                            "code": "encounter-diagnosis",
                            "display": "Encounter Diagnosis",
                        }
                    ]
                }
            ],
            "code": {"coding": [{"system": urls.ICD_10, "code": code, "display": display}]},
            "subject": {"reference": subject},
            "encounter": {"reference": encounter},
            "recordedDate": visit.end,
            "recorder": visit.performer,
        }

    def procedure(self, code: str, display: str, subject: str, encounter: str) -> dict[str, Any]:
        visit = self.visit
        return {
            "resourceType": "Procedure",
            "meta": {"profile": [PROCEDURE_PROFILE]},
            "identifier": [visit.identifier(urls.procedure_identifier(visit.org_id), f"procedure:{code}")],
            "status": "completed",
            "code": {"coding": [{"system": urls.ICD_9_CM, "code": code, "display": display}]},
            "subject": {"reference": subject},
            "encounter": {"reference": encounter},
            "performedDateTime": visit.measured,
            "performer": [{"actor": visit.performer}],
        }

    # ---------------------------------------------------------------------------------------- vitals
    def vitals(self, rec: VisitRecorder) -> None:
        v: dict[str, Any] = self.r.get("vitals", {})
        if "systolic" in v:
            classified = self.years >= findings.BP_FROM_YEARS
            rec.blood_pressure(
                v["systolic"],
                v["diastolic"],
                findings.hypertension(v["systolic"], v["diastolic"], pregnant=self.r.get("pregnant", False))
                if classified
                else None,
            )
        for name, (role, code) in VITALS.items():
            if name in v:
                rec.quantity(role, code, v[name])
        weight = rec.quantity("weight", "29463-7", v["weight_kg"]) if "weight_kg" in v else None
        height = rec.quantity("height", "8302-2", v["height_cm"]) if "height_cm" in v else None
        if weight and height:
            adult = self.years >= findings.ADULT_YEARS
            note = None if adult else findings.not_adult(self.years)
            rec.bmi(v["weight_kg"], v["height_cm"], (weight, height), adult=adult, note=note)

    # ------------------------------------------------------------------------------------------ labs
    def lab(self, rec: VisitRecorder, i: int, lab: dict[str, Any]) -> None:
        code, value = lab["loinc"], lab["value"]
        where = f"labs[{i}]"
        concept = self.term.concept(urls.LOINC, code)
        if concept is None:
            rec.warn(
                f"{where}.loinc",
                f"LOINC {code} is not in the ILP LOINC fragment: sent as given, display and unit unchecked",
                LAB_OUTSIDE_FRAGMENT,
            )
        coding = {"system": urls.LOINC, "code": code}
        if concept is not None and concept.display:
            coding["display"] = concept.display
        if isinstance(value, str):
            payload: dict[str, Any] = {"valueString": value}
        else:
            unit = lab["unit"]
            allowed = self.term.allowed_units(code)
            valid = unit in allowed if allowed else self.term.validate_code(unit, system=urls.UCUM).result
            if not valid:
                expected = f"one of {', '.join(allowed)}" if allowed else "a UCUM unit"
                raise MappingError.at(
                    f"{where}.unit", f"'{unit}' is not {expected} for LOINC {code}", LAB_UNIT
                )
            payload = {"valueQuantity": {"value": value, "unit": unit, "system": urls.UCUM, "code": unit}}
        resource = rec.coded(f"lab:{i}", {"coding": [coding]}, "laboratory", payload)
        found = self.lab_finding(code, value, lab.get("unit"), lab.get("fasting", False))
        rec.finish(resource, f"lab:{i}", found, False)

    def lab_finding(self, code: str, value: float | str, unit: str | None, fasting: bool) -> Finding | None:
        if isinstance(value, str):
            return None
        if code == "718-7" and unit == "g/dL":
            return findings.anaemia(
                value,
                age_months=self.months,
                male=self.r["sex"] == "L",
                pregnant=self.r.get("pregnant", False),
            )
        if code in GLUCOSE_CODES and unit == "mg/dL" and self.years >= findings.ADULT_YEARS:
            return findings.glucose(value, "puasa" if fasting else "sewaktu")
        if code == "2093-3" and unit == "mg/dL" and self.years >= findings.ADULT_YEARS:
            return findings.cholesterol(value)
        return None

    # --------------------------------------------------------------------------------- prescriptions
    def prescription(self, i: int, item: dict[str, Any], subject: str, encounter: str) -> dict[str, Any]:
        visit, r = self.visit, self.r
        prescription = {"system": urls.prescription_identifier(visit.org_id), "value": r["record_id"]}
        quantity: dict[str, Any] = {"value": item["quantity"]}
        if "quantity_unit" in item:
            quantity["unit"] = item["quantity_unit"]
        return {
            "resourceType": "MedicationRequest",
            "meta": {"profile": [MEDICATION_REQUEST_PROFILE]},
            "identifier": [
                prescription,
                {
                    "system": urls.prescription_item_identifier(visit.org_id),
                    "value": f"{r['record_id']}-{i + 1}",
                },
            ],
            "status": "active",
            "intent": "order",
            "medicationCodeableConcept": {
                "coding": [{"system": urls.KFA, "code": item["kfa_code"], "display": item["name"]}],
                "text": item["name"],
            },
            "subject": {"reference": subject},
            "encounter": {"reference": encounter},
            "authoredOn": visit.measured,
            "requester": visit.performer,
            "groupIdentifier": prescription,
            "dosageInstruction": [
                {
                    "sequence": 1,
                    "text": f"{item['frequency']} x sehari {item['dose']} selama {item['days']} hari",
                    "timing": {"repeat": {"frequency": item["frequency"], "period": 1, "periodUnit": "d"}},
                }
            ],
            "dispenseRequest": {
                "quantity": quantity,
                "expectedSupplyDuration": {
                    "value": item["days"],
                    "unit": "hari",
                    "system": urls.UCUM,
                    "code": "d",
                },
            },
        }
