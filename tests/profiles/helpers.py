"""Invalid examples as edits of a valid example, and the assertion they share.

An edit path is FHIRPath-like: ``identifier[0].system``; ``[+]`` as the last step appends. The value
:data:`DROP` deletes. Every :class:`Case` names the profile rule it exercises (``rule``), so
``test_coverage.py`` can check that each rule of each profile has an invalid example.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from profiles.issues import Issue
from profiles.validator import ValidationResult, Validator

EXAMPLES = Path(__file__).resolve().parent / "examples"
SD_BASE = "https://ilp-gateway.example.id/fhir/StructureDefinition/"
DROP: Any = object()
_STEP = re.compile(r"([^.\[\]]+)|\[(\d+|\+)\]")

Expected = tuple[str, str, int | None]  # (message_id, expression, RuleNumber)


@cache
def _load(profile: str, name: str) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((EXAMPLES / profile / name).read_text())
    return doc


def example(profile: str, name: str) -> dict[str, Any]:
    """A fresh copy of ``examples/<profile>/<name>``."""
    return copy.deepcopy(_load(profile, name))


def edit(doc: dict[str, Any], path: str, value: Any) -> None:
    steps: list[str | int] = []
    for name, index in _STEP.findall(path):
        steps.append(name if name else (index if index == "+" else int(index)))
    node: Any = doc
    for step in steps[:-1]:
        node = node[step]
    last = steps[-1]
    if value is DROP:
        del node[last]
    elif last == "+":
        node.append(value)
    else:
        node[last] = value


def errors(result: ValidationResult) -> list[Expected]:
    return sorted(
        (i.message_id, i.expression[0] if i.expression else "", i.rule_number)
        for i in result.issues
        if i.is_error
    )


def issues_of(result: ValidationResult, severity: str) -> list[Issue]:
    return [i for i in result.issues if i.severity == severity]


@dataclass(frozen=True)
class Case:
    """One invalid example: ``edits`` applied to ``example`` must give exactly the ``expect`` errors."""

    rule: str  # element id + ":min" / ":max" / ":type" / ":target" / ":closed", or a constraint key
    edits: tuple[tuple[str, Any], ...]
    expect: tuple[tuple[Any, ...], ...]  # Expected; (severity, message_id, expression) for bindings
    example: str = ""
    profile: str = ""  # for modules that cover several profiles (bindings)

    @property
    def id(self) -> str:
        return self.rule


def case(
    rule: str, edits: dict[str, Any], *expect: tuple[Any, ...], example: str = "", profile: str = ""
) -> Case:
    return Case(rule, tuple(edits.items()), tuple(expect), example, profile)


def check(validator: Validator, profile: str, c: Case, default_example: str) -> None:
    doc = example(profile, c.example or default_example)
    for path, value in c.edits:
        edit(doc, path, value)
    result = validator.validate(doc, profiles=[SD_BASE + profile])
    assert errors(result) == sorted(c.expect), "\n".join(i.diagnostics for i in result.issues if i.is_error)
