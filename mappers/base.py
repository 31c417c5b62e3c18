"""The mapper seam: a source record (one Posyandu/Pustu/Puskesmas visit) becomes one transaction Bundle.

Nothing is lost and nothing is silent: every input row yields either a Bundle or at least one
:class:`RecordIssue` that names the row, the field and the problem (``rows in = bundles + failed rows``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from terminology.service import TerminologyService


@dataclass(frozen=True, slots=True)
class RecordIssue:
    """A problem with one source record. ``row`` is 1-based (the CSV data row, or the JSON array index + 1);
    ``field`` is the record's own field path (``immunizations[1].vaccine``) or "" for the whole record."""

    row: int
    field: str
    message: str
    message_id: str
    severity: str = "error"  # error: the record was not mapped; warning: mapped, with a finding to check
    record_id: str | None = None


@dataclass(slots=True)
class MapResult:
    """The outcome for one row: a transaction Bundle, or None when the record broke its contract."""

    row: int
    record_id: str | None
    bundle: dict[str, Any] | None
    issues: list[RecordIssue] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.bundle is not None


@dataclass(frozen=True, slots=True)
class MappingContext:
    """What a mapper may use. ``now`` is when the mapping runs (ages at the visit come from the record)."""

    terminology: TerminologyService
    now: datetime


class Mapper(Protocol):
    """One record type. ``map`` receives a record that already passed its JSON Schema contract."""

    record_type: str

    def map(self, record: dict[str, Any], ctx: MappingContext) -> tuple[dict[str, Any], list[RecordIssue]]:
        """The transaction Bundle and any warnings (implausible values, screening findings to review)."""
        ...
