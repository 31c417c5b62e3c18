"""Concurrent identical conditional writes against one real gateway process create exactly one resource.

Every client is released at once from a barrier on already-open keep-alive connections, so the
requests reach the server together rather than one after another.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar

import httpx
import pytest

from tests.e2e.conftest import NIK, GatewayProcess, patient

pytestmark = pytest.mark.e2e

N = 50
T = TypeVar("T")


@pytest.fixture
async def http(module_gateway: GatewayProcess) -> AsyncIterator[httpx.AsyncClient]:
    limits = httpx.Limits(max_connections=N + 10, max_keepalive_connections=N + 10)
    async with httpx.AsyncClient(base_url=module_gateway.base_url, timeout=30, limits=limits) as client:
        # open N connections up front so the race below is not serialised by connection set-up
        await asyncio.gather(*(client.get(f"{module_gateway.root_url}/healthz") for _ in range(N)))
        yield client


async def all_at_once(n: int, request: Callable[[int], Awaitable[T]]) -> list[T]:
    """Start ``n`` requests, hold them at a barrier until all are scheduled, then release them together."""
    go, all_ready = asyncio.Event(), asyncio.Event()
    ready = 0

    async def one(i: int) -> T:
        nonlocal ready
        ready += 1
        if ready == n:
            all_ready.set()
        await go.wait()
        return await request(i)

    tasks = [asyncio.create_task(one(i)) for i in range(n)]
    await all_ready.wait()
    go.set()
    return await asyncio.gather(*tasks)


def total(bundle: dict[str, Any]) -> int:
    assert bundle["resourceType"] == "Bundle", bundle
    return int(bundle["total"])


async def test_concurrent_conditional_creates_make_one_patient(http: httpx.AsyncClient) -> None:
    nik = "3171014101900001"
    condition = f"identifier={NIK}|{nik}"

    responses = await all_at_once(
        N,
        lambda i: http.post(
            "/Patient",
            json=patient(nik, family=f"Balapan{i}"),
            headers={"If-None-Exist": condition, "Content-Type": "application/fhir+json"},
        ),
    )

    statuses = Counter(r.status_code for r in responses)
    assert statuses == {201: 1, 200: N - 1}, [r.text for r in responses if r.status_code not in (200, 201)]
    ids = {r.json()["id"] for r in responses}
    assert len(ids) == 1
    [pid] = ids
    assert {r.json()["meta"]["versionId"] for r in responses} == {"1"}
    assert {r.headers["location"].split("/fhir/")[1] for r in responses} == {f"Patient/{pid}/_history/1"}
    winner = next(r for r in responses if r.status_code == 201)
    assert all(r.json() == winner.json() for r in responses)  # the 200s return the stored resource

    found = (await http.get("/Patient", params={"identifier": f"{NIK}|{nik}"})).json()
    assert total(found) == 1
    assert [e["resource"]["id"] for e in found["entry"]] == [pid]
    history = (await http.get(f"/Patient/{pid}/_history")).json()
    assert total(history) == 1


async def test_concurrent_transactions_with_conditional_create_make_one_patient(
    http: httpx.AsyncClient, module_gateway: GatewayProcess
) -> None:
    nik = "3171014101900002"
    patient_urn = "urn:uuid:7c1d2e3f-0000-4000-8000-000000000001"

    def bundle(i: int) -> dict[str, Any]:
        return {
            "resourceType": "Bundle",
            "type": "transaction",
            "entry": [
                {
                    "fullUrl": patient_urn,
                    "resource": patient(nik, family=f"Transaksi{i}"),
                    "request": {"method": "POST", "url": "Patient", "ifNoneExist": f"identifier={NIK}|{nik}"},
                },
                {
                    "fullUrl": f"urn:uuid:7c1d2e3f-0000-4000-8000-{i + 1000:012d}",
                    "resource": {
                        "resourceType": "Observation",
                        "status": "final",
                        "code": {"coding": [{"system": "http://loinc.org", "code": "29463-7"}]},
                        "subject": {"reference": patient_urn},
                        "valueQuantity": {"value": 50 + i, "unit": "kg"},
                    },
                    "request": {"method": "POST", "url": "Observation"},
                },
            ],
        }

    responses = await all_at_once(N, lambda i: http.post(module_gateway.base_url, json=bundle(i)))

    assert [r.status_code for r in responses] == [200] * N, [
        r.text for r in responses if r.status_code != 200
    ]
    bodies = [r.json() for r in responses]
    assert {b["type"] for b in bodies} == {"transaction-response"}
    patient_statuses = Counter(b["entry"][0]["response"]["status"] for b in bodies)
    assert patient_statuses == {"201 Created": 1, "200 OK": N - 1}
    patient_ids = {b["entry"][0]["resource"]["id"] for b in bodies}
    assert len(patient_ids) == 1
    [pid] = patient_ids
    assert {b["entry"][1]["response"]["status"] for b in bodies} == {"201 Created"}
    obs = [b["entry"][1]["resource"] for b in bodies]
    assert len({o["id"] for o in obs}) == N
    assert {o["subject"]["reference"] for o in obs} == {f"Patient/{pid}"}

    found = (await http.get("/Patient", params={"identifier": f"{NIK}|{nik}"})).json()
    assert total(found) == 1
    by_subject = await http.get("/Observation", params={"subject": f"Patient/{pid}", "_summary": "count"})
    assert total(by_subject.json()) == N


async def test_concurrent_entries_of_one_batch_make_one_patient(http: httpx.AsyncClient) -> None:
    """A batch runs its entries concurrently inside the server: the same race, one request."""
    nik = "3171014101900003"
    batch = {
        "resourceType": "Bundle",
        "type": "batch",
        "entry": [
            {
                "resource": patient(nik, family=f"Batch{i}"),
                "request": {"method": "POST", "url": "Patient", "ifNoneExist": f"identifier={NIK}|{nik}"},
            }
            for i in range(N)
        ],
    }
    r = await http.post(str(http.base_url).rstrip("/"), json=batch)
    assert r.status_code == 200, r.text
    entries = r.json()["entry"]
    assert Counter(e["response"]["status"] for e in entries) == {"201 Created": 1, "200 OK": N - 1}
    assert len({e["resource"]["id"] for e in entries}) == 1
    found = (await http.get("/Patient", params={"identifier": f"{NIK}|{nik}"})).json()
    assert total(found) == 1


async def test_concurrent_conditional_updates_make_one_patient(http: httpx.AsyncClient) -> None:
    """PUT Patient?identifier=… by 20 clients at once for an unknown identifier: one create, 19 updates."""
    n = 20
    nik = "3171014101900004"

    responses = await all_at_once(
        n,
        lambda i: http.put(
            "/Patient", params={"identifier": f"{NIK}|{nik}"}, json=patient(nik, family=f"Ubah{i}")
        ),
    )

    statuses = Counter(r.status_code for r in responses)
    assert statuses == {201: 1, 200: n - 1}, [r.text for r in responses if r.status_code not in (200, 201)]
    assert len({r.json()["id"] for r in responses}) == 1
    versions = sorted(int(r.json()["meta"]["versionId"]) for r in responses)
    assert versions == list(range(1, n + 1))  # every update saw the previous one
    found = (await http.get("/Patient", params={"identifier": f"{NIK}|{nik}"})).json()
    assert total(found) == 1
    assert found["entry"][0]["resource"]["meta"]["versionId"] == str(n)
