"""Validation in the gateway: the validator's issues, references checked against the store, and the
policy that turns issues into a rejection or accepted-with-warnings (https://hl7.org/fhir/R4/validation.html).

``GATEWAY_VALIDATION``: ``reject`` (default) refuses a write with errors (422 + every issue); ``warn``
stores it and returns the issues with the response; ``off`` skips validation on write ($validate still works).
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Any

from gateway import fhir_json
from gateway.context import FhirContext
from gateway.errors import Category, GatewayError
from gateway.store.base import ResourceStore
from profiles.issues import SEVERITY_ORDER, Issue
from profiles.validator import Validator


class ValidationMode(StrEnum):
    REJECT = "reject"
    WARN = "warn"
    OFF = "off"


async def validate(
    validator: Validator,
    store: ResourceStore,
    resource: Any,
    *,
    profiles: Iterable[str] = (),
    defaults: bool = False,
    where: str = "",
    known: dict[tuple[str, str], bool] | None = None,
) -> list[Issue]:
    """All issues of ``resource``, including references that resolve neither in it nor in the store.
    ``known`` remembers which ``(type, id)`` the store holds, across calls (an ingest run passes one)."""
    try:
        result = validator.validate(resource, profiles=profiles, defaults=defaults, where=where)
    except ValueError:  # jsonschema-rs takes JSON's own types only: validate the plain copy
        if not fhir_json.has_precise(resource):
            raise
        copy = fhir_json.plain(resource)
        result = validator.validate(copy, profiles=profiles, defaults=defaults, where=where)
    issues = list(result.issues)
    checked = known if known is not None else {}
    for ref in result.external:
        key = (ref.resource_type, ref.id)
        if key not in checked:
            stored = await store.read(*key)
            checked[key] = stored is not None and not stored.deleted
        if not checked[key]:
            issues.append(
                Issue(
                    "error",
                    "not-found",
                    "ILP-4503",
                    f"{ref.expression}: {ref.resource_type}/{ref.id} is not in this server",
                    (ref.expression,),
                )
            )
    return issues


def enforce(mode: ValidationMode, issues: list[Issue]) -> list[Issue]:
    """The policy: raise 422 with every issue when rejecting errors; otherwise return what to report."""
    if mode is ValidationMode.REJECT and any(i.is_error for i in issues):
        raise GatewayError(Category.UNPROCESSABLE, ordered(issues))
    return ordered(issues)


def ordered(issues: list[Issue]) -> list[Issue]:
    """Issues in a stable order: errors first, then by path."""
    return sorted(issues, key=_severity_then_path)


def _severity_then_path(issue: Issue) -> tuple[int, str]:
    return SEVERITY_ORDER.get(issue.severity, 4), issue.expression[0] if issue.expression else ""


async def check_write(ctx: FhirContext, resource: dict[str, Any], *, where: str = "") -> list[Issue]:
    """Validate-on-write under the configured policy; returns the issues to report (warnings)."""
    mode = ValidationMode(ctx.settings.validation)
    if mode is ValidationMode.OFF:
        return []
    return enforce(mode, await validate(ctx.validator, ctx.store, resource, where=where))
