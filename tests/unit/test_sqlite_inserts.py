"""Multi-row index inserts (gateway/store/sqlite.py ``insert_rows``): every row lands once, whatever the
count, and ``OR IGNORE`` still drops exact duplicates row by row."""

from __future__ import annotations

import sqlite3

import pytest

from gateway.store.sqlite import SCHEMA, insert_rows, multi_row_inserts


@pytest.mark.parametrize("n", [0, 1, 2, 3, 63, 64, 65, 127, 200])
def test_every_row_is_inserted_once(n: int) -> None:
    conn = sqlite3.connect(":memory:")
    conn.executescript(SCHEMA)
    rows = [(i % 7, "http://loinc.org", f"code-{i}", i) for i in range(n)]
    insert_rows(conn, multi_row_inserts()["token"], rows)
    got = conn.execute("SELECT pid, system, code, rid FROM idx_token ORDER BY rid").fetchall()
    assert got == rows


def test_duplicates_are_ignored_row_by_row() -> None:
    conn = sqlite3.connect(":memory:")
    conn.executescript(SCHEMA)
    sql = multi_row_inserts()["uri"]
    insert_rows(conn, sql, [(1, "a", 1), (1, "b", 1)])
    insert_rows(conn, sql, [(1, "a", 1), (1, "c", 1), (1, "a", 1)])  # one chunk holding duplicates
    assert conn.execute("SELECT value FROM idx_uri ORDER BY value").fetchall() == [("a",), ("b",), ("c",)]
