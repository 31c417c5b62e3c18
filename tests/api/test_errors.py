"""Every HTTP error is an OperationOutcome: each test asserts the whole body, status and headers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from gateway.errors import MESSAGE_SYSTEM
from gateway.settings import Settings
from tests.conftest import app_client, patient

FHIR_JSON = "application/fhir+json; charset=utf-8"


def oo(
    message_id: str, text: str, code: str, expression: list[str] | None = None, severity: str = "error"
) -> dict[str, Any]:
    issue: dict[str, Any] = {
        "severity": severity,
        "code": code,
        "details": {"coding": [{"system": MESSAGE_SYSTEM, "code": message_id}], "text": text},
        "diagnostics": text,
    }
    if expression:
        issue["expression"] = expression
    return {"resourceType": "OperationOutcome", "issue": [issue]}


def assert_outcome(r: httpx.Response, status: int, expected: dict[str, Any]) -> None:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == FHIR_JSON
    assert r.json() == expected


async def test_malformed_json(client: httpx.AsyncClient) -> None:
    r = await client.post(
        "/fhir/Patient",
        content=b'{"resourceType": "Patient",',
        headers={"content-type": "application/fhir+json"},
    )
    body = r.json()
    text = body["issue"][0]["diagnostics"]
    assert text.startswith("The request body is not valid JSON: ")
    assert_outcome(r, 400, oo("ILP-1100", text, "structure"))


async def test_empty_body(client: httpx.AsyncClient) -> None:
    r = await client.post("/fhir/Patient", content=b"")
    assert_outcome(
        r, 400, oo("ILP-1100", "The request body is empty; a FHIR JSON resource is required", "structure")
    )


async def test_body_not_an_object(client: httpx.AsyncClient) -> None:
    r = await client.post("/fhir/Patient", json=[1, 2])
    assert_outcome(r, 400, oo("ILP-1101", "A resource must be a JSON object", "structure"))


async def test_missing_resource_type(client: httpx.AsyncClient) -> None:
    r = await client.post("/fhir/Patient", json={"name": []})
    assert_outcome(r, 400, oo("ILP-1101", "The resource has no resourceType", "required", ["resourceType"]))


async def test_resource_type_does_not_match_url(client: httpx.AsyncClient) -> None:
    r = await client.post("/fhir/Patient", json={"resourceType": "Observation"})
    text = "resourceType 'Observation' does not match the type in the URL ('Patient')"
    assert_outcome(r, 400, oo("ILP-1102", text, "invalid", ["Observation.resourceType"]))


async def test_meta_that_is_not_an_object(client: httpx.AsyncClient) -> None:
    """Whatever the validation policy: the server writes meta.versionId and meta.lastUpdated into it."""
    r = await client.post("/fhir/Patient", json={"resourceType": "Patient", "meta": ["x"]})
    assert_outcome(r, 400, oo("ILP-1112", "meta must be a JSON object", "structure", ["Patient.meta"]))
    entry = {
        "resource": {"resourceType": "Patient", "meta": "x"},
        "request": {"method": "POST", "url": "Patient"},
    }
    r = await client.post("/fhir", json={"resourceType": "Bundle", "type": "transaction", "entry": [entry]})
    text = "Bundle.entry[0]: meta must be a JSON object"
    assert_outcome(r, 400, oo("ILP-1112", text, "structure", ["Bundle.entry[0].resource.meta"]))
    assert (await client.get("/fhir/Patient?_summary=count")).json()["total"] == 0


async def test_unknown_type(client: httpx.AsyncClient) -> None:
    r = await client.get("/fhir/Pasien/1")
    text = "'Pasien' is not a FHIR R4 resource type supported by this server"
    assert_outcome(r, 404, oo("ILP-1003", text, "not-supported"))


async def test_unknown_id_and_invalid_id(client: httpx.AsyncClient) -> None:
    assert_outcome(
        await client.get("/fhir/Patient/nope"), 404, oo("ILP-1001", "Patient/nope is not known", "not-found")
    )
    r = await client.get("/fhir/Patient/" + "x" * 65)
    assert r.status_code == 400 and r.json()["issue"][0]["details"]["coding"][0]["code"] == "ILP-1103"


async def test_odd_versions_and_history_paging_are_not_server_errors(client: httpx.AsyncClient) -> None:
    """Found by fuzzing: a version "²" or one past 2**63 - 1, and such a history _offset, were 500s."""
    pid = (await client.post("/fhir/Patient", json=patient())).json()["id"]
    for version in ("²", "9" * 40):
        r = await client.get(f"/fhir/Patient/{pid}/_history/{version}")
        text = f"Version '{version}' of Patient/{pid} is not known"
        assert_outcome(r, 404, oo("ILP-1005", text, "not-found"))
    for value in ("²", "9" * 40, "lots"):
        r = await client.get(f"/fhir/Patient/{pid}/_history?_offset={value}&_count=1")
        text = f"_offset must be a non-negative integer (at most 9223372036854775807), not '{value}'"
        assert_outcome(r, 400, oo("ILP-2012", text, "invalid", ["_offset"]))


async def test_deleted_read_is_410_with_etag(client: httpx.AsyncClient) -> None:
    created = await client.post("/fhir/Patient", json=patient())
    pid = created.json()["id"]
    d = await client.delete(f"/fhir/Patient/{pid}")
    assert d.status_code == 204 and d.content == b"" and d.headers["etag"] == 'W/"2"'
    r = await client.get(f"/fhir/Patient/{pid}")
    assert_outcome(r, 410, oo("ILP-1002", f"Patient/{pid} was deleted", "deleted"))
    assert r.headers["etag"] == 'W/"2"'
    v1 = await client.get(f"/fhir/Patient/{pid}/_history/1")
    assert v1.status_code == 200 and v1.json()["meta"]["versionId"] == "1"
    assert (await client.get(f"/fhir/Patient/{pid}/_history/2")).status_code == 410
    assert_outcome(
        await client.get(f"/fhir/Patient/{pid}/_history/9"),
        404,
        oo("ILP-1005", f"Version '9' of Patient/{pid} is not known", "not-found"),
    )


async def test_update_id_rules(client: httpx.AsyncClient) -> None:
    r = await client.put("/fhir/Patient/a1", json=patient(id="b2"))
    text = "Resource id 'b2' does not match the id in the URL ('a1')"
    assert_outcome(r, 400, oo("ILP-1108", text, "invalid", ["Patient.id"]))
    r = await client.put("/fhir/Patient/a1", json=patient())
    assert_outcome(
        r, 400, oo("ILP-1107", "The resource must carry id 'a1' to be updated", "required", ["Patient.id"])
    )


async def test_stale_if_match_is_412(client: httpx.AsyncClient) -> None:
    r = await client.put("/fhir/Patient/p1", json=patient(id="p1"))
    assert r.status_code == 201 and r.headers["etag"] == 'W/"1"'
    ok = await client.put("/fhir/Patient/p1", json=patient(id="p1"), headers={"if-match": 'W/"1"'})
    assert ok.status_code == 200 and ok.headers["etag"] == 'W/"2"'
    r = await client.put("/fhir/Patient/p1", json=patient(id="p1"), headers={"if-match": 'W/"1"'})
    text = 'If-Match W/"1" does not match Patient/p1: it has version "2"'
    assert_outcome(r, 412, oo("ILP-3008", text, "conflict"))
    r = await client.put("/fhir/Patient/p1", json=patient(id="p1"), headers={"if-match": "banana"})
    assert_outcome(r, 400, oo("ILP-1106", "If-Match 'banana' is not a version ETag like W/\"3\"", "value"))


async def test_xml_is_415(client: httpx.AsyncClient) -> None:
    r = await client.post(
        "/fhir/Patient", content=b"<Patient/>", headers={"content-type": "application/fhir+xml"}
    )
    text = "Content-Type 'application/fhir+xml' is not supported; send application/fhir+json"
    assert_outcome(r, 415, oo("ILP-1105", text, "not-supported"))
    r = await client.get("/fhir/Patient?_format=xml")
    text = "_format 'xml' is not supported; this server speaks FHIR JSON only (_format=json)"
    assert_outcome(r, 415, oo("ILP-1105", text, "not-supported", ["_format"]))
    r = await client.get("/fhir/Patient", headers={"accept": "application/fhir+xml"})
    text = "Accept 'application/fhir+xml' admits no JSON; this server speaks FHIR JSON only"
    assert_outcome(r, 406, oo("ILP-1111", text, "not-supported"))


async def test_body_over_limit_is_413(tmp_path: Path) -> None:
    async with app_client(Settings(store_url=f"sqlite:///{tmp_path}/s.db", max_body_bytes=2048)) as c:
        big = patient(text={"status": "generated", "div": "<div>" + "x" * 4000 + "</div>"})
        r = await c.post("/fhir/Patient", json=big)
        assert_outcome(
            r, 413, oo("ILP-1104", "The request body is larger than the limit of 2048 bytes", "too-costly")
        )
        assert (await c.get("/fhir/Patient?_summary=count")).json()["total"] == 0


async def test_method_not_allowed(client: httpx.AsyncClient) -> None:
    r = await client.patch("/fhir/Patient/1", json={})
    assert_outcome(r, 405, oo("ILP-1006", "PATCH is not allowed on /fhir/Patient/1", "not-supported"))
    assert r.headers["allow"] == "DELETE, GET, HEAD, PUT"


async def test_unknown_path_is_outcome_not_detail(client: httpx.AsyncClient) -> None:
    r = await client.get("/nothing/here")
    assert_outcome(r, 404, oo("ILP-1000", "No FHIR endpoint at /nothing/here", "not-found"))


async def test_search_errors(client: httpx.AsyncClient) -> None:
    r = await client.get("/fhir/Patient?foo=1", headers={"prefer": "handling=strict"})
    assert_outcome(
        r,
        400,
        oo(
            "ILP-2001",
            "Parameter 'foo' is not a known search parameter for Patient",
            "not-supported",
            ["foo"],
        ),
    )
    r = await client.get("/fhir/Patient?birthdate:exact=2020")
    text = "Modifier ':exact' is not supported on date parameter 'birthdate'"
    assert_outcome(r, 400, oo("ILP-2002", text, "not-supported", ["birthdate:exact"]))
    r = await client.get("/fhir/Patient?birthdate=2020-13-45")
    text = "Invalid value for 'birthdate': '2020-13-45' is not a valid date: month must be in 1..12"
    assert_outcome(r, 400, oo("ILP-2007", text, "value", ["birthdate"]))
    r = await client.get("/fhir/Patient?_count=lots")
    text = "_count must be a non-negative integer (at most 9223372036854775807), not 'lots'"
    assert_outcome(r, 400, oo("ILP-2012", text, "invalid", ["_count"]))
    # found by fuzzing: both were 500s (int("²") raises; SQLite refuses integers past 2**63 - 1)
    huge = "9" * 40
    r = await client.get(f"/fhir/Patient?_offset={huge}")
    text = f"_offset must be a non-negative integer (at most 9223372036854775807), not '{huge}'"
    assert_outcome(r, 400, oo("ILP-2012", text, "invalid", ["_offset"]))
    r = await client.get("/fhir/Patient?_count=²")
    text = "_count must be a non-negative integer (at most 9223372036854775807), not '²'"
    assert_outcome(r, 400, oo("ILP-2012", text, "invalid", ["_count"]))
    r = await client.get("/fhir/Patient?_sort=shoe-size")
    assert_outcome(
        r,
        400,
        oo("ILP-2008", "Cannot sort by unknown parameter 'shoe-size' on Patient", "not-supported", ["_sort"]),
    )


async def test_unknown_param_lenient_warning_in_bundle(client: httpx.AsyncClient) -> None:
    r = await client.get("/fhir/Patient?foo=1&_text=x")
    assert r.status_code == 200
    outcome = r.json()["entry"][-1]
    assert outcome["search"] == {"mode": "outcome"}
    text1 = "Parameter 'foo' is not a known search parameter for Patient (ignored)"
    text2 = "Parameter '_text' is a string parameter this server does not support for Patient (ignored)"
    expected = oo("ILP-2001", text1, "not-supported", ["foo"], "warning")
    expected["issue"] += oo("ILP-2001", text2, "not-supported", ["_text"], "warning")["issue"]
    assert outcome["resource"] == expected


@pytest.mark.parametrize(
    ("bundle", "status", "expected"),
    [
        (
            {"resourceType": "Bundle", "type": "collection"},
            400,
            oo(
                "ILP-3010",
                "POST to the base accepts a transaction or batch Bundle, not type 'collection'",
                "value",
                ["Bundle.type"],
            ),
        ),
        (
            {
                "resourceType": "Bundle",
                "type": "transaction",
                "entry": [{"resource": {"resourceType": "Patient"}}],
            },
            400,
            oo(
                "ILP-3011",
                "Bundle.entry[0]: entry.request with method and url is required",
                "required",
                ["Bundle.entry[0].request"],
            ),
        ),
        (
            {
                "resourceType": "Bundle",
                "type": "transaction",
                "entry": [
                    {
                        "resource": {"resourceType": "Patient"},
                        "request": {"method": "PATCH", "url": "Patient/1"},
                    }
                ],
            },
            400,
            oo(
                "ILP-3012",
                "Bundle.entry[0]: entry.request.method 'PATCH' is not supported (GET, HEAD, POST, PUT, "
                "DELETE)",
                "not-supported",
                ["Bundle.entry[0].request.method"],
            ),
        ),
        (
            {
                "resourceType": "Bundle",
                "type": "transaction",
                "entry": [
                    {
                        "fullUrl": "urn:uuid:1",
                        "resource": {"resourceType": "Patient"},
                        "request": {"method": "POST", "url": "Patient"},
                    },
                    {
                        "fullUrl": "urn:uuid:1",
                        "resource": {"resourceType": "Patient"},
                        "request": {"method": "POST", "url": "Patient"},
                    },
                ],
            },
            400,
            oo(
                "ILP-3013",
                "fullUrl 'urn:uuid:1' is used by entry 0 and entry 1",
                "duplicate",
                ["Bundle.entry[1].fullUrl"],
            ),
        ),
        (
            {
                "resourceType": "Bundle",
                "type": "transaction",
                "entry": [
                    {
                        "fullUrl": "urn:uuid:2d1b6f0e-6a57-4c3e-9d55-4f0c4b8a0001",
                        "resource": {
                            "resourceType": "Observation",
                            "status": "final",
                            "code": {"text": "berat badan"},
                            "subject": {"reference": "urn:uuid:2d1b6f0e-6a57-4c3e-9d55-4f0c4b8a0002"},
                        },
                        "request": {"method": "POST", "url": "Observation"},
                    }
                ],
            },
            422,
            oo(
                "ILP-4503",
                "Bundle.entry[0].resource.subject.reference: 'urn:uuid:2d1b6f0e-6a57-4c3e-9d55-4f0c4b8a0002' "
                "matches no fullUrl in the Bundle",
                "not-found",
                ["Bundle.entry[0].resource.subject.reference"],
            ),
        ),
        (
            {
                "resourceType": "Bundle",
                "type": "transaction",
                "entry": [
                    {
                        "resource": {"resourceType": "Patient"},
                        "request": {"method": "POST", "url": "Observation"},
                    }
                ],
            },
            400,
            oo(
                "ILP-1102",
                "Bundle.entry[0]: resourceType 'Patient' does not match the type in the URL ('Observation')",
                "invalid",
                ["Bundle.entry[0].resource.resourceType"],
            ),
        ),
    ],
)
async def test_transaction_errors(
    client: httpx.AsyncClient, bundle: dict[str, Any], status: int, expected: dict[str, Any]
) -> None:
    r = await client.post("/fhir", json=bundle)
    assert_outcome(r, status, expected)
    assert (await client.get("/fhir/Patient?_summary=count")).json()["total"] == 0


async def test_delete_of_referenced_resource_is_409(client: httpx.AsyncClient) -> None:
    pid = (await client.post("/fhir/Patient", json=patient())).json()["id"]
    obs = {
        "resourceType": "Observation",
        "status": "final",
        "code": {"text": "berat"},
        "subject": {"reference": f"Patient/{pid}"},
    }
    oid = (await client.post("/fhir/Observation", json=obs)).json()["id"]
    r = await client.delete(f"/fhir/Patient/{pid}")
    text = f"Patient/{pid} cannot be deleted: it is referenced by Observation/{oid}"
    assert_outcome(r, 409, oo("ILP-3009", text, "conflict"))
    assert (await client.get(f"/fhir/Patient/{pid}")).status_code == 200
