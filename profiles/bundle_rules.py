"""Stage 4 of validation: rules over a whole Bundle (https://hl7.org/fhir/R4/bundle.html#references).

* every entry of a transaction/batch has a unique ``fullUrl``; ``urn:uuid:`` ones carry a valid UUID
  (SATUSEHAT validation dictionary 20017–20021);
* no Bundle inside a Bundle (SATUSEHAT 20011);
* every reference resolves: ``urn:uuid:`` to a ``fullUrl`` of the Bundle, ``Type/id`` to an entry of the
  Bundle or, reported back as *external* for the caller to look up, to the store;
* times of events that already happened are not in the future (the event-time elements are data:
  ``profiles/data/event-times.json``).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson

from profiles.issues import Issue
from profiles.rules import CLOCK_SKEW, _parse_instant

_LITERAL = re.compile(r"^(?:[a-z]+://[^?]*/)?([A-Z][A-Za-z]+)/([A-Za-z0-9\-.]{1,64})(?:/_history/[^/]+)?$")


@dataclass(slots=True)
class ExternalReference:
    """A ``Type/id`` reference that is not in the Bundle: the caller checks the store."""

    resource_type: str
    id: str
    expression: str


@dataclass(slots=True)
class BundleCheck:
    issues: list[Issue] = field(default_factory=list)
    external: list[ExternalReference] = field(default_factory=list)


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


_REFERENCE_JSON = re.compile(rb'"reference":"((?:[^"\\]|\\.)*)"')


def check_references(resource: dict[str, Any], path: str, local: set[str], out: BundleCheck) -> None:
    """Classify the references of one resource: in the Bundle, external (store), or unresolvable.

    The references are found with a regex over the orjson bytes (fast); the paths only come from a walk of
    the resource when some reference needs reporting, which is the rare case."""
    found = {m.decode() for m in _REFERENCE_JSON.findall(orjson.dumps(resource))}
    if not found or found <= local:
        return
    contained = {f"#{c.get('id')}" for c in resource.get("contained") or () if isinstance(c, dict)}
    for ref, where in references(resource, path):
        if ref in local or ref in contained or "?" in ref:
            continue  # conditional references are resolved by the transaction itself
        if ref.startswith(("urn:uuid:", "urn:oid:")):
            out.issues.append(
                Issue(
                    "error",
                    "not-found",
                    "ILP-4503",
                    f"{where}: '{ref}' matches no fullUrl in the Bundle",
                    (where,),
                )
            )
            continue
        m = _LITERAL.match(ref)
        if m is None:
            if not ref.startswith("#"):
                out.issues.append(
                    Issue(
                        "error",
                        "value",
                        "ILP-4503",
                        f"{where}: '{ref}' is not a resolvable reference",
                        (where,),
                    )
                )
            continue
        if f"{m.group(1)}/{m.group(2)}" not in local:
            out.external.append(ExternalReference(m.group(1), m.group(2), where))


def check_bundle(
    bundle: dict[str, Any],
    event_times: dict[str, tuple[str, ...]],
    clock: Callable[[], datetime] | None = None,
) -> BundleCheck:
    out = BundleCheck()
    kind = bundle.get("type")
    entries = [e for e in bundle.get("entry") or () if isinstance(e, dict)]
    local: set[str] = set()
    seen: dict[str, int] = {}
    for i, entry in enumerate(entries):
        where = f"Bundle.entry[{i}]"
        full_url = entry.get("fullUrl")
        resource = entry.get("resource") if isinstance(entry.get("resource"), dict) else None
        if kind in ("transaction", "batch") and resource is not None and not isinstance(full_url, str):
            # legal FHIR, but the national platform requires one (20017): the forwarder will have to add it
            out.issues.append(
                Issue(
                    "warning",
                    "required",
                    "ILP-4501",
                    f"{where}.fullUrl is missing; SATUSEHAT requires one on every entry",
                    (f"{where}.fullUrl",),
                )
            )
        if isinstance(full_url, str):
            if full_url in seen:
                out.issues.append(
                    Issue(
                        "error",
                        "duplicate",
                        "ILP-4501",
                        f"{where}.fullUrl '{full_url}' is also used by Bundle.entry[{seen[full_url]}]",
                        (f"{where}.fullUrl",),
                    )
                )
            seen[full_url] = i
            local.add(full_url)
            if full_url.startswith("urn:uuid:") and not _is_uuid(full_url[9:]):
                out.issues.append(
                    Issue(
                        "error",
                        "value",
                        "ILP-4501",
                        f"{where}.fullUrl '{full_url}' is not a valid urn:uuid",
                        (f"{where}.fullUrl",),
                    )
                )
            m = _LITERAL.match(full_url)
            if m:
                local.add(f"{m.group(1)}/{m.group(2)}")
        if resource is not None:
            if resource.get("resourceType") == "Bundle":
                out.issues.append(
                    Issue(
                        "error",
                        "structure",
                        "ILP-4502",
                        f"{where}.resource: a Bundle may not contain a Bundle",
                        (f"{where}.resource",),
                        20011,
                    )
                )
            elif isinstance(resource.get("id"), str):
                local.add(f"{resource.get('resourceType')}/{resource['id']}")
    now = (clock or (lambda: datetime.now(UTC)))() + CLOCK_SKEW
    for i, entry in enumerate(entries):
        resource = entry.get("resource")
        if isinstance(resource, dict) and resource.get("resourceType") != "Bundle":
            path = f"Bundle.entry[{i}].resource"
            check_references(resource, path, local, out)
            out.issues.extend(future_times(resource, path, event_times, now))
    return out


def future_times(
    resource: dict[str, Any], path: str, event_times: dict[str, tuple[str, ...]], now: datetime
) -> Iterator[Issue]:
    """Event times after ``now`` (SATUSEHAT rejects future dates: "Invalid date time value")."""
    for element in event_times.get(str(resource.get("resourceType")), ()):
        name, _, sub = element.partition(".")
        keys = [
            k
            for k in resource
            if k == name
            or (name.endswith("[x]") and k.startswith(name[:-3]) and k[len(name) - 3 :][:1].isupper())
        ]
        for key in keys:
            value = resource[key]
            if sub:
                value = value.get(sub) if isinstance(value, dict) else None
            for text, where in _times(value, f"{path}.{key}{'.' + sub if sub else ''}"):
                when = _parse_instant(text)
                if when is not None and when > now:
                    yield Issue("error", "value", "ILP-4505", f"{where} ({text}) is in the future", (where,))


def _times(value: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield value, path
    elif isinstance(value, dict):
        for k in ("start", "end"):
            if isinstance(value.get(k), str):
                yield value[k], f"{path}.{k}"


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return len(text) == 36
