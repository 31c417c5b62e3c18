"""The store seam: what every backend (SQLite, MongoDB) implements, and the values that cross it.

Writes have one entry point, :meth:`ResourceStore.transaction`: create, update, delete, conditional
create/update/delete and whole transaction Bundles are all lists of :class:`WriteEntry` executed
atomically by the backend (a batch is one transaction per entry). The planning logic shared by all
backends lives in :mod:`gateway.store.unit`; a backend supplies the primitives of :class:`WriteTx`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from gateway import fhir_json
from gateway.search.query import SearchQuery
from gateway.search.values import format_instant

Method = Literal["POST", "PUT", "DELETE"]


@dataclass(frozen=True, slots=True)
class StoredResource:
    """One version of a resource as stored. ``body`` is the JSON (None for a deletion)."""

    resource_type: str
    id: str
    version: int
    last_updated: int  # µs since the epoch
    deleted: bool
    body: bytes | None
    method: Method = "PUT"

    @property
    def etag(self) -> str:
        return f'W/"{self.version}"'

    @property
    def last_updated_instant(self) -> str:
        return format_instant(self.last_updated)

    @property
    def reference(self) -> str:
        return f"{self.resource_type}/{self.id}"

    def resource(self) -> dict[str, Any]:
        if self.body is None:
            raise ValueError(f"{self.reference} version {self.version} is a deletion")
        data: dict[str, Any] = fhir_json.loads(self.body)
        return data


@dataclass(slots=True)
class WriteEntry:
    """One write of a transaction (https://hl7.org/fhir/R4/http.html#trules).

    ``expression`` is the FHIRPath of the entry in the request (``Bundle.entry[3]``), used in errors.
    """

    method: Method
    resource_type: str
    id: str | None = None
    resource: dict[str, Any] | None = None
    full_url: str | None = None
    if_none_exist: SearchQuery | None = None
    condition: SearchQuery | None = None
    if_match: int | None = None
    expression: str = ""


@dataclass(slots=True)
class EntryResult:
    """What happened to one :class:`WriteEntry`."""

    status: int
    stored: StoredResource | None = None
    created: bool = False
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class SearchResult:
    matches: list[StoredResource]
    total: int | None
    included: list[StoredResource] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class HistoryPage:
    entries: list[StoredResource]
    total: int


class WriteTx(Protocol):
    """Primitives a backend offers inside one atomic unit of work."""

    async def find(self, query: SearchQuery, limit: int) -> list[str]:
        """Ids of current resources matching ``query`` (at most ``limit``)."""
        ...

    async def current(self, resource_type: str, resource_id: str) -> StoredResource | None:
        """The latest version (possibly a deletion) or None if the id was never used."""
        ...

    async def put(
        self, resource_type: str, resource_id: str, resource: dict[str, Any], version: int, method: Method
    ) -> StoredResource:
        """Write ``version`` of the resource (stamping ``id`` and ``meta``), its history and index.
        ``version`` 1 means the caller has established that the id has no stored version (never used,
        not even deleted), so a backend may insert without looking."""
        ...

    async def delete(self, resource_type: str, resource_id: str, version: int) -> StoredResource:
        """Record ``version`` as a deletion and drop the resource from the search index."""
        ...

    async def referrers(self, resource_type: str, resource_id: str, limit: int) -> list[str]:
        """``Type/id`` of current resources whose indexed references point at this resource."""
        ...


class ResourceStore(Protocol):
    """A FHIR resource store (https://hl7.org/fhir/R4/http.html)."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def transaction(self, entries: list[WriteEntry]) -> list[EntryResult]:
        """Execute all entries atomically: all succeed and are durable, or none is applied."""
        ...

    async def read(self, resource_type: str, resource_id: str) -> StoredResource | None:
        """Latest version (a deletion has ``deleted=True``), or None if never created."""
        ...

    async def vread(self, resource_type: str, resource_id: str, version: int) -> StoredResource | None: ...

    async def history(
        self,
        resource_type: str | None,
        resource_id: str | None,
        *,
        since: int | None,
        count: int,
        offset: int,
    ) -> HistoryPage: ...

    async def search(self, query: SearchQuery) -> SearchResult: ...

    async def count(self, resource_type: str | None = None) -> int:
        """Number of current (not deleted) resources."""
        ...
