"""The pipeline: rows in = bundles + failed rows, whatever goes wrong; the registry."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mappers.base import MappingContext, RecordIssue
from mappers.common.errors import MappingError
from mappers.pipeline import map_records, map_row, normalise_whitespace, with_validation
from mappers.reader import SourceRow, csv_text, read_records, rows_from_records
from mappers.registry import MapperRegistry, mapper_paths
from profiles.issues import Issue
from profiles.validator import Validator
from tests.mappers.conftest import balita_record


class Exploding:
    record_type = "posyandu-balita"

    def map(self, record: dict[str, Any], ctx: MappingContext) -> tuple[dict[str, Any], list[RecordIssue]]:
        if record["record_id"] == "boom":
            raise ZeroDivisionError("x")
        if record["record_id"] == "refused":
            raise MappingError.at("weight_kg", "no", "ILP-6030")
        return {"resourceType": "Bundle", "type": "transaction", "entry": []}, []


def test_rows_in_equal_bundles_plus_failed(mctx: MappingContext, mapper_registry: MapperRegistry) -> None:
    good = [balita_record(record_id=f"R{i}") for i in range(5)]
    bad = [balita_record(record_id="B1", sex="X"), balita_record(record_id="B2", weight_kg=None)]
    text = csv_text([*good[:3], bad[0], *good[3:], bad[1]]) + "too,many,cells" + ",x" * 40 + "\n"
    rows = read_records(text.encode(), "csv", mapper_registry.contract("posyandu-balita"))
    results = list(map_records("posyandu-balita", rows, mctx, mapper_registry))
    assert [r.row for r in results] == list(range(1, 9))
    assert sum(r.ok for r in results) == 5
    failed = [r for r in results if not r.ok]
    assert [(r.row, r.record_id) for r in failed] == [(4, "B1"), (7, "B2"), (8, None)]
    assert all(r.issues and all(i.row == r.row for i in r.issues) for r in failed)


def test_a_mapper_crash_fails_only_its_row(mctx: MappingContext, mapper_registry: MapperRegistry) -> None:
    contract = mapper_registry.contract("posyandu-balita")
    mapper = Exploding()
    crash = map_row(SourceRow(3, balita_record(record_id="boom")), mapper, contract, mctx)
    assert crash.bundle is None and [(i.row, i.message_id, i.record_id) for i in crash.issues] == [
        (3, "ILP-6020", "boom")
    ]
    refused = map_row(SourceRow(4, balita_record(record_id="refused")), mapper, contract, mctx)
    assert [(i.row, i.field, i.message_id, i.record_id) for i in refused.issues] == [
        (4, "weight_kg", "ILP-6030", "refused")
    ]
    fine = map_row(SourceRow(5, balita_record(record_id="ok")), mapper, contract, mctx)
    assert fine.ok


def test_unreadable_rows_pass_through(mctx: MappingContext, mapper_registry: MapperRegistry) -> None:
    issue = RecordIssue(2, "", "a record must be a JSON object", "ILP-6014")
    [result] = map_records("posyandu-balita", [SourceRow(2, None, (issue,))], mctx, mapper_registry)
    assert result.bundle is None and result.issues == [issue]


def test_validation_errors_fail_the_row(mctx: MappingContext, mapper_registry: MapperRegistry) -> None:
    [result] = map_records("posyandu-balita", rows_from_records([balita_record()]), mctx, mapper_registry)
    warn = Issue("warning", "code-invalid", "ILP-4202", "meh", ("Bundle.entry[3].resource.code",))
    kept = with_validation(result, [warn])
    assert (
        kept.ok
        and kept.issues[-1].severity == "warning"
        and kept.issues[-1].field == "Bundle.entry[3].resource.code"
    )
    error = Issue("error", "invalid", "ILP-4321", "not UTC", ("Bundle.entry[2].resource.period",), 10295)
    failed = with_validation(result, [error])
    assert failed.bundle is None
    assert failed.issues[-1].message == "not UTC (RuleNumber: 10295)"


def test_validated_mapping(
    mctx: MappingContext, mapper_registry: MapperRegistry, validator: Validator
) -> None:
    # an invalid NIK birth date (day 32) passes the contract's pattern but fails the Patient profile
    record = balita_record(nik="3171013205220001", sex="L")
    [result] = map_records(
        "posyandu-balita", rows_from_records([record]), mctx, mapper_registry, validator=validator
    )
    assert result.bundle is None
    assert {i.message_id for i in result.issues} == {"ILP-4313"}


def test_registry(mapper_registry: MapperRegistry) -> None:
    assert mapper_registry.record_types[0] == "posyandu-balita"
    assert len(mapper_paths()) == len(mapper_registry.record_types)
    with pytest.raises(KeyError):
        map_records("no-such-type", [], MappingContext(None, None), mapper_registry)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="two mappers"):
        MapperRegistry([Exploding(), Exploding()])


SPACES = st.sampled_from(
    ["\xa0", "\u2007", "\u3000", "\x0b", "\x0c", "\x1f", "\x85", "\u2028", " ", "\t", "\n"]
)
TEXT = st.text(alphabet=st.one_of(st.characters(blacklist_categories=("Cs",)), SPACES))


@given(TEXT)
def test_odd_spaces_become_plain_spaces(text: str) -> None:
    """Every whitespace character but space, tab, CR and LF becomes a space, in strings at any depth; the
    rest of the record is untouched."""
    plain = "".join(" " if c.isspace() and c not in " \t\r\n" else c for c in text)
    record = {"name": text, "items": [{"lot_number": text}, 3, None], "n": 1.5, "ok": True}
    assert normalise_whitespace(record) == {
        "name": plain,
        "items": [{"lot_number": plain}, 3, None],
        "n": 1.5,
        "ok": True,
    }
