"""The $validate operation (https://hl7.org/fhir/R4/resource-operation-validate.html).

``POST /fhir/$validate``, ``POST /fhir/{type}/$validate`` and ``POST /fhir/{type}/{id}/$validate`` take a
resource or a ``Parameters`` with ``resource`` (and optionally ``profile`` and ``mode``) and answer 200 with
an OperationOutcome listing every issue, whatever the write policy. Only a body that cannot be read at all
is a 400.
"""

from __future__ import annotations

from typing import Any

from gateway.context import FhirContext
from gateway.errors import Category, fail, operation_outcome
from gateway.interactions.common import FhirResult, check_id, check_resource, check_type
from gateway.validation import ordered, validate

MODES = ("create", "update", "delete")


def _unwrap(body: Any) -> tuple[Any, list[str], str | None]:
    """(resource, profiles, mode) from a resource or a Parameters body."""
    if isinstance(body, dict) and body.get("resourceType") == "Parameters":
        resource, profiles, mode = None, [], None
        for i, p in enumerate(body.get("parameter") or []):
            name = p.get("name") if isinstance(p, dict) else None
            if name == "resource":
                resource = p.get("resource")
            elif name == "profile" and isinstance(p.get("valueUri") or p.get("valueCanonical"), str):
                profiles.append(p.get("valueUri") or p.get("valueCanonical"))
            elif name == "mode":
                mode = p.get("valueCode")
                if mode not in MODES:
                    raise fail(
                        Category.INVALID,
                        "ILP-4601",
                        f"mode must be one of {', '.join(MODES)}",
                        code="value",
                        expression=f"Parameters.parameter[{i}].valueCode",
                    )
        if resource is None:
            raise fail(
                Category.INVALID,
                "ILP-4602",
                "Parameters has no 'resource' parameter to validate",
                code="required",
                expression="Parameters.parameter",
            )
        return resource, profiles, mode
    return body, [], None


async def validate_operation(
    ctx: FhirContext,
    body: Any,
    *,
    resource_type: str | None = None,
    resource_id: str | None = None,
    profile: str | None = None,
) -> FhirResult:
    if resource_type is not None:
        check_type(ctx.is_resource_type(resource_type), resource_type)
    if resource_id is not None:
        check_id(resource_id)
    resource, profiles, _ = _unwrap(body)
    resource = check_resource(resource, resource_type, "")
    if resource_id is not None and resource.get("id") not in (None, resource_id):
        raise fail(
            Category.INVALID,
            "ILP-1108",
            f"Resource id '{resource.get('id')}' does not match the id in the URL ('{resource_id}')",
            expression=f"{resource['resourceType']}.id",
        )
    if profile:
        profiles.append(profile)
    issues = await validate(ctx.validator, ctx.store, resource, profiles=profiles)
    return FhirResult(200, operation_outcome(ordered(issues)))
