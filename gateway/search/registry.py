"""The SearchParameter registry: official R4 definitions compiled per resource type, and the indexer.

Driven by data (``profiles/data/r4/search-parameters.json``), never by per-type code: any R4 parameter of
type token, string, date, reference, quantity, number or uri works on any resource type.
See https://hl7.org/fhir/R4/searchparameter.html and https://hl7.org/fhir/R4/search.html.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from gateway.search.expression import (
    CompiledExpression,
    Fields,
    compile_expression,
    reference_target_type,
)
from gateway.search.extract import Extractor, compile_extractor
from gateway.search.values import MAX_US, MIN_US, BadValue, date_range, normalise_string
from profiles.definitions import R4Definitions

INDEXED_TYPES = frozenset({"token", "string", "date", "reference", "quantity", "number", "uri"})
# Resource-level parameters answered from the resource table, not from index rows.
COLUMN_PARAMS = {"_id": "token", "_lastUpdated": "date"}
# Resource-level parameters with no expression (or needing a text engine) that we do not support.
UNSUPPORTED_RESOURCE_PARAMS = frozenset({"_text", "_content", "_query", "_list", "_has", "_type"})
UCUM = "http://unitsofmeasure.org"
ISO4217 = "urn:iso:std:iso:4217"


@dataclass(frozen=True, slots=True)
class SearchParam:
    """One search parameter as it applies to one resource type."""

    key: str
    resource_type: str
    code: str
    type: str
    url: str
    targets: tuple[str, ...] = ()
    expression: CompiledExpression | None = field(default=None, repr=False, compare=False)
    shares: tuple[str, ...] = ()
    """Keys of parameters whose index rows are this one's too (:func:`share_rows`): searches read their
    rows as well, and ``expression`` keeps only the paths they do not cover."""

    @property
    def is_column(self) -> bool:
        return self.expression is None


@dataclass(slots=True)
class IndexRows:
    """Index rows extracted from one resource, keyed by ``SearchParam.key``."""

    token: list[tuple[str, str | None, str]] = field(default_factory=list)
    string: list[tuple[str, str, str]] = field(default_factory=list)
    date: list[tuple[str, int, int]] = field(default_factory=list)
    reference: list[tuple[str, str | None, str | None, str | None]] = field(default_factory=list)
    quantity: list[tuple[str, float, str | None, str | None]] = field(default_factory=list)
    number: list[tuple[str, float]] = field(default_factory=list)
    uri: list[tuple[str, str]] = field(default_factory=list)


class SearchRegistry:
    """Compiled search parameters by resource type, plus extraction of index rows at write time."""

    def __init__(self, defs: R4Definitions) -> None:
        self.resource_types = defs.resource_types
        self._by_type: dict[str, dict[str, SearchParam]] = {t: {} for t in self.resource_types}
        self._unsupported: dict[str, dict[str, str]] = {t: {} for t in self.resource_types}
        # per type: (first keys, param, fields) so extraction skips params whose root element is absent;
        # ``fields`` is set when the expression is one member step (``Observation.code``): looked up directly
        self._plans: dict[str, list[tuple[frozenset[str], SearchParam, Fields | None]]] = {}
        self._extractors: dict[str, Extractor] = {}
        for rtype in self.resource_types:
            for code, ptype in COLUMN_PARAMS.items():
                self._by_type[rtype][code] = SearchParam(f"{rtype}.{code}", rtype, code, ptype, "")
        for sp in defs.search_parameters:
            bases = sp["base"]
            if "Resource" in bases or "DomainResource" in bases:
                bases = sorted(self.resource_types)
            for rtype in bases:
                if rtype not in self._by_type or sp["code"] in COLUMN_PARAMS:
                    continue
                if sp["type"] not in INDEXED_TYPES or sp["code"] in UNSUPPORTED_RESOURCE_PARAMS:
                    self._unsupported[rtype][sp["code"]] = sp["type"]
                    continue
                expr = compile_expression(defs, rtype, sp["expression"])
                param = SearchParam(
                    f"{rtype}.{sp['code']}",
                    rtype,
                    sp["code"],
                    sp["type"],
                    sp["url"],
                    tuple(sp.get("target", ())),
                    expr,
                )
                self._by_type[rtype][sp["code"]] = param
        for params in self._by_type.values():
            share_rows(params)
        for rtype, params in self._by_type.items():
            plan = []
            for p in sorted(params.values(), key=lambda p: p.code):
                if p.expression is not None and (p.expression.paths or p.expression.deceased_special):
                    keys = p.expression.first_keys
                    plan.append(
                        (frozenset() if p.expression.deceased_special else keys, p, p.expression.single_field)
                    )
            self._plans[rtype] = plan

    def get(self, resource_type: str, code: str) -> SearchParam | None:
        return self._by_type.get(resource_type, {}).get(code)

    def params(self, resource_type: str) -> list[SearchParam]:
        return sorted(self._by_type.get(resource_type, {}).values(), key=lambda p: p.code)

    def all_params(self) -> list[SearchParam]:
        return [p for t in sorted(self._by_type) for p in self.params(t)]

    def unsupported(self, resource_type: str, code: str) -> str | None:
        """The type of a defined but unsupported parameter (composite, special, ``_text`` …)."""
        return self._unsupported.get(resource_type, {}).get(code)

    def extract(self, resource: dict[str, Any]) -> IndexRows:
        """Index rows for every search parameter of the resource's type (at write time), through the type's
        generated extractor (:mod:`gateway.search.extract`), compiled on first use."""
        rows = IndexRows()
        rtype = resource.get("resourceType", "")
        extractor = self._extractors.get(rtype)
        if extractor is None:
            plan = self._plans.get(rtype)
            if plan is None:
                return rows
            extractor = self._extractors[rtype] = compile_extractor(rtype, [p for _, p, _ in plan], INDEXERS)
        extractor(resource, rows)
        return rows

    def extract_interpreted(self, resource: dict[str, Any]) -> IndexRows:
        """:meth:`extract` by walking each parameter's compiled steps: the reference the generated
        extractors are tested against."""
        rows = IndexRows()
        for keys, param, fields in self._plans.get(resource.get("resourceType", ""), ()):
            if fields is not None:
                # what CompiledPath.evaluate does for one member step, without its generators
                for key, fhir_type in fields:
                    value = resource.get(key)
                    if value is None:
                        continue
                    if value.__class__ is list:
                        for item in value:
                            if item is not None:
                                _index_value(rows, param, item, fhir_type)
                    else:
                        _index_value(rows, param, value, fhir_type)
                continue
            if keys and keys.isdisjoint(resource):
                continue
            assert param.expression is not None
            for value, fhir_type in param.expression.evaluate(resource):
                _index_value(rows, param, value, fhir_type)
        return rows


def share_rows(params: dict[str, SearchParam]) -> None:
    """Let a parameter read the index rows of others instead of writing the same rows again.

    ``Observation.combo-code`` is ``Observation.code | Observation.component.code``: every row it would
    write is a row of ``code`` or of ``component-code``. Such a parameter gets those parameters in ``shares``
    and extracts only the paths they do not cover (here none). Covers are parameters of the same type whose
    paths are a subset of its own (an equal set counts for the later code, so ``phonetic`` reads ``name``),
    taken largest first, and never themselves sharing. References are left alone (``_include`` and chains
    read their rows by one parameter id). Rows already stored under the parameter's own id keep counting.
    """
    candidates = [
        p
        for p in params.values()
        if p.expression is not None and not p.expression.deceased_special and p.type != "reference"
    ]

    def covers(q: SearchParam, p: SearchParam) -> bool:
        assert q.expression is not None and p.expression is not None
        qp, pp = set(q.expression.paths), set(p.expression.paths)
        return q.type == p.type and bool(qp) and qp <= pp and (qp != pp or q.code < p.code)

    sharers = {p.code for p in candidates if any(q is not p and covers(q, p) for q in candidates)}
    owners = sorted(
        (q for q in candidates if q.code not in sharers),
        key=lambda q: (-len(q.expression.paths) if q.expression else 0, q.code),
    )
    for p in candidates:
        if p.code not in sharers:
            continue
        assert p.expression is not None
        left, shares = set(p.expression.paths), []
        for q in owners:
            assert q.expression is not None
            if q is not p and covers(q, p) and set(q.expression.paths) <= left:
                shares.append(q.key)
                left -= set(q.expression.paths)
        if shares:
            own = tuple(path for path in p.expression.paths if path in left)
            params[p.code] = replace(p, expression=CompiledExpression(own), shares=tuple(shares))


def _index_value(rows: IndexRows, param: SearchParam, value: Any, fhir_type: str) -> None:
    INDEXERS[param.type](rows, param.key, value, fhir_type)


def _token(rows: IndexRows, key: str, value: Any, fhir_type: str) -> None:
    if isinstance(value, bool):
        rows.token.append((key, None, "true" if value else "false"))
    elif isinstance(value, str | int | float):
        rows.token.append((key, None, str(value)))
    elif isinstance(value, dict):
        if fhir_type == "CodeableConcept":
            codings = value.get("coding")
            for coding in codings if isinstance(codings, list) else ():
                if isinstance(coding, dict) and isinstance(coding.get("code"), str):
                    rows.token.append((key, _text(coding.get("system")), coding["code"]))
        elif fhir_type == "Coding":
            if isinstance(value.get("code"), str):
                rows.token.append((key, _text(value.get("system")), value["code"]))
        elif fhir_type in ("Identifier", "ContactPoint") and isinstance(value.get("value"), str):
            system = _text(value.get("system")) if fhir_type == "Identifier" else None
            rows.token.append((key, system, value["value"]))


def _text(value: Any) -> str | None:
    """A string element's value, or None for anything else (a malformed resource stored with validation
    off must not break indexing)."""
    return value if isinstance(value, str) else None


def _reference(rows: IndexRows, key: str, value: Any, _fhir_type: str = "") -> None:
    if isinstance(value, str):  # canonical / uri
        rows.reference.append((key, None, None, value))
        return
    if not isinstance(value, dict):
        return
    literal = value.get("reference")
    if not isinstance(literal, str) or literal.startswith("#"):
        return
    target_type = reference_target_type(value)
    last_segment, url = _literal_parts(literal)
    rows.reference.append((key, target_type, last_segment if target_type else None, url))


@lru_cache(maxsize=4096)
def _literal_parts(literal: str) -> tuple[str, str | None]:
    """(the id a typed reference names: its last segment before ``/_history/``, the literal itself when it
    is absolute or a URN). Remembered, like :func:`gateway.search.expression.literal_reference`."""
    tail = literal.split("/_history/", 1)[0].rstrip("/")
    url = literal if "://" in literal or literal.startswith("urn:") else None
    return tail.rsplit("/", 1)[-1], url


def _string(rows: IndexRows, key: str, value: Any, fhir_type: str) -> None:
    for text in _strings(value, fhir_type):
        rows.string.append((key, normalise_string(text), text))


def _date_row(rows: IndexRows, key: str, value: Any, fhir_type: str) -> None:
    rng = _date(value, fhir_type)
    if rng is not None:
        rows.date.append((key, rng[0], rng[1]))


def _number(rows: IndexRows, key: str, value: Any, _fhir_type: str) -> None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        rows.number.append((key, float(value)))


def _uri(rows: IndexRows, key: str, value: Any, _fhir_type: str) -> None:
    if isinstance(value, str):
        rows.uri.append((key, value))


_NAME_PARTS = ("family", "given", "prefix", "suffix", "text")
_ADDRESS_PARTS = ("line", "city", "district", "state", "postalCode", "country", "text")


def _strings(value: Any, fhir_type: str) -> list[str]:
    if isinstance(value, str):
        return [value]
    if not isinstance(value, dict):
        return []
    parts = _NAME_PARTS if fhir_type == "HumanName" else _ADDRESS_PARTS if fhir_type == "Address" else ()
    out: list[str] = []
    for part in parts:
        v = value.get(part)
        if isinstance(v, str):
            out.append(v)
        elif isinstance(v, list):
            out.extend(x for x in v if isinstance(x, str))
    return out


def _date(value: Any, fhir_type: str) -> tuple[int, int] | None:
    try:
        if isinstance(value, str):
            return date_range(value)
        if not isinstance(value, dict):
            return None
        if fhir_type == "Period":
            start, end = value.get("start"), value.get("end")
            low = date_range(start)[0] if isinstance(start, str) else MIN_US
            high = date_range(end)[1] if isinstance(end, str) else MAX_US
            return low, high
        if fhir_type == "Timing":
            found = value.get("event")
            events = [date_range(e) for e in found if isinstance(e, str)] if isinstance(found, list) else []
            if events:
                return min(e[0] for e in events), max(e[1] for e in events)
    except BadValue:
        return None
    return None


def _quantity(rows: IndexRows, key: str, value: Any, fhir_type: str) -> None:
    if not isinstance(value, dict):
        return
    number = value.get("value")
    if not isinstance(number, int | float) or isinstance(number, bool):
        return
    if fhir_type == "Money":
        rows.quantity.append((key, float(number), ISO4217, _text(value.get("currency"))))
        return
    code = value.get("code") if isinstance(value.get("code"), str) else _text(value.get("unit"))
    rows.quantity.append((key, float(number), _text(value.get("system")), code))


Indexer = Callable[[IndexRows, str, Any, str], None]
INDEXERS: dict[str, Indexer] = {
    "token": _token,
    "reference": _reference,
    "string": _string,
    "date": _date_row,
    "quantity": _quantity,
    "number": _number,
    "uri": _uri,
}
"""Per search-parameter type: (rows, parameter key, value, FHIR type of the value) → index rows appended."""
