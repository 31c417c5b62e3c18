"""Compile a profile's element-rule tree into a Python function: the fast path of :class:`Checker`.

The interpreter in :mod:`profiles.engine` walks the rule tree for every value; this module writes, once per
profile, straight-line code that does the same navigation with local variables (fastjsonschema's idea,
applied to profiles). Everything that reports an issue, and the rarer parts (slicing, choice elements,
values that are not objects), calls the interpreter's own methods, so both paths produce the same issues in
the same order; ``tests/profiles`` checks that they agree.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from profiles.engine import (
    Checker,
    CompiledProfile,
    Constraint,
    ElementRule,
    Members,
    MemoBindings,
    _children,
    bound,
    reference_type,
)
from profiles.issues import Issue
from profiles.rules import GUARDS

CheckFn = Callable[[dict[str, Any], str, dict[str, Any], list[Issue]], None]


class SourceWriter:
    """Writes one Python function as text and compiles it: unique local names, constants handed in through
    the function's globals, indented lines. Shared by the profile checks here and the search-parameter
    extractors (:mod:`gateway.search.extract`)."""

    def __init__(self, ns: dict[str, Any]) -> None:
        self.lines: list[str] = []
        self.ns = ns
        self.n = 0

    def name(self, prefix: str) -> str:
        self.n += 1
        return f"{prefix}{self.n}"

    def const(self, value: Any) -> str:
        key = self.name("K")
        self.ns[key] = value
        return key

    def emit(self, indent: int, line: str) -> None:
        self.lines.append("    " * indent + line)

    def build(self, function: str, filename: str, head: list[str] | None = None) -> Any:
        """Compile ``head`` (lines written before the body, e.g. the ``def``) and the emitted lines; the
        function named ``function``, with its source as its docstring."""
        source = "\n".join([*(head or []), *self.lines])
        exec(compile(source, filename, "exec"), self.ns)
        fn = self.ns[function]
        fn.__doc__ = source
        return fn


class _Writer(SourceWriter):
    def __init__(self, checker: Checker, value_only: bool) -> None:
        super().__init__(
            {"checker": checker, "_children": _children, "_reference_type": reference_type, "_bound": bound}
        )
        self.checker = checker
        self.value_only = value_only
        self._python: dict[int, bool] = {}

    def needs_python(self, rule: ElementRule) -> bool:
        """Whether a subtree holds a check the profile's JSON Schema cannot express (targets, bindings,
        invariants, extension definitions with such checks)."""
        key = id(rule)
        if key not in self._python:
            self._python[key] = False  # guards recursive extension definitions
            self._python[key] = self.needs_python_here(rule) or any(
                self.needs_python(s.rule) for s in rule.slices
            )
        return self._python[key]

    def needs_python_here(self, rule: ElementRule) -> bool:
        """Python work on the element itself, its extension definition or its children (slices aside)."""
        ext = self.checker.extensions.get(rule.extension_profile or "")
        return (
            self.own_python(rule)
            or (ext is not None and self.needs_python(ext.root))
            or any(self.needs_python(c) for c in rule.children.values())
        )

    @staticmethod
    def own_python(rule: ElementRule) -> bool:
        """Checks of the element's own value that JSON Schema cannot express: reference targets, bindings,
        invariants."""
        return bool(rule.target_types or rule.binding or rule.constraints)

    # ------------------------------------------------------------------------------------------------

    def node(self, rule: ElementRule, v: str, p: str, ind: int) -> None:
        """Code for one value ``v`` (path in ``p``) against ``rule``: value checks, then children."""
        r = self.const(rule)
        ext = self.checker.extensions.get(rule.extension_profile or "") if self.value_only else None
        if ext is not None:
            # value-only: the extension definition's checks are generated inline, not interpreted
            if self.own_python(rule):
                self.emit(ind, f"checker.value_checks({r}, {v}, {p}, R, I, False)")
            if self.needs_python(ext.root):
                self.node(ext.root, v, p, ind)
        elif rule.has_value_checks and (not self.value_only or self.needs_python(rule)):
            self.value_checks(rule, r, v, p, ind)
        children = {n: c for n, c in rule.children.items() if not self.value_only or self.needs_python(c)}
        if not children:
            return
        self.emit(ind, f"if {v}.__class__ is dict:")
        for name, child in children.items():
            self.element(child, name, v, p, ind + 1)
        if self.value_only:
            return  # the schema has already checked that required children of a non-object are reported
        self.emit(ind, "else:")
        for name, child in children.items():  # not an object: the interpreter reports what is missing
            self.emit(ind + 1, f"checker.element({self.const(child)}, [], {p} + {'.' + name!r}, R, I)")

    def value_checks(self, rule: ElementRule, r: str, v: str, p: str, ind: int) -> None:
        """Inline the cheap test of the commonest single checks; the interpreter reports or clears it."""
        call = f"checker.value_checks({r}, {v}, {p}, R, I)"
        kinds = rule.value_check_kinds
        if kinds == {"targets"}:
            if "Resource" in rule.target_types:
                return
            targets = self.const(frozenset(rule.target_types))
            ref = self.name("r")
            self.emit(ind, f"if {v}.__class__ is dict:")
            kind = self.name("t")
            self.emit(ind + 1, f"{ref} = {v}.get('reference')")
            self.emit(ind + 1, f"if {ref}.__class__ is str:")
            # in a Bundle, L holds the type of every urn: fullUrl and of the Bundle's literal references (the
            # same reference_type answer, read once); a contained (#) or unresolved urn: reference has no
            # type here and goes to the interpreter, which lets it pass
            self.emit(ind + 2, f"{kind} = L.get({ref})")
            self.emit(ind + 2, f"if {kind} is None and not {ref}.startswith(('#', 'urn:')):")
            self.emit(ind + 3, f"{kind} = _reference_type({ref})")
            self.emit(ind + 2, f"if {kind} not in {targets}:")
            self.emit(ind + 3, call)  # an absolute or conditional URL, or a wrong type: decided there
        elif kinds == {"fixed"}:
            self.emit(ind, f"if {v} != {self.const(rule.fixed)}:")
            self.emit(ind + 1, call)
        elif kinds == {"binding"} and (members := self.members(rule)) is not None:
            self.emit(ind, f"if not _bound({self.const(members)}, {v}):")
            self.emit(ind + 1, call)  # no member code (or none at all): decided and reported there
        elif kinds == {"constraints"}:
            for c in rule.constraints:  # invariants only: call them directly, behind their guard if any
                guard = GUARDS.get(c.rule or "")
                if guard:
                    self.emit(ind, f"if not ({guard.format(v=v)}):")
                    self.emit(ind + 1, f"checker.constraint({self.const(c)}, {v}, {p}, R, I)")
                else:
                    self.invariant(c, v, p, ind)
        else:
            self.emit(ind, call)

    def members(self, rule: ElementRule) -> Members | None:
        """The membership answers of the rule's value set, when the checker can decide membership in it
        (else the checker's own binding check reports that it cannot, every time)."""
        bindings = self.checker.bindings
        if rule.binding is None or not isinstance(bindings, MemoBindings):
            return None
        url = rule.binding[1]
        return bindings.members(url) if bindings.knows_valueset(url) else None

    def invariant(self, c: Constraint, v: str, p: str, ind: int) -> None:
        """Run the invariant itself; only a violation (or a value it cannot evaluate) goes through
        :meth:`Checker.constraint`, which runs it again and reports."""
        bad = self.name("b")
        self.emit(ind, "try:")
        self.emit(ind + 1, f"{bad} = {self.const(c.run)}({v}, {p}, R)")
        self.emit(ind, "except Exception:")
        self.emit(ind + 1, f"{bad} = True")
        self.emit(ind, f"if {bad}:")
        self.emit(ind + 1, f"checker.constraint({self.const(c)}, {v}, {p}, R, I)")

    def element(self, rule: ElementRule, name: str, v: str, p: str, ind: int) -> None:
        """Code for child ``name`` of the object ``v``."""
        r = self.const(rule)
        if self.value_only and rule.slicing is None and name.endswith("[x]"):
            # the schema checked cardinality and the allowed types, so the value is one of the allowed
            # variants and not an array: look those keys up directly
            stem = name[:-3]
            x, px = self.name("x"), self.name("p")
            for t in rule.types or ():
                key = stem + t[0].upper() + t[1:]
                self.emit(ind, f"{x} = {v}.get({key!r})")
                self.emit(ind, f"if {x} is not None:")
                self.node(rule, x, _member(p, key), ind + 1)
            if not rule.types:
                self.emit(ind, f"for {x}, {px} in _children({v}, {name!r}, {p}):")
                self.node(rule, x, px, ind + 1)
            return
        if self.value_only and self.simple_slicing(rule):
            self.sliced_values(rule, name, v, p, ind)
            return
        if name.endswith("[x]") or rule.slicing is not None:
            # choice elements and slicing: gather the values and let the interpreter do the rest
            self.emit(ind, f"checker.element({r}, _children({v}, {name!r}, {p}), {p} + {'.' + name!r}, R, I)")
            return
        needs_values = rule.has_value_checks or bool(rule.children)
        if rule.min is None and rule.max is None and not needs_values:
            return
        c = self.name("c")
        self.emit(ind, f"{c} = {v}.get({name!r})")
        if (rule.min is not None or rule.max is not None) and not self.value_only:
            n = self.name("n")
            self.emit(ind, f"{n} = 0 if {c} is None else len({c}) if {c}.__class__ is list else 1")
            conds = []
            if rule.min:
                conds.append(f"{n} < {rule.min}")
            if rule.max is not None and rule.max != "*":
                conds.append(f"{n} > {int(rule.max)}")
            if conds:
                self.emit(ind, f"if {' or '.join(conds)}:")
                self.emit(ind + 1, f"checker.cardinality({r}, {n}, {p} + {'.' + name!r}, I)")
        if not needs_values:
            return
        x, i = self.name("x"), self.name("i")
        self.emit(ind, f"if {c}.__class__ is list:")
        self.emit(ind + 1, f"for {i}, {x} in enumerate({c}):")
        self.node(rule, x, _item(p, name, i), ind + 2)
        self.emit(ind, f"elif {c} is not None:")
        self.node(rule, c, _member(p, name), ind + 1)

    @staticmethod
    def simple_slicing(rule: ElementRule) -> bool:
        """Slicing by one plain child compared with a string (``url``, ``system``): matched inline."""
        if rule.slicing is None:
            return False
        discs, _ = rule.slicing
        return (
            len(discs) == 1
            and "." not in discs[0]
            and discs[0] != "$this"
            and all(isinstance(s.match.get(discs[0]), str) for s in rule.slices)
        )

    def sliced_values(self, rule: ElementRule, name: str, v: str, p: str, ind: int) -> None:
        """Value checks of a sliced element whose structure the schema has checked (so it is an array):
        each slice's items in slice order (the first matching slice wins), then every item, which is the
        order the interpreter reports in."""
        assert rule.slicing is not None
        disc = rule.slicing[0][0]
        c, i, x = self.name("c"), self.name("i"), self.name("x")
        self.emit(ind, f"{c} = {v}.get({name!r})")
        self.emit(ind, f"if {c}.__class__ is list:")
        earlier: list[str] = []
        for s in rule.slices:
            want = s.match[disc]
            if self.needs_python(s.rule) and want not in earlier:
                self.emit(ind + 1, f"for {i}, {x} in enumerate({c}):")
                self.emit(ind + 2, f"if {x}.__class__ is dict and {x}.get({disc!r}) == {want!r}:")
                self.node(s.rule, x, _item(p, name, i), ind + 3)
            earlier.append(want)
        if self.needs_python_here(rule):
            self.emit(ind + 1, f"for {i}, {x} in enumerate({c}):")
            self.node(rule, x, _item(p, name, i), ind + 2)
        self.emit(ind + 1, "pass")


def _member(p: str, name: str) -> str:
    """The path of child ``name`` as an expression. Paths are expressions, not variables, so they are
    built only where an issue is reported (the rare case), never on the way down."""
    return f"({p} + {'.' + name!r})"


def _item(p: str, name: str, i: str) -> str:
    """The path of item ``i`` (a loop variable) of child ``name``, as an expression."""
    return f"({p} + {'.' + name + '['!r} + str({i}) + ']')"


def compile_check(profile: CompiledProfile, checker: Checker, *, value_only: bool = False) -> CheckFn:
    """The generated ``check(resource, path, resource, issues)`` for one profile. ``value_only`` leaves out
    what the profile's JSON Schema has already checked (for resources that passed it)."""
    w = _Writer(checker, value_only)
    w.emit(0, "def check(V, P, R, I):")
    w.emit(1, "L = checker.local_types  # in a Bundle: reference → the type it names (BundleCheck)")
    w.node(profile.root, "V", "P", 1)
    w.emit(1, "return None")
    fn: CheckFn = w.build("check", f"<profile {profile.url}>")
    return fn
