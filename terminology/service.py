"""The terminology service: lookup, validate-code, expand and translate over a chain of code sources.

The first source in the chain that supports a system answers for it (HAPI's rule): UCUM (grammar), the
JSON code systems (HL7 R4 and curated Indonesian ones), ICD-10, ICD-9-CM, Kemendagri areas. The FHIR
operations it backs: https://hl7.org/fhir/R4/codesystem-operation-lookup.html,
https://hl7.org/fhir/R4/valueset-operation-validate-code.html,
https://hl7.org/fhir/R4/valueset-operation-expand.html,
https://hl7.org/fhir/R4/conceptmap-operation-translate.html.

:meth:`TerminologyService.load` only reads the small JSON resources (tens of milliseconds); the large
tables load on first use. Membership checks are dict look-ups. Answers are typed results; an unknown
system, code, value set or map is an answer, never an exception.
"""

from __future__ import annotations

import contextlib
import datetime
import threading
from collections.abc import Sequence
from typing import Any

from terminology import text
from terminology.areas import Areas, AreaSource
from terminology.catalog import Catalog
from terminology.conceptmaps import NON_MATCHES, ConceptMapIndex
from terminology.model import (
    Concept,
    ExpansionEntry,
    ExpansionResult,
    LookupResult,
    Reason,
    TranslateResult,
    ValidationResult,
)
from terminology.nik import check_consistency, check_nik
from terminology.sources import CodeSource, ResourceSource, system_info
from terminology.tables import TableSource, build_icd9cm, build_icd10
from terminology.ucum import UCUM, UcumSource
from terminology.urls import ICD_9_CM, ICD_10, KODE_WILAYAH, LOINC
from terminology.valuesets import NotEnumerableError, ValueSetDefinition

MAX_EXPANSION = 1000  # largest page of an expansion
ALLOWED_UNIT = "allowed-unit"


def _same_display(given: str, known: str) -> bool:
    return " ".join(given.split()).casefold() == " ".join(known.split()).casefold()


LOOKUP_MEMO = 50_000  # remembered $lookup answers (each a small frozen dataclass)


class TerminologyService:
    """Code systems, value sets and concept maps of the ILP gateway, answered from vendored data."""

    def __init__(self, catalog: Catalog, chain: Sequence[CodeSource], areas: AreaSource) -> None:
        self.catalog = catalog
        self.chain = tuple(chain)
        self._areas = areas
        self._value_sets: dict[str, ValueSetDefinition] = {}
        self._maps: dict[str, ConceptMapIndex] | None = None
        self._haystacks: dict[str, tuple[tuple[str, ...], ...]] = {}
        self._lock = threading.Lock()
        self._sources: dict[str, CodeSource] = {}  # known systems only, so the memo stays bounded
        self._lookups: dict[tuple[str, str], LookupResult] = {}  # bounded: cleared past LOOKUP_MEMO
        self._units: dict[str, tuple[str, ...]] = {}  # allowed units per LOINC code (bounded alike)

    @classmethod
    def load(cls) -> TerminologyService:
        catalog = Catalog.load()

        def stub(url: str) -> dict[str, Any]:
            found = catalog.by_canonical("CodeSystem", url)
            if found is None:
                raise LookupError(f"terminology data lacks the CodeSystem {url}")
            return found

        table_backed = {ICD_10, ICD_9_CM, KODE_WILAYAH, UCUM}
        areas = AreaSource(system_info(stub(KODE_WILAYAH)))
        chain: list[CodeSource] = [
            UcumSource(stub(UCUM)),
            ResourceSource(cs for cs in catalog.of_type("CodeSystem") if cs["url"] not in table_backed),
            TableSource(system_info(stub(ICD_10)), build_icd10),
            TableSource(system_info(stub(ICD_9_CM)), build_icd9cm),
            areas,
        ]
        return cls(catalog, chain, areas)

    # ------------------------------------------------------------------------------------------ plumbing
    def source_for(self, system: str) -> CodeSource | None:
        """The first source of the chain that answers for ``system`` (remembered; every lookup asks)."""
        found = self._sources.get(system)
        if found is None:
            found = next((s for s in self.chain if s.supports(system)), None)
            if found is not None:
                self._sources[system] = found
        return found

    def value_set(self, url: str) -> ValueSetDefinition | None:
        base = url.split("|")[0]
        found = self._value_sets.get(base)
        if found is None:
            resource = self.catalog.by_canonical("ValueSet", url)
            if resource is None:
                return None
            found = self._value_sets.setdefault(base, ValueSetDefinition(resource))
        return found

    @property
    def areas(self) -> Areas:
        """The Kemendagri region table (loaded on first use)."""
        return self._areas.areas

    # ------------------------------------------------------------------------------------------- $lookup
    def lookup(self, system: str, code: str) -> LookupResult:
        """The concept ``code`` of ``system``, or why there is none. Remembered (the code systems do not
        change while the server runs; a mapped record asks for the same few codes many times)."""
        key = (system, code)
        found = self._lookups.get(key)
        if found is None:
            if len(self._lookups) >= LOOKUP_MEMO:
                self._lookups.clear()
            found = self._lookups[key] = self._lookup(system, code)
        return found

    def _lookup(self, system: str, code: str) -> LookupResult:
        source = self.source_for(system)
        if source is None:
            return LookupResult(
                system, code, Reason.UNKNOWN_SYSTEM, f"The code system '{system}' is not known"
            )
        info = source.info(system)
        concept = source.concept(system, code)
        if concept is None:
            return LookupResult(
                system,
                code,
                Reason.UNKNOWN_CODE,
                f"'{code}' is not a code of {info.name} ({system})",
                info=info,
            )
        return LookupResult(system, code, Reason.OK, concept=concept, info=info)

    # ------------------------------------------------------------------------------------ $validate-code
    def validate_code(
        self,
        code: str,
        *,
        system: str | None = None,
        url: str | None = None,
        display: str | None = None,
        abstract: bool = False,
    ) -> ValidationResult:
        """Validate against the value set ``url`` when given, else against the code system ``system``."""
        if url is None:
            if system is None:
                return ValidationResult(
                    False, Reason.UNKNOWN_SYSTEM, "A system or a value set url is needed", "error", code=code
                )
            return self._validate_in_system(system, code, display, abstract)
        vs = self.value_set(url)
        if vs is None:
            return ValidationResult(
                False, Reason.UNKNOWN_VALUE_SET, f"The value set '{url}' is not known", "error", system, code
            )
        candidates = [system] if system is not None else list(vs.systems)
        note = None
        for candidate in candidates:
            membership = vs.check(self, candidate, code, abstract_ok=abstract)
            if membership.member:
                in_system = self._validate_in_system(candidate, code, display, True, membership.display)
                return (
                    in_system if in_system.result else self._member_only(candidate, code, membership.display)
                )
            note = note or membership.note
        plain = self._validate_in_system(system, code, None, True) if system is not None else None
        if plain is not None and not plain.result and plain.reason is not Reason.UNKNOWN_SYSTEM:
            message = f"{plain.message}, so it is not in the value set {vs.title} ({vs.url})"
            return ValidationResult(False, plain.reason, message, "error", system, code)
        message = (
            f"The code '{code}' of {system or '(no system)'} is not in the value set {vs.title} ({vs.url})"
        )
        if note:
            message += f"; the expansion is incomplete here: {note}"
        return ValidationResult(False, Reason.NOT_IN_VALUE_SET, message, "error", system, code)

    def _member_only(self, system: str, code: str, display: str | None) -> ValidationResult:
        # A value set may enumerate codes of a system not held here (e.g. SNOMED in an HL7 expansion).
        return ValidationResult(True, Reason.OK, None, None, system, code, display or None)

    def _validate_in_system(
        self, system: str, code: str, display: str | None, abstract_ok: bool, vs_display: str | None = None
    ) -> ValidationResult:
        found = self.lookup(system, code)
        if found.concept is None:
            return ValidationResult(False, found.reason, found.message, "error", system, code)
        concept = found.concept
        known = vs_display or concept.display
        if concept.abstract and not abstract_ok:
            message = f"'{code}' of {system} is an abstract grouping concept, not a codable one"
            return ValidationResult(False, Reason.ABSTRACT, message, "error", system, code, known)
        if (
            display
            and known
            and not any(_same_display(display, d) for d in {known, concept.display or known})
        ):
            message = f"The display '{display}' is not the one of {code} in {system}: '{known}'"
            return ValidationResult(True, Reason.INVALID_DISPLAY, message, "warning", system, code, known)
        if concept.inactive:
            message = f"'{code}' of {system} is inactive (retired)"
            return ValidationResult(True, Reason.INACTIVE, message, "warning", system, code, known)
        return ValidationResult(True, Reason.OK, None, None, system, code, known)

    # ------------------------------------------------------------------------------------------- $expand
    def expand(
        self, url: str, *, filter: str | None = None, count: int | None = None, offset: int = 0
    ) -> ExpansionResult:
        vs = self.value_set(url)
        if vs is None:
            return ExpansionResult(url, Reason.UNKNOWN_VALUE_SET, f"The value set '{url}' is not known")
        try:
            entries = vs.entries(self)
        except NotEnumerableError as exc:
            message = f"The value set {vs.title} cannot be expanded here: {exc}"
            return ExpansionResult(vs.url, Reason.NOT_ENUMERABLE, message, version=vs.version)
        query = text.words(filter or "")
        if query:
            hays = self._haystack(vs.url, entries)
            entries = tuple(e for e, h in zip(entries, hays, strict=True) if text.matches(query, h))
        size = MAX_EXPANSION if count is None else max(0, min(count, MAX_EXPANSION))
        page = entries[offset : offset + size]
        return ExpansionResult(
            vs.url, Reason.OK, None, len(entries), offset, tuple(page), filter or None, vs.version
        )

    def _haystack(self, url: str, entries: tuple[ExpansionEntry, ...]) -> tuple[tuple[str, ...], ...]:
        hays = self._haystacks.get(url)
        if hays is None:
            with self._lock:
                hays = self._haystacks.setdefault(
                    url, tuple(text.haystack(e.code, e.display) for e in entries)
                )
        return hays

    # ---------------------------------------------------------------------------------------- $translate
    def concept_maps(self) -> dict[str, ConceptMapIndex]:
        if self._maps is None:
            self._maps = {cm["url"]: ConceptMapIndex.build(cm) for cm in self.catalog.of_type("ConceptMap")}
        return self._maps

    def translate(
        self,
        system: str,
        code: str,
        *,
        url: str | None = None,
        target_system: str | None = None,
        target: str | None = None,
        reverse: bool = False,
    ) -> TranslateResult:
        maps = self.concept_maps()
        if url is not None:
            chosen = maps.get(url.split("|")[0])
            if chosen is None:
                return TranslateResult(
                    False, Reason.UNKNOWN_CONCEPT_MAP, f"The concept map '{url}' is not known"
                )
            candidates = [chosen]
        else:
            candidates = [
                m
                for m in maps.values()
                if m.handles(system, reverse=reverse)
                and (target is None or (m.source_scope if reverse else m.target_scope) == target)
            ]
        matches = tuple(
            m
            for cm in candidates
            for m in cm.translate(system, code, reverse=reverse)
            if target_system is None or m.system == target_system
        )
        if not candidates:
            return TranslateResult(False, Reason.NO_MATCH, f"No concept map translates codes of {system}")
        if not any(m.equivalence not in NON_MATCHES for m in matches):
            return TranslateResult(False, Reason.NO_MATCH, f"No translation of '{code}' of {system}", matches)
        return TranslateResult(True, Reason.OK, None, matches)

    # --------------------------------------------------------------------------------- helpers for users
    def allowed_units(self, loinc_code: str) -> tuple[str, ...]:
        """The UCUM units accepted with a LOINC code of the ILP fragment (first = preferred)."""
        units = self._units.get(loinc_code)
        if units is None:
            found = self.lookup(LOINC, loinc_code).concept
            units = tuple(str(v) for v in found.property_values(ALLOWED_UNIT)) if found else ()
            if len(self._units) >= LOOKUP_MEMO:
                self._units.clear()
            self._units[loinc_code] = units
        return units

    def check_unit(self, loinc_code: str, unit: str) -> ValidationResult:
        """Is ``unit`` a valid UCUM code and one of those accepted for the LOINC code?"""
        syntax = self.validate_code(unit, system=UCUM)
        if not syntax.result:
            return syntax
        allowed = self.allowed_units(loinc_code)
        if unit in allowed:
            return syntax
        if not allowed:
            message = (
                f"LOINC {loinc_code} has no UCUM units listed here (not in the ILP fragment or unitless)"
            )
        else:
            message = f"'{unit}' is not a unit for LOINC {loinc_code}; use one of {', '.join(allowed)}"
        return ValidationResult(False, Reason.NOT_IN_VALUE_SET, message, "error", UCUM, unit)

    def concept(self, system: str, code: str) -> Concept | None:
        return self.lookup(system, code).concept

    # ------------------------------------------------- the validator's questions (profiles.engine.Bindings,
    # profiles.rules.RuleServices), answered in the shapes the profiles package asks them
    def knows_valueset(self, url: str) -> bool:
        """True when membership in ``url`` can be decided here (False e.g. for mimetypes, currencies)."""
        vs = self.value_set(url)
        if vs is None:
            return False
        if vs.expanded is not None:
            return True
        return bool(vs.include) and all(
            c.system is None or self.source_for(c.system) is not None for c in vs.include
        )

    def in_valueset(self, url: str, system: str | None, code: str) -> bool:
        return self.validate_code(code, system=system, url=url).result

    def nik_problems(self, nik: str, birth_date: str | None, gender: str | None) -> list[str]:
        """Errors of a NIK (an unknown region prefix included) plus its disagreements with birthDate/gender.
        The region-prefix *warnings* of :func:`terminology.nik.check_nik` (Papua codes a 2022 split may
        have retired) are left out: they cannot reject a resource."""
        checked = check_nik(nik, self.areas)
        born = None
        if birth_date and len(birth_date) == 10:
            with contextlib.suppress(ValueError):
                born = datetime.date.fromisoformat(birth_date)
        problems = [p for p in checked.problems if p.severity == "error"]
        problems += check_consistency(checked, gender=gender, birth_date=born)
        return [p.message for p in problems]

    def area_exists(self, code: str) -> bool:
        """A current Kemendagri code (2, 4, 6 or 10 digits); retired 2022 codes do not count."""
        return self.areas.exists(code)

    def units_for(self, system: str, code: str) -> frozenset[str] | None:
        """The UCUM units allowed with a LOINC code of the ILP fragment; None when no rule applies."""
        if system != LOINC:
            return None
        units = self.allowed_units(code)
        return frozenset(units) if units else None
