"""posyandu-dewasa-lansia: a Posyandu visit of an adult (usia produktif) or an elderly person (lansia) →
one transaction Bundle (docs/records/posyandu-dewasa-lansia.md).

What is measured (KMK HK.01.07/MENKES/2015/2023, Klaster 3; domain notes §5.3): weight, height, waist
(obesity), blood pressure (hypertension), blood glucose (diabetes), cholesterol, smoking, SRQ-20 (mental
health), PUMA (COPD), TB symptoms at every visit, ADL/AKS for the elderly, referral. The Bundle:

* Patient (conditional create on the NIK), Encounter (:mod:`mappers.common`);
* Observations with findings (:mod:`mappers.findings`): weight 29463-7, height 8302-2, BMI 39156-5 (derived,
  Kemenkes adult class), waist 8280-0 (central obesity > 90 cm men / > 80 cm women), systolic 8480-6 and
  diastolic 8462-4 (hypertension ≥ 140/90), glucose 41653-7 (glucometer, capillary; default) or 2345-7
  (serum/plasma, ``glucose_specimen`` vena) in mg/dL (suspected diabetes: sewaktu ≥ 200, puasa ≥ 126),
  total cholesterol 2093-3 (NCEP ATP III bands), smoking status 72166-2, SRQ-20 score (positive ≥ 6),
  PUMA and ADL scores (recorded, not interpreted), the TB symptom screen (one Observation, a component per
  symptom);
* a referral ServiceRequest when ``referral_reason`` is given or a finding calls for one: a positive TB
  symptom screen (presumptive TB must be tested), hypertension, suspected diabetes, a positive SRQ-20
  (Posbindu PTM and ILP practice: a positive screening is referred to the Pustu/Puskesmas).

A person under 18 is not an adult: the record is mapped, the adult BMI and waist cut-offs are not applied
and a warning says so (ILP-6051).
"""

from __future__ import annotations

from typing import Any

from mappers import findings
from mappers.base import MappingContext, RecordIssue
from mappers.common.patient import Person
from mappers.common.visit import Visit
from mappers.life_stage import UNDER_ADULT_AGE, VisitRecorder, born_before, check_blood_pressure

RECORD_TYPE = "posyandu-dewasa-lansia"
GLUCOSE = {"kapiler": "41653-7", "vena": "2345-7"}
GLUCOSE_NAMES = {"sewaktu": "Glukosa darah sewaktu (GDS)", "puasa": "Glukosa darah puasa (GDP)"}


class PosyanduDewasaLansiaMapper:
    record_type = RECORD_TYPE

    def map(self, record: dict[str, Any], ctx: MappingContext) -> tuple[dict[str, Any], list[RecordIssue]]:
        r = record
        visit = Visit.from_record(r, RECORD_TYPE)
        born = born_before(r["birth_date"], visit)
        check_blood_pressure(r)
        years = findings.age_in_years(born, visit.arrived.date())
        adult = years >= findings.ADULT_YEARS
        male = r["sex"] == "L"
        rec = VisitRecorder.for_person(ctx.terminology, visit, Person.from_record(r))
        child = None
        if not adult:
            child = findings.not_adult(years)
            rec.warn(
                "birth_date",
                f"the person is {years} years old: a posyandu-dewasa-lansia record is for adults; the adult "
                "BMI and waist cut-offs were not applied (use posyandu-remaja)",
                UNDER_ADULT_AGE,
            )

        weight = rec.quantity("weight", "29463-7", r["weight_kg"])
        height = rec.quantity("height", "8302-2", r["height_cm"])
        rec.bmi(r["weight_kg"], r["height_cm"], (weight, height), adult=adult, note=child)
        central = findings.central_obesity(r["waist_cm"], male=male) if adult else None
        rec.quantity("waist", "8280-0", r["waist_cm"], found=central, note=child)
        classified = years >= findings.BP_FROM_YEARS
        rec.blood_pressure(
            r["systolic"],
            r["diastolic"],
            findings.hypertension(r["systolic"], r["diastolic"]) if classified else None,
            refer=True,
        )
        if "glucose_mg_dl" in r:
            self.glucose(r, rec)
        if "cholesterol_mg_dl" in r:
            total = r["cholesterol_mg_dl"]
            rec.quantity(
                "cholesterol", "2093-3", total, category_code="laboratory", found=findings.cholesterol(total)
            )
        if "smoking" in r:
            rec.smoking(r["smoking"])
        if "srq20_score" in r:
            rec.score(
                "srq20", "srq20-score", r["srq20_score"], found=findings.srq20(r["srq20_score"]), refer=True
            )
        if "puma_score" in r:
            rec.score("puma", "puma-score", r["puma_score"])
        if "adl_score" in r:
            rec.score("adl", "adl-score", r["adl_score"])
        if "tb_symptoms" in r:
            symptoms: dict[str, bool] = r["tb_symptoms"]
            rec.tb_screen(symptoms, findings.tb_symptom_screen(**symptoms))
        rec.refer(r.get("referral_reason"), r.get("referral_to_org_id"))
        return rec.tx.bundle(), rec.warnings

    @staticmethod
    def glucose(r: dict[str, Any], rec: VisitRecorder) -> None:
        """Blood glucose: the LOINC code follows the specimen (glucometer/capillary by default), the fasting
        state is the finding's threshold and the code's ``text``. (!) The ILP LOINC fragment has no fasting
        capillary glucose code, so fasting and random share 41653-7 / 2345-7."""
        kind = r["glucose_type"]
        code = GLUCOSE[r.get("glucose_specimen", "kapiler")]
        found = findings.glucose(r["glucose_mg_dl"], kind)
        rec.quantity(
            "glucose",
            code,
            r["glucose_mg_dl"],
            category_code="laboratory",
            found=found,
            refer=found.key == "diabetes-suspected",
            code_text=GLUCOSE_NAMES[kind],
        )
