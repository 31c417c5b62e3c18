"""The issue value every validator returns (https://hl7.org/fhir/R4/operationoutcome.html).

Lives in the lowest package that needs it; ``gateway.errors`` renders lists of them as OperationOutcome.
Validators return issues and never raise for content problems; a policy decides what to do with them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from terminology.urls import LOCAL_BASE

MESSAGE_SYSTEM = f"{LOCAL_BASE}/CodeSystem/message-id"
SEVERITY_ORDER = {"fatal": 0, "error": 1, "warning": 2, "information": 3}


@dataclass(frozen=True, slots=True)
class Issue:
    """One OperationOutcome.issue with a stable message id and, where a rule mirrors one, the SATUSEHAT
    RuleNumber (shown as ``(RuleNumber: n)`` the way the national platform words its rejections)."""

    severity: str  # fatal | error | warning | information
    code: str  # IssueType: invalid, structure, required, value, code-invalid, not-found, …
    message_id: str
    diagnostics: str
    expression: tuple[str, ...] = ()
    rule_number: int | None = None

    @property
    def is_error(self) -> bool:
        return self.severity in ("error", "fatal")

    def to_fhir(self) -> dict[str, Any]:
        text = (
            self.diagnostics
            if self.rule_number is None
            else f"{self.diagnostics} (RuleNumber: {self.rule_number})"
        )
        issue: dict[str, Any] = {
            "severity": self.severity,
            "code": self.code,
            "details": {"coding": [{"system": MESSAGE_SYSTEM, "code": self.message_id}], "text": text},
            "diagnostics": text,
        }
        if self.expression:
            issue["expression"] = list(self.expression)
        return issue


def items(value: Any) -> list[Any]:
    """The items of a JSON array, or none when the value is not an array (validators never raise on input)."""
    return value if isinstance(value, list) else []
