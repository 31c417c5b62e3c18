"""Typed results of the terminology service: concepts, look-ups, validations, expansions, translations.

Nothing here raises for an unknown system, code, value set or map: the answer says so (``reason``), so a
validator can turn it into an issue and the FHIR operations into a Parameters or an OperationOutcome.
Shapes follow the R4 operations: https://hl7.org/fhir/R4/codesystem-operation-lookup.html,
https://hl7.org/fhir/R4/valueset-operation-validate-code.html,
https://hl7.org/fhir/R4/valueset-operation-expand.html, https://hl7.org/fhir/R4/conceptmap-operation-translate.html.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

PropertyValue = str | bool | int


class Reason(StrEnum):
    """Why an answer is what it is (``OK`` when nothing is wrong)."""

    OK = "ok"
    UNKNOWN_SYSTEM = "unknown-system"
    UNKNOWN_CODE = "unknown-code"
    UNKNOWN_VALUE_SET = "unknown-value-set"
    UNKNOWN_CONCEPT_MAP = "unknown-concept-map"
    NOT_IN_VALUE_SET = "not-in-value-set"
    ABSTRACT = "abstract"  # a grouping concept (notSelectable) used where a codable one is needed
    INACTIVE = "inactive"  # valid but retired/deprecated (a warning)
    INVALID_DISPLAY = "invalid-display"  # the code is right, the display is not the concept's (a warning)
    NOT_ENUMERABLE = "not-enumerable"  # a grammar-based or external system cannot be listed
    NO_MATCH = "no-match"


@dataclass(frozen=True, slots=True)
class Concept:
    """One concept of a code system (https://hl7.org/fhir/R4/codesystem-definitions.html#CodeSystem.concept)."""

    code: str
    display: str | None = None
    definition: str | None = None
    abstract: bool = False
    inactive: bool = False
    parent: str | None = None
    properties: tuple[tuple[str, PropertyValue], ...] = ()

    def property_values(self, name: str) -> tuple[PropertyValue, ...]:
        return tuple(v for k, v in self.properties if k == name)


@dataclass(frozen=True, slots=True)
class SystemInfo:
    """What a source says about a code system it answers for."""

    url: str
    name: str
    version: str | None = None
    content: str = "complete"  # complete | fragment | not-present | grammar
    enumerable: bool = True


@dataclass(frozen=True, slots=True)
class LookupResult:
    """$lookup: the concept, or why there is none."""

    system: str
    code: str
    reason: Reason
    message: str | None = None
    concept: Concept | None = None
    info: SystemInfo | None = None

    @property
    def found(self) -> bool:
        return self.concept is not None


@dataclass(frozen=True, slots=True)
class ValidationResult:
    """$validate-code: ``result`` plus an explanation; ``severity`` is set whenever ``message`` is."""

    result: bool
    reason: Reason
    message: str | None = None
    severity: str | None = None  # error | warning
    system: str | None = None
    code: str | None = None
    display: str | None = None  # the concept's display (the recommended one)


@dataclass(frozen=True, slots=True)
class ExpansionEntry:
    system: str
    code: str
    display: str | None = None
    abstract: bool = False
    inactive: bool = False


@dataclass(frozen=True, slots=True)
class ExpansionResult:
    """$expand: one page of the expansion (``total`` counts all matches)."""

    url: str
    reason: Reason
    message: str | None = None
    total: int = 0
    offset: int = 0
    contains: tuple[ExpansionEntry, ...] = ()
    filter: str | None = None
    version: str | None = None

    @property
    def ok(self) -> bool:
        return self.reason is Reason.OK


@dataclass(frozen=True, slots=True)
class TranslationMatch:
    equivalence: str
    system: str
    code: str
    display: str | None
    source: str  # the ConceptMap url


@dataclass(frozen=True, slots=True)
class TranslateResult:
    """$translate: ``result`` is true when at least one match is not ``unmatched``/``disjoint``."""

    result: bool
    reason: Reason
    message: str | None = None
    matches: tuple[TranslationMatch, ...] = field(default=())
