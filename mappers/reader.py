"""Source records from JSON or CSV, numbered, with nothing dropped silently (docs/records/README.md).

* JSON: one object (row 1) or an array of objects (row = index + 1). An element that is not an object is a
  row with an issue (ILP-6014).
* CSV (RFC 4180; UTF-8, a BOM is ignored; ``,`` or ``;`` or tab, detected from the header line): the header
  holds the contract's field names; nested groups are flattened with dots, objects by name
  (``tb_symptoms.cough_2_weeks``) and arrays of objects by index (``immunizations.0.vaccine``); an array of
  plain values may also be one cell with ``;``-separated values. Data rows are numbered from 1 (the row
  under the header), blank lines keep their number but are not records. An empty cell is an absent field.
  Cells are coerced by the type the contract gives the field: integer, number (``12,5`` is accepted as a
  decimal comma), boolean (``1/0``, ``true/false``, ``ya/tidak``, ``yes/no``); a cell that does not coerce
  stays text, so the contract reports it with its field path. A row with more cells than the header is a
  row with an issue (ILP-6013); a row whose cells are all empty is one too (ILP-6015).

Whole-input problems (not UTF-8, not JSON, no header, duplicate columns) raise :class:`ReaderError`.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

import orjson

from mappers.base import RecordIssue
from mappers.contract import Contract

Format = Literal["json", "csv"]
NOT_PARSEABLE = "ILP-6010"
NO_RECORDS = "ILP-6011"
BAD_HEADER = "ILP-6012"
TOO_MANY_CELLS = "ILP-6013"
NOT_AN_OBJECT = "ILP-6014"
EMPTY_ROW = "ILP-6015"

TRUE = frozenset({"1", "true", "ya", "y", "yes"})
FALSE = frozenset({"0", "false", "tidak", "no", "n"})
_INTEGER = re.compile(r"^[+-]?\d+$")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")


@dataclass(frozen=True, slots=True)
class SourceRow:
    """One numbered input row: the record, or None when the row could not be read (then ``issues``)."""

    row: int
    record: dict[str, Any] | None
    issues: tuple[RecordIssue, ...] = ()


class ReaderError(Exception):
    """The input as a whole cannot be read (no row can be numbered)."""

    def __init__(self, message_id: str, message: str) -> None:
        super().__init__(message)
        self.message_id = message_id
        self.message = message


def detect_format(content_type: str | None = None, filename: str | None = None) -> Format:
    """``text/csv`` or a ``.csv`` file → csv; JSON otherwise."""
    ctype = (content_type or "").split(";")[0].strip().lower()
    if ctype in ("text/csv", "application/csv"):
        return "csv"
    if ctype:
        return "json"
    return "csv" if (filename or "").lower().endswith(".csv") else "json"


def read_records(data: bytes, fmt: Format, contract: Contract) -> Iterator[SourceRow]:
    """The rows of ``data`` (JSON or CSV)."""
    if fmt == "csv":
        return read_csv(io.StringIO(_decode(data), newline=""), contract)
    return read_json(data)


def rows_from_records(records: Iterable[dict[str, Any]]) -> Iterator[SourceRow]:
    """Already-parsed records, numbered from 1."""
    for i, record in enumerate(records, start=1):
        yield SourceRow(i, record)


# --------------------------------------------------------------------------------------------------- JSON
def read_json(data: bytes | str) -> Iterator[SourceRow]:
    try:
        parsed = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise ReaderError(NOT_PARSEABLE, f"the input is not valid JSON: {exc}") from None
    if isinstance(parsed, dict):
        parsed = [parsed]
    if not isinstance(parsed, list):
        raise ReaderError(NO_RECORDS, "JSON input must be one record (an object) or an array of records")
    return _json_rows(parsed)


def _json_rows(records: list[Any]) -> Iterator[SourceRow]:
    for i, record in enumerate(records, start=1):
        if isinstance(record, dict):
            yield SourceRow(i, record)
        else:
            issue = RecordIssue(i, "", "a record must be a JSON object", NOT_AN_OBJECT)
            yield SourceRow(i, None, (issue,))


# ---------------------------------------------------------------------------------------------------- CSV
def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ReaderError(
            NOT_PARSEABLE, f"CSV input must be UTF-8 ({exc.reason} at byte {exc.start})"
        ) from None


def _delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


Path = tuple[str | int, ...]


def _column_path(name: str) -> Path:
    # ASCII digits only: str.isdigit admits "²", which int() refuses
    return tuple(int(p) if p.isascii() and p.isdigit() else p for p in name.strip().split("."))


def _check_header(columns: list[Path], names: list[str]) -> None:
    if any(not n.strip() for n in names):
        raise ReaderError(BAD_HEADER, "the CSV header has an empty column name")
    seen: dict[Path, str] = {}
    for path, name in zip(columns, names, strict=True):
        if path in seen:
            raise ReaderError(BAD_HEADER, f"the CSV header repeats the column '{name}'")
        seen[path] = name
    for path in seen:
        for k in range(1, len(path)):
            if path[:k] in seen:
                raise ReaderError(
                    BAD_HEADER, f"the CSV header has both '{seen[path[:k]]}' and '{seen[path]}'"
                )


def read_csv(lines: Iterable[str], contract: Contract) -> Iterator[SourceRow]:
    """Rows of a CSV given as lines (a text file object works); lazily, one record at a time."""
    it = iter(lines)
    first = next(it, None)
    while first is not None and not first.strip():
        first = next(it, None)
    if first is None:
        raise ReaderError(NO_RECORDS, "the CSV input is empty (no header line)")
    first = first.removeprefix("\ufeff")
    delimiter = _delimiter(first)
    reader = csv.reader(_chain(first, it), delimiter=delimiter)
    names = next(reader)
    columns = [_column_path(n) for n in names]
    _check_header(columns, names)
    coercers = [_coercer(contract, list(path)) for path in columns]
    return _csv_rows(reader, columns, coercers)


def _chain(first: str, rest: Iterator[str]) -> Iterator[str]:
    yield first
    yield from rest


def _csv_rows(
    reader: Iterator[list[str]], columns: list[Path], coercers: list[_Coerce]
) -> Iterator[SourceRow]:
    row = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            row += 1
            yield SourceRow(row, None, (RecordIssue(row, "", f"malformed CSV: {exc}", NOT_PARSEABLE),))
            continue
        row += 1
        if not cells:
            continue  # a blank line: keeps its number, is not a record
        if len(cells) > len(columns):
            message = f"the row has {len(cells)} cells but the header names {len(columns)} columns"
            yield SourceRow(row, None, (RecordIssue(row, "", message, TOO_MANY_CELLS),))
            continue
        flat = [(p, c(v.strip())) for p, c, v in zip(columns, coercers, cells, strict=False) if v.strip()]
        if not flat:
            yield SourceRow(row, None, (RecordIssue(row, "", "the row is empty", EMPTY_ROW),))
            continue
        yield SourceRow(row, _unflatten(flat))


def _unflatten(flat: list[tuple[Path, Any]]) -> dict[str, Any]:
    root: dict[Any, Any] = {}
    for path, value in flat:
        node = root
        for key in path[:-1]:
            node = node.setdefault(key, {})
        node[path[-1]] = value
    result = _lists(root)
    assert isinstance(result, dict)
    return result


def _lists(node: Any) -> Any:
    """Dicts keyed by indexes become lists in index order (absent indexes are skipped)."""
    if not isinstance(node, dict):
        return node
    if node and all(isinstance(k, int) for k in node):
        return [_lists(node[k]) for k in sorted(node)]
    return {str(k): _lists(v) for k, v in node.items()}


# ------------------------------------------------------------------------------------------- coercion
class _Coerce:
    """Turns a cell into the value the contract's type asks for (or leaves the text for the contract)."""

    __slots__ = ("item_types", "types")

    def __init__(self, types: frozenset[str], item_types: frozenset[str]) -> None:
        self.types = types
        self.item_types = item_types

    def __call__(self, text: str) -> Any:
        if "array" in self.types and self.item_types:
            return [scalar(part.strip(), self.item_types) for part in text.split(";") if part.strip()]
        return scalar(text, self.types)


def _coercer(contract: Contract, path: list[str | int]) -> _Coerce:
    types = contract.field_types(path)
    items = contract.field_types([*path, 0]) if "array" in types else frozenset()
    return _Coerce(types, items)


def scalar(text: str, types: frozenset[str]) -> Any:
    """A cell as boolean, integer or number when the contract allows that type and the text is one."""
    low = text.lower()
    if "boolean" in types and (low in TRUE or low in FALSE):
        return low in TRUE
    if "integer" in types and _INTEGER.match(text):
        return int(text)
    if "number" in types:
        if _INTEGER.match(text):
            return int(text)
        if _NUMBER.match(text):
            return float(text)
        if _DECIMAL_COMMA.match(text):
            return float(text.replace(",", "."))
    return text


def csv_text(rows: Iterable[dict[str, Any]]) -> str:
    """Flatten records to CSV (the inverse of :func:`read_csv`; used by tests, benchmarks and docs)."""
    flat_rows = [dict(_flatten(r, "")) for r in rows]
    header: dict[str, None] = {}
    for r in flat_rows:
        header.update(dict.fromkeys(r))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for r in flat_rows:
        writer.writerow([_cell(r.get(h)) for h in header])
    return out.getvalue()


def _flatten(value: Any, prefix: str) -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _flatten(v, f"{prefix}.{k}" if prefix else str(k))
    elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        for i, v in enumerate(value):
            yield from _flatten(v, f"{prefix}.{i}")
    elif isinstance(value, list):
        yield prefix, ";".join(_cell(v) for v in value)
    else:
        yield prefix, value


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
