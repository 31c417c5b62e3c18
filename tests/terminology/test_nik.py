"""NIK checks: structure (python-stdnum), women's +40 day, region prefix against the Kemendagri table."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.exceptions import ValidationError
from stdnum.id import nik as stdnum_nik

from terminology.nik import _birth_date_ok, birth_date, check_consistency, check_nik, mask, sex
from terminology.service import TerminologyService

MALE = "3171011708450001"  # Gambir, 17-08-45, male
FEMALE = "3171015708450001"  # same date, day 17 + 40


def codes(number: str, svc: TerminologyService) -> list[tuple[str, str]]:
    return [(p.code, p.severity) for p in check_nik(number, svc.areas).problems]


def test_valid_male_and_female(svc: TerminologyService) -> None:
    male, female = check_nik(MALE, svc.areas), check_nik(FEMALE, svc.areas)
    assert male.valid and not male.problems and male.sex == "male"
    assert female.valid and not female.problems and female.sex == "female"
    assert (female.day, female.month, female.year2) == (17, 8, 45)
    assert birth_date(FEMALE) == birth_date(MALE) == datetime.date(1945, 8, 17)
    assert sex(FEMALE) == "female"


def test_same_structure_as_stdnum() -> None:
    assert stdnum_nik.get_birth_date(FEMALE) == datetime.date(1945, 8, 17)
    assert stdnum_nik.compact("3171 0157 0845 0001") == FEMALE


@pytest.mark.parametrize(
    ("number", "day"),
    [("3171014101900001", 1), ("3171017101900001", 31)],  # 41 → 1st, 71 → 31st (women)
)
def test_women_day_range(svc: TerminologyService, number: str, day: int) -> None:
    checked = check_nik(number, svc.areas)
    assert checked.valid and checked.sex == "female" and checked.day == day


@pytest.mark.parametrize(
    "number",
    [
        "3171010001900001",  # day 00
        "3171013201900001",  # day 32
        "3171014001900001",  # day 40 (0 for a woman)
        "3171017201900001",  # day 72 (32 for a woman)
        "3171011713950002",  # month 13
        "3171013002900001",  # 30 February
        "3171012902010001",  # 29 February 1901/2001
    ],
)
def test_invalid_birth_dates(svc: TerminologyService, number: str) -> None:
    assert codes(number, svc) == [("birth-date", "error")]
    assert not check_nik(number).valid


def test_leap_day_2000(svc: TerminologyService) -> None:
    assert check_nik("3171012902000001", svc.areas).valid
    assert birth_date("3171016902000001", today=datetime.date(2026, 1, 1)) == datetime.date(2000, 2, 29)


def test_century(svc: TerminologyService) -> None:
    today = datetime.date(2026, 11, 23)
    assert birth_date("3171010101100001", today=today) == datetime.date(2010, 1, 1)  # stdnum says 1910
    assert birth_date("3171010101900001", today=today) == datetime.date(1990, 1, 1)
    assert birth_date("3171010101300001", today=today) == datetime.date(1930, 1, 1)


@pytest.mark.parametrize(
    ("number", "problem"),
    [
        ("317101170845000", "length"),
        ("31710117084500011", "length"),
        ("31710117O8450001", "digits"),
        ("３１７１０１１７０８４５０００１", "digits"),  # full-width digits
        ("3171011708450000", "serial"),
    ],
)
def test_structure_errors(svc: TerminologyService, number: str, problem: str) -> None:
    assert codes(number, svc) == [(problem, "error")]


def test_region_prefix(svc: TerminologyService) -> None:
    assert codes("9901011708450001", svc) == [("province", "error")]  # no province 99
    assert codes("3199011708450001", svc) == [("regency", "error")]  # no regency 3199
    assert codes("3171991708450001", svc) == [("district", "error")]  # no district 317199
    assert codes("9301011708450001", svc) == []  # Papua Selatan (2022), Merauke
    assert codes("9601011708450001", svc) == []  # Papua Barat Daya (2022)
    legacy = check_nik("9471011708450001", svc.areas)  # Kota Jayapura before the 2022 recoding
    assert legacy.valid and [p.code for p in legacy.problems] == ["regency"]
    assert check_nik("9901011708450001").valid  # without the table the region is not checked


def test_never_shows_the_whole_nik(svc: TerminologyService) -> None:
    for number in (MALE, "9901011708450001", "3171019908450001", "3171011708450000", "3199011708450001"):
        checked = check_nik(number, svc.areas)
        assert checked.masked == "317101**********" or checked.masked.endswith("*" * 10)
        for problem in checked.problems:
            assert number not in problem.message
    assert mask(MALE) == "317101**********"


def test_consistency(svc: TerminologyService) -> None:
    checked = check_nik(FEMALE, svc.areas)
    assert check_consistency(checked, gender="female", birth_date=datetime.date(1945, 8, 17)) == ()
    found = check_consistency(checked, gender="male", birth_date=datetime.date(1945, 8, 18))
    assert [(p.code, p.severity) for p in found] == [("sex", "warning"), ("birth-date-mismatch", "warning")]


def test_service_adapter_for_the_validator(svc: TerminologyService) -> None:
    assert svc.nik_problems(FEMALE, "1945-08-17", "female") == []
    assert len(svc.nik_problems(FEMALE, "1945-08-17", "male")) == 1
    assert len(svc.nik_problems("3171011713950002", None, None)) == 1
    assert svc.nik_problems("9471011708450001", None, None) == []  # region warnings do not reject


@given(st.from_regex(r"[0-9]{16}", fullmatch=True))
def test_the_remembered_date_rule_is_python_stdnums(number: str) -> None:
    """check_nik remembers python-stdnum's birth-date answer per DDMMYY (digits 7–12); for any 16 digits
    it must be what get_birth_date itself says of the whole number."""
    try:
        stdnum_nik.get_birth_date(number)
        expected = True
    except ValidationError:
        expected = False
    assert _birth_date_ok(number) is expected
