"""Helpers for authoring the project's StructureDefinitions (used by tools/write_profiles.py only).

The JSON files under profiles/data/ilp are the artefacts; these helpers only keep them consistent.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

BASE = "https://ilp-gateway.example.id/fhir"
EXT = BASE + "/StructureDefinition/"
SATUSEHAT = "https://fhir.kemkes.go.id/r4/StructureDefinition/"
OUT = Path(__file__).resolve().parent.parent / "profiles" / "data" / "ilp"


def rule(n: int) -> dict[str, Any]:
    return {"url": EXT + "satusehat-rule", "valueInteger": n}


def impl(name: str) -> dict[str, Any]:
    return {"url": EXT + "constraint-implementation", "valueCode": name}


def el(path: str, **kw: Any) -> dict[str, Any]:
    """An ElementDefinition; ``rule_number=`` adds the SATUSEHAT RuleNumber extension."""
    out: dict[str, Any] = {"id": path, "path": path}
    n = kw.pop("rule_number", None)
    if n is not None:
        out["extension"] = [rule(n)]
    slice_name = kw.pop("sliceName", None)
    if slice_name:
        out["sliceName"] = slice_name
        out["id"] = f"{path}:{slice_name}"
    out.update(kw)
    return out


def constraint(
    key: str,
    human: str,
    expression: str,
    implementation: str | None = None,
    *,
    severity: str = "error",
    message_id: str | None = None,
    rule_number: int | None = None,
) -> dict[str, Any]:
    c: dict[str, Any] = {"key": key, "severity": severity, "human": human, "expression": expression}
    ext = []
    if implementation:
        ext.append(impl(implementation))
    if message_id:
        ext.append({"url": EXT + "message-id", "valueCode": message_id})
    if rule_number:
        ext.append(rule(rule_number))
    if ext:
        c["extension"] = ext
    return c


def sd(
    id_: str,
    type_: str,
    title: str,
    description: str,
    elements: list[dict[str, Any]],
    *,
    satusehat: str | None = None,
    url: str | None = None,
    kind: str = "resource",
    context: list[str] | None = None,
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "resourceType": "StructureDefinition",
        "id": id_,
        "url": url or f"{EXT}{id_}",
        "version": "0.1.0",
        "name": "".join(p.capitalize() for p in id_.split("-")),
        "title": title,
        "status": "draft",
        "publisher": "ILP FHIR gateway project",
        "description": description,
        "fhirVersion": "4.0.1",
        "kind": kind,
        "abstract": False,
        "type": type_,
        "baseDefinition": f"http://hl7.org/fhir/StructureDefinition/{type_}",
        "derivation": "constraint",
        "differential": {"element": [el(type_), *elements]},
    }
    if satusehat:
        out["extension"] = [{"url": EXT + "satusehat-profile", "valueCanonical": satusehat}]
    if context:
        out["context"] = [{"type": "element", "expression": c} for c in context]
    return out


def write(doc: dict[str, Any]) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    name = ("extension-" if doc["type"] == "Extension" else "") + doc["id"] + ".json"
    (OUT / name).write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
