"""FHIR update, update-as-create and conditional update.

https://hl7.org/fhir/R4/http.html#update and #cond-update.

``If-Match: W/"n"`` makes the update version-aware: a stale version gets 412 (#concurrency).
"""

from __future__ import annotations

import re
from typing import Any

from gateway.context import FhirContext
from gateway.errors import Category, fail
from gateway.interactions.common import FhirResult, Prefer, check_id, check_type, write_result
from gateway.store.base import WriteEntry
from gateway.validation import check_write

_ETAG = re.compile(r'^(?:W/)?"?(\d+)"?$')


def parse_if_match(header: str | None) -> int | None:
    if header is None:
        return None
    m = _ETAG.match(header.strip())
    if not m:
        raise fail(
            Category.INVALID,
            "ILP-1106",
            f"If-Match '{header}' is not a version ETag like W/\"3\"",
            code="value",
        )
    return int(m.group(1))


async def update(
    ctx: FhirContext,
    resource_type: str,
    resource_id: str,
    resource: dict[str, Any],
    *,
    if_match: str | None,
    prefer: Prefer,
    base: str,
) -> FhirResult:
    check_type(ctx.is_resource_type(resource_type), resource_type)
    check_id(resource_id)
    body_id = resource.get("id")
    if body_id is None:
        raise fail(
            Category.INVALID,
            "ILP-1107",
            f"The resource must carry id '{resource_id}' to be updated",
            code="required",
            expression=f"{resource_type}.id",
        )
    if body_id != resource_id:
        raise fail(
            Category.INVALID,
            "ILP-1108",
            f"Resource id '{body_id}' does not match the id in the URL ('{resource_id}')",
            code="invalid",
            expression=f"{resource_type}.id",
        )
    entry = WriteEntry(
        "PUT", resource_type, id=resource_id, resource=resource, if_match=parse_if_match(if_match)
    )
    return await _put(ctx, entry, prefer, base)


async def conditional_update(
    ctx: FhirContext,
    resource_type: str,
    query: str,
    resource: dict[str, Any],
    *,
    if_match: str | None,
    prefer: Prefer,
    base: str,
) -> FhirResult:
    check_type(ctx.is_resource_type(resource_type), resource_type)
    if "id" in resource:
        check_id(str(resource["id"]), f"{resource_type}.id")
    condition = ctx.parse_conditional(resource_type, query)
    if not condition.clauses:
        raise fail(
            Category.INVALID,
            "ILP-1109",
            "A conditional update needs search criteria in the URL",
            code="required",
        )
    entry = WriteEntry(
        "PUT", resource_type, resource=resource, condition=condition, if_match=parse_if_match(if_match)
    )
    return await _put(ctx, entry, prefer, base)


async def _put(ctx: FhirContext, entry: WriteEntry, prefer: Prefer, base: str) -> FhirResult:
    """Validate (under the write policy), store and answer one PUT."""
    assert entry.resource is not None
    warnings = await check_write(ctx, entry.resource)
    [result] = await ctx.store.transaction([entry])
    assert result.stored is not None
    message = "Created" if result.created else "Updated"
    return write_result(result.stored, result.status, prefer, base, message, warnings)
