"""``holders`` (the shortcut for references one level down) finds what the full walk finds, in order."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from gateway.store.unit import _holders, holders

KEYS = ["reference", "subject", "performer", "extension", "valueReference", "contained", "display", "x"]
LEAVES = st.one_of(
    st.sampled_from(["Patient/1", "urn:uuid:1", '"reference":"Patient/2"', "reference"]),
    st.integers(0, 2),
    st.none(),
)
JSON = st.recursive(
    LEAVES,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(KEYS), inner, max_size=4)
    ),
    max_leaves=15,
)


@given(st.dictionaries(st.sampled_from(KEYS), JSON, max_size=5))
def test_holders_agree_with_the_full_walk(body: dict[str, Any]) -> None:
    resource = {"resourceType": "Observation", **body}
    assert [id(h) for h in holders(resource)] == [id(h) for h in _holders(resource, [])]


def test_one_level_down_and_nested() -> None:
    subject = {"reference": "urn:uuid:1"}
    assigner = {"reference": "Organization/1"}
    flat = {"resourceType": "Observation", "subject": subject, "performer": [{"display": "x"}]}
    assert holders(flat) == [subject]
    nested = {**flat, "identifier": [{"value": "1", "assigner": assigner}]}
    assert holders(nested) == [subject, assigner]
