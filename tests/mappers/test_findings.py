"""mappers.findings: every threshold at, just below and just above its boundary (sources in the module)."""

from __future__ import annotations

from datetime import date

import pytest

from mappers import findings


def key(found: findings.Finding | None) -> str | None:
    return None if found is None else found.key


@pytest.mark.parametrize(
    ("muac", "expected", "positive"), [(23.4, "kek", True), (23.5, "kek-no", False), (30.0, "kek-no", False)]
)
def test_kek_is_lila_under_23_5(muac: float, expected: str, positive: bool) -> None:
    found = findings.kek(muac)
    assert (found.key, found.positive) == (expected, positive)
    assert found.clinical_term == ("OI000018" if positive else None)


@pytest.mark.parametrize(
    ("systolic", "diastolic", "expected"),
    [
        (139, 89, "hypertension-no"),
        (140, 60, "hypertension"),
        (120, 90, "hypertension"),
        (139, 90, "hypertension"),
    ],
)
def test_hypertension_is_140_or_90(systolic: int, diastolic: int, expected: str) -> None:
    found = findings.hypertension(systolic, diastolic)
    assert found.key == expected
    assert found.interpretation == ("H" if expected == "hypertension" else "N")


def test_hypertension_in_pregnancy_has_its_own_label() -> None:
    assert findings.hypertension(150, 95, pregnant=True).label.startswith("Hipertensi dalam kehamilan")


@pytest.mark.parametrize(
    ("hb", "months", "male", "pregnant", "expected"),
    [
        # pregnant: < 11.0; severe < 7.0
        (11.0, 300, False, True, "anaemia-no"),
        (10.9, 300, False, True, "anaemia-mild"),
        (9.9, 300, False, True, "anaemia-moderate"),
        (6.9, 300, False, True, "anaemia-severe"),
        # non-pregnant women >= 15 y: < 12.0; severe < 8.0
        (12.0, 15 * 12, False, False, "anaemia-no"),
        (11.9, 15 * 12, False, False, "anaemia-mild"),
        (10.9, 15 * 12, False, False, "anaemia-moderate"),
        (7.9, 15 * 12, False, False, "anaemia-severe"),
        # men >= 15 y: < 13.0
        (13.0, 15 * 12, True, False, "anaemia-no"),
        (12.9, 15 * 12, True, False, "anaemia-mild"),
        # children 12–14 y: < 12.0 (boys too)
        (11.9, 12 * 12, True, False, "anaemia-mild"),
        (12.0, 15 * 12 - 1, True, False, "anaemia-no"),
        # children 5–11 y: < 11.5
        (11.4, 60, False, False, "anaemia-mild"),
        (11.5, 12 * 12 - 1, True, False, "anaemia-no"),
        # children 6–59 months: < 11.0; severe < 7.0
        (10.9, 6, True, False, "anaemia-mild"),
        (11.0, 59, False, False, "anaemia-no"),
        (6.9, 24, False, False, "anaemia-severe"),
        # under 6 months: no WHO threshold
        (9.0, 5, False, False, None),
    ],
)
def test_anaemia_by_who_2011(
    hb: float, months: int, male: bool, pregnant: bool, expected: str | None
) -> None:
    assert key(findings.anaemia(hb, age_months=months, male=male, pregnant=pregnant)) == expected


def test_severe_anaemia_is_critical_low() -> None:
    found = findings.anaemia(6.0, age_months=300, male=False, pregnant=True)
    assert found is not None and found.interpretation == "LL" and found.positive


def test_bmi_rounds_to_one_decimal() -> None:
    assert findings.bmi(78, 165) == 28.7
    assert findings.bmi(50, 160) == 19.5


@pytest.mark.parametrize(
    ("value", "expected", "code"),
    [
        (16.9, "bmi-severe-thinness", "LL"),
        (17.0, "bmi-thinness", "L"),
        (18.4, "bmi-thinness", "L"),
        (18.5, "bmi-normal", "N"),
        (25.0, "bmi-normal", "N"),
        (25.04, "bmi-normal", "N"),  # classified at one decimal
        (25.1, "bmi-overweight", "H"),
        (27.0, "bmi-overweight", "H"),
        (27.1, "bmi-obese", "HH"),
    ],
)
def test_bmi_class_kemenkes(value: float, expected: str, code: str) -> None:
    found = findings.bmi_class(value)
    assert (found.key, found.interpretation) == (expected, code)


@pytest.mark.parametrize(
    ("waist", "male", "expected"),
    [(90, True, False), (90.1, True, True), (80, False, False), (80.5, False, True), (85, True, False)],
)
def test_central_obesity(waist: float, male: bool, expected: bool) -> None:
    assert findings.central_obesity(waist, male=male).positive is expected


@pytest.mark.parametrize(
    ("value", "kind", "expected"),
    [
        (199, "sewaktu", "glucose-normal"),
        (200, "sewaktu", "diabetes-suspected"),
        (99, "puasa", "glucose-normal"),
        (100, "puasa", "prediabetes"),
        (125, "puasa", "prediabetes"),
        (126, "puasa", "diabetes-suspected"),
    ],
)
def test_glucose_thresholds(value: float, kind: str, expected: str) -> None:
    assert findings.glucose(value, kind).key == expected


def test_glucose_kind_is_checked() -> None:
    with pytest.raises(ValueError):
        findings.glucose(120, "2jpp")


@pytest.mark.parametrize(("total", "expected"), [(199, "N"), (200, "H"), (239, "H"), (240, "HH")])
def test_cholesterol_ncep_bands(total: float, expected: str) -> None:
    assert findings.cholesterol(total).interpretation == expected


@pytest.mark.parametrize(("score", "positive"), [(0, False), (5, False), (6, True), (20, True)])
def test_srq20_positive_from_6(score: int, positive: bool) -> None:
    found = findings.srq20(score)
    assert found.positive is positive
    assert found.interpretation == ("POS" if positive else "NEG")


def test_tb_screen_cough_of_two_weeks_is_enough() -> None:
    found = findings.tb_symptom_screen(cough_2_weeks=True)
    assert (found.key, found.interpretation) == ("tb-presumptive", "POS")
    assert "batuk ≥ 2 minggu" in found.label


@pytest.mark.parametrize("symptom", ["fever", "weight_loss", "night_sweats"])
def test_tb_screen_any_other_symptom(symptom: str) -> None:
    flags = {"fever": False, "weight_loss": False, "night_sweats": False} | {symptom: True}
    assert findings.tb_symptom_screen(cough_2_weeks=False, **flags).positive


def test_tb_screen_negative() -> None:
    found = findings.tb_symptom_screen(
        cough_2_weeks=False, fever=False, weight_loss=False, night_sweats=False
    )
    assert (found.key, found.interpretation, found.positive) == ("tb-negative", "NEG", False)


@pytest.mark.parametrize(
    ("born", "on", "years", "months"),
    [
        (date(2010, 6, 5), date(2024, 6, 4), 13, 167),
        (date(2010, 6, 5), date(2024, 6, 5), 14, 168),
        (date(2020, 2, 29), date(2021, 2, 28), 0, 11),
        (date(2024, 1, 31), date(2024, 2, 29), 0, 0),
    ],
)
def test_ages(born: date, on: date, years: int, months: int) -> None:
    assert findings.age_in_years(born, on) == years
    assert findings.age_in_months(born, on) == months
