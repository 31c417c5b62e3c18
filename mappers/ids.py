"""Deterministic ids: the same source record always maps to the same resource ids, so sending it again
updates the resources instead of duplicating them (PUT with a client id; https://hl7.org/fhir/R4/http.html#upsert).
"""

from __future__ import annotations

import hashlib
import uuid

NAMESPACE = uuid.UUID("6c1f6c1e-9d0a-5b6e-9a3c-1a7e2f0b9d41")  # fixed for this project; never change it
_NAMESPACE_BYTES = NAMESPACE.bytes


def uuid5_text(name: str) -> str:
    """``str(uuid.uuid5(NAMESPACE, name))`` (RFC 4122 §4.3: SHA-1 of namespace + name, version 5, variant
    RFC 4122) written out from the hex digest without the ``UUID`` object, which took twice as long; a test
    pins the equality. Version: the 13th hex digit is 5; variant: the 17th is 8, 9, a or b (top bits 10)."""
    h = hashlib.sha1(_NAMESPACE_BYTES + name.encode("utf-8")).hexdigest()
    return f"{h[:8]}-{h[8:12]}-5{h[13:16]}-{'89ab'[int(h[16], 16) & 3]}{h[17:20]}-{h[20:32]}"


def resource_id(source_system: str, record_type: str, record_id: str, role: str) -> str:
    """``uuid5`` of (source system, record type, record id, role); role e.g. ``encounter``, ``obs:weight``."""
    return uuid5_text("\x1f".join((source_system, record_type, record_id, role)))


def person_id(system: str, value: str) -> str:
    """A stable fullUrl id for a person known by an identifier (NIK or mother's NIK + birth order)."""
    return uuid5_text(f"person\x1f{system}\x1f{value}")
