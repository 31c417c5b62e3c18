"""Search latency on a large store: in-process ``store.search`` and over HTTP.

The store holds ``--resources`` resources: Patients, each with a unique NIK identifier, and
``--obs-per-patient`` Observations each (LOINC code cycling through ``--codes`` codes, so a
(patient, code) pair matches 3–4 Observations by default). It is written once through the in-process
store API in large transactions and cached in ``--db``; a later run reuses it (or tops it up).

Measured, on ``--queries`` random queries per kind:

* ``Patient?identifier=https://fhir.kemkes.go.id/id/nik|<NIK>`` (exactly one match)
* ``Observation?subject=Patient/<id>&code=http://loinc.org|<code>``

(a) in-process: ``await ctx.store.search(query)`` on a parsed query (parsing timed separately);
(b) over HTTP against an ``ilp-gateway serve`` subprocess on the same file, with one keep-alive
``httpx.AsyncClient``: one client sequentially, then ``--concurrency`` concurrent clients.

Run: ``.venv/bin/python bench/search.py`` (see bench/README.md). Never fails on the goals.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
from _common import (
    LOINC,
    NIK_SYSTEM,
    ROOT,
    VITALS,
    Latency,
    code_revision,
    machine_load,
    met,
    nik,
    observation,
    patient,
    process_cpu_seconds,
    reproduce_command,
    run_gateway,
    urn,
)

from gateway.context import FhirContext, build_context
from gateway.search.query import SearchQuery
from gateway.settings import Settings
from gateway.store.base import WriteEntry

GOAL_INPROCESS_P50_MS = 1.0
GOAL_HTTP_P99_MS = 10.0
DEFAULT_DB = ROOT / "data" / "bench-search.db"


@dataclass(frozen=True, slots=True)
class Shape:
    patients: int
    obs_per_patient: int
    codes: list[str]

    @property
    def per_patient(self) -> int:
        return 1 + self.obs_per_patient

    @property
    def resources(self) -> int:
        return self.patients * self.per_patient

    def expected(self, code: str) -> int:
        """Observations of one patient with ``code``."""
        c = self.codes.index(code)
        return sum(1 for j in range(self.obs_per_patient) if j % len(self.codes) == c)


# ---------------------------------------------------------------------------------------------- loading


def patient_entries(rng: random.Random, n: int, shape: Shape) -> list[WriteEntry]:
    pat_url = urn()
    entries = [WriteEntry("POST", "Patient", resource=patient(rng, n), full_url=pat_url)]
    vitals = {v[0]: v for v in VITALS}
    for j in range(shape.obs_per_patient):
        vital = vitals[shape.codes[j % len(shape.codes)]]
        when = f"{rng.randint(2019, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T08:30:00+07:00"
        entries.append(
            WriteEntry("POST", "Observation", resource=observation(rng, vital, pat_url, when, None))
        )
    return entries


async def stored_counts(ctx: FhirContext) -> tuple[int, int]:
    return await ctx.store.count("Patient"), await ctx.store.count()


async def load(ctx: FhirContext, shape: Shape, batch: int, seed: int) -> None:
    """Bring the store up to ``shape`` (resuming a partial load); print progress."""
    have_patients, have_total = await stored_counts(ctx)
    if have_total != have_patients * shape.per_patient or have_patients > shape.patients:
        raise SystemExit(
            f"the store holds {have_patients} Patients and {have_total} resources, which is not a prefix of "
            f"{shape.patients} × (1 Patient + {shape.obs_per_patient} Observations); "
            "delete it or pass another --db"
        )
    for n in {0, have_patients - 1} if have_patients else ():
        found = await ctx.store.search(
            ctx.parser.parse("Patient", [("identifier", f"{NIK_SYSTEM}|{nik(n)}")])
        )
        if found.total != 1:
            raise SystemExit(
                f"the store's Patients are not this benchmark's data set (no Patient with the NIK of "
                f"person {n}); delete it or pass another --db"
            )
    if have_patients == shape.patients:
        print(f"store: reusing {have_total:,} resources ({have_patients:,} Patients)", flush=True)
        return
    if have_patients:
        print(f"store: resuming at {have_patients:,} of {shape.patients:,} Patients", flush=True)
    per_tx = max(1, batch // shape.per_patient)
    rng = random.Random(seed * 1_000_003 + have_patients)
    todo = shape.patients - have_patients
    t0 = last = time.perf_counter()
    written = 0

    def build(start: int) -> list[WriteEntry]:
        return [
            e
            for n in range(start, min(start + per_tx, shape.patients))
            for e in patient_entries(rng, n, shape)
        ]

    pending: asyncio.Task[Any] | None = None
    pending_size = 0
    for start in range(have_patients, shape.patients, per_tx):
        entries = build(start)  # built while the previous transaction is committing
        if pending is not None:
            await pending
            written += pending_size
        pending, pending_size = asyncio.create_task(ctx.store.transaction(entries)), len(entries)
        now = time.perf_counter()
        if now - last >= 5:
            last = now
            rate = written / (now - t0)
            left = (todo * shape.per_patient - written) / rate if rate else float("nan")
            print(
                f"  … {have_total + written:,}/{shape.resources:,} resources, {rate:,.0f} resources/s, "
                f"~{left:.0f} s left",
                flush=True,
            )
    if pending is not None:
        await pending
        written += pending_size
    elapsed = time.perf_counter() - t0
    print(
        f"store: loaded {written:,} resources in {elapsed:.1f} s ({written / elapsed:,.0f} resources/s, "
        f"{per_tx * shape.per_patient} entries per transaction)",
        flush=True,
    )


# -------------------------------------------------------------------------------------------- queries


@dataclass(slots=True)
class Workload:
    niks: list[str]
    patient_ids: list[str]
    codes: list[str]  # one per Observation query
    expected: list[int]

    def patient_pairs(self, i: int) -> list[tuple[str, str]]:
        return [("identifier", f"{NIK_SYSTEM}|{self.niks[i]}")]

    def observation_pairs(self, i: int) -> list[tuple[str, str]]:
        return [("subject", f"Patient/{self.patient_ids[i]}"), ("code", f"{LOINC}|{self.codes[i]}")]


async def timed(calls: list[Callable[[], Awaitable[Any]]]) -> tuple[list[float], list[Any]]:
    latencies, results = [], []
    for call in calls:
        t0 = time.perf_counter()
        result = await call()
        latencies.append(time.perf_counter() - t0)
        results.append(result)
    return latencies, results


async def in_process(
    ctx: FhirContext, shape: Shape, queries: int, seed: int
) -> tuple[Workload, dict[str, Any]]:
    rng = random.Random(seed)
    numbers = [rng.randrange(shape.patients) for _ in range(queries)]
    work = Workload([nik(n) for n in numbers], [], [rng.choice(shape.codes) for _ in numbers], [])
    work.expected = [shape.expected(c) for c in work.codes]
    parse = ctx.parser.parse
    # warm-up: page cache, reader threads and their connections
    for i in range(min(200, queries)):
        await ctx.store.search(parse("Patient", work.patient_pairs(i)))

    t0 = time.perf_counter()
    pq = [parse("Patient", work.patient_pairs(i)) for i in range(queries)]
    parse_patient = (time.perf_counter() - t0) / queries
    lat_p, res_p = await timed([(lambda q=q: ctx.store.search(q)) for q in pq])
    for i, r in enumerate(res_p):
        if len(r.matches) != 1 or r.total != 1:
            raise SystemExit(f"Patient?identifier=…|{work.niks[i]} matched {r.total}, expected 1")
        work.patient_ids.append(r.matches[0].id)

    t0 = time.perf_counter()
    oq: list[SearchQuery] = [parse("Observation", work.observation_pairs(i)) for i in range(queries)]
    parse_obs = (time.perf_counter() - t0) / queries
    lat_o, res_o = await timed([(lambda q=q: ctx.store.search(q)) for q in oq])
    for i, r in enumerate(res_o):
        if r.total != work.expected[i] or len(r.matches) != work.expected[i]:
            raise SystemExit(f"Observation query {i} matched {r.total}, expected {work.expected[i]}")
    return work, {
        "patient": Latency.of(lat_p),
        "observation": Latency.of(lat_o),
        "parse_patient_ms": parse_patient * 1e3,
        "parse_obs_ms": parse_obs * 1e3,
    }


async def over_http(base: str, work: Workload, concurrency: int) -> dict[str, Any]:
    n = len(work.niks)
    patient_urls = [f"/fhir/Patient?identifier={quote(NIK_SYSTEM + '|' + v, safe='')}" for v in work.niks]
    obs_urls = [
        f"/fhir/Observation?subject=Patient/{pid}&code={quote(LOINC + '|' + code, safe='')}"
        for pid, code in zip(work.patient_ids, work.codes, strict=True)
    ]
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    out: dict[str, Any] = {"requests": 0}
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60.0) as client:

        async def get(url: str) -> httpx.Response:
            r = await client.get(url, headers={"Accept": "application/fhir+json"})
            out["requests"] += 1
            if r.status_code != 200:
                raise SystemExit(f"GET {url}: HTTP {r.status_code}: {r.text[:300]}")
            return r

        for url in patient_urls[: min(200, n)]:  # warm-up
            await get(url)
        # correctness, untimed: the HTTP answers agree with the in-process ones
        for i in range(min(20, n)):
            assert (await get(patient_urls[i])).json()["total"] == 1
            assert (await get(obs_urls[i])).json()["total"] == work.expected[i]

        for kind, urls in (("patient", patient_urls), ("observation", obs_urls)):
            lat, _ = await timed([(lambda u=u: get(u)) for u in urls])
            out[f"{kind}_seq"] = Latency.of(lat)

        for kind, urls in (("patient", patient_urls), ("observation", obs_urls)):
            latencies: list[float] = []
            it = iter(urls)

            async def worker(it: Any = it, latencies: list[float] = latencies) -> None:
                for u in it:
                    t0 = time.perf_counter()
                    await get(u)
                    latencies.append(time.perf_counter() - t0)

            t0 = time.perf_counter()
            await asyncio.gather(*(worker() for _ in range(concurrency)))
            out[f"{kind}_conc"] = Latency.of(latencies)
            out[f"{kind}_conc_qps"] = len(urls) / (time.perf_counter() - t0)
    return out


# ----------------------------------------------------------------------------------------------- main


async def build_and_query(
    db: Path, shape: Shape, args: argparse.Namespace
) -> tuple[Workload, dict[str, Any]]:
    ctx = build_context(Settings(store_url=f"sqlite:///{db}"))
    await ctx.store.start()
    try:
        await load(ctx, shape, args.batch, args.seed)
        return await in_process(ctx, shape, args.queries, args.seed)
    finally:
        await ctx.store.stop()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--resources", type=int, default=1_000_000, help="store size (Patients + Observations)")
    ap.add_argument("--obs-per-patient", type=int, default=19, help="Observations per Patient")
    ap.add_argument(
        "--codes", type=int, default=6, help="distinct LOINC codes the Observations cycle through"
    )
    ap.add_argument("--db", type=Path, default=DEFAULT_DB, help="SQLite file, reused when it holds the data")
    ap.add_argument(
        "--batch", type=int, default=1000, help="entries per store.transaction call while loading"
    )
    ap.add_argument("--queries", type=int, default=2000, help="timed queries per kind")
    ap.add_argument("--concurrency", type=int, default=4, help="concurrent HTTP clients in the second pass")
    ap.add_argument("--seed", type=int, default=1, help="random seed for data and queries")
    ap.add_argument("--server-log-level", default="info", help="gateway --log-level (info = access log on)")
    ap.add_argument("--no-http", action="store_true", help="skip the HTTP measurements")
    args = ap.parse_args(argv)
    if not 1 <= args.codes <= len(VITALS):
        ap.error(f"--codes must be 1..{len(VITALS)}")
    per_patient = 1 + args.obs_per_patient
    shape = Shape(
        max(1, args.resources // per_patient), args.obs_per_patient, [v[0] for v in VITALS[: args.codes]]
    )
    db: Path = args.db.resolve()
    db.parent.mkdir(parents=True, exist_ok=True)
    print(
        f"store {db}: {shape.resources:,} resources = {shape.patients:,} Patients × "
        f"(1 + {shape.obs_per_patient} Observations over {len(shape.codes)} LOINC codes)",
        flush=True,
    )

    load_before = os.getloadavg()[0]
    work, inproc = asyncio.run(build_and_query(db, shape, args))
    http: dict[str, Any] = {}
    server_cpu = float("nan")
    if not args.no_http:
        print(f"http: gateway subprocess on the same file; {args.queries} queries per kind …", flush=True)
        with run_gateway(db, db.with_suffix(".gateway.log"), log_level=args.server_log_level) as gw:
            cpu0 = process_cpu_seconds(gw.pid)
            http = asyncio.run(over_http(gw.base, work, max(1, args.concurrency)))
            server_cpu = process_cpu_seconds(gw.pid) - cpu0

    size_mb = sum(p.stat().st_size for p in db.parent.glob(db.name + "*")) / 1e6
    pid_ex, code_ex = work.patient_ids[0], work.codes[0]

    def row(label: str, text: str) -> None:
        print(f"{label:<24}: {text}")

    print()
    print("== search summary ==")
    row("gateway code", code_revision())
    row("machine load", machine_load(load_before))
    row("store", f"{shape.resources:,} resources, {size_mb:,.0f} MB ({db})")
    row("queries", f"{args.queries} per kind, random patients (seed {args.seed}), e.g.")
    print(f"  Patient?identifier={NIK_SYSTEM}|{work.niks[0]}")
    print(f"  Observation?subject=Patient/{pid_ex}&code={LOINC}|{code_ex}  ({work.expected[0]} matches)")
    row(
        "parse (not timed below)",
        f"Patient {inproc['parse_patient_ms']:.3f} ms, Observation {inproc['parse_obs_ms']:.3f} ms per query",
    )
    row("in-process Patient", inproc["patient"].line())
    row("in-process Observation", inproc["observation"].line())
    c = args.concurrency
    if http:
        row("http seq Patient", http["patient_seq"].line())
        row("http seq Observation", http["observation_seq"].line())
        row(f"http x{c} Patient", f"{http['patient_conc'].line()}   {http['patient_conc_qps']:,.0f} req/s")
        row(
            f"http x{c} Observation",
            f"{http['observation_conc'].line()}   {http['observation_conc_qps']:,.0f} req/s",
        )
        row(
            "server cpu per request",
            f"{server_cpu / http['requests'] * 1e3:.2f} ms ({http['requests']} requests)",
        )
    else:
        row("http", "skipped (--no-http)")
    ok_in = max(inproc["patient"].p50_ms, inproc["observation"].p50_ms) < GOAL_INPROCESS_P50_MS
    print(f"goal in-process p50 < {GOAL_INPROCESS_P50_MS:g} ms: {met(ok_in)}")
    if http:
        ok_seq = max(http["patient_seq"].p99_ms, http["observation_seq"].p99_ms) < GOAL_HTTP_P99_MS
        ok_conc = max(http["patient_conc"].p99_ms, http["observation_conc"].p99_ms) < GOAL_HTTP_P99_MS
        print(f"goal http p99 < {GOAL_HTTP_P99_MS:g} ms (1 client): {met(ok_seq)}")
        print(f"goal http p99 < {GOAL_HTTP_P99_MS:g} ms ({c} clients): {met(ok_conc)}")
    reproduce = [
        "--resources",
        str(args.resources),
        "--obs-per-patient",
        str(args.obs_per_patient),
        "--codes",
        str(args.codes),
        "--db",
        str(args.db),
        "--queries",
        str(args.queries),
        "--concurrency",
        str(args.concurrency),
        "--seed",
        str(args.seed),
        "--server-log-level",
        args.server_log_level,
    ] + (["--no-http"] if args.no_http else [])
    row("reproduce", reproduce_command("search.py", reproduce))
    return 0


if __name__ == "__main__":
    sys.exit(main())
