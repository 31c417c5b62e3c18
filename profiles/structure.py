"""Stage 1 of validation: exact R4 structure (https://hl7.org/fhir/R4/json.html).

The official HL7 R4 JSON schema (``profiles/data/r4/fhir.schema.json.gz``) is run with jsonschema-rs, one
validator per resource type compiled on first use from the definitions reachable from that type (≈3 ms;
the whole schema at once takes minutes). ``ResourceList`` (contained resources, Bundle entries, Parameters)
is replaced by a shallow object schema and those resources are validated recursively with their own
type's validator, so error paths stay precise. No ``$ref`` ever leaves the document: there is no network.

Added checks the schema cannot express:
* at most one variant of a choice element ``value[x]`` (``valueString`` and ``valueQuantity`` together);
* R5 shapes rejected: the schema's datatype definitions have no ``"type": "object"``, so an R5-style
  array where R4 has a single complex value (``Encounter.class``) would pass unnoticed;
* for the same reason, every complex value is a JSON object at any depth: the official schema lets
  ``"subject": "Patient/1"``, ``"code": 5`` or ``"period": null`` through. Each complex definition gets
  ``"type": "object"`` (``null`` stays allowed as an item of a primitive's ``_element`` array, where the
  JSON format puts it: https://hl7.org/fhir/R4/json.html#primitive);
* the R4 primitive types the official schema cannot check (https://hl7.org/fhir/R4/datatypes.html#primitive):
  ``integer``, ``positiveInt`` and ``unsignedInt`` are ``"type": "number"`` with a regex, which JSON Schema
  ignores on a number, so ``1.5``, ``0`` for a positiveInt, ``-1`` for an unsignedInt or 2^31 passed (as
  definitions and as the choice variants the schema writes out in place, ``valueInteger``); ``xhtml`` has an
  empty definition, so ``"div": 5`` passed; ``base64Binary``'s definition lacks the regex its written-out
  variants have. :data:`PRIMITIVE_DEFINITIONS` replaces them (:func:`_with_r4_primitives`): JSON integers
  in the 32-bit range the spec gives, a string whose root element is a ``div``
  (https://hl7.org/fhir/R4/narrative.html#xhtml), base64 text, and dates of days that exist (the R4
  regexes admit ``2023-02-30``; "Dates SHALL be valid dates");
* the minimum cardinality of primitive and choice elements: the official schema's ``required`` lists only
  complex elements, because a primitive may be present as its value (``status``) or as its extensions
  alone (``_status``, https://hl7.org/fhir/R4/json.html#primitive). So an Observation without ``status``,
  an Immunization without ``occurrence[x]`` or an Extension without ``url`` passed. Each definition gets,
  per element of ``min`` ≥ 1 (from the StructureDefinitions, ``elements.json``) that its ``required``
  leaves out, an ``anyOf`` of the JSON properties that make the element present (:func:`_required_rules`);
* the two invariants of every element (https://hl7.org/fhir/R4/element.html#invs,
  https://hl7.org/fhir/R4/extensibility.html#Extension), which the schema leaves out:
  ``ele-1`` "All FHIR elements must have a @value or children" (no ``{}``) and ``ext-1`` "Must have either
  extensions or value[x], not both" (:func:`_element_invariants`); and those of a contained resource,
  ``dom-2`` … ``dom-5`` (:func:`_contained_invariants`).
"""

from __future__ import annotations

import gzip
from collections.abc import Callable, Iterable, Iterator
from importlib import resources
from typing import Any

import jsonschema_rs
import orjson

from profiles.definitions import R4Definitions
from profiles.issues import Issue, items
from profiles.reference_paths import Step, reference_paths, typed_references

SHALLOW_RESOURCE = {
    "type": "object",
    "required": ["resourceType"],
    "properties": {"resourceType": {"type": "string"}},
}
SHAPES = "_ilp_shapes"  # the definition holding the shape rules of a type's schema
_SHAPES_PATH = ["definitions", SHAPES]
_CARDINALITY = "allOf"  # where a definition's added minimum-cardinality rules go (no R4 definition has one)
_NESTING = frozenset({"Bundle", "Parameters"})  # types whose validation recurses into nested resources
_INT32_MAX = 2**31 - 1
# R4's date regexes (datatypes.html#date) admit 2023-02-30; "Dates SHALL be valid dates". These keep their
# grammar (partial dates; the year 0001-9999) and admit only the days each month has, 29 February in leap
# years (divisible by 4, and by 400 when by 100).
_YEAR = "(?:[0-9](?:[0-9](?:[0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)"
_LEAP_YEAR = "(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:0[48]|[2468][048]|[13579][26])00)"
_MONTH_DAY = (
    "(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])"
    "|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)"
    "|02-(?:0[1-9]|1[0-9]|2[0-8]))"
)
_FULL_DATE = f"(?:{_YEAR}-{_MONTH_DAY}|{_LEAP_YEAR}-02-29)"
_PARTIAL_DATE = f"(?:{_YEAR}(?:-(?:0[1-9]|1[0-2]))?)"
_TIME = "(?:[01][0-9]|2[0-3]):[0-5][0-9]:(?:[0-5][0-9]|60)(?:\\.[0-9]+)?"
_ZONE = "(?:Z|[+-](?:(?:0[0-9]|1[0-3]):[0-5][0-9]|14:00))"
PRIMITIVE_DEFINITIONS: dict[str, dict[str, Any]] = {
    "integer": {"type": "integer", "minimum": -(2**31), "maximum": _INT32_MAX},
    "positiveInt": {"type": "integer", "minimum": 1, "maximum": _INT32_MAX},
    "unsignedInt": {"type": "integer", "minimum": 0, "maximum": _INT32_MAX},
    "date": {"type": "string", "pattern": f"^(?:{_FULL_DATE}|{_PARTIAL_DATE})$"},
    "dateTime": {
        "type": "string",
        "pattern": f"^(?:{_FULL_DATE}(?:T{_TIME}{_ZONE})?|{_PARTIAL_DATE})$",
    },
    "instant": {"type": "string", "pattern": f"^{_FULL_DATE}T{_TIME}{_ZONE}$"},
    "xhtml": {"type": "string", "pattern": r"^\s*<div[\s>]"},
    "base64Binary": {"type": "string", "pattern": r"^(\s*([0-9a-zA-Z\+/=]){4}\s*)+$"},
}
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


EntryCheck = Callable[[int, dict[str, Any], jsonschema_rs.Draft6Validator], bool]
"""(entry index, its resource, the resource type's structure validator) → is the resource structurally
valid. The profile validator passes one that checks the structure and the profiles' schemas in one call
(:meth:`profiles.validator.Validator._entry_check`). Only called for a resource of a known type that is
neither a Bundle nor a Parameters and has no ``contained`` resources."""


class StructureValidator:
    """R4 structure checks for any resource type."""

    def __init__(self, defs: R4Definitions) -> None:
        raw = orjson.loads(
            gzip.decompress(
                (resources.files("profiles") / "data" / "r4" / "fhir.schema.json.gz").read_bytes()
            )
        )
        self._definitions: dict[str, Any] = _with_r4_primitives(raw["definitions"])
        self._definitions["ResourceList"] = SHALLOW_RESOURCE
        self.resource_types = frozenset(raw["discriminator"]["mapping"])
        self._validators: dict[str, jsonschema_rs.Draft6Validator] = {}
        self._watch = _watched_keys(defs)
        self._required = _required_rules(defs, self._definitions)
        self._resources = self.resource_types | {"Resource", "DomainResource"}
        # a primitive type's regex → the types that have it, for the issue of a value that does not match
        self._pattern_types: dict[str, list[str]] = {}
        for name in sorted(PRIMITIVES):
            definition = self._definitions.get(name)
            if isinstance(definition, dict) and "pattern" in definition:
                self._pattern_types.setdefault(definition["pattern"], []).append(name)
        # the JSON properties of a minimum-cardinality rule → the element's name, for its issue
        self._required_names = {
            tuple(names): element for rules in self._required.values() for names, element in rules
        }

    def r4_schema(self, resource_type: str) -> dict[str, Any]:
        """The official R4 JSON schema of one resource type: its definition and every definition reachable
        from it (``ResourceList`` shallow), nothing added."""
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
        return {
            "$ref": f"#/definitions/{resource_type}",
            "definitions": {k: self._definitions[k] for k in reachable},
        }

    def checked_schema(self, resource_type: str) -> dict[str, Any]:
        """What the structure stage runs for one type: the official schema with complex values typed as
        objects (:func:`_objects_typed`) and the shape rules added as a definition of their own
        (``SHAPES``), so one ``is_valid`` call answers for all of it."""
        schema = self.r4_schema(resource_type)
        definitions = {
            k: _element_invariants(
                k, _with_required(_objects_typed(v), self._required.get(k, ())), self._resources
            )
            for k, v in schema["definitions"].items()
        }
        definitions[SHAPES] = _shape_schema(self._watch.get(resource_type, {}))
        return {
            "allOf": [{"$ref": schema["$ref"]}, {"$ref": f"#/definitions/{SHAPES}"}],
            "definitions": definitions,
        }

    def checked_schema_2020(self, resource_type: str) -> dict[str, Any]:
        """:meth:`checked_schema` in JSON Schema 2020-12, to be combined with the profiles' schemas (which
        are 2020-12) in one validator. The official schema uses only keywords whose meaning is the same in
        both drafts (``$ref`` siblings are descriptions only); the draft-6 ``dependencies`` (schema-valued)
        of the shape rules and of the element invariants become ``dependentSchemas``."""
        schema = self.checked_schema(resource_type)
        definitions = {
            name: _dependent_schemas(definition) for name, definition in schema["definitions"].items()
        }
        return {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "allOf": schema["allOf"],
            "definitions": definitions,
        }

    def reference_paths(self, resource_type: str) -> tuple[tuple[Step, ...], ...] | None:
        """The paths of the type's own Reference elements, or None
        (:func:`profiles.reference_paths.reference_paths`)."""
        return reference_paths(self._definitions, resource_type)

    def typed_references(self, resource: Any, path: str) -> Iterator[tuple[str, str]]:
        """The resource's ``Reference.reference`` strings with their paths, by the types of the R4 schema
        (:func:`profiles.reference_paths.typed_references`)."""
        rtype = resource.get("resourceType") if isinstance(resource, dict) else None
        if isinstance(rtype, str):
            yield from typed_references(self._definitions, resource, rtype, path)

    def _validator(self, resource_type: str) -> jsonschema_rs.Draft6Validator:
        """The type's R4 schema with the shape rules added as a definition of its own (``SHAPES``), so one
        ``is_valid`` call answers for both; their errors are dropped from ``iter_errors`` (the Python
        check of the same rules reports them with their own message ids)."""
        v = self._validators.get(resource_type)
        if v is None:
            v = self._validators[resource_type] = jsonschema_rs.Draft6Validator(
                self.checked_schema(resource_type)
            )
        return v

    def validate(self, resource: Any, where: str = "", entry_check: EntryCheck | None = None) -> list[Issue]:
        """Structure issues of ``resource`` (and of its contained/nested resources), never raising.
        ``entry_check`` answers, for a Bundle's entries, whether a resource is structurally valid in place
        of the type's own ``is_valid`` (see :data:`EntryCheck`)."""
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
            shapes: list[Issue] = []
            watch = self._watch.get(rtype)
            if watch:
                self._shapes(watch, resource, base, shapes)
            r5 = {i.expression for i in shapes if i.message_id == "ILP-4003"}
            for err in validator.iter_errors(resource):
                if err.schema_path[:2] == _SHAPES_PATH:
                    continue
                issue = (
                    self._missing(base, err)
                    or _invariant_issue(base, err)
                    or self._primitive_issue(base, err)
                    or _schema_issue(base, err)
                )
                if issue.expression in r5 and isinstance(err.kind, jsonschema_rs.ValidationErrorKind.Type):
                    continue  # an R5 array where R4 has one object: ILP-4003 says so
                issues.append(issue)
            issues.extend(shapes)
        if "contained" in resource:
            for i, inner in enumerate(items(resource.get("contained"))):
                issues.extend(self.validate(inner, f"{base}.contained[{i}]"))
            _contained_invariants(resource, base, issues)
        if rtype == "Bundle":
            self._entries(resource, base, issues, entry_check)
        elif rtype == "Parameters":
            for i, param in enumerate(items(resource.get("parameter"))):
                if isinstance(param, dict) and "resource" in param:
                    issues.extend(self.validate(param["resource"], f"{base}.parameter[{i}].resource"))
        return issues

    def _entries(
        self, bundle: dict[str, Any], base: str, issues: list[Issue], entry_check: EntryCheck | None
    ) -> None:
        """The resources of a Bundle's entries (and of their ``response.outcome``). A plain valid resource,
        the common case, costs one ``is_valid`` call (or one ``entry_check``); anything else goes through
        :meth:`validate`."""
        validators = self._validators
        for i, entry in enumerate(items(bundle.get("entry"))):
            if entry.__class__ is not dict:
                continue
            if "resource" in entry:
                inner = entry["resource"]
                rtype = inner.get("resourceType") if inner.__class__ is dict else None
                v = validators.get(rtype) if rtype.__class__ is str else None
                if (
                    v is None
                    or rtype in _NESTING
                    or "contained" in inner
                    or not (v.is_valid(inner) if entry_check is None else entry_check(i, inner, v))
                ):
                    issues.extend(self.validate(inner, f"{base}.entry[{i}].resource"))
            response = entry.get("response")
            if isinstance(response, dict) and "outcome" in response:
                issues.extend(self.validate(response["outcome"], f"{base}.entry[{i}].response.outcome"))

    def _primitive_issue(self, base: str, err: jsonschema_rs.ValidationError) -> Issue | None:
        """A value that does not match its primitive type's regex, said by the type's name and spec section
        rather than by the regex (which, for a date, runs to 600 characters); else None."""
        kind = err.kind
        if not isinstance(kind, jsonschema_rs.ValidationErrorKind.Pattern):
            return None
        types = self._pattern_types.get(kind.pattern)
        if types is None:
            return None
        at = fhir_path(base, list(err.instance_path))
        value = orjson.dumps(err.instance).decode()
        spec = f"https://hl7.org/fhir/R4/datatypes.html#{types[0]}"
        text = f"{at}: {value} is not a valid FHIR {' / '.join(types)} ({spec})"
        return Issue("error", "structure", "ILP-4001", text, (at,))

    def _missing(self, base: str, err: jsonschema_rs.ValidationError) -> Issue | None:
        """The issue of a minimum-cardinality rule's error (an ``anyOf`` of ``required``), else None."""
        path = err.schema_path
        if len(path) < 3 or path[-1] != "anyOf" or path[-3] != _CARDINALITY:
            return None
        kind = err.kind
        if not isinstance(kind, jsonschema_rs.ValidationErrorKind.AnyOf):
            return None
        names = tuple(
            str(e.kind.property).strip('"')
            for branch in kind.context
            for e in branch
            if isinstance(e.kind, jsonschema_rs.ValidationErrorKind.Required)
        )
        element = self._required_names.get(names)
        if element is None:
            return None
        at = fhir_path(base, list(err.instance_path))
        stem = element.removesuffix("[x]")
        text = f"{at}.{element} is required (min 1): none of {', '.join(names)} is present"
        return Issue("error", "required", "ILP-4001", text, (f"{at}.{stem}",))

    @staticmethod
    def _shapes(
        watch: dict[str, str | None], resource: dict[str, Any], base: str, issues: list[Issue]
    ) -> None:
        """One value[x] variant per choice element; a single object where R4 says max 1 (an R5 array).
        ``watch`` maps each top-level key to its choice stem, or to None for a single complex element."""
        seen: dict[str, str] = {}
        for key, value in resource.items():
            if key not in watch:
                continue
            stem = watch[key]
            if stem is None:
                if value.__class__ is list:
                    text = f"{base}.{key} is a single value in FHIR R4, not an array (an R5 shape?)"
                    issues.append(Issue("error", "structure", "ILP-4003", text, (f"{base}.{key}",)))
            elif stem in seen:
                text = f"{base}: only one of {stem}[x] may be present, found {seen[stem]}, {key}"
                issues.append(Issue("error", "structure", "ILP-4002", text, (f"{base}.{key}",)))
            else:
                seen[stem] = key


def _objects_typed(definition: dict[str, Any]) -> dict[str, Any]:
    """A complex definition (one with ``properties``) that only admits JSON objects; the items of its
    ``_element`` arrays may also be ``null`` (a repeating primitive's extension list keeps positions)."""
    if "properties" not in definition or "type" in definition:
        return definition
    properties = dict(definition["properties"])
    for name, prop in properties.items():
        if name.startswith("_") and isinstance(prop, dict) and "items" in prop:
            properties[name] = {**prop, "items": {"anyOf": [{"type": "null"}, prop["items"]]}}
    return {**definition, "type": "object", "properties": properties}


def _with_r4_primitives(definitions: dict[str, Any]) -> dict[str, Any]:
    """The official definitions with :data:`PRIMITIVE_DEFINITIONS` in place of theirs, also where the schema
    writes a primitive out in place (a choice variant such as ``valueInteger`` or ``effectiveDateTime``,
    recognised by its type's own regex)."""
    written_out = {
        (definitions[name].get("type"), definitions[name].get("pattern")): name
        for name in PRIMITIVE_DEFINITIONS
        if definitions[name].get("pattern") is not None
    }

    def fixed(prop: Any) -> Any:
        if not isinstance(prop, dict) or "$ref" in prop:
            return prop
        if isinstance(prop.get("items"), dict):
            return {**prop, "items": fixed(prop["items"])}
        name = written_out.get((prop.get("type"), prop.get("pattern")))
        if name is None:
            return prop
        rest = {k: v for k, v in prop.items() if k not in ("type", "pattern")}
        return {**rest, **PRIMITIVE_DEFINITIONS[name]}

    out: dict[str, Any] = {}
    for name, definition in definitions.items():
        properties = definition.get("properties") if isinstance(definition, dict) else None
        if isinstance(properties, dict):
            definition = {**definition, "properties": {k: fixed(v) for k, v in properties.items()}}
        out[name] = definition
    out.update(PRIMITIVE_DEFINITIONS)
    return out


def _contained_invariants(resource: dict[str, Any], base: str, issues: list[Issue]) -> None:
    """The invariants of a contained resource (https://hl7.org/fhir/R4/domainresource.html#invs): no
    nested ``contained`` (dom-2), referred to from elsewhere in the resource or referring to it with ``#``
    (dom-3), no ``meta.versionId`` or ``meta.lastUpdated`` (dom-4), no ``meta.security`` (dom-5).

    dom-3 looks for ``"#id"`` as any string value of the container (its JSON text): a reference, canonical
    or uri of that value is what the invariant asks for, so this can only miss a violation (a text that
    happens to read ``#id``), never report one that is not."""
    contained = resource.get("contained")
    if contained.__class__ is not list:
        return
    text = orjson.dumps(resource)
    for i, inner in enumerate(contained):
        if inner.__class__ is not dict:
            continue
        at = f"{base}.contained[{i}]"
        if "contained" in inner:
            issues.append(_invariant(at, "dom-2", "a contained resource SHALL NOT contain nested Resources"))
        meta = inner.get("meta")
        if meta.__class__ is dict:
            if "versionId" in meta or "lastUpdated" in meta:
                text_4 = "a contained resource SHALL NOT have a meta.versionId or a meta.lastUpdated"
                issues.append(_invariant(f"{at}.meta", "dom-4", text_4))
            if "security" in meta:
                issues.append(
                    _invariant(
                        f"{at}.meta.security", "dom-5", "a contained resource SHALL NOT have a security label"
                    )
                )
        rid = inner.get("id")
        if rid.__class__ is str and orjson.dumps("#" + rid) not in text and b'"#"' not in orjson.dumps(inner):
            text_3 = f"#{rid} SHALL be referred to from elsewhere in the resource or refer to it"
            issues.append(_invariant(at, "dom-3", text_3))


def _invariant(where: str, key: str, text: str) -> Issue:
    """The ILP-4005 issue of an R4 invariant every element or contained resource carries."""
    return Issue("error", "invariant", "ILP-4005", f"{where}: {key}: {text}", (where,))


def _dependent_schemas(definition: Any) -> Any:
    """A definition's draft-6 ``dependencies`` (schema-valued) as 2020-12 ``dependentSchemas``."""
    if not isinstance(definition, dict) or "dependencies" not in definition:
        return definition
    out = {k: v for k, v in definition.items() if k != "dependencies"}
    out["dependentSchemas"] = definition["dependencies"]
    return out


def _element_invariants(name: str, definition: Any, resources: frozenset[str] | set[str]) -> Any:
    """``ele-1`` on an element's definition (not a resource's, nor ``Element``, the definition of a
    primitive's ``_element``, which may hold an id alone beside the value): at least one property.
    ``ext-1`` on ``Extension``: a property besides ``url`` and ``id`` (with ``additionalProperties`` false,
    an ``extension`` or a ``value[x]``; ``_value…`` counts: an element with extensions alone exists), and no
    ``value[x]`` beside an ``extension``. :func:`_invariant_issue` reads their errors back.

    Not checked: an element whose only property is its ``id`` (ele-1 too). Every way of saying it in JSON
    Schema costs one more keyword on every element: 4-5% more instructions for a Bundle (measured), for a
    shape no serializer produces by accident, unlike ``{}``."""
    if not isinstance(definition, dict) or "properties" not in definition or name in resources:
        return definition
    if name == "Element":  # a primitive's _element: with the value beside it, an id alone is allowed
        return definition
    if name == "Extension":  # its url is required: ext-1 says the rest
        return {
            **definition,
            "not": {"propertyNames": {"enum": ["url", "id"]}},
            "dependencies": {"extension": {"propertyNames": {"not": {"pattern": "^_?value"}}}},
        }
    return {**definition, "minProperties": 1}


def _invariant_issue(base: str, err: jsonschema_rs.ValidationError) -> Issue | None:
    """The issue of an ``ele-1`` or ``ext-1`` error (:func:`_element_invariants`), else None."""
    path = list(err.schema_path)
    if "definitions" not in path:
        return None
    at_definition = len(path) - 1 - path[::-1].index("definitions")
    name, rule = path[at_definition + 1], path[at_definition + 2 :]
    if rule == ["minProperties"]:
        key, text = "ele-1", "All FHIR elements must have a @value or children (it has nothing)"
    elif name == "Extension" and rule == ["not"]:
        key, text = "ext-1", "Must have either extensions or value[x], not both (it has neither)"
    elif name == "Extension" and rule[:2] in (
        ["dependencies", "extension"],
        ["dependentSchemas", "extension"],
    ):
        key, text = "ext-1", "Must have either extensions or value[x], not both (it has both)"
    else:
        return None
    return _invariant(fhir_path(base, list(err.instance_path)), key, text)


def _with_required(definition: Any, rules: Iterable[tuple[list[str], str]]) -> Any:
    """``definition`` with its minimum-cardinality rules (:func:`_required_rules`) in ``allOf``: one
    ``anyOf`` of ``required`` per element."""
    added = [{"anyOf": [{"required": [name]} for name in names]} for names, _ in rules]
    if not added:
        return definition
    return {**definition, _CARDINALITY: [*definition.get(_CARDINALITY, ()), *added]}


def _required_rules(
    defs: R4Definitions, definitions: dict[str, Any]
) -> dict[str, list[tuple[list[str], str]]]:
    """Per schema definition, its elements of ``min`` ≥ 1 that its ``required`` leaves out
    (https://hl7.org/fhir/R4/elementdefinition-definitions.html#ElementDefinition.min): each as the JSON
    properties any one of which makes it present, and the element's name (``status``, ``value[x]``).

    A primitive is present as ``name`` or ``_name``; a choice as any of its variants (``valueQuantity``,
    ``valueString``, ``_valueString``, …). A definition's element path comes from a walk of the schema from
    each type's own definition: ``Bundle_Request`` is ``Bundle.entry.request``."""
    paths: dict[str, tuple[str, str]] = {name: (name, name) for name in definitions if name in defs.types}
    todo = list(paths)
    while todo:
        name = todo.pop(0)
        type_name, path = paths[name]
        for key, prop in definitions[name].get("properties", {}).items():
            target = _ref_target(prop)
            if target is not None and "_" in target and target not in paths:  # a BackboneElement's definition
                paths[target] = (type_name, f"{path}.{key}")
                todo.append(target)
    out: dict[str, list[tuple[list[str], str]]] = {}
    for name, (type_name, path) in paths.items():
        definition = definitions[name]
        properties = definition.get("properties")
        if not isinstance(properties, dict):
            continue
        required = set(definition.get("required", ()))
        prefix = f"{path}."
        for element_path, element in defs.types[type_name].elements.items():
            element_name = element_path.removeprefix(prefix)
            if element.min < 1 or not element_path.startswith(prefix) or "." in element_name:
                continue
            if element.is_choice:
                stem = element_name[:-3]
                keys = [stem + t[0].upper() + t[1:] for t in element.types]
            else:
                keys = [element_name]
            names = [k for k in keys if k in properties] + [f"_{k}" for k in keys if f"_{k}" in properties]
            if names and not required.intersection(names):
                out.setdefault(name, []).append((names, element_name))
    return out


def _ref_target(prop: Any) -> str | None:
    """The definition a property refers to, itself or as its array's items."""
    if not isinstance(prop, dict):
        return None
    ref = prop.get("$ref") or (prop.get("items") or {}).get("$ref")
    return ref.rsplit("/", 1)[-1] if isinstance(ref, str) else None


def _shape_schema(watch: dict[str, str | None]) -> dict[str, Any]:
    """The rules of :meth:`StructureValidator._shapes` as JSON Schema: a choice variant excludes the other
    variants of its stem. (An array for a single complex element needs no rule here: its definition is
    object-typed, so the array fails there.)"""
    stems: dict[str, list[str]] = {}
    for key, stem in watch.items():
        if stem is not None:
            stems.setdefault(stem, []).append(key)
    return {
        "dependencies": {
            key: {"not": {"anyOf": [{"required": [other]} for other in variants if other != key]}}
            for variants in stems.values()
            if len(variants) > 1
            for key in variants
        },
    }


def _watched_keys(defs: R4Definitions) -> dict[str, dict[str, str | None]]:
    """Per resource type: top-level choice variant key → its stem; single complex element key → None."""
    out: dict[str, dict[str, str | None]] = {}
    for name in defs.resource_types:
        watch: dict[str, str | None] = {}
        for el in defs.types[name].elements.values():
            if el.path.count(".") != 1:
                continue
            if el.path.endswith("[x]"):
                stem = el.path.split(".")[1][:-3]
                watch.update((stem + t[0].upper() + t[1:], stem) for t in el.types)
            elif el.max == "1" and el.types and el.types[0] not in PRIMITIVES | {"BackboneElement"}:
                watch[el.path.split(".")[1]] = None
        out[name] = watch
    return out
