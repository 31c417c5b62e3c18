"""ValueSet membership and enumeration (https://hl7.org/fhir/R4/valueset.html).

A value set either carries a pre-computed ``expansion`` (the HL7 ones: includes, filters and nested value
sets were resolved at build time by ``tools/vendor_terminology.py``) or is evaluated from its ``compose``
against the code sources: enumerated concepts, whole systems (membership asks the system's source, O(1)),
property filters (``=``, ``is-a``, ``descendent-of``, ``is-not-a``) and nested value sets. Membership is a
dict/set look-up per include; enumeration is computed once per value set and cached.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from terminology.model import Concept, ExpansionEntry
from terminology.sources import CodeSource, SelectingSource


class Resolver(Protocol):
    def source_for(self, system: str) -> CodeSource | None: ...

    def value_set(self, url: str) -> ValueSetDefinition | None: ...


class NotEnumerableError(Exception):
    """The value set includes a whole system that cannot be listed (UCUM, or one not held here)."""


@dataclass(frozen=True, slots=True)
class Membership:
    member: bool
    display: str | None = None
    note: str | None = None  # why the answer may be incomplete


@dataclass(frozen=True, slots=True)
class Clause:
    """One ``compose.include`` or ``compose.exclude``."""

    system: str | None
    codes: Mapping[str, str | None] | None  # enumerated concepts (code → display) or None (whole system)
    filters: tuple[tuple[str, str, str], ...]  # (property, op, value)
    value_sets: tuple[str, ...]

    @classmethod
    def parse(cls, item: dict[str, Any]) -> Clause:
        codes = None
        if "concept" in item:
            codes = {c["code"]: c.get("display") for c in item["concept"]}
        filters = tuple((f["property"], f["op"], str(f["value"])) for f in item.get("filter", []))
        value_sets = tuple(v.split("|")[0] for v in item.get("valueSet", []))
        return cls(item.get("system"), codes, filters, value_sets)


def _ancestors(source: CodeSource, system: str, concept: Concept) -> Iterator[str]:
    seen: set[str] = set()
    parent = concept.parent
    while parent is not None and parent not in seen:
        seen.add(parent)
        yield parent
        found = source.concept(system, parent)
        parent = found.parent if found is not None else None


def _filter_ok(source: CodeSource, system: str, concept: Concept, prop: str, op: str, value: str) -> bool:
    if prop == "concept" and op in ("is-a", "descendent-of", "is-not-a"):
        below = value in _ancestors(source, system, concept)
        if op == "is-a":
            return concept.code == value or below
        if op == "descendent-of":
            return below
        return not (concept.code == value or below)
    if op == "=":
        return value in {
            str(v).lower() if isinstance(v, bool) else str(v) for v in concept.property_values(prop)
        }
    return False


class ValueSetDefinition:
    """A ValueSet resource made checkable; ``expansion`` wins over ``compose`` when present."""

    def __init__(self, resource: dict[str, Any]) -> None:
        self.resource = resource
        self.url: str = resource["url"]
        self.version: str | None = resource.get("version")
        self.title: str = resource.get("title") or resource.get("name") or self.url
        compose = resource.get("compose", {})
        self.include = tuple(Clause.parse(i) for i in compose.get("include", []))
        self.exclude = tuple(Clause.parse(i) for i in compose.get("exclude", []))
        self.active_only = compose.get("inactive") is False
        expansion = resource.get("expansion")
        self.expanded: dict[tuple[str, str], str | None] | None = None
        self.incomplete: str | None = None
        if expansion is not None:
            self.expanded = {
                (c["system"], c["code"]): c.get("display") for c in expansion.get("contains", [])
            }
            for param in expansion.get("parameter", []):
                if param.get("name") == "incomplete":
                    self.incomplete = str(param.get("valueString"))
        self._entries: tuple[ExpansionEntry, ...] | None = None

    @property
    def systems(self) -> tuple[str, ...]:
        if self.expanded is not None:
            return tuple(dict.fromkeys(s for s, _ in self.expanded))
        return tuple(dict.fromkeys(c.system for c in self.include if c.system))

    # ----------------------------------------------------------------------------------------- membership
    def check(self, resolver: Resolver, system: str, code: str, *, abstract_ok: bool = False) -> Membership:
        if self.expanded is not None:
            key = (system, code)
            if key in self.expanded:
                return Membership(True, self.expanded[key])
            note = self.incomplete if self.incomplete and system not in self.systems else None
            return Membership(False, note=note)
        if not self.include and self.incomplete is None:
            return Membership(False)
        for clause in self.include:
            hit = self._clause_has(resolver, clause, system, code, abstract_ok)
            if hit is not None and not any(
                self._clause_has(resolver, ex, system, code, True) is not None for ex in self.exclude
            ):
                return Membership(True, hit)
        return Membership(False)

    def _clause_has(
        self, resolver: Resolver, clause: Clause, system: str, code: str, abstract_ok: bool
    ) -> str | None:
        """The display when ``clause`` contains the code (``""`` when it has none), else ``None``."""
        display: str | None = ""
        if clause.system is not None:
            if clause.system != system:
                return None
            source = resolver.source_for(system)
            concept = source.concept(system, code) if source is not None else None
            if clause.codes is not None:
                if code not in clause.codes:
                    return None
                display = clause.codes[code] or (concept.display if concept else None) or ""
            else:
                if source is None or concept is None:
                    return None
                if (concept.abstract and not abstract_ok) or (concept.inactive and self.active_only):
                    return None
                if not all(_filter_ok(source, system, concept, *f) for f in clause.filters):
                    return None
                display = concept.display or ""
        for url in clause.value_sets:
            nested = resolver.value_set(url)
            if nested is None:
                return None
            found = nested.check(resolver, system, code, abstract_ok=abstract_ok)
            if not found.member:
                return None
            display = display or found.display or ""
        return display

    # --------------------------------------------------------------------------------------- enumeration
    def entries(self, resolver: Resolver) -> tuple[ExpansionEntry, ...]:
        """Every member, in definition order; raises :class:`NotEnumerableError` when that is impossible."""
        if self._entries is None:
            self._entries = tuple(self._enumerate(resolver))
        return self._entries

    def _enumerate(self, resolver: Resolver) -> Iterable[ExpansionEntry]:
        if self.expanded is not None:
            yield from (ExpansionEntry(s, c, d) for (s, c), d in self.expanded.items())
            return
        if not self.include:
            raise NotEnumerableError(self.incomplete or "the value set has no expansion and no compose")
        seen: set[tuple[str, str]] = set()
        for clause in self.include:
            for entry in self._clause_entries(resolver, clause):
                key = (entry.system, entry.code)
                if key in seen:
                    continue
                if any(
                    self._clause_has(resolver, ex, entry.system, entry.code, True) is not None
                    for ex in self.exclude
                ):
                    continue
                seen.add(key)
                yield entry

    def _clause_entries(self, resolver: Resolver, clause: Clause) -> Iterator[ExpansionEntry]:
        if clause.system is None:
            first, *rest = [resolver.value_set(u) for u in clause.value_sets] or [None]
            if first is None or any(v is None for v in rest):
                raise NotEnumerableError(f"a nested value set of {self.url} is not known")
            for entry in first.entries(resolver):
                if all(v.check(resolver, entry.system, entry.code).member for v in rest if v is not None):
                    yield entry
            return
        system = clause.system
        source = resolver.source_for(system)
        candidates: Iterable[tuple[str, str | None, Concept | None]]
        if clause.codes is not None:
            candidates = (
                (code, display, source.concept(system, code) if source else None)
                for code, display in clause.codes.items()
            )
        else:
            if source is None or not source.info(system).enumerable:
                raise NotEnumerableError(f"the code system {system} cannot be enumerated here")
            pool: Iterable[Concept] | None = None
            filters = clause.filters
            if filters and isinstance(source, SelectingSource):
                pool = source.select(system, *filters[0])
                filters = filters[1:] if pool is not None else filters
            candidates = (
                (c.code, c.display, c)
                for c in (pool if pool is not None else source.concepts(system))
                if not c.abstract
                and not (c.inactive and self.active_only)
                and all(_filter_ok(source, system, c, *f) for f in filters)
            )
        for code, display, concept in candidates:
            nested = Clause(None, None, (), clause.value_sets)
            if clause.value_sets and self._clause_has(resolver, nested, system, code, False) is None:
                continue
            shown = display or (concept.display if concept else None)
            inactive = concept.inactive if concept else False
            yield ExpansionEntry(system, code, shown, inactive=inactive)
