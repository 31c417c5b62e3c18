"""HTTP conventions of the FHIR API (https://hl7.org/fhir/R4/http.html#mime-type, #general).

JSON only: ``application/fhir+json`` (also ``application/json``). An XML body or ``_format=xml`` gets 415;
an ``Accept`` that admits only XML gets 406. Bodies over the configured limit get 413 before they are read
in full.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from gateway import fhir_json
from gateway.context import FhirContext
from gateway.errors import Category, fail
from gateway.interactions.common import FhirResult, Prefer

FHIR_JSON = "application/fhir+json"
JSON_TYPES = frozenset({"application/fhir+json", "application/json", "application/json+fhir", "text/json"})
JSON_FORMATS = JSON_TYPES | {"json"}
XML_MARKERS = ("xml",)


def context(request: Request) -> FhirContext:
    ctx: FhirContext = request.app.state.ctx
    return ctx


def base_url(request: Request) -> str:
    configured = context(request).settings.base_url
    return configured or str(request.base_url).rstrip("/") + "/fhir"


def prefer(request: Request) -> Prefer:
    return Prefer.parse(request.headers.get("prefer"))


def negotiate(request: Request) -> str:
    """The response media type; raises 415/406 for XML (this server speaks JSON only)."""
    fmt = request.query_params.get("_format")
    if fmt is not None:
        if fmt.split(";")[0].strip() not in JSON_FORMATS:
            raise fail(
                Category.UNSUPPORTED_MEDIA,
                "ILP-1105",
                f"_format '{fmt}' is not supported; this server speaks FHIR JSON only (_format=json)",
                code="not-supported",
                expression="_format",
            )
        return FHIR_JSON
    accept = request.headers.get("accept", "")
    kinds = [a.split(";")[0].strip().lower() for a in accept.split(",") if a.strip()]
    if kinds and not any(k in JSON_TYPES or k in ("*/*", "application/*") for k in kinds):
        raise fail(
            Category.NOT_ACCEPTABLE,
            "ILP-1111",
            f"Accept '{accept}' admits no JSON; this server speaks FHIR JSON only",
            code="not-supported",
        )
    if "application/json" in kinds and FHIR_JSON not in kinds:
        return "application/json"
    return FHIR_JSON


FORM = "application/x-www-form-urlencoded"


async def read_body(request: Request, accept: frozenset[str] = JSON_TYPES) -> bytes:
    """The request body, refusing other media types such as XML (415) and anything over
    ``max_body_bytes`` (413)."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype and ctype not in accept:
        wanted = "application/fhir+json" if accept is JSON_TYPES else " or ".join(sorted(accept))
        raise fail(
            Category.UNSUPPORTED_MEDIA,
            "ILP-1105",
            f"Content-Type '{ctype}' is not supported; send {wanted}",
            code="not-supported",
        )
    limit = context(request).settings.max_body_bytes
    declared = request.headers.get("content-length")
    # ASCII digits only: str.isdigit admits "²", which int() refuses
    if declared is not None and declared.isascii() and declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(limit: int) -> Exception:
    return fail(
        Category.TOO_LARGE,
        "ILP-1104",
        f"The request body is larger than the limit of {limit} bytes",
        code="too-costly",
    )


def respond(result: FhirResult, media_type: str) -> Response:
    body = result.body
    content = fhir_json.dumps(body) if isinstance(body, dict) else body or b""
    if result.status in (204, 304) or body is None:
        return Response(status_code=result.status, headers=result.headers)
    return Response(
        content, status_code=result.status, headers=result.headers, media_type=f"{media_type}; charset=utf-8"
    )
