"""POST /map/{record-type} and POST /ingest/{record-type}: whole responses, whole OperationOutcomes."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from gateway.settings import Settings
from mappers.reader import csv_text
from mappers.registry import MapperRegistry
from tests.conftest import app_client
from tests.mappers.conftest import balita_record

MSG = "https://ilp-gateway.example.id/fhir/CodeSystem/message-id"
JSON = {"content-type": "application/json"}
CSV = {"content-type": "text/csv"}


def outcome(code: str, message_id: str, text: str) -> dict[str, Any]:
    return {
        "resourceType": "OperationOutcome",
        "issue": [
            {
                "severity": "error",
                "code": code,
                "details": {"coding": [{"system": MSG, "code": message_id}], "text": text},
                "diagnostics": text,
            }
        ],
    }


async def onboard(client: httpx.AsyncClient, *, practitioner: bool = True) -> None:
    """The onboarding order: Organization, Location, Practitioner (SATUSEHAT, domain notes §1.4)."""
    resources = [
        {"resourceType": "Organization", "id": "100011961", "name": "Puskesmas Gambir"},
        {"resourceType": "Location", "id": "posyandu-melati-01", "name": "Posyandu Melati"},
    ]
    if practitioner:
        resources.append(
            {
                "resourceType": "Practitioner",
                "id": "bidan-sari",
                "identifier": [{"system": "https://fhir.kemkes.go.id/id/nik", "value": "3171014101850003"}],
                "name": [{"text": "Bidan Sari"}],
            }
        )
    for r in resources:
        response = await client.put(f"/fhir/{r['resourceType']}/{r['id']}", json=r)
        assert response.status_code == 201, response.text


async def test_map_json_returns_bundles_and_issues(client: httpx.AsyncClient) -> None:
    body = orjson.dumps([balita_record(), balita_record(record_id="BAL-0002", sex="X"), 7])
    response = await client.post("/map/posyandu-balita", content=body, headers=JSON)
    assert response.status_code == 200
    data = response.json()
    assert {k: data[k] for k in ("record_type", "rows", "mapped", "failed")} == {
        "record_type": "posyandu-balita",
        "rows": 3,
        "mapped": 1,
        "failed": 2,
    }
    first, second, third = data["results"]
    assert first["status"] == "mapped" and first["bundle"]["type"] == "transaction" and first["issues"] == []
    assert second == {
        "row": 2,
        "record_id": "BAL-0002",
        "status": "failed",
        "bundle": None,
        "issues": [
            {
                "severity": "error",
                "message_id": "ILP-6004",
                "field": "sex",
                "message": '"X" is not one of L, P',
            }
        ],
    }
    assert third["issues"][0]["message_id"] == "ILP-6014"
    assert await client.get("/fhir/Encounter") is not None
    stored = (await client.get("/fhir/Encounter")).json()
    assert stored.get("total", 0) == 0 and not stored.get("entry")  # /map stores nothing


async def test_map_csv(client: httpx.AsyncClient) -> None:
    text = csv_text([balita_record(), balita_record(record_id="BAL-0002")])
    response = await client.post("/map/posyandu-balita?validate=false", content=text, headers=CSV)
    assert response.status_code == 200
    assert [(r["row"], r["record_id"], r["status"]) for r in response.json()["results"]] == [
        (1, "BAL-0001", "mapped"),
        (2, "BAL-0002", "mapped"),
    ]


async def test_unknown_record_type(client: httpx.AsyncClient) -> None:
    response = await client.post("/ingest/posyandu-kucing", content=b"{}", headers=JSON)
    assert response.status_code == 404
    known = ", ".join(MapperRegistry.load().record_types)
    assert response.json() == outcome(
        "not-found", "ILP-6021", f"No mapper for record type 'posyandu-kucing'; known record types: {known}"
    )


@pytest.mark.parametrize(
    ("body", "headers", "status", "expected"),
    [
        (b"{oops", JSON, 400, None),
        (b"a,a\n1,2\n", CSV, 400, outcome("structure", "ILP-6012", "the CSV header repeats the column 'a'")),
        (
            b"<x/>",
            {"content-type": "application/xml"},
            415,
            outcome(
                "not-supported",
                "ILP-1105",
                "Content-Type 'application/xml' is not supported; send application/csv or "
                "application/fhir+json or application/json or application/json+fhir or text/csv or text/json",
            ),
        ),
    ],
)
async def test_unreadable_bodies(
    client: httpx.AsyncClient,
    body: bytes,
    headers: dict[str, str],
    status: int,
    expected: dict[str, Any] | None,
) -> None:
    response = await client.post("/map/posyandu-balita", content=body, headers=headers)
    assert response.status_code == status
    if expected is None:
        issue = response.json()["issue"][0]
        assert issue["details"]["coding"][0]["code"] == "ILP-6010" and issue["code"] == "structure"
    else:
        assert response.json() == expected


@pytest.fixture
async def small_client(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    async with app_client(Settings(store_url=f"sqlite:///{tmp_path}/small.db", max_body_bytes=2048)) as c:
        yield c


async def test_body_limit(small_client: httpx.AsyncClient) -> None:
    response = await small_client.post(
        "/ingest/posyandu-balita", content=csv_text([balita_record()] * 20), headers=CSV
    )
    assert response.status_code == 413
    assert response.json() == outcome(
        "too-costly", "ILP-1104", "The request body is larger than the limit of 2048 bytes"
    )


async def test_ingest_stores_and_a_resend_updates(client: httpx.AsyncClient) -> None:
    await onboard(client)
    body = orjson.dumps(balita_record())
    first = (await client.post("/ingest/posyandu-balita", content=body, headers=JSON)).json()
    assert {k: first[k] for k in ("rows", "stored", "failed")} == {"rows": 1, "stored": 1, "failed": 0}
    [result] = first["results"]
    assert result["status"] == "stored" and result["record_id"] == "BAL-0001" and result["issues"] == []
    assert {r["status"] for r in result["resources"]} == {"201 Created"}
    assert [r["reference"].split("/")[0] for r in result["resources"]][:3] == [
        "Patient",
        "Patient",
        "Encounter",
    ]
    again = (await client.post("/ingest/posyandu-balita", content=body, headers=JSON)).json()
    [result2] = again["results"]
    assert [r["reference"] for r in result2["resources"]] == [r["reference"] for r in result["resources"]]
    assert {r["status"] for r in result2["resources"]} == {"200 OK"}
    enc = (await client.get("/fhir/Encounter")).json()
    assert len(enc["entry"]) == 1
    practitioner = enc["entry"][0]["resource"]["participant"][0]["individual"]["reference"]
    assert practitioner == "Practitioner/bidan-sari"  # the conditional reference, resolved


async def test_ingest_reports_what_the_store_refuses(client: httpx.AsyncClient) -> None:
    await onboard(client, practitioner=False)
    body = orjson.dumps([balita_record(), balita_record(record_id="BAL-0002", location_id="nowhere")])
    data = (await client.post("/ingest/posyandu-balita", content=body, headers=JSON)).json()
    no_practitioner, no_location = data["results"]
    assert no_practitioner["status"] == "failed"
    assert {i["message_id"] for i in no_practitioner["issues"]} == {"ILP-3006"}
    assert no_location["status"] == "failed"
    assert {i["message_id"] for i in no_location["issues"]} == {"ILP-4503"}
    assert no_location["issues"][0]["field"].endswith(".location[0].location.reference")


async def test_ten_thousand_rows_in_one_request(client: httpx.AsyncClient) -> None:
    await onboard(client)
    base = balita_record(
        head_circumference_cm=None,
        muac_cm=None,
        vitamin_a=None,
        immunizations=None,
        referral_reason=None,
        exclusive_breastfeeding=None,
        development_ok=None,
    )
    rows = [dict(base, record_id=f"R{i:05d}") for i in range(10_000)]
    bad = {17: {"sex": "X"}, 4242: {"weight_kg": "berat"}, 9999: {"visit_date": "2024-02-30"}}
    for index, change in bad.items():
        rows[index].update(change)
    text = csv_text(rows)
    started = time.perf_counter()
    response = await client.post("/ingest/posyandu-balita", content=text, headers=CSV, timeout=600)
    elapsed = time.perf_counter() - started
    assert response.status_code == 200
    data = response.json()
    assert data["rows"] == 10_000 == data["stored"] + data["failed"]
    assert data["failed"] == len(bad)
    failed = [r for r in data["results"] if r["status"] == "failed"]
    assert [r["row"] for r in failed] == [i + 1 for i in sorted(bad)]
    assert [r["issues"][0]["field"] for r in failed] == ["sex", "weight_kg", "visit_date"]
    count = (await client.get("/fhir/Encounter", params={"_summary": "count"})).json()
    assert count["total"] == data["stored"]
    assert elapsed < 300, f"{elapsed:.0f} s"
