"""Golden files: source fixture → expected Bundles (tests/mappers/golden/posyandu-balita/).

Each ``NAME.source.json`` / ``NAME.source.csv`` is mapped (with validation) and compared with
``NAME.expected.json``: one entry per row with status, issues and the Bundle. Resource ids and fullUrls
(uuid5) are normalised to ``<id-N>`` in order of first appearance, so a change of the id scheme shows as
one clear diff; times are deterministic (they come from the record). ``ILP_UPDATE_GOLDEN=1 pytest
tests/mappers/test_balita_golden.py`` rewrites the expected files (review the diff).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import orjson
import pytest

from mappers.base import MappingContext
from mappers.pipeline import map_records
from mappers.reader import detect_format, read_records
from mappers.registry import MapperRegistry
from profiles.validator import Validator

GOLDEN = Path(__file__).parent / "golden" / "posyandu-balita"
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
SOURCES = sorted(p for p in GOLDEN.iterdir() if ".source." in p.name)


def normalise(value: Any) -> Any:
    text = orjson.dumps(value).decode()
    seen: dict[str, str] = {}
    return orjson.loads(UUID.sub(lambda m: seen.setdefault(m.group(0), f"<id-{len(seen) + 1}>"), text))


def mapped(source: Path, mctx: MappingContext, registry: MapperRegistry, validator: Validator) -> list[Any]:
    contract = registry.contract("posyandu-balita")
    rows = read_records(source.read_bytes(), detect_format(None, source.name), contract)
    return [
        {
            "row": r.row,
            "record_id": r.record_id,
            "status": "mapped" if r.ok else "failed",
            "issues": [[i.severity, i.message_id, i.field, i.message] for i in r.issues],
            "bundle": normalise(r.bundle),
        }
        for r in map_records("posyandu-balita", rows, mctx, registry, validator=validator)
    ]


def test_there_are_json_and_csv_fixtures() -> None:
    assert {p.suffix for p in SOURCES} == {".json", ".csv"}


@pytest.mark.parametrize("source", SOURCES, ids=[p.name for p in SOURCES])
def test_golden(
    source: Path, mctx: MappingContext, mapper_registry: MapperRegistry, validator: Validator
) -> None:
    expected_file = source.with_name(source.name.split(".source.")[0] + ".expected.json")
    actual = mapped(source, mctx, mapper_registry, validator)
    if os.environ.get("ILP_UPDATE_GOLDEN"):
        expected_file.write_bytes(orjson.dumps(actual, option=orjson.OPT_INDENT_2) + b"\n")
    assert actual == orjson.loads(expected_file.read_bytes())
