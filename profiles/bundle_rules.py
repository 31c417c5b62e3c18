"""Stage 4 of validation: rules over a whole Bundle (https://hl7.org/fhir/R4/bundle.html#references).

* every entry of a transaction/batch has a unique ``fullUrl``; ``urn:uuid:`` ones carry a valid UUID
  (SATUSEHAT validation dictionary 20017–20021);
* no Bundle inside a Bundle (SATUSEHAT 20011);
* every reference resolves: ``urn:uuid:`` to a ``fullUrl`` of the Bundle, ``Type/id`` to an entry of the
  Bundle or, reported back as *external* for the caller to look up, to the store;
* times of events that already happened are not in the future (the event-time elements are data:
  ``profiles/data/event-times.json``);
* the invariants of the R4 Bundle (https://hl7.org/fhir/R4/bundle.html#invs, ``bdl-1`` … ``bdl-12``),
  which depend on ``Bundle.type``: ``total`` only in a searchset or history, ``entry.search`` only in a
  searchset, ``entry.request`` in and only in a batch, transaction or history, ``entry.response`` in and only
  in a batch-response, transaction-response or history, an entry with a resource, a request or a response,
  no version-specific ``fullUrl``, a unique ``fullUrl`` unless the versions differ (any in a history), a
  document's identifier, timestamp and first Composition, a message's first MessageHeader
  (:func:`_bundle_invariants`, :func:`_entry_invariants`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from itertools import repeat
from operator import itemgetter
from typing import Any

import jsonschema_rs
import orjson

from profiles.codegen import SourceWriter
from profiles.engine import reference_type
from profiles.issues import Issue, items
from profiles.rules import parse_instant

CLOCK_SKEW = timedelta(minutes=5)  # a sender's clock may run this far ahead of ours
_TWO_DAYS = timedelta(days=2)  # a date before today − 2 days is in the past in every time zone
_LITERAL = re.compile(r"^(?:[a-z]+://[^?]*/)?([A-Z][A-Za-z]+)/([A-Za-z0-9\-.]{1,64})(?:/_history/[^/]+)?$")


@dataclass(slots=True)
class ExternalReference:
    """A ``Type/id`` reference that is not in the Bundle: the caller checks the store. Its FHIRPath is
    worked out only if it has to be reported (the target is missing), which keeps the common case fast."""

    resource_type: str
    id: str
    literal: str
    resource: dict[str, Any] = field(repr=False)
    base: str

    @property
    def expression(self) -> str:
        return next(
            (where for ref, where in references(self.resource, self.base) if ref == self.literal), self.base
        )


@dataclass(slots=True)
class BundleCheck:
    issues: list[Issue] = field(default_factory=list)
    external: list[ExternalReference] = field(default_factory=list)
    local_types: dict[str, str] = field(default_factory=dict)
    """Reference string → the type it names: an ``urn:`` fullUrl → the resourceType of its entry (the
    targets of ``urn:uuid:`` references); a literal or conditional reference of the Bundle → the type it
    says (:func:`profiles.engine.reference_type`, worked out once per Bundle instead of once per use)."""


def references(node: Any, path: str) -> Iterator[tuple[str, str]]:
    """Every ``reference`` string under ``node`` with its FHIRPath (contained resources excluded)."""
    if isinstance(node, dict):
        ref = node.get("reference")
        if isinstance(ref, str):
            yield ref, f"{path}.reference"
        for key, value in node.items():
            if key != "contained" and isinstance(value, dict | list):
                yield from references(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from references(item, f"{path}[{i}]")


Walker = Callable[[Any, str], Iterator[tuple[str, str]]]
"""(resource, its path) → every reference string under it with its FHIRPath."""


def _uri_named(text: bytes) -> bool:
    """Does the JSON text hold an element that may have a uri named ``reference``: an Expression (its
    ``language`` is required), ``Immunization.education``, a DetectedIssue. Then check_references walks
    by the R4 types instead of trusting the scan."""
    return b'"language":' in text or b'"education":' in text or b'"resourceType":"DetectedIssue"' in text


_FIRST = itemgetter(0)
_REFERENCE_KEY = b'"reference":"'
_REFERENCE_JSON_ESCAPED = re.compile(rb'"reference":"((?:[^"\\]|\\.)*)"')  # slower; only when needed


def reference_strings(text: bytes) -> set[str]:
    """The values of every ``"reference"`` key in compact JSON (orjson's output): the text is split at the
    key (one C call), each part cut at its closing quote and the values deduplicated as bytes before they
    are decoded, all by C-level ``map`` (no Python step per reference). A string value cannot hold the
    key's bytes unescaped, so only real keys match; text with escapes takes the (slower) regex."""
    if b"\\" in text:
        return {orjson.loads(b'"' + m + b'"') for m in _REFERENCE_JSON_ESCAPED.findall(text)}
    parts = text.split(_REFERENCE_KEY)
    del parts[0]
    return set(map(bytes.decode, set(map(_FIRST, map(bytes.partition, parts, repeat(b'"'))))))


def check_references(
    resource: dict[str, Any] | list[dict[str, Any]],
    path: str,
    local: set[str],
    out: BundleCheck,
    nested: dict[str, Any] | None = None,
    known: list[str] | None = None,
    *,
    scan: bool = True,
    typed: Walker | None = None,
) -> None:
    """Classify the references of one resource (or of a Bundle's entry resources, given as a list with the
    Bundle as ``nested``): in the Bundle, external (store), or unresolvable. ``known``: the references of
    entries not in the list, already read where they are (:mod:`profiles.reference_paths`); with
    ``scan=False`` they are all of the resource's (it is not scanned).

    The references are found in the orjson bytes (fast); the resource (or ``nested``) is walked for paths
    only when a reference is unresolvable, which is the rare case. The text scan takes every ``reference``
    key for one, so when the text holds an element that may be a uri named ``reference`` (an Expression,
    ``Immunization.education``, a DetectedIssue), ``typed`` (a walk by the R4 types) finds them and their
    paths instead."""
    text = orjson.dumps(resource) if scan and resource else b""
    pending = reference_strings(text) if text else set()
    owner = nested if nested is not None else resource
    walk: Walker = references
    if typed is not None and text and _uri_named(text):
        walk = typed
        pending = {ref for ref, _ in typed(owner, path)}
    if known:
        pending.update(known)
    if nested is not None:  # a Bundle: each literal reference's type, worked out once for the profile checks
        types = out.local_types
        for ref in pending:
            if ref not in types and not ref.startswith(("#", "urn:")):
                types[ref] = reference_type(ref)
    pending -= local
    if not pending:
        return
    assert isinstance(owner, dict), "a list of resources comes with the Bundle they are in (nested)"
    bad: set[str] = set()
    for ref in pending:
        if ref.startswith("#") or "?" in ref:
            continue  # contained and conditional references (the transaction resolves the latter)
        m = _LITERAL.match(ref)
        if ref.startswith(("urn:uuid:", "urn:oid:")) or (m is None and not ref.startswith("#")):
            bad.add(ref)
        elif m is not None and f"{m.group(1)}/{m.group(2)}" not in local:
            out.external.append(ExternalReference(m.group(1), m.group(2), ref, owner, path))
    if not bad:
        return
    for ref, where in walk(owner, path):
        if ref not in bad:
            continue
        if ref.startswith(("urn:uuid:", "urn:oid:")):
            message = f"{where}: '{ref}' matches no fullUrl in the Bundle"
            out.issues.append(Issue("error", "not-found", "ILP-4503", message, (where,)))
        else:
            message = f"{where}: '{ref}' is not a resolvable reference"
            out.issues.append(Issue("error", "value", "ILP-4503", message, (where,)))


EventKeys = dict[str, tuple[tuple[str, str], ...]]
"""Per resource type, the JSON keys of its event times (choice variants expanded) and an optional
sub-element (``("period", "start")``); from ``profiles/data/event-times.json``."""
LateFn = Callable[[dict[str, Any], str], bool]
"""(resource, horizon) → does any event time of the resource fall on or after the horizon date."""


@dataclass(frozen=True, slots=True)
class EventTimes:
    """The event-time keys and, per type, generated code that tells whether a resource has an event time
    on or after a date: the quick test run on every Bundle entry (:func:`future_times` then finds the
    times that are really in the future, with their paths, for the few that pass it)."""

    keys: EventKeys
    late: dict[str, LateFn]

    @classmethod
    def compile(cls, keys: EventKeys) -> EventTimes:
        return cls(keys, {rtype: _compile_late(rtype, pairs) for rtype, pairs in keys.items()})


def _compile_late(rtype: str, pairs: tuple[tuple[str, str], ...]) -> LateFn:
    """What :func:`future_times` tests before it parses a time, as straight-line code: a string value's
    date part (or a Period's start or end) compared with the horizon."""
    w = SourceWriter({})
    for key, sub in pairs:  # ``in`` and a subscript, not a ``get`` call: most keys are absent
        w.emit(1, f"if {key!r} in V:")
        w.emit(2, f"x = V[{key!r}]")
        if sub:
            w.emit(2, f"x = x.get({sub!r}) if x.__class__ is dict else None")
        w.emit(2, "if x.__class__ is str:")
        w.emit(3, "if x[:10] >= H:")
        w.emit(4, "return True")
        w.emit(2, "elif x.__class__ is dict:")
        for k in ("start", "end"):
            w.emit(3, f"t = x.get({k!r})")
            w.emit(3, "if t.__class__ is str and t[:10] >= H:")
            w.emit(4, "return True")
    w.emit(1, "return False")
    fn: LateFn = w.build("late", f"<event times of {rtype}>", ["def late(V, H):"])
    return fn


def check_bundle(
    bundle: dict[str, Any],
    event_times: EventTimes,
    clock: Callable[[], datetime] | None = None,
    read: set[int] | None = None,
    found: list[str] | None = None,
    typed: Walker | None = None,
) -> BundleCheck:
    """The Bundle rules of the module docstring. ``read``: entries whose references the caller has already
    read (their strings in ``found``); the other entries' references are found in their JSON text (or by
    ``typed``, see :func:`check_references`)."""
    out = BundleCheck()
    kind = bundle.get("type")
    needs_full_url = kind in ("transaction", "batch")
    _bundle_invariants(bundle, kind, out.issues)
    # bdl-2, -3, -4: what an entry holds by the Bundle's type (a type that is not a code: structure says so)
    known_kind = kind.__class__ is str and kind in _BUNDLE_TYPES
    wants_request = kind in _REQUEST_KINDS
    wants_response = kind in _RESPONSE_KINDS
    allows_search = kind == "searchset"
    local: set[str] = set()
    seen: dict[str, int] = {}
    indices: list[int] = []  # of the entries whose resources the later checks read
    urn_uuids: list[tuple[int, int, str]] = []  # (where its issue goes in out.issues, entry index, fullUrl)
    resources: list[dict[str, Any]] = []
    local_types = out.local_types
    now = (clock or (lambda: datetime.now(UTC)))() + CLOCK_SKEW
    horizon = (now - _TWO_DAYS).date().isoformat()
    late = event_times.late
    recent: list[tuple[int, dict[str, Any]]] = []  # entries with an event time since the day before yesterday
    for i, entry in enumerate(items(bundle.get("entry"))):  # indices of the Bundle as sent
        if entry.__class__ is not dict:
            continue  # the structure stage reports it
        full_url = entry.get("fullUrl")
        resource = entry.get("resource")
        if known_kind and (
            ("request" in entry) is not wants_request
            or ("response" in entry) is not wants_response
            or ("search" in entry and not allows_search)
            or (resource is None and "request" not in entry and "response" not in entry)
        ):
            _entry_invariants(entry, i, str(kind), out.issues)
        rtype = None
        if resource.__class__ is dict:
            rtype = resource.get("resourceType")
        else:
            resource = None
        if full_url.__class__ is str:
            if full_url in seen and _same_version(bundle, kind, seen[full_url], i):
                where = f"Bundle.entry[{i}].fullUrl"
                out.issues.append(
                    Issue(
                        "error",
                        "duplicate",
                        "ILP-4501",
                        f"{where} '{full_url}' is also used by Bundle.entry[{seen[full_url]}]",
                        (where,),
                    )
                )
            seen[full_url] = i
            local.add(full_url)
            if full_url.startswith("urn:uuid:"):  # the common case first: one test
                urn_uuids.append((len(out.issues), i, full_url))
                if rtype.__class__ is str:
                    local_types[full_url] = rtype
            elif full_url.startswith("urn:"):
                if rtype.__class__ is str:
                    local_types[full_url] = rtype
            else:
                if "/_history/" in full_url and known_kind:  # bdl-8 (an urn: holds no such path)
                    _bdl(out.issues, "bdl-8", f"Bundle.entry[{i}].fullUrl", _VERSIONED_FULL_URL)
                if m := _LITERAL.match(full_url):
                    local.add(f"{m.group(1)}/{m.group(2)}")
        elif needs_full_url and resource is not None:
            # legal FHIR, but the national platform requires one (20017): the forwarder will have to add it
            where = f"Bundle.entry[{i}].fullUrl"
            out.issues.append(
                Issue(
                    "warning",
                    "required",
                    "ILP-4501",
                    f"{where} is missing; SATUSEHAT requires one on every entry",
                    (where,),
                )
            )
        if resource is not None:
            if rtype == "Bundle":
                where = f"Bundle.entry[{i}].resource"
                out.issues.append(
                    Issue(
                        "error",
                        "structure",
                        "ILP-4502",
                        f"{where}: a Bundle may not contain a Bundle",
                        (where,),
                        20011,
                    )
                )
                continue
            rid = resource.get("id")
            if rid.__class__ is str:
                local.add(f"{rtype}/{rid}")
            indices.append(i)
            resources.append(resource)
            test = late.get(rtype) if rtype.__class__ is str else None
            if test is not None and test(resource, horizon):
                recent.append((i, resource))  # rare
    if urn_uuids and not _urn_uuids().is_valid([url for _, _, url in urn_uuids]):
        for at, i, full_url in reversed(urn_uuids):  # from the end: the earlier places stay put
            if _URN_UUID.fullmatch(full_url) is None:
                where = f"Bundle.entry[{i}].fullUrl"
                message = f"{where} '{full_url}' is not a valid urn:uuid"
                out.issues.insert(at, Issue("error", "value", "ILP-4501", message, (where,)))
    for i, resource in recent:  # the times that are really in the future, with their paths
        where = f"Bundle.entry[{i}].resource"
        out.issues.extend(future_times(resource, where, event_times.keys, now, horizon))
    # one scan of all entries' references; paths are worked out (by walking the Bundle) only when reported
    if len(read or ()) == len(resources):
        resources = []  # every entry's references were read where they are (the common case)
    elif read:
        resources = [r for i, r in zip(indices, resources, strict=True) if i not in read]
    check_references(resources, "Bundle", local, out, nested=bundle, known=found, typed=typed)
    return out


_BUNDLE_TYPES = frozenset(
    {
        *("document", "message", "transaction", "transaction-response", "batch", "batch-response"),
        *("history", "searchset", "collection"),
    }
)


_VERSIONED_FULL_URL = "fullUrl cannot be a version specific reference"
_REQUEST_KINDS = ("batch", "transaction", "history")
_RESPONSE_KINDS = ("batch-response", "transaction-response", "history")
# bdl-3, bdl-4: an entry part, its invariant, the Bundle types that must have it (and only they may)
_ENTRY_PARTS = (
    ("request", "bdl-3", _REQUEST_KINDS, "a batch, transaction or history"),
    ("response", "bdl-4", _RESPONSE_KINDS, "a batch-response, transaction-response or history"),
)


def _bdl(issues: list[Issue], key: str, where: str, text: str) -> None:
    issues.append(Issue("error", "invariant", "ILP-4506", f"{where}: {key}: {text}", (where,)))


def _bundle_invariants(bundle: dict[str, Any], kind: Any, issues: list[Issue]) -> None:
    """The Bundle-level R4 invariants (bdl-1, -9, -10, -11, -12); a type that is not a Bundle type is the
    structure stage's to report."""
    if kind.__class__ is not str or kind not in _BUNDLE_TYPES:
        return
    if "total" in bundle and kind not in ("searchset", "history"):
        _bdl(issues, "bdl-1", "Bundle.total", f"total only when a search or history (this is a {kind})")
    entries = bundle.get("entry")
    first = entries[0] if entries.__class__ is list and entries else None
    resource = first.get("resource") if first.__class__ is dict else None
    first_type = resource.get("resourceType") if resource.__class__ is dict else None
    if kind == "document":
        identifier = bundle.get("identifier")
        if not (identifier.__class__ is dict and "system" in identifier and "value" in identifier):
            _bdl(
                issues,
                "bdl-9",
                "Bundle.identifier",
                "A document must have an identifier with a system and a value",
            )
        if bundle.get("timestamp").__class__ is not str:
            _bdl(issues, "bdl-10", "Bundle.timestamp", "A document must have a date")
        if first_type != "Composition":
            _bdl(issues, "bdl-11", "Bundle.entry", "A document must have a Composition as the first resource")
    elif kind == "message" and first_type != "MessageHeader":
        _bdl(issues, "bdl-12", "Bundle.entry", "A message must have a MessageHeader as the first resource")


def _entry_invariants(entry: dict[str, Any], i: int, kind: str, issues: list[Issue]) -> None:
    """The entry-level R4 invariants (bdl-2, -3, -4, -5) of an entry the quick test picked out (bdl-8, on
    the fullUrl, is checked where :func:`check_bundle` reads it)."""
    at = f"Bundle.entry[{i}]"
    if "search" in entry and kind != "searchset":
        _bdl(issues, "bdl-2", f"{at}.search", f"entry.search only when a search (this is a {kind})")
    for key, invariant, kinds, wanted_in in _ENTRY_PARTS:
        if kind in kinds:
            if key not in entry:
                _bdl(issues, invariant, f"{at}.{key}", f"entry.{key} is mandatory in a {kind}")
        elif key in entry:
            _bdl(issues, invariant, f"{at}.{key}", f"entry.{key} only in {wanted_in} (this is a {kind})")
    if not any(key in entry for key in ("resource", "request", "response")):
        _bdl(issues, "bdl-5", at, "must be a resource unless there's a request or response")


def _same_version(bundle: dict[str, Any], kind: Any, first: int, then: int) -> bool:
    """bdl-7: two entries sharing a fullUrl are a duplicate, unless the Bundle is a history or their
    resources' ``meta.versionId`` differ."""
    if kind == "history":
        return False
    entries = bundle["entry"]

    def version(index: int) -> Any:
        entry = entries[index]
        resource = entry.get("resource") if entry.__class__ is dict else None
        meta = resource.get("meta") if resource.__class__ is dict else None
        return meta.get("versionId") if meta.__class__ is dict else None

    a, b = version(first), version(then)
    return a is None or b is None or a == b


def future_times(
    resource: dict[str, Any],
    path: str,
    event_keys: EventKeys,
    now: datetime,
    horizon: str | None = None,
) -> list[Issue]:
    """Event times after ``now`` (SATUSEHAT rejects future dates: "Invalid date time value").
    ``event_keys``: per type, the JSON keys (choice variants expanded) and an optional sub-element.
    Plain function code, not generators: it runs on every resource of every Bundle."""
    horizon = horizon or (now - _TWO_DAYS).date().isoformat()
    out: list[Issue] = []
    for key, sub in event_keys.get(str(resource.get("resourceType")), ()):
        value = resource.get(key)
        if value is None:
            continue
        if sub:
            value = value.get(sub) if value.__class__ is dict else None
        if value.__class__ is str:
            if value[:10] >= horizon:  # a calendar date before yesterday is in the past in every time zone
                _future(value, f"{path}.{key}.{sub}" if sub else f"{path}.{key}", now, out)
        elif value.__class__ is dict:
            for k in ("start", "end"):
                text = value.get(k)
                if text.__class__ is str and text[:10] >= horizon:
                    _future(text, f"{path}.{key}.{sub}.{k}" if sub else f"{path}.{key}.{k}", now, out)
    return out


def _future(text: str, where: str, now: datetime, out: list[Issue]) -> None:
    when = parse_instant(text)
    if when is not None and when > now:
        out.append(Issue("error", "value", "ILP-4505", f"{where} ({text}) is in the future", (where,)))


_UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_URN_UUID = re.compile(f"urn:uuid:{_UUID}")  # fullmatch


@cache
def _urn_uuids() -> jsonschema_rs.Validator:
    """Checks all of a Bundle's ``urn:uuid:`` fullUrls in one call, the common case (Rust's regex engine
    spends a fraction of Python's per URL); only when one fails are they matched one by one with
    ``_URN_UUID`` for the issues. The same pattern, anchored: in the ECMA-262 dialect of JSON Schema ``$``
    is the end of the string, not before a final newline (a test pins the agreement). Built on first use."""
    return jsonschema_rs.Draft202012Validator({"items": {"pattern": f"^urn:uuid:{_UUID}$"}})
