"""The visit every record describes: who saw the person, where, when, and the ids derived from it.

Times follow SATUSEHAT's rule that every dateTime is sent in UTC ``+00:00`` (Patient and Observation
resource pages; Kamus Validasi 10295/10296): a local ``visit_date`` is converted from the zone of the
province of ``desa_code`` (:mod:`mappers.times`). (!) A record that gives only a date gets the visit start
at :data:`DAY_START` local time (Posyandu open in the morning; no source fixes this) and, without
``visit_end``, an end :data:`DEFAULT_MINUTES` later: send a local date-time to avoid the guess.

Deterministic ids (:func:`mappers.ids.resource_id`) come from (source system, record type, record id, role),
so sending the same record again updates the same resources.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from mappers.common.errors import MappingError
from mappers.ids import Sha1, resource_id_prefix, uuid5_prefix, uuid5_suffix
from mappers.times import utc_instant, zone_for
from terminology import urls

DAY_START = "08:00"
DEFAULT_MINUTES = 30
TIME_ORDER = "ILP-6025"


def local_datetime(value: str, desa_code: str) -> datetime:
    """A date or local date-time of a record as an aware datetime (a bare date → :data:`DAY_START`)."""
    text = value if len(value) > 10 else f"{value}T{DAY_START}"
    dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return dt if dt.tzinfo is not None else dt.replace(tzinfo=zone_for(desa_code))


def practitioner_reference(nik: str) -> str:
    """A conditional reference resolved by the transaction (the health worker's Practitioner by NIK;
    SATUSEHAT onboarding resolves Practitioner NIK → IHS number, domain notes §1.4)."""
    return f"Practitioner?identifier={urls.NIK}|{nik}"


@dataclass(frozen=True, slots=True)
class Visit:
    """The visit part of a record. ``arrived``/``in_progress``/``finished`` are aware datetimes."""

    record_type: str
    record_id: str
    source_system: str
    org_id: str
    location_id: str
    officer_nik: str
    officer_name: str
    desa_code: str
    arrived: datetime
    in_progress: datetime
    finished: datetime
    # the same times as UTC dateTime strings, written once (every Observation of the visit carries one)
    start: str = field(init=False)
    end: str = field(init=False)
    measured: str = field(init=False)
    """When measurements were taken (the in-progress time), UTC."""
    _ids: Sha1 = field(init=False, repr=False, compare=False)  # the hash state of this record's ids
    _performer: str = field(init=False, repr=False, compare=False)  # the Practitioner reference

    def __post_init__(self) -> None:
        prefix = resource_id_prefix(self.source_system, self.record_type, self.record_id)
        setattr_ = object.__setattr__
        setattr_(self, "_ids", uuid5_prefix(prefix))
        setattr_(self, "_performer", practitioner_reference(self.officer_nik))
        start = utc_instant(self.arrived)
        setattr_(self, "start", start)
        setattr_(self, "end", utc_instant(self.finished))
        # from_record measures at arrival: the same time, written once
        same = self.in_progress is self.arrived
        setattr_(self, "measured", start if same else utc_instant(self.in_progress))

    @classmethod
    def from_record(cls, record: dict[str, Any], record_type: str) -> Visit:
        """From the shared visit fields (common.schema.json#/$defs/visit)."""
        desa = str(record["desa_code"])
        start = local_datetime(record["visit_date"], desa)
        if "visit_end" in record:
            end = local_datetime(record["visit_end"], desa)
            if end <= start:
                raise MappingError.at("visit_end", "visit_end must be later than visit_date", TIME_ORDER)
        else:
            end = start + timedelta(minutes=DEFAULT_MINUTES)
        return cls(
            record_type,
            record["record_id"],
            record["source_system"],
            record["facility_org_id"],
            record["location_id"],
            record["officer_nik"],
            record["officer_name"],
            desa,
            start,
            start,
            end,
        )

    # ------------------------------------------------------------------------------------------- ids
    def id(self, role: str) -> str:
        """The deterministic resource id of this record's resource with ``role`` (``encounter``, …):
        :func:`mappers.ids.resource_id`, from the hash state of the shared part."""
        return uuid5_suffix(self._ids, role)

    def identifier(self, system: str, role: str | None = None) -> dict[str, str]:
        """A business identifier: the record id (plus ``:role`` for one of several resources)."""
        value = self.record_id if role is None else f"{self.record_id}:{role}"
        return {"system": system, "value": value}

    # ---------------------------------------------------------------------------------------- times
    @property
    def local_date(self) -> str:
        """The visit's calendar date where it happened (for ages in days)."""
        return self.arrived.date().isoformat()

    # ----------------------------------------------------------------------------------- references
    @property
    def performer(self) -> dict[str, str]:
        return {"reference": self._performer, "display": self.officer_name}

    @property
    def organization(self) -> dict[str, str]:
        return {"reference": f"Organization/{self.org_id}"}

    @property
    def location(self) -> dict[str, str]:
        return {"reference": f"Location/{self.location_id}"}
