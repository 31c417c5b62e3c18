"""The ingest pipeline: source records → validated transaction Bundles in the store, one result per row.

One clear sequence of steps per row (:meth:`Ingest.run`):

1. **read**: rows from JSON or CSV (:mod:`mappers.reader`; done by the caller, rows arrive lazily);
2. **contract**: the record type's JSON Schema (:mod:`mappers.contract`);
3. **map**: the record type's mapper → one transaction Bundle (:mod:`mappers.pipeline`);
4. **validate**: R4 + ILP profiles (default profiles applied) and references that leave the Bundle checked
   against the store, under ``GATEWAY_VALIDATION`` (reject: a Bundle with errors is not stored; warn:
   stored, issues reported; off: not validated);
5. **store**: the Bundle as one atomic transaction (``ResourceStore.transaction``; Patients by conditional
   create, the rest by PUT with deterministic ids, Practitioner references resolved by NIK);
6. **forward**: (a later issue) hand the stored Bundle to the national-platform outbox: hook in
   :meth:`Ingest.forward`;
7. **result**: row, record id, status, the stored resources and every issue.

Rows are independent: a row that fails at any step is reported and the others go on, so rows in = stored +
failed. Store transactions of consecutive rows run concurrently (at most ``concurrency`` in flight) so the
store's group commit shares one fsync among many rows; results come back in row order.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from gateway.context import FhirContext
from gateway.errors import GatewayError
from gateway.interactions.bundle import status_line
from gateway.store.base import EntryResult, WriteEntry
from gateway.validation import ValidationMode, validate
from mappers.base import MappingContext, MapResult, RecordIssue
from mappers.pipeline import map_records, with_validation
from mappers.reader import SourceRow

DEFAULT_CONCURRENCY = 64


@dataclass(slots=True)
class StoredRef:
    reference: str  # Type/id
    status: int  # 201 created, 200 updated or matched (conditional create)


@dataclass(slots=True)
class RowResult:
    """What happened to one input row."""

    row: int
    record_id: str | None
    status: str  # stored | failed
    resources: list[StoredRef] = field(default_factory=list)
    issues: list[RecordIssue] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "record_id": self.record_id,
            "status": self.status,
            "resources": [
                {"reference": r.reference, "status": status_line(r.status)} for r in self.resources
            ],
            "issues": [issue_json(i) for i in self.issues],
        }


def issue_json(issue: RecordIssue) -> dict[str, Any]:
    return {
        "severity": issue.severity,
        "message_id": issue.message_id,
        "field": issue.field,
        "message": issue.message,
    }


def write_entries(ctx: FhirContext, bundle: dict[str, Any]) -> list[WriteEntry]:
    """The store's writes for a mapper's Bundle (PUT ``Type/id`` or POST with ``ifNoneExist``)."""
    out: list[WriteEntry] = []
    for i, entry in enumerate(bundle["entry"]):
        resource, request, where = entry["resource"], entry["request"], f"Bundle.entry[{i}]"
        rtype = resource["resourceType"]
        if request["method"] == "PUT":
            rid = request["url"].split("/", 1)[1]
            out.append(
                WriteEntry(
                    "PUT", rtype, id=rid, resource=resource, full_url=entry["fullUrl"], expression=where
                )
            )
        else:
            condition = request.get("ifNoneExist")
            out.append(
                WriteEntry(
                    "POST",
                    rtype,
                    resource=resource,
                    full_url=entry["fullUrl"],
                    if_none_exist=ctx.parse_conditional(rtype, condition) if condition else None,
                    expression=where,
                )
            )
    return out


class Ingest:
    """Ingest rows of one record type into the gateway's store (see the module docstring)."""

    def __init__(self, ctx: FhirContext, record_type: str, *, concurrency: int = DEFAULT_CONCURRENCY) -> None:
        self.ctx = ctx
        self.record_type = record_type
        self.concurrency = max(1, concurrency)
        self.mode = ValidationMode(ctx.settings.validation)
        self._known: dict[tuple[str, str], bool] = {}  # references checked against the store in this run

    async def run(self, rows: Iterable[SourceRow]) -> AsyncIterator[RowResult]:
        inflight: deque[asyncio.Future[RowResult]] = deque()
        try:
            for n, mapped in enumerate(self.map(rows)):  # steps 1–3: read, contract, map
                checked = await self.validate(mapped)  # step 4
                inflight.append(asyncio.ensure_future(self.store_and_forward(checked)))  # steps 5–6
                if len(inflight) >= self.concurrency:
                    yield await inflight.popleft()  # step 7, in row order
                if n % 32 == 31:
                    await asyncio.sleep(0)  # let the commits and other requests run
            while inflight:
                yield await inflight.popleft()
        finally:
            for pending in inflight:
                pending.cancel()

    # ----------------------------------------------------------------------------------------- steps
    def map(self, rows: Iterable[SourceRow]) -> Iterator[MapResult]:
        """Steps 2–3: the contract and the mapper."""
        mapping = MappingContext(self.ctx.terminology, datetime.now(UTC))
        return map_records(self.record_type, rows, mapping, self.ctx.mappers)

    async def validate(self, result: MapResult) -> MapResult:
        """Step 4: profiles (defaults applied) and references to resources outside the Bundle."""
        if result.bundle is None or self.mode is ValidationMode.OFF:
            return result
        issues = await validate(
            self.ctx.validator, self.ctx.store, result.bundle, defaults=True, known=self._known
        )
        out = with_validation(result, issues)
        if self.mode is ValidationMode.WARN and out.bundle is None:
            out.bundle = result.bundle  # warn: stored all the same, the issues are reported
        return out

    async def store_and_forward(self, result: MapResult) -> RowResult:
        """Steps 5–7 for one row."""
        if result.bundle is None:
            return RowResult(result.row, result.record_id, "failed", issues=result.issues)
        try:
            stored = await self.store(result.bundle)
        except GatewayError as err:
            found = [
                RecordIssue(result.row, i.expression[0] if i.expression else "", i.diagnostics, i.message_id)
                for i in err.issues
            ]
            return RowResult(result.row, result.record_id, "failed", issues=[*result.issues, *found])
        await self.forward(result.bundle, stored)
        refs = [StoredRef(r.stored.reference, r.status) for r in stored if r.stored is not None]
        return RowResult(result.row, result.record_id, "stored", refs, result.issues)

    async def store(self, bundle: dict[str, Any]) -> list[EntryResult]:
        """Step 5: one atomic transaction per record."""
        return await self.ctx.store.transaction(write_entries(self.ctx, bundle))

    async def forward(self, bundle: dict[str, Any], stored: list[EntryResult]) -> None:
        """Step 6: forwarding to the national platform and the PWS hooks in here (a later issue)."""
