"""The validator: structure → base required bindings → profiles → Bundle rules. Returns issues, never raises.

https://hl7.org/fhir/R4/validation.html. Profiles are the StructureDefinitions under ``profiles/data/ilp``
(resource profiles and extension definitions), compiled once here. ``meta.profile`` selects profiles (the
SATUSEHAT canonical of a profile selects ours too); ``default_profiles`` (type → profile URL) apply when the
caller asks for them (ingest). An unknown profile URL is a warning, not a silent pass.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import resources
from typing import Any

import jsonschema_rs
import orjson

from profiles import rules
from profiles.bundle_rules import (
    CLOCK_SKEW,
    BundleCheck,
    EventTimes,
    ExternalReference,
    check_bundle,
    check_references,
    future_times,
)
from profiles.codegen import CheckFn, compile_check
from profiles.definitions import R4Definitions
from profiles.engine import (
    Bindings,
    Checker,
    CompiledProfile,
    ElementRule,
    FhirPathCompiler,
    MemoBindings,
    compile_profile,
)
from profiles.issues import Issue, items
from profiles.profile_schema import NotTranslatable, profile_schema
from profiles.reference_paths import ReadFn, certifying_definitions, compile_reader
from profiles.structure import EntryCheck, StructureValidator

CODED = frozenset({"CodeableConcept", "Coding"})
# a profile's checks: (its JSON Schema or None, the value-only generated checks, the profile)
_Step = tuple[Any, CheckFn, CompiledProfile]
# (base profile with required bindings, profiles, the key of the entry check: the resource type and the
# URLs of the profiles with a schema)
_Plan = tuple[CompiledProfile | None, list[_Step], tuple[str, ...]]
# an entry check (of a Bundle entry or a single resource): one validator for the structure (certifying
# where the references are, when the type's reference paths are finite) and every profile schema of a
# plan; the reader of those paths
_EntryCheck = tuple[Any, ReadFn | None]


def _never(_r: dict[str, Any], _p: str, _v: dict[str, Any], _i: list[Issue]) -> None:
    """The value-only checks of a profile without a schema: never called (the whole profile is)."""


@dataclass(slots=True)
class ValidationResult:
    issues: list[Issue] = field(default_factory=list)
    external: list[ExternalReference] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(i.is_error for i in self.issues)


class NoServices:
    """Rule services when no terminology is wired: checks that need tables are skipped."""

    def nik_problems(self, nik: str, birth_date: str | None, gender: str | None) -> list[str]:  # noqa: ARG002
        return []

    def area_exists(self, code: str) -> bool:  # noqa: ARG002
        return True

    def units_for(self, system: str, code: str) -> frozenset[str] | None:  # noqa: ARG002
        return None


def _event_keys(defs: R4Definitions, rtype: str, elements: list[str]) -> tuple[tuple[str, str], ...]:
    """``effective[x]`` → every JSON key of the choice (``effectiveDateTime``, …);
    ``period.start`` → (period, start)."""
    out: list[tuple[str, str]] = []
    for element in elements:
        name, _, sub = element.partition(".")
        if name.endswith("[x]"):
            info = defs.element(rtype, f"{rtype}.{name}")
            if info is None:
                raise ValueError(f"event-times.json: no element {rtype}.{name}")
            out += [(name[:-3] + t[0].upper() + t[1:], sub) for t in info.types]
        else:
            out.append((name, sub))
    return tuple(out)


def load_structure_definitions() -> list[dict[str, Any]]:
    folder = resources.files("profiles") / "data" / "ilp"
    return [
        orjson.loads(f.read_bytes())
        for f in sorted(folder.iterdir(), key=lambda f: f.name)
        if f.name.endswith(".json")
    ]


class Validator:
    def __init__(
        self,
        defs: R4Definitions,
        *,
        bindings: Bindings | None = None,
        services: rules.RuleServices | None = None,
        default_profiles: dict[str, str] | None = None,
        clock: Callable[[], datetime] | None = None,
        structure_definitions: Iterable[dict[str, Any]] | None = None,
        fast: bool = True,
    ) -> None:
        """``fast=False`` checks profiles with the interpreter only (the reference implementation)."""
        self.defs = defs
        self.structure = StructureValidator(defs)
        self.bindings = MemoBindings(bindings) if bindings is not None else None
        self.clock = clock or (lambda: datetime.now(UTC))
        library = rules.library(services or NoServices())
        fhirpath = FhirPathCompiler()
        self.extensions: dict[str, CompiledProfile] = {}
        self.profiles: dict[str, CompiledProfile] = {}
        self.aliases: dict[str, str] = {}
        for sd in (
            structure_definitions if structure_definitions is not None else load_structure_definitions()
        ):
            compiled = compile_profile(sd, library, fhirpath)
            if sd["type"] == "Extension":
                self.extensions[sd["url"]] = compiled
            else:
                self.profiles[sd["url"]] = compiled
                if compiled.satusehat:
                    self.aliases[compiled.satusehat] = sd["url"]
        self.default_profiles = dict(default_profiles or {})
        for rtype, url in self.default_profiles.items():
            if self._profile(url) is None:
                raise ValueError(f"default profile for {rtype} is unknown: {url}")
        self.checker = Checker(self.extensions, self.bindings, generated=fast)
        self.fast = fast
        self._fast_paths: dict[str, tuple[Any, CheckFn, dict[str, Any]] | None] = {}
        self._entry_checks: dict[tuple[str, ...], _EntryCheck] = {}
        self._plans: dict[tuple[str, tuple[str, ...] | None, bool], _Plan] = {}
        self._base: dict[str, CompiledProfile] = {}
        raw = orjson.loads((resources.files("profiles") / "data" / "event-times.json").read_bytes())
        self.event_times = EventTimes.compile(
            {k: _event_keys(defs, k, v) for k, v in raw.items() if not k.startswith("_")}
        )

    # ---------------------------------------------------------------------------------------- profiles

    def _profile(self, url: str) -> CompiledProfile | None:
        url = url.split("|")[0]
        return self.profiles.get(url) or self.profiles.get(self.aliases.get(url, ""))

    def _base_profile(self, rtype: str) -> CompiledProfile | None:
        """The required bindings of the R4 base definition on coded elements (the schema already enforces
        the ones on ``code`` elements as enums); only value sets terminology can answer for."""
        if self.bindings is None:
            return None
        if rtype not in self._base:
            root = ElementRule(rtype)
            td = self.defs.types.get(rtype)
            for el in td.elements.values() if td else ():
                if not el.binding or el.binding[0] != "required" or not CODED.intersection(el.types):
                    continue
                vs = el.binding[1].split("|")[0]
                if not self.bindings.knows_valueset(vs):
                    continue
                node = root
                for part in el.path.split(".")[1:]:
                    node = node.children.setdefault(part, ElementRule(f"{node.path}.{part}"))
                node.binding = ("required", vs)
            self._base[rtype] = CompiledProfile(
                f"http://hl7.org/fhir/StructureDefinition/{rtype}", rtype, rtype, root
            )
        return self._base[rtype]

    def profiles_for(
        self, resource: dict[str, Any], explicit: Iterable[str], defaults: bool, where: str
    ) -> tuple[list[CompiledProfile], list[Issue]]:
        rtype = str(resource.get("resourceType"))
        urls = list(explicit)
        meta = resource.get("meta")
        if isinstance(meta, dict) and isinstance(meta.get("profile"), list):
            urls += [u for u in meta["profile"] if isinstance(u, str)]
        if defaults and rtype in self.default_profiles:
            urls.append(self.default_profiles[rtype])
        out: list[CompiledProfile] = []
        issues: list[Issue] = []
        for url in dict.fromkeys(urls):
            profile = self._profile(url)
            if profile is None:
                issues.append(
                    Issue(
                        "warning",
                        "not-supported",
                        "ILP-4401",
                        f"Profile {url} is not known to this "
                        "server; the resource was checked against the base R4 definition only",
                        (f"{where}.meta.profile" if where else f"{rtype}.meta.profile",),
                    )
                )
            elif profile.type != rtype:
                issues.append(
                    Issue(
                        "error",
                        "invalid",
                        "ILP-4402",
                        f"Profile {url} is for {profile.type}, not {rtype}",
                        (f"{where or rtype}.meta.profile",),
                    )
                )
            elif profile not in out:
                out.append(profile)
        return out, issues

    # ------------------------------------------------------------------------------------- validation

    def validate(
        self, resource: Any, *, profiles: Iterable[str] = (), defaults: bool = False, where: str = ""
    ) -> ValidationResult:
        """Validate one resource (a Bundle's entries too). ``where`` prefixes expressions."""
        result = ValidationResult()
        rtype = resource.get("resourceType") if isinstance(resource, dict) else None
        # Bundle entries whose structure and profile schemas passed: their resource and plan
        checked: dict[int, tuple[dict[str, Any], _Plan]] = {}
        read: set[int] = set()  # … and whose references were read where they are
        found: list[str] = []
        entry_check = None
        passed: tuple[_Plan, ReadFn | None] | None = None
        if rtype == "Bundle" and self.fast:
            entry_check = self._entry_check(defaults, checked, read, found)
        elif self.fast and not profiles:
            passed = self._passes_entry_check(resource, defaults)
        structure = [] if passed is not None else self.structure.validate(resource, where, entry_check)
        result.issues.extend(structure)
        if not isinstance(rtype, str) or rtype not in self.structure.resource_types:
            return result
        if passed is not None:
            self._values(passed[0], resource, where or rtype, result.issues)
        else:
            self._profiled(resource, profiles, defaults, where, result, shaped=not structure)
        if rtype == "Bundle":
            check = check_bundle(
                resource, self.event_times, self.clock, read, found, self.structure.typed_references
            )
            result.issues.extend(check.issues)
            result.external.extend(check.external)
            self.checker.local_types = check.local_types
            try:
                self._entries(resource, defaults, result, _entries_with_issues(structure, where), checked)
            finally:
                self.checker.local_types = {}
        else:
            path = where or rtype
            check = BundleCheck()
            local = {f"{rtype}/{resource.get('id')}"}
            if passed is not None and passed[1] is not None:  # certified: read where the references are
                passed[1](resource, found)
                check_references(resource, path, local, check, known=found, scan=False)
            else:
                check_references(resource, path, local, check, typed=self.structure.typed_references)
            result.issues.extend(check.issues)
            result.external.extend(check.external)
            now = self.clock() + CLOCK_SKEW
            result.issues.extend(future_times(resource, path, self.event_times.keys, now))
        return result

    def _passes_entry_check(self, resource: Any, defaults: bool) -> tuple[_Plan, ReadFn | None] | None:
        """A single resource through its plan's entry check (as a Bundle entry goes, :meth:`_entry_check`):
        its plan and reference reader when it passes, so structure and profile schemas are done; None
        when it fails or cannot take it (an unknown type, a Bundle or Parameters, contained resources),
        and the resource goes the general way."""
        rtype = resource.get("resourceType") if resource.__class__ is dict else None
        if (
            rtype.__class__ is not str
            or rtype not in self.structure.resource_types
            or rtype == "Parameters"
            or "contained" in resource
        ):
            return None
        plan = self._plan(resource, defaults)
        if plan is None:
            return None
        entry = self._entry_checks.get(plan[2]) or self._build_entry_check(plan)
        return (plan, entry[1]) if entry[0].is_valid(resource) else None

    def _values(
        self,
        plan: _Plan,
        resource: dict[str, Any],
        path: str,
        issues: list[Issue],
        selection: list[Issue] | tuple[()] = (),
        schemas_passed: bool = True,
        shaped: bool = True,
    ) -> None:  # no keyword-only parameters: their defaults make each call (once per entry) dearer
        """A plan's checks: the base required bindings, the ``selection`` issues of its profiles, then per
        profile only the value checks when its schema passed (already, in the entry check:
        ``schemas_passed``; or here, for a ``shaped`` resource), else the profile's whole check."""
        base, steps, _ = plan
        if base is not None:
            issues.extend(self.checker.check(base, resource, path))
        if selection:
            issues.extend(selection)
        for schema, value_checks, profile in steps:
            if schema is not None and (schemas_passed or (shaped and schema.is_valid(resource))):
                value_checks(resource, path, resource, issues)  # only what the schema cannot check
            else:
                issues.extend(self.checker.check(profile, resource, path))

    def _entry_check(
        self,
        defaults: bool,
        checked: dict[int, tuple[dict[str, Any], _Plan]],
        read: set[int],
        found: list[str],
    ) -> EntryCheck:
        """The structure stage's check of a Bundle entry's resource: its plan's entry check, one
        ``is_valid`` call for the structure and the profile schemas that also certifies where the
        references are (:mod:`profiles.reference_paths`). When it passes, the references are read from
        their paths into ``found`` (the entry noted in ``read``) and the entry noted in ``checked`` with its
        plan: only its value checks remain. When it fails, the structure alone answers, and the entry goes
        the general way in each later stage."""
        plan_of = self._plan
        entry_checks = self._entry_checks

        def check(i: int, resource: dict[str, Any], structure: Any) -> bool:
            plan = plan_of(resource, defaults)
            if plan is not None:
                entry = entry_checks.get(plan[2]) or self._build_entry_check(plan)
                if entry[0].is_valid(resource):
                    checked[i] = (resource, plan)
                    if entry[1] is not None:
                        entry[1](resource, found)
                        read.add(i)
                    return True
            return bool(structure.is_valid(resource))

        return check

    def _build_entry_check(self, plan: _Plan) -> _EntryCheck:
        """The entry check of a plan (cached by its key): the type's structure schema in 2020-12 terms,
        certifying when the type's reference paths are finite, with the profile schemas added."""
        rtype, *urls = plan[2]
        structure = self.structure.checked_schema_2020(rtype)
        paths = self.structure.reference_paths(rtype)
        reader = None
        if paths is not None:
            structure["definitions"] = certifying_definitions(structure["definitions"], rtype)
            reader = compile_reader(rtype, paths)
        bodies = []
        for url in urls:
            fast = self._fast_paths[url]
            assert fast is not None, "the key holds only profiles with a schema"
            bodies.append({k: v for k, v in fast[2].items() if k != "$schema"})
        validator = jsonschema_rs.Draft202012Validator({**structure, "allOf": [*structure["allOf"], *bodies]})
        self._entry_checks[plan[2]] = (validator, reader)
        return validator, reader

    def _entries(
        self,
        bundle: dict[str, Any],
        defaults: bool,
        result: ValidationResult,
        malformed: set[int],
        checked: dict[int, tuple[dict[str, Any], _Plan]],
    ) -> None:
        """Profiles of each entry of a Bundle (``malformed``: entries the structure stage reported;
        ``checked``: entries whose profile schemas passed with the structure, see :meth:`_entry_check`)."""
        known = self.structure.resource_types
        issues = result.issues
        values = self._values
        for i, entry in enumerate(items(bundle.get("entry"))):
            got = checked.get(i)
            if got is not None:  # the entry check ran the schemas
                values(got[1], got[0], f"Bundle.entry[{i}].resource", issues)
                continue
            inner = entry.get("resource") if entry.__class__ is dict else None
            if inner.__class__ is not dict:
                continue
            inner_type = inner.get("resourceType")
            if inner_type.__class__ is str and inner_type in known:
                where = f"Bundle.entry[{i}].resource"
                self._profiled(inner, (), defaults, where, result, shaped=i not in malformed)

    def _profiled(
        self,
        resource: dict[str, Any],
        explicit: Iterable[str],
        defaults: bool,
        where: str,
        result: ValidationResult,
        *,
        shaped: bool,
    ) -> None:
        """Base required bindings, then the selected profiles: each through its JSON Schema and the
        value-only generated checks, or through the generated checks alone when the schema rejects it or
        cannot apply (the schema is written for R4-shaped resources: ``shaped``, the structure stage found
        nothing)."""
        path = where or str(resource.get("resourceType"))
        plan = None if explicit else self._plan(resource, defaults)
        selection: list[Issue] = []
        if plan is None:
            selected, selection = self.profiles_for(resource, explicit, defaults, where)
            plan = self._make_plan(selected, resource)
        self._values(plan, resource, path, result.issues, selection, schemas_passed=False, shaped=shaped)

    def _plan(self, resource: dict[str, Any], defaults: bool) -> _Plan | None:
        """The checks for a resource of this type, ``meta.profile`` and ``defaults``, remembered when its
        profile selection raised no issue (so the keys come from known profile URLs: a bounded set)."""
        meta = resource.get("meta")
        urls = meta.get("profile") if meta.__class__ is dict else None
        if urls.__class__ is list:
            selector = urls[0] if len(urls) == 1 else tuple(urls)  # one profile: the URL is the key
        elif urls is None:
            selector = None
        else:
            return None  # not an array: the structure stage reports it
        try:
            key = (resource["resourceType"], selector, defaults)
            plan = self._plans.get(key)
        except TypeError:  # an unhashable meta.profile item: the structure stage reports it
            return None
        if plan is not None:
            return plan
        if urls is not None and not all(u.__class__ is str for u in urls):
            return None
        selected, issues = self.profiles_for(resource, (), defaults, "")
        if issues:
            return None  # reported by the caller; not remembered, so unknown URLs cannot grow the cache
        plan = self._plans[key] = self._make_plan(selected, resource)
        return plan

    def _make_plan(self, selected: list[CompiledProfile], resource: dict[str, Any]) -> _Plan:
        """The base profile when the type has required bindings to check, and per selected profile its
        JSON Schema (None when it has none) with the value-only generated checks."""
        rtype = str(resource.get("resourceType"))
        base = self._base_profile(rtype)
        steps: list[_Step] = []
        key = [rtype]
        for profile in selected:
            fast = self._fast_path(profile) if self.fast else None
            steps.append((fast[0], fast[1], profile) if fast is not None else (None, _never, profile))
            if fast is not None:
                key.append(profile.url)
        return (base if base is not None and base.root.children else None), steps, tuple(key)

    def _fast_path(self, profile: CompiledProfile) -> tuple[Any, CheckFn, dict[str, Any]] | None:
        """The profile's JSON Schema (jsonschema-rs) and its value-only generated checks, built on first use;
        None when the profile cannot be translated exactly."""
        if profile.url not in self._fast_paths:
            try:
                schema = profile_schema(profile, self.defs, self.extensions)
            except NotTranslatable:
                self._fast_paths[profile.url] = None
            else:
                self._fast_paths[profile.url] = (
                    jsonschema_rs.Draft202012Validator(schema),
                    compile_check(profile, self.checker, value_only=True),
                    schema,
                )
        return self._fast_paths[profile.url]


def _entries_with_issues(structure: list[Issue], where: str) -> set[int]:
    """The indices of the Bundle entries that the structure stage reported anything under."""
    if not structure:
        return set()
    prefix = f"{where or 'Bundle'}.entry["
    out: set[int] = set()
    for issue in structure:
        for expression in issue.expression:
            if expression.startswith(prefix):
                index = expression[len(prefix) :].split("]", 1)[0]
                if index.isdigit():
                    out.add(int(index))
    return out
