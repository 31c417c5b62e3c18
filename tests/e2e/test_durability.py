"""Acknowledged writes survive ``kill -9``: a response of 200/201/204 means the write is on disk.

Each test runs a gateway on a fresh database, kills it with SIGKILL (no lifespan shutdown, no
checkpoint) right after the last acknowledgement, starts a new process on the same file and reads
everything back.
"""

from __future__ import annotations

import asyncio
import signal
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import GatewayFactory, GatewayProcess, patient, unique

pytestmark = pytest.mark.e2e

TIMEOUT = httpx.Timeout(30.0)


async def read_all(gw: GatewayProcess, refs: list[str]) -> dict[str, httpx.Response]:
    """GET every ``Type/id`` in ``refs`` (16 at a time)."""
    limit = asyncio.Semaphore(16)
    async with httpx.AsyncClient(base_url=gw.base_url, timeout=TIMEOUT) as http:

        async def one(ref: str) -> tuple[str, httpx.Response]:
            async with limit:
                return ref, await http.get(f"/{ref}")

        return dict(await asyncio.gather(*(one(r) for r in refs)))


def observation(subject: str, value: float) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": "29463-7"}]},
        "subject": {"reference": subject},
        "valueQuantity": {"value": value, "unit": "kg"},
    }


async def test_sequential_acknowledged_writes_survive_sigkill(gateway_factory: GatewayFactory) -> None:
    gw = gateway_factory("durable-seq")
    family = unique("Tahan")
    acked: dict[str, tuple[str, dict[str, Any]]] = {}  # Type/id -> (versionId, body sent)
    deleted: dict[str, str] = {}  # Type/id -> versionId of the deletion
    writes = 0

    async with httpx.AsyncClient(base_url=gw.base_url, timeout=TIMEOUT) as http:
        created: list[str] = []
        referenced: set[str] = set()  # Patients an Observation points at: the gateway refuses their deletion
        for i in range(200):
            kind = i % 10
            patients = [ref for ref in created if ref.startswith("Patient/")]
            if kind in (3, 6) and patients:  # update of an earlier Patient (version 2, 3, …)
                ref = patients[-1]
                body = {**acked[ref][1], "id": ref.split("/")[1], "gender": "other" if kind == 3 else "male"}
                r = await http.put(f"/{ref}", json=body)
                assert r.status_code == 200, r.text
            elif kind == 8:  # update-as-create with a client-chosen id
                rid = unique("dur-put-")
                body = {**patient(f"{i:016d}", family=family), "id": rid}
                r = await http.put(f"/Patient/{rid}", json=body)
                assert r.status_code == 201, r.text
                created.append(f"Patient/{rid}")
            elif kind == 9 and created:  # a delete (of something nothing references): it must stay deleted
                ref = next(c for c in created if c not in referenced)
                created.remove(ref)
                r = await http.delete(f"/{ref}")
                assert r.status_code == 204, r.text
                deleted[ref] = r.headers["etag"]
                del acked[ref]
                writes += 1
                continue
            elif kind == 5 and created:
                referenced.add(created[-1])
                body = observation(created[-1], 50 + i / 10)
                r = await http.post("/Observation", json=body)
                assert r.status_code == 201, r.text
                created.append(f"Observation/{r.json()['id']}")
            else:
                body = patient(f"{i:016d}", family=family)
                r = await http.post("/Patient", json=body)
                assert r.status_code == 201, r.text
                created.append(f"Patient/{r.json()['id']}")
            stored = r.json()
            acked[f"{stored['resourceType']}/{stored['id']}"] = (stored["meta"]["versionId"], body)
            writes += 1
        # no pause, no flush, no graceful shutdown
        assert gw.kill9() == -9

    assert writes == 200  # 140 creates, 40 updates, 20 deletes
    assert (len(acked), len(deleted)) == (120, 20)
    assert any(v != "1" for v, _ in acked.values())

    gw.start()
    responses = await read_all(gw, [*acked, *deleted])
    for ref, (version, sent) in acked.items():
        r = responses[ref]
        assert r.status_code == 200, f"{ref}: {r.status_code} {r.text}"
        body = r.json()
        assert body["meta"]["versionId"] == version, ref
        assert r.headers["etag"] == f'W/"{version}"', ref
        for key, value in sent.items():
            if key != "id":
                assert body[key] == value, f"{ref}.{key}"
    for ref, etag in deleted.items():
        r = responses[ref]
        assert r.status_code == 410, f"{ref}: {r.status_code} {r.text}"
        assert r.headers["etag"] == etag

    # the search indexes were committed with the resources
    patients = [ref for ref in acked if ref.startswith("Patient/")]
    async with httpx.AsyncClient(base_url=gw.base_url, timeout=TIMEOUT) as http:
        r = await http.get("/Patient", params={"family": family, "_summary": "count"})
        assert r.json()["total"] == len(patients)
        health = (await http.get(f"{gw.root_url}/healthz")).json()
    assert health["resources"] == len(acked)
    # SIGTERM after the recovery: a clean shutdown (uvicorn re-raises the signal once it is done)
    assert gw.stop() in (0, -signal.SIGTERM)
    assert "Application shutdown complete" in gw.run_log()
    assert "Application shutdown complete" not in gw.run_log(0)  # the killed run never shut down


@dataclass
class Tally:
    acked: dict[str, str] = field(default_factory=dict)  # Type/id -> versionId
    acked_tx: list[tuple[str, str]] = field(default_factory=list)  # (Patient/id, Observation/id)
    in_flight: dict[int, tuple[str, ...]] = field(default_factory=dict)  # worker -> refs it was writing
    failures: list[BaseException] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    in_flight_at_kill: int = -1


async def test_concurrent_acknowledged_writes_survive_sigkill(gateway_factory: GatewayFactory) -> None:
    """20 clients write (create, update-as-create, 2-entry transactions) when the server is killed."""
    gw = gateway_factory("durable-conc")
    workers, kill_after, max_per_worker = 20, 150, 200
    family = unique("Serentak")
    tally = Tally()
    killed = asyncio.Event()

    def acknowledge(w: int, refs: dict[str, str]) -> None:
        del tally.in_flight[w]
        tally.acked.update(refs)
        if len(tally.acked) >= kill_after and not killed.is_set():
            tally.in_flight_at_kill = len(tally.in_flight)
            gw.kill9()  # synchronous: nothing else runs on the event loop in between
            killed.set()

    async def worker(w: int, http: httpx.AsyncClient) -> None:
        for n in range(max_per_worker):
            if killed.is_set():
                return
            kind = (w + n) % 3
            try:
                if kind == 0:
                    tally.in_flight[w] = ()
                    r = await http.post("/Patient", json=patient(f"{w:04d}{n:012d}", family=family))
                    if r.status_code != 201:
                        tally.unexpected.append(f"POST {r.status_code} {r.text}")
                        return
                    body = r.json()
                    acknowledge(w, {f"Patient/{body['id']}": body["meta"]["versionId"]})
                elif kind == 1:
                    rid = f"dur-{w}-{n}-{unique()}"
                    tally.in_flight[w] = (f"Patient/{rid}",)
                    r = await http.put(
                        f"/Patient/{rid}", json={**patient(unique(), family=family), "id": rid}
                    )
                    if r.status_code != 201:
                        tally.unexpected.append(f"PUT {r.status_code} {r.text}")
                        return
                    acknowledge(w, {f"Patient/{rid}": r.json()["meta"]["versionId"]})
                else:
                    pid, oid = f"dur-tx-p-{w}-{n}-{unique()}", f"dur-tx-o-{w}-{n}-{unique()}"
                    tally.in_flight[w] = (f"Patient/{pid}", f"Observation/{oid}")
                    bundle = {
                        "resourceType": "Bundle",
                        "type": "transaction",
                        "entry": [
                            {
                                "resource": {**patient(unique(), family=family), "id": pid},
                                "request": {"method": "PUT", "url": f"Patient/{pid}"},
                            },
                            {
                                "resource": {**observation(f"Patient/{pid}", 70.0), "id": oid},
                                "request": {"method": "PUT", "url": f"Observation/{oid}"},
                            },
                        ],
                    }
                    r = await http.post(gw.base_url, json=bundle)
                    ok = r.status_code == 200
                    statuses = [e["response"]["status"] for e in r.json()["entry"]] if ok else []
                    if statuses != ["201 Created", "201 Created"]:
                        tally.unexpected.append(f"transaction {r.status_code} {r.text}")
                        return
                    tally.acked_tx.append((f"Patient/{pid}", f"Observation/{oid}"))
                    acknowledge(w, {f"Patient/{pid}": "1", f"Observation/{oid}": "1"})
            except httpx.TransportError as exc:  # the server died under this request
                tally.failures.append(exc)
                return

    limits = httpx.Limits(max_connections=workers + 5, max_keepalive_connections=workers + 5)
    async with httpx.AsyncClient(base_url=gw.base_url, timeout=TIMEOUT, limits=limits) as http:
        await asyncio.wait_for(asyncio.gather(*(worker(w, http) for w in range(workers))), 60)

    assert tally.unexpected == []
    assert killed.is_set(), f"only {len(tally.acked)} writes acknowledged; the kill never happened"
    assert tally.in_flight_at_kill > 0, "no write was in flight when the server was killed"
    assert len(tally.failures) == len(tally.in_flight)  # every unanswered write failed at the transport
    assert not gw.running

    gw.start()
    in_flight_refs = [ref for refs in tally.in_flight.values() for ref in refs]
    responses = await read_all(gw, [*tally.acked, *in_flight_refs])
    lost = {ref: responses[ref].status_code for ref in tally.acked if responses[ref].status_code != 200}
    assert lost == {}, f"{len(lost)} of {len(tally.acked)} acknowledged writes lost"
    for ref, version in tally.acked.items():
        assert responses[ref].json()["meta"]["versionId"] == version, ref
    for pref, oref in tally.acked_tx:
        assert responses[oref].json()["subject"]["reference"] == pref

    # unacknowledged writes may or may not have committed, but never half of a transaction
    for refs in tally.in_flight.values():
        found = {responses[ref].status_code for ref in refs}
        assert found in ({200}, {404}, set()), (refs, found)
