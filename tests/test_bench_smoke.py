"""The benchmarks still run: tiny sizes, as subprocesses, checking exit status and the summary labels.

Timings are never asserted here (the machine is shared and noisy); bench/README.md says how to read them.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.e2e


def run_bench(script: str, *args: str) -> str:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / script), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert proc.returncode == 0, f"{script} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


def assert_labels(out: str, labels: list[str]) -> None:
    missing = [label for label in labels if label not in out]
    assert not missing, f"missing {missing} in:\n{out}"


def test_ingest_runs(tmp_path: Path) -> None:
    out = run_bench("ingest.py", "--bundles", "10", "--clients", "2", "--workdir", str(tmp_path))
    assert_labels(
        out,
        [
            "== ingest summary ==",
            "bundles",
            "resources",
            "wall time",
            "gateway resources/s",
            "bundle latency",
            "p50",
            "p99",
            "floor resources/s",
            "ratio gateway/floor",
            "errors              : 0",
            "goal >= 5,000 resources/s durable:",
            "reproduce",
        ],
    )
    assert "(store holds 280, expected 280)" in out  # (10 timed + 2 × 2 warm-up) Bundles × 20


def test_search_runs_and_reuses_its_store(tmp_path: Path) -> None:
    db = tmp_path / "search.db"
    out = run_bench("search.py", "--resources", "2000", "--queries", "20", "--db", str(db))
    assert_labels(
        out,
        [
            "store: loaded 2,000 resources",
            "== search summary ==",
            "in-process Patient",
            "in-process Observation",
            "http seq Patient",
            "http seq Observation",
            "http x4 Patient",
            "http x4 Observation",
            "p50",
            "p99",
            "goal in-process p50 < 1 ms:",
            "goal http p99 < 10 ms (1 client):",
            "reproduce",
        ],
    )
    again = run_bench("search.py", "--resources", "2000", "--queries", "20", "--db", str(db), "--no-http")
    assert_labels(again, ["store: reusing 2,000 resources", "in-process Observation", "goal in-process p50"])


def test_validate_runs() -> None:
    out = run_bench("validate.py", "--rounds", "5")
    assert_labels(
        out,
        [
            "validation benchmark: medians of 5 runs",
            "Bundle (20 entries)",
            "Patient",
            "Encounter",
            "Observation",
            "vs fhir.res",
            "vs floor",
            "goal ≥20x faster than fhir.resources (Bundle):",
            "goal within 3x of the floor (Bundle):",
            "reproduce: python bench/validate.py --rounds 5",
        ],
    )


def test_map_runs() -> None:
    out = run_bench("map.py", "--records", "20", "--repeat", "1")
    assert_labels(
        out,
        [
            "== map summary ==",
            "records per run: 20, runs: 1",
            "mapping + z-scores        median",
            "mapping + z-scores + validation median",
            "goal >= 5000 records/s/core:",
        ],
    )
    assert "failed" not in out  # every synthetic record maps and validates
