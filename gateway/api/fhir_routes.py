"""Routes of the FHIR REST API under ``/fhir`` (https://hl7.org/fhir/R4/http.html).

Each route only translates HTTP ↔ interaction; the order of declaration keeps literal paths
(``metadata``, ``_history``, ``_search``) ahead of ``{type}`` and ``{id}``.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from fastapi.responses import Response

from gateway.api.http import FORM, base_url, context, negotiate, prefer, read_body, respond
from gateway.interactions.bundle import process_bundle
from gateway.interactions.capabilities import capability_statement
from gateway.interactions.common import FhirResult, parse_json, parse_resource
from gateway.interactions.create import create
from gateway.interactions.delete import conditional_delete, delete
from gateway.interactions.history import history
from gateway.interactions.read import read
from gateway.interactions.search import search
from gateway.interactions.update import conditional_update, update
from gateway.interactions.vread import vread

router = APIRouter(prefix="/fhir", tags=["FHIR"])


def _pairs(request: Request) -> list[tuple[str, str]]:
    return request.query_params.multi_items()


@router.get("/metadata", summary="CapabilityStatement")
async def metadata(request: Request) -> Response:
    media = negotiate(request)
    return respond(FhirResult(200, capability_statement(context(request), base_url(request))), media)


@router.post("", summary="transaction or batch Bundle")
@router.post("/", include_in_schema=False)  # a base URL configured with a trailing slash: no 307 round trip
async def bundle(request: Request) -> Response:
    media = negotiate(request)
    body = parse_json(await read_body(request))
    result = await process_bundle(context(request), body, prefer=prefer(request), base=base_url(request))
    return respond(result, media)


@router.get("/_history", summary="history of all resources")
async def history_system(request: Request) -> Response:
    media = negotiate(request)
    return respond(
        await history(context(request), None, None, _pairs(request), base=base_url(request)), media
    )


@router.get("/{resource_type}/_history", summary="history of a type")
async def history_type(request: Request, resource_type: str) -> Response:
    media = negotiate(request)
    result = await history(context(request), resource_type, None, _pairs(request), base=base_url(request))
    return respond(result, media)


@router.post("/{resource_type}/_search", summary="search (form-encoded parameters)")
async def search_post(request: Request, resource_type: str) -> Response:
    media = negotiate(request)
    form = await read_body(request, frozenset({FORM}))
    pairs = _pairs(request) + parse_qsl(form.decode("utf-8", "replace"), keep_blank_values=True)
    return respond(
        await search(context(request), resource_type, pairs, prefer=prefer(request), base=base_url(request)),
        media,
    )


@router.get("/{resource_type}", summary="search")
async def search_type(request: Request, resource_type: str) -> Response:
    media = negotiate(request)
    return respond(
        await search(
            context(request), resource_type, _pairs(request), prefer=prefer(request), base=base_url(request)
        ),
        media,
    )


@router.post("/{resource_type}", summary="create (If-None-Exist: conditional create)")
async def create_type(request: Request, resource_type: str) -> Response:
    media = negotiate(request)
    resource = parse_resource(await read_body(request), resource_type)
    result = await create(
        context(request),
        resource_type,
        resource,
        if_none_exist=request.headers.get("if-none-exist"),
        prefer=prefer(request),
        base=base_url(request),
    )
    return respond(result, media)


@router.put("/{resource_type}", summary="conditional update")
async def conditional_update_type(request: Request, resource_type: str) -> Response:
    media = negotiate(request)
    resource = parse_resource(await read_body(request), resource_type)
    result = await conditional_update(
        context(request),
        resource_type,
        request.url.query,
        resource,
        if_match=request.headers.get("if-match"),
        prefer=prefer(request),
        base=base_url(request),
    )
    return respond(result, media)


@router.delete("/{resource_type}", summary="conditional delete")
async def conditional_delete_type(request: Request, resource_type: str) -> Response:
    media = negotiate(request)
    return respond(await conditional_delete(context(request), resource_type, request.url.query), media)


@router.api_route("/{resource_type}/{resource_id}", methods=["GET", "HEAD"], summary="read")
async def read_instance(request: Request, resource_type: str, resource_id: str) -> Response:
    media = negotiate(request)
    result = await read(
        context(request), resource_type, resource_id, if_none_match=request.headers.get("if-none-match")
    )
    return respond(result, media)


@router.put("/{resource_type}/{resource_id}", summary="update (or create with a client id)")
async def update_instance(request: Request, resource_type: str, resource_id: str) -> Response:
    media = negotiate(request)
    resource = parse_resource(await read_body(request), resource_type)
    result = await update(
        context(request),
        resource_type,
        resource_id,
        resource,
        if_match=request.headers.get("if-match"),
        prefer=prefer(request),
        base=base_url(request),
    )
    return respond(result, media)


@router.delete("/{resource_type}/{resource_id}", summary="delete")
async def delete_instance(request: Request, resource_type: str, resource_id: str) -> Response:
    media = negotiate(request)
    result = await delete(
        context(request), resource_type, resource_id, if_match=request.headers.get("if-match")
    )
    return respond(result, media)


@router.get("/{resource_type}/{resource_id}/_history", summary="history of one resource")
async def history_instance(request: Request, resource_type: str, resource_id: str) -> Response:
    media = negotiate(request)
    result = await history(
        context(request), resource_type, resource_id, _pairs(request), base=base_url(request)
    )
    return respond(result, media)


@router.get("/{resource_type}/{resource_id}/_history/{version_id}", summary="vread")
async def vread_instance(request: Request, resource_type: str, resource_id: str, version_id: str) -> Response:
    media = negotiate(request)
    return respond(await vread(context(request), resource_type, resource_id, version_id), media)
