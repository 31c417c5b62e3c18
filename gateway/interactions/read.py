"""FHIR read (https://hl7.org/fhir/R4/http.html#read): 200, 404 if unknown, 410 if deleted.

``If-None-Match`` with the current ETag gives 304 Not Modified (https://hl7.org/fhir/R4/http.html#cread).
"""

from __future__ import annotations

from gateway.context import FhirContext
from gateway.errors import Category, fail
from gateway.interactions.common import FhirResult, check_id, check_type, version_headers


async def read(
    ctx: FhirContext, resource_type: str, resource_id: str, *, if_none_match: str | None = None
) -> FhirResult:
    check_type(ctx.is_resource_type(resource_type), resource_type)
    check_id(resource_id)
    stored = await ctx.store.read(resource_type, resource_id)
    if stored is None:
        raise fail(
            Category.NOT_FOUND, "ILP-1001", f"{resource_type}/{resource_id} is not known", code="not-found"
        )
    if stored.deleted:
        err = fail(Category.GONE, "ILP-1002", f"{resource_type}/{resource_id} was deleted", code="deleted")
        err.headers.update(version_headers(stored))
        raise err
    if if_none_match is not None and stored.etag in {t.strip() for t in if_none_match.split(",")}:
        return FhirResult(304, None, version_headers(stored))
    return FhirResult(200, stored.body, version_headers(stored))
