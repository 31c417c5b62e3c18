"""The gateway as seen by fhirpy's AsyncFHIRClient (aiohttp) over real HTTP."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from fhirpy import AsyncFHIRClient
from fhirpy.base.exceptions import MultipleResourcesFound, OperationOutcome, ResourceNotFound

from tests.e2e.conftest import FHIR_JSON, NIK, GatewayProcess, outcome_codes, patient, unique, unique_nik

pytestmark = pytest.mark.e2e


@pytest.fixture
def fhir(shared_gateway: GatewayProcess) -> AsyncFHIRClient:
    return AsyncFHIRClient(shared_gateway.base_url, extra_headers={"Accept": FHIR_JSON})


def body_of(exc: Exception) -> dict[str, Any]:
    """fhirpy puts the raw response body of a 404/410/412 into the exception message."""
    if isinstance(exc, OperationOutcome):
        return dict(exc.resource)
    body: dict[str, Any] = json.loads(str(exc.args[0]))
    return body


async def test_create_and_read(fhir: AsyncFHIRClient) -> None:
    nik = unique_nik()
    created = await fhir.resource(
        "Patient",
        identifier=[{"system": NIK, "value": nik}],
        name=[{"family": "Wibowo", "given": ["Budi"]}],
        gender="male",
    ).save()
    assert created.id
    assert created["meta"]["versionId"] == "1"

    read = await fhir.get("Patient", created.id)
    assert read["id"] == created.id
    assert read["identifier"] == [{"system": NIK, "value": nik}]
    assert read["name"][0]["family"] == "Wibowo"
    assert read["meta"]["versionId"] == "1"

    reference = await fhir.reference("Patient", created.id).to_resource()
    assert reference.id == created.id

    found = await fhir.resources("Patient").search(identifier=f"{NIK}|{nik}").fetch_all()
    assert [p.id for p in found] == [created.id]


async def test_search_paging_walks_every_page(fhir: AsyncFHIRClient, shared_gateway: GatewayProcess) -> None:
    family = unique("Paging")
    async with httpx.AsyncClient(base_url=shared_gateway.base_url, timeout=30) as http:
        ids = []
        for i in range(45):
            body = patient(f"{i:016d}", family=family, birthDate=f"{1950 + i}-0{1 + i % 9}-1{i % 10}")
            r = await http.post("/Patient", json=body)
            assert r.status_code == 201, r.text
            ids.append(r.json()["id"])
    assert len(set(ids)) == 45

    search = fhir.resources("Patient").search(family=family).limit(10)

    # fhirpy follows Bundle.link "next" itself
    everything = await search.fetch_all()
    fetched = [p.id for p in everything]
    assert len(fetched) == 45
    assert sorted(fetched) == sorted(ids)

    # the same walk by hand: 5 pages of 10, 10, 10, 10, 5 with consistent next/previous links
    pages: list[list[str]] = []
    bundle = await search.fetch_raw()
    while True:
        assert bundle["total"] == 45
        pages.append([e["resource"]["id"] for e in bundle.get("entry", [])])
        links = {link["relation"]: link["url"] for link in bundle["link"]}
        if len(pages) > 1:
            assert "previous" in links
        else:
            assert "previous" not in links
        if "next" not in links:
            break
        assert len(pages) < 10, "paging does not terminate"
        bundle = await fhir.execute(links["next"], method="get")
    assert [len(p) for p in pages] == [10, 10, 10, 10, 5]
    walked = [i for p in pages for i in p]
    assert len(walked) == len(set(walked)) == 45
    assert set(walked) == set(ids)

    # _count=0 / count(): total only
    assert await search.count() == 45

    # sorted paging: newest birthDate first, across page boundaries, each id once
    by_birth = await search.sort("-birthdate").fetch_all()
    births = [p["birthDate"] for p in by_birth]
    assert len(by_birth) == len({p.id for p in by_birth}) == 45
    assert births == sorted(births, reverse=True)


async def test_transaction_rewrites_urn_uuid_references(fhir: AsyncFHIRClient) -> None:
    nik = unique_nik()
    pat_urn = "urn:uuid:6f1c6b1e-3c1a-4f51-9a57-0d7a1c6f0001"
    enc_urn = "urn:uuid:6f1c6b1e-3c1a-4f51-9a57-0d7a1c6f0002"
    entries: list[dict[str, Any]] = [
        {
            "fullUrl": pat_urn,
            "resource": patient(nik, family="Transaksi"),
            "request": {"method": "POST", "url": "Patient"},
        },
        {
            "fullUrl": enc_urn,
            "resource": {
                "resourceType": "Encounter",
                "status": "finished",
                "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "AMB"},
                "subject": {"reference": pat_urn},
            },
            "request": {"method": "POST", "url": "Encounter"},
        },
    ]
    for i, (code, value, unit) in enumerate(
        [("29463-7", 61.5, "kg"), ("8302-2", 158.0, "cm"), ("8867-4", 72, "/min")]
    ):
        entries.append(
            {
                "fullUrl": f"urn:uuid:6f1c6b1e-3c1a-4f51-9a57-0d7a1c6f001{i}",
                "resource": {
                    "resourceType": "Observation",
                    "status": "final",
                    "code": {"coding": [{"system": "http://loinc.org", "code": code}]},
                    "subject": {"reference": pat_urn},
                    "encounter": {"reference": enc_urn},
                    "valueQuantity": {"value": value, "unit": unit},
                },
                "request": {"method": "POST", "url": "Observation"},
            }
        )
    bundle = {"resourceType": "Bundle", "type": "transaction", "entry": entries}

    response = await fhir.execute("", method="post", data=bundle)

    assert response["resourceType"] == "Bundle"
    assert response["type"] == "transaction-response"
    assert len(response["entry"]) == 5
    assert all(e["response"]["status"].startswith("201") for e in response["entry"])
    patient_id = response["entry"][0]["resource"]["id"]
    encounter_id = response["entry"][1]["resource"]["id"]
    assert response["entry"][0]["response"]["location"].startswith(f"Patient/{patient_id}/_history/")
    assert response["entry"][1]["resource"]["subject"]["reference"] == f"Patient/{patient_id}"

    obs_ids = [e["resource"]["id"] for e in response["entry"][2:]]
    for obs_id in obs_ids:
        obs = await fhir.get("Observation", obs_id)
        assert obs["subject"]["reference"] == f"Patient/{patient_id}"
        assert obs["encounter"]["reference"] == f"Encounter/{encounter_id}"
        assert "urn:uuid" not in json.dumps(obs)

    # the rewritten references are indexed: search by reference, chaining, _include, _revinclude
    by_subject = await fhir.resources("Observation").search(subject=f"Patient/{patient_id}").fetch_all()
    assert sorted(o.id for o in by_subject) == sorted(obs_ids)

    chained = await (
        fhir.resources("Observation").search(**{"subject:Patient.identifier": f"{NIK}|{nik}"}).fetch_all()
    )
    assert sorted(o.id for o in chained) == sorted(obs_ids)

    included = await (
        fhir.resources("Observation")
        .search(subject=f"Patient/{patient_id}")
        .include("Observation", "subject")
        .fetch_raw()
    )
    modes = {(e["resource"]["resourceType"], e["search"]["mode"]) for e in included["entry"]}
    assert modes == {("Observation", "match"), ("Patient", "include")}

    revincluded = await (
        fhir.resources("Patient").search(_id=patient_id).revinclude("Observation", "subject").fetch_raw()
    )
    rev = sorted(e["resource"]["id"] for e in revincluded["entry"] if e["search"]["mode"] == "include")
    assert rev == sorted(obs_ids)


async def test_conditional_create_creates_once(fhir: AsyncFHIRClient, shared_gateway: GatewayProcess) -> None:
    nik = unique_nik()
    condition = {"If-None-Exist": f"identifier={NIK}|{nik}"}
    conditional = AsyncFHIRClient(shared_gateway.base_url, extra_headers={"Accept": FHIR_JSON, **condition})

    first = await conditional.resource("Patient", **patient(nik, family="Pertama")).save()
    second = await conditional.resource("Patient", **patient(nik, family="Kedua")).save()

    assert first.id
    assert second.id == first.id
    assert second["meta"]["versionId"] == "1"
    assert second["name"][0]["family"] == "Pertama"  # the existing resource, not the second body
    search = fhir.resources("Patient").search(identifier=f"{NIK}|{nik}")
    assert await search.count() == 1
    assert [p.id for p in await search.fetch_all()] == [first.id]

    # the statuses: 200 (not 201) for a create that matched
    data, status = await fhir._do_request(
        "post", "Patient", data=patient(nik), extra_headers=condition, returning_status=True
    )
    assert status == 200
    assert data["id"] == first.id
    assert await search.count() == 1


async def test_conditional_create_with_several_matches_is_412(fhir: AsyncFHIRClient) -> None:
    family = unique("Kembar")
    for _ in range(2):
        await fhir.resource("Patient", **patient(unique_nik(), family=family)).save()
    with pytest.raises(MultipleResourcesFound) as info:
        await fhir._do_request(
            "post", "Patient", data=patient(unique_nik()), extra_headers={"If-None-Exist": f"family={family}"}
        )
    assert outcome_codes(body_of(info.value)) == ["ILP-3001"]
    assert await fhir.resources("Patient").search(family=family).count() == 2


async def test_delete_then_read_is_gone(fhir: AsyncFHIRClient, shared_gateway: GatewayProcess) -> None:
    created = await fhir.resource("Patient", **patient(unique_nik(), family="Hapus")).save()

    await created.delete()

    with pytest.raises(ResourceNotFound) as gone:
        await fhir.get("Patient", created.id)
    outcome = body_of(gone.value)
    assert outcome_codes(outcome) == ["ILP-1002"]
    assert outcome["issue"][0]["code"] == "deleted"

    # fhirpy maps 404 and 410 to the same exception; the status itself is 410 (and 404 for an unknown id)
    async with httpx.AsyncClient(base_url=shared_gateway.base_url) as http:
        r = await http.get(f"/Patient/{created.id}")
        assert r.status_code == 410
        assert r.headers["etag"] == 'W/"2"'
        unknown = await http.get("/Patient/never-created-0001")
        assert unknown.status_code == 404
        assert outcome_codes(unknown.json()) == ["ILP-1001"]
        history = (await http.get(f"/Patient/{created.id}/_history")).json()
    assert history["total"] == 2
    assert [e["request"]["method"] for e in history["entry"]] == ["DELETE", "POST"]

    with pytest.raises(ResourceNotFound) as unknown_exc:
        await fhir.get("Patient", "never-created-0001")
    assert outcome_codes(body_of(unknown_exc.value)) == ["ILP-1001"]

    # the deleted resource no longer matches searches
    assert await fhir.resources("Patient").search(_id=created.id).count() == 0


async def test_versioned_update_vread_and_history(
    fhir: AsyncFHIRClient, shared_gateway: GatewayProcess
) -> None:
    created = await fhir.resource("Patient", **patient(unique_nik(), family="Versi")).save()
    pid = created.id

    created["gender"] = "other"
    await created.save()  # PUT Patient/id
    assert created["meta"]["versionId"] == "2"

    v1 = await fhir.execute(f"Patient/{pid}/_history/1", method="get")
    assert v1["meta"]["versionId"] == "1"
    assert v1["gender"] == "female"
    history = await fhir.execute(f"Patient/{pid}/_history", method="get")
    assert [e["resource"]["meta"]["versionId"] for e in history["entry"]] == ["2", "1"]

    # a stale If-Match is refused with 412 and changes nothing (fhirpy reports 412 as MultipleResourcesFound)
    stale = {"If-Match": 'W/"1"'}
    with pytest.raises(MultipleResourcesFound) as info:
        await fhir._do_request("put", f"Patient/{pid}", data=dict(created), extra_headers=stale)
    assert outcome_codes(body_of(info.value))[0].startswith("ILP-")
    assert (await fhir.get("Patient", pid))["meta"]["versionId"] == "2"

    # conditional update by identifier with the right version
    nik = created["identifier"][0]["value"]
    data, status = await fhir._do_request(
        "put",
        "Patient",
        data={**patient(nik, family="Versi"), "gender": "male"},
        params={"identifier": f"{NIK}|{nik}"},
        extra_headers={"If-Match": 'W/"2"'},
        returning_status=True,
    )
    assert status == 200
    assert (data["id"], data["meta"]["versionId"], data["gender"]) == (pid, "3", "male")

    # update-as-create with a client-chosen id
    rid = unique("fhirpy-")
    made = await fhir.resource("Patient", id=rid, **patient(unique_nik(), family="Klien")).save()
    assert (made.id, made["meta"]["versionId"]) == (rid, "1")
    async with httpx.AsyncClient(base_url=shared_gateway.base_url) as http:
        assert (await http.get(f"/Patient/{rid}")).status_code == 200


async def test_errors_are_operation_outcomes(fhir: AsyncFHIRClient) -> None:
    with pytest.raises(OperationOutcome) as info:
        await fhir.execute("", method="post", data={"resourceType": "Bundle", "type": "collection"})
    assert outcome_codes(body_of(info.value)) == ["ILP-3010"]

    metadata = await fhir.execute("metadata", method="get")
    assert metadata["resourceType"] == "CapabilityStatement"
    assert metadata["fhirVersion"] == "4.0.1"
