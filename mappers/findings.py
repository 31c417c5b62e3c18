"""Derived findings of the Posyandu and Puskesmas records: pure functions, no FHIR and no I/O.

Each function takes measured values and returns a :class:`Finding` (or ``None`` when no threshold applies,
e.g. an age the source does not cover). The threshold and its source are in each docstring; the mappers
turn a finding into ``Observation.interpretation`` (see ``docs/records/*.md``). Values exactly on a
threshold follow the source's wording ("< 23.5" is strict, "≥ 140" includes 140).

Interpretation codes are those of HL7 v3 ObservationInterpretation
(http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation): ``N``, ``L``, ``LL``, ``H``, ``HH``,
``POS``, ``NEG``; a finding with a national code also names it (``OI000018`` KEK in the Kemkes
``clinical-term`` system, SATUSEHAT "Lampiran Terminologi Gizi Tumbang Prioritas").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class Finding:
    """``key`` is stable (tests, docs, PWS counting); ``label`` is the Indonesian wording shown to staff;
    ``interpretation`` is a v3 ObservationInterpretation code; ``positive`` marks a finding that needs
    follow-up (and may trigger a referral)."""

    key: str
    label: str
    interpretation: str
    positive: bool
    clinical_term: str | None = None  # a Kemkes clinical-term code naming the finding, when one exists


ADULT_YEARS = 18
"""From this age the adult cut-offs apply: :func:`bmi_class`, :func:`central_obesity`, :func:`glucose`,
:func:`cholesterol`."""
BP_FROM_YEARS = 13
"""From this age the ≥ 140/90 cut-off of :func:`hypertension` applies."""


def not_adult(years: int) -> str:
    """The note on a value whose adult cut-off was not applied at ``years`` (under :data:`ADULT_YEARS`)."""
    return f"not classified at {years} years: the adult cut-offs apply from {ADULT_YEARS}"


def age_in_years(birth_date: date, on: date) -> int:
    """Completed years on ``on`` (the usual age in Indonesian registers: ulang tahun terakhir)."""
    years = on.year - birth_date.year
    if (on.month, on.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def age_in_months(birth_date: date, on: date) -> int:
    """Completed months on ``on``."""
    months = (on.year - birth_date.year) * 12 + on.month - birth_date.month
    if on.day < birth_date.day:
        months -= 1
    return months


# ------------------------------------------------------------------------------------------ pregnancy


def kek(muac_cm: float) -> Finding:
    """Chronic energy deficiency (Kurang Energi Kronis) of a pregnant woman: LiLA (MUAC) **< 23.5 cm**.

    Source: KMK HK.01.07/MENKES/2015/2023 (Juknis ILP), Klaster 2 ibu hamil (domain notes §5.3: "KEK =
    LiLA < 23.5 cm"); the national code is ``OI000018`` "Kurang Energi Kronis (KEK)" of the Kemkes
    clinical-term system (SATUSEHAT Gizi Tumbang appendix, domain notes §2.5).
    """
    if muac_cm < 23.5:
        return Finding("kek", "Kurang Energi Kronis (KEK): LiLA < 23,5 cm", "L", True, "OI000018")
    return Finding("kek-no", "Tidak KEK: LiLA ≥ 23,5 cm", "N", False)


# ------------------------------------------------------------------------------------- blood pressure


def hypertension(systolic: float, diastolic: float, *, pregnant: bool = False) -> Finding:
    """Hypertension: systolic **≥ 140** mmHg or diastolic **≥ 90** mmHg (either is enough).

    Sources: adults, PNPK Tata Laksana Hipertensi Dewasa (KMK HK.01.07/MENKES/4634/2021) and the
    Konsensus Penatalaksanaan Hipertensi 2019 of PERHI, both ≥ 140 and/or ≥ 90 mmHg (as WHO/ISH and
    JNC 7); pregnancy, PNPK Tata Laksana Komplikasi Kehamilan (KMK HK.01.07/MENKES/91/2017, hipertensi
    dalam kehamilan: ≥ 140/90 mmHg, after POGI and WHO 2011 "Recommendations for prevention and treatment
    of pre-eclampsia and eclampsia"). Adolescents from 13 years: the AAP 2017 Clinical Practice Guideline
    (Flynn et al., Pediatrics 140(3):e20171904) puts ≥ 140/90 in stage 2 hypertension, so the same cut-off
    holds from 13 years; younger children need percentile tables and are not classified here (the caller
    passes only ages the threshold covers).
    """
    if systolic >= 140 or diastolic >= 90:
        label = "Hipertensi dalam kehamilan" if pregnant else "Hipertensi"
        return Finding("hypertension", f"{label}: TD ≥ 140/90 mmHg", "H", True)
    return Finding("hypertension-no", "Tekanan darah < 140/90 mmHg", "N", False)


# ------------------------------------------------------------------------------------------ anaemia


def anaemia(hb_g_dl: float, *, age_months: int, male: bool, pregnant: bool = False) -> Finding | None:
    """Anaemia by the WHO haemoglobin thresholds (g/dL, at sea level, non-smokers):

    ======================================  =========  ========  ==========  =======
    population                              no anaemia  mild      moderate    severe
    ======================================  =========  ========  ==========  =======
    children 6–59 months                    ≥ 11.0      10.0–10.9  7.0–9.9     < 7.0
    children 5–11 years                     ≥ 11.5      11.0–11.4  8.0–10.9    < 8.0
    children 12–14 years                    ≥ 12.0      11.0–11.9  8.0–10.9    < 8.0
    non-pregnant women (≥ 15 years)         ≥ 12.0      11.0–11.9  8.0–10.9    < 8.0
    pregnant women                          ≥ 11.0      10.0–10.9  7.0–9.9     < 7.0
    men (≥ 15 years)                        ≥ 13.0      11.0–12.9  8.0–10.9    < 8.0
    ======================================  =========  ========  ==========  =======

    Source: WHO (2011) "Haemoglobin concentrations for the diagnosis of anaemia and assessment of
    severity", VMNIS, WHO/NMH/NHD/MNM/11.1, Table 1 (the thresholds Kemenkes uses for ibu hamil, remaja
    putri and catin). Severe anaemia is interpreted ``LL``, mild and moderate ``L``. Below 6 months WHO
    gives no threshold: ``None``. Altitude and smoking adjustments are not applied (not in the records).
    """
    if age_months < 6:
        return None
    if pregnant:
        group, normal, mild, moderate = "ibu hamil", 11.0, 10.0, 7.0
    elif age_months < 60:
        group, normal, mild, moderate = "anak 6–59 bulan", 11.0, 10.0, 7.0
    elif age_months < 12 * 12:
        group, normal, mild, moderate = "anak 5–11 tahun", 11.5, 11.0, 8.0
    elif age_months < 15 * 12:
        group, normal, mild, moderate = "anak 12–14 tahun", 12.0, 11.0, 8.0
    elif male:
        group, normal, mild, moderate = "laki-laki ≥ 15 tahun", 13.0, 11.0, 8.0
    else:
        group, normal, mild, moderate = "perempuan ≥ 15 tahun", 12.0, 11.0, 8.0
    if hb_g_dl >= normal:
        return Finding("anaemia-no", f"Tidak anemia ({group}: Hb ≥ {normal:g} g/dL)", "N", False)
    if hb_g_dl >= mild:
        return Finding("anaemia-mild", f"Anemia ringan ({group}: Hb < {normal:g} g/dL)", "L", True)
    if hb_g_dl >= moderate:
        return Finding("anaemia-moderate", f"Anemia sedang ({group}: Hb < {mild:g} g/dL)", "L", True)
    return Finding("anaemia-severe", f"Anemia berat ({group}: Hb < {moderate:g} g/dL)", "LL", True)


# --------------------------------------------------------------------------------- body composition


def bmi(weight_kg: float, height_cm: float) -> float:
    """Body-mass index, kg/m², rounded to one decimal (the precision of the Kemenkes classification)."""
    metres = height_cm / 100
    return round(weight_kg / (metres * metres), 1)


def bmi_class(bmi_value: float) -> Finding:
    """Adult BMI class (IMT, from 18 years) by the Indonesian thresholds (kg/m², one decimal):

    < 17.0 kurus berat (severe thinness), 17.0–18.4 kurus ringan (thinness), 18.5–25.0 normal,
    25.1–27.0 gemuk ringan (overweight), > 27.0 gemuk berat / obesitas (obese).

    Source: Kemenkes, Pedoman Gizi Seimbang (Permenkes 41/2014, after Depkes' PUGS 1996 / Direktorat Gizi
    Masyarakat 2000 "Batas Ambang IMT untuk Indonesia"), as used by the Posbindu PTM technical guideline of
    Direktorat P2PTM (2019) and the P2PTM "Tabel Batas Ambang Indeks Massa Tubuh (IMT)". (!) The P2PTM web
    page itself could not be read here; the values were confirmed through documents that quote it (a
    Puskesmas SOP citing the P2PTM 2019 juknis, and the Depkes table). These are not the WHO Asia-Pacific
    cut-offs (23/25). The value is rounded to one decimal before it is classified.
    """
    value = round(bmi_value, 1)
    if value < 17.0:
        return Finding("bmi-severe-thinness", "Kurus berat: IMT < 17,0", "LL", True)
    if value < 18.5:
        return Finding("bmi-thinness", "Kurus ringan: IMT 17,0–18,4", "L", True)
    if value <= 25.0:
        return Finding("bmi-normal", "Normal: IMT 18,5–25,0", "N", False)
    if value <= 27.0:
        return Finding("bmi-overweight", "Gemuk ringan (berat badan lebih): IMT 25,1–27,0", "H", True)
    return Finding("bmi-obese", "Gemuk berat (obesitas): IMT > 27,0", "HH", True)


def central_obesity(waist_cm: float, *, male: bool) -> Finding:
    """Central obesity (obesitas sentral): waist circumference **> 90 cm** for men, **> 80 cm** for women.

    Source: Kemenkes P2PTM (Posbindu PTM technical guideline 2019; the Riskesdas 2013/2018 definition of
    obesitas sentral), after the WHO Western Pacific Region / IASO / IOTF (2000) "The Asia-Pacific
    perspective: redefining obesity and its treatment" cut-offs for Asian adults.
    """
    limit = 90 if male else 80
    if waist_cm > limit:
        return Finding("central-obesity", f"Obesitas sentral: lingkar perut > {limit} cm", "H", True)
    return Finding("central-obesity-no", f"Lingkar perut ≤ {limit} cm", "N", False)


# ------------------------------------------------------------------------------------------ glucose


def glucose(value_mg_dl: float, kind: str) -> Finding:
    """Blood glucose screen, ``kind`` ``sewaktu`` (random) or ``puasa`` (fasting), mg/dL:

    * sewaktu **≥ 200** → diabetes suspected (suspek DM), else not classified further (``N``);
    * puasa **≥ 126** → diabetes suspected; **100–125** → impaired fasting glucose (GDPT, prediabetes);
      **< 100** normal.

    Source: PERKENI, Pedoman Pengelolaan dan Pencegahan Diabetes Melitus Tipe 2 Dewasa di Indonesia 2021
    (criteria: GDP ≥ 126 mg/dL; GDS ≥ 200 mg/dL with classic symptoms; prediabetes GDP 100–125), the same
    cut-offs as WHO 2006 "Definition and diagnosis of diabetes mellitus and intermediate hyperglycaemia" and
    the PNPK/Posbindu PTM referral criteria of Kemenkes. A screening value is not a diagnosis, hence
    "suspected". (!) PERKENI 2015's screening table gives a lower capillary fasting cut-off (≥ 100 mg/dL);
    the plasma-equivalent 126 is used for both specimens, as glucometers report plasma-calibrated values.
    """
    if kind == "puasa":
        if value_mg_dl >= 126:
            return Finding("diabetes-suspected", "Suspek diabetes: GDP ≥ 126 mg/dL", "H", True)
        if value_mg_dl >= 100:
            return Finding("prediabetes", "Glukosa darah puasa terganggu: GDP 100–125 mg/dL", "H", True)
        return Finding("glucose-normal", "GDP normal: < 100 mg/dL", "N", False)
    if kind != "sewaktu":
        raise ValueError(f"glucose kind must be sewaktu or puasa, not {kind!r}")
    if value_mg_dl >= 200:
        return Finding("diabetes-suspected", "Suspek diabetes: GDS ≥ 200 mg/dL", "H", True)
    return Finding("glucose-normal", "GDS < 200 mg/dL", "N", False)


# -------------------------------------------------------------------------------- screening scores


def srq20(score: int) -> Finding:
    """SRQ-20 (WHO Self-Reporting Questionnaire, 20 yes/no items) positive at **≥ 6** "yes" answers
    (gangguan mental emosional, refer for assessment).

    Source: the national cut-off of 6 used by Kemenkes for SRQ-20 screening from 18 years (KMK
    HK.01.07/MENKES/2015/2023 Juknis ILP, Klaster 3 kesehatan jiwa; Riskesdas 2013/2018, gangguan mental
    emosional = ≥ 6 of 20), after WHO (1994) "A user's guide to the Self Reporting Questionnaire".
    (!) Some SPM definitions write the cut-off as "> 6"; the ILP wording "≥ 6" is used.
    """
    if score >= 6:
        return Finding(
            "srq20-positive", "SRQ-20 positif (≥ 6 jawaban ya): gangguan mental emosional", "POS", True
        )
    return Finding("srq20-negative", "SRQ-20 negatif (< 6 jawaban ya)", "NEG", False)


def tb_symptom_screen(
    *, cough_2_weeks: bool, fever: bool = False, weight_loss: bool = False, night_sweats: bool = False
) -> Finding:
    """TB symptom screen: positive (terduga TBC, refer for a test) when the person has a cough of **2 weeks
    or more**, or **any** of fever, unexplained weight loss or night sweats.

    Sources: the main symptom, "batuk berdahak ≥ 2 minggu", is from the PNPK Tata Laksana Tuberkulosis
    (KMK HK.01.07/MENKES/755/2019) and Permenkes 67/2016 (Penanggulangan Tuberkulosis); the "any one
    symptom" rule over cough, fever, weight loss and night sweats is the WHO four-symptom screen (WHO
    consolidated guidelines on tuberculosis, Module 2: Screening, 2021). The ILP Posyandu checklist asks for
    the same four symptoms; (!) its exact decision rule could not be read here, so the more sensitive
    "any symptom" rule is applied.
    """
    reasons = [
        name
        for name, present in (
            ("batuk ≥ 2 minggu", cough_2_weeks),
            ("demam", fever),
            ("berat badan turun", weight_loss),
            ("keringat malam", night_sweats),
        )
        if present
    ]
    if reasons:
        return Finding("tb-presumptive", "Terduga TBC: " + ", ".join(reasons), "POS", True)
    return Finding("tb-negative", "Skrining gejala TBC negatif", "NEG", False)


def cholesterol(total_mg_dl: float) -> Finding:
    """Total cholesterol: **< 200** mg/dL desirable (``N``), **200–239** borderline high (``H``), **≥ 240**
    high (``HH``).

    Source: NCEP Adult Treatment Panel III (2002), "Third Report of the National Cholesterol Education
    Program Expert Panel on Detection, Evaluation, and Treatment of High Blood Cholesterol in Adults";
    the same bands appear in the Kemenkes P2PTM education material (kolesterol total normal
    < 200 mg/dL). A screening value: follow-up at the Puskesmas, no referral by itself.
    """
    if total_mg_dl >= 240:
        return Finding("cholesterol-high", "Kolesterol total tinggi: ≥ 240 mg/dL", "HH", True)
    if total_mg_dl >= 200:
        return Finding("cholesterol-borderline", "Kolesterol total batas tinggi: 200–239 mg/dL", "H", True)
    return Finding("cholesterol-normal", "Kolesterol total normal: < 200 mg/dL", "N", False)
