"""$validate and validate-on-write under each policy (https://hl7.org/fhir/R4/validation.html)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from gateway.settings import Settings
from tests.api.test_errors import assert_outcome, oo
from tests.conftest import app_client, outcome_codes, patient

ILP_PATIENT = "https://ilp-gateway.example.id/fhir/StructureDefinition/ilp-patient"
SATUSEHAT_PATIENT = "https://fhir.kemkes.go.id/r4/StructureDefinition/Patient"


def issues(body: dict[str, Any]) -> list[tuple[str, str, list[str]]]:
    return [
        (i["severity"], i["details"]["coding"][0]["code"], i.get("expression", [])) for i in body["issue"]
    ]


async def test_validate_ok(client: httpx.AsyncClient) -> None:
    r = await client.post("/fhir/Patient/$validate", json=patient())
    assert_outcome(r, 200, oo("ILP-0000", "All OK", "informational", severity="information"))


async def test_validate_reports_everything_with_200(client: httpx.AsyncClient) -> None:
    bad = patient(gender="wanita", birthDate="1990-13-01", foo=1)
    r = await client.post("/fhir/$validate", json=bad)
    assert r.status_code == 200
    assert issues(r.json()) == [
        ("error", "ILP-4001", ["Patient.birthDate"]),
        ("error", "ILP-4001", ["Patient.foo"]),
        ("error", "ILP-4001", ["Patient.gender"]),
    ]


async def test_validate_against_profile_parameter_and_parameters_body(client: httpx.AsyncClient) -> None:
    by_query = await client.post(f"/fhir/Patient/$validate?profile={ILP_PATIENT}", json=patient())
    expected = [
        ("error", "ILP-4101", ["Patient.address"]),
        ("error", "ILP-4101", ["Patient.multipleBirth[x]"]),
        ("error", "ILP-4101", ["Patient.name[0].text"]),
    ]
    assert issues(by_query.json()) == expected
    params = {
        "resourceType": "Parameters",
        "parameter": [
            {"name": "resource", "resource": patient()},
            {"name": "profile", "valueUri": ILP_PATIENT},
        ],
    }
    by_body = await client.post("/fhir/Patient/$validate", json=params)
    assert issues(by_body.json()) == expected
    # the SATUSEHAT canonical in meta.profile selects the same profile
    tagged = patient(meta={"profile": [SATUSEHAT_PATIENT]})
    assert issues((await client.post("/fhir/$validate", json=tagged)).json()) == expected


async def test_validate_bad_requests(client: httpx.AsyncClient) -> None:
    params = {"resourceType": "Parameters", "parameter": [{"name": "mode", "valueCode": "upsert"}]}
    r = await client.post("/fhir/Patient/$validate", json=params)
    assert_outcome(
        r,
        400,
        oo(
            "ILP-4601",
            "mode must be one of create, update, delete",
            "value",
            ["Parameters.parameter[0].valueCode"],
        ),
    )
    r = await client.post("/fhir/Patient/$validate", json={"resourceType": "Parameters", "parameter": []})
    assert_outcome(
        r,
        400,
        oo(
            "ILP-4602",
            "Parameters has no 'resource' parameter to validate",
            "required",
            ["Parameters.parameter"],
        ),
    )
    r = await client.post("/fhir/Patient/p1/$validate", json=patient(id="p2"))
    assert r.status_code == 400 and outcome_codes(r.json()) == ["ILP-1108"]


async def test_write_rejected_with_422_and_every_issue(client: httpx.AsyncClient) -> None:
    bad = {
        "resourceType": "Observation",
        "status": "bogus",
        "code": {"text": "berat"},
        "subject": {"reference": "Patient/nobody"},
    }
    r = await client.post("/fhir/Observation", json=bad)
    expected = oo(
        "ILP-4001",
        'Observation.status: "bogus" is not one of "registered", "preliminary" or 6 other candidates',
        "structure",
        ["Observation.status"],
    )
    expected["issue"] += oo(
        "ILP-4503",
        "Observation.subject.reference: Patient/nobody is not in this server",
        "not-found",
        ["Observation.subject.reference"],
    )["issue"]
    assert_outcome(r, 422, expected)
    assert (await client.get("/fhir/Observation?_summary=count")).json()["total"] == 0


async def test_unknown_profile_is_a_warning(client: httpx.AsyncClient) -> None:
    p = patient(meta={"profile": ["http://example.org/fhir/StructureDefinition/nope"]})
    r = await client.post("/fhir/Patient", json=p, headers={"prefer": "return=OperationOutcome"})
    assert r.status_code == 201 and r.headers["x-validation-issues"] == "1"
    assert issues(r.json()) == [
        ("information", "ILP-0001", []),
        ("warning", "ILP-4401", ["Patient.meta.profile"]),
    ]


async def test_transaction_rejected_as_a_whole(client: httpx.AsyncClient) -> None:
    bundle = {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {
                "fullUrl": "urn:uuid:8f7c0a52-5c4f-4c1f-9d3b-000000000001",
                "resource": patient(),
                "request": {"method": "POST", "url": "Patient"},
            },
            {
                "fullUrl": "urn:uuid:8f7c0a52-5c4f-4c1f-9d3b-000000000002",
                "resource": patient("3171014101900002", gender="wanita"),
                "request": {"method": "POST", "url": "Patient"},
            },
        ],
    }
    r = await client.post("/fhir", json=bundle)
    assert r.status_code == 422
    assert issues(r.json()) == [("error", "ILP-4001", ["Bundle.entry[1].resource.gender"])]
    assert (await client.get("/fhir/Patient?_summary=count")).json()["total"] == 0


@pytest.fixture
async def warn_client(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    async with app_client(Settings(store_url=f"sqlite:///{tmp_path}/w.db", validation="warn")) as c:
        yield c


async def test_warn_policy_stores_and_reports(warn_client: httpx.AsyncClient) -> None:
    r = await warn_client.post(
        "/fhir/Patient", json=patient(gender="wanita"), headers={"prefer": "return=OperationOutcome"}
    )
    assert r.status_code == 201 and r.headers["x-validation-issues"] == "1"
    assert issues(r.json()) == [("information", "ILP-0001", []), ("error", "ILP-4001", ["Patient.gender"])]
    bundle = {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {
                "fullUrl": "urn:uuid:8f7c0a52-5c4f-4c1f-9d3b-000000000003",
                "resource": patient("3171014101900003", foo=1),
                "request": {"method": "POST", "url": "Patient"},
            }
        ],
    }
    out = (await warn_client.post("/fhir", json=bundle)).json()
    assert out["entry"][0]["response"]["status"] == "201 Created"
    assert issues(out["entry"][0]["response"]["outcome"]) == [
        ("error", "ILP-4001", ["Bundle.entry[0].resource.foo"])
    ]


async def test_off_policy_skips_validation_but_not_validate(tmp_path: Path) -> None:
    async with app_client(Settings(store_url=f"sqlite:///{tmp_path}/o.db", validation="off")) as c:
        r = await c.post("/fhir/Patient", json=patient(gender="wanita"))
        assert r.status_code == 201 and "x-validation-issues" not in r.headers
        v = await c.post("/fhir/Patient/$validate", json=patient(gender="wanita"))
        assert issues(v.json()) == [("error", "ILP-4001", ["Patient.gender"])]
        # what the server cannot store is still refused (once a 500), and malformed values still index
        bad_meta = await c.post("/fhir/Patient", json={"resourceType": "Patient", "meta": [1]})
        assert bad_meta.status_code == 400 and issues(bad_meta.json()) == [
            ("error", "ILP-1112", ["Patient.meta"])
        ]
        odd = {
            "resourceType": "Observation",
            "code": {"coding": 0},
            "identifier": [{"system": [], "value": "1"}],
        }
        assert (await c.post("/fhir/Observation", json=odd)).status_code == 201


async def test_coding_with_a_list_as_system_is_an_issue_not_a_crash(client: httpx.AsyncClient) -> None:
    """Found by mutating the demo Bundles: the binding lookup hashed the system and raised (a 500)."""
    encounter = {
        "resourceType": "Encounter",
        "meta": {"profile": ["https://ilp-gateway.example.id/fhir/StructureDefinition/ilp-encounter"]},
        "status": "finished",
        "class": {"system": ["http://terminology.hl7.org/CodeSystem/v3-ActCode"], "code": "AMB"},
    }
    r = await client.post("/fhir/Encounter/$validate", json=encounter)
    assert r.status_code == 200
    assert ("error", "ILP-4001", ["Encounter.class.system"]) in issues(r.json())
    assert (await client.post("/fhir/Encounter", json=encounter)).status_code == 422


async def test_required_binding_of_the_base_definition(client: httpx.AsyncClient) -> None:
    condition = {
        "resourceType": "Condition",
        "clinicalStatus": {
            "coding": [
                {"system": "http://terminology.hl7.org/CodeSystem/condition-clinical", "code": "sembuh"}
            ]
        },
        "code": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10", "code": "I10"}]},
        "subject": {"reference": "Patient/x"},
    }
    r = await client.post("/fhir/Condition/$validate", json=condition)
    got = issues(r.json())
    assert ("error", "ILP-4201", ["Condition.clinicalStatus"]) in got
    assert ("error", "ILP-4503", ["Condition.subject.reference"]) in got


async def test_nik_rule_with_real_tables(client: httpx.AsyncClient) -> None:
    # day 41 = the 1st for a woman; a man with that NIK, or another birth date, contradicts it
    p = patient("3171014101900001", gender="male", birthDate="1990-01-02")
    r = await client.post(f"/fhir/Patient/$validate?profile={ILP_PATIENT}", json=p)
    nik = [i for i in r.json()["issue"] if i["details"]["coding"][0]["code"] == "ILP-4313"]
    assert nik and all(i["expression"] == ["Patient.identifier[0].value"] for i in nik)
    assert not any("3171014101900001" in i["diagnostics"] for i in nik), "never echo a full NIK"
