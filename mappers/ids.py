"""Deterministic ids: the same source record always maps to the same resource ids, so sending it again
updates the resources instead of duplicating them (PUT with a client id; https://hl7.org/fhir/R4/http.html#upsert).
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Protocol

NAMESPACE = uuid.UUID("6c1f6c1e-9d0a-5b6e-9a3c-1a7e2f0b9d41")  # fixed for this project; never change it
_NAMESPACE_BYTES = NAMESPACE.bytes
_VARIANT = {c: "89ab"[int(c, 16) & 3] for c in "0123456789abcdef"}  # hex digit 17 → with variant bits 10


class Sha1(Protocol):
    """A SHA-1 state as :mod:`hashlib` gives one."""

    def copy(self) -> Sha1: ...
    def update(self, data: bytes, /) -> None: ...
    def hexdigest(self) -> str: ...


def _uuid5_of(hexdigest: str) -> str:
    """A uuid5 written out from the SHA-1 hex digest (RFC 4122 §4.3): version 5 in the 13th hex digit, the
    variant RFC 4122 (top bits 10) in the 17th."""
    h = hexdigest
    return f"{h[:8]}-{h[8:12]}-5{h[13:16]}-{_VARIANT[h[16]]}{h[17:20]}-{h[20:32]}"


def uuid5_text(name: str) -> str:
    """``str(uuid.uuid5(NAMESPACE, name))`` written out from the hex digest without the ``UUID`` object,
    which took twice as long; a test pins the equality."""
    return _uuid5_of(hashlib.sha1(_NAMESPACE_BYTES + name.encode("utf-8")).hexdigest())


def uuid5_prefix(prefix: str) -> Sha1:
    """The SHA-1 state after the namespace and ``prefix``, for :func:`uuid5_suffix`."""
    return hashlib.sha1(_NAMESPACE_BYTES + prefix.encode("utf-8"))


def uuid5_suffix(state: Sha1, suffix: str) -> str:
    """``uuid5_text(prefix + suffix)`` for the ``state`` of :func:`uuid5_prefix`: the shared prefix is not
    hashed again (one record's resources share all but their role)."""
    h = state.copy()
    h.update(suffix.encode("utf-8"))
    return _uuid5_of(h.hexdigest())


def resource_id_prefix(source_system: str, record_type: str, record_id: str) -> str:
    """What :func:`resource_id` hashes before the role."""
    return f"{source_system}\x1f{record_type}\x1f{record_id}\x1f"


def resource_id(source_system: str, record_type: str, record_id: str, role: str) -> str:
    """``uuid5`` of (source system, record type, record id, role); role e.g. ``encounter``, ``obs:weight``."""
    return uuid5_text(resource_id_prefix(source_system, record_type, record_id) + role)


def person_id(system: str, value: str) -> str:
    """A stable fullUrl id for a person known by an identifier (NIK or mother's NIK + birth order)."""
    return uuid5_text(f"person\x1f{system}\x1f{value}")
