"""Codes the mappers emit that no SATUSEHAT source fixes yet (marked (!) in the docs).

``ILP_OBSERVATION`` is this gateway's own code system for findings SATUSEHAT has published no code for
(Observation.code of z-scores other than weight-for-length/height, vitamin A, exclusive breastfeeding,
development). (!) SATUSEHAT accepts Observation.code only from LOINC, SNOMED CT or terminology.kemkes
``examination`` (Kamus Validasi 10010): before forwarding, these need confirmed codes. The URL is in
terminology/urls.py; a CodeSystem resource for it in terminology/data is still to be written.
"""

from __future__ import annotations

from typing import Any

from terminology import urls

ILP_OBSERVATION = urls.ILP_OBSERVATION_CODES

# code → display (Bahasa Indonesia, as on the KMS / Buku KIA, with the English meaning)
ILP_OBSERVATION_CODES: dict[str, str] = {
    "z-bb-u": "Z-score berat badan menurut umur (BB/U, weight-for-age)",
    "z-pb-u": "Z-score panjang badan menurut umur (PB/U, length-for-age)",
    "z-tb-u": "Z-score tinggi badan menurut umur (TB/U, height-for-age)",
    "z-imt-u": "Z-score indeks massa tubuh menurut umur (IMT/U, BMI-for-age)",
    "z-lila-u": "Z-score lingkar lengan atas menurut umur (LiLA/U, MUAC-for-age)",
    "vitamin-a": "Kapsul vitamin A diberikan (vitamin A capsule given)",
    "vitamin-a-biru": "Kapsul biru 100.000 IU (6–11 bulan)",
    "vitamin-a-merah": "Kapsul merah 200.000 IU (12–59 bulan)",
    "asi-eksklusif": "ASI eksklusif (exclusive breastfeeding)",
    "perkembangan": "Perkembangan sesuai umur (development for age, KPSP / checklist)",
    # screenings and visit facts of the life-stage records (mappers/life_stage.py)
    "srq20-score": "Skor SRQ-20 (Self-Reporting Questionnaire, jumlah jawaban ya, 0–20)",
    "sdq-score": "Skor total kesulitan SDQ (Strengths and Difficulties Questionnaire, 0–40)",
    "puma-score": "Skor PUMA (kuesioner skrining PPOK, 0–9)",
    "adl-score": "Skor AKS/ADL (indeks Barthel, 0–20)",
    "tb-symptom-screen": "Skrining gejala TBC",
    "tb-cough-2-weeks": "Batuk ≥ 2 minggu",
    "tb-fever": "Demam",
    "tb-weight-loss": "Berat badan turun tanpa sebab jelas",
    "tb-night-sweats": "Keringat malam tanpa aktivitas",
    "iron-tablets": "Tablet tambah darah (TTD) diberikan",
    "danger-sign": "Tanda bahaya kehamilan",
    "anc-visit-number": "Kunjungan antenatal (ANC) ke-",
}


def ilp_code(code: str) -> dict[str, Any]:
    """A CodeableConcept of :data:`ILP_OBSERVATION`."""
    return {"coding": [{"system": ILP_OBSERVATION, "code": code, "display": ILP_OBSERVATION_CODES[code]}]}
