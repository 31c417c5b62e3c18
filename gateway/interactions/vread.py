"""FHIR vread (https://hl7.org/fhir/R4/http.html#vread): one version; 410 for a deletion version."""

from __future__ import annotations

from gateway.context import FhirContext
from gateway.errors import Category, fail
from gateway.interactions.common import FhirResult, check_id, check_type, version_headers
from gateway.search.values import plain_int


async def vread(ctx: FhirContext, resource_type: str, resource_id: str, version_id: str) -> FhirResult:
    check_type(ctx.is_resource_type(resource_type), resource_type)
    check_id(resource_id)
    version = plain_int(version_id)
    if version is None:
        raise fail(
            Category.NOT_FOUND,
            "ILP-1005",
            f"Version '{version_id}' of {resource_type}/{resource_id} is not known",
            code="not-found",
        )
    stored = await ctx.store.vread(resource_type, resource_id, version)
    if stored is None:
        raise fail(
            Category.NOT_FOUND,
            "ILP-1005",
            f"Version '{version_id}' of {resource_type}/{resource_id} is not known",
            code="not-found",
        )
    if stored.deleted:
        err = fail(
            Category.GONE,
            "ILP-1002",
            f"{resource_type}/{resource_id} version {version_id} is a deletion",
            code="deleted",
        )
        err.headers.update(version_headers(stored))
        raise err
    return FhirResult(200, stored.body, version_headers(stored))
