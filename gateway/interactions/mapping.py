"""Mapping and ingest of source records (HTTP-free; the routes are in gateway/api/mapping_routes.py).

* ``map``: rows → Bundles + issues (contract, mapper and, unless asked not to, validation against the
  R4 and ILP profiles); nothing is stored.
* ``ingest``: the pipeline of :mod:`gateway.ingest`; a result per row.

Both answer ``{"record_type", "rows", <counts>, "results": [...]}`` with one result per input row, in row
order (docs/records/README.md). An unknown record type is a 404, input that cannot be read at all a 400.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import orjson

from gateway.context import FhirContext
from gateway.errors import Category, fail
from gateway.ingest import Ingest, issue_json
from gateway.interactions.common import FhirResult
from mappers.base import MappingContext
from mappers.pipeline import map_records
from mappers.reader import Format, ReaderError, SourceRow, read_records

UNKNOWN_TYPE = "ILP-6021"


def check_record_type(ctx: FhirContext, record_type: str) -> None:
    if record_type not in ctx.mappers:
        known = ", ".join(ctx.mappers.record_types)
        raise fail(
            Category.NOT_FOUND,
            UNKNOWN_TYPE,
            f"No mapper for record type '{record_type}'; known record types: {known}",
            code="not-found",
        )


def rows_of(ctx: FhirContext, record_type: str, body: bytes, fmt: Format) -> Iterator[SourceRow]:
    """The rows of a request body; 400 when the body cannot be read at all."""
    check_record_type(ctx, record_type)
    try:
        return read_records(body, fmt, ctx.mappers.contract(record_type))
    except ReaderError as exc:
        raise fail(Category.INVALID, exc.message_id, exc.message, code="structure") from None


def map_only(
    ctx: FhirContext, record_type: str, body: bytes, fmt: Format, *, validate: bool = True
) -> FhirResult:
    rows = rows_of(ctx, record_type, body, fmt)
    mapping = MappingContext(ctx.terminology, datetime.now(UTC))
    validator = ctx.validator if validate else None
    results: list[dict[str, Any]] = []
    mapped = 0
    for r in map_records(record_type, rows, mapping, ctx.mappers, validator=validator):
        mapped += r.ok
        results.append(
            {
                "row": r.row,
                "record_id": r.record_id,
                "status": "mapped" if r.ok else "failed",
                "bundle": r.bundle,
                "issues": [issue_json(i) for i in r.issues],
            }
        )
    summary = {
        "record_type": record_type,
        "rows": len(results),
        "mapped": mapped,
        "failed": len(results) - mapped,
    }
    return FhirResult(200, orjson.dumps({**summary, "results": results}))


async def ingest(ctx: FhirContext, record_type: str, body: bytes, fmt: Format) -> FhirResult:
    rows = rows_of(ctx, record_type, body, fmt)
    results: list[dict[str, Any]] = []
    stored = 0
    async for r in Ingest(ctx, record_type).run(rows):
        stored += r.status == "stored"
        results.append(r.to_json())
    summary = {
        "record_type": record_type,
        "rows": len(results),
        "stored": stored,
        "failed": len(results) - stored,
    }
    return FhirResult(200, orjson.dumps({**summary, "results": results}))
