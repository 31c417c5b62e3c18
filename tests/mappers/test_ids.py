"""Deterministic ids (mappers/ids.py): the hand-written uuid5 is exactly the standard library's."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from mappers.common.visit import Visit
from mappers.ids import NAMESPACE, person_id, resource_id, uuid5_prefix, uuid5_suffix, uuid5_text

NOON = datetime(2024, 3, 1, 5, tzinfo=UTC)


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",))))
def test_uuid5_text_is_uuid5(name: str) -> None:
    assert uuid5_text(name) == str(uuid.uuid5(NAMESPACE, name))


def test_ids_are_stable() -> None:
    """The ids are upsert keys: a change would duplicate every resource already sent (the golden files pin
    the literal ids)."""
    assert resource_id("kader-app", "posyandu-balita", "BAL-0001", "encounter") == str(
        uuid.uuid5(NAMESPACE, "kader-app\x1fposyandu-balita\x1fBAL-0001\x1fencounter")
    )
    assert person_id("https://fhir.kemkes.go.id/id/nik", "3171014101900001") == str(
        uuid.uuid5(NAMESPACE, "person\x1fhttps://fhir.kemkes.go.id/id/nik\x1f3171014101900001")
    )
    assert uuid.UUID(uuid5_text("x")).version == 5


TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)))


@given(TEXT, TEXT)
def test_uuid5_from_a_prefix_state_is_uuid5_of_the_whole(prefix: str, suffix: str) -> None:
    state = uuid5_prefix(prefix)
    assert uuid5_suffix(state, suffix) == str(uuid.uuid5(NAMESPACE, prefix + suffix))
    assert uuid5_suffix(state, suffix) == uuid5_suffix(state, suffix)  # the state is copied, not spent


@given(TEXT, TEXT, TEXT, TEXT)
def test_visit_ids_are_resource_ids(source: str, record_type: str, record_id: str, role: str) -> None:
    visit = Visit(record_type, record_id, source, "org", "loc", "nik", "name", "3171011001", *[NOON] * 3)
    assert visit.id(role) == resource_id(source, record_type, record_id, role)
