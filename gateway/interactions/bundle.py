"""FHIR transaction and batch (https://hl7.org/fhir/R4/http.html#transaction).

* transaction: all writes commit together or none does; ``fullUrl`` references (``urn:uuid:…``) and
  conditional references are rewritten to the assigned ids; processing order is DELETE, POST, PUT, then
  GET; a failing entry fails the whole Bundle with an OperationOutcome that names the entry.
* batch: every entry stands alone and gets its own status (and OperationOutcome when it fails); entries
  run concurrently, so the store commits them in one group.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from gateway.context import FhirContext
from gateway.errors import Category, GatewayError, Issue, fail, operation_outcome
from gateway.interactions.bundles import body_fragment, body_fragment_of, dumps, new_bundle
from gateway.interactions.common import FhirResult, Prefer, check_id, check_resource, check_type
from gateway.interactions.history import history
from gateway.interactions.read import read
from gateway.interactions.search import search
from gateway.interactions.update import parse_if_match
from gateway.interactions.vread import vread
from gateway.store.base import EntryResult, WriteEntry
from gateway.validation import check_write

REASONS = {
    200: "OK",
    201: "Created",
    204: "No Content",
    400: "Bad Request",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    410: "Gone",
    412: "Precondition Failed",
    422: "Unprocessable Entity",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


@dataclass(slots=True)
class ReadEntry:
    """A GET/HEAD entry: read, vread, history or search."""

    url_path: list[str]
    query: list[tuple[str, str]]
    where: str


def status_line(status: int) -> str:
    return f"{status} {REASONS.get(status, '')}".strip()


def _at(err: GatewayError, where: str) -> GatewayError:
    """Point an error raised while handling an entry at that entry."""
    issues = [
        replace(i, expression=i.expression or (where,), diagnostics=f"{where}: {i.diagnostics}")
        for i in err.issues
    ]
    return GatewayError(err.category, issues, err.headers)


async def process_bundle(ctx: FhirContext, body: Any, *, prefer: Prefer, base: str) -> FhirResult:
    bundle = check_resource(body, "Bundle", "")
    kind = bundle.get("type")
    if kind not in ("transaction", "batch"):
        raise fail(
            Category.INVALID,
            "ILP-3010",
            f"POST to the base accepts a transaction or batch Bundle, not type '{kind}'",
            code="value",
            expression="Bundle.type",
        )
    entries = bundle.get("entry", [])
    if not isinstance(entries, list):
        raise fail(
            Category.INVALID,
            "ILP-3011",
            "Bundle.entry must be an array",
            code="structure",
            expression="Bundle.entry",
        )
    if kind == "transaction":
        return await _transaction(ctx, bundle, entries, prefer, base)
    return await _batch(ctx, entries, prefer, base)


def _parse_entry(ctx: FhirContext, i: int, entry: Any, base: str) -> WriteEntry | ReadEntry:
    where = f"Bundle.entry[{i}]"
    if not isinstance(entry, dict):
        raise fail(
            Category.INVALID, "ILP-3011", "An entry must be a JSON object", code="structure", expression=where
        )
    request = entry.get("request")
    if (
        not isinstance(request, dict)
        or not isinstance(request.get("method"), str)
        or not isinstance(request.get("url"), str)
    ):
        raise fail(
            Category.INVALID,
            "ILP-3011",
            "entry.request with method and url is required",
            code="required",
            expression=f"{where}.request",
        )
    method, url = request["method"].upper(), request["url"]
    if url.startswith(base + "/"):
        url = url[len(base) + 1 :]
    if url.isalpha():  # "Observation": what urlsplit would make of it, without the parsing
        query_text, path, query = "", [url], []
    else:
        parts = urlsplit(url)
        query_text = parts.query
        path = [p for p in parts.path.split("/") if p]
        query = parse_qsl(query_text, keep_blank_values=True)
    if not path:
        raise fail(
            Category.INVALID,
            "ILP-3012",
            f"entry.request.url '{url}' names no resource type",
            code="value",
            expression=f"{where}.request.url",
        )
    rtype = path[0]
    check_type(ctx.is_resource_type(rtype), rtype)
    if method in ("GET", "HEAD"):
        return ReadEntry(path, query, where)
    full_url = entry.get("fullUrl") if isinstance(entry.get("fullUrl"), str) else None
    if_match = parse_if_match(request.get("ifMatch")) if request.get("ifMatch") is not None else None
    if method == "DELETE":
        if len(path) == 2:
            check_id(path[1], f"{where}.request.url")
            return WriteEntry("DELETE", rtype, id=path[1], if_match=if_match, expression=where)
        if len(path) == 1 and query:
            return WriteEntry(
                "DELETE", rtype, condition=ctx.parse_conditional(rtype, query_text), expression=where
            )
    elif method in ("POST", "PUT"):
        resource = check_resource(entry.get("resource"), rtype, f"{where}.resource")
        if method == "POST" and len(path) == 1:
            ine = request.get("ifNoneExist")
            cond = ctx.parse_conditional(rtype, ine.lstrip("?")) if isinstance(ine, str) and ine else None
            body = {k: v for k, v in resource.items() if k != "id"}
            return WriteEntry(
                "POST", rtype, resource=body, full_url=full_url, if_none_exist=cond, expression=where
            )
        if method == "PUT" and len(path) == 2:
            check_id(path[1], f"{where}.request.url")
            if resource.get("id", path[1]) != path[1]:
                raise fail(
                    Category.INVALID,
                    "ILP-1108",
                    f"Resource id '{resource.get('id')}' does not match the request url ('{path[1]}')",
                    expression=f"{where}.resource.id",
                )
            resource["id"] = path[1]
            return WriteEntry(
                "PUT",
                rtype,
                id=path[1],
                resource=resource,
                full_url=full_url,
                if_match=if_match,
                expression=where,
            )
        if method == "PUT" and len(path) == 1 and query:
            cond = ctx.parse_conditional(rtype, query_text)
            return WriteEntry(
                "PUT",
                rtype,
                resource=resource,
                full_url=full_url,
                condition=cond,
                if_match=if_match,
                expression=where,
            )
    else:
        raise fail(
            Category.INVALID,
            "ILP-3012",
            f"entry.request.method '{method}' is not supported (GET, HEAD, POST, PUT, DELETE)",
            code="not-supported",
            expression=f"{where}.request.method",
        )
    raise fail(
        Category.INVALID,
        "ILP-3012",
        f"'{method} {url}' is not a valid {method} entry",
        code="value",
        expression=f"{where}.request.url",
    )


def _check_full_urls(entries: list[Any]) -> None:
    seen: dict[str, int] = {}
    for i, e in enumerate(entries):
        fu = e.get("fullUrl") if isinstance(e, dict) else None
        if isinstance(fu, str):
            if fu in seen:
                raise fail(
                    Category.INVALID,
                    "ILP-3013",
                    f"fullUrl '{fu}' is used by entry {seen[fu]} and entry {i}",
                    code="duplicate",
                    expression=f"Bundle.entry[{i}].fullUrl",
                )
            seen[fu] = i


def _write_response(
    r: EntryResult, prefer: Prefer, base: str, warnings: list[Issue] | None = None
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    response: dict[str, Any] = {"status": status_line(r.status)}
    s = r.stored
    if s is not None and not s.deleted:
        out["fullUrl"] = f"{base}/{s.resource_type}/{s.id}"
        if prefer.return_ == "representation":
            out["resource"] = body_fragment(s)
        response["location"] = f"{s.resource_type}/{s.id}/_history/{s.version}"
    if s is not None:
        response["etag"] = s.etag
        response["lastModified"] = s.last_updated_instant
    if warnings or prefer.return_ == "OperationOutcome":
        response["outcome"] = operation_outcome(warnings or [])
    out["response"] = response
    return out


def _error_entry(err: GatewayError) -> dict[str, Any]:
    return {"response": {"status": status_line(err.status), "outcome": err.outcome()}}


def _by_entry(issues: list[Issue]) -> dict[int, list[Issue]]:
    """Issues grouped by the entry their expression points into (``Bundle.entry[3]…``)."""
    out: dict[int, list[Issue]] = {}
    for issue in issues:
        expr = issue.expression[0] if issue.expression else ""
        if expr.startswith("Bundle.entry["):
            out.setdefault(int(expr[13 : expr.index("]")]), []).append(issue)
    return out


async def _read_entry(ctx: FhirContext, e: ReadEntry, prefer: Prefer, base: str) -> dict[str, Any]:
    p = e.url_path
    if len(p) == 1:
        result = await search(ctx, p[0], e.query, prefer=prefer, base=base)
    elif len(p) == 2 and p[1] == "_history":
        result = await history(ctx, p[0], None, e.query, base=base)
    elif len(p) == 2:
        result = await read(ctx, p[0], p[1])
    elif len(p) == 3 and p[2] == "_history":
        result = await history(ctx, p[0], p[1], e.query, base=base)
    elif len(p) == 4 and p[2] == "_history":
        result = await vread(ctx, p[0], p[1], p[3])
    else:
        raise fail(
            Category.INVALID,
            "ILP-3012",
            f"GET {'/'.join(p)} is not supported in a Bundle",
            code="value",
            expression=f"{e.where}.request.url",
        )
    entry: dict[str, Any] = {"response": {"status": status_line(result.status)}}
    if isinstance(result.body, bytes | dict):
        entry["resource"] = body_fragment_of(result.body)
    if "ETag" in result.headers:
        entry["response"]["etag"] = result.headers["ETag"]
    return entry


async def _transaction(
    ctx: FhirContext, bundle: dict[str, Any], entries: list[Any], prefer: Prefer, base: str
) -> FhirResult:
    _check_full_urls(entries)
    parsed: list[WriteEntry | ReadEntry] = []
    for i, raw in enumerate(entries):
        try:
            parsed.append(_parse_entry(ctx, i, raw, base))
        except GatewayError as err:
            raise _at(err, f"Bundle.entry[{i}]") from None
    warnings = _by_entry(await check_write(ctx, bundle))  # 422 with every issue under the reject policy
    writes = [p for p in parsed if isinstance(p, WriteEntry)]
    results = iter(await ctx.store.transaction(writes))
    out_entries: list[dict[str, Any]] = []
    for i, p in enumerate(parsed):
        if isinstance(p, WriteEntry):
            out_entries.append(_write_response(next(results), prefer, base, warnings.get(i)))
        else:
            try:
                out_entries.append(await _read_entry(ctx, p, prefer, base))
            except GatewayError as err:
                out_entries.append(_error_entry(err))
    response = new_bundle("transaction-response")
    response["entry"] = out_entries
    return FhirResult(200, dumps(response))


async def _batch(ctx: FhirContext, entries: list[Any], prefer: Prefer, base: str) -> FhirResult:
    async def one(i: int, raw: Any) -> dict[str, Any]:
        where = f"Bundle.entry[{i}]"
        try:
            parsed = _parse_entry(ctx, i, raw, base)
            if isinstance(parsed, ReadEntry):
                return await _read_entry(ctx, parsed, prefer, base)
        except GatewayError as err:
            return _error_entry(_at(err, where))
        warnings: list[Issue] = []
        if parsed.resource is not None:
            try:
                warnings = await check_write(ctx, parsed.resource, where=f"{where}.resource")
            except GatewayError as err:  # validation issues carry their own expressions
                return _error_entry(err)
        try:
            [result] = await ctx.store.transaction([parsed])
        except GatewayError as err:
            return _error_entry(_at(err, where))
        return _write_response(result, prefer, base, warnings)

    out_entries = await asyncio.gather(*(one(i, raw) for i, raw in enumerate(entries)))
    response = new_bundle("batch-response")
    response["entry"] = list(out_entries)
    return FhirResult(200, dumps(response))
