"""Source-record contracts: one JSON Schema (2020-12) per record type, checked with jsonschema-rs.

``mappers/contracts/<record-type>.schema.json`` is the contract of a record type (documented field by field
in ``docs/records/``). Shared definitions live in ``contracts/common.schema.json`` and are referenced as
``"$ref": "common.schema.json#/$defs/NAME"``; :func:`load_schema` inlines them, so every contract is one
self-contained schema that any 2020-12 validator accepts (the tests run Python ``jsonschema`` on the same
schema as the reference implementation).

Formats are asserted (``date`` and the contract's own ``date-or-local-date-time``), so ``2024-02-30`` is
an error, not a string. Every error becomes a :class:`~mappers.base.RecordIssue` naming the record's own
field path (``immunizations[1].vaccine``) and a message id (ILP-6001–6009, docs/message-ids.md).
JSON Schema 2020-12: https://json-schema.org/draft/2020-12/json-schema-validation#name-defined-formats.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date, datetime
from importlib import resources
from typing import Any

import jsonschema_rs
import orjson

from mappers.base import RecordIssue

COMMON = "common.schema.json"
LOCAL_DATE_TIME = "date-or-local-date-time"
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})?$")

# message ids by JSON Schema keyword (docs/message-ids.md)
REQUIRED = "ILP-6001"
WRONG_TYPE = "ILP-6002"
BAD_FORMAT = "ILP-6003"
NOT_ALLOWED = "ILP-6004"  # enum / const / pattern
OUT_OF_RANGE = "ILP-6005"  # minimum, maximum, lengths, item counts
UNKNOWN_FIELD = "ILP-6006"
ALTERNATIVES = "ILP-6007"  # anyOf / oneOf (e.g. nik, or mother_nik with birth_order)
OTHER = "ILP-6000"

_KIND_IDS: dict[str, str] = {
    "Required": REQUIRED,
    "Type": WRONG_TYPE,
    "Format": BAD_FORMAT,
    "Enum": NOT_ALLOWED,
    "Constant": NOT_ALLOWED,
    "Pattern": NOT_ALLOWED,
    "Minimum": OUT_OF_RANGE,
    "Maximum": OUT_OF_RANGE,
    "ExclusiveMinimum": OUT_OF_RANGE,
    "ExclusiveMaximum": OUT_OF_RANGE,
    "MinLength": OUT_OF_RANGE,
    "MaxLength": OUT_OF_RANGE,
    "MinItems": OUT_OF_RANGE,
    "MaxItems": OUT_OF_RANGE,
    "UniqueItems": OUT_OF_RANGE,
    "AdditionalProperties": UNKNOWN_FIELD,
    "UnevaluatedProperties": UNKNOWN_FIELD,
    "AnyOf": ALTERNATIVES,
    "OneOfNotValid": ALTERNATIVES,
    "OneOfMultipleValid": ALTERNATIVES,
}


def is_date_or_local_date_time(value: str) -> bool:
    """``YYYY-MM-DD`` or ``YYYY-MM-DDThh:mm[:ss[.ffffff]]`` with an optional offset, and a real date/time."""
    if _DATE.match(value):
        try:
            date.fromisoformat(value)
        except ValueError:
            return False
        return True
    if not _DATE_TIME.match(value):
        return False
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def format_checkers() -> dict[str, Callable[[str], bool]]:
    """The contract's own formats (shared with the Python ``jsonschema`` reference run in the tests)."""
    return {LOCAL_DATE_TIME: is_date_or_local_date_time}


def _read_contract(name: str) -> dict[str, Any]:
    data: dict[str, Any] = orjson.loads((resources.files("mappers") / "contracts" / name).read_bytes())
    return data


def record_types() -> list[str]:
    """The record types that have a contract file."""
    folder = resources.files("mappers") / "contracts"
    return sorted(
        f.name.removesuffix(".schema.json")
        for f in folder.iterdir()
        if f.name.endswith(".schema.json") and f.name != COMMON
    )


def _rewrite_refs(node: Any) -> Any:
    if isinstance(node, dict):
        out = {k: _rewrite_refs(v) for k, v in node.items()}
        ref = out.get("$ref")
        if isinstance(ref, str) and ref.startswith(COMMON + "#"):
            out["$ref"] = ref[len(COMMON) :]
        return out
    if isinstance(node, list):
        return [_rewrite_refs(v) for v in node]
    return node


def load_schema(record_type: str) -> dict[str, Any]:
    """The contract of ``record_type`` with the shared definitions inlined under ``$defs``."""
    schema = _read_contract(f"{record_type}.schema.json")
    common = _read_contract(COMMON)["$defs"]
    own = schema.get("$defs", {})
    clash = set(own) & set(common)
    if clash:
        raise ValueError(f"{record_type}: $defs {sorted(clash)} shadow the shared definitions")
    out: dict[str, Any] = _rewrite_refs(schema)
    out["$defs"] = {**common, **own}
    return out


def field_path(parts: list[str | int] | tuple[str | int, ...]) -> str:
    """``["immunizations", 1, "vaccine"]`` → ``immunizations[1].vaccine``."""
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


Path = tuple[str, ...]
"""A field path through objects; ``*`` stands for every item of an array."""
_SUBSCHEMA_KEYWORDS = (  # 2020-12 applicators other than those format_paths follows
    "additionalProperties",
    "patternProperties",
    "prefixItems",
    "contains",
    "dependentSchemas",
    "propertyNames",
    "unevaluatedProperties",
    "unevaluatedItems",
)
_MAPS = frozenset({"patternProperties", "dependentSchemas"})  # of those, the ones that map names to schemas


def format_paths(schema: dict[str, Any], name: str) -> list[Path] | None:
    """Where the format ``name`` can apply to a record: the paths through ``properties`` and ``items``
    (with local ``$ref``, ``allOf``/``anyOf``/``oneOf``, ``not`` and ``if``/``then``/``else`` followed).
    None when it can also apply elsewhere (under another applicator), where no path says where."""
    defs = schema.get("$defs", {})
    out: list[Path] = []

    def walk(node: Any, path: Path | None, seen: frozenset[str]) -> bool:
        """False when the format is reachable where ``path`` cannot follow (``path`` None)."""
        if not isinstance(node, dict):
            return True
        if node.get("format") == name:
            if path is None:
                return False
            out.append(path)
        if "$dynamicRef" in node or "$recursiveRef" in node:
            return False  # resolved at evaluation time: cannot tell what it holds
        ref = node.get("$ref")
        if isinstance(ref, str):
            key = ref.removeprefix("#/$defs/")
            if key == ref or key not in defs:
                return False  # not a local definition: cannot tell what it holds
            if key in seen:
                return False  # a recursive schema: no finite list of paths
            if not walk(defs[key], path, seen | {key}):
                return False
        subs: list[tuple[Any, Path | None]] = []
        for key, sub in (node.get("properties") or {}).items():
            subs.append((sub, None if path is None else (*path, key)))
        items = node.get("items")
        if isinstance(items, list):  # an array form older drafts have: no one path for its items
            subs.extend((sub, None) for sub in items)
        else:
            subs.append((items, None if path is None else (*path, "*")))
        for key in ("allOf", "anyOf", "oneOf"):
            subs.extend((sub, path) for sub in node.get(key) or ())
        subs.extend((node.get(key), path) for key in ("not", "if", "then", "else"))
        for key in _SUBSCHEMA_KEYWORDS:  # followed only to find out whether the format is there
            value = node.get(key)
            if isinstance(value, dict) and key in _MAPS:
                subs.extend((sub, None) for sub in value.values())
            elif isinstance(value, list):  # prefixItems
                subs.extend((sub, None) for sub in value)
            else:
                subs.append((value, None))
        return all(walk(sub, where, seen) for sub, where in subs)

    return sorted(set(out)) if walk(schema, (), frozenset()) else None


def values_at(record: Any, path: Path) -> Iterator[Any]:
    """The values at ``path`` in ``record`` (``*``: each item of an array)."""
    if not path:
        yield record
        return
    head, rest = path[0], path[1:]
    if head == "*":
        if isinstance(record, list):
            for item in record:
                yield from values_at(item, rest)
    elif isinstance(record, dict) and head in record:
        yield from values_at(record[head], rest)


class Contract:
    """One record type's compiled contract."""

    def __init__(self, record_type: str, schema: dict[str, Any]) -> None:
        self.record_type = record_type
        self.schema = schema
        self._validator = jsonschema_rs.Draft202012Validator(
            schema, validate_formats=True, formats=format_checkers(), ignore_unknown_formats=False
        )
        # jsonschema-rs runs every check of a validator given Python formats slower (14 -> 7 us on a
        # posyandu-balita record); the quick one leaves the contract's own format out, checked here instead
        self._local_times = format_paths(schema, LOCAL_DATE_TIME)
        self._quick = (
            jsonschema_rs.Draft202012Validator(schema, validate_formats=True, ignore_unknown_formats=True)
            if self._local_times is not None
            else None
        )

    @classmethod
    def load(cls, record_type: str) -> Contract:
        return cls(record_type, load_schema(record_type))

    # ---------------------------------------------------------------------------------------- checking
    def is_valid(self, record: Any) -> bool:
        """The contract's answer. When the quick validator passes and every value where the contract's own
        format applies is a valid date-or-local-date-time, the full validator would pass too (it differs
        only in that format); otherwise the full validator decides."""
        times = self._local_times
        if (
            self._quick is not None
            and times is not None
            and self._quick.is_valid(record)
            and all(
                is_date_or_local_date_time(value)
                for path in times
                for value in values_at(record, path)
                if isinstance(value, str)
            )
        ):
            return True
        return bool(self._validator.is_valid(record))

    def check(self, record: Any, row: int) -> list[RecordIssue]:
        """Every contract error of ``record`` (empty when it is valid), sorted by field."""
        if self.is_valid(record):
            return []
        record_id = record.get("record_id") if isinstance(record, dict) else None
        rid = record_id if isinstance(record_id, str) else None
        issues = {self._issue(err, row, rid) for err in self._validator.iter_errors(record)}
        return sorted((i for i in issues if i is not None), key=lambda i: (i.field, i.message))

    def _issue(self, err: jsonschema_rs.ValidationError, row: int, rid: str | None) -> RecordIssue | None:
        kind = err.kind
        kind_name = type(kind).__name__
        parts: list[str | int] = list(err.instance_path)
        message = err.message
        if isinstance(kind, jsonschema_rs.ValidationErrorKind.Required):
            parts.append(str(kind.property))
            message = "required field is missing"
        elif isinstance(
            kind,
            jsonschema_rs.ValidationErrorKind.AdditionalProperties
            | jsonschema_rs.ValidationErrorKind.UnevaluatedProperties,
        ):
            # a failing allOf branch does not count its properties as evaluated (2020-12 §11.3):
            # report only names the contract does not know at all; the branch's own errors say the rest
            known = self.property_names(parts)
            names = [str(n) for n in kind.unexpected if str(n) not in known]
            if not names:
                return None
            parts.append(names[0] if len(names) == 1 else "")
            message = f"unknown field{'s' if len(names) > 1 else ''} {', '.join(names)} (not in the contract)"
        elif kind_name in ("AnyOf", "OneOfNotValid", "OneOfMultipleValid"):
            message = self._explain(err.schema_path) or "matches none of the allowed alternatives"
        elif isinstance(kind, jsonschema_rs.ValidationErrorKind.Format):
            message = f"{_short(err.instance)} is not a valid {kind.format}"
        elif isinstance(kind, jsonschema_rs.ValidationErrorKind.Type):
            message = f"must be of type {' or '.join(kind.types)}, not {_json_type(err.instance)}"
        elif isinstance(kind, jsonschema_rs.ValidationErrorKind.Pattern):  # no echo: it may be a NIK
            message = f"does not have the expected form (pattern {kind.pattern})"
        elif isinstance(kind, jsonschema_rs.ValidationErrorKind.Enum):
            message = f"{_short(err.instance)} is not one of {', '.join(map(str, kind.options))}"
        return RecordIssue(row, field_path(parts), message, _KIND_IDS.get(kind_name, OTHER), record_id=rid)

    def _explain(self, schema_path: list[str | int]) -> str | None:
        """The ``x-error`` text of the schema that owns a failed anyOf/oneOf."""
        node: Any = self.schema
        for p in schema_path[:-1]:
            if isinstance(node, dict):
                node = node.get(p)
            elif isinstance(node, list) and isinstance(p, int) and p < len(node):
                node = node[p]
            else:
                return None
        text = node.get("x-error") if isinstance(node, dict) else None
        return text if isinstance(text, str) else None

    # ------------------------------------------------------------------------------------- field types
    def field_types(self, parts: list[str | int]) -> frozenset[str]:
        """The JSON types the contract allows at a field path (``["immunizations", 0, "dose"]`` →
        {"integer"}); empty when the path is not in the contract. Used to coerce CSV cells."""
        found: set[str] = set()
        for node in self._resolve(self.schema, parts):
            t = node.get("type")
            if isinstance(t, str):
                found.add(t)
            elif isinstance(t, list):
                found.update(str(x) for x in t)
        return frozenset(found)

    def property_names(self, parts: list[str | int]) -> frozenset[str]:
        """The field names the contract defines for the object at a field path."""
        return frozenset(
            name for node in self._resolve(self.schema, parts) for name in node.get("properties", {})
        )

    def _deref(self, node: dict[str, Any]) -> Iterator[dict[str, Any]]:
        """``node`` and every schema it pulls in through ``$ref`` and ``allOf``/``anyOf``/``oneOf``."""
        yield node
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            target = self.schema["$defs"].get(ref[len("#/$defs/") :])
            if isinstance(target, dict):
                yield from self._deref(target)
        for key in ("allOf", "anyOf", "oneOf"):
            for sub in node.get(key, ()):
                if isinstance(sub, dict):
                    yield from self._deref(sub)

    def _resolve(self, node: dict[str, Any], parts: list[str | int]) -> Iterator[dict[str, Any]]:
        for sub in self._deref(node):
            if not parts:
                yield sub
                continue
            head, rest = parts[0], parts[1:]
            if isinstance(head, int):
                items = sub.get("items")
                if isinstance(items, dict):
                    yield from self._resolve(items, rest)
            else:
                prop = sub.get("properties", {}).get(head)
                if isinstance(prop, dict):
                    yield from self._resolve(prop, rest)


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if value is None:
        return "null"
    if isinstance(value, str):
        return "string"
    return (
        "array" if isinstance(value, list) else "object" if isinstance(value, dict) else type(value).__name__
    )


def _short(value: Any) -> str:
    text = orjson.dumps(value).decode()
    return text if len(text) <= 60 else text[:57] + "…"
