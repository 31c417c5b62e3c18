"""FHIR delete and conditional delete (https://hl7.org/fhir/R4/http.html#delete, #3.1.0.7.1).

A deletion is a new version; reading the resource afterwards gives 410 Gone. Deleting an already
deleted resource is a no-op (204); deleting an id never used gives 404.
"""

from __future__ import annotations

from gateway.context import FhirContext
from gateway.errors import Category, fail
from gateway.interactions.common import FhirResult, check_id, check_type, version_headers
from gateway.interactions.update import parse_if_match
from gateway.store.base import WriteEntry


async def delete(
    ctx: FhirContext, resource_type: str, resource_id: str, *, if_match: str | None
) -> FhirResult:
    check_type(ctx.is_resource_type(resource_type), resource_type)
    check_id(resource_id)
    entry = WriteEntry("DELETE", resource_type, id=resource_id, if_match=parse_if_match(if_match))
    [result] = await ctx.store.transaction([entry])
    headers = version_headers(result.stored) if result.stored else {}
    return FhirResult(204, None, headers)


async def conditional_delete(ctx: FhirContext, resource_type: str, query: str) -> FhirResult:
    check_type(ctx.is_resource_type(resource_type), resource_type)
    condition = ctx.parse_conditional(resource_type, query)
    if not condition.clauses:
        raise fail(
            Category.INVALID,
            "ILP-1110",
            "A conditional delete needs search criteria in the URL",
            code="required",
        )
    [result] = await ctx.store.transaction([WriteEntry("DELETE", resource_type, condition=condition)])
    return FhirResult(204, None, version_headers(result.stored) if result.stored else {})
