"""ConceptMap translation (https://hl7.org/fhir/R4/conceptmap-operation-translate.html).

A map is indexed once per direction: (source system, code) → targets. ``reverse`` reads the map backwards
(target → source), as the R4 operation's ``reverse`` parameter asks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from terminology.model import TranslationMatch

NON_MATCHES = frozenset({"unmatched", "disjoint"})


@dataclass(frozen=True, slots=True)
class ConceptMapIndex:
    url: str
    source_scope: str | None  # sourceUri / sourceCanonical
    target_scope: str | None  # targetUri / targetCanonical
    forward: dict[tuple[str, str], tuple[TranslationMatch, ...]]
    backward: dict[tuple[str, str], tuple[TranslationMatch, ...]]
    source_systems: frozenset[str]
    target_systems: frozenset[str]

    @classmethod
    def build(cls, resource: dict[str, Any]) -> ConceptMapIndex:
        url = resource["url"]
        forward: dict[tuple[str, str], list[TranslationMatch]] = {}
        backward: dict[tuple[str, str], list[TranslationMatch]] = {}
        sources, targets = set(), set()
        for group in resource.get("group", []):
            src, tgt = group.get("source", ""), group.get("target", "")
            sources.add(src)
            targets.add(tgt)
            for element in group.get("element", []):
                for target in element.get("target", []):
                    equivalence = target.get("equivalence", "equivalent")
                    if "code" in target:
                        forward.setdefault((src, element["code"]), []).append(
                            TranslationMatch(equivalence, tgt, target["code"], target.get("display"), url)
                        )
                        backward.setdefault((tgt, target["code"]), []).append(
                            TranslationMatch(equivalence, src, element["code"], element.get("display"), url)
                        )
                    else:  # an explicit "no target" (unmatched)
                        forward.setdefault((src, element["code"]), []).append(
                            TranslationMatch(equivalence, tgt, "", None, url)
                        )
        return cls(
            url=url,
            source_scope=resource.get("sourceUri") or resource.get("sourceCanonical"),
            target_scope=resource.get("targetUri") or resource.get("targetCanonical"),
            forward={k: tuple(v) for k, v in forward.items()},
            backward={k: tuple(v) for k, v in backward.items()},
            source_systems=frozenset(sources),
            target_systems=frozenset(targets),
        )

    def handles(self, system: str, *, reverse: bool) -> bool:
        return system in (self.target_systems if reverse else self.source_systems)

    def translate(self, system: str, code: str, *, reverse: bool = False) -> tuple[TranslationMatch, ...]:
        return (self.backward if reverse else self.forward).get((system, code), ())
