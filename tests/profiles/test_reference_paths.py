"""Reading references where they are (profiles/reference_paths.py) finds what the JSON-text scan finds.

A resource that passes the certifying schema has reference strings at its type's own Reference paths and
nowhere else; the generated reader reads exactly those. Anything else (a reference in an extension, in an
``Identifier.assigner``, a uri named ``reference``) fails the certificate and goes the general way.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import orjson
import pytest

from profiles.bundle_rules import reference_strings
from profiles.definitions import R4Definitions
from profiles.reference_paths import ReadFn
from profiles.validator import Validator

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def plain() -> Validator:
    return Validator(R4Definitions.load())


def certified(validator: Validator, resource: dict[str, Any]) -> tuple[bool, ReadFn | None]:
    """(does the resource pass its type's certifying structure schema, the type's reader)."""
    check, reader = validator._build_entry_check((None, [], (resource["resourceType"],)))
    return bool(check.is_valid(resource)), reader


def resources() -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    paths = sorted((ROOT / "gateway" / "demo" / "bundles").glob("*.json"))
    paths += sorted((ROOT / "tests" / "profiles" / "examples").rglob("valid-*.json"))
    for path in paths:
        resource = orjson.loads(path.read_bytes())
        if resource.get("resourceType") == "Bundle":
            out += [e["resource"] for e in resource.get("entry", []) if "resource" in e]
        else:
            out.append(resource)
    return out


def test_paths_come_from_the_schema(plain: Validator) -> None:
    """Top-level, repeating and backbone Reference elements; no finite list for recursive backbones or
    types that hold resources."""
    observation = plain.structure.reference_paths("Observation")
    assert observation is not None
    assert (("subject", False),) in observation
    assert (("performer", True),) in observation
    encounter = plain.structure.reference_paths("Encounter")
    assert encounter is not None
    assert (("participant", True), ("individual", False)) in encounter
    assert (("hospitalization", False), ("destination", False)) in encounter
    for rtype in ("Questionnaire", "QuestionnaireResponse", "Bundle", "Parameters"):
        assert plain.structure.reference_paths(rtype) is None


def test_reader_finds_what_the_scan_finds(plain: Validator) -> None:
    """Every demo and example resource of a type with reference paths passes the certificate (none has a
    reference anywhere else), and the reader's references are the scan's."""
    read = 0
    for resource in resources():
        ok, reader = certified(plain, resource)
        if reader is None:
            continue
        assert ok, resource
        found: list[str] = []
        reader(resource, found)
        assert set(found) == reference_strings(orjson.dumps(resource)), resource["resourceType"]
        read += 1
    assert read >= 30


@pytest.mark.parametrize(
    "change",
    [
        lambda r: r.setdefault("extension", []).append(
            {"url": "http://example.org/x", "valueReference": {"reference": "Patient/p"}}
        ),
        lambda r: r["subject"].update(identifier={"value": "1", "assigner": {"reference": "Organization/o"}}),
        lambda r: r.setdefault("note", []).append(
            {"authorReference": {"reference": "Practitioner/p"}, "text": "x"}
        ),
        lambda r: (
            r["code"]["coding"][0]
            .setdefault("extension", [])
            .append({"url": "http://example.org/x", "valueReference": {"reference": "Patient/p"}})
        ),
        lambda r: r.update(
            _status={"extension": [{"url": "http://x.org/y", "valueReference": {"reference": "#a"}}]}
        ),
    ],
    ids=["extension", "identifier-assigner", "annotation", "nested-extension", "primitive-extension"],
)
def test_references_elsewhere_fail_the_certificate(plain: Validator, change: Any) -> None:
    observation = orjson.loads(
        (
            ROOT / "tests" / "profiles" / "examples" / "ilp-observation" / "valid-berat-badan-balita.json"
        ).read_bytes()
    )
    assert certified(plain, observation)[0]
    changed = copy.deepcopy(observation)
    change(changed)
    assert plain.structure.validate(changed) == []  # still valid R4
    assert not certified(plain, changed)[0]


def test_uri_elements_named_reference_fail_the_certificate(plain: Validator) -> None:
    """Immunization.education.reference is a uri; the scan counts it, so the certificate must not pass."""
    immunization = orjson.loads(
        (ROOT / "tests" / "profiles" / "examples" / "ilp-immunization")
        .glob("valid-*.json")
        .__next__()
        .read_bytes()
    )
    assert certified(plain, immunization)[0]
    immunization["education"] = [{"reference": "http://example.org/vis.pdf"}]
    assert plain.structure.validate(immunization) == []
    assert not certified(plain, immunization)[0]
