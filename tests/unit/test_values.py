"""Search value semantics: dates as ranges, implicit number precision, string folding."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gateway.search.values import (
    BadValue,
    _date_range,
    date_range,
    format_instant,
    normalise_string,
    number_range,
)


def us(*args: int) -> int:
    return int(datetime(*args, tzinfo=UTC).timestamp() * 1_000_000)


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("2024", us(2024, 1, 1), us(2025, 1, 1)),
        ("2024-02", us(2024, 2, 1), us(2024, 3, 1)),
        ("2024-12", us(2024, 12, 1), us(2025, 1, 1)),
        ("2024-02-29", us(2024, 2, 29), us(2024, 3, 1)),
        ("2024-03-12T09:10:00+07:00", us(2024, 3, 12, 2, 10), us(2024, 3, 12, 2, 10, 1)),
        ("2024-03-12T09:10:00Z", us(2024, 3, 12, 9, 10), us(2024, 3, 12, 9, 10, 1)),
        ("2024-03-12T09:10", us(2024, 3, 12, 9, 10), us(2024, 3, 12, 9, 11)),
        ("2024-03-12T09:10:00.5+00:00", us(2024, 3, 12, 9, 10) + 500_000, us(2024, 3, 12, 9, 10) + 600_000),
    ],
)
def test_date_range(text: str, low: int, high: int) -> None:
    assert date_range(text) == (low, high)


@pytest.mark.parametrize("text", ["2024-13", "2023-02-29", "24-01-01", "2024-01-01T25:00:00Z", "kemarin", ""])
def test_bad_dates(text: str) -> None:
    with pytest.raises(BadValue):
        date_range(text)


@given(st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2100, 1, 1)))
def test_partial_dates_nest(dt: datetime) -> None:
    """A day lies within its month, which lies within its year; the instant lies within its day."""
    day = date_range(dt.strftime("%Y-%m-%d"))
    month = date_range(dt.strftime("%Y-%m"))
    year = date_range(dt.strftime("%Y"))
    instant = date_range(dt.strftime("%Y-%m-%dT%H:%M:%SZ"))
    assert year[0] <= month[0] <= day[0] <= instant[0] < instant[1] <= day[1] <= month[1] <= year[1]


def _answer(fn: Callable[[str], tuple[int, int]], text: str) -> tuple[int, int] | str:
    try:
        return fn(text)
    except BadValue:
        return "bad"


_SECONDS = st.builds(
    "{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}{}".format,
    st.integers(0, 9999),
    st.integers(0, 13),
    st.integers(0, 32),
    st.integers(0, 25),
    st.integers(0, 61),
    st.integers(0, 61),
    st.sampled_from(
        ["Z", "z", "+07:00", "-03:30", "+00:00", "-00:00", "+24:00", "+23:59", "+0700", "+07:0x"]
    ),
)


@given(
    st.one_of(_SECONDS, _SECONDS.map(lambda t: t.replace("T", " ")), st.text("0123456789-T:+Z ", max_size=26))
)
def test_date_range_shortcut_agrees_with_the_general_path(text: str) -> None:
    """``date_range`` reads the common zoned dateTime with ``fromisoformat``; same answers, same refusals."""
    assert _answer(date_range, text) == _answer(_date_range, text)


def test_format_instant_round_trip() -> None:
    low, _ = date_range("2024-03-12T02:10:00.123Z")
    assert format_instant(low) == "2024-03-12T02:10:00.123+00:00"
    assert format_instant(low + 999) == "2024-03-12T02:10:00.123+00:00"  # truncated to milliseconds
    early, _ = date_range("0500-01-02T03:04:05Z")
    assert format_instant(early) == "0500-01-02T03:04:05.000+00:00"  # FHIR years have four digits


@pytest.mark.parametrize(
    ("text", "value", "low", "high"),
    [
        ("100", 100.0, 99.5, 100.5),
        ("100.00", 100.0, 99.995, 100.005),
        ("5.4", 5.4, 5.35, 5.45),
        ("1e2", 100, 50, 150),
    ],
)
def test_number_precision(text: str, value: float, low: float, high: float) -> None:
    v, lo, hi = number_range(text)
    assert (v, lo, hi) == pytest.approx((value, low, high))


def test_normalise_string() -> None:
    assert normalise_string("  René  MÉNARD ") == "rene menard"
    assert normalise_string("Siti Aminah") == "siti aminah"
