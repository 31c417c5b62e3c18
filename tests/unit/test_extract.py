"""The generated extractors (gateway/search/extract.py) give the rows the interpreter gives, as a multiset:
on every example resource of the project and on generated resources shaped by each type's own search
parameter paths."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway.search.expression import Field, WhereEquals, compile_expression
from gateway.search.registry import INDEXERS, IndexRows, SearchParam, SearchRegistry
from profiles.definitions import R4Definitions

ROOT = Path(__file__).resolve().parents[2]
TABLES = IndexRows.__slots__


def rows(found: IndexRows) -> dict[str, Counter[tuple[Any, ...]]]:
    return {t: Counter(getattr(found, t)) for t in TABLES}


def resources(node: Any) -> list[dict[str, Any]]:
    """Every object with a resourceType inside a JSON document (Bundle entries, contained resources)."""
    out: list[dict[str, Any]] = []
    if isinstance(node, dict):
        if isinstance(node.get("resourceType"), str):
            out.append(node)
        for value in node.values():
            out += resources(value)
    elif isinstance(node, list):
        for value in node:
            out += resources(value)
    return out


EXAMPLES = sorted(
    p
    for folder in ("tests/profiles/examples", "tests/mappers", "gateway/demo")
    for p in (ROOT / folder).rglob("*.json")
    if not p.name.endswith(".source.json")  # mapper inputs, not FHIR
)


def test_every_type_compiles(registry: SearchRegistry, definitions: R4Definitions) -> None:
    for rtype in sorted(definitions.resource_types):
        empty = {"resourceType": rtype}
        assert rows(registry.extract(empty)) == rows(registry.extract_interpreted(empty))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: str(p.relative_to(ROOT)))
def test_examples_agree(registry: SearchRegistry, path: Path) -> None:
    found = resources(orjson.loads(path.read_bytes()))
    assert found
    for resource in found:
        assert rows(registry.extract(resource)) == rows(registry.extract_interpreted(resource))


TYPES = [
    *("Observation", "Patient", "Encounter", "Immunization", "MedicationRequest", "Composition", "Group"),
    *("CarePlan", "ServiceRequest", "Contract"),
]
STRINGS = [
    "Patient/1",
    "Group/2",
    "http://example.org/fhir/Patient/3/_history/4",
    "urn:uuid:0f2a9d0e-7b8c-4f1e-9a2b-3c4d5e6f7a8b",
    "#contained",
    "2024-03-12",
    "2024-03-12T09:10:00+07:00",
    "2024-03",
    "not a date",
    "phone",
    "http://loinc.org",
    "29463-7",
    "Ménard",
]


def keys_of(registry: SearchRegistry, rtype: str) -> list[str]:
    """Every JSON key and ``where`` field the type's search parameters navigate through."""
    keys = {"reference", "type", "system", "code", "value", "coding", "start", "end", "event", "unit"}
    for p in registry.params(rtype):
        for path in p.expression.paths if p.expression else ():
            for step in path.steps:
                if isinstance(step, Field):
                    keys.update(k for k, _ in step.variants)
                elif isinstance(step, WhereEquals):
                    keys.add(step.field)
    return sorted(keys)


def json_values(keys: list[str]) -> st.SearchStrategy[Any]:
    leaves = st.one_of(
        st.sampled_from(STRINGS),
        st.integers(-3, 3),
        st.floats(allow_nan=False, allow_infinity=False, width=32),
        st.booleans(),
        st.none(),
    )
    return st.recursive(
        leaves,
        lambda inner: st.one_of(
            st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(keys), inner, max_size=4)
        ),
        max_leaves=12,
    )


@st.composite
def shaped_resource(draw: st.DrawFn, registry: SearchRegistry, rtype: str) -> dict[str, Any]:
    keys = keys_of(registry, rtype)
    body = draw(st.dictionaries(st.sampled_from(keys), json_values(keys), max_size=8))
    return {**body, "resourceType": rtype}


@pytest.mark.parametrize("rtype", TYPES)
@settings(max_examples=80, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_generated_resources_agree(registry: SearchRegistry, rtype: str, data: st.DataObject) -> None:
    resource = data.draw(shaped_resource(registry, rtype))
    assert rows(registry.extract(resource)) == rows(registry.extract_interpreted(resource))


def full_rows(
    definitions: R4Definitions, param: SearchParam, resource: dict[str, Any]
) -> set[tuple[Any, ...]]:
    """The rows a parameter's whole R4 expression gives (what it indexed before it shared rows)."""
    sp = next(
        s
        for s in definitions.search_parameters
        if s["code"] == param.code and (param.resource_type in s["base"] or "Resource" in s["base"])
    )
    found = IndexRows()
    for value, fhir_type in compile_expression(definitions, param.resource_type, sp["expression"]).evaluate(
        resource
    ):
        INDEXERS[param.type](found, param.key, value, fhir_type)
    return {row for t in TABLES for row in getattr(found, t)}


def shared_rows(
    registry: SearchRegistry, param: SearchParam, resource: dict[str, Any]
) -> set[tuple[Any, ...]]:
    """The rows a search on ``param`` reads: its own and those of the parameters it shares, as its own."""
    extracted = registry.extract(resource)
    keys = {param.key, *param.shares}
    return {(param.key, *row[1:]) for t in TABLES for row in getattr(extracted, t) if row[0] in keys}


def sharing(registry: SearchRegistry, rtype: str) -> list[SearchParam]:
    return [p for p in registry.params(rtype) if p.shares]


def test_the_sharing_parameters(registry: SearchRegistry) -> None:
    assert {p.code: p.shares for p in sharing(registry, "Observation")} == {
        "combo-code": ("Observation.code", "Observation.component-code"),
        "combo-data-absent-reason": (
            "Observation.component-data-absent-reason",
            "Observation.data-absent-reason",
        ),
        "combo-value-concept": ("Observation.component-value-concept", "Observation.value-concept"),
        "combo-value-quantity": ("Observation.component-value-quantity", "Observation.value-quantity"),
    }
    assert registry.get("Patient", "phonetic").shares == ("Patient.name",)  # type: ignore[union-attr]
    assert all(not p.shares for p in registry.params("Observation") if p.type == "reference")


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: str(p.relative_to(ROOT)))
def test_shared_rows_are_the_full_expressions_rows(
    registry: SearchRegistry, definitions: R4Definitions, path: Path
) -> None:
    for resource in resources(orjson.loads(path.read_bytes())):
        for param in sharing(registry, resource["resourceType"]):
            assert shared_rows(registry, param, resource) == full_rows(definitions, param, resource)


@pytest.mark.parametrize("rtype", ["Observation", "Patient", "Organization", "InsurancePlan"])
@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_shared_rows_on_generated_resources(
    registry: SearchRegistry, definitions: R4Definitions, rtype: str, data: st.DataObject
) -> None:
    resource = data.draw(shaped_resource(registry, rtype))
    for param in sharing(registry, rtype):
        assert shared_rows(registry, param, resource) == full_rows(definitions, param, resource)
