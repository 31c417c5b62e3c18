"""What holds for every life-stage and Puskesmas record type alike: each golden source maps (with
validation) to its expected Bundles, and any record the contract accepts maps to a valid Bundle.
posyandu-balita has its own (tests/mappers/test_balita_golden.py, test_balita_properties.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mappers.base import MappingContext
from mappers.registry import MapperRegistry
from profiles.validator import Validator
from tests.mappers.life_stage_support import STRATEGIES, check_golden, check_valid_record, golden_sources

TYPES = sorted(STRATEGIES)
GOLDEN = [(t, source) for t in TYPES for source in golden_sources(t)]


@pytest.mark.parametrize(("record_type", "source"), GOLDEN, ids=[f"{t}/{s.name}" for t, s in GOLDEN])
def test_golden(
    record_type: str,
    source: Path,
    mctx: MappingContext,
    mapper_registry: MapperRegistry,
    validator: Validator,
) -> None:
    check_golden(record_type, source, mctx, mapper_registry, validator)


@pytest.mark.parametrize("record_type", TYPES)
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_any_valid_record_maps_to_a_valid_bundle(
    record_type: str,
    data: st.DataObject,
    mctx: MappingContext,
    mapper_registry: MapperRegistry,
    validator: Validator,
) -> None:
    record: dict[str, Any] = data.draw(STRATEGIES[record_type])
    check_valid_record(record_type, record, mctx, mapper_registry, validator)
