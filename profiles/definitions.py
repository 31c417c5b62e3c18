"""The HL7 FHIR R4 (4.0.1) core definitions the project vendors as data.

See ``profiles/data/r4/README.md`` for their origin and licence. Nothing is read at import time:
:meth:`R4Definitions.load` reads the files once, and the application keeps the instance.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import orjson

PRIMITIVE_TYPES_NOT_RESOURCES = frozenset({"Resource", "DomainResource"})


@dataclass(frozen=True, slots=True)
class ElementInfo:
    """One element of a StructureDefinition snapshot (https://hl7.org/fhir/R4/elementdefinition.html)."""

    path: str
    types: tuple[str, ...]
    min: int
    max: str
    content_reference: str | None
    is_summary: bool = False
    binding: tuple[str, str] | None = None  # (strength, valueSet) of a required/extensible binding

    @property
    def is_choice(self) -> bool:
        return self.path.endswith("[x]")

    @property
    def repeats(self) -> bool:
        return self.max != "1" and self.max != "0"


def _pair(value: list[str] | None) -> tuple[str, str] | None:
    return (value[0], value[1]) if value else None


@dataclass(frozen=True, slots=True)
class TypeDefinition:
    name: str
    kind: str
    abstract: bool
    base: str | None
    elements: dict[str, ElementInfo] = field(repr=False)


@dataclass(frozen=True, slots=True)
class R4Definitions:
    """Resource and datatype definitions plus the official SearchParameters of FHIR R4."""

    types: dict[str, TypeDefinition]
    search_parameters: list[dict[str, Any]]
    version: str

    @classmethod
    def load(cls) -> R4Definitions:
        root = resources.files("profiles") / "data" / "r4"
        raw = orjson.loads((root / "elements.json").read_bytes())
        types: dict[str, TypeDefinition] = {}
        for name, td in raw.items():
            elements = {
                path: ElementInfo(path, tuple(t), int(mn), str(mx), cref, bool(summary), _pair(binding))
                for path, (t, mn, mx, cref, summary, binding) in td["elements"].items()
            }
            types[name] = TypeDefinition(name, td["kind"], bool(td["abstract"]), td["base"], elements)
        params = orjson.loads((root / "search-parameters.json").read_bytes())
        version = "4.0.1"
        for line in (root / "version.info").read_text().splitlines():
            if line.startswith("version="):
                version = line.split("=", 1)[1].strip()
        return cls(types=types, search_parameters=params, version=version)

    @property
    def resource_types(self) -> frozenset[str]:
        """Concrete R4 resource types (https://hl7.org/fhir/R4/resourcelist.html)."""
        return frozenset(
            name
            for name, td in self.types.items()
            if td.kind == "resource" and not td.abstract and name not in PRIMITIVE_TYPES_NOT_RESOURCES
        )

    def element(self, type_name: str, path: str) -> ElementInfo | None:
        td = self.types.get(type_name)
        return td.elements.get(path) if td else None
