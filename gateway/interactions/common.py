"""What every FHIR interaction shares: results without HTTP, Prefer, headers, body checks.

Interactions are plain async functions over a :class:`FhirContext`; the API layer only translates
HTTP to calls and :class:`FhirResult` back to HTTP (Medplum's router has no HTTP in it either).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email.utils import formatdate
from typing import Any

import orjson

from gateway import fhir_json
from gateway.errors import Category, Issue, fail, operation_outcome
from gateway.store.base import StoredResource

ID_PATTERN = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")


@dataclass(slots=True)
class FhirResult:
    status: int
    body: dict[str, Any] | bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Prefer:
    """The ``Prefer`` header (https://hl7.org/fhir/R4/http.html#ops, #search)."""

    return_: str = "representation"  # minimal | representation | OperationOutcome
    strict: bool = False  # handling=strict

    @classmethod
    def parse(cls, header: str | None) -> Prefer:
        ret, strict = "representation", False
        for part in (header or "").split(","):
            for token in part.split(";"):
                key, _, value = token.strip().partition("=")
                value = value.strip().strip('"')
                if key == "return" and value in ("minimal", "representation", "OperationOutcome"):
                    ret = value
                elif key == "handling":
                    strict = value == "strict"
        return cls(ret, strict)


def http_date(us: int) -> str:
    return formatdate(us / 1_000_000, usegmt=True)


def version_headers(stored: StoredResource) -> dict[str, str]:
    return {"ETag": stored.etag, "Last-Modified": http_date(stored.last_updated)}


def location(base: str, stored: StoredResource) -> str:
    return f"{base}/{stored.resource_type}/{stored.id}/_history/{stored.version}"


def check_type(known: bool, resource_type: str) -> None:
    if not known:
        raise fail(
            Category.NOT_FOUND,
            "ILP-1003",
            f"'{resource_type}' is not a FHIR R4 resource type supported by this server",
            code="not-supported",
        )


def check_id(resource_id: str, expression: str | None = None) -> None:
    if not ID_PATTERN.match(resource_id):
        raise fail(
            Category.INVALID,
            "ILP-1103",
            f"'{resource_id}' is not a valid resource id ([A-Za-z0-9-.]{{1,64}})",
            code="value",
            expression=expression,
        )


def parse_json(body: bytes) -> Any:
    if not body.strip():
        raise fail(
            Category.INVALID,
            "ILP-1100",
            "The request body is empty; a FHIR JSON resource is required",
            code="structure",
        )
    try:
        return fhir_json.loads(body)
    except orjson.JSONDecodeError as exc:
        raise fail(
            Category.INVALID, "ILP-1100", f"The request body is not valid JSON: {exc}", code="structure"
        ) from None


def parse_resource(body: bytes, expected_type: str | None) -> dict[str, Any]:
    """Parse a request body as a resource, checking ``resourceType`` against the URL."""
    data = parse_json(body)
    return check_resource(data, expected_type, "")


def check_resource(data: Any, expected_type: str | None, where: str) -> dict[str, Any]:
    prefix = f"{where}." if where else ""
    if not isinstance(data, dict):
        raise fail(
            Category.INVALID,
            "ILP-1101",
            "A resource must be a JSON object",
            code="structure",
            expression=where or None,
        )
    rtype = data.get("resourceType")
    if not isinstance(rtype, str):
        raise fail(
            Category.INVALID,
            "ILP-1101",
            "The resource has no resourceType",
            code="required",
            expression=f"{prefix}resourceType" if where else "resourceType",
        )
    if expected_type is not None and rtype != expected_type:
        raise fail(
            Category.INVALID,
            "ILP-1102",
            f"resourceType '{rtype}' does not match the type in the URL ('{expected_type}')",
            code="invalid",
            expression=f"{prefix}resourceType" if where else f"{rtype}.resourceType",
        )
    if "meta" in data and not isinstance(data["meta"], dict):
        # the server writes meta.versionId and meta.lastUpdated (https://hl7.org/fhir/R4/resource.html#Meta),
        # whatever the validation policy
        raise fail(
            Category.INVALID,
            "ILP-1112",
            "meta must be a JSON object",
            code="structure",
            expression=f"{prefix}meta" if where else f"{rtype}.meta",
        )
    return data


def write_result(
    stored: StoredResource,
    status: int,
    prefer: Prefer,
    base: str,
    message: str,
    warnings: list[Issue] | None = None,
) -> FhirResult:
    """The response to a create/update (https://hl7.org/fhir/R4/http.html#ops: Prefer return=…).

    Validation warnings come back in the OperationOutcome (``Prefer: return=OperationOutcome``) and are
    counted in the ``X-Validation-Issues`` header whatever the Prefer.
    """
    headers = version_headers(stored) | {"Location": location(base, stored)}
    if warnings:
        headers["X-Validation-Issues"] = str(len(warnings))
    if prefer.return_ == "minimal":
        return FhirResult(status, None, headers)
    if prefer.return_ == "OperationOutcome":
        issues = [Issue("information", "informational", "ILP-0001", message), *(warnings or [])]
        return FhirResult(status, operation_outcome(issues), headers)
    return FhirResult(status, stored.body, headers)


def outcome_result(status: int, issues: list[Issue], headers: dict[str, str] | None = None) -> FhirResult:
    return FhirResult(status, operation_outcome(issues), headers or {})
