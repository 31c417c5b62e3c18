"""Rows → MapResults: contract check → mapper → (optional) validation, one row at a time, lazily.

The invariant: every input row yields exactly one :class:`~mappers.base.MapResult`, with a Bundle or with
at least one error issue, so ``rows in = bundles + failed rows``. A mapper's unexpected exception fails
only its row (ILP-6020), never the run.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Iterable, Iterator
from typing import Any

from mappers.base import Mapper, MappingContext, MapResult, RecordIssue
from mappers.common.errors import MappingError
from mappers.contract import Contract
from mappers.reader import SourceRow
from mappers.registry import MapperRegistry
from profiles.issues import Issue
from profiles.validator import Validator

INTERNAL = "ILP-6020"
log = logging.getLogger(__name__)


def map_records(
    record_type: str,
    rows: Iterable[SourceRow],
    ctx: MappingContext,
    registry: MapperRegistry | None = None,
    *,
    validator: Validator | None = None,
) -> Iterator[MapResult]:
    """Map every row of ``record_type`` (KeyError for an unknown type, raised before any row is read).
    With ``validator`` each Bundle is validated (default profiles applied); a Bundle with errors fails
    its row and the validator's issues are reported with the Bundle path as ``field``."""
    registry = registry or MapperRegistry.load()
    if record_type not in registry:
        raise KeyError(record_type)
    return _map(record_type, rows, ctx, registry, validator)


def _map(
    record_type: str,
    rows: Iterable[SourceRow],
    ctx: MappingContext,
    registry: MapperRegistry,
    validator: Validator | None,
) -> Iterator[MapResult]:
    mapper, contract = registry.mapper(record_type), registry.contract(record_type)
    for src in rows:
        result = map_row(src, mapper, contract, ctx)
        if validator is not None and result.bundle is not None:
            result = with_validation(result, validator.validate(result.bundle, defaults=True).issues)
        yield result


def record_id_of(record: Any) -> str | None:
    rid = record.get("record_id") if isinstance(record, dict) else None
    return rid if isinstance(rid, str) else None


def map_row(src: SourceRow, mapper: Mapper, contract: Contract, ctx: MappingContext) -> MapResult:
    """One row through the contract and the mapper."""
    if src.record is None:
        return MapResult(src.row, None, None, list(src.issues))
    record = normalise_whitespace(src.record)
    rid = record_id_of(record)
    issues = list(src.issues) + contract.check(record, src.row)
    if any(i.severity == "error" for i in issues):
        return MapResult(src.row, rid, None, issues)
    try:
        bundle, found = mapper.map(record, ctx)
    except MappingError as exc:
        return MapResult(src.row, rid, None, issues + _placed(exc.issues, src.row, rid))
    except Exception as exc:  # nothing silent: the row fails, the run goes on
        log.exception("mapper %s failed on row %d", mapper.record_type, src.row)
        issue = RecordIssue(
            src.row, "", f"internal mapping error ({type(exc).__name__}); the record was not mapped", INTERNAL
        )
        return MapResult(src.row, rid, None, [*issues, dataclasses.replace(issue, record_id=rid)])
    return MapResult(src.row, rid, bundle, issues + _placed(found, src.row, rid))


_ODD_SPACE = re.compile(r"[^\S \t\r\n]")


def normalise_whitespace(value: Any) -> Any:
    """Unicode spaces other than space, tab, CR and LF (a no-break space typed into a name) become plain
    spaces: FHIR ``string`` admits only those (https://hl7.org/fhir/R4/datatypes.html#string), and a
    record should not fail for an invisible character. Nothing else in the record changes."""
    if isinstance(value, str):
        # a printable string has no whitespace but the ASCII space (str.isprintable: Unicode "Other" and
        # "Separator" characters are not printable), so nothing to replace; most strings are
        return value if value.isprintable() else _ODD_SPACE.sub(" ", value)
    if isinstance(value, dict):
        return {k: normalise_whitespace(v) for k, v in value.items()}
    if isinstance(value, list):
        return [normalise_whitespace(v) for v in value]
    return value


def _placed(issues: Iterable[RecordIssue], row: int, rid: str | None) -> list[RecordIssue]:
    return [dataclasses.replace(i, row=row, record_id=rid) for i in issues]


def with_validation(result: MapResult, issues: Iterable[Issue]) -> MapResult:
    """Add validation issues to a result; errors fail the row (its Bundle is dropped from the result)."""
    found = [
        RecordIssue(
            result.row,
            i.expression[0] if i.expression else "",
            i.diagnostics if i.rule_number is None else f"{i.diagnostics} (RuleNumber: {i.rule_number})",
            i.message_id,
            "error" if i.is_error else "warning",
            result.record_id,
        )
        for i in issues
        if i.severity in ("fatal", "error", "warning")
    ]
    if not found:
        return result
    failed = any(i.severity == "error" for i in found)
    return MapResult(result.row, result.record_id, None if failed else result.bundle, result.issues + found)
