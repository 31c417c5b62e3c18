"""Routes of record mapping and ingest (docs/records/README.md); each only translates HTTP ↔ interaction.

* ``POST /map/{record-type}``: JSON (``application/json``) or CSV (``text/csv``) records → Bundles and
  issues, nothing stored; ``?validate=false`` skips profile validation.
* ``POST /ingest/{record-type}``: the same records mapped, validated and stored, one transaction per
  record; a result per row. A 10,000-row CSV is one request.

Bodies over ``GATEWAY_MAX_BODY_BYTES`` get 413; other media types 415; errors are OperationOutcomes.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from gateway.api.http import JSON_TYPES, context, read_body, respond
from gateway.interactions import mapping
from mappers.reader import detect_format

router = APIRouter(tags=["ILP records"])
RECORD_TYPES = JSON_TYPES | {"text/csv", "application/csv"}
MEDIA = "application/json"


@router.post("/map/{record_type}", summary="Map source records to transaction Bundles (nothing stored)")
async def map_records(record_type: str, request: Request) -> Response:
    ctx = context(request)
    mapping.check_record_type(ctx, record_type)
    body = await read_body(request, RECORD_TYPES)
    fmt = detect_format(request.headers.get("content-type"))
    validate = request.query_params.get("validate", "true").lower() != "false"
    return respond(mapping.map_only(ctx, record_type, body, fmt, validate=validate), MEDIA)


@router.post("/ingest/{record_type}", summary="Map, validate and store source records")
async def ingest_records(record_type: str, request: Request) -> Response:
    ctx = context(request)
    mapping.check_record_type(ctx, record_type)
    body = await read_body(request, RECORD_TYPES)
    fmt = detect_format(request.headers.get("content-type"))
    return respond(await mapping.ingest(ctx, record_type, body, fmt), MEDIA)
