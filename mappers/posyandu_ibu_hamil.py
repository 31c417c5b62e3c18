"""posyandu-ibu-hamil: an antenatal (ANC) visit of a pregnant woman at a Posyandu or Pustu → one transaction
Bundle (docs/records/posyandu-ibu-hamil.md).

What is measured (KMK HK.01.07/MENKES/2015/2023, Klaster 2, ibu hamil; domain notes §5.3): ANC K1–K6,
weight, LiLA (KEK detection), blood pressure, Hb, fundal height, iron/folate tablets (TTD), Td
immunization, danger signs (4T), referral. The Bundle:

* Patient (conditional create on the NIK), Encounter (:mod:`mappers.common`);
* Observations: gestational age 18185-9 (wk), ANC visit number (gateway code), weight 29463-7 (kg),
  height 8302-2 (cm), LiLA 56072-2 (cm) with the KEK finding (LiLA < 23.5 cm, clinical-term OI000018),
  systolic 8480-6 and diastolic 8462-4 (mm[Hg]) with the hypertension-in-pregnancy finding (≥ 140/90),
  Hb 718-7 (g/dL) with the WHO anaemia finding (pregnant: < 11.0), fundal height 11881-0 (cm), TTD given,
  one Observation per danger sign (findings: :mod:`mappers.findings`);
* Immunization for a Td dose (KFA product, vaccine group, CVX; reason IM-WUS, timing IM-Ideal or, for
  ``td_catch_up``, IM-Kejar);
* a referral ServiceRequest when ``referral_reason`` is given, a danger sign is recorded, the blood
  pressure is ≥ 140/90 or the anaemia is severe (Hb < 7.0): the Buku KIA sends a pregnant woman with a
  danger sign to a health facility at once, hypertension in pregnancy is managed at the Puskesmas/hospital
  (PNPK komplikasi kehamilan, KMK HK.01.07/MENKES/91/2017) and severe anaemia needs a doctor (WHO 2011).
  KEK and mild/moderate anaemia are followed up by programmes (PMT, TTD), not referred.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from mappers import findings
from mappers.base import MappingContext, RecordIssue
from mappers.common.errors import MappingError
from mappers.common.immunization import Vaccine, immunization_resource, reason, vaccine
from mappers.common.patient import Person
from mappers.common.visit import Visit
from mappers.life_stage import (
    EXPIRED_VACCINE,
    UNKNOWN_VACCINE,
    VisitRecorder,
    born_before,
    check_blood_pressure,
)
from terminology.service import TerminologyService

RECORD_TYPE = "posyandu-ibu-hamil"
DEFAULT_TD = "93014731"  # Vaksin Td 0,5 mL (Bio Td, BIO FARMA): KFA → VG107, CVX 139 Td (adult)


class PosyanduIbuHamilMapper:
    record_type = RECORD_TYPE

    def __init__(self) -> None:
        self._vaccines: dict[str, Vaccine | None] = {}

    def vaccine(self, terminology: TerminologyService, kfa_code: str) -> Vaccine | None:
        if kfa_code not in self._vaccines:
            self._vaccines[kfa_code] = vaccine(terminology, kfa_code)
        return self._vaccines[kfa_code]

    def map(self, record: dict[str, Any], ctx: MappingContext) -> tuple[dict[str, Any], list[RecordIssue]]:
        r = record
        visit = Visit.from_record(r, RECORD_TYPE)
        born = born_before(r["birth_date"], visit)
        check_blood_pressure(r)
        rec = VisitRecorder.for_person(ctx.terminology, visit, Person.from_record(r))

        rec.quantity("gestational-age", "18185-9", r["gestational_age_weeks"], category_code="exam")
        rec.score("anc-visit", "anc-visit-number", r["anc_visit_number"], category_code="exam")
        rec.quantity("weight", "29463-7", r["weight_kg"])
        if "height_cm" in r:
            rec.quantity("height", "8302-2", r["height_cm"])
        rec.quantity("muac", "56072-2", r["muac_cm"], category_code="exam", found=findings.kek(r["muac_cm"]))
        pressure = findings.hypertension(r["systolic"], r["diastolic"], pregnant=True)
        rec.blood_pressure(r["systolic"], r["diastolic"], pressure, refer=True)
        if "hb_g_dl" in r:
            anaemia = findings.anaemia(
                r["hb_g_dl"],
                age_months=findings.age_in_months(born, visit.arrived.date()),
                male=False,
                pregnant=True,
            )
            severe = anaemia is not None and anaemia.interpretation == "LL"
            rec.quantity("hb", "718-7", r["hb_g_dl"], category_code="laboratory", found=anaemia, refer=severe)
        if "fundal_height_cm" in r:
            rec.quantity("fundal-height", "11881-0", r["fundal_height_cm"], category_code="exam")
        if "iron_tablets_given" in r:
            rec.iron_tablets(r["iron_tablets_given"])
        for i, sign in enumerate(r.get("danger_signs", [])):
            rec.note(f"danger-sign:{i}", "danger-sign", sign, abnormal=True, refer=True)
        if "td_dose" in r:
            self.td(r, rec, ctx.terminology)
        rec.refer(r.get("referral_reason"), r.get("referral_to_org_id"))
        return rec.tx.bundle(), rec.warnings

    def td(self, r: dict[str, Any], rec: VisitRecorder, terminology: TerminologyService) -> None:
        """The Td dose given at the visit (Wanita Usia Subur programme immunization, IM-WUS)."""
        code = r.get("td_kfa_code", DEFAULT_TD)
        product = self.vaccine(terminology, code)
        if product is None:
            raise MappingError.at(
                "td_kfa_code",
                f"{code} is not a KFA vaccine product with a vaccine group and CVX code",
                UNKNOWN_VACCINE,
            )
        if date.fromisoformat(r["td_expiry_date"]) < rec.visit.arrived.date():
            rec.warn("td_expiry_date", "the Td vaccine had expired on the visit date", EXPIRED_VACCINE)
        timing = "IM-Kejar" if r.get("td_catch_up") else "IM-Ideal"
        resource = immunization_resource(
            rec.visit,
            "td",
            product,
            dose=r["td_dose"],
            lot_number=r["td_lot_number"],
            expiry_date=r["td_expiry_date"],
            subject=rec.subject,
            encounter=rec.encounter,
            reason_code=reason(terminology, "IM-WUS", timing),
        )
        rec.put(resource, "immunization:td")
