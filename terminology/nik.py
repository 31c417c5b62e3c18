"""NIK (Nomor Induk Kependudukan) checks: structure, birth date, sex and region prefix.

Structure (domain notes §6; Dukcapil): 16 digits ``PPRRSSDDMMYYXXXX``: province, regency/city and district
of first registration, birth date DDMMYY with 40 added to the day for women, a serial from 0001. There is
no check digit. python-stdnum's ``stdnum.id.nik`` implements the same structure; its date rule
(``get_birth_date``: day modulo 40, the date must exist in 19YY or 20YY) is used here, with the stricter
day ranges 01–31 / 41–71 on top. Separators are not accepted (an identifier value is the bare 16 digits;
the message suggests removing them). Its region check is NOT used: its table
(``stdnum/id/loc.dat``) has 4-digit codes from before the 2022 Papua split and BPS-style numbering in
places (``1101`` is Simeulue there, Aceh Selatan in Kemendagri's table), so the region prefix is checked
against the Kemendagri table of this package instead (``terminology.areas``).

A NIK keeps the region code of its first registration for life, so a prefix retired by a later split
(e.g. pre-2022 Papua ``94xx``) can be legitimate: an unknown regency or district is reported as a
warning, an unknown province or a broken structure as an error. Each problem is listed so a validator can
turn it into an issue. Nothing here logs or echoes a full NIK (see :func:`mask`).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import lru_cache

from stdnum.exceptions import ValidationError
from stdnum.id import nik as stdnum_nik

from terminology.areas import Areas

LENGTH = 16
# Provinces whose regency codes the 2022 split renumbered (Papua → Papua, Papua Selatan, Papua Tengah,
# Papua Pegunungan; Papua Barat → Papua Barat, Papua Barat Daya): older NIKs there may carry retired codes.
PAPUA_BEFORE_2022 = frozenset({"91", "92", "93", "94", "95", "96"})


@dataclass(frozen=True, slots=True)
class NikProblem:
    # length | digits | birth-date | serial | province | regency | district | sex | birth-date-mismatch
    code: str
    severity: str  # error | warning
    message: str


@dataclass(frozen=True, slots=True)
class NikCheck:
    """The outcome of :func:`check_nik`; ``masked`` is safe to log."""

    masked: str
    problems: tuple[NikProblem, ...] = ()
    sex: str | None = None  # female | male, from the day part
    day: int | None = None
    month: int | None = None
    year2: int | None = None  # the two year digits; the century is not encoded

    @property
    def valid(self) -> bool:
        """No errors (warnings allowed)."""
        return not any(p.severity == "error" for p in self.problems)


def mask(nik: str) -> str:
    """``3171014101900001`` → ``317101**********`` (region kept, birth date and serial hidden)."""
    cleaned = "".join(nik.split())
    return cleaned[:6] + "*" * max(0, len(cleaned) - 6)


def _birth_date_ok(number: str) -> bool:
    """python-stdnum's date rule (day modulo 40, 19YY or 20YY must exist), for a NIK of 16 ASCII digits:
    its answer depends on digits 7–12 alone, so it is remembered per DDMMYY."""
    return _ddmmyy_ok(number[6:12])


@lru_cache(maxsize=1 << 16)  # DDMMYY: at most 72 × 13 × 100 keys that pass the range checks
def _ddmmyy_ok(ddmmyy: str) -> bool:
    try:
        stdnum_nik.get_birth_date(f"000000{ddmmyy}0000")  # only digits 7–12 are read
        return True
    except ValidationError:
        return False


def check_nik(nik: str, areas: Areas | None = None) -> NikCheck:
    """Every problem of a NIK. Without ``areas`` the region prefix is not checked."""
    number = nik
    masked = mask(number)
    problems: list[NikProblem] = []
    if not number.isdigit() or not number.isascii():
        compact = stdnum_nik.compact(nik)
        hint = " (remove the separators)" if compact.isascii() and compact.isdigit() else ""
        problems.append(NikProblem("digits", "error", f"A NIK has only the digits 0-9{hint} ({masked})"))
        return NikCheck(masked, tuple(problems))
    if len(number) != LENGTH:
        problems.append(
            NikProblem("length", "error", f"A NIK has 16 digits, this one {len(number)} ({masked})")
        )
        return NikCheck(masked, tuple(problems))
    raw_day, month, year2 = int(number[6:8]), int(number[8:10]), int(number[10:12])
    sex = "female" if raw_day > 40 else "male"
    day = raw_day - 40 if raw_day > 40 else raw_day
    date_ok = (1 <= raw_day <= 31 or 41 <= raw_day <= 71) and 1 <= month <= 12 and _birth_date_ok(number)
    if not date_ok:
        problems.append(
            NikProblem(
                "birth-date",
                "error",
                f"Digits 7–12 of a NIK are the birth date DDMMYY (DD + 40 for women); they give no valid "
                f"date ({masked})",
            )
        )
    if number[12:] == "0000":
        problems.append(
            NikProblem("serial", "error", f"The serial (digits 13–16) of a NIK starts at 0001 ({masked})")
        )
    if areas is not None:
        problems.extend(_region_problems(number, masked, areas))
    if not date_ok:
        return NikCheck(masked, tuple(problems))
    return NikCheck(masked, tuple(problems), sex, day, month, year2)


def _region_problems(number: str, masked: str, areas: Areas) -> list[NikProblem]:
    province, regency, district = number[:2], number[:4], number[:6]
    if not areas.exists(province, "province", include_retired=True):
        return [
            NikProblem("province", "error", f"{province} is not a province code of Kemendagri ({masked})")
        ]
    for code, level, name in ((regency, "regency", "regency/city"), (district, "district", "district")):
        if not areas.exists(code, level, include_retired=True):
            if province in PAPUA_BEFORE_2022:
                # a NIK keeps the code of its first registration; the 2022 Papua split retired codes older
                # than the table's 2022 edition, so such a code may still be legitimate
                message = (
                    f"{code} is not a {name} code in the Kemendagri table (2025, nor retired 2022 codes); in "
                    f"Papua a NIK may carry a code retired by the 2022 split ({masked})"
                )
                return [NikProblem(level, "warning", message)]
            message = (
                f"{code} is not a {name} code in the Kemendagri table (2025, nor retired 2022) ({masked})"
            )
            return [NikProblem(level, "error", message)]
    return []


def check_consistency(
    nik_check: NikCheck, *, gender: str | None = None, birth_date: datetime.date | None = None
) -> tuple[NikProblem, ...]:
    """Soft checks of a NIK against the Patient's ``gender`` and ``birthDate`` (warnings only)."""
    out: list[NikProblem] = []
    if nik_check.sex is not None and gender in ("male", "female") and gender != nik_check.sex:
        out.append(
            NikProblem(
                "sex",
                "warning",
                f"The NIK encodes sex {nik_check.sex}, the resource says {gender} ({nik_check.masked})",
            )
        )
    if (
        birth_date is not None
        and nik_check.day is not None
        and (
            (birth_date.day, birth_date.month, birth_date.year % 100)
            != (nik_check.day, nik_check.month, nik_check.year2)
        )
    ):
        out.append(
            NikProblem(
                "birth-date-mismatch",
                "warning",
                f"The NIK's birth date differs from birthDate ({nik_check.masked})",
            )
        )
    return tuple(out)


def birth_date(nik: str, *, today: datetime.date | None = None) -> datetime.date | None:
    """The birth date a NIK encodes, taking the latest century that is not in the future (None if invalid).

    python-stdnum's ``get_birth_date`` prefers 19YY whenever that date exists, which puts a child born in
    2010 in 1910; here 20YY wins unless it lies after ``today``.
    """
    checked = check_nik(nik)
    if checked.day is None or checked.month is None or checked.year2 is None:
        return None
    today = today or datetime.date.today()
    for century in (2000, 1900):
        try:
            candidate = datetime.date(century + checked.year2, checked.month, checked.day)
        except ValueError:
            continue
        if candidate <= today:
            return candidate
    return None


def sex(nik: str) -> str | None:
    """``female`` when the day part is above 40, else ``male``; None for a malformed NIK."""
    return check_nik(nik).sex
