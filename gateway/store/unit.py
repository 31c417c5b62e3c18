"""Transaction processing shared by every backend (https://hl7.org/fhir/R4/http.html#trules).

1. Identities are resolved first: server ids are assigned to creates, conditional creates and updates
   are matched inside the backend's atomic unit of work (so concurrent identical requests cannot both
   create), and identical conditional creates within one Bundle collapse into one resource.
2. References to ``fullUrl``s (``urn:uuid:…``) and conditional references (``Patient?identifier=…``) are
   rewritten to the assigned ``Type/id`` everywhere in every resource.
3. Writes run in the order the spec prescribes: DELETE, then POST, then PUT.

Any failure raises :class:`GatewayError`; the backend rolls the whole unit back.
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import orjson

from gateway import fhir_json
from gateway.errors import Category, fail
from gateway.search.query import SearchQuery
from gateway.store.base import EntryResult, WriteEntry, WriteTx
from profiles.bundle_rules import references

ConditionalRef = Callable[[str], SearchQuery]
_CONDITIONAL_REF = re.compile(r"^([A-Z][A-Za-z]+)\?(.+)$")
ORDER = {"DELETE": 0, "POST": 1, "PUT": 2}


@dataclass(slots=True)
class _Planned:
    index: int
    entry: WriteEntry
    resource_id: str | None
    write: bool  # False: conditional match that needs no write, or a delete with nothing to delete
    status_if_no_write: int = 200
    collapsed: bool = False  # an identical conditional create earlier in the Bundle stands for this one
    fresh: bool = False  # the id was just assigned by the server (new_id): no stored version can exist


def new_id() -> str:
    """A server-assigned id: a UUID version 7 (RFC 9562 §5.7): the Unix time in milliseconds, then 74
    random bits. Ids assigned close in time sort close together, so the ``(type, id)`` index and the
    reference index take new rows on a few pages instead of one random page per resource (less to write
    and to fsync per commit). Uniqueness rests on the random bits, as with version 4."""
    rand = secrets.randbits(74)  # rand_a (12 bits), rand_b (62 bits)
    value = (time.time_ns() // 1_000_000) << 80 | 0x7 << 76 | (rand >> 62) << 64 | 0b10 << 62 | rand & _LOW62
    h = f"{value:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


_LOW62 = (1 << 62) - 1


async def run_transaction(
    tx: WriteTx,
    entries: list[WriteEntry],
    parse_conditional: Callable[[str, str], Awaitable[SearchQuery] | SearchQuery] | None = None,
    *,
    referential_integrity: bool = True,
) -> list[EntryResult]:
    """Execute ``entries`` in ``tx``. ``parse_conditional(type, query)`` parses conditional references.

    With ``referential_integrity`` a delete that would leave other resources pointing at nothing fails
    with 409 (https://hl7.org/fhir/R4/http.html#delete), unless the same transaction deletes them or
    points them elsewhere.
    """
    plans = [await _resolve_identity(tx, i, e) for i, e in enumerate(entries)]
    _collapse_duplicate_conditionals(plans)
    _check_unique_identities(plans)
    idmap = {p.entry.full_url: f"{p.entry.resource_type}/{p.resource_id}" for p in plans if p.entry.full_url}
    for p in plans:
        if p.entry.resource is not None and p.write:
            await _rewrite_references(tx, p.entry.resource, idmap, p.entry.expression, parse_conditional)
    results: list[EntryResult | None] = [None] * len(plans)
    for p in sorted(plans, key=lambda p: (ORDER[p.entry.method], p.index)):
        results[p.index] = await _execute(tx, p)
    if referential_integrity:  # after every write, so referrers re-pointed or deleted by the unit count
        await _check_no_referrers(tx, plans, results)
    return [r for r in results if r is not None]


async def _check_no_referrers(tx: WriteTx, plans: list[_Planned], results: list[EntryResult | None]) -> None:
    for p in plans:
        r = results[p.index]
        if (
            p.entry.method != "DELETE"
            or r is None
            or r.stored is None
            or p.resource_id is None
            or not p.write
        ):
            continue
        found = await tx.referrers(p.entry.resource_type, p.resource_id, 4)
        if found:
            shown = ", ".join(found[:3]) + (" …" if len(found) > 3 else "")
            raise fail(
                Category.CONFLICT,
                "ILP-3009",
                f"{p.entry.resource_type}/{p.resource_id} cannot be deleted: it is referenced by {shown}",
                code="conflict",
                expression=p.entry.expression or None,
            )


async def _resolve_identity(tx: WriteTx, index: int, e: WriteEntry) -> _Planned:
    where = e.expression or e.resource_type
    if e.method == "POST":
        if e.if_none_exist is not None:
            found = await tx.find(e.if_none_exist, 2)
            if len(found) > 1:
                raise fail(
                    Category.PRECONDITION_FAILED,
                    "ILP-3001",
                    f"If-None-Exist '{e.if_none_exist.canonical}' matches more than one {e.resource_type}",
                    code="multiple-matches",
                    expression=f"{where}.request.ifNoneExist" if e.expression else None,
                )
            if found:
                return _Planned(index, e, found[0], write=False, status_if_no_write=200)
        return _Planned(index, e, new_id(), write=True, fresh=True)
    if e.method == "PUT":
        if e.condition is not None:
            found = await tx.find(e.condition, 2)
            if len(found) > 1:
                raise fail(
                    Category.PRECONDITION_FAILED,
                    "ILP-3002",
                    f"Conditional update '{e.condition.canonical}' matches more than one {e.resource_type}",
                    code="multiple-matches",
                    expression=f"{where}.request.url" if e.expression else None,
                )
            body_id = (e.resource or {}).get("id")
            if found and body_id and body_id != found[0]:
                raise fail(
                    Category.INVALID,
                    "ILP-3004",
                    f"Resource id '{body_id}' does not match the resource the condition found ('{found[0]}')",
                    expression=f"{where}.resource.id" if e.expression else f"{e.resource_type}.id",
                )
            if found or body_id:
                return _Planned(index, e, found[0] if found else body_id, write=True)
            return _Planned(index, e, new_id(), write=True, fresh=True)
        return _Planned(index, e, e.id, write=True)
    # DELETE
    if e.condition is not None:
        found = await tx.find(e.condition, 2)
        if len(found) > 1:
            raise fail(
                Category.PRECONDITION_FAILED,
                "ILP-3005",
                f"Conditional delete '{e.condition.canonical}' matches more than one {e.resource_type}",
                code="multiple-matches",
                expression=f"{where}.request.url" if e.expression else None,
            )
        if not found:
            return _Planned(index, e, None, write=False, status_if_no_write=204)
        return _Planned(index, e, found[0], write=True)
    return _Planned(index, e, e.id, write=True)


def _collapse_duplicate_conditionals(plans: list[_Planned]) -> None:
    """Identical If-None-Exist creates in one Bundle create one resource (HAPI PR #2934)."""
    first: dict[tuple[str, str], _Planned] = {}
    for p in plans:
        e = p.entry
        if e.method != "POST" or e.if_none_exist is None:
            continue
        key = (e.resource_type, e.if_none_exist.canonical)
        if key in first:
            p.resource_id, p.write, p.status_if_no_write = first[key].resource_id, False, 200
            p.collapsed = True
        else:
            first[key] = p


def _check_unique_identities(plans: list[_Planned]) -> None:
    """Resolved identities must not overlap (https://hl7.org/fhir/R4/http.html#trules), conditional
    matches included; only the collapsed duplicates of one conditional create may share an identity."""
    seen: dict[str, _Planned] = {}
    for p in plans:
        if p.collapsed or p.resource_id is None:
            continue
        ref = f"{p.entry.resource_type}/{p.resource_id}"
        if ref in seen:
            raise fail(
                Category.INVALID,
                "ILP-3003",
                f"{ref} is the target of more than one entry; a transaction may touch a resource once",
                code="duplicate",
                expression=p.entry.expression or None,
            )
        seen[ref] = p


async def _rewrite_references(
    tx: WriteTx,
    resource: dict[str, Any],
    idmap: dict[str, str],
    where: str,
    parse_conditional: Callable[[str, str], Awaitable[SearchQuery] | SearchQuery] | None,
) -> None:
    """Replace fullUrl and conditional references with ``Type/id`` (https://hl7.org/fhir/R4/bundle.html#references)."""
    root = "resource" if where else resource.get("resourceType", "")
    for holder in holders(resource):
        ref = holder["reference"]
        if ref in idmap:
            holder["reference"] = idmap[ref]
            continue
        m = _CONDITIONAL_REF.match(ref)
        if m and parse_conditional is not None:
            query = parse_conditional(m.group(1), m.group(2))
            if not isinstance(query, SearchQuery):
                query = await query
            found = await tx.find(query, 2)
            if len(found) != 1:
                raise fail(
                    Category.PRECONDITION_FAILED if found else Category.NOT_FOUND,
                    "ILP-3006",
                    f"Conditional reference '{ref}' matches {len(found) if found else 'no'} resources; "
                    "it must match exactly one",
                    code="multiple-matches" if found else "not-found",
                    expression=_expression(resource, ref, root, where),
                )
            holder["reference"] = f"{m.group(1)}/{found[0]}"
        elif where and (ref.startswith("urn:uuid:") or ref.startswith("urn:oid:")):
            raise fail(
                Category.INVALID,
                "ILP-3007",
                f"Reference '{ref}' does not match the fullUrl of any entry in the Bundle",
                code="not-found",
                expression=_expression(resource, ref, root, where),
            )


def _expression(resource: dict[str, Any], ref: str, root: str, where: str) -> str:
    """The FHIRPath of a reference that is reported (worked out only then: a walk of the resource). The
    holders are rewritten in walk order and the first holding ``ref`` is the one that failed, so the first
    path holding it is the one to name."""
    path = next((found for text, found in references(resource, root) if text == ref), root)
    return f"{where}.{path}" if where else path


def holders(resource: dict[str, Any]) -> list[dict[str, Any]]:
    """Every object with a string ``reference`` in a resource (contained resources excluded), in document
    order. Most references sit one level down (``subject``, ``performer[0]``): those are collected, and if
    the compact JSON has no other ``"reference":`` key (inside a JSON string the quotes would be escaped),
    they are all of them; otherwise the whole resource is walked."""
    found: list[dict[str, Any]] = []
    for value in resource.values():
        if value.__class__ is dict:
            if value.get("reference").__class__ is str:
                found.append(value)
        elif value.__class__ is list:
            for item in value:
                if item.__class__ is dict and item.get("reference").__class__ is str:
                    found.append(item)
    try:
        if "contained" not in resource and fhir_json.dumps(resource).count(_REFERENCE_KEY) == len(found):
            return found
    except orjson.JSONEncodeError:
        pass  # not JSON-serialisable (put() will say so): the walk decides
    return _holders(resource, [])


_REFERENCE_KEY = b'"reference":'


def _holders(node: Any, found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every object with a string ``reference`` under ``node`` (contained resources excluded)."""
    if node.__class__ is dict:
        if node.get("reference").__class__ is str:
            found.append(node)
        for key, value in node.items():
            if key != "contained" and value.__class__ in (dict, list):
                _holders(value, found)
    elif node.__class__ is list:
        for item in node:
            if item.__class__ in (dict, list):
                _holders(item, found)
    return found


async def _execute(tx: WriteTx, p: _Planned) -> EntryResult:
    e, rid = p.entry, p.resource_id
    if not p.write or rid is None:
        stored = await tx.current(e.resource_type, rid) if rid is not None else None
        return EntryResult(p.status_if_no_write, stored, created=False)
    current = None if p.fresh else await tx.current(e.resource_type, rid)
    if e.if_match is not None and (current is None or current.deleted or current.version != e.if_match):
        have = "no current version" if current is None or current.deleted else f'version "{current.version}"'
        raise fail(
            Category.PRECONDITION_FAILED,
            "ILP-3008",
            f'If-Match W/"{e.if_match}" does not match {e.resource_type}/{rid}: it has {have}',
            code="conflict",
            expression=f"{e.expression}.request.ifMatch" if e.expression else None,
        )
    version = (current.version if current else 0) + 1
    if e.method == "DELETE":
        if current is None:
            raise fail(
                Category.NOT_FOUND,
                "ILP-1004",
                f"{e.resource_type}/{rid} does not exist",
                code="not-found",
                expression=e.expression or None,
            )
        if current.deleted:
            return EntryResult(204, current)
        return EntryResult(204, await tx.delete(e.resource_type, rid, version))
    assert e.resource is not None
    created = current is None or current.deleted
    stored = await tx.put(e.resource_type, rid, e.resource, version, e.method if created else "PUT")
    return EntryResult(201 if created else 200, stored, created=created)
