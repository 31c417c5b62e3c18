"""Each rule of each profile (and of the extensions) has an invalid example among the per-profile cases.

A rule is derived from the StructureDefinition differential: ``<element id>:min`` for min ≥ 1, ``:max`` for a
max other than ``*``, ``:fixed`` for fixed/pattern values, ``:closed`` for closed slicing, ``:target`` for a
reference target restriction, ``:type`` for a choice element restricted to fewer types than R4 allows,
``:binding`` for a binding, and the key of every constraint. The discriminator of a slice (``…:nik.system``,
``…:province.url``) and an extension's own ``url`` select the slice, so they cannot fail on their own.
Rules of an extension definition are prefixed with its id (``administrativeCode/Extension.extension:min``).
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import pytest

from profiles.definitions import R4Definitions
from profiles.validator import load_structure_definitions
from tests.profiles.helpers import Case

HERE = Path(__file__).resolve().parent
CASE_MODULES = sorted(
    p.stem for p in HERE.glob("test_*.py") if p.stem not in ("test_coverage", "test_examples")
)


def _cases() -> list[Case]:
    out: list[Case] = []
    for name in CASE_MODULES:
        module = importlib.import_module(f"tests.profiles.{name}")
        out.extend(getattr(module, "CASES", []))
        out.extend(getattr(module, "BINDING_CASES", []))
    return out


def _discriminators(elements: list[dict[str, Any]]) -> set[str]:
    """Element ids that are the discriminator of the slice they belong to."""
    slicing = {
        e["id"]: [d["path"] for d in e["slicing"]["discriminator"]] for e in elements if "slicing" in e
    }
    out = set()
    for e in elements:
        if "sliceName" in e:
            for disc in slicing.get(e["path"], ()):
                out.add(f"{e['id']}.{disc}")
    return out


def rules_of(sd: dict[str, Any], defs: R4Definitions) -> set[str]:
    prefix = f"{sd['id']}/" if sd["type"] == "Extension" else ""
    elements = sd["differential"]["element"]
    skip = _discriminators(elements) | ({"Extension.url"} if sd["type"] == "Extension" else set())
    out: set[str] = set()
    for e in elements:
        out.update(c["key"] for c in e.get("constraint", ()))
        eid = e["id"]
        if eid == sd["type"] or eid in skip:
            continue
        rid = prefix + eid
        if e.get("min", 0) >= 1:
            out.add(f"{rid}:min")
        if e.get("max", "*") != "*":
            out.add(f"{rid}:max")
        if any(k.startswith(("fixed", "pattern")) for k in e):
            out.add(f"{rid}:fixed")
        if e.get("slicing", {}).get("rules") == "closed":
            out.add(f"{rid}:closed")
        if any(t.get("targetProfile") for t in e.get("type", ())):
            out.add(f"{rid}:target")
        if e["path"].endswith("[x]") and "type" in e:
            base = defs.element(sd["type"], e["path"])
            if base is None or len(base.types) > len(e["type"]):
                out.add(f"{rid}:type")
        if "binding" in e:
            out.add(f"{rid}:binding")
    return out


SDS = load_structure_definitions()


@pytest.mark.parametrize("sd", SDS, ids=lambda sd: sd["id"])
def test_every_rule_has_an_invalid_example(definitions: R4Definitions, sd: dict[str, Any]) -> None:
    covered = {c.rule for c in _cases()}
    missing = sorted(rules_of(sd, definitions) - covered)
    assert missing == []


def test_no_case_names_a_rule_that_does_not_exist(definitions: R4Definitions) -> None:
    known = set().union(*(rules_of(sd, definitions) for sd in SDS))
    unknown = sorted({c.rule for c in _cases() if (":" in c.rule or c.rule.startswith("ilp-"))} - known)
    assert unknown == []
