"""Stage 1 of validation: exact R4 structure (https://hl7.org/fhir/R4/json.html).

The official HL7 R4 JSON schema (``profiles/data/r4/fhir.schema.json.gz``) is run with jsonschema-rs, one
validator per resource type compiled on first use from the definitions reachable from that type (≈3 ms;
the whole schema at once takes minutes). ``ResourceList`` (contained resources, Bundle entries, Parameters)
is replaced by a shallow object schema and those resources are validated recursively with their own
type's validator, so error paths stay precise. No ``$ref`` ever leaves the document: there is no network.

Added checks the schema cannot express:
* at most one variant of a choice element ``value[x]`` (``valueString`` and ``valueQuantity`` together);
* R5 shapes rejected: the schema's datatype definitions have no ``"type": "object"``, so an R5-style
  array where R4 has a single complex value (``Encounter.class``) would pass unnoticed.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from importlib import resources
from typing import Any

import jsonschema_rs
import orjson

from profiles.definitions import R4Definitions
from profiles.issues import Issue

SHALLOW_RESOURCE = {
    "type": "object",
    "required": ["resourceType"],
    "properties": {"resourceType": {"type": "string"}},
}
NESTED_RESOURCE_KEYS = ("contained", "resource", "outcome")
PRIMITIVES = frozenset(
    {
        *("boolean", "integer", "string", "decimal", "uri", "url", "canonical", "base64Binary", "instant"),
        *("date", "dateTime", "time", "code", "oid", "id", "markdown", "unsignedInt", "positiveInt"),
        *("uuid", "xhtml"),
    }
)


def _refs(node: Any, out: set[str]) -> None:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            out.add(ref.rsplit("/", 1)[-1])
        for value in node.values():
            _refs(value, out)
    elif isinstance(node, list):
        for value in node:
            _refs(value, out)


def _schema_issue(base: str, err: jsonschema_rs.ValidationError) -> Issue:
    """A schema error as an issue whose expression names the offending element itself: the missing
    property for ``required``, the unexpected one for ``additionalProperties``."""
    path = fhir_path(base, list(err.instance_path))
    kind = err.kind
    if isinstance(kind, jsonschema_rs.ValidationErrorKind.Required):
        name = str(kind.property).strip('"')
        return Issue("error", "required", "ILP-4001", f"{path}.{name} is required", (f"{path}.{name}",))
    if isinstance(kind, jsonschema_rs.ValidationErrorKind.AdditionalProperties):
        extra = [str(u) for u in kind.unexpected]
        return Issue(
            "error",
            "structure",
            "ILP-4001",
            f"{path}: unknown element(s) {', '.join(extra)}",
            tuple(f"{path}.{u}" for u in extra),
        )
    return Issue("error", "structure", "ILP-4001", f"{path}: {err.message}", (path,))


def fhir_path(resource_type: str, instance_path: list[str | int]) -> str:
    """``["name", 0, "family"]`` → ``Patient.name[0].family`` (a FHIRPath ``expression``)."""
    out = resource_type
    for part in instance_path:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


class StructureValidator:
    """R4 structure checks for any resource type."""

    def __init__(self, defs: R4Definitions) -> None:
        raw = orjson.loads(
            gzip.decompress(
                (resources.files("profiles") / "data" / "r4" / "fhir.schema.json.gz").read_bytes()
            )
        )
        self._definitions: dict[str, Any] = dict(raw["definitions"])
        self._definitions["ResourceList"] = SHALLOW_RESOURCE
        self.resource_types = frozenset(raw["discriminator"]["mapping"])
        self._validators: dict[str, jsonschema_rs.Draft6Validator] = {}
        self._choices = _choice_elements(defs)
        self._single_complex = _single_complex_elements(defs)

    def _validator(self, resource_type: str) -> jsonschema_rs.Draft6Validator:
        v = self._validators.get(resource_type)
        if v is None:
            reachable: set[str] = set()
            todo = [resource_type]
            while todo:
                name = todo.pop()
                if name in reachable:
                    continue
                reachable.add(name)
                found: set[str] = set()
                _refs(self._definitions[name], found)
                todo.extend(found - reachable)
            schema = {
                "$ref": f"#/definitions/{resource_type}",
                "definitions": {k: self._definitions[k] for k in reachable},
            }
            v = self._validators[resource_type] = jsonschema_rs.Draft6Validator(schema)
        return v

    def validate(self, resource: Any, where: str = "") -> list[Issue]:
        """Structure issues of ``resource`` (and of its contained/nested resources), never raising."""
        if not isinstance(resource, dict):
            return [
                Issue(
                    "error",
                    "structure",
                    "ILP-4001",
                    "A resource must be a JSON object",
                    (where,) if where else (),
                )
            ]
        rtype = str(resource.get("resourceType"))
        base = where or rtype
        if rtype not in self.resource_types:
            return [
                Issue(
                    "error",
                    "structure",
                    "ILP-4004",
                    f"'{rtype}' is not an R4 resource type",
                    (f"{where}.resourceType" if where else "resourceType",),
                )
            ]
        issues: list[Issue] = []
        validator = self._validator(rtype)
        if not validator.is_valid(resource):
            for err in validator.iter_errors(resource):
                issues.append(_schema_issue(base, err))
        issues.extend(self._shape_checks(rtype, resource, base))
        for key in NESTED_RESOURCE_KEYS:
            issues.extend(self._nested(resource, key, base))
        return issues

    def _nested(self, resource: dict[str, Any], key: str, base: str) -> Iterator[Issue]:
        if key == "contained":
            for i, inner in enumerate(resource.get("contained") or ()):
                yield from self.validate(inner, f"{base}.contained[{i}]")
        elif key == "resource" and resource.get("resourceType") == "Bundle":
            for i, entry in enumerate(resource.get("entry") or ()):
                if isinstance(entry, dict):
                    for sub in ("resource",):
                        if sub in entry:
                            yield from self.validate(entry[sub], f"{base}.entry[{i}].{sub}")
                    response = entry.get("response")
                    if isinstance(response, dict) and "outcome" in response:
                        yield from self.validate(response["outcome"], f"{base}.entry[{i}].response.outcome")
        elif key == "resource" and resource.get("resourceType") == "Parameters":
            for i, param in enumerate(resource.get("parameter") or ()):
                if isinstance(param, dict) and "resource" in param:
                    yield from self.validate(param["resource"], f"{base}.parameter[{i}].resource")

    def _shape_checks(self, rtype: str, resource: dict[str, Any], base: str) -> Iterator[Issue]:
        """One value[x] variant per choice element; a single object where R4 says max 1 (R5 arrays)."""
        yield from _walk_shapes(self, rtype, resource, base)


def _walk_shapes(sv: StructureValidator, path: str, node: dict[str, Any], where: str) -> Iterator[Issue]:
    choices = sv._choices.get(path)
    if choices:
        for stem, keys in choices.items():
            present = [k for k in keys if k in node]
            if len(present) > 1:
                yield Issue(
                    "error",
                    "structure",
                    "ILP-4002",
                    f"{where}: only one of {stem}[x] may be present, found {', '.join(present)}",
                    (f"{where}.{present[1]}",),
                )
    singles = sv._single_complex.get(path)
    if singles:
        for key in singles:
            if isinstance(node.get(key), list):
                yield Issue(
                    "error",
                    "structure",
                    "ILP-4003",
                    f"{where}.{key} is a single value in FHIR R4, not an array (an R5 shape?)",
                    (f"{where}.{key}",),
                )


def _choice_elements(defs: R4Definitions) -> dict[str, dict[str, tuple[str, ...]]]:
    """path of the parent → {stem: JSON keys of its variants} for every choice element of every resource."""
    out: dict[str, dict[str, tuple[str, ...]]] = {}
    for name in defs.resource_types:
        for el in defs.types[name].elements.values():
            if el.path.endswith("[x]") and el.path.count(".") == 1:
                parent, stem = el.path[:-3].rsplit(".", 1)
                keys = tuple(stem + t[0].upper() + t[1:] for t in el.types)
                out.setdefault(parent, {})[stem] = keys
    return out


def _single_complex_elements(defs: R4Definitions) -> dict[str, tuple[str, ...]]:
    """Top-level complex elements with max 1, per resource type (where R5 made some of them arrays)."""
    out: dict[str, tuple[str, ...]] = {}
    for name in defs.resource_types:
        keys = []
        for el in defs.types[name].elements.values():
            top_level_single = el.path.count(".") == 1 and el.max == "1" and not el.path.endswith("[x]")
            if top_level_single and el.types and el.types[0] not in PRIMITIVES | {"BackboneElement"}:
                keys.append(el.path.split(".")[1])
        out[name] = tuple(keys)
    return out
