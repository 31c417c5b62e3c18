"""Parse a FHIR search query string into a :class:`SearchQuery` (https://hl7.org/fhir/R4/search.html).

Unknown or unsupported parameters are reported as warnings (lenient, the default) or rejected with a
400 under ``Prefer: handling=strict`` (https://hl7.org/fhir/R4/search.html#errors). Unknown modifiers
and malformed values are always rejected: a silently ignored filter returns wrong data.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol
from urllib.parse import quote

from gateway.errors import Category, GatewayError, Issue, fail
from gateway.search.expression import literal_reference
from gateway.search.query import (
    DATE_PREFIXES,
    Clause,
    Include,
    RangeValue,
    ReferenceValue,
    SearchQuery,
    SortKey,
    StringValue,
    TokenValue,
    UriValue,
    Value,
)
from gateway.search.registry import SearchParam, SearchRegistry
from gateway.search.values import (
    MAX_INT,
    BadValue,
    date_range,
    normalise_string,
    now_us,
    number_range,
    plain_int,
)

MAX_COUNT = 1000
DEFAULT_COUNT = 20
RESULT_PARAMS = frozenset(
    {"_count", "_offset", "_sort", "_include", "_revinclude", "_summary", "_total", "_elements"}
)
IGNORED_PARAMS = frozenset({"_format", "_pretty"})
MODIFIERS = {
    "string": {"exact", "contains", "missing"},
    "token": {"not", "missing"},
    "reference": {"missing"},
    "date": {"missing"},
    "number": {"missing"},
    "quantity": {"missing"},
    "uri": {"missing", "below", "above"},
}
_ESCAPE = re.compile(r"\\(.)")
_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")


def split_escaped(text: str, sep: str, *, unescape: bool = True) -> list[str]:
    """Split on ``sep`` unless escaped with a backslash (https://hl7.org/fhir/R4/search.html#escaping).

    With ``unescape`` the parts come back with ``\\,``, ``\\|``, ``\\$`` and ``\\\\`` resolved; without it
    the escapes are kept, for a value that is split again (a token's ``system|code``).
    """
    parts: list[str] = []
    cur: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            cur.append(text[i + 1] if unescape else text[i : i + 2])
            i += 2
            continue
        if ch == sep:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
        i += 1
    parts.append("".join(cur))
    return parts


class SearchParser:
    """Turns ``[(name, value), …]`` into a typed query for one resource type."""

    def __init__(self, registry: SearchRegistry) -> None:
        self.registry = registry

    def parse(
        self,
        resource_type: str,
        pairs: Sequence[tuple[str, str]],
        *,
        strict: bool = False,
        default_count: int = DEFAULT_COUNT,
    ) -> SearchQuery:
        issues: list[Issue] = []
        clauses: list[Clause] = []
        sort: list[SortKey] = []
        includes: list[Include] = []
        revincludes: list[Include] = []
        count, offset, summary, total = default_count, 0, None, "accurate"
        elements: list[str] = []
        kept: list[tuple[str, str]] = []

        def unknown(name: str, diag: str, message_id: str = "ILP-2001") -> None:
            if strict:
                raise fail(Category.INVALID, message_id, diag, code="not-supported", expression=name)
            issues.append(Issue("warning", "not-supported", message_id, diag + " (ignored)", (name,)))

        for name, raw in pairs:
            if name in IGNORED_PARAMS:
                continue
            if name == "_count":
                count = min(_non_negative_int(name, raw), MAX_COUNT)
            elif name == "_offset":
                offset = _non_negative_int(name, raw)
            elif name == "_sort":
                sort.extend(self._sort(resource_type, raw))
            elif name in ("_include", "_revinclude"):
                inc = self._include(name, raw, resource_type, unknown)
                if inc is not None:
                    (includes if name == "_include" else revincludes).append(inc)
            elif name == "_summary":
                if raw not in ("true", "false", "text", "data", "count"):
                    raise fail(
                        Category.INVALID, "ILP-2010", f"Invalid _summary value '{raw}'", expression=name
                    )
                summary = None if raw == "false" else raw
            elif name == "_total":
                if raw not in ("none", "estimate", "accurate"):
                    raise fail(Category.INVALID, "ILP-2011", f"Invalid _total value '{raw}'", expression=name)
                total = raw
            elif name == "_elements":
                elements.extend(e.strip() for e in raw.split(",") if e.strip())
            else:
                clause = self._clause(resource_type, name, raw, unknown)
                if clause is None:
                    continue
                clauses.append(clause)
            if name not in ("_count", "_offset"):
                kept.append((name, raw))
        canonical = "&".join(f"{quote(n, safe=':.-_')}={quote(v, safe=':|,.-_/')}" for n, v in kept)
        return SearchQuery(
            resource_type=resource_type,
            clauses=tuple(clauses),
            sort=tuple(sort),
            count=count,
            offset=offset,
            includes=tuple(includes),
            revincludes=tuple(revincludes),
            summary=summary,
            total=total,
            elements=tuple(elements),
            issues=tuple(issues),
            canonical=canonical,
        )

    # ---------------------------------------------------------------------------------------- clauses

    def _clause(self, rtype: str, name: str, raw: str, unknown: UnknownFn) -> Clause | None:
        code, _, rest = name.partition(".")
        code, _, modifier = code.partition(":")
        param = self.registry.get(rtype, code)
        if param is None:
            kind = self.registry.unsupported(rtype, code)
            why = (
                f"is a {kind} parameter this server does not support"
                if kind
                else "is not a known search parameter"
            )
            unknown(name, f"Parameter '{code}' {why} for {rtype}")
            return None
        if rest:  # chained: ref[:Type].inner
            return self._chain(rtype, name, param, modifier or None, rest, raw, unknown)
        mod = modifier or None
        if mod is not None and mod not in MODIFIERS[param.type]:
            if param.type == "reference" and mod in self.registry.resource_types:
                pass  # :[type] modifier
            else:
                raise fail(
                    Category.INVALID,
                    "ILP-2002",
                    f"Modifier ':{mod}' is not supported on {param.type} parameter '{code}'",
                    code="not-supported",
                    expression=name,
                )
        if mod == "missing":
            if raw not in ("true", "false"):
                raise fail(
                    Category.INVALID,
                    "ILP-2003",
                    f":missing takes true or false, not '{raw}'",
                    expression=name,
                )
            return Clause(param, mod, (), missing=raw == "true")
        values = tuple(self._value(param, mod, v, name) for v in split_escaped(raw, ",", unescape=False))
        return Clause(param, mod, values)

    def _chain(
        self,
        rtype: str,
        name: str,
        param: SearchParam,
        mod: str | None,
        rest: str,
        raw: str,
        unknown: UnknownFn,
    ) -> Clause | None:
        if param.type != "reference":
            raise fail(
                Category.INVALID,
                "ILP-2004",
                f"'{param.code}' is not a reference; it cannot be chained",
                expression=name,
            )
        if "." in rest:
            raise fail(
                Category.INVALID,
                "ILP-2005",
                "Only one level of chaining is supported",
                code="not-supported",
                expression=name,
            )
        targets = [mod] if mod else list(param.targets)
        inner: list[Clause] = []
        for target in targets:
            if target not in self.registry.resource_types or (param.targets and target not in param.targets):
                raise fail(
                    Category.INVALID,
                    "ILP-2006",
                    f"'{target}' is not a target of '{param.code}'",
                    expression=name,
                )
            try:
                clause = self._clause(target, rest, raw, _reject)
            except _Unknown:
                continue
            if clause is not None:
                inner.append(clause)
        if not inner:
            unknown(name, f"Chained parameter '{rest}' is not known on any target of {rtype}.{param.code}")
            return None
        return Clause(param, mod, (), chain=tuple(inner))

    def _value(self, param: SearchParam, mod: str | None, raw: str, name: str) -> Value:
        try:
            if param.type == "token":
                return _token(raw)
            if param.type == "string":
                text = unescape(raw)
                return StringValue(text, normalise_string(text))
            if param.type == "date":
                prefix, text = _prefix(raw)
                start, end = date_range(text)
                if prefix == "ap":
                    spread = max(abs(now_us() - start) // 10, 86_400_000_000)
                    start, end = start - spread, end + spread
                return RangeValue(prefix, float(start), float(start), float(end))
            if param.type in ("number", "quantity"):
                prefix, text = _prefix(raw)
                parts = split_escaped(text, "|") if param.type == "quantity" else [text]
                value, low, high = number_range(parts[0])
                if prefix == "ap":
                    low, high = value - abs(value) * 0.1, value + abs(value) * 0.1
                system = parts[1] or None if len(parts) > 1 else None
                code = parts[2] or None if len(parts) > 2 else None
                return RangeValue(prefix, value, low, high, system, code)
            if param.type == "reference":
                return _reference(param, mod, unescape(raw))
            return UriValue(unescape(raw))
        except BadValue as exc:
            raise fail(
                Category.INVALID,
                "ILP-2007",
                f"Invalid value for '{name}': {exc}",
                code="value",
                expression=name,
            ) from None

    # ------------------------------------------------------------------------------ result parameters

    def _sort(self, rtype: str, raw: str) -> list[SortKey]:
        keys = []
        for item in raw.split(","):
            item = item.strip()
            desc = item.startswith("-")
            code = item.lstrip("-")
            param = self.registry.get(rtype, code)
            if param is None:
                raise fail(
                    Category.INVALID,
                    "ILP-2008",
                    f"Cannot sort by unknown parameter '{code}' on {rtype}",
                    code="not-supported",
                    expression="_sort",
                )
            keys.append(SortKey(param, desc))
        return keys

    def _include(self, name: str, raw: str, rtype: str, unknown: UnknownFn) -> Include | None:
        parts = raw.split(":")
        if raw == "*" or len(parts) not in (2, 3) or parts[1] == "*":
            unknown(name, f"{name}={raw} is not supported (use Type:param[:Target])")
            return None
        source, code = parts[0], parts[1]
        target = parts[2] if len(parts) == 3 else None
        if name == "_include" and source != rtype:
            raise fail(
                Category.INVALID,
                "ILP-2009",
                f"_include source must be {rtype}, not '{source}'",
                expression=name,
            )
        param = self.registry.get(source, code)
        if param is None or param.type != "reference":
            raise fail(
                Category.INVALID,
                "ILP-2009",
                f"'{source}:{code}' is not a reference search parameter",
                expression=name,
            )
        if target is not None and target not in self.registry.resource_types:
            raise fail(
                Category.INVALID, "ILP-2009", f"Unknown include target type '{target}'", expression=name
            )
        return Include(source, param, target)


class _Unknown(Exception):
    pass


def _reject(name: str, diag: str, message_id: str = "ILP-2001") -> None:
    raise _Unknown(name, diag, message_id)


class UnknownFn(Protocol):
    """Reports an unknown parameter: a warning (lenient) or an error (strict)."""

    def __call__(self, name: str, diag: str, message_id: str = ..., /) -> None: ...


def unescape(text: str) -> str:
    """Resolve search escapes (``\\,`` → ``,`` …) in a value that is not split further."""
    return _ESCAPE.sub(r"\1", text)


def _non_negative_int(name: str, raw: str) -> int:
    value = plain_int(raw)
    if value is None:
        raise fail(
            Category.INVALID,
            "ILP-2012",
            f"{name} must be a non-negative integer (at most {MAX_INT}), not '{raw}'",
            expression=name,
        )
    return value


def _prefix(raw: str) -> tuple[str, str]:
    if len(raw) > 2 and raw[:2] in DATE_PREFIXES and (raw[2].isdigit() or raw[2] in "-."):
        return raw[:2], raw[2:]
    return "eq", raw


def _token(raw: str) -> TokenValue:
    parts = split_escaped(raw, "|")
    if len(parts) == 1:
        return TokenValue(None, parts[0] or None)
    if len(parts) == 2:
        return TokenValue(parts[0], parts[1] or None)
    raise BadValue(f"'{raw}' has more than one unescaped '|'")


def _reference(param: SearchParam, mod: str | None, raw: str) -> ReferenceValue:
    found = literal_reference(raw)
    if found:
        target_type, target_id = found
        if mod and mod != target_type:
            raise BadValue(f"'{raw}' does not point to a {mod}")
        url = raw if "://" in raw else None
        return ReferenceValue(target_type, target_id, url)
    if _ID.match(raw):
        target = mod or (param.targets[0] if len(param.targets) == 1 else None)
        return ReferenceValue(target, raw)
    if "://" in raw or raw.startswith("urn:"):
        return ReferenceValue(None, None, raw)
    raise BadValue(f"'{raw}' is not a reference (Type/id, id or URL)")


def parse_error(issues: list[Issue]) -> GatewayError:
    return GatewayError(Category.INVALID, issues)
