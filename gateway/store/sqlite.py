"""The embedded default store: SQLite in WAL mode, durable, with group commit.

* Durability: ``synchronous=FULL`` in WAL mode, so a COMMIT returns only once the WAL is fsynced; a
  request is answered only after the COMMIT that contains it, so an acknowledged write survives
  ``kill -9`` and power loss.
* Group commit: one writer task takes every unit of work queued so far, runs each in its own SAVEPOINT
  (a failing unit rolls back alone) and commits them together with one fsync (Blaze's 5.3k → 18k tx/s
  came from the same idea). The fsync runs in a thread so the event loop keeps accepting requests.
* Race-free conditional create: the match search runs inside the write transaction, which SQLite
  serialises (``BEGIN IMMEDIATE`` takes the database write lock, across processes too).
* Reads run on per-thread read connections in a small pool; WAL lets them run beside the writer.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
import threading
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from itertools import chain
from pathlib import Path
from typing import Any, TypeVar

from gateway import fhir_json
from gateway.errors import Category, fail
from gateway.search.query import SearchQuery
from gateway.search.registry import IndexRows, SearchRegistry
from gateway.search.values import format_instant
from gateway.store.base import EntryResult, HistoryPage, Method, SearchResult, StoredResource, WriteEntry
from gateway.store.sqlite_search import TABLE, SqlBuilder, placeholders
from gateway.store.unit import run_transaction

log = logging.getLogger(__name__)
T = TypeVar("T")
SCHEMA_VERSION = "1"
MAX_GROUP = 256

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS search_param (pid INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS resource (
  rid INTEGER PRIMARY KEY, type TEXT NOT NULL, id TEXT NOT NULL, version INTEGER NOT NULL,
  last_updated INTEGER NOT NULL, deleted INTEGER NOT NULL, hid INTEGER NOT NULL, UNIQUE (type, id));
CREATE INDEX IF NOT EXISTS resource_type ON resource (type, deleted);
CREATE INDEX IF NOT EXISTS resource_updated ON resource (type, last_updated);
CREATE TABLE IF NOT EXISTS history (
  hid INTEGER PRIMARY KEY, rid INTEGER NOT NULL, type TEXT NOT NULL, id TEXT NOT NULL,
  version INTEGER NOT NULL, last_updated INTEGER NOT NULL, method TEXT NOT NULL, body BLOB,
  UNIQUE (rid, version));
CREATE INDEX IF NOT EXISTS history_type ON history (type, hid);
CREATE TABLE IF NOT EXISTS idx_token (pid INTEGER NOT NULL, code TEXT NOT NULL, system TEXT NOT NULL,
  rid INTEGER NOT NULL, PRIMARY KEY (pid, code, system, rid)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS idx_string (pid INTEGER NOT NULL, value TEXT NOT NULL, exact TEXT NOT NULL,
  rid INTEGER NOT NULL, PRIMARY KEY (pid, value, exact, rid)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS idx_date (pid INTEGER NOT NULL, low INTEGER NOT NULL, high INTEGER NOT NULL,
  rid INTEGER NOT NULL, PRIMARY KEY (pid, low, high, rid)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS idx_ref (pid INTEGER NOT NULL, target_id TEXT NOT NULL, target_type TEXT NOT NULL,
  url TEXT NOT NULL, rid INTEGER NOT NULL, PRIMARY KEY (pid, target_id, target_type, url, rid)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS idx_quantity (pid INTEGER NOT NULL, code TEXT NOT NULL, value REAL NOT NULL,
  system TEXT NOT NULL, rid INTEGER NOT NULL, PRIMARY KEY (pid, code, value, system, rid)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS idx_number (pid INTEGER NOT NULL, value REAL NOT NULL, rid INTEGER NOT NULL,
  PRIMARY KEY (pid, value, rid)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS idx_uri (pid INTEGER NOT NULL, value TEXT NOT NULL, rid INTEGER NOT NULL,
  PRIMARY KEY (pid, value, rid)) WITHOUT ROWID;
""" + "".join(f"CREATE INDEX IF NOT EXISTS {t}_rid ON {t} (rid, pid);\n" for t in TABLE.values())

INSERTS = {
    "token": "INSERT OR IGNORE INTO idx_token (pid, system, code, rid) VALUES (?, ?, ?, ?)",
    "string": "INSERT OR IGNORE INTO idx_string (pid, value, exact, rid) VALUES (?, ?, ?, ?)",
    "date": "INSERT OR IGNORE INTO idx_date (pid, low, high, rid) VALUES (?, ?, ?, ?)",
    "reference": "INSERT OR IGNORE INTO idx_ref (pid, target_type, target_id, url, rid) "
    "VALUES (?, ?, ?, ?, ?)",
    "quantity": "INSERT OR IGNORE INTO idx_quantity (pid, value, system, code, rid) VALUES (?, ?, ?, ?, ?)",
    "number": "INSERT OR IGNORE INTO idx_number (pid, value, rid) VALUES (?, ?, ?)",
    "uri": "INSERT OR IGNORE INTO idx_uri (pid, value, rid) VALUES (?, ?, ?)",
}
CHUNKS = (64, 32, 16, 8, 4, 2, 1)


def multi_row_inserts() -> dict[str, dict[int, str]]:
    """Per index table and chunk size, ``INSERTS[kind]`` with that many rows of placeholders (a handful of
    sizes, so the statements stay in the connection's statement cache)."""
    out: dict[str, dict[int, str]] = {}
    for kind, sql in INSERTS.items():
        head, _, one = sql.partition(" VALUES ")
        out[kind] = {n: f"{head} VALUES {', '.join([one] * n)}" for n in CHUNKS}
    return out


def insert_rows(conn: sqlite3.Connection, sql: dict[int, str], rows: list[tuple[Any, ...]]) -> None:
    """Insert rows with one statement per chunk of :data:`CHUNKS` rows (``sql``: chunk size → statement):
    each ``execute`` is a single step into SQLite, measured at 0.63× the time of ``executemany`` for the
    same rows (one step per row)."""
    if not rows:
        return
    width, n = len(rows[0]), len(rows)
    flat = list(chain.from_iterable(rows))  # one list of parameters, sliced per chunk
    start = 0
    for size in CHUNKS:
        while n - start >= size:
            conn.execute(sql[size], flat[start * width : (start + size) * width])
            start += size


_READ = (
    "SELECT r.rid, r.version, r.last_updated, r.deleted, h.body, h.method FROM resource r "
    "JOIN history h ON h.hid = r.hid WHERE r.type = ? AND r.id = ?"
)


def sqlite_path(url: str) -> Path:
    """``sqlite:///relative/or/absolute.db`` → path (``sqlite:////abs`` and ``sqlite:///./rel`` both work)."""
    if not url.startswith("sqlite:///"):
        raise ValueError(f"not a sqlite:/// URL: {url!r}")
    return Path(url[len("sqlite:///") :])


class _Clock:
    """Strictly increasing µs timestamps, so lastUpdated orders versions even within one µs."""

    def __init__(self) -> None:
        self.last = 0

    def __call__(self) -> int:
        now = time.time_ns() // 1000
        self.last = max(now, self.last + 1)
        return self.last


class SqliteStore:
    """:class:`gateway.store.base.ResourceStore` on SQLite."""

    def __init__(
        self,
        path: Path | str,
        registry: SearchRegistry,
        *,
        readers: int = 4,
        referential_integrity: bool = True,
    ) -> None:
        self.path = Path(path)
        self.registry = registry
        self.referential_integrity = referential_integrity
        self._ref_pids: dict[str, list[int]] = {}
        self._readers_n = readers
        self._clock = _Clock()
        self._queue: asyncio.Queue[tuple[Callable[[_Tx], Awaitable[Any]], asyncio.Future[Any]] | None]
        self._writer: sqlite3.Connection | None = None
        self._writer_task: asyncio.Task[None] | None = None
        self._pool: ThreadPoolExecutor | None = None
        self._local = threading.local()
        self._reader_conns: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self.pids: dict[str, int] = {}
        self.sql = SqlBuilder(self.pids)
        self.inserts = multi_row_inserts()
        self._next_rid = 0
        self._next_hid = 0

    # ---------------------------------------------------------------------------------------- lifecycle

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(
            self.path, isolation_level=None, check_same_thread=False, timeout=30, cached_statements=256
        )
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA busy_timeout=30000")
        conn.execute("PRAGMA cache_size=-65536")
        conn.execute("PRAGMA temp_store=MEMORY")
        # read database pages through a memory map (up to 1 GiB) instead of a read() copy per page miss;
        # writes still go through the fsynced WAL (https://www.sqlite.org/mmap.html). bench/ingest.py, 4,000
        # Bundles, same-time A/B: server CPU 5.33 -> 4.22 and 4.52 -> 4.04 ms per Bundle
        conn.execute("PRAGMA mmap_size=1073741824")
        # checkpoint every 8,000 WAL pages (32 MiB) instead of SQLite's 1,000: a page changed by several
        # commits is copied to the database once per checkpoint (bench/ingest.py: 805 -> 630 KiB written per
        # Bundle, +14-28% resources/s; 20,000 wrote less but was no faster and had a worse p99); the WAL file
        # is cut back to 64 MiB after a checkpoint
        conn.execute("PRAGMA wal_autocheckpoint=8000")
        conn.execute("PRAGMA journal_size_limit=67108864")
        return conn

    async def start(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = self._connect()
        conn.executescript(SCHEMA)
        version = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        if version is None:
            conn.execute("INSERT INTO meta (key, value) VALUES ('schema_version', ?)", (SCHEMA_VERSION,))
        elif version[0] != SCHEMA_VERSION:
            raise RuntimeError(
                f"{self.path}: schema version {version[0]}, this gateway needs {SCHEMA_VERSION}"
            )
        keys = [p.key for p in self.registry.all_params() if not p.is_column]
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany("INSERT OR IGNORE INTO search_param (key) VALUES (?)", [(k,) for k in keys])
        conn.execute("COMMIT")
        self.pids.update(dict(conn.execute("SELECT key, pid FROM search_param").fetchall()))
        conn.execute("PRAGMA optimize=0x10002")
        self._writer = conn
        self._queue = asyncio.Queue()
        self._pool = ThreadPoolExecutor(self._readers_n, thread_name_prefix="sqlite-read")
        self._writer_task = asyncio.create_task(self._write_loop(), name="sqlite-writer")

    async def stop(self) -> None:
        if self._writer_task is not None:
            self._queue.put_nowait(None)
            await self._writer_task
            self._writer_task = None
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None
        for c in self._reader_conns:
            c.close()
        self._reader_conns.clear()
        if self._writer is not None:
            with contextlib.suppress(sqlite3.Error):
                self._writer.execute("PRAGMA optimize")
            self._writer.close()
            self._writer = None

    # ------------------------------------------------------------------------------------------ writes

    async def transaction(self, entries: list[WriteEntry]) -> list[EntryResult]:
        async def job(tx: _Tx) -> list[EntryResult]:
            return await run_transaction(
                tx, entries, tx.parse_conditional, referential_integrity=self.referential_integrity
            )

        result: list[EntryResult] = await self._submit(job)
        return result

    def set_conditional_parser(self, parser: Callable[[str, str], SearchQuery]) -> None:
        """How conditional references (``Patient?identifier=…``) in a transaction are parsed."""
        self._parse_conditional = parser

    _parse_conditional: Callable[[str, str], SearchQuery] | None = None

    async def _submit(self, job: Callable[[_Tx], Awaitable[T]]) -> T:
        if self._writer_task is None:
            raise RuntimeError("store not started")
        fut: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait((job, fut))
        return await fut

    async def _write_loop(self) -> None:
        conn = self._writer
        assert conn is not None
        stopping = False
        while not stopping:
            item = await self._queue.get()
            if item is None:
                break
            group = [item]
            while len(group) < MAX_GROUP and not self._queue.empty():
                nxt = self._queue.get_nowait()
                if nxt is None:
                    stopping = True
                    break
                group.append(nxt)
            await self._run_group(conn, group)
            # let the event loop answer this group and read new requests before the next group starts, so
            # that more requests gather into one commit (measured: +14% ingest at 16 clients)
            await asyncio.sleep(0)

    async def _run_group(
        self,
        conn: sqlite3.Connection,
        group: list[tuple[Callable[[_Tx], Awaitable[Any]], asyncio.Future[Any]]],
    ) -> None:
        outcomes: list[tuple[asyncio.Future[Any], Any, BaseException | None]] = []
        try:
            # may wait for another process's write lock (busy_timeout): do that off the event loop
            await asyncio.to_thread(conn.execute, "BEGIN IMMEDIATE")
            self._next_rid = conn.execute("SELECT coalesce(max(rid), 0) + 1 FROM resource").fetchone()[0]
            self._next_hid = conn.execute("SELECT coalesce(max(hid), 0) + 1 FROM history").fetchone()[0]
        except sqlite3.Error as exc:
            log.error("cannot begin a write transaction: %s", exc)
            for _, fut in group:
                if not fut.done():
                    fut.set_exception(
                        fail(
                            Category.UNAVAILABLE,
                            "ILP-9002",
                            "The store is busy; retry later",
                            code="transient",
                        )
                    )
            return
        for job, fut in group:
            if fut.done():  # the caller went away
                continue
            tx = _Tx(self, conn)
            conn.execute("SAVEPOINT unit")
            next_rid, next_hid = self._next_rid, self._next_hid
            try:
                value = await job(tx)
                tx.flush()
                conn.execute("RELEASE unit")
                outcomes.append((fut, value, None))
            except Exception as exc:  # every failure is handed to its caller
                conn.execute("ROLLBACK TO unit")
                conn.execute("RELEASE unit")
                self._next_rid, self._next_hid = next_rid, next_hid
                outcomes.append((fut, None, exc))
        try:
            await asyncio.to_thread(conn.execute, "COMMIT")
        except sqlite3.Error as exc:
            log.error("commit failed: %s", exc)
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            failure = fail(Category.FAULT, "ILP-9003", "The write could not be committed", code="exception")
            outcomes = [(fut, None, failure) for fut, _, _ in outcomes]
        for fut, value, error in outcomes:
            if fut.done():
                continue
            if error is not None:
                fut.set_exception(error)
            else:
                fut.set_result(value)

    # ------------------------------------------------------------------------------------------- reads

    def _reader(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._connect()
            conn.execute("PRAGMA query_only=1")
            self._local.conn = conn
            with self._lock:
                self._reader_conns.append(conn)
        return conn

    async def _read(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        if self._pool is None:
            raise RuntimeError("store not started")
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, lambda: fn(self._reader()))

    async def read(self, resource_type: str, resource_id: str) -> StoredResource | None:
        return await self._read(lambda c: _read_current(c, resource_type, resource_id))

    async def vread(self, resource_type: str, resource_id: str, version: int) -> StoredResource | None:
        def q(c: sqlite3.Connection) -> StoredResource | None:
            row = c.execute(
                "SELECT h.version, h.last_updated, h.body, h.method FROM resource r JOIN history h "
                "ON h.rid = r.rid AND h.version = ? WHERE r.type = ? AND r.id = ?",
                (version, resource_type, resource_id),
            ).fetchone()
            if row is None:
                return None
            return StoredResource(resource_type, resource_id, row[0], row[1], row[2] is None, row[2], row[3])

        return await self._read(q)

    async def history(
        self,
        resource_type: str | None,
        resource_id: str | None,
        *,
        since: int | None,
        count: int,
        offset: int,
    ) -> HistoryPage:
        def q(c: sqlite3.Connection) -> HistoryPage:
            where, args = [], []
            if resource_id is not None:
                row = c.execute(
                    "SELECT rid FROM resource WHERE type = ? AND id = ?", (resource_type, resource_id)
                )
                found = row.fetchone()
                if found is None:
                    return HistoryPage([], 0)
                where.append("h.rid = ?")
                args.append(found[0])
            elif resource_type is not None:
                where.append("h.type = ?")
                args.append(resource_type)
            if since is not None:
                where.append("h.last_updated >= ?")
                args.append(since)
            clause = ("WHERE " + " AND ".join(where)) if where else ""
            total = c.execute(f"SELECT count(*) FROM history h {clause}", args).fetchone()[0]
            rows = c.execute(
                f"SELECT h.type, h.id, h.version, h.last_updated, h.body, h.method FROM history h {clause} "
                "ORDER BY h.hid DESC LIMIT ? OFFSET ?",
                (*args, count, offset),
            ).fetchall()
            entries = [StoredResource(t, i, v, lu, b is None, b, m) for t, i, v, lu, b, m in rows]
            return HistoryPage(entries, int(total))

        return await self._read(q)

    async def search(self, query: SearchQuery) -> SearchResult:
        return await self._read(lambda c: self._search(c, query))

    def _search(self, c: sqlite3.Connection, query: SearchQuery) -> SearchResult:
        where = self.sql.where(c, query)
        total = None
        if query.total != "none" or query.summary == "count":
            total = int(c.execute(f"SELECT count(*) {where.text}", where.args).fetchone()[0])
        if query.summary == "count" or query.count == 0:
            return SearchResult([], total)
        order = self.sql.order_by(query)
        rids = [
            r[0]
            for r in c.execute(
                f"SELECT r.rid {where.text} {order.text} LIMIT ? OFFSET ?",
                (*where.args, *order.args, query.count, query.offset),
            )
        ]
        matches = _fetch_rids(c, rids)
        included = self._includes(c, query, rids, matches) if (query.includes or query.revincludes) else []
        return SearchResult(matches, total, included)

    def _includes(
        self, c: sqlite3.Connection, query: SearchQuery, rids: list[int], matches: list[StoredResource]
    ) -> list[StoredResource]:
        seen = {(m.resource_type, m.id) for m in matches}
        out: list[StoredResource] = []
        marks = placeholders(rids)
        for inc in query.includes:
            sql = f"SELECT DISTINCT target_type, target_id FROM idx_ref WHERE pid = ? AND rid IN ({marks})"
            args: list[Any] = [self.pids[inc.param.key], *rids]
            if inc.target_type:
                sql += " AND target_type = ?"
                args.append(inc.target_type)
            for ttype, tid in c.execute(sql, args).fetchall():
                if ttype and (ttype, tid) not in seen:
                    found = _read_current(c, ttype, tid)
                    if found is not None and not found.deleted:
                        seen.add((ttype, tid))
                        out.append(found)
        ids = [m.id for m in matches]
        for inc in query.revincludes:
            if inc.target_type and inc.target_type != query.resource_type:
                continue
            rows = c.execute(
                f"SELECT DISTINCT rid FROM idx_ref WHERE pid = ? AND target_type = ? "
                f"AND target_id IN ({placeholders(ids)})",
                (self.pids[inc.param.key], query.resource_type, *ids),
            ).fetchall()
            for stored in _fetch_rids(c, [r[0] for r in rows]):
                if (stored.resource_type, stored.id) not in seen:
                    seen.add((stored.resource_type, stored.id))
                    out.append(stored)
        return out

    def reference_pids(self, target_type: str) -> list[int]:
        """Index ids of the reference parameters that may point at ``target_type``."""
        if target_type not in self._ref_pids:
            self._ref_pids[target_type] = [
                self.pids[p.key]
                for p in self.registry.all_params()
                if p.type == "reference" and (not p.targets or target_type in p.targets)
            ]
        return self._ref_pids[target_type]

    async def count(self, resource_type: str | None = None) -> int:
        def q(c: sqlite3.Connection) -> int:
            if resource_type is None:
                return int(c.execute("SELECT count(*) FROM resource WHERE deleted = 0").fetchone()[0])
            sql = "SELECT count(*) FROM resource WHERE type = ? AND deleted = 0"
            return int(c.execute(sql, (resource_type,)).fetchone()[0])

        return await self._read(q)


def _read_current(c: sqlite3.Connection, resource_type: str, resource_id: str) -> StoredResource | None:
    row = c.execute(_READ, (resource_type, resource_id)).fetchone()
    if row is None:
        return None
    _, version, updated, deleted, body, method = row
    return StoredResource(resource_type, resource_id, version, updated, bool(deleted), body, method)


def _fetch_rids(c: sqlite3.Connection, rids: list[int]) -> list[StoredResource]:
    if not rids:
        return []
    rows = c.execute(
        "SELECT r.rid, r.type, r.id, r.version, r.last_updated, h.body, h.method FROM resource r "
        f"JOIN history h ON h.hid = r.hid WHERE r.rid IN ({placeholders(rids)})",
        rids,
    ).fetchall()
    by_rid = {row[0]: StoredResource(row[1], row[2], row[3], row[4], False, row[5], row[6]) for row in rows}
    return [by_rid[r] for r in rids if r in by_rid]


class _Tx:
    """:class:`gateway.store.base.WriteTx` on the writer connection, inside the group's transaction."""

    def __init__(self, store: SqliteStore, conn: sqlite3.Connection) -> None:
        self.store = store
        self.conn = conn
        self._rids: dict[tuple[str, str], int] = {}
        # rows by table; a duplicate row is dropped by the INSERT's OR IGNORE
        self._pending: dict[str, list[tuple[Any, ...]]] = {kind: [] for kind in INSERTS}
        self.parse_conditional = store._parse_conditional

    def flush(self) -> None:
        """Write the index rows gathered so far, per table in multi-row ``INSERT``s (:func:`insert_rows`)."""
        for kind, rows in self._pending.items():
            if rows:
                insert_rows(self.conn, self.store.inserts[kind], rows)
                rows.clear()

    async def find(self, query: SearchQuery, limit: int) -> list[str]:
        self.flush()  # a search inside the unit must see the unit's own writes
        where = self.store.sql.where(self.conn, query)
        rows = self.conn.execute(f"SELECT r.id {where.text} ORDER BY r.rid LIMIT ?", (*where.args, limit))
        return [r[0] for r in rows]

    async def current(self, resource_type: str, resource_id: str) -> StoredResource | None:
        row = self.conn.execute(_READ, (resource_type, resource_id)).fetchone()
        if row is None:
            return None
        rid, version, updated, deleted, body, method = row
        self._rids[(resource_type, resource_id)] = rid
        return StoredResource(resource_type, resource_id, version, updated, bool(deleted), body, method)

    def _rid(self, resource_type: str, resource_id: str) -> int | None:
        key = (resource_type, resource_id)
        if key not in self._rids:
            row = self.conn.execute("SELECT rid FROM resource WHERE type = ? AND id = ?", key).fetchone()
            if row is None:
                return None
            self._rids[key] = row[0]
        return self._rids[key]

    def _history(
        self, rid: int, rtype: str, resource_id: str, version: int, now: int, method: str, body: bytes | None
    ) -> int:
        store = self.store
        hid = store._next_hid
        store._next_hid += 1
        self.conn.execute(
            "INSERT INTO history (hid, rid, type, id, version, last_updated, method, body) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (hid, rid, rtype, resource_id, version, now, method, body),
        )
        return hid

    def _supersede(
        self, rid: int, rtype: str, resource_id: str, version: int, now: int, method: str, body: bytes | None
    ) -> None:
        """A new current version of a stored resource (``body=None``: deleted): its history row, the
        resource row pointed at it, and the old version's index rows removed."""
        hid = self._history(rid, rtype, resource_id, version, now, method, body)
        self.conn.execute(
            "UPDATE resource SET version = ?, last_updated = ?, deleted = ?, hid = ? WHERE rid = ?",
            (version, now, int(body is None), hid, rid),
        )
        self._unindex(rid)

    async def put(
        self, resource_type: str, resource_id: str, resource: dict[str, Any], version: int, method: Method
    ) -> StoredResource:
        store, conn = self.store, self.conn
        now = store._clock()
        meta = dict(resource.get("meta") or {})
        meta["versionId"] = str(version)
        meta["lastUpdated"] = format_instant(now)
        doc = {"resourceType": resource_type, "id": resource_id, "meta": meta}
        doc.update((k, v) for k, v in resource.items() if k not in doc)
        body = fhir_json.dumps(doc)
        rid = None if version == 1 else self._rid(resource_type, resource_id)  # 1: no row (WriteTx.put)
        if rid is None:
            rid = store._next_rid
            store._next_rid += 1
            hid = self._history(rid, resource_type, resource_id, version, now, method, body)
            conn.execute(
                "INSERT INTO resource (rid, type, id, version, last_updated, deleted, hid) "
                "VALUES (?, ?, ?, ?, ?, 0, ?)",
                (rid, resource_type, resource_id, version, now, hid),
            )
            self._rids[(resource_type, resource_id)] = rid
        else:
            self._supersede(rid, resource_type, resource_id, version, now, method, body)
        self._index(rid, store.registry.extract(doc))
        return StoredResource(resource_type, resource_id, version, now, False, body, method)

    async def delete(self, resource_type: str, resource_id: str, version: int) -> StoredResource:
        rid = self._rid(resource_type, resource_id)
        assert rid is not None
        now = self.store._clock()
        self._supersede(rid, resource_type, resource_id, version, now, "DELETE", None)
        return StoredResource(resource_type, resource_id, version, now, True, None, "DELETE")

    async def referrers(self, resource_type: str, resource_id: str, limit: int) -> list[str]:
        self.flush()
        pids = self.store.reference_pids(resource_type)
        rows = self.conn.execute(
            "SELECT DISTINCT r.type, r.id FROM idx_ref x JOIN resource r ON r.rid = x.rid "
            f"WHERE x.pid IN ({placeholders(pids)}) AND x.target_id = ? AND x.target_type = ? LIMIT ?",
            (*pids, resource_id, resource_type, limit),
        )
        return [f"{t}/{i}" for t, i in rows]

    def _unindex(self, rid: int) -> None:
        for table in TABLE.values():
            self.conn.execute(f"DELETE FROM {table} WHERE rid = ?", (rid,))

    def _index(self, rid: int, rows: IndexRows) -> None:
        """Queue the resource's index rows (NULLs stored as '' so they can be key columns)."""
        pids, pending = self.store.pids, self._pending
        pending["token"].extend((pids[k], s or "", c, rid) for k, s, c in rows.token)
        pending["string"].extend((pids[k], v, e, rid) for k, v, e in rows.string)
        pending["date"].extend((pids[k], lo, hi, rid) for k, lo, hi in rows.date)
        pending["reference"].extend(
            (pids[k], t or "", i or "", u or "", rid) for k, t, i, u in rows.reference
        )
        pending["quantity"].extend((pids[k], v, s or "", c or "", rid) for k, v, s, c in rows.quantity)
        pending["number"].extend((pids[k], v, rid) for k, v in rows.number)
        pending["uri"].extend((pids[k], v, rid) for k, v in rows.uri)
