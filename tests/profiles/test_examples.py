"""Every valid example passes its profile with no error, and the plain ``jsonschema`` library agrees that it
is R4 (the reference implementation of stage 1 agrees with the jsonschema-rs fast path)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft6Validator
from referencing import Registry

from profiles.validator import Validator
from tests.profiles.helpers import EXAMPLES, SD_BASE, errors, example

VALID = sorted(EXAMPLES.glob("*/valid-*.json"))
WITH_META_PROFILE = [p for p in VALID if example(p.parent.name, p.name).get("meta", {}).get("profile")]
PROFILES = sorted(p.stem for p in (EXAMPLES.parents[2] / "profiles" / "data" / "ilp").glob("ilp-*.json"))


def _id(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


@pytest.fixture(scope="session")
def reference_validators(schema_definitions: dict[str, Any]) -> dict[str, Draft6Validator]:
    """One plain-jsonschema validator per resource type, dispatching on resourceType through ``$ref``; the
    registry is empty and does no retrieval, so a reference out of the document fails instead of fetching."""
    registry: Registry[Any] = Registry()
    out: dict[str, Draft6Validator] = {}
    for path in VALID:
        rtype = example(path.parent.name, path.name)["resourceType"]
        if rtype not in out:
            schema = {"$ref": f"#/definitions/{rtype}", "definitions": schema_definitions}
            out[rtype] = Draft6Validator(schema, registry=registry)
    return out


def test_every_profile_has_valid_examples() -> None:
    have = {p.parent.name for p in VALID}
    assert have == set(PROFILES)
    for profile in PROFILES:
        assert len(list((EXAMPLES / profile).glob("valid-*.json"))) >= 2, profile


@pytest.mark.parametrize("path", VALID, ids=_id)
def test_valid_example_has_no_errors(validator: Validator, path: Path) -> None:
    doc = example(path.parent.name, path.name)
    result = validator.validate(doc, profiles=[SD_BASE + path.parent.name])
    assert errors(result) == [], "\n".join(i.diagnostics for i in result.issues)
    assert [i for i in result.issues if i.message_id == "ILP-4401"] == []  # meta.profile is known
    assert result.ok


@pytest.mark.parametrize("path", WITH_META_PROFILE, ids=_id)
def test_valid_example_selected_by_meta_profile(validator: Validator, path: Path) -> None:
    """``meta.profile`` alone (ours, or the SATUSEHAT canonical it mirrors) selects the profile."""
    doc = example(path.parent.name, path.name)
    selected, issues = validator.profiles_for(doc, (), False, "")
    assert issues == []
    assert [p.url for p in selected] == [SD_BASE + path.parent.name]
    assert errors(validator.validate(doc)) == []


@pytest.mark.parametrize("path", VALID, ids=_id)
def test_valid_example_passes_reference_jsonschema(
    reference_validators: dict[str, Draft6Validator], path: Path
) -> None:
    doc = example(path.parent.name, path.name)
    found = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in reference_validators[doc["resourceType"]].iter_errors(doc)
    ]
    assert found == []


def test_reference_jsonschema_is_not_vacuous(
    validator: Validator, reference_validators: dict[str, Draft6Validator]
) -> None:
    """The reference check rejects non-R4 content (a malformed dateTime, an unknown element). The R5 shape
    (``Encounter.class`` as a list) passes the plain schema, whose datatypes have no ``"type": "object"``; it
    is what the fast path adds (ILP-4003)."""
    doc = example("ilp-encounter", "valid-posyandu-finished.json")
    doc["class"] = [doc["class"]]
    doc["period"]["start"] = "14-05-2025"
    doc["diagnosa"] = []
    paths = sorted(
        "/".join(map(str, e.absolute_path)) for e in reference_validators["Encounter"].iter_errors(doc)
    )
    assert paths == ["", "period/start"]
    structure = [i for i in validator.validate(doc).issues if i.code == "structure"]
    assert ("ILP-4003", ("Encounter.class",)) in [(i.message_id, i.expression) for i in structure]
    assert ("ILP-4001", ("Encounter.period.start",)) in [(i.message_id, i.expression) for i in structure]
    assert any("diagnosa" in i.diagnostics for i in structure)
