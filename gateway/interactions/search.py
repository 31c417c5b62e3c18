"""FHIR search (https://hl7.org/fhir/R4/search.html): a searchset Bundle with paging links.

Unknown parameters are ignored and reported in an ``outcome`` entry (lenient) or rejected with 400 under
``Prefer: handling=strict``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gateway.context import FhirContext
from gateway.errors import operation_outcome
from gateway.interactions.bundles import body_fragment, dumps, full_url, new_bundle, paging_links
from gateway.interactions.common import FhirResult, Prefer, check_type
from gateway.store.base import StoredResource


async def search(
    ctx: FhirContext, resource_type: str, pairs: Sequence[tuple[str, str]], *, prefer: Prefer, base: str
) -> FhirResult:
    check_type(ctx.is_resource_type(resource_type), resource_type)
    query = ctx.parser.parse(
        resource_type, pairs, strict=prefer.strict, default_count=ctx.settings.default_page_size
    )
    result = await ctx.store.search(query)
    bundle = new_bundle("searchset")
    if result.total is not None:
        bundle["total"] = result.total
    links = paging_links(
        f"{base}/{resource_type}",
        query.canonical,
        query.offset,
        query.count,
        result.total,
        len(result.matches),
    )
    bundle["link"] = links[:1] if query.summary == "count" else links
    entries = [_entry(ctx, base, s, "match", query.summary, query.elements) for s in result.matches]
    entries += [_entry(ctx, base, s, "include", query.summary, query.elements) for s in result.included]
    if query.issues:
        entries.append({"resource": operation_outcome(list(query.issues)), "search": {"mode": "outcome"}})
    if entries:
        bundle["entry"] = entries
    return FhirResult(200, dumps(bundle))


def _entry(
    ctx: FhirContext,
    base: str,
    stored: StoredResource,
    mode: str,
    summary: str | None,
    elements: tuple[str, ...],
) -> dict[str, Any]:
    resource: Any = body_fragment(stored)
    if summary is not None or elements:
        resource = ctx.summarizer.apply(stored.resource(), summary, elements)
    return {"fullUrl": full_url(base, stored), "resource": resource, "search": {"mode": mode}}
