"""FHIR REST interactions over HTTP: headers, Prefer, Bundles (https://hl7.org/fhir/R4/http.html)."""

from __future__ import annotations

from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import httpx

from gateway.settings import Settings
from tests.conftest import NIK, app_client, observation, outcome_codes, patient

BASE = "http://test/fhir"
P_URN = "urn:uuid:5b0b3c7e-1d2a-4e8f-9a6b-000000000001"
O_URN = "urn:uuid:5b0b3c7e-1d2a-4e8f-9a6b-000000000002"
X_URN = "urn:uuid:5b0b3c7e-1d2a-4e8f-9a6b-000000000003"


async def test_create_read_headers(client: httpx.AsyncClient) -> None:
    r = await client.post("/fhir/Patient", json=patient(id="ignored"))
    assert r.status_code == 201
    body = r.json()
    pid = body["id"]
    assert pid != "ignored" and body["meta"]["versionId"] == "1"
    assert r.headers["location"] == f"{BASE}/Patient/{pid}/_history/1"
    assert r.headers["etag"] == 'W/"1"'
    assert parsedate_to_datetime(r.headers["last-modified"]).year >= 2024
    assert r.headers["content-type"] == "application/fhir+json; charset=utf-8"
    got = await client.get(f"/fhir/Patient/{pid}", headers={"accept": "application/json"})
    assert got.status_code == 200 and got.json() == body
    assert got.headers["content-type"] == "application/json; charset=utf-8"
    assert got.headers["etag"] == 'W/"1"'
    assert (await client.get(f"/fhir/Patient/{pid}?_format=json")).status_code == 200
    not_modified = await client.get(f"/fhir/Patient/{pid}", headers={"if-none-match": 'W/"1"'})
    assert (
        not_modified.status_code == 304
        and not_modified.content == b""
        and not_modified.headers["etag"] == 'W/"1"'
    )
    assert (await client.get(f"/fhir/Patient/{pid}", headers={"if-none-match": 'W/"0"'})).status_code == 200
    head = await client.head(f"/fhir/Patient/{pid}")
    assert head.status_code == 200 and head.headers["etag"] == 'W/"1"'


async def test_prefer_return(client: httpx.AsyncClient) -> None:
    r = await client.post("/fhir/Patient", json=patient(), headers={"prefer": "return=minimal"})
    assert r.status_code == 201 and r.content == b"" and "location" in r.headers
    r = await client.post(
        "/fhir/Patient", json=patient("3171014101900002"), headers={"prefer": "return=OperationOutcome"}
    )
    assert r.status_code == 201 and r.json()["resourceType"] == "OperationOutcome"
    assert outcome_codes(r.json()) == ["ILP-0001"]


async def test_conditional_create_header(client: httpx.AsyncClient) -> None:
    headers = {"if-none-exist": f"identifier={NIK}|3171014101900001"}
    first = await client.post("/fhir/Patient", json=patient(), headers=headers)
    second = await client.post("/fhir/Patient", json=patient(), headers=headers)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    bad = await client.post("/fhir/Patient", json=patient(), headers={"if-none-exist": "shoe=1"})
    assert bad.status_code == 400 and outcome_codes(bad.json()) == ["ILP-2001"]


async def test_conditional_update_and_delete(client: httpx.AsyncClient) -> None:
    url = f"/fhir/Patient?identifier={NIK}|3171014101900001"
    r1 = await client.put(url, json=patient())
    r2 = await client.put(url, json=patient(family="Baru"))
    assert (r1.status_code, r2.status_code) == (201, 200)
    assert r2.json()["id"] == r1.json()["id"] and r2.headers["etag"] == 'W/"2"'
    d = await client.delete(url)
    assert d.status_code == 204
    assert (await client.get(f"/fhir/Patient/{r1.json()['id']}")).status_code == 410


async def test_search_bundle_links_and_paging(client: httpx.AsyncClient) -> None:
    for i in range(5):
        await client.post("/fhir/Patient", json=patient(f"31710141019000{i:02d}", family="Aminah"))
    r = await client.get("/fhir/Patient", params={"family": "aminah", "_count": "2"})
    bundle = r.json()
    assert bundle["type"] == "searchset" and bundle["total"] == 5
    links = {link["relation"]: link["url"] for link in bundle["link"]}
    assert links["self"] == f"{BASE}/Patient?family=aminah&_count=2&_offset=0"
    assert links["next"] == f"{BASE}/Patient?family=aminah&_count=2&_offset=2"
    assert "previous" not in links
    seen = [e["resource"]["id"] for e in bundle["entry"]]
    assert all(
        e["search"]["mode"] == "match" and e["fullUrl"].startswith(f"{BASE}/Patient/")
        for e in bundle["entry"]
    )
    while "next" in links:
        page = (await client.get(links["next"].removeprefix("http://test"))).json()
        links = {link["relation"]: link["url"] for link in page["link"]}
        assert "previous" in links
        seen += [e["resource"]["id"] for e in page["entry"]]
    assert len(seen) == len(set(seen)) == 5


async def test_search_post_summary_elements(client: httpx.AsyncClient) -> None:
    await client.post("/fhir/Patient", json=patient())
    r = await client.post("/fhir/Patient/_search", data={"family": "aminah"})
    assert r.json()["total"] == 1
    count = (await client.get("/fhir/Patient?_summary=count")).json()
    assert count["total"] == 1 and "entry" not in count and len(count["link"]) == 1
    res = (await client.get("/fhir/Patient?_elements=gender")).json()["entry"][0]["resource"]
    assert set(res) == {"resourceType", "id", "meta", "gender"}
    assert res["meta"]["tag"][-1]["code"] == "SUBSETTED"
    res = (await client.get("/fhir/Patient?_summary=true")).json()["entry"][0]["resource"]
    assert {"identifier", "name", "gender", "birthDate"} <= set(res)


async def test_history_bundle(client: httpx.AsyncClient) -> None:
    pid = (await client.post("/fhir/Patient", json=patient())).json()["id"]
    await client.put(f"/fhir/Patient/{pid}", json=patient(id=pid, family="B"))
    await client.delete(f"/fhir/Patient/{pid}")
    h = (await client.get(f"/fhir/Patient/{pid}/_history")).json()
    assert h["type"] == "history" and h["total"] == 3
    assert [e["request"]["method"] for e in h["entry"]] == ["DELETE", "PUT", "POST"]
    assert [e["response"]["status"] for e in h["entry"]] == ["204 No Content", "200 OK", "201 Created"]
    assert "resource" not in h["entry"][0] and h["entry"][1]["resource"]["meta"]["versionId"] == "2"
    assert (await client.get("/fhir/Patient/_history")).json()["total"] == 3
    assert (await client.get("/fhir/_history?_count=1")).json()["link"][1]["relation"] == "next"
    count_only = (await client.get("/fhir/_history?_count=0")).json()
    assert count_only["total"] == 3 and [link["relation"] for link in count_only["link"]] == ["self"]
    bad = await client.get("/fhir/_history?_at=2020")
    assert bad.status_code == 400 and outcome_codes(bad.json()) == ["ILP-2013"]


def transaction(*entries: dict[str, Any], kind: str = "transaction") -> dict[str, Any]:
    return {"resourceType": "Bundle", "type": kind, "entry": list(entries)}


def post(full_url: str, resource: dict[str, Any], if_none_exist: str | None = None) -> dict[str, Any]:
    req: dict[str, Any] = {"method": "POST", "url": resource["resourceType"]}
    if if_none_exist:
        req["ifNoneExist"] = if_none_exist
    return {"fullUrl": full_url, "resource": resource, "request": req}


async def test_transaction_response(client: httpx.AsyncClient) -> None:
    bundle = transaction(
        post(P_URN, patient(), f"identifier={NIK}|3171014101900001"),
        post(O_URN, observation(P_URN, 9.1)),
        {"request": {"method": "GET", "url": f"Patient?identifier={NIK}|3171014101900001"}},
    )
    r = await client.post("/fhir", json=bundle)
    assert r.status_code == 200
    out = r.json()
    assert out["type"] == "transaction-response" and len(out["entry"]) == 3
    p, o, g = out["entry"]
    assert p["response"]["status"] == "201 Created" and p["response"]["etag"] == 'W/"1"'
    pid = p["resource"]["id"]
    assert (
        p["response"]["location"] == f"Patient/{pid}/_history/1" and p["fullUrl"] == f"{BASE}/Patient/{pid}"
    )
    assert o["resource"]["subject"]["reference"] == f"Patient/{pid}"
    assert g["response"]["status"] == "200 OK" and g["resource"]["total"] == 1  # GET runs after the writes
    again = (await client.post("/fhir", json=bundle, headers={"prefer": "return=minimal"})).json()
    assert again["entry"][0]["response"]["status"] == "200 OK" and "resource" not in again["entry"][0]


async def test_transaction_to_the_base_with_a_trailing_slash(client: httpx.AsyncClient) -> None:
    """``POST {base}/`` is the base too: answered directly, not with a 307 the client must follow."""
    r = await client.post("/fhir/", json=transaction(post(P_URN, patient())))
    assert r.status_code == 200 and r.json()["type"] == "transaction-response"


async def test_batch_entries_stand_alone(client: httpx.AsyncClient) -> None:
    bundle = transaction(
        post(P_URN, patient()),
        {"request": {"method": "GET", "url": "Patient/does-not-exist"}},
        {"resource": {"resourceType": "Observation"}, "request": {"method": "PUT", "url": "Observation/a"}},
        post(X_URN, observation(P_URN, 1.0)),
        kind="batch",
    )
    out = (await client.post("/fhir", json=bundle)).json()
    assert out["type"] == "batch-response"
    statuses = [e["response"]["status"] for e in out["entry"]]
    assert statuses == [
        "201 Created",
        "404 Not Found",
        "422 Unprocessable Entity",
        "422 Unprocessable Entity",
    ]
    assert outcome_codes(out["entry"][1]["response"]["outcome"]) == ["ILP-1001"]
    invalid = out["entry"][2]["response"]["outcome"]["issue"]
    assert [(i["details"]["coding"][0]["code"], i["expression"]) for i in invalid] == [
        ("ILP-4001", ["Bundle.entry[2].resource.code"]),
        ("ILP-4001", ["Bundle.entry[2].resource.status"]),  # a primitive of min 1 (structure stage)
    ]
    failed = out["entry"][3]["response"]["outcome"]["issue"][0]
    assert failed["details"]["coding"][0]["code"] == "ILP-4503"  # batch entries cannot reference each other
    assert failed["expression"] == ["Bundle.entry[3].resource.subject.reference"]


async def test_metadata_lists_what_is_supported(client: httpx.AsyncClient) -> None:
    cs = (await client.get("/fhir/metadata")).json()
    assert cs["resourceType"] == "CapabilityStatement" and cs["fhirVersion"] == "4.0.1"
    rest = cs["rest"][0]
    assert {i["code"] for i in rest["interaction"]} == {"transaction", "batch", "history-system"}
    by_type = {r["type"]: r for r in rest["resource"]}
    assert len(by_type) == 146
    p = by_type["Patient"]
    assert p["conditionalCreate"] is True and p["conditionalUpdate"] is True and p["updateCreate"] is True
    params = {sp["name"]: sp["type"] for sp in p["searchParam"]}
    assert params["identifier"] == "token" and params["birthdate"] == "date" and params["_id"] == "token"
    assert (
        "Observation:subject" in p["searchRevInclude"]
        and "Patient:general-practitioner" in p["searchInclude"]
    )
    assert "_text" not in params and "_content" not in params  # not supported, so not listed
    assert [o["name"] for o in rest["operation"]] == ["validate"]
    assert [o["name"] for o in by_type["ValueSet"]["operation"]] == ["validate", "validate-code", "expand"]
    assert [o["name"] for o in by_type["CodeSystem"]["operation"]] == ["validate", "lookup"]


async def test_health_and_metrics(client: httpx.AsyncClient) -> None:
    await client.post("/fhir/Patient", json=patient())
    assert (await client.get("/healthz")).json() == {"status": "ok", "resources": 1}
    metrics = (await client.get("/metrics")).text
    assert (
        "ilp_gateway_resources 1" in metrics and 'ilp_gateway_http_requests_total{status="201"} 1' in metrics
    )


async def test_demo_loads_at_start_up_idempotently(tmp_path: Path) -> None:
    for _ in range(2):  # a restart loads again: conditional creates, so nothing is duplicated
        async with app_client(Settings(store_url=f"sqlite:///{tmp_path}/demo.db", demo=True)) as c:
            assert (await c.get("/healthz")).json() == {"status": "ok", "resources": 12}
            total = (await c.get("/fhir/Observation?_summary=count")).json()["total"]
            assert total == 4
