"""Building response Bundles (searchset, history, transaction-response) without re-parsing bodies.

Stored bodies are embedded as ``orjson.Fragment`` so a page of results is never parsed and dumped again.
"""

from __future__ import annotations

import uuid
from typing import Any

import orjson

from gateway import fhir_json
from gateway.search.values import format_instant, now_us
from gateway.store.base import StoredResource


def new_bundle(bundle_type: str) -> dict[str, Any]:
    return {
        "resourceType": "Bundle",
        "id": str(uuid.uuid4()),
        "meta": {"lastUpdated": format_instant(now_us())},
        "type": bundle_type,
    }


def full_url(base: str, stored: StoredResource) -> str:
    return f"{base}/{stored.resource_type}/{stored.id}"


def body_fragment(stored: StoredResource) -> orjson.Fragment:
    assert stored.body is not None
    return orjson.Fragment(stored.body)


def body_fragment_of(body: bytes | dict[str, Any]) -> orjson.Fragment | dict[str, Any]:
    """An entry's resource from an interaction's result body: serialised bytes embedded as they are."""
    return orjson.Fragment(body) if isinstance(body, bytes) else body


def paging_links(
    url: str, query: str, offset: int, count: int, total: int | None, page_len: int
) -> list[dict[str, str]]:
    """self / next / previous links (https://hl7.org/fhir/R4/http.html#paging); order is stable (by rid)."""
    sep = "&" if query else ""

    def link(relation: str, off: int) -> dict[str, str]:
        return {"relation": relation, "url": f"{url}?{query}{sep}_count={count}&_offset={off}"}

    links = [link("self", offset)]
    # _count=0 asks only for the total: a next link would point at the same page forever
    has_next = count > 0 and (offset + page_len < total if total is not None else page_len == count)
    if has_next:
        links.append(link("next", offset + count))
    if offset > 0:
        links.append(link("previous", max(0, offset - count)))
    return links


def dumps(bundle: dict[str, Any]) -> bytes:
    return fhir_json.dumps(bundle)
