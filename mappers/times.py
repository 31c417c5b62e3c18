"""Local times to UTC, the way SATUSEHAT wants them (``YYYY-MM-DDThh:mm:ss+00:00``).

Indonesia has three zones; a record's zone follows the province of its village (the first two digits of the
Kemendagri ``desa_code``): WIB UTC+7, WITA UTC+8, WIT UTC+9 (Undang-Undang/Keppres 41/1987 zone division).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

WIB, WITA, WIT = (
    timezone(timedelta(hours=7), "WIB"),
    timezone(timedelta(hours=8), "WITA"),
    timezone(timedelta(hours=9), "WIT"),
)
# Province codes (Kemendagri) in WITA and WIT; every other province is WIB (Sumatra, Java, West and
# Central Kalimantan).
WITA_PROVINCES = frozenset({"51", "52", "53", "63", "64", "65", "71", "72", "73", "74", "75", "76"})
WIT_PROVINCES = frozenset({"81", "82", "91", "92", "93", "94", "95", "96"})


def zone_for(desa_code: str) -> timezone:
    province = desa_code[:2]
    if province in WIT_PROVINCES:
        return WIT
    if province in WITA_PROVINCES:
        return WITA
    return WIB


def to_utc(local: str, desa_code: str) -> str:
    """A local date-time (``2024-03-12T09:10`` or with seconds; no offset) → UTC ``…+00:00``. A value that
    already has an offset is converted as given. A plain date stays a date (a FHIR date needs no zone)."""
    if len(local) == 10:
        date.fromisoformat(local)  # raises ValueError for a bad date
        return local
    dt = datetime.fromisoformat(local)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=zone_for(desa_code))
    return utc_instant(dt)


def utc_instant(dt: datetime) -> str:
    """An aware datetime as a UTC dateTime to the second, ``2024-03-12T02:10:00+00:00`` (SATUSEHAT wants
    ``+00:00``)."""
    return dt.astimezone(UTC).isoformat(timespec="seconds")
