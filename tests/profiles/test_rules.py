"""Guards of named rules (``profiles.rules.GUARDS``): a guard that holds means the rule finds nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
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
