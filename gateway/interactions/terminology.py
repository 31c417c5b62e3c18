"""The terminology operations over :class:`terminology.service.TerminologyService`, without HTTP.

* ``CodeSystem/$lookup`` (https://hl7.org/fhir/R4/codesystem-operation-lookup.html): ``system`` + ``code``
  (or ``coding``) → Parameters ``name``, ``version``, ``display``, ``property`` (parent, inactive,
  notSelectable, definition and the code system's own properties). Unknown system or code: 404.
* ``ValueSet/$validate-code`` (https://hl7.org/fhir/R4/valueset-operation-validate-code.html): ``url``
  (else the code system ``system`` alone), ``code`` + ``system`` + ``display``, or ``coding``, or
  ``codeableConcept`` (valid when one of its codings is), ``abstract`` → Parameters ``result``,
  ``message``, ``display``. An unknown value set is a 404; an unknown code or system is ``result=false``.
* ``ValueSet/$expand`` (https://hl7.org/fhir/R4/valueset-operation-expand.html): ``url``, ``filter``,
  ``count`` (at most 1000 per page), ``offset`` → the ValueSet with an ``expansion``. Unknown value set:
  404; one that includes a system that cannot be listed here (MIME types, currencies): 422 ``too-costly``.
* ``ConceptMap/$translate`` (https://hl7.org/fhir/R4/conceptmap-operation-translate.html): ``url`` or
  ``system`` + ``code`` (or ``coding``), ``targetsystem``, ``target``, ``reverse`` → Parameters ``result``,
  ``message``, ``match`` (equivalence, concept, source).
"""

from __future__ import annotations

import uuid
from typing import Any

from gateway.context import FhirContext
from gateway.errors import Category, fail
from gateway.interactions.common import FhirResult
from gateway.interactions.parameters import OperationInput, missing, parameter, parameters
from gateway.search.values import format_instant, now_us
from terminology.model import ExpansionResult, LookupResult, Reason, ValidationResult

VALUE_SET_METADATA = ("id", "url", "version", "name", "title", "status", "publisher", "copyright")


def _system_and_code(params: OperationInput) -> tuple[str, str]:
    coding = params.coding("coding")
    if coding is not None:
        if not isinstance(coding.get("system"), str):
            raise missing("coding.system")
        return coding["system"], coding["code"]
    code = params.string("code", required=True)
    system = params.string("system", required=True)
    assert code is not None and system is not None
    return system, code


# --------------------------------------------------------------------------------------------- $lookup
def lookup(ctx: FhirContext, params: OperationInput) -> FhirResult:
    system, code = _system_and_code(params)
    found = ctx.terminology.lookup(system, code)
    if found.reason is Reason.UNKNOWN_SYSTEM:
        raise fail(Category.NOT_FOUND, "ILP-5000", str(found.message), code="not-found", expression="system")
    if found.concept is None:
        raise fail(Category.NOT_FOUND, "ILP-5001", str(found.message), code="not-found", expression="code")
    return FhirResult(200, parameters(_lookup_parameters(found)))


def _lookup_parameters(found: LookupResult) -> list[Any]:
    concept, info = found.concept, found.info
    assert concept is not None and info is not None
    items = [parameter("name", info.name)]
    if info.version:
        items.append(parameter("version", info.version))
    items.append(parameter("display", concept.display or concept.code))

    def prop(code: str, value: Any, kind: str) -> Any:
        return parameter(
            "property", part=[parameter("code", code, kind="valueCode"), parameter("value", value, kind=kind)]
        )

    if concept.definition:
        items.append(prop("definition", concept.definition, "valueString"))
    if concept.parent:
        items.append(prop("parent", concept.parent, "valueCode"))
    items.append(prop("inactive", concept.inactive, "valueBoolean"))
    if concept.abstract:
        items.append(prop("notSelectable", True, "valueBoolean"))
    for name, value in concept.properties:
        if name in ("inactive", "notSelectable", "parent"):
            continue
        kind = (
            "valueBoolean"
            if isinstance(value, bool)
            else "valueInteger"
            if isinstance(value, int)
            else "valueCode"
        )
        items.append(prop(name, value, kind))
    return items


# -------------------------------------------------------------------------------------- $validate-code
def validate_code(ctx: FhirContext, params: OperationInput) -> FhirResult:
    url = params.string("url")
    abstract = params.boolean("abstract") or False
    display = params.string("display")
    svc = ctx.terminology
    concept_codings = params.codings_of_concept("codeableConcept")
    coding = params.coding("coding")
    if concept_codings is not None:
        candidates = [(c.get("system"), c["code"], c.get("display")) for c in concept_codings]
    elif coding is not None:
        candidates = [(coding.get("system"), coding["code"], coding.get("display"))]
    else:
        code = params.string("code", required=True)
        assert code is not None
        candidates = [(params.string("system"), code, display)]
    if url is None and all(not isinstance(s, str) for s, _, _ in candidates):
        raise missing("url")
    results: list[ValidationResult] = []
    for system, code, shown in candidates:
        sys = system if isinstance(system, str) else None
        result = svc.validate_code(code, system=sys, url=url, display=shown, abstract=abstract)
        if result.reason is Reason.UNKNOWN_VALUE_SET:
            raise fail(
                Category.NOT_FOUND, "ILP-5002", str(result.message), code="not-found", expression="url"
            )
        results.append(result)
        if result.result:
            break
    best = next((r for r in results if r.result), results[-1])
    items = [parameter("result", best.result, kind="valueBoolean")]
    messages = [r.message for r in results if r.message and (r is best or not best.result)]
    if messages:
        items.append(parameter("message", "; ".join(messages)))
    if best.display:
        items.append(parameter("display", best.display))
    return FhirResult(200, parameters(items))


# --------------------------------------------------------------------------------------------- $expand
def expand(ctx: FhirContext, params: OperationInput) -> FhirResult:
    url = params.string("url", required=True)
    assert url is not None
    filter_ = (
        params.string("filter") if "filter" in params.values and params.values["filter"][0].value else None
    )
    count = params.integer("count")
    offset = params.integer("offset") or 0
    result = ctx.terminology.expand(url, filter=filter_, count=count, offset=offset)
    if result.reason is Reason.UNKNOWN_VALUE_SET:
        raise fail(Category.NOT_FOUND, "ILP-5002", str(result.message), code="not-found", expression="url")
    if not result.ok:
        raise fail(
            Category.UNPROCESSABLE, "ILP-5004", str(result.message), code="too-costly", expression="url"
        )
    resource = ctx.terminology.catalog.by_canonical("ValueSet", url) or {}
    return FhirResult(200, _expanded_value_set(resource, result, count))


def _expanded_value_set(
    resource: dict[str, Any], result: ExpansionResult, count: int | None
) -> dict[str, Any]:
    out: dict[str, Any] = {"resourceType": "ValueSet"}
    out.update({k: resource[k] for k in VALUE_SET_METADATA if k in resource})
    used: list[Any] = []
    if result.filter:
        used.append(parameter("filter", result.filter))
    if count is not None:
        used.append(parameter("count", count, kind="valueInteger"))
    used.append(parameter("offset", result.offset, kind="valueInteger"))
    contains = []
    for entry in result.contains:
        item: dict[str, Any] = {"system": entry.system, "code": entry.code}
        if entry.display:
            item["display"] = entry.display
        if entry.inactive:
            item["inactive"] = True
        contains.append(item)
    expansion: dict[str, Any] = {
        "identifier": f"urn:uuid:{uuid.uuid4()}",
        "timestamp": format_instant(now_us()),
        "total": result.total,
        "offset": result.offset,
        "parameter": used,
    }
    if contains:
        expansion["contains"] = contains
    out["expansion"] = expansion
    return out


# ------------------------------------------------------------------------------------------ $translate
def translate(ctx: FhirContext, params: OperationInput) -> FhirResult:
    url = params.string("url")
    system, code = _system_and_code(params)
    result = ctx.terminology.translate(
        system,
        code,
        url=url,
        target_system=params.string("targetsystem"),
        target=params.string("target"),
        reverse=params.boolean("reverse") or False,
    )
    if result.reason is Reason.UNKNOWN_CONCEPT_MAP:
        raise fail(Category.NOT_FOUND, "ILP-5003", str(result.message), code="not-found", expression="url")
    items = [parameter("result", result.result, kind="valueBoolean")]
    if result.message:
        items.append(parameter("message", result.message))
    for match in result.matches:
        concept: dict[str, Any] = {"system": match.system, "code": match.code}
        if match.display:
            concept["display"] = match.display
        part = [parameter("equivalence", match.equivalence, kind="valueCode")]
        if match.code:
            part.append(parameter("concept", concept, kind="valueCoding"))
        part.append(parameter("source", match.source, kind="valueUri"))
        items.append(parameter("match", part=part))
    return FhirResult(200, parameters(items))
