"""A decimal's precision over HTTP: what a client writes is what every read gives back.

FHIR R4 §2.24.0.1 (https://hl7.org/fhir/R4/datatypes.html#decimal): "the precision of the decimal value has
significance". ``12.50`` kg must not come back as ``12.5``, nor ``1E2`` as ``100.0``.
"""

from __future__ import annotations

from typing import Any

import httpx
import orjson

from tests.api.test_interactions import O_URN, P_URN, post, transaction
from tests.conftest import app_client, observation, patient

JSON = {"content-type": "application/fhir+json"}
PLACEHOLDER = 0.123456


def with_value(resource: dict[str, Any], text: str, *, indent: bool = True) -> bytes:
    """``resource`` as the bytes a client sends, its ``PLACEHOLDER`` written as ``text``."""
    body = orjson.dumps(resource, option=orjson.OPT_INDENT_2 if indent else 0)
    assert body.count(b"0.123456") == 1
    return body.replace(b"0.123456", text.encode())


async def test_create_read_search_and_history_keep_the_text(client: httpx.AsyncClient) -> None:
    pid = (await client.post("/fhir/Patient", json=patient())).json()["id"]
    created = await client.post(
        "/fhir/Observation",
        content=with_value(observation(f"Patient/{pid}", PLACEHOLDER), "12.50"),
        headers=JSON,
    )
    assert created.status_code == 201 and b'"value":12.50' in created.content
    oid = created.json()["id"]
    for url in (
        f"/fhir/Observation/{oid}",
        f"/fhir/Observation/{oid}/_history/1",
        f"/fhir/Observation/{oid}/_history",
        "/fhir/Observation?value-quantity=12.5",  # indexed as the number it is
        "/fhir/Observation?value-quantity=12.50",
        "/fhir/Observation?_elements=valueQuantity",  # a summary parses the stored body again
        "/fhir/Observation?_summary=data",
    ):
        got = await client.get(url)
        assert got.status_code == 200 and b'"value":12.50' in got.content, url
    assert (await client.get("/fhir/Observation?value-quantity=12.5")).json()["total"] == 1


async def test_update_and_transaction_keep_the_text(client: httpx.AsyncClient) -> None:
    bundle = transaction(post(P_URN, patient()), post(O_URN, observation(P_URN, PLACEHOLDER)))
    done = await client.post("/fhir", content=with_value(bundle, "9.10", indent=False), headers=JSON)
    assert done.status_code == 200 and b'"value":9.10' in done.content
    oid = done.json()["entry"][1]["resource"]["id"]
    assert b'"value":9.10' in (await client.get(f"/fhir/Observation/{oid}")).content
    resource = observation(done.json()["entry"][0]["response"]["location"].split("/_history")[0], PLACEHOLDER)
    updated = await client.put(
        f"/fhir/Observation/{oid}", content=with_value({**resource, "id": oid}, "1.000E1"), headers=JSON
    )
    assert updated.status_code == 200 and b'"value":1.000E1' in updated.content
    assert b'"value":1.000E1' in (await client.get(f"/fhir/Observation/{oid}")).content
    assert b'"value":9.10' in (await client.get(f"/fhir/Observation/{oid}/_history/1")).content


async def test_validation_reads_the_decimal_as_its_number(client: httpx.AsyncClient) -> None:
    """A kept decimal is validated as the plain number: the same OperationOutcome, with the same paths."""
    pid = (await client.post("/fhir/Patient", json=patient())).json()["id"]
    bad = observation(f"Patient/{pid}", PLACEHOLDER, status="bogus")
    for url in ("/fhir/Observation/$validate", "/fhir/Observation"):
        kept = await client.post(url, content=with_value(bad, "12.50"), headers=JSON)
        plain = await client.post(url, content=with_value(bad, "12.5"), headers=JSON)
        assert kept.status_code == plain.status_code and kept.status_code in (200, 422)
        assert kept.json() == plain.json()
        assert any(i.get("expression") == ["Observation.status"] for i in kept.json()["issue"])
    good = observation(f"Patient/{pid}", PLACEHOLDER)
    ok = await client.post("/fhir/Observation/$validate", content=with_value(good, "12.50"), headers=JSON)
    assert (
        ok.status_code == 200
        and ok.json()
        == (
            await client.post("/fhir/Observation/$validate", content=with_value(good, "12.5"), headers=JSON)
        ).json()
    )


async def test_warn_policy_stores_the_text(settings: Any) -> None:
    """Under the warn policy a resource with issues is stored, and its decimal with it."""
    async with app_client(settings.model_copy(update={"validation": "warn"})) as client:
        pid = (await client.post("/fhir/Patient", json=patient())).json()["id"]
        bad = observation(f"Patient/{pid}", PLACEHOLDER, status="bogus")
        r = await client.post("/fhir/Observation", content=with_value(bad, "0.50"), headers=JSON)
        assert r.status_code == 201 and b'"value":0.50' in r.content
