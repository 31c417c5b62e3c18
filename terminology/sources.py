"""Code sources: what answers for a code system. The service asks the first source that supports a system
(HAPI's ``ValidationSupportChain`` rule), so every source is small and knows only its own systems.

:class:`ResourceSource` answers for CodeSystem resources held as JSON (the HL7 R4 code systems and the
curated Indonesian ones); the large tables (``terminology.tables``, ``terminology.areas``) and UCUM
(``terminology.ucum``) have their own sources. Concept tables are built on first use of a system, so
loading the service costs only reading the JSON. See https://hl7.org/fhir/R4/codesystem.html.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, Protocol, runtime_checkable

from terminology.model import Concept, PropertyValue, SystemInfo


class CodeSource(Protocol):
    """One link of the chain. ``concept`` must be O(1); ``concepts`` may be long (expansions page it)."""

    def supports(self, system: str, /) -> bool: ...

    def info(self, system: str, /) -> SystemInfo: ...

    def concept(self, system: str, code: str, /) -> Concept | None: ...

    def concepts(self, system: str, /) -> Iterable[Concept]: ...


@runtime_checkable
class SelectingSource(Protocol):
    """A source that can list the concepts matching one filter faster than checking each concept."""

    def select(self, system: str, prop: str, op: str, value: str, /) -> Iterable[Concept] | None: ...


def _property_value(prop: dict[str, Any]) -> PropertyValue | None:
    for key in ("valueCode", "valueString", "valueBoolean", "valueInteger", "valueDateTime", "valueDecimal"):
        if key in prop:
            value = prop[key]
            return value if isinstance(value, str | bool | int) else str(value)
    coding = prop.get("valueCoding")
    return coding.get("code") if isinstance(coding, dict) else None


def concepts_of(resource: dict[str, Any]) -> Iterator[Concept]:
    """The concepts of a CodeSystem resource, nested ones flattened with their ``parent``."""

    def walk(items: list[dict[str, Any]], parent: str | None) -> Iterator[Concept]:
        for item in items:
            props: list[tuple[str, PropertyValue]] = []
            abstract = inactive = False
            for prop in item.get("property", []):
                value = _property_value(prop)
                if value is None:
                    continue
                name = prop.get("code", "")
                abstract |= name == "notSelectable" and value is True
                inactive |= (name == "inactive" and value is True) or (
                    name == "status" and value == "retired"
                )
                props.append((name, value))
            yield Concept(
                code=item["code"],
                display=item.get("display"),
                definition=item.get("definition"),
                abstract=abstract,
                inactive=inactive,
                parent=parent,
                properties=tuple(props),
            )
            yield from walk(item.get("concept", []), item["code"])

    yield from walk(resource.get("concept", []), None)


class ConceptTable:
    """The concepts of one code system by code (case-folded too when the system is case-insensitive)."""

    def __init__(self, resource: dict[str, Any]) -> None:
        self.by_code: dict[str, Concept] = {}
        for concept in concepts_of(resource):
            self.by_code.setdefault(concept.code, concept)
        self.case_sensitive = resource.get("caseSensitive", True) is not False
        self.folded = {} if self.case_sensitive else {c.casefold(): v for c, v in self.by_code.items()}

    def get(self, code: str) -> Concept | None:
        found = self.by_code.get(code)
        if found is None and not self.case_sensitive:
            found = self.folded.get(code.casefold())
        return found


def system_info(resource: dict[str, Any]) -> SystemInfo:
    content = resource.get("content", "complete")
    return SystemInfo(
        url=resource["url"],
        name=resource.get("title") or resource.get("name") or resource["url"],
        version=resource.get("version"),
        content=content,
        enumerable=content != "not-present",
    )


class ResourceSource:
    """Answers for code systems given as CodeSystem resources with their concepts."""

    def __init__(self, code_systems: Iterable[dict[str, Any]]) -> None:
        self._resources = {cs["url"]: cs for cs in code_systems}
        self._tables: dict[str, ConceptTable] = {}
        self._infos: dict[str, SystemInfo] = {}

    def supports(self, system: str) -> bool:
        return system in self._resources

    def info(self, system: str) -> SystemInfo:
        found = self._infos.get(system)
        if found is None:
            found = self._infos[system] = system_info(self._resources[system])
        return found

    def _table(self, system: str) -> ConceptTable:
        table = self._tables.get(system)
        if table is None:
            table = self._tables[system] = ConceptTable(self._resources[system])
        return table

    def concept(self, system: str, code: str) -> Concept | None:
        return self._table(system).get(code)

    def concepts(self, system: str) -> Iterable[Concept]:
        return self._table(system).by_code.values()
