"""Profiles as JSON Schema: the Rust fast path for the structural half of a profile.

Cardinality, ``fixed[x]``, ``pattern[x]``, choice-type restrictions and slicing are translated into a JSON
Schema (2020-12) that jsonschema-rs runs in a few microseconds. The translation is *never looser* than the
interpreter in :mod:`profiles.engine`: if the schema accepts a resource, the interpreter would report none
of those issues (``tests/unit/test_validation_paths.py`` fuzzes this) *for resources the structure stage
passed* (so every value has its R4 form: the schema describes only that form); the validator runs the
interpreter's checks on any other resource. When the schema rejects a resource, the caller runs the
interpreter to get precise issues. Where an exact translation is not obvious, :class:`NotTranslatable` is
raised and the profile simply has no fast path.

Value-level checks (reference targets, bindings, extension definitions' invariants, named rules) are not
in the schema; they stay in Python (:mod:`profiles.codegen`).
"""

from __future__ import annotations

from typing import Any

from profiles.definitions import R4Definitions
from profiles.engine import CompiledProfile, ElementRule

CONTAINERS = frozenset({"BackboneElement", "Element"})


class NotTranslatable(ValueError):
    """The profile uses something this translation does not express exactly."""


def _const(value: Any) -> dict[str, Any]:
    return {"const": value}


def _pattern(pattern: Any) -> dict[str, Any]:
    """Schema for FHIR pattern matching (the same rules as :func:`profiles.engine.matches_pattern`)."""
    if isinstance(pattern, dict):
        return {
            "type": "object",
            "required": list(pattern),
            "properties": {k: _pattern(v) for k, v in pattern.items()},
        }
    if isinstance(pattern, list):
        each = [_pattern(p) for p in pattern]
        # a non-array value counts as a one-item array, as the interpreter's _as_list does
        return {
            "anyOf": [
                {"type": "array", "allOf": [{"contains": s} for s in each]},
                {"not": {"type": ["array", "null"]}, "allOf": each},
            ]
        }
    return _const(pattern)


class _Translator:
    def __init__(self, defs: R4Definitions, extensions: dict[str, CompiledProfile]) -> None:
        self.defs = defs
        self.extensions = extensions

    def base_max(self, def_path: str, name: str) -> str | None:
        """The R4 base cardinality maximum of a child (None when the definitions do not say)."""
        info = self.defs.element(def_path.split(".", 1)[0], f"{def_path}.{name}")
        if info is None:
            self.child_path(def_path, name)  # a renamed choice variant (valueQuantity), or it raises
            return "1"
        return info.max

    def is_complex(self, def_path: str) -> bool:
        """Whether a value at ``def_path`` is a JSON object in R4 (a datatype, resource or backbone element;
        not a primitive, and not a choice of types)."""
        if "." not in def_path:
            return def_path[:1].isupper()  # a datatype or resource definition (primitives are lower case)
        info = self.defs.element(def_path.split(".", 1)[0], def_path)
        return info is not None and len(info.types) == 1 and info.types[0] in CONTAINERS

    def child_path(self, def_path: str, name: str) -> str:
        """The definition path of a child: a complex datatype restarts at its own definition."""
        info = self.defs.element(def_path.split(".", 1)[0], f"{def_path}.{name}")
        if info is None:  # a renamed choice variant, e.g. valueQuantity of value[x]
            for i in range(len(name) - 1, 0, -1):
                if name[i].isupper():
                    choice = self.defs.element(def_path.split(".", 1)[0], f"{def_path}.{name[:i]}[x]")
                    type_name = name[i].lower() + name[i + 1 :]
                    if choice is not None:
                        for t in choice.types:
                            if t in (name[i:], type_name):
                                return t
            raise NotTranslatable(f"no element {def_path}.{name} in the R4 definitions")
        if info.content_reference:
            return info.content_reference.lstrip("#")
        if len(info.types) == 1 and info.types[0] not in CONTAINERS and info.types[0][0].isupper():
            return info.types[0]
        return info.path

    def choice_keys(self, def_path: str, name: str) -> tuple[str, ...]:
        info = self.defs.element(def_path.split(".", 1)[0], f"{def_path}.{name}")
        if info is None:
            raise NotTranslatable(f"no choice element {def_path}.{name}")
        stem = name[:-3]
        return tuple(stem + t[0].upper() + t[1:] for t in info.types)

    def value(self, rule: ElementRule, def_path: str) -> dict[str, Any]:
        """Schema every value of ``rule`` must satisfy (its fixed/pattern and its children)."""
        parts: list[dict[str, Any]] = []
        if rule.fixed is not None:
            parts.append(_const(rule.fixed))
        if rule.pattern is not None:
            parts.append(_pattern(rule.pattern))
        if rule.extension_profile:
            ext = self.extensions.get(rule.extension_profile)
            if ext is None:
                raise NotTranslatable(f"unknown extension {rule.extension_profile}")
            parts.append(self.value(ext.root, "Extension"))
        if rule.children:
            props: dict[str, Any] = {}
            required: list[str] = []
            extra: list[dict[str, Any]] = []
            for name, child in rule.children.items():
                if name.endswith("[x]"):
                    extra.append(self.choice(child, def_path, name))
                    continue
                schema, needed = self.element(
                    child, self.child_path(def_path, name), self.base_max(def_path, name)
                )
                if schema:
                    props[name] = schema
                if needed:
                    required.append(name)
            obj: dict[str, Any] = {"properties": props} if props else {}
            if required:
                obj["required"] = required
            if extra:
                obj["allOf"] = extra
            # a value that is not an object has no children: the interpreter then reports every child that
            # is required, so such a value passes only when nothing below is required
            if obj and self.is_complex(def_path):
                parts.append(obj)  # R4-shaped: the value is an object
            elif obj:
                absent_ok = not any(_required(c) for c in rule.children.values())
                parts.append({"if": {"type": "object"}, "then": obj, "else": {} if absent_ok else False})
            elif any(_required(c) for c in rule.children.values()) and not self.is_complex(def_path):
                parts.append({"type": "object"})
        if not parts:
            return {}
        return parts[0] if len(parts) == 1 else {"allOf": parts}

    def element(
        self, rule: ElementRule, def_path: str, base_max: str | None = None
    ) -> tuple[dict[str, Any], bool]:
        """(schema of the property, whether it is required) for a non-choice child. With ``base_max`` (the
        R4 cardinality) only the R4 form of the value is described: one value where R4 has one (never an
        array nor null), an array where R4 has many; without it, any form."""
        item = self.value(rule, def_path)
        if rule.slicing is not None:
            item_array = self.slices(rule, def_path, item)
        else:
            item_array = {"items": item} if item else {}
        lo = rule.min or 0
        hi = None if rule.max in (None, "*") else int(rule.max)
        if hi == 0:
            return {"not": {}}, False
        if base_max == "1" and lo <= 1 and rule.slicing is None:
            return item, _required(rule)
        if base_max is not None and base_max != "1":
            many: dict[str, Any] = dict(item_array)
            if lo:
                many["minItems"] = lo
            if hi is not None:
                many["maxItems"] = hi
            return many, _required(rule)
        single: dict[str, Any] = {"not": {"type": ["array", "null"]}}
        if item:
            single = {"allOf": [single, item]}
        array: dict[str, Any] = {"type": "array", **item_array}
        if lo:
            array["minItems"] = lo
        if hi is not None:
            array["maxItems"] = hi
        options = [array]
        if lo <= 1 and (hi is None or hi >= 1) and not rule.slicing:
            options.append(single)
        return ({"anyOf": options} if len(options) > 1 else options[0]), _required(rule)

    def step_shapes(self, def_path: str, steps: list[str]) -> list[bool] | None:
        """Whether each step of a discriminator path is an array in R4 (None when a step is not in the
        definitions)."""
        out = []
        for step in steps:
            info = self.defs.element(def_path.split(".", 1)[0], f"{def_path}.{step}")
            if info is None:
                return None
            out.append(info.max != "1")
            def_path = self.child_path(def_path, step)
        return out

    def choice(self, rule: ElementRule, parent_path: str, name: str) -> dict[str, Any]:
        keys = self.choice_keys(parent_path, name)
        if rule.slicing is not None or rule.children:
            raise NotTranslatable(f"choice element {parent_path}.{name} with slices or children")
        def_path = f"{parent_path}.{name}"
        allowed = {t[0].upper() + t[1:] for t in rule.types} if rule.types else None
        stem = name[:-3]
        forbidden = [k for k in keys if allowed is not None and k[len(stem) :] not in allowed]
        permitted = [k for k in keys if k not in forbidden]
        item = self.value(rule, def_path)
        props: dict[str, Any] = {k: False for k in forbidden}
        for k in permitted:  # a choice value is one value in R4, never an array nor null
            if item:
                props[k] = item
        # no other key with the stem exists: the structure stage refuses keys R4 does not define
        schema: dict[str, Any] = {"properties": props}
        lo = rule.min or 0
        hi = None if rule.max in (None, "*") else int(rule.max)
        if lo >= 2 or (hi is not None and hi == 0 and permitted):
            if lo >= 2:
                raise NotTranslatable(f"{def_path} min {lo}")
            schema["properties"] = {k: False for k in keys}
        elif lo == 1:
            schema["anyOf"] = [{"required": [k]} for k in permitted] or [False]
        # at most one variant is present in valid R4 (checked by the structure stage); max 1 is implied
        return schema

    def slices(self, rule: ElementRule, def_path: str, item: dict[str, Any]) -> dict[str, Any]:
        assert rule.slicing is not None
        discs, rules = rule.slicing
        out: dict[str, Any] = {}
        conditions: list[dict[str, Any]] = []
        all_of: list[dict[str, Any]] = []
        checks: list[tuple[dict[str, Any], dict[str, Any]]] = []  # (match, the slice's item schema)
        for s in rule.slices:
            match = self.match(s.match, discs, def_path)
            # the interpreter puts an item in the first slice it matches: count it for that slice only
            earlier = list(conditions)
            exclusive: dict[str, Any] = (
                {"allOf": [match, *({"not": c} for c in earlier)]} if earlier else match
            )
            conditions.append(match)
            slice_item = self.value(s.rule, def_path)
            contains: dict[str, Any] = {"contains": exclusive}
            lo = s.rule.min or 0
            hi = None if s.rule.max in (None, "*") else int(s.rule.max)
            contains["minContains"] = lo
            if hi is not None:
                contains["maxContains"] = hi
            if lo or hi is not None:
                all_of.append(contains)
            checks.append((match, slice_item))
        # each item against the first slice it matches: one if/else chain per item (k slices: at most k
        # matches tried, not k per slice as ``items: {if: exclusive, then}`` for each slice would)
        chain: dict[str, Any] | bool | None = False if rules == "closed" else None
        for match, slice_item in reversed(checks):
            if chain is None and not slice_item:
                continue  # nothing to check on an item of this slice nor of any later one
            chain = {"if": match, "then": slice_item or True, **({} if chain is None else {"else": chain})}
        if chain is not None:
            all_of.append({"items": chain})
        if item:
            all_of.append({"items": item})
        if all_of:
            out["allOf"] = all_of
        return out

    def match(self, match: dict[str, Any], discs: tuple[str, ...], def_path: str) -> dict[str, Any]:
        """Schema of "this item belongs to the slice" for value/pattern discriminators on a path."""
        parts = []
        for disc in discs:
            want = match[disc]
            if disc == "$this":
                parts.append(_pattern(want))
                continue
            schema = _pattern(want)
            steps = disc.split(".")
            shapes = self.step_shapes(def_path, steps)
            if shapes is not None:  # R4-shaped: each step is known to be one value or an array
                for step, many in reversed(list(zip(steps, shapes, strict=True))):
                    value = {"contains": schema} if many else schema
                    schema = {"required": [step], "properties": {step: value}}
                parts.append(schema)
                continue
            for step in reversed(steps):
                # any value along the path may match (the interpreter flattens arrays with _get_path)
                schema = {
                    "type": "object",
                    "required": [step],
                    "properties": {
                        step: {
                            "anyOf": [
                                {"type": "array", "contains": schema},
                                {"allOf": [{"not": {"type": "array"}}, schema]},
                            ]
                        }
                    },
                }
            parts.append(schema)
        return parts[0] if len(parts) == 1 else {"allOf": parts}


def _required(rule: ElementRule) -> bool:
    """Whether the interpreter reports something when the element is absent."""
    return bool(rule.min) or any(s.rule.min for s in rule.slices)


def profile_schema(
    profile: CompiledProfile, defs: R4Definitions, extensions: dict[str, CompiledProfile]
) -> dict[str, Any]:
    """The JSON Schema (2020-12) of a profile's structural rules, for resources that passed the structure
    stage (every value has its R4 form: an object or primitive where R4 has one value, an array where it
    has many), which lets the schema leave out the alternatives a malformed resource would need; raises
    :class:`NotTranslatable`."""
    body = _Translator(defs, extensions).value(profile.root, profile.type)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **(body or {})}
