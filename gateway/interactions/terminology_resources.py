"""Read and search of the CodeSystem, ValueSet and ConceptMap resources of the terminology package.

https://hl7.org/fhir/R4/http.html#read and #search. The resources are the vendored ones (read-only, no
versions); an id the package does not hold falls through to the store (see the routes), so a resource
of these types written by a client stays readable. Search supports ``_id``, ``url`` (``url|version``
too), ``version``, ``name``, ``title`` (case-insensitive prefix), ``status``, ``_count``, ``_offset`` and
``_summary=true`` (no ``concept``/``compose``/``expansion``/``group``); other parameters are reported in
an ``outcome`` entry, or rejected under ``Prefer: handling=strict``. The large code systems (ICD-10,
ICD-9-CM, Kemendagri areas) are served with ``content: not-present`` and their ``count``: use the
operations to reach their codes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from gateway.context import FhirContext
from gateway.errors import Category, Issue, fail, operation_outcome
from gateway.interactions.bundles import dumps, new_bundle, paging_links
from gateway.interactions.common import FhirResult, Prefer
from terminology.catalog import TYPES

TERMINOLOGY_TYPES = frozenset(TYPES)
SUMMARY_DROPS = ("concept", "compose", "expansion", "group")
STRING_PARAMS = ("name", "title")
TOKEN_PARAMS = ("_id", "version", "status")
PAGING = ("_count", "_offset", "_summary", "_format")
MAX_COUNT = 1000


def read_packaged(ctx: FhirContext, resource_type: str, resource_id: str) -> FhirResult | None:
    """The packaged resource, or None when the package holds no such id."""
    found = ctx.terminology.catalog.get(resource_type, resource_id)
    return FhirResult(200, found) if found is not None else None


def _non_negative(name: str, value: str) -> int:
    if not (value.isdigit() and value.isascii()):
        raise fail(
            Category.INVALID,
            "ILP-2012",
            f"{name} must be a non-negative integer",
            code="value",
            expression=name,
        )
    return int(value)


def search_packaged(
    ctx: FhirContext, resource_type: str, pairs: Sequence[tuple[str, str]], *, prefer: Prefer, base: str
) -> FhirResult:
    criteria: list[tuple[str, str]] = []
    count, offset, summary = ctx.settings.default_page_size, 0, False
    issues: list[Issue] = []
    for name, value in pairs:
        if name == "_count":
            count = min(_non_negative(name, value), MAX_COUNT)
        elif name == "_offset":
            offset = _non_negative(name, value)
        elif name == "_summary":
            summary = value == "true"
        elif name == "_format":
            continue
        elif name in ("url", *STRING_PARAMS, *TOKEN_PARAMS):
            criteria.append((name, value))
        else:
            message = f"Search parameter '{name}' is not supported on {resource_type} here; it was ignored"
            if prefer.strict:
                raise fail(Category.INVALID, "ILP-5009", message, code="not-supported", expression=name)
            issues.append(Issue("warning", "not-supported", "ILP-5009", message, (name,)))
    matches = [r for r in ctx.terminology.catalog.of_type(resource_type) if _matches(r, criteria)]
    matches.sort(key=lambda r: (r.get("url", ""), r["id"]))
    page = matches[offset : offset + count]
    bundle = new_bundle("searchset")
    bundle["total"] = len(matches)
    query = urlencode(criteria + ([("_summary", "true")] if summary else []))
    bundle["link"] = paging_links(f"{base}/{resource_type}", query, offset, count, len(matches), len(page))
    entries: list[dict[str, Any]] = [
        {
            "fullUrl": f"{base}/{resource_type}/{r['id']}",
            "resource": _summarized(r) if summary else r,
            "search": {"mode": "match"},
        }
        for r in page
    ]
    if issues:
        entries.append({"resource": operation_outcome(issues), "search": {"mode": "outcome"}})
    if entries:
        bundle["entry"] = entries
    return FhirResult(200, dumps(bundle))


def _matches(resource: dict[str, Any], criteria: list[tuple[str, str]]) -> bool:
    for name, value in criteria:
        alternatives = value.split(",")
        if name == "url":
            url, version = resource.get("url"), resource.get("version")
            if not any(a == url or a == f"{url}|{version}" for a in alternatives):
                return False
        elif name in STRING_PARAMS:
            text = str(resource.get(name, "")).casefold()
            if not any(text.startswith(a.casefold()) for a in alternatives):
                return False
        else:
            key = "id" if name == "_id" else name
            if str(resource.get(key)) not in alternatives:
                return False
    return True


def _summarized(resource: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in resource.items() if k not in SUMMARY_DROPS}
    out["meta"] = {
        "tag": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ObservationValue", "code": "SUBSETTED"}]
    }
    return out
