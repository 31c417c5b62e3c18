"""The CapabilityStatement (https://hl7.org/fhir/R4/capabilitystatement.html), built from what the server
actually supports: the registered search parameters per type, the interactions implemented here.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import Any

from gateway.context import FhirContext
from gateway.search.values import format_instant, now_us

TYPE_INTERACTIONS = (
    "read",
    "vread",
    "update",
    "delete",
    "history-instance",
    "history-type",
    "create",
    "search-type",
)
SYSTEM_INTERACTIONS = ("transaction", "batch", "history-system")
HL7_OPERATION = "http://hl7.org/fhir/OperationDefinition/"
# (resource type or None for system level, operation name, OperationDefinition id)
OPERATIONS = (
    (None, "validate", "Resource-validate"),
    ("CodeSystem", "lookup", "CodeSystem-lookup"),
    ("ValueSet", "validate-code", "ValueSet-validate-code"),
    ("ValueSet", "expand", "ValueSet-expand"),
    ("ConceptMap", "translate", "ConceptMap-translate"),
)


def _software_version() -> str:
    try:
        return version("ilp-gateway")
    except PackageNotFoundError:
        return "0.0.0"


def capability_statement(ctx: FhirContext, base: str) -> dict[str, Any]:
    registry = ctx.registry
    rev: dict[str, list[str]] = {}
    for p in registry.all_params():
        if p.type == "reference":
            for target in p.targets:
                rev.setdefault(target, []).append(f"{p.resource_type}:{p.code}")
    resources = []
    for rtype in sorted(registry.resource_types):
        params = registry.params(rtype)
        resources.append(
            {
                "type": rtype,
                "interaction": [{"code": c} for c in TYPE_INTERACTIONS],
                "versioning": "versioned-update",
                "readHistory": True,
                "updateCreate": True,
                "conditionalCreate": True,
                "conditionalRead": "not-supported",
                "conditionalUpdate": True,
                "conditionalDelete": "single",
                "searchInclude": [f"{rtype}:{p.code}" for p in params if p.type == "reference"],
                "searchRevInclude": sorted(rev.get(rtype, [])),
                "operation": [
                    {"name": name, "definition": HL7_OPERATION + definition}
                    for on, name, definition in OPERATIONS
                    if on == rtype or on is None
                ],
                "searchParam": [
                    {"name": p.code, "definition": p.url, "type": p.type}
                    if p.url
                    else {"name": p.code, "type": p.type}
                    for p in params
                ],
            }
        )
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": format_instant(now_us()),
        "publisher": "ILP FHIR gateway",
        "kind": "instance",
        "software": {"name": "ilp-gateway", "version": _software_version()},
        "implementation": {"description": "ILP FHIR R4 interoperability gateway", "url": base},
        "fhirVersion": "4.0.1",
        "format": ["json", "application/fhir+json"],
        "rest": [
            {
                "mode": "server",
                "documentation": "Search modifiers: :exact, :contains, :missing, :not, :[type], :below, "
                ":above; date/number/quantity prefixes eq ne lt gt le ge sa eb ap; one level of chaining; "
                "_include, "
                "_revinclude, _sort, _count, _summary, _total, _elements. Unknown parameters are ignored "
                "with a warning unless Prefer: handling=strict.",
                "resource": resources,
                "interaction": [{"code": c} for c in SYSTEM_INTERACTIONS],
                "operation": [
                    {"name": name, "definition": HL7_OPERATION + definition}
                    for on, name, definition in OPERATIONS
                    if on is None
                ],
            }
        ],
    }
