"""Server-assigned ids are UUID version 7 (RFC 9562 §5.7): valid FHIR ids, unique, ordered by time."""

from __future__ import annotations

import re
import time
import uuid

from gateway.store.unit import new_id

FHIR_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")


def test_new_ids_are_uuid7_and_fhir_ids() -> None:
    before = time.time_ns() // 1_000_000
    ids = [new_id() for _ in range(2000)]
    after = time.time_ns() // 1_000_000
    assert len(set(ids)) == len(ids)
    for text in ids:
        u = uuid.UUID(text)
        assert str(u) == text and FHIR_ID.match(text)
        assert u.version == 7 and u.variant == uuid.RFC_4122
        assert before <= u.int >> 80 <= after  # the 48-bit millisecond timestamp


def test_later_ids_sort_after_earlier_ones() -> None:
    first = new_id()
    time.sleep(0.002)
    assert new_id() > first
