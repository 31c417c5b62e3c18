"""Operational endpoints: ``/healthz`` (liveness + store reachability) and ``/metrics`` (Prometheus text)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse

from gateway.api.http import context

router = APIRouter(tags=["operations"])


@router.get("/healthz", summary="liveness and store check")
async def healthz(request: Request) -> JSONResponse:
    count = await context(request).store.count()
    return JSONResponse({"status": "ok", "resources": count})


@router.get("/metrics", summary="Prometheus metrics")
async def metrics(request: Request) -> PlainTextResponse:
    ctx = context(request)
    counter = request.app.state.requests
    lines = [
        "# HELP ilp_gateway_resources Current (not deleted) resources in the store.",
        "# TYPE ilp_gateway_resources gauge",
        f"ilp_gateway_resources {await ctx.store.count()}",
        "# HELP ilp_gateway_http_requests_total HTTP requests answered, by status code.",
        "# TYPE ilp_gateway_http_requests_total counter",
    ]
    lines += [f'ilp_gateway_http_requests_total{{status="{s}"}} {n}' for s, n in sorted(counter.items())]
    return PlainTextResponse("\n".join(lines) + "\n", media_type="text/plain; version=0.0.4")
