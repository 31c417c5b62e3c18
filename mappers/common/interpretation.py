"""Observation.interpretation helpers: a coded interpretation from the terminology, and banding of a value
(z-scores per Permenkes 2/2020, blood pressure, …) into a code.

SATUSEHAT accepts interpretation codes of terminology.kemkes (clinical-term OI… for nutrition status),
SNOMED, v3-ObservationInterpretation or LOINC (Kamus Validasi 10398; domain notes §2.3, §2.5).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from terminology.service import TerminologyService


def coded(terminology: TerminologyService, system: str, code: str) -> dict[str, Any]:
    """A CodeableConcept with the display the terminology gives; raises LookupError for an unknown code
    (a mapper bug, not a data problem)."""
    concept = terminology.concept(system, code)
    if concept is None:
        raise LookupError(f"{code} is not a code of {system} in the terminology")
    coding = {"system": system, "code": code}
    if concept.display:
        coding["display"] = concept.display
    return {"coding": [coding]}


@dataclass(frozen=True, slots=True)
class Band:
    """``value`` belongs to the band when ``low <= value`` (``low_open``: ``low < value``) and
    ``value <= high`` (``high_open``: ``value < high``); None = unbounded."""

    code: str
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False

    def contains(self, value: float) -> bool:
        if self.low is not None and (value <= self.low if self.low_open else value < self.low):
            return False
        return not (self.high is not None and (value >= self.high if self.high_open else value > self.high))


def band(value: float, bands: Sequence[Band]) -> str | None:
    """The code of the first band containing ``value`` (a plain loop: called per z-score, and cheaper than
    ``next()`` over a generator)."""
    for b in bands:
        if b.contains(value):
            return b.code
    return None
