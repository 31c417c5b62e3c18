"""Index-row extraction compiled per resource type into straight-line Python (fastjsonschema's idea, as in
:mod:`profiles.codegen`): https://hl7.org/fhir/R4/search.html, evaluated at write time.

:meth:`gateway.search.registry.SearchRegistry.extract_interpreted` walks each parameter's compiled steps
with generic code (a list of nodes per step, a dispatch per value). This module writes, once per resource
type and on first use, one function that does the same navigation with nested loops and local variables
and hands each value to the same indexer (:data:`gateway.search.registry.INDEXERS`). The rows are the same
multiset; ``tests/unit/test_extract.py`` checks that on generated resources. A parameter whose expression
uses a step this writer does not inline (``[n]``, the ``Patient.deceased`` test) is evaluated by its
compiled expression, as before. Objects and arrays are recognised by exact class (``dict``, ``list``): what
``orjson`` and the mappers produce; a subclass would count as a plain value.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Protocol

from gateway.search.expression import (
    CompiledExpression,
    CompiledPath,
    Field,
    Step,
    WhereEquals,
    WhereResolveIs,
    reference_target_type,
)
from profiles.codegen import SourceWriter


class Param(Protocol):
    """What extraction needs of a search parameter."""

    @property
    def key(self) -> str: ...

    @property
    def type(self) -> str: ...

    @property
    def expression(self) -> CompiledExpression | None: ...


Extractor = Callable[[dict[str, Any], Any], None]
"""``extract(resource, rows)``: appends the resource's index rows to ``rows``."""


class _Writer(SourceWriter):
    def __init__(self, indexers: dict[str, Callable[..., None]]) -> None:
        super().__init__({"_target_type": reference_target_type})
        self.indexers = indexers
        self.top: dict[str, str] = {}  # resource member → the local holding R.get(member), read once

    def member(self, json_key: str) -> str:
        """The local that holds ``R.get(json_key)``: many parameters start at the same member."""
        if json_key not in self.top:
            self.top[json_key] = self.name("m")
        return self.top[json_key]

    def param(self, param: Param) -> None:
        expr = param.expression
        assert expr is not None
        index = self.const(self.indexers[param.type])
        key = self.const(param.key)
        self.emit(1, f"# {param.key} ({param.type})")
        if expr.deceased_special or not all(_inlinable(p.steps) for p in expr.paths):
            x, t = self.name("x"), self.name("t")
            self.emit(1, f"for {x}, {t} in {self.const(expr)}.evaluate(R):")
            self.emit(2, f"{index}(rows, {key}, {x}, {t})")
            return
        for path in expr.paths:
            self.path(path, index, key)

    def path(self, path: CompiledPath, index: str, key: str) -> None:
        def leaf(value: str, fhir_type: str, ind: int) -> None:
            self.emit(ind, f"{index}(rows, {key}, {value}, {fhir_type!r})")

        self.steps(list(path.steps), "R", "", 1, leaf, root=True)

    def steps(
        self,
        steps: list[Step],
        node: str,
        fhir_type: str,
        ind: int,
        leaf: Callable[[str, str, int], None],
        *,
        root: bool = False,
    ) -> None:
        """Code that visits every value the remaining ``steps`` reach from ``node`` (of ``fhir_type``),
        in the interpreter's semantics: members of non-objects are skipped, arrays are flattened and
        their nulls dropped."""
        if not steps:
            leaf(node, fhir_type, ind)
            return
        step, rest = steps[0], steps[1:]
        if isinstance(step, Field):
            if not root:
                self.emit(ind, f"if {node}.__class__ is dict:")
                ind += 1
            for json_key, variant_type in step.variants:
                v, x = self.name("v"), self.name("x")
                if root:
                    v = self.member(json_key)
                else:
                    self.emit(ind, f"{v} = {node}.get({json_key!r})")
                self.emit(ind, f"if {v} is not None:")  # absent, the common case: one test
                self.emit(ind + 1, f"if {v}.__class__ is list:")
                self.emit(ind + 2, f"for {x} in {v}:")
                self.emit(ind + 3, f"if {x} is not None:")
                self.steps(rest, x, variant_type, ind + 4, leaf)
                self.emit(ind + 1, "else:")
                self.steps(rest, v, variant_type, ind + 2, leaf)
        elif isinstance(step, WhereResolveIs):
            want = step.type_name
            self.emit(ind, f"if {node}.__class__ is dict and _target_type({node}) == {want!r}:")
            self.steps(rest, node, fhir_type, ind + 1, leaf)
        elif isinstance(step, WhereEquals):
            self.emit(ind, f"if {node}.__class__ is dict and {node}.get({step.field!r}) == {step.literal!r}:")
            self.steps(rest, node, fhir_type, ind + 1, leaf)
        else:  # pragma: no cover - _inlinable keeps [n] out
            raise AssertionError(step)


def _inlinable(steps: Iterable[Step]) -> bool:
    """Steps this writer inlines: member navigation and the two ``where`` filters. ``[n]`` indexes the
    whole collection reached so far, which nested loops do not have: such paths stay interpreted."""
    return all(isinstance(s, Field | WhereResolveIs | WhereEquals) for s in steps)


def compile_extractor(
    resource_type: str, params: Iterable[Param], indexers: dict[str, Callable[..., None]]
) -> Extractor:
    """The generated ``extract(R, rows)`` for one resource type (its parameters in the order given)."""
    w = _Writer(indexers)
    for param in params:
        w.param(param)
    w.emit(1, "return None")
    head = ["def extract(R, rows):", *(f"    {local} = R.get({key!r})" for key, local in w.top.items())]
    fn: Extractor = w.build("extract", f"<search extraction {resource_type}>", head)
    return fn
