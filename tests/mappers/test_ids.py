"""Deterministic ids (mappers/ids.py): the hand-written uuid5 is exactly the standard library's."""

from __future__ import annotations

import uuid

from hypothesis import given
from hypothesis import strategies as st

from mappers.ids import NAMESPACE, person_id, resource_id, uuid5_text


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
