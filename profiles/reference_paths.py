"""Where a resource's references are, read without serialising it (https://hl7.org/fhir/R4/references.html).

The Bundle rules need every reference string of every entry. The general way finds them in the resource's
JSON text (:func:`profiles.bundle_rules.reference_strings`): it serialises the resource and scans it, which
is a fifth of the validator's time on a typical Bundle. This module gives the common case a cheaper way:

* :func:`reference_paths`: from the R4 JSON schema, the paths of a type's own ``Reference`` elements
  (``subject``, ``participant[].individual``, …), through its backbone elements;
* :func:`certifying_definitions`: the same schema with ``Reference`` forbidden everywhere else (in the
  shared datatypes: ``Identifier.assigner``, ``Extension.valueReference``, ``Annotation.authorReference``,
  …), and the three ``uri`` elements that are also named ``reference`` forbidden too (such a resource goes
  the general way, where check_references tells them apart by type). A resource that passes it has
  reference strings at those paths and nowhere else;
* :func:`compile_reader`: a generated function that reads those paths (the shapes are R4's: the schema
  passed).

A resource that does not pass (a reference inside an extension, say) goes the general way. A type whose
backbone elements nest recursively (``Questionnaire.item``) or hold resources (``Bundle``, ``Parameters``)
has no finite paths and always goes the general way. ``tests/profiles/test_reference_paths.py`` checks that
both ways find the same references.

:func:`typed_references` serves the general way: an exact walk by the R4 types, used when the text may hold
a uri named ``reference``, which the scan cannot tell from a Reference.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from profiles.codegen import SourceWriter

ReadFn = Callable[[dict[str, Any], list[str]], None]
"""(resource, out): appends the resource's reference strings to ``out``."""
Step = tuple[str, bool]
"""One step of a path: the JSON key and whether the element repeats (an array)."""


def _target(schema: Any) -> tuple[str | None, bool]:
    """The definition a property refers to, and whether it is an array of it."""
    if not isinstance(schema, dict):
        return None, False
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1], False
    items = schema.get("items")
    if isinstance(items, dict) and "$ref" in items:
        return str(items["$ref"]).rsplit("/", 1)[-1], True
    return None, False


def _own(resource_type: str, name: str) -> bool:
    """Is the definition the type's own (the type or one of its backbone elements, ``Encounter_Location``)."""
    return name == resource_type or name.startswith(resource_type + "_")


def reference_paths(definitions: dict[str, Any], resource_type: str) -> tuple[tuple[Step, ...], ...] | None:
    """The paths of the type's own ``Reference`` elements, or None when they are not a finite list (its
    backbone elements nest recursively) or the type holds resources other than in ``contained``."""
    out: list[tuple[Step, ...]] = []

    def walk(name: str, prefix: tuple[Step, ...], seen: frozenset[str]) -> bool:
        for key, schema in definitions[name].get("properties", {}).items():
            target, many = _target(schema)
            if target == "Reference":
                out.append((*prefix, (key, many)))
                continue
            if target is None:
                continue
            resources = target == "ResourceList" and key != "contained"
            # a backbone element: its own paths, walked once (a recursive one has no finite list)
            if resources or (
                _own(resource_type, target)
                and (target in seen or not walk(target, (*prefix, (key, many)), seen | {target}))
            ):
                return False
        return True

    return tuple(out) if walk(resource_type, (), frozenset({resource_type})) else None


def certifying_definitions(definitions: dict[str, Any], resource_type: str) -> dict[str, Any]:
    """``definitions`` (a type's reachable R4 definitions) with every ``Reference`` element outside the
    type's own definitions forbidden (``false``), and every string-valued element named ``reference`` that
    is not ``Reference.reference`` forbidden too."""
    out: dict[str, Any] = {}
    for name, definition in definitions.items():
        properties = definition.get("properties") if isinstance(definition, dict) else None
        if not isinstance(properties, dict):
            out[name] = definition
            continue
        changed = dict(properties)
        for key, schema in properties.items():
            target, _ = _target(schema)
            if target == "Reference" and not _own(resource_type, name):
                changed[key] = False
            elif key == "reference" and name != "Reference" and target != "Reference":
                # a uri named reference (Expression, DetectedIssue, …): such a resource goes the general way
                changed[key] = False
        out[name] = {**definition, "properties": changed}
    return out


def compile_reader(resource_type: str, paths: tuple[tuple[Step, ...], ...]) -> ReadFn:
    """Straight-line code reading every path: an ``in`` test and a subscript per key, a loop per array. The
    resource has passed the certifying schema, so each value has its R4 shape (objects, arrays of objects,
    strings)."""
    w = SourceWriter({})
    trie: dict[Step, Any] = {}
    for path in paths:
        node = trie
        for step in path:
            node = node.setdefault(step, {})

    def emit(node: dict[Step, Any], v: str, ind: int) -> None:
        # ``in`` and subscripts, not ``get`` calls: most keys are absent, and a test costs less than a call
        for (key, many), children in node.items():
            x = w.name("x")
            w.emit(ind, f"if {key!r} in {v}:")
            if many:
                w.emit(ind + 1, f"for {x} in {v}[{key!r}]:")
            else:
                w.emit(ind + 1, f"{x} = {v}[{key!r}]")
            inner = ind + 2 if many else ind + 1
            if children:
                emit(children, x, inner)
            else:
                w.emit(inner, f"if 'reference' in {x}:")
                w.emit(inner + 1, f"out.append({x}['reference'])")

    emit(trie, "V", 1)
    w.emit(1, "return None")
    fn: ReadFn = w.build("read", f"<references of {resource_type}>", ["def read(V, out):"])
    return fn


def typed_references(
    definitions: dict[str, Any], node: Any, name: str, path: str
) -> Iterator[tuple[str, str]]:
    """Every ``Reference.reference`` string under ``node`` (a value of the R4 definition ``name``) with its
    FHIRPath, following the types of the R4 schema: unlike the text scan, a uri element that is also named
    ``reference`` (``Immunization.education.reference``, ``Expression.reference``,
    ``DetectedIssue.reference``) is not taken for one. Contained resources are left out, as in the scan's
    reporting walk; keys the schema does not know are skipped (the structure stage reports them)."""
    if not isinstance(node, dict):
        return
    if name == "Reference" and isinstance(node.get("reference"), str):
        yield node["reference"], f"{path}.reference"
    definition = definitions.get(name)
    properties = definition.get("properties") if isinstance(definition, dict) else None
    if not isinstance(properties, dict):
        return
    for key, value in node.items():
        target, _ = _target(properties.get(key))
        if target is None or key == "contained":
            continue
        for item, where in _values(value, f"{path}.{key}"):
            inner = (
                item.get("resourceType") if target == "ResourceList" and isinstance(item, dict) else target
            )
            if isinstance(inner, str):
                yield from typed_references(definitions, item, inner, where)


def _values(value: Any, path: str) -> Iterator[tuple[Any, str]]:
    """An element's values with their paths, whatever its shape (an array, or one value)."""
    if isinstance(value, list):
        for i, item in enumerate(value):
            yield item, f"{path}[{i}]"
    else:
        yield value, path
