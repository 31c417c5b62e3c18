"""The fast validation path (profile JSON Schema in jsonschema-rs + generated code) reports exactly what the
reference interpreter reports: never less (the schema must not be looser), never more.

Property test: random mutations (delete, replace with odd values, wrap in lists, duplicate items) of valid,
profiled resources and Bundles.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from profiles.definitions import R4Definitions
from profiles.validator import Validator

ROOT = Path(__file__).resolve().parents[2]
ODD = [None, 1, 0, True, "x", "", [], {}, [1], {"a": 1}, [None], [{}], "2099-01-01T00:00:00+00:00"]


@pytest.fixture(scope="module")
def validators() -> tuple[Validator, Validator]:
    defs = R4Definitions.load()
    return Validator(defs), Validator(defs, fast=False)


def samples() -> list[dict[str, Any]]:
    demo = ROOT / "gateway" / "demo" / "bundles"
    out = [orjson.loads(p.read_bytes()) for p in sorted(demo.glob("*.json"))]
    examples = ROOT / "tests" / "profiles" / "examples"
    if examples.exists():
        out += [orjson.loads(p.read_bytes()) for p in sorted(examples.rglob("valid-*.json"))]
    return out


SAMPLES = samples()


def mutate(node: Any, rnd: random.Random) -> None:
    if isinstance(node, dict) and node:
        key = rnd.choice(sorted(node))
        r = rnd.random()
        if r < 0.25:
            del node[key]
        elif r < 0.45:
            node[key] = copy.deepcopy(rnd.choice(ODD))
        elif r < 0.55:
            node[key] = [node[key]] if not isinstance(node[key], list) else node[key][:1]
        elif r < 0.6:
            node[key + "Quantity"] = {"value": 1}
        else:
            mutate(node[key], rnd)
    elif isinstance(node, list) and node:
        if rnd.random() < 0.15:
            node.append(copy.deepcopy(rnd.choice(node)))
        else:
            mutate(rnd.choice(node), rnd)


def key(validator: Validator, resource: Any) -> list[tuple[str, str, tuple[str, ...], str]]:
    issues = validator.validate(resource).issues
    return [(i.severity, i.message_id, i.expression, i.diagnostics) for i in issues]


def test_samples_are_valid(validators: tuple[Validator, Validator]) -> None:
    fast, _ = validators
    for sample in SAMPLES:
        assert [i for i in fast.validate(sample).issues if i.is_error] == []


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(min_value=0, max_value=2**32), st.integers(min_value=1, max_value=4))
def test_fast_path_agrees_with_interpreter(
    validators: tuple[Validator, Validator], seed: int, n: int
) -> None:
    assert_paths_agree(validators, seed, n, mutate)


def assert_paths_agree(
    validators: tuple[Validator, Validator],
    seed: int,
    n: int,
    change: Callable[[Any, random.Random], None],
) -> None:
    """``n`` changes of a sample (chosen by ``seed``), then the same issues from both paths."""
    fast, reference = validators
    rnd = random.Random(seed)
    sample = copy.deepcopy(rnd.choice(SAMPLES))
    for _ in range(n):
        change(sample, rnd)
    assert key(fast, sample) == key(reference, sample)


def _strings(node: Any, out: set[str]) -> set[str]:
    if isinstance(node, str):
        out.add(node)
    elif isinstance(node, dict):
        for value in node.values():
            _strings(value, out)
    elif isinstance(node, list):
        for value in node:
            _strings(value, out)
    return out


STRINGS = sorted(_strings(SAMPLES, set()))


def mutate_in_shape(node: Any, rnd: random.Random) -> None:
    """Mutations that mostly keep the R4 form (what the R4-shaped profile schemas are written for): drop an
    element, drop or repeat an array item, or put another string of the samples in a string's place (a
    slice discriminator such as ``identifier.system`` or ``extension.url`` then names another slice)."""
    if isinstance(node, dict) and node:
        key = rnd.choice(sorted(node))
        r = rnd.random()
        if r < 0.3 and key != "resourceType":
            del node[key]
        elif r < 0.6 and isinstance(node[key], str) and key != "resourceType":
            node[key] = rnd.choice(STRINGS)
        else:
            mutate_in_shape(node[key], rnd)
    elif isinstance(node, list) and node:
        r = rnd.random()
        if r < 0.15:
            node.append(copy.deepcopy(rnd.choice(node)))
        elif r < 0.3:
            node.pop(rnd.randrange(len(node)))
        else:
            mutate_in_shape(rnd.choice(node), rnd)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(min_value=0, max_value=2**32), st.integers(min_value=1, max_value=4))
def test_fast_path_agrees_with_interpreter_on_r4_shaped_changes(
    validators: tuple[Validator, Validator], seed: int, n: int
) -> None:
    """The profile schemas assume R4 form (the structure stage passed): on changes that keep it, the fast
    path still reports exactly what the interpreter does."""
    assert_paths_agree(validators, seed, n, mutate_in_shape)


@pytest.mark.parametrize(
    "reference",
    [
        "Patient/1/Encounter/2",  # not a literal reference; the last Type/id pair names the type
        "Encounter/e1",
        "Patient/p1/_history/2",
        "Patient?identifier=https://fhir.kemkes.go.id/id/nik|3171014101900001",
        "Encounter?identifier=http://sys-ids.kemkes.go.id/encounter/1|a/b",
        "http://example.org/fhir/Group/g1",
    ],
)
def test_reference_target_types_agree(validators: tuple[Validator, Validator], reference: str) -> None:
    """The generated code's inline test of a reference's type (literal, versioned, conditional, absolute)
    decides as the interpreter does."""
    fast, interpreter = validators
    for sample in SAMPLES:
        resource = copy.deepcopy(sample)
        if resource.get("resourceType") == "Observation" and isinstance(resource.get("subject"), dict):
            resource["subject"] = {"reference": reference}
            assert key(fast, resource) == key(interpreter, resource)


REFERENCES = [
    "urn:uuid:9a7b2c1e-0001-4000-8000-0000000000ff",  # matches no fullUrl
    "Patient/not-in-the-bundle",
    "Organization/100000001",
    "http://example.org/fhir/Group/g1",
    "not a reference",
    *sorted(s for s in STRINGS if s.startswith("urn:uuid:"))[:3],  # fullUrls of the samples
]


def add_reference(node: Any, rnd: random.Random) -> None:
    """A reference somewhere: in a new extension of any element (primitive ones through ``_key``), as an
    identifier's assigner, or in place of an existing reference."""
    if isinstance(node, list) and node:
        add_reference(rnd.choice(node), rnd)
    elif isinstance(node, dict):
        children = [k for k, v in node.items() if isinstance(v, dict | list) and k != "contained"]
        r = rnd.random()
        reference = {"reference": rnd.choice(REFERENCES)}
        if children and r < 0.6:
            add_reference(node[rnd.choice(sorted(children))], rnd)
        elif "reference" in node and r < 0.75:
            node["reference"] = reference["reference"]
        elif r < 0.85 and "resourceType" not in node:
            node["identifier"] = {"value": "1", "assigner": reference}
        else:
            strings = [k for k, v in node.items() if isinstance(v, str) and k != "resourceType"]
            holder = node.setdefault(f"_{rnd.choice(strings)}", {}) if strings and r > 0.95 else node
            if isinstance(holder, dict):
                extension = {
                    "url": "http://example.org/fhir/StructureDefinition/x",
                    "valueReference": reference,
                }
                holder.setdefault("extension", []).append(extension)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(min_value=0, max_value=2**32), st.integers(min_value=1, max_value=3))
def test_references_anywhere_are_found_on_both_paths(
    validators: tuple[Validator, Validator], seed: int, n: int
) -> None:
    """The fast path reads a resource's (or a Bundle entry's) references from its type's Reference paths
    when the entry check certifies there are no others (profiles/reference_paths.py); references put
    anywhere else must still be found: the same issues and the same external references as the
    interpreter's path, which scans."""
    fast, reference = validators
    rnd = random.Random(seed)
    sample = copy.deepcopy(rnd.choice(SAMPLES))  # Bundles and single resources
    for _ in range(n):
        add_reference(sample, rnd)
    assert key(fast, sample) == key(reference, sample)
    got, expected = fast.validate(sample).external, reference.validate(sample).external
    assert sorted((e.literal, e.expression) for e in got) == sorted(
        (e.literal, e.expression) for e in expected
    )
