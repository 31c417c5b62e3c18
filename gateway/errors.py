"""Categorised errors and the one place they become OperationOutcome.

Every error carries a stable message id (``ILP-xxxx``) in ``issue.details.coding`` so clients and tests
match on ids, not prose. See https://hl7.org/fhir/R4/operationoutcome.html and
https://hl7.org/fhir/R4/http.html#Status-Codes for the status codes used.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from profiles.issues import MESSAGE_SYSTEM, Issue

__all__ = ["MESSAGE_SYSTEM", "Category", "GatewayError", "Issue", "fail", "operation_outcome"]


class Category(Enum):
    """What went wrong, independent of HTTP; ``status`` is the one category → status table."""

    INVALID = 400
    UNAUTHORIZED = 401
    FORBIDDEN = 403
    NOT_FOUND = 404
    NOT_ALLOWED = 405
    NOT_ACCEPTABLE = 406
    CONFLICT = 409
    GONE = 410
    PRECONDITION_FAILED = 412
    TOO_LARGE = 413
    UNSUPPORTED_MEDIA = 415
    UNPROCESSABLE = 422
    FAULT = 500
    UNAVAILABLE = 503

    @property
    def status(self) -> int:
        return self.value


def operation_outcome(issues: list[Issue] | tuple[Issue, ...]) -> dict[str, Any]:
    if not issues:
        issues = [Issue("information", "informational", "ILP-0000", "All OK")]
    return {"resourceType": "OperationOutcome", "issue": [i.to_fhir() for i in issues]}


@dataclass
class GatewayError(Exception):
    """A request that cannot be honoured. Raised anywhere; rendered once, by the API error handler."""

    category: Category
    issues: list[Issue] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return "; ".join(f"{i.message_id} {i.diagnostics}" for i in self.issues)

    @property
    def status(self) -> int:
        return self.category.status

    def outcome(self) -> dict[str, Any]:
        return operation_outcome(self.issues)


def fail(
    category: Category,
    message_id: str,
    diagnostics: str,
    *,
    code: str = "invalid",
    expression: str | tuple[str, ...] | None = None,
    severity: str = "error",
) -> GatewayError:
    """Build a one-issue :class:`GatewayError` (``raise fail(...)``)."""
    expr = (expression,) if isinstance(expression, str) else tuple(expression or ())
    return GatewayError(category, [Issue(severity, code, message_id, diagnostics, expr)])
