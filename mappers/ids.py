"""Deterministic ids: the same source record always maps to the same resource ids, so sending it again
updates the resources instead of duplicating them (PUT with a client id; https://hl7.org/fhir/R4/http.html#upsert).
"""

from __future__ import annotations

import hashlib
import uuid

NAMESPACE = uuid.UUID("6c1f6c1e-9d0a-5b6e-9a3c-1a7e2f0b9d41")  # fixed for this project; never change it


def uuid5_text(name: str) -> str:
    """``str(uuid.uuid5(NAMESPACE, name))`` (RFC 4122 §4.3: SHA-1 of namespace + name, version 5, variant
    RFC 4122) written out without the ``UUID`` object, which took twice as long; a test pins the
    equality."""
    digest = bytearray(hashlib.sha1(NAMESPACE.bytes + name.encode("utf-8")).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50
    digest[8] = (digest[8] & 0x3F) | 0x80
    h = digest.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def resource_id(source_system: str, record_type: str, record_id: str, role: str) -> str:
    """``uuid5`` of (source system, record type, record id, role); role e.g. ``encounter``, ``obs:weight``."""
    return uuid5_text("\x1f".join((source_system, record_type, record_id, role)))


def person_id(system: str, value: str) -> str:
    """A stable fullUrl id for a person known by an identifier (NIK or mother's NIK + birth order)."""
    return uuid5_text(f"person\x1f{system}\x1f{value}")
