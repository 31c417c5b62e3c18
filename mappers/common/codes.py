"""Codes the mappers emit that no SATUSEHAT source fixes yet (marked (!) in the docs).

``ILP_OBSERVATION`` is this gateway's own code system for findings SATUSEHAT has published no code for
(Observation.code of z-scores other than weight-for-length/height, vitamin A, exclusive breastfeeding,
development). (!) SATUSEHAT accepts Observation.code only from LOINC, SNOMED CT or terminology.kemkes
``examination`` (Kamus Validasi 10010): before forwarding, these need confirmed codes. The URL should
move to terminology/urls.py (with a CodeSystem in terminology/data) with the next terminology change.
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
}


def ilp_code(code: str) -> dict[str, Any]:
    """A CodeableConcept of :data:`ILP_OBSERVATION`."""
    return {"coding": [{"system": ILP_OBSERVATION, "code": code, "display": ILP_OBSERVATION_CODES[code]}]}
