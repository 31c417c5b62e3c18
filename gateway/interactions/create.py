"""FHIR create and conditional create (https://hl7.org/fhir/R4/http.html#create, #ccreate).

The server assigns the id (a client ``id`` in the body is ignored, as the spec requires). With
``If-None-Exist`` the match runs inside the store's write transaction: 50 identical concurrent
requests create exactly one resource; the others get 200 and the existing resource.
"""

from __future__ import annotations

from typing import Any

from gateway.context import FhirContext
from gateway.interactions.common import FhirResult, Prefer, check_type, write_result
from gateway.store.base import WriteEntry
from gateway.validation import check_write


async def create(
    ctx: FhirContext,
    resource_type: str,
    resource: dict[str, Any],
    *,
    if_none_exist: str | None,
    prefer: Prefer,
    base: str,
) -> FhirResult:
    check_type(ctx.is_resource_type(resource_type), resource_type)
    condition = ctx.parse_conditional(resource_type, if_none_exist) if if_none_exist else None
    body = {k: v for k, v in resource.items() if k != "id"}
    warnings = await check_write(ctx, body)
    [result] = await ctx.store.transaction(
        [WriteEntry("POST", resource_type, resource=body, if_none_exist=condition)]
    )
    assert result.stored is not None
    message = "Created" if result.created else "A matching resource exists; nothing was created"
    return write_result(result.stored, result.status, prefer, base, message, warnings)
