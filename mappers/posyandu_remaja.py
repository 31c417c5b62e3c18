"""posyandu-remaja: a Posyandu visit of a school-age child or adolescent → one transaction Bundle
(docs/records/posyandu-remaja.md).

What is measured (KMK HK.01.07/MENKES/2015/2023, Klaster 2, anak usia sekolah dan remaja; domain notes
§5.3): weight, height and waist (obesity screening), blood pressure, Hb (anaemia), iron tablets for girls,
smoking, mental health (SDQ), referral. The Bundle:

* Patient (conditional create on the NIK), Encounter (:mod:`mappers.common`);
* Observations: weight 29463-7, height 8302-2, BMI 39156-5 (derived from both), waist 8280-0, systolic
  8480-6 / diastolic 8462-4, Hb 718-7, TTD given, smoking status 72166-2, SDQ total difficulties score
  (gateway code);
* findings by age at the visit (:mod:`mappers.findings`): anaemia by the WHO thresholds for the age and
  sex (5–11 y < 11.5, 12–14 y < 12.0, girls ≥ 15 < 12.0, boys ≥ 15 < 13.0 g/dL); hypertension ≥ 140/90
  from 13 years (AAP 2017 stage 2); BMI class and central obesity only from 18 years (adult thresholds).
  Under 18, BMI-for-age needs the WHO 2007 5–19 year reference (Permenkes 2/2020 IMT/U), which the
  gateway does not hold: the BMI (and a waist, a blood pressure under 13 years) is recorded without
  interpretation and with a ``note`` saying why. The SDQ score is recorded without interpretation ((!) its
  bands depend on the informant version, which the record does not give);
* a referral ServiceRequest when ``referral_reason`` is given, the blood pressure is ≥ 140/90 (from 13
  years) or the anaemia is severe.
"""

from __future__ import annotations

from typing import Any

from mappers import findings
from mappers.base import MappingContext, RecordIssue
from mappers.common.patient import Person
from mappers.common.visit import Visit
from mappers.life_stage import VisitRecorder, born_before, check_blood_pressure

RECORD_TYPE = "posyandu-remaja"


class PosyanduRemajaMapper:
    record_type = RECORD_TYPE

    def map(self, record: dict[str, Any], ctx: MappingContext) -> tuple[dict[str, Any], list[RecordIssue]]:
        r = record
        visit = Visit.from_record(r, RECORD_TYPE)
        born = born_before(r["birth_date"], visit)
        check_blood_pressure(r)
        on = visit.arrived.date()
        years, months = findings.age_in_years(born, on), findings.age_in_months(born, on)
        male = r["sex"] == "L"
        adult = years >= findings.ADULT_YEARS
        child = findings.not_adult(years)
        rec = VisitRecorder.for_person(ctx.terminology, visit, Person.from_record(r))

        weight = rec.quantity("weight", "29463-7", r["weight_kg"])
        height = rec.quantity("height", "8302-2", r["height_cm"])
        bmi_note = (
            None if adult else f"{child}; BMI-for-age (WHO 2007, Permenkes 2/2020 IMT/U) is not computed"
        )
        rec.bmi(r["weight_kg"], r["height_cm"], (weight, height), adult=adult, note=bmi_note)
        if "waist_cm" in r:
            central = findings.central_obesity(r["waist_cm"], male=male) if adult else None
            rec.quantity("waist", "8280-0", r["waist_cm"], found=central, note=None if adult else child)
        if "systolic" in r:
            classified = years >= findings.BP_FROM_YEARS
            rec.blood_pressure(
                r["systolic"],
                r["diastolic"],
                findings.hypertension(r["systolic"], r["diastolic"]) if classified else None,
                refer=True,
                note=None
                if classified
                else f"not classified at {years} years: under {findings.BP_FROM_YEARS}, percentile tables",
            )
        if "hb_g_dl" in r:
            anaemia = findings.anaemia(r["hb_g_dl"], age_months=months, male=male)
            severe = anaemia is not None and anaemia.interpretation == "LL"
            rec.quantity("hb", "718-7", r["hb_g_dl"], category_code="laboratory", found=anaemia, refer=severe)
        if "iron_tablets_given" in r:
            rec.iron_tablets(r["iron_tablets_given"])
        if "smoking" in r:
            rec.smoking(r["smoking"])
        if "sdq_score" in r:
            rec.score("sdq", "sdq-score", r["sdq_score"])
        rec.refer(r.get("referral_reason"), r.get("referral_to_org_id"))
        return rec.tx.bundle(), rec.warnings
