"""Durable ingest throughput: transaction Bundles over HTTP against a real gateway process.

Each Bundle holds 20 entries: 1 Patient (NIK identifier), 1 Encounter and 18 Observations (vital signs
and lab results: LOINC code, UCUM valueQuantity, effectiveDateTime), linked by ``urn:uuid`` fullUrls.
``--clients`` asyncio tasks share one ``httpx.AsyncClient`` (keep-alive, one connection per task) and
POST the pre-serialised Bundles to ``/fhir`` of an ``ilp-gateway serve`` subprocess on a fresh SQLite file.

In the same run, a raw floor is measured: orjson parse of the same Bundle bytes plus a plain ``sqlite3``
insert of the same resources into one ``(type, id, body)`` table, WAL and ``synchronous=FULL``,
committing every ``--floor-commit-every`` Bundles (default: ``--clients``, since with N clients at most N
Bundles can share one group commit). The ratio gateway/floor says how much of the durable-write budget
the gateway spends above the bare minimum.

Run: ``.venv/bin/python bench/ingest.py`` (see bench/README.md). Never fails on the goal.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sqlite3
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import orjson
from _common import (
    VITALS,
    Latency,
    code_revision,
    encounter,
    machine_load,
    met,
    observation,
    patient,
    process_cpu_seconds,
    process_write_bytes,
    random_day,
    reproduce_command,
    run_gateway,
    urn,
)

GOAL_RESOURCES_PER_S = 5000
ENTRIES_PER_BUNDLE = 2 + len(VITALS)


def make_bundle(rng: random.Random, n: int) -> dict[str, Any]:
    """Patient + Encounter + 18 Observations, referencing each other by urn:uuid fullUrls."""
    pat_url, enc_url = urn(), urn()
    day = random_day(rng)
    entries: list[dict[str, Any]] = [
        {"fullUrl": pat_url, "resource": patient(rng, n), "request": {"method": "POST", "url": "Patient"}},
        {
            "fullUrl": enc_url,
            "resource": encounter(rng, pat_url, day),
            "request": {"method": "POST", "url": "Encounter"},
        },
    ]
    for i, vital in enumerate(VITALS):
        when = f"{day}T{rng.randint(7, 14):02d}:{i * 3:02d}:00+07:00"
        entries.append(
            {
                "fullUrl": urn(),
                "resource": observation(rng, vital, pat_url, when, enc_url),
                "request": {"method": "POST", "url": "Observation"},
            }
        )
    return {"resourceType": "Bundle", "type": "transaction", "entry": entries}


# ------------------------------------------------------------------------------------------------ floor


def measure_floor(bodies: list[bytes], path: Path, commit_every: int) -> float:
    """Seconds to parse ``bodies`` with orjson and insert their resources durably with plain sqlite3."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute(
        "CREATE TABLE resource (type TEXT NOT NULL, id TEXT NOT NULL, body BLOB NOT NULL, "
        "PRIMARY KEY (type, id))"
    )
    insert = "INSERT INTO resource (type, id, body) VALUES (?, ?, ?)"
    t0 = time.perf_counter()
    conn.execute("BEGIN IMMEDIATE")
    for i, raw in enumerate(bodies, 1):
        bundle = orjson.loads(raw)
        rows = []
        for entry in bundle["entry"]:
            resource = entry["resource"]
            rid = str(uuid.uuid4())
            resource["id"] = rid
            rows.append((resource["resourceType"], rid, orjson.dumps(resource)))
        conn.executemany(insert, rows)
        if i % commit_every == 0:
            conn.execute("COMMIT")
            conn.execute("BEGIN IMMEDIATE")
    conn.execute("COMMIT")
    elapsed = time.perf_counter() - t0
    stored = conn.execute("SELECT count(*) FROM resource").fetchone()[0]
    conn.close()
    assert stored == len(bodies) * ENTRIES_PER_BUNDLE, stored
    return elapsed


# ---------------------------------------------------------------------------------------------- gateway


class Load:
    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.errors: list[str] = []
        self.done = 0


async def post_all(client: httpx.AsyncClient, bodies: list[bytes], clients: int, load: Load) -> None:
    headers = {"Content-Type": "application/fhir+json", "Accept": "application/fhir+json"}
    it = iter(bodies)

    async def worker() -> None:
        for body in it:
            t0 = time.perf_counter()
            try:
                r = await client.post("/fhir", content=body, headers=headers)
            except httpx.HTTPError as exc:
                load.errors.append(f"{type(exc).__name__}: {exc}")
                continue
            load.latencies.append(time.perf_counter() - t0)
            if r.status_code == 200:
                load.done += 1
            else:
                load.errors.append(f"HTTP {r.status_code}: {r.text[:300]}")

    await asyncio.gather(*(worker() for _ in range(clients)))


async def progress(load: Load, total: int, t0: float) -> None:
    while True:
        await asyncio.sleep(5)
        elapsed = time.perf_counter() - t0
        rate = load.done * ENTRIES_PER_BUNDLE / elapsed
        print(f"  … {load.done}/{total} bundles, {elapsed:.0f} s, {rate:,.0f} resources/s", flush=True)


async def run_http(base: str, warmup: list[bytes], bodies: list[bytes], clients: int) -> tuple[Load, float]:
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=120.0) as client:
        # the first Bundle is checked in full, so a broken gateway cannot produce a fast number
        r = await client.post("/fhir", content=warmup[0], headers={"Content-Type": "application/fhir+json"})
        if r.status_code != 200:
            raise RuntimeError(f"transaction failed: HTTP {r.status_code}: {r.text[:500]}")
        statuses = [e["response"]["status"] for e in r.json()["entry"]]
        if len(statuses) != ENTRIES_PER_BUNDLE or any(not s.startswith("201") for s in statuses):
            raise RuntimeError(f"unexpected transaction-response statuses: {statuses}")
        await post_all(client, warmup[1:], clients, Load())
        load = Load()
        t0 = time.perf_counter()
        ticker = asyncio.create_task(progress(load, len(bodies), t0))
        try:
            await post_all(client, bodies, clients, load)
        finally:
            ticker.cancel()
        wall = time.perf_counter() - t0
        return load, wall


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bundles", type=int, default=4000, help="timed Bundles (20 entries each)")
    ap.add_argument("--clients", type=int, default=4, help="concurrent HTTP clients (keep-alive connections)")
    ap.add_argument("--warmup", type=int, default=None, help="untimed Bundles first (default: 2 × clients)")
    ap.add_argument(
        "--floor-commit-every",
        type=int,
        default=None,
        help="floor: Bundles per COMMIT (default: --clients, the most one group commit can hold)",
    )
    ap.add_argument("--seed", type=int, default=1, help="random seed for the synthetic data")
    ap.add_argument("--server-log-level", default="info", help="gateway --log-level (info = access log on)")
    ap.add_argument(
        "--workdir", type=Path, default=None, help="where the SQLite files go (default: a temp dir)"
    )
    ap.add_argument("--no-floor", action="store_true", help="skip the raw sqlite3 floor")
    args = ap.parse_args(argv)
    clients = max(1, args.clients)
    warmup_n = max(1, args.warmup if args.warmup is not None else 2 * clients)
    commit_every = max(1, args.floor_commit_every or clients)

    load_before = os.getloadavg()[0]
    rng = random.Random(args.seed)
    t = time.perf_counter()
    all_bodies = [orjson.dumps(make_bundle(rng, n)) for n in range(warmup_n + args.bundles)]
    warmup, bodies = all_bodies[:warmup_n], all_bodies[warmup_n:]
    size = sum(len(b) for b in bodies) / max(1, len(bodies))
    print(
        f"generated {len(all_bodies)} bundles ({warmup_n} warm-up) of {ENTRIES_PER_BUNDLE} entries, "
        f"{size / 1024:.1f} KiB each, in {time.perf_counter() - t:.1f} s",
        flush=True,
    )

    with tempfile.TemporaryDirectory(prefix="bench-ingest-", dir=args.workdir) as tmp:
        work = Path(tmp)
        floor_s = floor_written = float("nan")
        if not args.no_floor:
            print(f"floor: orjson + sqlite3, commit every {commit_every} bundles …", flush=True)
            written0 = process_write_bytes(os.getpid())
            floor_s = measure_floor(bodies, work / "floor.db", commit_every)
            floor_written = process_write_bytes(os.getpid()) - written0

        print(f"gateway: {len(bodies)} bundles with {clients} clients …", flush=True)
        with run_gateway(work / "gateway.db", work / "gateway.log", log_level=args.server_log_level) as gw:
            server_cpu0, client_cpu0 = process_cpu_seconds(gw.pid), time.process_time()
            written0 = process_write_bytes(gw.pid)
            try:
                load, wall = asyncio.run(run_http(gw.base, warmup, bodies, clients))
            except RuntimeError as exc:
                print(f"FAILED: {exc}\n--- gateway log (tail) ---\n{gw.log_tail()}", file=sys.stderr)
                return 1
            server_cpu = process_cpu_seconds(gw.pid) - server_cpu0
            client_cpu = time.process_time() - client_cpu0
            written = process_write_bytes(gw.pid) - written0
            stored = httpx.get(f"{gw.base}/healthz", timeout=60).json()["resources"]

    resources = load.done * ENTRIES_PER_BUNDLE
    rate = resources / wall
    lat = Latency.of(load.latencies)
    floor_rate = len(bodies) * ENTRIES_PER_BUNDLE / floor_s
    expected = (warmup_n + args.bundles) * ENTRIES_PER_BUNDLE
    reproduce = [
        "--bundles",
        str(args.bundles),
        "--clients",
        str(clients),
        "--warmup",
        str(warmup_n),
        "--floor-commit-every",
        str(commit_every),
        "--seed",
        str(args.seed),
        "--server-log-level",
        args.server_log_level,
    ]
    print()
    print("== ingest summary ==")
    print(f"gateway code        : {code_revision()}")
    print(f"machine load        : {machine_load(load_before)}")
    print(
        f"bundles             : {load.done} timed ({warmup_n} warm-up not counted), "
        f"{ENTRIES_PER_BUNDLE} entries each"
    )
    print(f"resources           : {resources} (store holds {stored}, expected {expected})")
    print(
        f"clients             : {clients} (asyncio tasks, one httpx.AsyncClient, keep-alive, in this process)"
    )
    print(f"wall time           : {wall:.2f} s")
    print(f"gateway resources/s : {rate:,.0f}   ({load.done / wall:,.1f} bundles/s)")
    print(f"bundle latency      : {lat.line()}")
    per_bundle = max(1, load.done)
    print(
        f"cpu                 : server {server_cpu:.1f} s = {server_cpu / wall:.0%} of one core "
        f"({server_cpu / per_bundle * 1e3:.2f} ms per bundle); "
        f"client {client_cpu:.1f} s = {client_cpu / wall:.0%} of one core"
    )
    print(
        f"server disk writes  : {written / 1e6:,.0f} MB = {written / per_bundle / 1024:,.0f} KiB per bundle "
        f"(WAL frames + checkpoints; the bundles themselves are {size / 1024:.1f} KiB)"
    )
    if args.no_floor:
        print("floor resources/s   : skipped")
    else:
        print(
            f"floor resources/s   : {floor_rate:,.0f}   (orjson parse + sqlite3 INSERT into "
            f"(type, id, body), WAL, synchronous=FULL, COMMIT every {commit_every} bundles; {floor_s:.2f} s, "
            f"{floor_written / len(bodies) / 1024:,.0f} KiB written per bundle)"
        )
        print(f"ratio gateway/floor : {rate / floor_rate:.3f}")
    print(
        f"errors              : {len(load.errors)}" + (f" (first: {load.errors[0]})" if load.errors else "")
    )
    print(f"goal >= {GOAL_RESOURCES_PER_S:,} resources/s durable: {met(rate >= GOAL_RESOURCES_PER_S)}")
    print(f"reproduce           : {reproduce_command('ingest.py', reproduce)}")
    if load.errors or stored != expected:
        print("FAILED: the gateway rejected bundles or lost resources", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
