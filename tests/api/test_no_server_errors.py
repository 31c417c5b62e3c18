"""Bad input gets a clear error, never a 500: mutated demo Bundles and profile examples (the mutations of
tests/unit/test_validation_paths.py) are POSTed under the reject and off validation policies."""

from __future__ import annotations

import copy
import random
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway.settings import Settings
from tests.conftest import app_client
from tests.unit.test_validation_paths import SAMPLES, mutate


@pytest.fixture(params=["reject", "off"])
async def any_policy(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    policy = Settings(store_url=f"sqlite:///{tmp_path}/fuzz.db", validation=request.param)
    async with app_client(policy, raise_app_exceptions=False) as c:
        yield c


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(min_value=0, max_value=2**32), st.integers(min_value=1, max_value=4))
async def test_mutated_input_is_never_a_server_error(
    any_policy: httpx.AsyncClient, seed: int, n: int
) -> None:
    rnd = random.Random(seed)
    sample = copy.deepcopy(rnd.choice(SAMPLES))
    for _ in range(n):
        mutate(sample, rnd)
    rtype = sample.get("resourceType") if isinstance(sample, dict) else None
    url = "/fhir" if rtype == "Bundle" else f"/fhir/{rtype if isinstance(rtype, str) else 'Patient'}"
    r = await any_policy.post(
        url, content=orjson.dumps(sample), headers={"content-type": "application/fhir+json"}
    )
    assert r.status_code < 500, r.text[:500]
    assert r.json()["resourceType"] in ("OperationOutcome", "Bundle", rtype)
