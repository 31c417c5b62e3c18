"""FHIR JSON that keeps each decimal's precision.

FHIR R4 §2.24.0.1 (https://hl7.org/fhir/R4/datatypes.html#decimal): a decimal is "a rational number with
implicit precision", and "the precision of the decimal value has significance" (``0.010`` is not the
same value as ``0.01``). The JSON format writes decimals as JSON numbers
(https://hl7.org/fhir/R4/json.html#primitive), so a server must give back the number's text as it came.

orjson, which the gateway uses for speed, reads a number with a fraction or an exponent as a binary float
and writes the shortest text that reads back as the same float: ``12.50`` comes back as ``12.5``, ``1E5``
as ``100000.0`` and ``0.30000000000000001`` as ``0.3``. :func:`loads` keeps orjson's speed when no number
is affected and falls back to the standard library's parser, which hands over each number's text, when
one might be. A number whose text the float would not write back becomes a :class:`PreciseDecimal`: a
float for every reader (arithmetic, comparison, search indexing), which :func:`dumps` writes as its own
text.

Only JSON's own types reach jsonschema-rs, which refuses a float subclass: :func:`plain` gives the copy
to validate (:func:`gateway.validation.validate`).
"""

from __future__ import annotations

import json
from typing import Any

import orjson


class PreciseDecimal(float):
    """A JSON number kept with its text (``12.50``), which its float value alone would not write back."""

    __slots__ = ("text",)
    text: str

    def __new__(cls, text: str) -> PreciseDecimal:
        value = super().__new__(cls, text)
        value.text = text
        return value

    def __repr__(self) -> str:
        return f"PreciseDecimal({self.text!r})"

    def __reduce__(self) -> tuple[type[PreciseDecimal], tuple[str]]:
        return PreciseDecimal, (self.text,)

    def __copy__(self) -> PreciseDecimal:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> PreciseDecimal:
        return self


def loads(body: bytes) -> Any:
    """Parse JSON as orjson does (what it refuses is refused, with its message), keeping the text of every
    number that its float would not write back as a :class:`PreciseDecimal`.

    The common case costs one ``orjson.dumps`` more than ``orjson.loads``: when the body is what orjson
    writes for the parsed value (compact, or indented by two spaces), every number's text is what its
    float writes. Only otherwise does the standard library parse the body again to read each number's
    text."""
    data = orjson.loads(body)
    text = body.strip()
    if orjson.dumps(data) == text:
        return data
    if b"\n" in text and orjson.dumps(data, option=orjson.OPT_INDENT_2) == text:
        return data
    kept = 0

    def number(token: str) -> float:
        nonlocal kept
        value = float(token)
        if orjson.dumps(value) == token.encode():
            return value
        kept += 1
        return PreciseDecimal(token)

    try:
        exact = json.loads(body, parse_float=number)
    except RecursionError:  # nested deeper than Python's parser goes (orjson allows 1,024 levels)
        return data
    return exact if kept else data


def dumps(value: Any, option: int = 0) -> bytes:
    """``orjson.dumps`` that writes a :class:`PreciseDecimal` as its own text."""
    return orjson.dumps(value, default=_precise_text, option=option)


def _precise_text(value: Any) -> orjson.Fragment:
    if isinstance(value, PreciseDecimal):
        return orjson.Fragment(value.text)
    raise TypeError(f"Type is not JSON serializable: {type(value).__name__}")


def has_precise(value: Any) -> bool:
    """Whether a parsed value holds any :class:`PreciseDecimal` (a walk: call it only when one may)."""
    if value.__class__ is dict:
        return any(has_precise(v) for v in value.values())
    if value.__class__ is list:
        return any(has_precise(v) for v in value)
    return value.__class__ is PreciseDecimal


def plain(value: Any) -> Any:
    """A copy with every :class:`PreciseDecimal` as a plain float: JSON's own types only."""
    return orjson.loads(dumps(value))
