"""Routes of the terminology operations and of read/search of CodeSystem, ValueSet and ConceptMap.

Included before ``fhir_routes`` so ``/fhir/CodeSystem/$lookup`` is not taken for a read of id
``$lookup``. Operations accept GET (query parameters) and POST (a ``Parameters`` body), as
https://hl7.org/fhir/R4/operations.html#executing allows. Each route only translates HTTP ↔ interaction.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from fastapi.responses import Response

from gateway.api.http import FORM, base_url, context, negotiate, prefer, read_body, respond
from gateway.context import FhirContext
from gateway.interactions import terminology as ops
from gateway.interactions.common import FhirResult, parse_json
from gateway.interactions.history import history
from gateway.interactions.parameters import OperationInput
from gateway.interactions.read import read
from gateway.interactions.terminology_resources import TERMINOLOGY_TYPES, read_packaged, search_packaged

router = APIRouter(prefix="/fhir", tags=["FHIR terminology"])

Operation = Callable[[FhirContext, OperationInput], FhirResult]


async def _inputs(request: Request) -> OperationInput:
    query = request.query_params.multi_items()
    if request.method != "POST":
        return OperationInput.from_query(query)
    params = OperationInput.from_parameters(parse_json(await read_body(request)))
    for name, values in OperationInput.from_query(query).values.items():
        params.values.setdefault(name, values)
    return params


def _operation(operation: Operation) -> Callable[[Request], Awaitable[Response]]:
    async def handler(request: Request) -> Response:
        media = negotiate(request)
        return respond(operation(context(request), await _inputs(request)), media)

    return handler


OPERATIONS: list[tuple[str, Operation, str]] = [
    ("/CodeSystem/$lookup", ops.lookup, "CodeSystem $lookup"),
    ("/ValueSet/$validate-code", ops.validate_code, "ValueSet $validate-code"),
    ("/ValueSet/$expand", ops.expand, "ValueSet $expand"),
    ("/ConceptMap/$translate", ops.translate, "ConceptMap $translate"),
]
for _path, _op, _summary in OPERATIONS:
    router.add_api_route(_path, _operation(_op), methods=["GET", "POST"], summary=_summary)


def _search(resource_type: str) -> Callable[[Request], Awaitable[Response]]:
    async def handler(request: Request) -> Response:
        media = negotiate(request)
        pairs = request.query_params.multi_items()
        if request.method == "POST":
            form = await read_body(request, frozenset({FORM}))
            pairs += parse_qsl(form.decode("utf-8", "replace"), keep_blank_values=True)
        result = search_packaged(
            context(request), resource_type, pairs, prefer=prefer(request), base=base_url(request)
        )
        return respond(result, media)

    return handler


def _read(resource_type: str) -> Callable[[Request, str], Awaitable[Response]]:
    async def handler(request: Request, resource_id: str) -> Response:
        media = negotiate(request)
        ctx = context(request)
        if resource_id == "_history":  # this route shadows fhir_routes' type history
            pairs = request.query_params.multi_items()
            return respond(await history(ctx, resource_type, None, pairs, base=base_url(request)), media)
        result = read_packaged(ctx, resource_type, resource_id)
        if result is None:  # not a packaged resource: one a client stored, if any
            result = await read(
                ctx, resource_type, resource_id, if_none_match=request.headers.get("if-none-match")
            )
        return respond(result, media)

    return handler


for _type in sorted(TERMINOLOGY_TYPES):
    router.add_api_route(
        f"/{_type}", _search(_type), methods=["GET"], summary=f"search {_type} (terminology)"
    )
    router.add_api_route(
        f"/{_type}/_search", _search(_type), methods=["POST"], summary=f"search {_type} (form-encoded)"
    )
    router.add_api_route(
        f"/{_type}/{{resource_id}}", _read(_type), methods=["GET", "HEAD"], summary=f"read {_type}"
    )
