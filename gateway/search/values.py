"""Search value semantics: FHIR dates as ranges, numbers with implicit precision, string normalisation.

See https://hl7.org/fhir/R4/search.html#date, #number, #quantity and #string.
Instants are kept as integer microseconds since the Unix epoch; a range is ``[low, high)``.
A date or dateTime without a time zone is read as UTC (the server's zone, as the spec allows).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from functools import lru_cache

MIN_US = -(2**62)
MAX_US = 2**62

_DATE = re.compile(
    r"^(?P<y>\d{4})(?:-(?P<m>\d{2})(?:-(?P<d>\d{2})"
    r"(?:T(?P<H>\d{2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:\.(?P<f>\d{1,9}))?)?"
    r"(?P<tz>Z|[+-]\d{2}:\d{2})?)?)?)?$"
)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class BadValue(ValueError):
    """A search or index value that does not parse; the message says why."""


def _us(dt: datetime) -> int:
    delta = dt - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def date_range(text: str) -> tuple[int, int]:
    """The ``[low, high)`` range, in µs since the epoch, that a FHIR date/dateTime/instant covers.

    A dateTime to the second with a zone (``2024-03-12T09:10:00+07:00``, ``…Z``), the form almost every
    resource carries, is read by ``datetime.fromisoformat``; anything else, or anything it refuses, takes
    the general path (a hypothesis test holds the two to the same answers)."""
    n = len(text)
    if (
        (
            (n == 25 and text[22] == ":" and (text[19] == "+" or text[19] == "-"))
            or (n == 20 and text[19] == "Z")
        )
        and text[10] == "T"
        and text.isascii()
    ):
        try:
            low = _us(datetime.fromisoformat(text))
        except ValueError:
            pass
        else:
            return low, low + 1_000_000
    return _date_range(text)


def _date_range(text: str) -> tuple[int, int]:
    """:func:`date_range` for every FHIR form: year, year-month, date, dateTime to the minute, second or
    fraction, with or without a zone."""
    m = _DATE.match(text.strip())
    if not m:
        raise BadValue(f"'{text}' is not a valid FHIR date, dateTime or instant")
    g = m.groupdict()
    try:
        tz = UTC
        if g["tz"] and g["tz"] != "Z":
            sign = 1 if g["tz"][0] == "+" else -1
            hh, mm = int(g["tz"][1:3]), int(g["tz"][4:6])
            tz = UTC if hh == mm == 0 else _fixed_zone(sign * (hh * 60 + mm))
        y = int(g["y"])
        if g["m"] is None:
            start = datetime(y, 1, 1, tzinfo=tz)
            end = datetime(y + 1, 1, 1, tzinfo=tz)
        elif g["d"] is None:
            mo = int(g["m"])
            start = datetime(y, mo, 1, tzinfo=tz)
            end = datetime(y + (mo == 12), mo % 12 + 1, 1, tzinfo=tz)
        elif g["H"] is None:
            start = datetime(y, int(g["m"]), int(g["d"]), tzinfo=tz)
            end = start + timedelta(days=1)
        else:
            frac = g["f"] or ""
            micro = int((frac + "000000")[:6])
            start = datetime(
                y, int(g["m"]), int(g["d"]), int(g["H"]), int(g["M"]), int(g["S"] or 0), micro, tzinfo=tz
            )
            if g["S"] is None:
                step = timedelta(minutes=1)
            elif not frac:
                step = timedelta(seconds=1)
            else:
                step = timedelta(microseconds=max(1, 10 ** (6 - min(len(frac), 6))))
            end = start + step
    except ValueError as exc:
        raise BadValue(f"'{text}' is not a valid date: {exc}") from None
    return _us(start), _us(end)


def _fixed_zone(minutes: int) -> timezone:
    return timezone(timedelta(minutes=minutes))


def format_instant(us: int) -> str:
    """FHIR ``instant`` text for µs since the epoch, in UTC with millisecond precision (truncated) and a
    four-digit year."""
    return _format_ms(us // 1000)


@lru_cache(maxsize=256)
def _format_ms(ms: int) -> str:
    """Remembered: the versions written in one millisecond (a transaction's entries) share their text."""
    return (_EPOCH + timedelta(milliseconds=ms)).isoformat(timespec="milliseconds")


MAX_INT = 2**63 - 1  # the largest integer SQLite (and a 64-bit database) stores


def plain_int(text: str) -> int | None:
    """A count, offset or version given as text: ASCII digits up to :data:`MAX_INT`, else None.
    (``str.isdigit`` alone admits ``"²"``, which ``int`` refuses, and no bound, which SQLite refuses.)"""
    if not (text.isascii() and text.isdigit()):
        return None
    value = int(text)
    return value if value <= MAX_INT else None


def now_us() -> int:
    return _us(datetime.now(UTC))


def number_range(text: str) -> tuple[float, float, float]:
    """``(value, low, high)``: a number search value with its implicit precision range."""
    try:
        d = Decimal(text.strip())
    except InvalidOperation:
        raise BadValue(f"'{text}' is not a number") from None
    if not d.is_finite():
        raise BadValue(f"'{text}' is not a finite number")
    exponent = d.as_tuple().exponent
    assert isinstance(exponent, int)
    half = Decimal(5) * Decimal(10) ** (exponent - 1)
    return float(d), float(d - half), float(d + half)


def normalise_string(text: str) -> str:
    """Case- and accent-insensitive form used by string search (https://hl7.org/fhir/R4/search.html#string)."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())
