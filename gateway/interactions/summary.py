"""``_summary`` and ``_elements`` (https://hl7.org/fhir/R4/search.html#summary, #elements).

Returned resources are marked with the ``SUBSETTED`` tag, as the spec requires.
"""

from __future__ import annotations

from typing import Any

from profiles.definitions import R4Definitions

SUBSETTED = {"system": "http://terminology.hl7.org/CodeSystem/v3-ObservationValue", "code": "SUBSETTED"}
ALWAYS = frozenset({"resourceType", "id", "meta"})


class Summarizer:
    """Knows, per resource type, which top-level JSON keys are summary or mandatory elements."""

    def __init__(self, defs: R4Definitions) -> None:
        self.defs = defs
        self._summary: dict[str, frozenset[str]] = {}
        self._mandatory: dict[str, frozenset[str]] = {}

    def _keys(self, resource_type: str) -> tuple[frozenset[str], frozenset[str]]:
        if resource_type not in self._summary:
            summary, mandatory = set(ALWAYS), set(ALWAYS)
            td = self.defs.types.get(resource_type)
            for el in td.elements.values() if td else ():
                parts = el.path.split(".")
                if len(parts) != 2:
                    continue
                name = parts[1]
                keys = (
                    {name[:-3] + t[0].upper() + t[1:] for t in el.types} if name.endswith("[x]") else {name}
                )
                if el.is_summary:
                    summary |= keys
                if el.min > 0:
                    mandatory |= keys
            self._summary[resource_type] = frozenset(summary)
            self._mandatory[resource_type] = frozenset(mandatory)
        return self._summary[resource_type], self._mandatory[resource_type]

    def apply(
        self, resource: dict[str, Any], summary: str | None, elements: tuple[str, ...]
    ) -> dict[str, Any]:
        if summary is None and not elements:
            return resource
        rtype = str(resource.get("resourceType"))
        summary_keys, mandatory = self._keys(rtype)
        if summary == "true":
            out = {k: v for k, v in resource.items() if k in summary_keys}
        elif summary == "text":
            out = {k: v for k, v in resource.items() if k in mandatory or k == "text"}
        elif summary == "data":
            out = {k: v for k, v in resource.items() if k != "text"}
        else:
            wanted = set(elements) | mandatory
            out = {k: v for k, v in resource.items() if k in wanted}
        meta = dict(out.get("meta") or {})
        meta["tag"] = [*meta.get("tag", []), SUBSETTED]
        out["meta"] = meta
        return out
