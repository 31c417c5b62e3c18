"""The CodeSystem, ValueSet and ConceptMap resources of the package, by id and by canonical url.

Read from ``terminology/data/``: ``hl7-r4.json`` and ``tables.json`` (collection Bundles written by
``tools/vendor_terminology.py``) and ``curated/*.json`` (one hand-maintained resource per file). Origins
and licences: ``data/README.md``. Reading all of it takes a few tens of milliseconds (about 1.1 MB of JSON).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import orjson

TYPES = ("CodeSystem", "ValueSet", "ConceptMap")


@dataclass(slots=True)
class Catalog:
    by_id: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    by_url: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def load(cls) -> Catalog:
        root = resources.files("terminology") / "data"
        catalog = cls()
        for name in ("hl7-r4.json", "tables.json"):
            for entry in orjson.loads((root / name).read_bytes())["entry"]:
                catalog.add(entry["resource"])
        curated = root / "curated"
        for item in sorted(curated.iterdir(), key=lambda p: p.name):
            if item.name.endswith(".json"):
                catalog.add(orjson.loads(item.read_bytes()))
        return catalog

    def add(self, resource: dict[str, Any]) -> None:
        rtype = resource["resourceType"]
        if rtype not in TYPES:
            raise ValueError(f"not a terminology resource: {rtype}")
        key = (rtype, resource["id"])
        if key in self.by_id or (rtype, resource["url"]) in self.by_url:
            raise ValueError(f"duplicate terminology resource {rtype}/{resource['id']} ({resource['url']})")
        self.by_id[key] = resource
        self.by_url[(rtype, resource["url"])] = resource

    def get(self, resource_type: str, resource_id: str) -> dict[str, Any] | None:
        return self.by_id.get((resource_type, resource_id))

    def by_canonical(self, resource_type: str, url: str) -> dict[str, Any] | None:
        """A resource by url, also with a ``|version`` suffix when that version is the one held."""
        base, _, version = url.partition("|")
        found = self.by_url.get((resource_type, base))
        if found is not None and version and found.get("version") != version:
            return None
        return found

    def of_type(self, resource_type: str) -> Iterator[dict[str, Any]]:
        return (r for (t, _), r in self.by_id.items() if t == resource_type)
