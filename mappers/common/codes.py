"""Codes the mappers emit that no SATUSEHAT source fixes yet (marked (!) in the docs).

``ILP_OBSERVATION`` is this gateway's own code system for findings SATUSEHAT has published no code for
(Observation.code of z-scores other than weight-for-length/height, vitamin A, exclusive breastfeeding,
development, the life-stage screenings). (!) SATUSEHAT accepts Observation.code only from LOINC, SNOMED CT or
terminology.kemkes ``examination`` (Kamus Validasi 10010): before forwarding, these need confirmed codes. The
codes and displays are data: ``terminology/data/curated/CodeSystem-ilp-observation.json``.
"""

from __future__ import annotations

from typing import Any

from mappers.common.interpretation import coded
from terminology import urls
from terminology.service import TerminologyService

ILP_OBSERVATION = urls.ILP_OBSERVATION_CODES


def ilp_code(terminology: TerminologyService, code: str) -> dict[str, Any]:
    """A CodeableConcept of :data:`ILP_OBSERVATION`, display from the terminology (LookupError for a code
    the CodeSystem does not have: a mapper bug)."""
    return coded(terminology, ILP_OBSERVATION, code)
