"""Real gateway processes for the end-to-end suite.

:class:`GatewayProcess` runs ``ilp-gateway serve`` on 127.0.0.1 with a SQLite file, waits for
``/healthz`` and stops it with SIGTERM (SIGKILL if it will not stop) or kills it with SIGKILL on
demand. Server stdout/stderr go to files; when a test fails, the tail of every gateway log that was
alive during the test is attached to the report.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

NIK = "https://fhir.kemkes.go.id/id/nik"
FHIR_JSON = "application/fhir+json"
EXECUTABLE = Path(sys.executable).with_name("ilp-gateway")
START_TIMEOUT = 20.0
STOP_TIMEOUT = 10.0
LOG_TAIL = 6000

_PROCESSES: list[GatewayProcess] = []


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _PortTaken(RuntimeError):
    """Another process bound the port between :func:`free_port` and the server's bind."""


class GatewayProcess:
    """One ``ilp-gateway serve`` process on a SQLite file; ``start()`` may be called again after a stop."""

    def __init__(self, db_path: Path, log_dir: Path, name: str = "gateway") -> None:
        self.db_path = db_path.resolve()
        self.log_dir = log_dir
        self.name = name
        self.port = 0
        self.proc: subprocess.Popen[bytes] | None = None
        self.runs = 0
        self.stopped_at: float | None = None
        self.logs: list[tuple[Path, Path]] = []

    # ------------------------------------------------------------------------------------ lifecycle

    @property
    def root_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        return f"{self.root_url}/fhir"

    @property
    def pid(self) -> int:
        assert self.proc is not None, "gateway not started"
        return self.proc.pid

    def start(self) -> GatewayProcess:
        """Start on a fresh free port and wait for ``/healthz``; retried if the port was taken meanwhile."""
        assert self.proc is None, "gateway already running"
        for attempt in range(3):
            try:
                return self._start_once()
            except _PortTaken:
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _start_once(self) -> GatewayProcess:
        self.runs += 1
        self.port = free_port()
        self.log_dir.mkdir(parents=True, exist_ok=True)
        out = self.log_dir / f"{self.name}-{self.runs}.stdout.log"
        err = self.log_dir / f"{self.name}-{self.runs}.stderr.log"
        self.logs.append((out, err))
        cmd = [
            str(EXECUTABLE),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--store",
            f"sqlite:///{self.db_path}",
        ]
        env = {k: v for k, v in os.environ.items() if not k.startswith("GATEWAY_")}
        env["PYTHONUNBUFFERED"] = "1"
        with out.open("wb") as fout, err.open("wb") as ferr:
            self.proc = subprocess.Popen(
                cmd, stdout=fout, stderr=ferr, stdin=subprocess.DEVNULL, env=env, cwd=self.log_dir
            )
        self.stopped_at = None
        if self not in _PROCESSES:
            _PROCESSES.append(self)
        try:
            self._wait_healthy()
        except BaseException:
            self.kill9()
            raise
        return self

    def _wait_healthy(self) -> None:
        assert self.proc is not None
        deadline = time.monotonic() + START_TIMEOUT
        last: object = None
        with httpx.Client(timeout=1.0) as c:
            while time.monotonic() < deadline:
                code = self.proc.poll()
                if code is not None:
                    if "address already in use" in self.run_log().lower():
                        raise _PortTaken(self.port)
                    raise RuntimeError(f"{self.name} exited with {code} during start-up\n{self.log_text()}")
                try:
                    r = c.get(f"{self.root_url}/healthz")
                    if r.status_code == 200:
                        return
                    last = r.status_code
                except httpx.TransportError as exc:
                    last = exc
                time.sleep(0.05)
        raise RuntimeError(
            f"{self.name} not healthy after {START_TIMEOUT}s (last: {last!r})\n{self.log_text()}"
        )

    def _reap(self, timeout: float) -> int | None:
        assert self.proc is not None
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self) -> int | None:
        """Graceful stop: SIGTERM, then SIGKILL after ``STOP_TIMEOUT`` s. Returns the exit code."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            if self._reap(STOP_TIMEOUT) is None:
                self.proc.kill()
                self._reap(STOP_TIMEOUT)
        return self._finish()

    def kill9(self) -> int | None:
        """SIGKILL: no graceful shutdown, no lifespan teardown, no final checkpoint."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self._reap(STOP_TIMEOUT)
        return self._finish()

    def _finish(self) -> int | None:
        assert self.proc is not None
        code = self.proc.returncode
        self.proc = None
        self.stopped_at = time.monotonic()
        return code

    def restart(self) -> GatewayProcess:
        self.stop()
        return self.start()

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    # ----------------------------------------------------------------------------------------- logs

    def run_log(self, run: int = -1) -> str:
        """stdout + stderr of one run (the latest by default)."""
        return "".join(p.read_text(errors="replace") for p in self.logs[run])

    def log_text(self, tail: int = LOG_TAIL) -> str:
        parts = []
        for out, err in self.logs:
            for path in (out, err):
                with contextlib.suppress(OSError):
                    text = path.read_text(errors="replace")
                    if len(text) > tail:
                        text = "…" + text[-tail:]
                    parts.append(f"----- {path.name} -----\n{text}")
        return "\n".join(parts)


# ------------------------------------------------------------------------------------------ reporting


_TEST_START = pytest.StashKey[float]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Any:
    item.stash[_TEST_START] = time.monotonic()
    return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report: pytest.TestReport = yield
    if report.failed and call.when in ("setup", "call"):
        since = item.stash.get(_TEST_START, 0.0)
        for gw in _PROCESSES:
            if gw.stopped_at is None or gw.stopped_at >= since:
                report.sections.append((f"gateway logs: {gw.name} (db {gw.db_path})", gw.log_text()))
    return report


# ------------------------------------------------------------------------------------------- fixtures

GatewayFactory = Callable[..., GatewayProcess]


@contextlib.contextmanager
def _factory(root: Path) -> Iterator[GatewayFactory]:
    made: list[GatewayProcess] = []

    def make(name: str = "gateway", db_path: Path | None = None, start: bool = True) -> GatewayProcess:
        gw = GatewayProcess(db_path or root / f"{name}.db", root / "logs", name)
        made.append(gw)
        return gw.start() if start else gw

    try:
        yield make
    finally:
        for gw in made:
            gw.stop()
            with contextlib.suppress(ValueError):
                _PROCESSES.remove(gw)


@pytest.fixture
def gateway_factory(tmp_path: Path) -> Iterator[GatewayFactory]:
    """Make gateways on fresh databases under ``tmp_path`` (stopped at teardown)."""
    with _factory(tmp_path) as make:
        yield make


@pytest.fixture(scope="module")
def module_gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GatewayProcess]:
    """A gateway on a fresh database for one test module."""
    with _factory(tmp_path_factory.mktemp("gw")) as make:
        yield make("module")


@pytest.fixture(scope="session")
def shared_gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GatewayProcess]:
    """One gateway shared by the client-library tests; each test uses its own unique data."""
    with _factory(tmp_path_factory.mktemp("gw-shared")) as make:
        yield make("shared")


# -------------------------------------------------------------------------------------------- helpers


def unique(prefix: str = "") -> str:
    return f"{prefix}{uuid.uuid4().hex[:12]}"


def unique_nik() -> str:
    """A 16-digit NIK-shaped value that no other test uses."""
    return str(uuid.uuid4().int)[:16].rjust(16, "9")


def patient(nik: str, family: str = "Aminah", **extra: Any) -> dict[str, Any]:
    return {
        "resourceType": "Patient",
        "identifier": [{"system": NIK, "value": nik}],
        "name": [{"use": "official", "family": family, "given": ["Siti"]}],
        "gender": "female",
        "birthDate": "1990-01-01",
        **extra,
    }


def outcome_codes(body: dict[str, Any]) -> list[str]:
    """The ``ILP-xxxx`` message ids of an OperationOutcome."""
    assert body.get("resourceType") == "OperationOutcome", body
    return [i["details"]["coding"][0]["code"] for i in body["issue"]]
