"""FHIR history: instance, type and system (https://hl7.org/fhir/R4/http.html#history).

Newest first. Parameters: ``_count``, ``_since`` and ``_offset`` (paging); anything else is rejected.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gateway.context import FhirContext
from gateway.errors import Category, fail
from gateway.interactions.bundles import body_fragment, dumps, full_url, new_bundle, paging_links
from gateway.interactions.common import FhirResult, check_id, check_type, http_date
from gateway.search.parse import IGNORED_PARAMS, MAX_COUNT
from gateway.search.values import MAX_INT, BadValue, date_range, plain_int

STATUS = {"POST": "201 Created", "PUT": "200 OK", "DELETE": "204 No Content"}


async def history(
    ctx: FhirContext,
    resource_type: str | None,
    resource_id: str | None,
    pairs: Sequence[tuple[str, str]],
    *,
    base: str,
) -> FhirResult:
    if resource_type is not None:
        check_type(ctx.is_resource_type(resource_type), resource_type)
    if resource_id is not None:
        check_id(resource_id)
        assert resource_type is not None
        if await ctx.store.read(resource_type, resource_id) is None:
            raise fail(
                Category.NOT_FOUND,
                "ILP-1001",
                f"{resource_type}/{resource_id} is not known",
                code="not-found",
            )
    count, offset, since, kept = ctx.settings.default_page_size, 0, None, []
    for name, value in pairs:
        if name in ("_count", "_offset"):
            n = plain_int(value)
            if n is None:
                raise fail(
                    Category.INVALID,
                    "ILP-2012",
                    f"{name} must be a non-negative integer (at most {MAX_INT}), not '{value}'",
                    expression=name,
                )
            if name == "_count":
                count = min(n, MAX_COUNT)
            else:
                offset = n
        elif name == "_since":
            try:
                since = date_range(value)[0]
            except BadValue as exc:
                raise fail(
                    Category.INVALID,
                    "ILP-2007",
                    f"Invalid value for '_since': {exc}",
                    code="value",
                    expression="_since",
                ) from None
            kept.append(f"_since={value}")
        elif name not in IGNORED_PARAMS:
            raise fail(
                Category.INVALID,
                "ILP-2013",
                f"History parameter '{name}' is not supported (supported: _count, _since, _offset)",
                code="not-supported",
                expression=name,
            )
    page = await ctx.store.history(resource_type, resource_id, since=since, count=count, offset=offset)
    bundle = new_bundle("history")
    bundle["total"] = page.total
    path = "/".join(p for p in (resource_type, resource_id) if p)
    url = f"{base}/{path}/_history" if path else f"{base}/_history"
    bundle["link"] = paging_links(url, "&".join(kept), offset, count, page.total, len(page.entries))
    entries: list[dict[str, Any]] = []
    for s in page.entries:
        entry: dict[str, Any] = {"fullUrl": full_url(base, s)}
        if not s.deleted:
            entry["resource"] = body_fragment(s)
        method = s.method
        entry["request"] = {
            "method": method,
            "url": s.resource_type if method == "POST" else f"{s.resource_type}/{s.id}",
        }
        entry["response"] = {
            "status": STATUS[method],
            "etag": s.etag,
            "lastModified": s.last_updated_instant,
        }
        entries.append(entry)
    if entries:
        bundle["entry"] = entries
    return FhirResult(
        200, dumps(bundle), {"Last-Modified": http_date(page.entries[0].last_updated)} if entries else {}
    )
