"""The gateway as seen by the SMART ``fhirclient`` library (sync, requests) over real HTTP."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import httpx
import pytest
import requests
from fhirclient import client as fhir_client
from fhirclient.models.bundle import Bundle
from fhirclient.models.humanname import HumanName
from fhirclient.models.identifier import Identifier
from fhirclient.models.observation import Observation
from fhirclient.models.patient import Patient
from fhirclient.server import FHIRNotFoundException, FHIRServer

from tests.e2e.conftest import NIK, GatewayProcess, outcome_codes, patient, unique, unique_nik

pytestmark = [
    pytest.mark.e2e,
    # fhirclient 4.4 deprecates its own perform_resources() in favour of perform_resources_iter()
    pytest.mark.filterwarnings(r"ignore:perform_resources\(\) is deprecated:DeprecationWarning"),
]


@pytest.fixture
def server(shared_gateway: GatewayProcess) -> Iterator[FHIRServer]:
    smart = fhir_client.FHIRClient(settings={"app_id": "test", "api_base": shared_gateway.base_url})
    srv: FHIRServer = smart.server
    try:
        yield srv
    finally:
        srv.session.close()


def new_patient(nik: str, family: str) -> Patient:
    p = Patient()
    ident = Identifier()
    ident.system, ident.value = NIK, nik
    name = HumanName()
    name.family, name.given = family, ["Dewi"]
    p.identifier, p.name, p.gender = [ident], [name], "female"
    return p


def test_create_read_search_delete(server: FHIRServer) -> None:
    nik, family = unique_nik(), unique("Lestari")
    created = new_patient(nik, family).create(server)
    assert created is not None
    assert created["resourceType"] == "Patient"
    pid = created["id"]
    assert created["meta"]["versionId"] == "1"

    read = Patient.read(pid, server)
    assert read.id == pid
    assert read.identifier[0].system == NIK
    assert read.identifier[0].value == nik
    assert read.name[0].family == family
    assert read.meta.versionId == "1"

    found = Patient.where(struct={"identifier": f"{NIK}|{nik}"}).perform_resources(server)
    assert [p.id for p in found] == [pid]
    assert isinstance(found[0], Patient)
    by_family = Patient.where(struct={"family": family}).perform_resources(server)
    assert [p.id for p in by_family] == [pid]

    # update through the model: a new version
    read.gender = "other"
    updated = read.update()
    assert updated is not None
    assert updated["meta"]["versionId"] == "2"
    assert Patient.read(pid, server).gender == "other"

    assert read.delete() is None  # 204, no body

    with pytest.raises(requests.HTTPError) as gone:
        Patient.read(pid, server)
    assert gone.value.response.status_code == 410
    assert outcome_codes(gone.value.response.json()) == ["ILP-1002"]
    assert Patient.where(struct={"identifier": f"{NIK}|{nik}"}).perform_resources(server) == []

    with pytest.raises(FHIRNotFoundException) as unknown:
        Patient.read("never-created-0002", server)
    assert outcome_codes(unknown.value.response.json()) == ["ILP-1001"]


def test_search_pages_follow_next_links(server: FHIRServer) -> None:
    family = unique("Halaman")
    ids = set()
    for i in range(23):
        created = new_patient(f"{i:016d}", family).create(server)
        assert created is not None
        ids.add(created["id"])

    search = Patient.where(struct={"family": family, "_count": "5"})
    pages = list(search.perform_iter(server))
    assert [len(b.entry or []) for b in pages] == [5, 5, 5, 5, 3]
    assert all(b.total == 23 for b in pages)
    walked = [r.id for r in search.perform_resources_iter(server)]
    assert len(walked) == len(set(walked)) == 23
    assert set(walked) == ids


def test_count_zero_page_has_no_next_link(server: FHIRServer, shared_gateway: GatewayProcess) -> None:
    """``_count=0`` asks for the total only; a ``next`` link on that page must not point back at it."""
    family = unique("Nol")
    for i in range(3):
        assert new_patient(f"{i:016d}", family).create(server) is not None

    # a client that follows next links (fhirclient, fhirpy fetch_all) must stop after one page
    pages = list(
        itertools.islice(Patient.where(struct={"family": family, "_count": "0"}).perform_iter(server), 5)
    )
    assert pages[0].total == 3
    assert not pages[0].entry
    links = {link.relation: link.url for link in pages[0].link}
    assert "next" not in links, f"_count=0 page links to {links.get('next')} (self: {links.get('self')})"
    assert len(pages) == 1

    history = httpx.get(f"{shared_gateway.base_url}/Patient/_history", params={"_count": "0"}).json()
    history_links = {link["relation"]: link["url"] for link in history["link"]}
    assert "next" not in history_links, history_links


def test_transaction_bundle_through_model(server: FHIRServer) -> None:
    nik = unique_nik()
    pat_urn = "urn:uuid:0b6a4c1e-2f7d-4d7e-8b8a-4b1f2c3d0001"
    bundle = Bundle(
        {
            "resourceType": "Bundle",
            "type": "transaction",
            "entry": [
                {
                    "fullUrl": pat_urn,
                    "resource": patient(nik, family="Model"),
                    "request": {"method": "POST", "url": "Patient", "ifNoneExist": f"identifier={NIK}|{nik}"},
                },
                {
                    "fullUrl": "urn:uuid:0b6a4c1e-2f7d-4d7e-8b8a-4b1f2c3d0002",
                    "resource": {
                        "resourceType": "Observation",
                        "status": "final",
                        "code": {"coding": [{"system": "http://loinc.org", "code": "29463-7"}]},
                        "subject": {"reference": pat_urn},
                        "valueQuantity": {"value": 60.2, "unit": "kg"},
                    },
                    "request": {"method": "POST", "url": "Observation"},
                },
            ],
        }
    )
    response = bundle.create(server)
    assert response is not None
    result = Bundle(response)
    assert result.type == "transaction-response"
    assert [e.response.status for e in result.entry] == ["201 Created", "201 Created"]
    pid = result.entry[0].resource.id
    obs = Observation.read(result.entry[1].resource.id, server)
    assert obs.subject.reference == f"Patient/{pid}"

    again = Bundle(bundle.create(server))
    assert again.entry[0].response.status == "200 OK"
    assert again.entry[0].resource.id == pid
    found = Patient.where(struct={"identifier": f"{NIK}|{nik}"}).perform_resources(server)
    assert [p.id for p in found] == [pid]
