"""The fast path (profile compiled to JSON Schema + generated Python) and the reference interpreter
(``Validator(fast=False)``) give identical issues on every invalid example of every profile."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from profiles.definitions import R4Definitions
from profiles.validator import Validator
from tests.profiles.conftest import NOW, FakeServices
from tests.profiles.helpers import EXAMPLES, SD_BASE, Case, edit, example

HERE = Path(__file__).resolve().parent


def _all_cases() -> list[tuple[str, str, Case]]:
    out = []
    for path in sorted(HERE.glob("test_*.py")):
        module = importlib.import_module(f"tests.profiles.{path.stem}")
        if hasattr(module, "DEFAULT_EXAMPLE"):
            out.extend((module.PROFILE, module.DEFAULT_EXAMPLE, c) for c in module.CASES)
    return out


ALL_CASES = _all_cases()


@pytest.fixture(scope="module")
def interpreter(definitions: R4Definitions) -> Validator:
    return Validator(definitions, services=FakeServices(), clock=lambda: NOW, fast=False)


def _issues(v: Validator, profile: str, name: str, c: Case | None) -> list[tuple[object, ...]]:
    doc = example(profile, name)
    for path, value in c.edits if c else ():
        edit(doc, path, value)
    result = v.validate(doc, profiles=[SD_BASE + profile])
    return sorted(
        (i.severity, i.message_id, i.expression, i.rule_number, i.diagnostics) for i in result.issues
    )


@pytest.mark.parametrize(("profile", "default", "c"), ALL_CASES, ids=[f"{p}:{c.id}" for p, _, c in ALL_CASES])
def test_fast_path_agrees_on_invalid_examples(
    validator: Validator, interpreter: Validator, profile: str, default: str, c: Case
) -> None:
    assert validator.fast and not interpreter.fast
    name = c.example or default
    assert _issues(validator, profile, name, c) == _issues(interpreter, profile, name, c)


@pytest.mark.parametrize(
    "path", sorted(EXAMPLES.glob("*/valid-*.json")), ids=lambda p: f"{p.parent.name}/{p.name}"
)
def test_fast_path_agrees_on_valid_examples(validator: Validator, interpreter: Validator, path: Path) -> None:
    assert _issues(validator, path.parent.name, path.name, None) == _issues(
        interpreter, path.parent.name, path.name, None
    )
