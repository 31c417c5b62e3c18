"""The one place errors become HTTP responses: always an OperationOutcome, never ``{"detail": …}``.

Client errors are logged at warning level (message id only), faults at error level; request bodies are
never logged (they hold NIK and health data).
"""

from __future__ import annotations

import logging

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from gateway.errors import Category, GatewayError, fail

log = logging.getLogger("gateway.api")
MEDIA = "application/fhir+json; charset=utf-8"


def outcome_response(err: GatewayError) -> Response:
    return Response(
        orjson.dumps(err.outcome()), status_code=err.status, headers=err.headers, media_type=MEDIA
    )


def allowed_methods(request: Request) -> list[str]:
    """Every method some route accepts on this path (for the Allow header of a 405)."""
    methods: set[str] = set()
    for route in request.app.state.route_table:
        match, _ = route.matches({**request.scope, "method": "__none__"})
        if match != Match.NONE:
            methods |= set(getattr(route, "methods", None) or ())
    return sorted(methods)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(GatewayError)
    async def _gateway(request: Request, err: GatewayError) -> Response:
        level = logging.ERROR if err.status >= 500 else logging.WARNING
        log.log(
            level,
            "%s %s -> %s %s",
            request.method,
            request.url.path,
            err.status,
            ",".join(i.message_id for i in err.issues),
        )
        return outcome_response(err)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 405:
            err = fail(
                Category.NOT_ALLOWED,
                "ILP-1006",
                f"{request.method} is not allowed on {request.url.path}",
                code="not-supported",
            )
            err.headers["Allow"] = ", ".join(allowed_methods(request))
        elif exc.status_code == 404:
            err = fail(
                Category.NOT_FOUND, "ILP-1000", f"No FHIR endpoint at {request.url.path}", code="not-found"
            )
        else:
            category = next((c for c in Category if c.value == exc.status_code), Category.INVALID)
            err = fail(category, "ILP-1007", str(exc.detail), code="processing")
        return outcome_response(err)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()) if p not in ("body", "query", "path"))
        return outcome_response(
            fail(
                Category.INVALID,
                "ILP-1008",
                f"Invalid request: {first.get('msg', 'invalid')}",
                code="invalid",
                expression=where or None,
            )
        )

    @app.exception_handler(Exception)
    async def _fault(request: Request, exc: Exception) -> Response:
        log.error("unhandled %s on %s %s", type(exc).__name__, request.method, request.url.path, exc_info=exc)
        return outcome_response(
            fail(
                Category.FAULT,
                "ILP-9001",
                "Internal server error; the request was not completed",
                code="exception",
            )
        )
