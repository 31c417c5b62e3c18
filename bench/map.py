"""posyandu-balita records per second on one core: mapping + z-scores + validation.

    python bench/map.py [--records 2000] [--repeat 5]

Synthetic, contract-valid records (children 0–59 months in four provinces, every optional field on half
of them) are mapped through the real pipeline (contract → mapper with WHO z-scores → validation of the
Bundle against R4 and the ILP profiles) in this one process. Prints the median rate over the repeats for
mapping alone and for mapping + validation, and whether the goal (≥ 5,000 records/s/core) is met. It
never fails on a figure: timings on a shared machine are noisy (bench/README.md).
"""

from __future__ import annotations

import argparse
import random
import shlex
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.append(str(Path(__file__).resolve().parent.parent))  # a checkout without installing; PYTHONPATH wins

from mappers.base import MappingContext
from mappers.pipeline import map_records
from mappers.reader import rows_from_records
from mappers.registry import MapperRegistry
from profiles.definitions import R4Definitions
from profiles.validator import Validator
from terminology.service import TerminologyService

GOAL = 5000.0
VILLAGES = ["3171011001", "3301012001", "5171011001", "9103011001"]
VACCINES = ["93001282", "93005208", "93004972", "93005779", "93001619"]


def nik(district: str, born: date, female: bool, serial: int) -> str:
    return (
        f"{district}{born.day + (40 if female else 0):02d}{born.month:02d}{born.year % 100:02d}{serial:04d}"
    )


def record(rng: random.Random, i: int) -> dict[str, Any]:
    desa = rng.choice(VILLAGES)
    visit = date(2024, 3, 1) + timedelta(days=rng.randrange(60))
    born = visit - timedelta(days=rng.randrange(1, 1800))
    sex = rng.choice("LP")
    months = (visit - born).days / 30.4375
    r: dict[str, Any] = {
        "record_id": f"BENCH-{i:07d}",
        "source_system": "bench",
        "visit_date": f"{visit.isoformat()}T{rng.randrange(7, 12):02d}:{rng.randrange(60):02d}",
        "facility_org_id": "100011961",
        "location_id": "posyandu-bench",
        "officer_nik": nik(desa[:6], date(1985, 1, 1), True, 3),
        "officer_name": "Bidan Bench",
        "desa_code": desa,
        "name": f"Anak {i}",
        "sex": sex,
        "birth_date": born.isoformat(),
        "mother_nik": nik(
            desa[:6], born - timedelta(days=9000 + rng.randrange(4000)), True, rng.randrange(1, 9999)
        ),
        "mother_name": "Ibu Bench",
        "weight_kg": round(3.3 + months * 0.22 + rng.gauss(0, 1), 1),
        "height_cm": round(50 + months * 1.1 + rng.gauss(0, 3), 1),
        "measure_position": "terlentang" if months < 24 else "berdiri",
    }
    if i % 2:
        r["nik"] = nik(desa[:6], born, sex == "P", rng.randrange(1, 9999))
    else:
        r["birth_order"] = 0
    if i % 2 == 0:
        r.update(
            head_circumference_cm=round(35 + months * 0.3, 1),
            muac_cm=round(11 + months * 0.08, 1),
            exclusive_breastfeeding=months < 6,
            development_ok=rng.random() > 0.1,
            immunizations=[
                {
                    "vaccine": rng.choice(VACCINES),
                    "dose": 1,
                    "lot_number": "LOT1",
                    "expiry_date": "2026-12-31",
                }
            ],
        )
    return r


def rate(
    records: list[dict[str, Any]], ctx: MappingContext, reg: MapperRegistry, validator: Validator | None
) -> float:
    started = time.perf_counter()
    ok = sum(
        r.ok
        for r in map_records("posyandu-balita", rows_from_records(records), ctx, reg, validator=validator)
    )
    elapsed = time.perf_counter() - started
    if ok != len(records):
        print(f"warning: {len(records) - ok} of {len(records)} records failed")
    return len(records) / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    terminology = TerminologyService.load()
    validator = Validator(R4Definitions.load(), bindings=terminology, services=terminology)
    reg = MapperRegistry.load()
    ctx = MappingContext(terminology, datetime.now(UTC))
    rng = random.Random(2020)
    records = [record(rng, i) for i in range(args.records)]
    rate(records[:50], ctx, reg, validator)  # warm-up: first-use tables, compiled profiles
    mapping = [rate(records, ctx, reg, None) for _ in range(args.repeat)]
    full = [rate(records, ctx, reg, validator) for _ in range(args.repeat)]
    median_full = statistics.median(full)
    print("== map summary ==")
    print(f"command: python {shlex.join(['bench/map.py', *sys.argv[1:]])}")
    print(f"records per run: {args.records}, runs: {args.repeat}, one process (one core)")
    print(f"mapping + z-scores        median {statistics.median(mapping):8.0f} records/s")
    print(f"mapping + z-scores + validation median {median_full:8.0f} records/s")
    print(f"goal >= {GOAL:.0f} records/s/core: {'met' if median_full >= GOAL else 'not met'}")


if __name__ == "__main__":
    main()
