"""Guards of named rules (``profiles.rules.GUARDS``): a guard that holds means the rule finds nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from profiles import rules
from profiles.validator import NoServices

_TIMES = st.sampled_from(
    ["2024-03-12", "2024-03-12T02:00:00+00:00", "2024-03-12T09:00:00+07:00", "2024-03-12T02:00:00Z", "T", ""]
)
_VALUES = st.one_of(
    _TIMES,
    st.text(),
    st.dictionaries(st.sampled_from(["start", "end", "x"]), _TIMES | st.text() | st.integers(), max_size=3),
    st.lists(_TIMES, max_size=2),
    st.none(),
    st.integers(),
)


def _guard(name: str) -> Callable[[Any], bool]:
    code = compile(f"lambda v: {rules.GUARDS[name].format(v='v')}", f"<guard {name}>", "eval")
    fn: Callable[[Any], bool] = eval(code)  # the project's own constant
    return fn


@pytest.mark.parametrize("name", sorted(rules.GUARDS))
def test_every_guard_names_a_rule(name: str) -> None:
    assert name in rules.library(NoServices())


@given(_VALUES)
def test_utc_guard_holds_only_when_the_rule_finds_nothing(value: Any) -> None:
    guard, rule = _guard("utc"), rules.library(NoServices())["utc"]
    if guard(value):
        assert rule(value, "Observation.effectiveDateTime", {}) == []


def test_utc_guard_lets_the_rule_report() -> None:
    guard = _guard("utc")
    assert not guard("2024-03-12T09:00:00+07:00")
    assert not guard({"start": "2024-03-12T02:00:00+00:00"})  # a Period: the rule itself looks
    assert guard("2024-03-12") and guard("2024-03-12T02:00:00Z")


class _Units:
    """Units for two LOINC codes; None (no rule) for anything else."""

    def units_for(self, system: str, code: str) -> frozenset[str] | None:
        if system == "http://loinc.org":
            return {"29463-7": frozenset({"kg", "g"}), "8302-2": frozenset({"cm"})}.get(code)
        return None


def _unit_problems(value: Any, path: str) -> list[tuple[str, str]]:
    """The quantity-unit rule written plainly (its meaning): the first coding with a string code whose
    allowed units are known and do not hold valueQuantity.code."""
    quantity = value.get("valueQuantity") if isinstance(value, dict) else None
    code = value.get("code") if isinstance(value, dict) else None
    codings = code.get("coding") if isinstance(code, dict) else None
    if not isinstance(quantity, dict) or not isinstance(codings, list):
        return []
    unit = quantity.get("code")
    for coding in codings:
        if isinstance(coding, dict) and isinstance(coding.get("code"), str):
            allowed = _Units().units_for(str(coding.get("system")), coding["code"])
            if allowed is not None and unit not in allowed:
                units = ", ".join(sorted(allowed))
                message = f"unit '{unit}' is not allowed for {coding['code']} (allowed: {units})"
                return [(f"{path}.valueQuantity.code", message)]
    return []


_ODD = st.sampled_from([None, 5, "x", [], {}, ["kg"]])
_LOINC_CODING = {"system": "http://loinc.org", "code": "8302-2"}
_CODING = st.one_of(
    st.just(_LOINC_CODING),
    st.fixed_dictionaries(
        {},
        optional={
            "system": st.sampled_from(["http://loinc.org", "http://snomed.info/sct"]) | _ODD,
            "code": st.sampled_from(["29463-7", "8302-2", "9999-9"]) | _ODD,
        },
    ),
    _ODD,
)
_OBSERVATION = st.fixed_dictionaries(
    {},
    optional={
        "code": st.one_of(
            st.fixed_dictionaries({}, optional={"coding": st.lists(_CODING, max_size=3) | _ODD}), _ODD
        ),
        "valueQuantity": st.one_of(
            st.fixed_dictionaries({}, optional={"code": st.sampled_from(["kg", "g", "cm", "mm"]) | _ODD}),
            _ODD,
        ),
    },
)


_LOINC = {"system": "http://loinc.org", "code": "29463-7"}


@settings(max_examples=400)
@example({"code": {"coding": [_LOINC]}, "valueQuantity": {"code": "cm"}})
@example({"code": {"coding": [_LOINC]}, "valueQuantity": {"code": "kg"}})
@example({"code": {"coding": [{"code": "29463-7"}, _LOINC]}, "valueQuantity": {"code": "cm"}})
@given(_OBSERVATION)
def test_quantity_unit_reads_every_shape_as_its_meaning(value: dict[str, Any]) -> None:
    """The rule's quick path (subscripts on the common shape) and its long way answer as the plain rule,
    on well-formed and odd values alike (an unhashable unit may raise, as the plain rule does)."""
    rule = rules.quantity_unit(_Units())  # type: ignore[arg-type]  # only units_for is asked
    try:
        expected: list[tuple[str, str]] | type[Exception] = _unit_problems(value, "Observation")
    except TypeError:
        expected = TypeError
    try:
        got: list[tuple[str, str]] | type[Exception] = list(rule(value, "Observation", value))
    except TypeError:
        got = TypeError
    assert got == expected
