"""Validation speed, side by side in one run on the same inputs.

    python bench/validate.py [--rounds 200]

Inputs: a 20-entry transaction Bundle (1 Patient, 1 Encounter, 18 Observations, linked by urn:uuid, the
Patient and Observations carrying the ILP profiles in meta.profile) and single resources.

Compared, per input (medians of --rounds rounds, each contender once per round, µs):
* ``gateway``: this project's validator, full, as the gateway runs it: R4 structure + profiles + bindings
  (terminology) + named rules (NIK, regions, UCUM units) + Bundle rules;
* ``fhir.resources``: fhir.resources 8.3 R4B ``model_validate`` (structure and types only);
* ``floor``: jsonschema-rs structure only, i.e. the project's structure stage (the official R4 JSON schema
  plus its two shape rules, dispatched per resource type, issues built); ``floor (raw)`` is jsonschema-rs
  ``is_valid`` alone on each resource with the official R4 schema and nothing else, no Python around it.
Goals from the issue: gateway ≥ 20× faster than fhir.resources, and within 3× of the floor.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.append(str(Path(__file__).resolve().parent.parent))  # a checkout without installing; PYTHONPATH wins

import jsonschema_rs
from fhir.resources.R4B import get_fhir_model_class

from profiles.definitions import R4Definitions
from profiles.structure import StructureValidator
from profiles.validator import Validator
from terminology.service import TerminologyService

PROFILE = "https://ilp-gateway.example.id/fhir/StructureDefinition/"
NIK = "https://fhir.kemkes.go.id/id/nik"
ORG = "100000001"


def inputs() -> dict[str, dict[str, Any]]:
    pu, eu = f"urn:uuid:{uuid.uuid4()}", f"urn:uuid:{uuid.uuid4()}"
    adm = {
        "url": "https://fhir.kemkes.go.id/r4/StructureDefinition/administrativeCode",
        "extension": [
            {"url": "province", "valueCode": "31"},
            {"url": "city", "valueCode": "3171"},
            {"url": "district", "valueCode": "317101"},
            {"url": "village", "valueCode": "3171011001"},
        ],
    }
    patient = {
        "resourceType": "Patient",
        "meta": {"profile": [PROFILE + "ilp-patient"]},
        "identifier": [{"use": "official", "system": NIK, "value": "3171014506230004"}],
        "active": True,
        "name": [{"use": "official", "text": "Anisa Putri"}],
        "gender": "female",
        "birthDate": "2023-06-05",
        "deceasedBoolean": False,
        "multipleBirthInteger": 0,
        "address": [
            {
                "use": "home",
                "line": ["Jl. Kebon Sirih 1"],
                "city": "Jakarta Pusat",
                "country": "ID",
                "extension": [adm],
            }
        ],
    }
    encounter = {
        "resourceType": "Encounter",
        "status": "finished",
        "identifier": [{"system": f"http://sys-ids.kemkes.go.id/encounter/{ORG}", "value": "POSY-1"}],
        "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "AMB"},
        "subject": {"reference": pu},
        "period": {"start": "2024-03-12T02:00:00+00:00", "end": "2024-03-12T02:20:00+00:00"},
        "statusHistory": [
            {
                "status": "arrived",
                "period": {"start": "2024-03-12T02:00:00+00:00", "end": "2024-03-12T02:05:00+00:00"},
            },
            {"status": "finished", "period": {"start": "2024-03-12T02:20:00+00:00"}},
        ],
    }

    def observation(i: int, subject: str, encounter_ref: str) -> dict[str, Any]:
        return {
            "resourceType": "Observation",
            "meta": {"profile": [PROFILE + "ilp-observation"]},
            "identifier": [
                {"system": f"http://sys-ids.kemkes.go.id/observation/{ORG}", "value": f"POSY-1-{i}"}
            ],
            "status": "final",
            "category": [
                {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                            "code": "vital-signs",
                        }
                    ]
                }
            ],
            "code": {"coding": [{"system": "http://loinc.org", "code": "29463-7", "display": "Body weight"}]},
            "subject": {"reference": subject},
            "encounter": {"reference": encounter_ref},
            "performer": [{"reference": "Practitioner/N10000001"}],
            "effectiveDateTime": "2024-03-12T02:10:00+00:00",
            "valueQuantity": {
                "value": 9 + i / 10,
                "unit": "kg",
                "system": "http://unitsofmeasure.org",
                "code": "kg",
            },
        }

    entries = [
        {"fullUrl": pu, "resource": patient, "request": {"method": "POST", "url": "Patient"}},
        {"fullUrl": eu, "resource": encounter, "request": {"method": "POST", "url": "Encounter"}},
    ]
    entries += [
        {
            "fullUrl": f"urn:uuid:{uuid.uuid4()}",
            "resource": observation(i, pu, eu),
            "request": {"method": "POST", "url": "Observation"},
        }
        for i in range(18)
    ]
    single_obs = observation(0, "Patient/P02478375538", "Encounter/e1")
    single_enc = dict(encounter, subject={"reference": "Patient/P02478375538"})
    return {
        "Bundle (20 entries)": {"resourceType": "Bundle", "type": "transaction", "entry": entries},
        "Patient": patient,
        "Encounter": single_enc,
        "Observation": single_obs,
    }


BLOCKS = 50  # short turns: on a VM whose speed drifts within seconds, long ones (5 blocks: a second of
# fhir.resources at a time) let a slow spell fall on one contender only


def medians_us(fns: list[Callable[[], object]], rounds: int) -> list[float]:
    """Median time of each function. The contenders take turns in blocks (each block warm, ``rounds //
    BLOCKS`` calls), so the machine's drift affects all of them alike without one contender's allocations
    evicting another's caches on every call; the ratios are what to read."""
    samples: list[list[int]] = [[] for _ in fns]
    per_block = max(1, rounds // BLOCKS)
    for _ in range(BLOCKS):
        for k, fn in enumerate(fns):
            for _ in range(3):
                fn()
            for _ in range(per_block):
                t0 = time.perf_counter_ns()
                fn()
                samples[k].append(time.perf_counter_ns() - t0)
    return [statistics.median(s) / 1000 for s in samples]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=200, help="timed rounds per input (default 200)")
    args = ap.parse_args()
    defs = R4Definitions.load()
    terminology = TerminologyService.load()
    validator = Validator(defs, bindings=terminology, services=terminology)  # full, as the gateway runs it
    structure = StructureValidator(defs)
    rows = []
    for name, resource in inputs().items():
        problems = [i for i in validator.validate(resource).issues if i.is_error]
        if problems:
            raise SystemExit(f"benchmark input {name} is not valid: {problems}")
        model = get_fhir_model_class(resource["resourceType"])
        nested = [e["resource"] for e in resource.get("entry", [])] or [resource]
        plain = {
            t: jsonschema_rs.Draft6Validator(structure.r4_schema(t))
            for t in {r["resourceType"] for r in nested}
        }
        raw = [plain[r["resourceType"]] for r in nested]  # the official R4 schema alone, nothing added

        def floor_raw(nested: list[dict[str, Any]] = nested, raw: list[Any] = raw) -> None:
            for v, r in zip(raw, nested, strict=True):
                v.is_valid(r)

        ours, fr, floor, floor_r = medians_us(
            [
                lambda r=resource: validator.validate(r),
                lambda r=resource, m=model: m.model_validate(r),
                lambda r=resource: structure.validate(r),
                floor_raw,
            ],
            args.rounds,
        )
        n = len(nested) + (1 if nested is not resource and "entry" in resource else 0)
        rows.append((name, n, ours, fr, floor, floor_r))
    print(f"validation benchmark: medians of {args.rounds} runs, µs per call (per resource in brackets)")
    print(
        f"{'input':22s} {'gateway':>16s} {'fhir.resources':>18s} {'floor':>14s} {'floor (raw)':>14s}"
        f" {'vs fhir.res':>12s} {'vs floor':>9s} {'vs raw':>7s}"
    )
    for name, n, ours, fr, floor, floor_r in rows:
        cells = f"{ours:8.1f} [{ours / n:5.1f}] {fr:10.1f} [{fr / n:5.1f}] {floor:6.1f} [{floor / n:4.1f}]"
        cells += f" {floor_r:6.1f} [{floor_r / n:4.1f}]"
        print(f"{name:22s} {cells} {fr / ours:11.1f}x {ours / floor:8.1f}x {ours / floor_r:6.1f}x")
    bundle = rows[0]
    speedup, over_floor = bundle[3] / bundle[2], bundle[2] / bundle[4]
    met = {True: "met", False: "NOT met"}
    print(f"goal ≥20x faster than fhir.resources (Bundle): {met[speedup >= 20]} ({speedup:.1f}x)")
    print(f"goal within 3x of the floor (Bundle): {met[over_floor <= 3]} ({over_floor:.1f}x)")
    print("reproduce: python bench/validate.py --rounds", args.rounds)


if __name__ == "__main__":
    main()
