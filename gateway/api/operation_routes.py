"""Routes of FHIR operations that must match before the generic ``/fhir/{type}/{id}`` routes."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from gateway.api.http import context, negotiate, read_body, respond
from gateway.interactions.common import parse_json
from gateway.interactions.validate import validate_operation

router = APIRouter(prefix="/fhir", tags=["FHIR operations"])


@router.post("/$validate", summary="$validate a resource of any type")
async def validate_system(request: Request) -> Response:
    media = negotiate(request)
    body = parse_json(await read_body(request))
    result = await validate_operation(context(request), body, profile=request.query_params.get("profile"))
    return respond(result, media)


@router.post("/{resource_type}/$validate", summary="$validate a resource of this type")
async def validate_type(request: Request, resource_type: str) -> Response:
    media = negotiate(request)
    body = parse_json(await read_body(request))
    result = await validate_operation(
        context(request), body, resource_type=resource_type, profile=request.query_params.get("profile")
    )
    return respond(result, media)


@router.post("/{resource_type}/{resource_id}/$validate", summary="$validate a resource for this instance")
async def validate_instance(request: Request, resource_type: str, resource_id: str) -> Response:
    media = negotiate(request)
    body = parse_json(await read_body(request))
    result = await validate_operation(
        context(request),
        body,
        resource_type=resource_type,
        resource_id=resource_id,
        profile=request.query_params.get("profile"),
    )
    return respond(result, media)
