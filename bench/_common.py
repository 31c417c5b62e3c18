"""Helpers shared by the benchmarks: synthetic FHIR resources, percentiles, a gateway subprocess.

Not a test helper and not part of the package: ``bench/*.py`` put this folder on ``sys.path`` simply by
being run as scripts (``python bench/ingest.py``).
"""

from __future__ import annotations

import contextlib
import os
import random
import shlex
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
NIK_SYSTEM = "https://fhir.kemkes.go.id/id/nik"
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
OBS_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"

# (LOINC code, display, UCUM unit, low, high, category): plausible adult values for a Puskesmas visit.
VITALS: list[tuple[str, str, str, float, float, str]] = [
    ("29463-7", "Body weight", "kg", 40.0, 110.0, "vital-signs"),
    ("8302-2", "Body height", "cm", 140.0, 190.0, "vital-signs"),
    ("39156-5", "Body mass index (BMI) [Ratio]", "kg/m2", 16.0, 38.0, "vital-signs"),
    ("8867-4", "Heart rate", "/min", 50.0, 120.0, "vital-signs"),
    ("9279-1", "Respiratory rate", "/min", 12.0, 28.0, "vital-signs"),
    ("8310-5", "Body temperature", "Cel", 35.5, 39.5, "vital-signs"),
    ("2708-6", "Oxygen saturation in Arterial blood", "%", 88.0, 100.0, "vital-signs"),
    ("8480-6", "Systolic blood pressure", "mm[Hg]", 95.0, 180.0, "vital-signs"),
    ("8462-4", "Diastolic blood pressure", "mm[Hg]", 55.0, 110.0, "vital-signs"),
    ("8280-0", "Waist Circumference at umbilicus by Tape measure", "cm", 60.0, 120.0, "vital-signs"),
    ("8287-5", "Head Occipital-frontal circumference by Tape measure", "cm", 50.0, 60.0, "vital-signs"),
    ("2339-0", "Glucose [Mass/volume] in Blood", "mg/dL", 70.0, 250.0, "laboratory"),
    ("2093-3", "Cholesterol [Mass/volume] in Serum or Plasma", "mg/dL", 120.0, 300.0, "laboratory"),
    ("2571-8", "Triglyceride [Mass/volume] in Serum or Plasma", "mg/dL", 50.0, 400.0, "laboratory"),
    ("2085-9", "Cholesterol in HDL [Mass/volume] in Serum or Plasma", "mg/dL", 25.0, 90.0, "laboratory"),
    ("718-7", "Hemoglobin [Mass/volume] in Blood", "g/dL", 8.0, 17.0, "laboratory"),
    ("4548-4", "Hemoglobin A1c/Hemoglobin.total in Blood", "%", 4.5, 12.0, "laboratory"),
    ("3094-0", "Urea nitrogen [Mass/volume] in Serum or Plasma", "mg/dL", 6.0, 40.0, "laboratory"),
]
GIVEN = ["Siti", "Budi", "Dewi", "Agus", "Rina", "Joko", "Putri", "Eko", "Wati", "Andi", "Sri", "Hadi"]
FAMILY = ["Rahayu", "Santoso", "Wijaya", "Saputra", "Lestari", "Hidayat", "Kusuma", "Pratama", "Nugroho"]


# Kecamatan codes of Jakarta Pusat (31.71.01 Gambir … 31.71.08 Johar Baru): the NIK's district prefix.
DISTRICTS = [f"3171{k:02d}" for k in range(1, 9)]
BIRTH_START = date(1945, 1, 1)
BIRTH_DAYS = (date(2024, 12, 31) - BIRTH_START).days + 1  # < 100 years: YY in a NIK stays unambiguous


def person(n: int) -> tuple[str, str, str]:
    """(NIK, birthDate, gender) of synthetic person ``n``: unique per ``n`` and internally consistent.

    A NIK is district (6 digits) + birth date DDMMYY (DD + 40 for women) + serial (4 digits), as Dukcapil
    issues them; ``n`` picks the birth date and the serial, so no two people share one. Not real people.
    """
    born = BIRTH_START + timedelta(days=n % BIRTH_DAYS)
    serial = n // BIRTH_DAYS + 1
    if serial > 9999:
        raise ValueError(f"person {n}: more people than this NIK scheme can number")
    gender = "female" if n % 2 else "male"
    day = born.day + (40 if gender == "female" else 0)
    nik = f"{DISTRICTS[n % len(DISTRICTS)]}{day:02d}{born.month:02d}{born.year % 100:02d}{serial:04d}"
    return nik, born.isoformat(), gender


def nik(n: int) -> str:
    return person(n)[0]


def patient(rng: random.Random, n: int) -> dict[str, Any]:
    number, born, gender = person(n)
    return {
        "resourceType": "Patient",
        "identifier": [{"use": "official", "system": NIK_SYSTEM, "value": number}],
        "active": True,
        "name": [{"use": "official", "text": f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}"}],
        "gender": gender,
        "birthDate": born,
        "address": [{"use": "home", "city": "Jakarta Pusat", "country": "ID"}],
    }


def encounter(rng: random.Random, subject: str, day: str) -> dict[str, Any]:
    hour = rng.randint(7, 14)
    return {
        "resourceType": "Encounter",
        "status": "finished",
        "class": {
            "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
            "code": "AMB",
            "display": "ambulatory",
        },
        "subject": {"reference": subject},
        "period": {"start": f"{day}T{hour:02d}:00:00+07:00", "end": f"{day}T{hour:02d}:45:00+07:00"},
    }


def observation(
    rng: random.Random,
    vital: tuple[str, str, str, float, float, str],
    subject: str,
    when: str,
    enc: str | None,
) -> dict[str, Any]:
    code, display, unit, low, high, category = vital
    obs: dict[str, Any] = {
        "resourceType": "Observation",
        "status": "final",
        "category": [{"coding": [{"system": OBS_CATEGORY, "code": category}]}],
        "code": {"coding": [{"system": LOINC, "code": code, "display": display}]},
        "subject": {"reference": subject},
        "effectiveDateTime": when,
        "valueQuantity": {
            "value": round(rng.uniform(low, high), 1),
            "unit": unit,
            "system": UCUM,
            "code": unit,
        },
    }
    if enc is not None:
        obs["encounter"] = {"reference": enc}
    return obs


def random_day(rng: random.Random) -> str:
    return f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def urn() -> str:
    return f"urn:uuid:{uuid.uuid4()}"


# ------------------------------------------------------------------------------------------- statistics


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (``q`` in 0..100) of already sorted values."""
    if not sorted_values:
        return float("nan")
    rank = max(1, min(len(sorted_values), round(q / 100 * len(sorted_values) + 0.5)))
    return sorted_values[rank - 1]


@dataclass(frozen=True, slots=True)
class Latency:
    n: int
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float

    @classmethod
    def of(cls, seconds: Sequence[float]) -> Latency:
        s = sorted(seconds)
        return cls(
            len(s),
            percentile(s, 50) * 1e3,
            percentile(s, 90) * 1e3,
            percentile(s, 99) * 1e3,
            (s[-1] if s else float("nan")) * 1e3,
        )

    def line(self) -> str:
        return (
            f"p50 {self.p50_ms:.3f} ms   p90 {self.p90_ms:.3f} ms   p99 {self.p99_ms:.3f} ms   "
            f"max {self.max_ms:.3f} ms   (n={self.n})"
        )


def met(ok: bool) -> str:
    return "MET" if ok else "NOT MET"


def code_revision() -> str:
    """The gateway code measured: git commit of the checkout, flagged when gateway code has local edits."""
    try:
        rev = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "gateway", "profiles", "mappers", "terminology"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    text = f"checkout at {rev}" + (" + uncommitted changes" if dirty else "")
    if os.environ.get("PYTHONPATH"):
        text += f"; but PYTHONPATH={os.environ['PYTHONPATH']} is searched first"
    return text


def machine_load(before: float) -> str:
    """Load average before → after, against the core count: other work on the machine skews timings."""
    after = os.getloadavg()[0]
    return f"{before:.2f} before, {after:.2f} after (1-min load average; {os.cpu_count()} cores)"


def reproduce_command(script: str, args: Sequence[str]) -> str:
    python = os.path.relpath(sys.executable, ROOT) if sys.executable.startswith(str(ROOT)) else sys.executable
    return f"cd {shlex.quote(str(ROOT))} && " + shlex.join([python, f"bench/{script}", *args])


# ---------------------------------------------------------------------------------------- CPU accounting


def process_cpu_seconds(pid: int) -> float:
    """user + system CPU seconds of a process (all its threads), from /proc; NaN where unavailable."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


def process_write_bytes(pid: int) -> float:
    """Bytes a process has sent to the storage layer (``write_bytes`` of /proc/PID/io); NaN if unknown."""
    try:
        for line in Path(f"/proc/{pid}/io").read_text().splitlines():
            if line.startswith("write_bytes:"):
                return float(line.split()[1])
    except OSError:
        pass
    return float("nan")


# -------------------------------------------------------------------------------------- gateway process


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def gateway_command() -> list[str]:
    """``ilp-gateway`` next to this Python, or ``BENCH_GATEWAY_CMD`` (e.g. an instrumented server)."""
    override = os.environ.get("BENCH_GATEWAY_CMD")
    if override:
        return shlex.split(override)
    exe = Path(sys.executable).parent / "ilp-gateway"
    if exe.exists():
        return [str(exe)]
    return [sys.executable, "-c", "from gateway.cli import main; main()"]


@dataclass(slots=True)
class Gateway:
    process: subprocess.Popen[bytes]
    port: int
    log_path: Path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        return self.process.pid

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


@contextlib.contextmanager
def run_gateway(
    db: Path, log_path: Path, *, log_level: str = "info", timeout: float = 60.0
) -> Iterator[Gateway]:
    """``ilp-gateway serve`` on ``db`` on a free loopback port; stopped (SIGTERM, then SIGKILL) after."""
    port = free_port()
    cmd = [
        *gateway_command(),
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--store",
        f"sqlite:///{db.resolve()}",
        "--log-level",
        log_level,
    ]
    log = log_path.open("wb")
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT, env=env)
    gw = Gateway(proc, port, log_path)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(
                    f"gateway exited with {proc.returncode} before it was ready:\n{gw.log_tail()}"
                )
            try:
                if httpx.get(f"{gw.base}/healthz", timeout=2.0).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"gateway not ready after {timeout:.0f} s:\n{gw.log_tail()}")
            time.sleep(0.1)
        yield gw
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        log.close()
