"""Deterministic ids: the same source record always maps to the same resource ids, so sending it again
updates the resources instead of duplicating them (PUT with a client id; https://hl7.org/fhir/R4/http.html#upsert).
"""

from __future__ import annotations

import uuid

NAMESPACE = uuid.UUID("6c1f6c1e-9d0a-5b6e-9a3c-1a7e2f0b9d41")  # fixed for this project; never change it


def resource_id(source_system: str, record_type: str, record_id: str, role: str) -> str:
    """``uuid5`` of (source system, record type, record id, role); role e.g. ``encounter``, ``obs:weight``."""
    return str(uuid.uuid5(NAMESPACE, "\x1f".join((source_system, record_type, record_id, role))))


def person_id(system: str, value: str) -> str:
    """A stable fullUrl id for a person known by an identifier (NIK or mother's NIK + birth order)."""
    return str(uuid.uuid5(NAMESPACE, f"person\x1f{system}\x1f{value}"))
