"""gateway.fhir_json: a decimal's text survives parsing and writing (https://hl7.org/fhir/R4/datatypes.html#decimal)."""

from __future__ import annotations

import copy
import pickle

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gateway import fhir_json
from gateway.fhir_json import PreciseDecimal

KEPT = ["12.50", "1.000", "1E5", "1e+5", "2.5e-3", "0.30000000000000001", "123456789012345678.5", "0.100"]
ROUND_TRIP = ["12.5", "0.1", "1.0", "-0.0", "0.00001", "1e-7", "5e-324", "3", "-17"]


@pytest.mark.parametrize("text", KEPT)
def test_a_decimal_the_float_would_rewrite_keeps_its_text(text: str) -> None:
    for body in (f'{{"v":{text}}}', f'{{ "v" : [ {text} ] }}', f'{{\n  "v": {text}\n}}\n'):
        data = fhir_json.loads(body.encode())
        value = data["v"][0] if isinstance(data["v"], list) else data["v"]
        assert value.__class__ is PreciseDecimal and value.text == text and value == float(text)
        assert text.encode() in fhir_json.dumps(data)
        assert fhir_json.has_precise(data)
        assert fhir_json.plain(data) == orjson.loads(body) and not fhir_json.has_precise(
            fhir_json.plain(data)
        )


@pytest.mark.parametrize("text", ROUND_TRIP)
def test_a_number_the_float_writes_back_stays_plain(text: str) -> None:
    for body in (f'{{"v":{text}}}', f'{{ "v": {text} }}'):
        data = fhir_json.loads(body.encode())
        assert data["v"].__class__ in (int, float) and not fhir_json.has_precise(data)
        assert fhir_json.dumps(data) == f'{{"v":{text}}}'.encode()


def test_orjson_output_is_taken_as_it_is() -> None:
    """Compact or two-space-indented orjson output: one parse, nothing kept (the fast path)."""
    value = {"resourceType": "Observation", "valueQuantity": {"value": 12.5}, "a": [1, 2.25, {"b": None}]}
    for option in (0, orjson.OPT_INDENT_2):
        data = fhir_json.loads(orjson.dumps(value, option=option))
        assert data == value and not fhir_json.has_precise(data)


def test_bad_json_is_refused_as_orjson_refuses_it() -> None:
    for body in (b'{"v": NaN}', b'{"v": 1.5', b'{"v": "\xff"}', b"[01]", b'{"v": 1e999}'):
        with pytest.raises(orjson.JSONDecodeError) as got:
            fhir_json.loads(body)
        with pytest.raises(orjson.JSONDecodeError) as want:
            orjson.loads(body)
        assert str(got.value) == str(want.value)


def test_precise_decimal_copies_and_pickles_with_its_text() -> None:
    value = PreciseDecimal("12.50")
    assert copy.deepcopy({"v": value})["v"].text == "12.50"
    assert pickle.loads(pickle.dumps(value)).text == "12.50"
    assert repr(value) == "PreciseDecimal('12.50')" and value + 1 == 13.5


def test_dumps_refuses_what_json_cannot_hold() -> None:
    with pytest.raises(orjson.JSONEncodeError):
        fhir_json.dumps({"v": object()})


# Any JSON document whose numbers are written in any valid JSON lexical form (RFC 8259 §6), as a pair: its
# compact text and the same with a space after every comma and colon. Parsing either and writing it again
# gives back the compact text, each number's text included. (An integer "-0" is the integer 0: left out.)
_NUMBER = st.from_regex(r"\A-?(0|[1-9][0-9]{0,17})(\.[0-9]{1,20})?([eE][+-]?[0-9]{1,2})?\Z").filter(
    lambda n: n != "-0"
)
_STRING = st.text(max_size=8).map(lambda s: orjson.dumps(s).decode())
_SCALAR = st.one_of(_NUMBER, st.sampled_from(["true", "false", "null"]), _STRING).map(lambda t: (t, t))


def _documents(children: st.SearchStrategy[tuple[str, str]]) -> st.SearchStrategy[tuple[str, str]]:
    def array(items: list[tuple[str, str]]) -> tuple[str, str]:
        return "[" + ",".join(c for c, _ in items) + "]", "[ " + ", ".join(s for _, s in items) + " ]"

    def obj(members: list[tuple[str, tuple[str, str]]]) -> tuple[str, str]:
        compact = ",".join(f"{k}:{c}" for k, (c, _) in members)
        spaced = ", ".join(f"{k}: {s}" for k, (_, s) in members)
        return "{" + compact + "}", "{ " + spaced + " }"

    return st.one_of(
        st.lists(children, max_size=4).map(array),
        st.lists(st.tuples(_STRING, children), max_size=4, unique_by=lambda kv: kv[0]).map(obj),
    )


@given(st.recursive(_SCALAR, _documents, max_leaves=12), st.booleans())
def test_every_number_keeps_its_text(document: tuple[str, str], spaced: bool) -> None:
    compact, with_spaces = document
    body = (with_spaces if spaced else compact).encode()
    data = fhir_json.loads(body)
    assert fhir_json.dumps(data) == compact.encode()
    assert fhir_json.plain(data) == orjson.loads(body)
