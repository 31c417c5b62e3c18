"""Shared fixtures: definitions are loaded once per session; every store and app gets a fresh database."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from gateway.app import create_app
from gateway.context import FhirContext, build_context
from gateway.search.parse import SearchParser
from gateway.search.query import SearchQuery
from gateway.search.registry import SearchRegistry
from gateway.settings import Settings
from gateway.store.base import ResourceStore
from profiles.definitions import R4Definitions

NIK = "https://fhir.kemkes.go.id/id/nik"


@pytest.fixture(scope="session")
def definitions() -> R4Definitions:
    return R4Definitions.load()


@pytest.fixture(scope="session")
def registry(definitions: R4Definitions) -> SearchRegistry:
    return SearchRegistry(definitions)


@pytest.fixture(scope="session")
def parser(registry: SearchRegistry) -> SearchParser:
    return SearchParser(registry)


@pytest.fixture
def q(parser: SearchParser) -> Callable[..., SearchQuery]:
    """``q("Patient", identifier="x|y")`` or ``q("Patient", [("a", "1"), ("a", "2")])``."""

    def build(rtype: str, pairs: list[tuple[str, str]] | None = None, **params: str) -> SearchQuery:
        return parser.parse(rtype, [*(pairs or []), *params.items()], strict=True)

    return build


STORE_BACKENDS = ["sqlite"]


@pytest.fixture(params=STORE_BACKENDS)
async def ctx(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[FhirContext]:
    """A started context on a fresh store, once per backend: the contract suite runs against each."""
    settings = Settings(store_url=f"sqlite:///{tmp_path}/store.db")
    context = build_context(settings)
    await context.store.start()
    try:
        yield context
    finally:
        await context.store.stop()


@pytest.fixture
def store(ctx: FhirContext) -> ResourceStore:
    return ctx.store


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(store_url=f"sqlite:///{tmp_path}/api.db", base_url="http://test/fhir")


@asynccontextmanager
async def app_client(
    settings: Settings, *, raise_app_exceptions: bool = True
) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client bound to a fresh app built from ``settings`` (lifespan run) through ASGI, base
    ``http://test``. ``raise_app_exceptions=False``: an unhandled error comes back as the app's 500."""
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=raise_app_exceptions)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://test") as c,
    ):
        yield c


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client bound to a fresh app (lifespan run) through ASGI, base ``http://test``."""
    async with app_client(settings) as c:
        yield c


def patient(nik: str = "3171014101900001", family: str = "Aminah", **extra: Any) -> dict[str, Any]:
    return {
        "resourceType": "Patient",
        "identifier": [{"system": NIK, "value": nik}],
        "name": [{"family": family, "given": ["Siti"]}],
        "gender": "female",
        "birthDate": "1990-01-01",
        **extra,
    }


def observation(subject: str, value: float, code: str = "29463-7", **extra: Any) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "status": "final",
        "category": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                        "code": "vital-signs",
                    }
                ]
            }
        ],
        "code": {"coding": [{"system": "http://loinc.org", "code": code}]},
        "subject": {"reference": subject},
        "effectiveDateTime": "2024-03-12T09:10:00+07:00",
        "valueQuantity": {"value": value, "unit": "kg", "system": "http://unitsofmeasure.org", "code": "kg"},
        **extra,
    }


def outcome_codes(body: dict[str, Any]) -> list[str]:
    return [i["details"]["coding"][0]["code"] for i in body["issue"]]
