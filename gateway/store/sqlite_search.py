"""Compile a :class:`SearchQuery` into SQL over the SQLite index tables.

Each clause becomes either a *driver* (a select of matching ``rid``s through the covering index
``(pid, value…, rid)``) or a *probe* (a correlated ``EXISTS`` through the ``(rid, pid)`` index). The most
selective positive clause drives, chosen by a bounded count (Blaze's planner does the same with
token-first ordering); negated clauses (``:not``, ``:missing=true``) are ``NOT EXISTS`` probes.
Semantics: https://hl7.org/fhir/R4/search.html (prefixes, modifiers, chaining, sort).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from gateway.search.query import (
    Clause,
    RangeValue,
    ReferenceValue,
    SearchQuery,
    StringValue,
    TokenValue,
    UriValue,
    Value,
)
from gateway.search.registry import SearchParam

TABLE = {
    "token": "idx_token",
    "string": "idx_string",
    "date": "idx_date",
    "reference": "idx_ref",
    "quantity": "idx_quantity",
    "number": "idx_number",
    "uri": "idx_uri",
}
SORT_COLUMN = {
    "token": ("code", "code"),
    "string": ("value", "value"),
    "date": ("low", "high"),
    "reference": ("target_id", "target_id"),
    "quantity": ("value", "value"),
    "number": ("value", "value"),
    "uri": ("value", "value"),
}
ESTIMATE_CAP = 2000
STRING_MAX = "\U0010ffff"


@dataclass(frozen=True, slots=True)
class Sql:
    text: str
    args: tuple[Any, ...]


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class SqlBuilder:
    """Builds SQL for one store; ``pids`` maps ``SearchParam.key`` → integer id."""

    def __init__(self, pids: dict[str, int]) -> None:
        self.pids = pids

    def _pid(self, p: SearchParam, a: str) -> Sql:
        """``pid`` test for a parameter's index rows: its own id and those of the parameters it shares
        rows with (:func:`gateway.search.registry.share_rows`)."""
        if not p.shares:
            return Sql(f"{a}.pid = ?", (self.pids[p.key],))
        ids = (self.pids[p.key], *(self.pids[k] for k in p.shares))
        return Sql(f"{a}.pid IN ({', '.join('?' * len(ids))})", ids)

    # ------------------------------------------------------------------------------- value predicates

    def _value_sql(self, param: SearchParam, mod: str | None, v: Value, a: str) -> Sql:
        if isinstance(v, TokenValue):
            parts, args = [], []
            if v.code is not None:
                parts.append(f"{a}.code = ?")
                args.append(v.code)
            if v.system is not None:
                parts.append(f"{a}.system = ?")
                args.append(v.system)
            return Sql(" AND ".join(parts) or "1", tuple(args))
        if isinstance(v, StringValue):
            if mod == "exact":
                return Sql(f"{a}.exact = ?", (v.text,))
            if mod == "contains":
                return Sql(f"{a}.value LIKE ? ESCAPE '\\'", (f"%{_escape_like(v.normalised)}%",))
            return Sql(f"{a}.value >= ? AND {a}.value < ?", (v.normalised, v.normalised + STRING_MAX))
        if isinstance(v, ReferenceValue):
            if v.target_id is not None and v.target_type is not None:
                return Sql(f"{a}.target_id = ? AND {a}.target_type = ?", (v.target_id, v.target_type))
            if v.target_id is not None:
                return Sql(f"{a}.target_id = ?", (v.target_id,))
            return Sql(f"{a}.url = ?", (v.url or "",))
        if isinstance(v, UriValue):
            if mod == "below":
                return Sql(f"{a}.value LIKE ? ESCAPE '\\'", (_escape_like(v.text) + "%",))
            if mod == "above":
                return Sql(
                    f"? LIKE replace(replace({a}.value, '%', '\\%'), '_', '\\_') || '%' ESCAPE '\\'",
                    (v.text,),
                )
            return Sql(f"{a}.value = ?", (v.text,))
        if param.type == "date":
            return _date_sql(v, a)
        return _number_sql(v, a, param.type == "quantity")

    def _values_sql(self, clause: Clause, a: str) -> Sql:
        preds = [self._value_sql(clause.param, clause.modifier, v, a) for v in clause.values]
        if not preds:
            return Sql("1", ())
        text = " OR ".join(f"({p.text})" for p in preds)
        return Sql(f"({text})", tuple(x for p in preds for x in p.args))

    # ------------------------------------------------------------------------------------ clause forms

    def _column_sql(self, clause: Clause, a: str) -> Sql:
        """_id and _lastUpdated live on the resource table."""
        if clause.param.code == "_id":
            ids = [v.code for v in clause.values if isinstance(v, TokenValue) and v.code]
            marks = ",".join("?" * len(ids)) or "NULL"
            return Sql(f"{a}.id IN ({marks})", tuple(ids))
        preds = [
            _date_sql(v, a, low=f"{a}.last_updated", high=f"{a}.last_updated + 1") for v in clause.values
        ]
        return Sql(" OR ".join(f"({p.text})" for p in preds), tuple(x for p in preds for x in p.args))

    def rids(self, clause: Clause) -> Sql:
        """A select of the rids a positive clause matches (may contain duplicates)."""
        p = clause.param
        if p.is_column:
            c = self._column_sql(clause, "d")
            return Sql(
                f"SELECT d.rid FROM resource d WHERE d.type = ? AND d.deleted = 0 AND ({c.text})",
                (p.resource_type, *c.args),
            )
        if clause.chain:
            inner = [self.rids(c) for c in clause.chain]
            union = " UNION ".join(s.text for s in inner)
            return Sql(
                "SELECT d.rid FROM idx_ref d WHERE d.pid = ? AND (d.target_type, d.target_id) IN "
                f"(SELECT t.type, t.id FROM resource t WHERE t.rid IN ({union}))",
                (self.pids[p.key], *(x for s in inner for x in s.args)),
            )
        vals = self._values_sql(clause, "d")
        pid = self._pid(p, "d")
        return Sql(
            f"SELECT d.rid FROM {TABLE[p.type]} d WHERE {pid.text} AND {vals.text}", (*pid.args, *vals.args)
        )

    def _probe(self, clause: Clause) -> Sql:
        """A predicate on ``r`` (the resource row) for a clause that does not drive."""
        p = clause.param
        if p.is_column:
            c = self._column_sql(clause, "r")
            return Sql(f"NOT ({c.text})" if clause.modifier == "not" else f"({c.text})", c.args)
        table = TABLE[p.type]
        pid = self._pid(p, "x")
        if clause.missing is not None:
            exists = f"EXISTS (SELECT 1 FROM {table} x WHERE x.rid = r.rid AND {pid.text})"
            return Sql(f"NOT {exists}" if clause.missing else exists, pid.args)
        if clause.chain:
            s = self.rids(clause)
            return Sql(f"r.rid IN ({s.text})", s.args)
        vals = self._values_sql(clause, "x")
        exists = f"EXISTS (SELECT 1 FROM {table} x WHERE x.rid = r.rid AND {pid.text} AND {vals.text})"
        return Sql(f"NOT {exists}" if clause.modifier == "not" else exists, (*pid.args, *vals.args))

    def _estimate(self, conn: sqlite3.Connection, clause: Clause, cap: int = ESTIMATE_CAP) -> int:
        """Rows the clause matches, counted up to ``cap`` (no need to count past the best so far)."""
        if clause.param.is_column:
            return 1 if clause.param.code == "_id" else ESTIMATE_CAP
        s = self.rids(clause)
        row = conn.execute(f"SELECT count(*) FROM ({s.text} LIMIT {int(cap)})", s.args).fetchone()
        return int(row[0])

    def _most_selective_first(self, conn: sqlite3.Connection, clauses: list[Clause]) -> list[Clause]:
        best = ESTIMATE_CAP
        estimates = []
        for c in clauses:
            n = self._estimate(conn, c, best + 1)
            best = min(best, n)
            estimates.append(n)
        return [c for _, c in sorted(zip(estimates, clauses, strict=True), key=lambda pair: pair[0])]

    # ---------------------------------------------------------------------------------------- queries

    def where(self, conn: sqlite3.Connection, query: SearchQuery) -> Sql:
        """``FROM … WHERE …`` selecting the resource rows (alias ``r``) that match ``query``."""
        positive = [c for c in query.clauses if not c.negated and c.missing is None]
        rest = [c for c in query.clauses if c not in positive]
        if len(positive) > 1:
            positive = self._most_selective_first(conn, positive)
        parts: list[str] = []
        args: list[Any] = []
        if positive:
            driver = self.rids(positive[0])
            parts.append(f"r.rid IN ({driver.text})")
            args.extend(driver.args)
            rest = positive[1:] + rest
        else:
            parts.append("r.type = ? AND r.deleted = 0")
            args.append(query.resource_type)
        for c in rest:
            probe = self._probe(c)
            parts.append(probe.text)
            args.extend(probe.args)
        return Sql("FROM resource r WHERE " + " AND ".join(parts), tuple(args))

    def order_by(self, query: SearchQuery) -> Sql:
        terms: list[str] = []
        args: list[Any] = []
        for key in query.sort:
            p, desc = key.param, key.descending
            direction = "DESC" if desc else "ASC"
            if p.code == "_id":
                terms.append(f"r.id {direction}")
            elif p.code == "_lastUpdated":
                terms.append(f"r.last_updated {direction}")
            else:
                asc_col, desc_col = SORT_COLUMN[p.type]
                agg = f"MAX(x.{desc_col})" if desc else f"MIN(x.{asc_col})"
                # resources without a value sort last in both directions
                pid = self._pid(p, "x")
                sub = f"(SELECT {agg} FROM {TABLE[p.type]} x WHERE x.rid = r.rid AND {pid.text})"
                terms.append(f"{sub} IS NULL, {sub} {direction}")
                args.extend([*pid.args, *pid.args])
        terms.append("r.rid ASC")
        return Sql("ORDER BY " + ", ".join(terms), tuple(args))


def _date_sql(v: Value, a: str, low: str | None = None, high: str | None = None) -> Sql:
    assert isinstance(v, RangeValue)
    lo, hi = low or f"{a}.low", high or f"{a}.high"
    pl, ph = int(v.low), int(v.high)
    match v.prefix:
        case "eq":
            return Sql(f"{lo} >= ? AND {hi} <= ?", (pl, ph))
        case "ne":
            return Sql(f"NOT ({lo} >= ? AND {hi} <= ?)", (pl, ph))
        case "gt":
            return Sql(f"{hi} > ?", (ph,))
        case "lt":
            return Sql(f"{lo} < ?", (pl,))
        case "ge":
            return Sql(f"{hi} > ?", (pl,))
        case "le":
            return Sql(f"{lo} < ?", (ph,))
        case "sa":
            return Sql(f"{lo} >= ?", (ph,))
        case "eb":
            return Sql(f"{hi} <= ?", (pl,))
        case _:  # ap: the widened ranges overlap
            return Sql(f"{lo} < ? AND {hi} > ?", (ph, pl))


def _number_sql(v: Value, a: str, quantity: bool) -> Sql:
    assert isinstance(v, RangeValue)
    col = f"{a}.value"
    args: tuple[Any, ...]
    match v.prefix:
        case "eq":
            pred, args = f"{col} >= ? AND {col} < ?", (v.low, v.high)
        case "ne":
            pred, args = f"NOT ({col} >= ? AND {col} < ?)", (v.low, v.high)
        case "gt" | "sa":
            pred, args = f"{col} > ?", (v.value,)
        case "lt" | "eb":
            pred, args = f"{col} < ?", (v.value,)
        case "ge":
            pred, args = f"{col} >= ?", (v.value,)
        case "le":
            pred, args = f"{col} <= ?", (v.value,)
        case _:
            pred, args = f"{col} >= ? AND {col} <= ?", (v.low, v.high)
    if quantity:
        if v.code is not None:
            pred += f" AND {a}.code = ?"
            args = (*args, v.code)
        if v.system is not None:
            pred += f" AND {a}.system = ?"
            args = (*args, v.system)
    return Sql(pred, args)


def placeholders(values: Sequence[Any]) -> str:
    return ",".join("?" * len(values))
