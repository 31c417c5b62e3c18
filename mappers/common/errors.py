"""Record-level findings raised or returned by mappers (see :class:`mappers.base.RecordIssue`).

A mapper raises :class:`MappingError` when a contract-valid record still cannot become a valid Bundle (an
unknown vaccine code, a visit before the birth); the pipeline reports the row as failed with these issues.
Warnings (implausible z-scores, values to review) are returned next to the Bundle. The pipeline fills in
the row number and record id, so mappers build issues with :func:`finding`.
"""

from __future__ import annotations

from mappers.base import RecordIssue


def finding(field: str, message: str, message_id: str, severity: str = "warning") -> RecordIssue:
    """An issue about ``field`` of the record being mapped (row and record id are set by the pipeline)."""
    return RecordIssue(0, field, message, message_id, severity)


class MappingError(Exception):
    """The record cannot be mapped; ``issues`` say why (severity error)."""

    def __init__(self, issues: list[RecordIssue]) -> None:
        super().__init__("; ".join(f"{i.field}: {i.message}" for i in issues))
        self.issues = issues

    @classmethod
    def at(cls, field: str, message: str, message_id: str) -> MappingError:
        return cls([finding(field, message, message_id, "error")])
