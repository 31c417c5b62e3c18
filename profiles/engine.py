"""Stage 2 of validation: profiles (StructureDefinition differentials) compiled into element rules.

Implements the parts of https://hl7.org/fhir/R4/profiling.html the national profiles need:
cardinality (min/max), ``fixed[x]`` and ``pattern[x]``, type restriction of choice elements, reference
``targetProfile``, slicing by ``value``/``pattern`` discriminators (``identifier.system``, ``extension.url``,
``coding.system``) with open/closed rules, extension definitions applied to the slices that name them,
bindings (required → error, extensible → warning) and invariants (``constraint``).

Each differential is compiled once into a tree of :class:`ElementRule`; validation walks the resource and the
tree together with plain dict look-ups. Invariants run through a named Python rule when the constraint
names one (``constraint-implementation`` extension), otherwise through FHIRPath (fhirpathpy), compiled once.

Project extensions on an element or constraint (all optional):
``…/message-id`` (valueCode) overrides the generic message id; ``…/satusehat-rule`` (valueInteger) is the
SATUSEHAT RuleNumber the rule mirrors; ``…/constraint-implementation`` (valueCode) names a Python rule.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from profiles.issues import Issue
from profiles.memo import Memo
from terminology.urls import ILP_PROFILE_BASE

EXT_BASE = ILP_PROFILE_BASE  # the project's own extensions on profiles (message-id, satusehat-rule, …)
EXT_MESSAGE_ID = EXT_BASE + "message-id"
EXT_RULE = EXT_BASE + "satusehat-rule"
EXT_IMPLEMENTATION = EXT_BASE + "constraint-implementation"

Node = tuple[Any, str]  # a JSON value and its FHIRPath
Members = Memo[tuple[str | None, str], bool]
"""One value set's membership answers, keyed by (system, code)."""


class Bindings(Protocol):
    """What the engine asks terminology (implemented over the TerminologyService)."""

    def knows_valueset(self, url: str) -> bool: ...

    def in_valueset(self, url: str, system: str | None, code: str) -> bool: ...


class MemoBindings:
    """Remembers the answers of a :class:`Bindings` (they depend only on the value set, system and code;
    the code tables are immutable while the server runs). Bounded: cleared when it grows past ``limit``."""

    def __init__(self, inner: Bindings, limit: int = 100_000) -> None:
        self.inner = inner
        self.limit = limit
        self._known: dict[str, bool] = {}
        self._members: dict[str, Members] = {}

    def members(self, url: str) -> Members:
        """The membership answers of one value set, keyed by (system, code): what :meth:`in_valueset` reads,
        and generated code through :func:`bound`."""
        found = self._members.get(url)
        if found is None:
            inner = self.inner
            found = self._members[url] = Memo(lambda key: inner.in_valueset(url, key[0], key[1]), self.limit)
        return found

    def knows_valueset(self, url: str) -> bool:
        known = self._known.get(url)
        if known is None:
            known = self._known[url] = self.inner.knows_valueset(url)
        return known

    def in_valueset(self, url: str, system: str | None, code: str) -> bool:
        return self.members(url)[(system, code)]


def reference_type(ref: str) -> str:
    """The type a literal or conditional reference names: ``Patient/1``, ``http://…/Patient/1/_history/2``
    and ``Patient?identifier=…`` all name ``Patient`` (https://hl7.org/fhir/R4/references.html#literal,
    https://hl7.org/fhir/R4/http.html#trules); the interpreter and generated code both use this."""
    head, _, tail = ref.partition("/")
    if "/" not in tail and "?" not in ref:
        return head  # ``Type/id``, the common form: what the general rule below gives for it
    target = ref.split("?", 1)[0].split("/_history/")[0].rstrip("/").split("/")
    return target[-2] if len(target) >= 2 else target[0]


RuleFn = Callable[[Any, str, dict[str, Any]], Sequence[tuple[str, str]]]
"""A named invariant: (value, its path, the whole resource) → [(path, message)] for each violation."""


@dataclass(slots=True)
class Constraint:
    key: str
    severity: str
    human: str
    expression: str
    message_id: str
    rule_number: int | None
    run: RuleFn
    rule: str | None = None  # the named rule (profiles/rules.py) implementing it, if any


@dataclass(slots=True)
class Slice:
    name: str
    match: dict[str, Any]  # discriminator path → the value that selects this slice
    rule: ElementRule


@dataclass(slots=True)
class ElementRule:
    """The constraints on one element (and its children) of a profile."""

    path: str
    min: int | None = None
    max: str | None = None
    fixed: Any = None
    pattern: Any = None
    types: tuple[str, ...] = ()
    target_types: tuple[str, ...] = ()
    extension_profile: str | None = None
    binding: tuple[str, str] | None = None
    constraints: list[Constraint] = field(default_factory=list)
    children: dict[str, ElementRule] = field(default_factory=dict)
    slicing: tuple[tuple[str, ...], str] | None = None  # (discriminator paths, rules)
    slices: list[Slice] = field(default_factory=list)
    message_id: str | None = None
    rule_number: int | None = None

    @property
    def value_check_kinds(self) -> frozenset[str]:
        """Which checks :meth:`Checker.value_checks` runs on a value of this element (used when compiling)."""
        present = (
            ("fixed", self.fixed is not None),
            ("pattern", self.pattern is not None),
            ("targets", bool(self.target_types)),
            ("binding", bool(self.binding)),
            ("extension", bool(self.extension_profile)),
            ("constraints", bool(self.constraints)),
        )
        return frozenset(kind for kind, there in present if there)

    @property
    def has_value_checks(self) -> bool:
        """``bool(value_check_kinds)`` as one cheap test: the interpreter asks it for every value."""
        return bool(
            self.fixed is not None
            or self.pattern is not None
            or self.target_types
            or self.binding
            or self.extension_profile
            or self.constraints
        )


@dataclass(slots=True)
class CompiledProfile:
    url: str
    name: str
    type: str
    root: ElementRule
    satusehat: str | None = None


class ProfileError(ValueError):
    """A StructureDefinition uses something the engine does not implement (raised at start-up)."""


# ------------------------------------------------------------------------------------------ compiling


def _ext(element: dict[str, Any], url: str) -> Any:
    for e in element.get("extension", ()):
        if e.get("url") == url:
            return next((v for k, v in e.items() if k.startswith("value")), None)
    return None


def _prefixed(element: dict[str, Any], prefix: str) -> Any:
    for key, value in element.items():
        if key.startswith(prefix) and len(key) > len(prefix) and key[len(prefix)].isupper():
            return value
    return None


def _segments(path: str) -> list[tuple[str, str | None]]:
    """``Patient.identifier:nik.system`` → [("identifier", "nik"), ("system", None)] (root dropped)."""
    out = []
    for seg in path.split(".")[1:]:
        name, _, slice_name = seg.partition(":")
        out.append((name, slice_name or None))
    return out


def compile_profile(
    sd: dict[str, Any], rule_library: dict[str, RuleFn], fhirpath: FhirPathCompiler
) -> CompiledProfile:
    """Compile a StructureDefinition's differential (https://hl7.org/fhir/R4/structuredefinition.html)."""
    rtype = sd["type"]
    root = ElementRule(rtype)
    for el in sd.get("differential", {}).get("element", []):
        path = el["path"]
        if "sliceName" in el and ":" not in path.rsplit(".", 1)[-1]:
            path = f"{path}:{el['sliceName']}"
        node = root
        for name, slice_name in _segments(path):
            child = node.children.get(name)
            if child is None:
                child = node.children[name] = ElementRule(f"{node.path}.{name}")
            node = child
            if slice_name is not None:
                found = next((s for s in node.slices if s.name == slice_name), None)
                if found is None:
                    found = Slice(slice_name, {}, ElementRule(f"{node.path}:{slice_name}"))
                    node.slices.append(found)
                node = found.rule
        _apply(node, el, rule_library, fhirpath)
    _derive_slice_matches(root)
    satusehat = next(
        (
            e.get("valueCanonical")
            for e in sd.get("extension", [])
            if e.get("url") == EXT_BASE + "satusehat-profile"
        ),
        None,
    )
    return CompiledProfile(sd["url"], sd.get("name", sd["id"]), rtype, root, satusehat)


def _apply(
    node: ElementRule, el: dict[str, Any], rules: dict[str, RuleFn], fhirpath: FhirPathCompiler
) -> None:
    if "min" in el:
        node.min = int(el["min"])
    if "max" in el:
        node.max = str(el["max"])
    node.fixed = _prefixed(el, "fixed") if node.fixed is None else node.fixed
    node.pattern = _prefixed(el, "pattern") if node.pattern is None else node.pattern
    if "type" in el:
        node.types = tuple(t["code"] for t in el["type"])
        targets = [p.rsplit("/", 1)[-1] for t in el["type"] for p in t.get("targetProfile", ())]
        node.target_types = tuple(targets)
        profiles = [p for t in el["type"] for p in t.get("profile", ())]
        if node.types == ("Extension",) and profiles:
            node.extension_profile = profiles[0]
    if "binding" in el and el["binding"].get("valueSet"):
        node.binding = (el["binding"]["strength"], el["binding"]["valueSet"].split("|")[0])
    if "slicing" in el:
        discs = el["slicing"].get("discriminator", [])
        for d in discs:
            if d["type"] not in ("value", "pattern"):
                raise ProfileError(f"{el['path']}: discriminator type {d['type']!r} is not supported")
        node.slicing = (tuple(d["path"] for d in discs), el["slicing"].get("rules", "open"))
    node.message_id = _ext(el, EXT_MESSAGE_ID) or node.message_id
    node.rule_number = _ext(el, EXT_RULE) or node.rule_number
    for c in el.get("constraint", ()):
        impl = _ext(c, EXT_IMPLEMENTATION)
        if impl is not None:
            if impl not in rules:
                raise ProfileError(f"{el['path']}: constraint {c['key']} names unknown rule {impl!r}")
            run = rules[impl]
        else:
            run = fhirpath.compile(c["expression"], c["human"])
        node.constraints.append(
            Constraint(
                c["key"],
                c.get("severity", "error"),
                c["human"],
                c.get("expression", ""),
                _ext(c, EXT_MESSAGE_ID) or "ILP-4301",
                _ext(c, EXT_RULE),
                run,
                impl,
            )
        )


def _derive_slice_matches(node: ElementRule) -> None:
    """Each slice's discriminating value: the fixed/pattern value (or extension URL) at the discriminator."""
    for child in node.children.values():
        _derive_slice_matches(child)
    for s in node.slices:
        _derive_slice_matches(s.rule)
        if node.slicing is None:
            raise ProfileError(f"{node.path}: slice {s.name} without slicing")
        for disc in node.slicing[0]:
            value = _value_at(s.rule, disc)
            if value is None:
                raise ProfileError(f"{node.path}:{s.name} has no fixed or pattern value at {disc!r}")
            s.match[disc] = value


def _value_at(rule: ElementRule, disc: str) -> Any:
    if disc == "url" and rule.extension_profile:
        return rule.extension_profile
    if disc == "$this":
        return rule.fixed if rule.fixed is not None else rule.pattern
    node: ElementRule | None = rule
    for part in disc.split("."):
        node = node.children.get(part) if node else None
    if node is not None:
        return node.fixed if node.fixed is not None else node.pattern
    return None


# ----------------------------------------------------------------------------------------- validating


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _children(value: Any, name: str, path: str) -> list[Node]:
    """Values of child ``name`` (``value[x]`` → whichever ``valueXxx`` key is present)."""
    if not isinstance(value, dict):
        return []
    if name.endswith("[x]"):
        stem = name[:-3]
        out: list[Node] = []
        for key, v in value.items():
            if key.startswith(stem) and len(key) > len(stem) and key[len(stem)].isupper():
                out.extend((x, f"{path}.{key}") for x in _as_list(v))
        return out
    items = value.get(name)
    if isinstance(items, list):
        return [(v, f"{path}.{name}[{i}]") for i, v in enumerate(items)]
    return [] if items is None else [(items, f"{path}.{name}")]


def matches_pattern(value: Any, pattern: Any) -> bool:
    """FHIR pattern semantics (https://hl7.org/fhir/R4/elementdefinition-definitions.html#ElementDefinition.pattern_x_):
    every element of the pattern is present with the same value; each item of a pattern array must match some
    item of the value's array."""
    if isinstance(pattern, dict):
        if not isinstance(value, dict):
            return False
        return all(matches_pattern(value.get(k), p) for k, p in pattern.items())
    if isinstance(pattern, list):
        items = _as_list(value)
        return all(any(matches_pattern(v, p) for v in items) for p in pattern)
    return bool(value == pattern)


def _get_path(value: Any, path: str) -> list[Any]:
    nodes = [value]
    for part in path.split("."):
        nodes = [x for n in nodes if isinstance(n, dict) for x in _as_list(n.get(part))]
    return nodes


class Checker:
    """Validates resources against compiled profiles; owns the lookup of extension definitions."""

    def __init__(
        self, extensions: dict[str, CompiledProfile], bindings: Bindings | None, *, generated: bool = True
    ) -> None:
        self.extensions = extensions
        self.bindings = bindings
        self.generated = generated
        # reference → type for the Bundle being validated (BundleCheck.local_types: the targets of urn:uuid
        # references, and the Bundle's literal references read once); set and cleared by the Validator
        # around each Bundle (validation is synchronous)
        self.local_types: dict[str, str] = {}
        self._compiled: dict[int, Callable[[dict[str, Any], str, dict[str, Any], list[Issue]], None]] = {}

    def check(self, profile: CompiledProfile, resource: dict[str, Any], path: str) -> list[Issue]:
        """Issues of ``resource`` against ``profile``: through generated code (compiled on first use) or,
        with ``generated=False``, through the interpreter, which is the reference implementation."""
        issues: list[Issue] = []
        if not self.generated:
            self._node(profile.root, resource, path, resource, issues)
            return issues
        fn = self._compiled.get(id(profile))
        if fn is None:
            from profiles.codegen import compile_check

            fn = self._compiled[id(profile)] = compile_check(profile, self)
        fn(resource, path, resource, issues)
        return issues

    def _issue(
        self,
        issues: list[Issue],
        rule: ElementRule,
        default_id: str,
        code: str,
        path: str,
        text: str,
        severity: str = "error",
    ) -> None:
        issues.append(Issue(severity, code, rule.message_id or default_id, text, (path,), rule.rule_number))

    def _node(
        self, rule: ElementRule, value: Any, path: str, resource: dict[str, Any], issues: list[Issue]
    ) -> None:
        """Checks on one value against ``rule``, then its children."""
        if rule.has_value_checks:
            self.value_checks(rule, value, path, resource, issues)
        for name, child in rule.children.items():
            self.element(child, _children(value, name, path), f"{path}.{name}", resource, issues)

    def value_checks(
        self,
        rule: ElementRule,
        value: Any,
        path: str,
        resource: dict[str, Any],
        issues: list[Issue],
        extension: bool = True,
    ) -> None:
        """fixed, pattern, reference target, binding, extension definition (unless the caller checks it
        itself: ``extension=False``) and invariants of one value."""
        if rule.fixed is not None and value != rule.fixed:
            self._issue(
                issues, rule, "ILP-4103", "value", path, f"{path} must be {rule.fixed!r}, not {value!r}"
            )
        if rule.pattern is not None and not matches_pattern(value, rule.pattern):
            self._issue(
                issues,
                rule,
                "ILP-4104",
                "value",
                path,
                f"{path} does not match the required pattern {rule.pattern!r}",
            )
        if rule.target_types and isinstance(value, dict):
            self._reference_target(rule, value, path, issues)
        if rule.binding is not None and self.bindings is not None:
            self._binding(rule, value, path, issues)
        if extension and rule.extension_profile and rule.extension_profile in self.extensions:
            self._node(self.extensions[rule.extension_profile].root, value, path, resource, issues)
        for c in rule.constraints:
            self.constraint(c, value, path, resource, issues)

    @staticmethod
    def constraint(
        c: Constraint, value: Any, path: str, resource: dict[str, Any], issues: list[Issue]
    ) -> None:
        """Run one invariant; one that cannot be evaluated on a malformed value is reported, never raised."""
        try:
            violations = c.run(value, path, resource)
        except (TypeError, AttributeError, KeyError, ValueError, IndexError) as exc:
            text = f"{c.key}: could not be evaluated on this value ({type(exc).__name__})"
            issues.append(Issue("error", "invariant", "ILP-4302", text, (path,), c.rule_number))
            return
        for where, message in violations:
            text = f"{c.key}: {message or c.human}"
            issues.append(Issue(c.severity, "invariant", c.message_id, text, (where,), c.rule_number))

    def element(
        self, rule: ElementRule, nodes: list[Node], path: str, resource: dict[str, Any], issues: list[Issue]
    ) -> None:
        """Cardinality, choice-type restriction and slicing over all values of one element."""
        self.cardinality(rule, len(nodes), path, issues)
        if rule.types and path.endswith("[x]"):
            self.choice_types(rule, nodes, path, issues)
        if rule.slicing is not None:
            self._slices(rule, nodes, path, resource, issues)
        for value, p in nodes:
            self._node(rule, value, p, resource, issues)

    def cardinality(self, rule: ElementRule, n: int, path: str, issues: list[Issue]) -> None:
        if rule.min is not None and n < rule.min:
            what = "is required" if rule.min == 1 else f"needs at least {rule.min} values"
            self._issue(issues, rule, "ILP-4101", "required", path, f"{path} {what}")
        if rule.max is not None and rule.max != "*" and n > int(rule.max):
            text = (
                f"{path} must not be present"
                if rule.max == "0"
                else f"{path} allows at most {rule.max}, found {n}"
            )
            self._issue(issues, rule, "ILP-4102", "structure", path, text)

    def choice_types(self, rule: ElementRule, nodes: list[Node], path: str, issues: list[Issue]) -> None:
        allowed = {t[0].upper() + t[1:] for t in rule.types}
        stem = path.rsplit(".", 1)[-1][:-3]
        for _, p in nodes:
            key = p.rsplit(".", 1)[-1].split("[")[0]
            if key[len(stem) :] not in allowed:
                text = f"{p}: {stem}[x] must be one of {', '.join(sorted(allowed))}"
                self._issue(issues, rule, "ILP-4107", "structure", p, text)

    def _slices(
        self, rule: ElementRule, nodes: list[Node], path: str, resource: dict[str, Any], issues: list[Issue]
    ) -> None:
        assert rule.slicing is not None
        discs, rules = rule.slicing
        matched: dict[str, list[Node]] = {s.name: [] for s in rule.slices}
        for value, p in nodes:
            hit = next(
                (
                    s
                    for s in rule.slices
                    if all(
                        any(
                            matches_pattern(v, s.match[d])
                            for v in (_get_path(value, d) if d != "$this" else [value])
                        )
                        for d in discs
                    )
                ),
                None,
            )
            if hit is not None:
                matched[hit.name].append((value, p))
            elif rules == "closed":
                self._issue(
                    issues,
                    rule,
                    "ILP-4106",
                    "structure",
                    p,
                    f"{p} matches none of the allowed slices ({', '.join(s.name for s in rule.slices)})",
                )
        for s in rule.slices:
            slice_path = f"{path}:{s.name}"
            got = matched[s.name]
            if s.rule.min is not None and len(got) < s.rule.min:
                self._issue(
                    issues,
                    s.rule,
                    "ILP-4105",
                    "required",
                    path,
                    f"{slice_path} is required ({_describe(s.match)})",
                )
            if s.rule.max not in (None, "*") and len(got) > int(s.rule.max or 0):
                self._issue(
                    issues,
                    s.rule,
                    "ILP-4105",
                    "structure",
                    got[-1][1],
                    f"{slice_path} allows at most {s.rule.max}, found {len(got)}",
                )
            for value, p in got:
                self._node(s.rule, value, p, resource, issues)

    def _reference_target(
        self, rule: ElementRule, value: dict[str, Any], path: str, issues: list[Issue]
    ) -> None:
        ref = value.get("reference")
        if not isinstance(ref, str) or ref.startswith("#"):
            return
        if ref.startswith("urn:"):
            # inside a Bundle: the entry with that fullUrl says the type (unresolved ones are Bundle rules)
            local = self.local_types.get(ref)
            if local is None:
                return
            rtype = local
        else:
            rtype = reference_type(ref)
        if rtype not in rule.target_types and "Resource" not in rule.target_types:
            self._issue(
                issues,
                rule,
                "ILP-4108",
                "structure",
                f"{path}.reference",
                f"{path} must reference {' or '.join(rule.target_types)}, not {rtype}",
            )

    def _binding(self, rule: ElementRule, value: Any, path: str, issues: list[Issue]) -> None:
        assert rule.binding is not None and self.bindings is not None
        strength, vs = rule.binding
        if not self.bindings.knows_valueset(vs):
            self._issue(
                issues,
                rule,
                "ILP-4203",
                "not-supported",
                path,
                f"{path}: value set {vs} is not available to check",
                "warning",
            )
            return
        codes = list(_codes(value))
        if not codes:
            return
        if any(self.bindings.in_valueset(vs, system, code) for system, code in codes):
            return
        shown = ", ".join(f"{s}|{c}" if s else c for s, c in codes)
        if strength == "required":
            self._issue(
                issues,
                rule,
                "ILP-4201",
                "code-invalid",
                path,
                f"{path}: {shown} is not in the required value set {vs}",
            )
        else:
            self._issue(
                issues,
                rule,
                "ILP-4202",
                "code-invalid",
                path,
                f"{path}: {shown} is not in the extensible value set {vs}",
                "warning",
            )


def _codes(value: Any) -> Iterator[tuple[str | None, str]]:
    """(system, code) pairs of a code, Coding, CodeableConcept or Quantity. A coding whose system is not a
    string is left out: the structure stage reports it, and it cannot be looked up."""
    if isinstance(value, str):
        yield None, value
    elif isinstance(value, dict):
        if isinstance(value.get("coding"), list):
            for c in value["coding"]:
                if isinstance(c, dict) and isinstance(c.get("code"), str) and _system(c) is not False:
                    yield c.get("system"), c["code"]
        elif isinstance(value.get("code"), str) and _system(value) is not False:
            yield value.get("system"), value["code"]


def bound(members: Members, value: Any) -> bool:
    """True when the binding check of ``value`` certainly passes: a code that :func:`_codes` gives for it
    is a member of the value set (``members``, whose value set is known). False means "not certain":
    :meth:`Checker.value_checks` decides and reports. Generated code asks this first, so a value that
    passes costs no call into the checker and no path string."""
    if value.__class__ is str:
        return members[(None, value)]
    if value.__class__ is not dict:
        return False
    codings = value.get("coding")
    if codings.__class__ is list:
        for coding in codings:
            if coding.__class__ is dict:
                code, system = coding.get("code"), coding.get("system")
                if (
                    code.__class__ is str
                    and (system is None or system.__class__ is str)
                    and members[(system, code)]
                ):
                    return True
        return False
    code, system = value.get("code"), value.get("system")
    if code.__class__ is str and (system is None or system.__class__ is str) and "coding" not in value:
        return members[(system, code)]
    return False


def _system(coding: dict[str, Any]) -> bool | None:
    """None when the coding has no system, True for a string, False for anything else."""
    system = coding.get("system")
    return None if system is None else isinstance(system, str)


def _describe(match: dict[str, Any]) -> str:
    return ", ".join(f"{k} = {v}" for k, v in match.items())


class FhirPathCompiler:
    """Compiles invariant expressions once with fhirpathpy (R4 model); only for rules with no Python form."""

    def __init__(self) -> None:
        self._model: Any = None

    def compile(
        self, expression: str, human: str
    ) -> Callable[[Any, str, dict[str, Any]], list[tuple[str, str]]]:
        from fhirpathpy import compile as fp_compile
        from fhirpathpy.models import models

        if self._model is None:
            self._model = models["r4"]
        fn = fp_compile(expression, self._model)

        def run(value: Any, path: str, resource: dict[str, Any]) -> list[tuple[str, str]]:
            result = fn(value, {"resource": resource})
            return [] if result in ([True], []) else [(path, human)]

        return run
