"""Kemendagri administrative areas (kode wilayah): 2/4/6/10-digit codes without dots, as SATUSEHAT's
``administrativeCode`` extension uses them (province, city, district, village).

Data: ``tables/kode-wilayah.csv.gz`` (rows ``code,name,status``), derived from npm ``idn-area-data`` 4.0.1
(Kepmendagri 300.2.2-2138/2025) plus the codes of the 2022 table it dropped (status ``retired``); ODbL-1.0,
see ``data/README.md``. Loaded on first use (about 0.1 s), never at start-up.
"""

from __future__ import annotations

import csv
import threading
from collections.abc import Iterable
from typing import NamedTuple

from terminology.model import Concept, SystemInfo
from terminology.tables import read_table

LEVELS = {2: "province", 4: "regency", 6: "district", 10: "village"}
PARENT_LENGTH = {4: 2, 6: 4, 10: 6}


class Area(NamedTuple):
    """One region (a NamedTuple: 90,000 of them are built at load)."""

    code: str  # no dots
    name: str
    level: str  # province | regency | district | village
    retired: bool = False  # only in the 2022 table

    @property
    def parent(self) -> str | None:
        length = PARENT_LENGTH.get(len(self.code))
        return self.code[:length] if length else None


def normalize(code: str) -> str:
    """``"31.71.01"`` → ``"317101"`` (SATUSEHAT sends codes without dots)."""
    return code.strip().replace(".", "")


class Areas:
    """The region table: look-ups by code, children, the province→village path."""

    def __init__(self, areas: Iterable[Area]) -> None:
        self.by_code: dict[str, Area] = {a.code: a for a in areas}
        self._children: dict[str, list[str]] | None = None

    @classmethod
    def load(cls) -> Areas:
        rows = csv.reader(read_table("kode-wilayah.csv.gz"))
        return cls(Area(code, name, LEVELS[len(code)], status == "retired") for code, name, status in rows)

    def get(self, code: str) -> Area | None:
        return self.by_code.get(normalize(code))

    def exists(self, code: str, level: str | None = None, *, include_retired: bool = False) -> bool:
        area = self.get(code)
        if area is None or (area.retired and not include_retired):
            return False
        return level is None or area.level == level

    def path(self, code: str) -> list[Area]:
        """Province first, then each level down to ``code`` (levels missing from the table are skipped)."""
        code = normalize(code)
        out = []
        for length in (2, 4, 6, 10):
            if len(code) >= length and (area := self.by_code.get(code[:length])) is not None:
                out.append(area)
        return out

    def children(self, code: str) -> list[Area]:
        if self._children is None:
            index: dict[str, list[str]] = {}
            for area in self.by_code.values():
                if area.parent is not None and not area.retired:
                    index.setdefault(area.parent, []).append(area.code)
            self._children = index
        return [self.by_code[c] for c in sorted(self._children.get(normalize(code), []))]

    def counts(self, *, include_retired: bool = False) -> dict[str, int]:
        out = dict.fromkeys(LEVELS.values(), 0)
        for area in self.by_code.values():
            if include_retired or not area.retired:
                out[area.level] += 1
        return out


def as_concept(area: Area) -> Concept:
    props: tuple[tuple[str, str | bool | int], ...] = (("level", area.level),)
    if area.retired:
        props += (("status", "retired"),)
    return Concept(area.code, area.name, inactive=area.retired, parent=area.parent, properties=props)


class AreaSource:
    """The code-system view of :class:`Areas` (lazily loaded; the table is shared with the NIK checks)."""

    def __init__(self, info: SystemInfo) -> None:
        self._info = SystemInfo(info.url, info.name, info.version, "not-present", enumerable=True)
        self._areas: Areas | None = None
        self._concepts: dict[str, Concept] | None = None
        self._by_level: dict[str, list[Concept]] | None = None
        self._lock = threading.Lock()

    @property
    def areas(self) -> Areas:
        areas = self._areas
        if areas is None:
            with self._lock:
                if self._areas is None:
                    self._areas = Areas.load()
                areas = self._areas
        return areas

    def supports(self, system: str) -> bool:
        return system == self._info.url

    def info(self, _system: str) -> SystemInfo:
        return self._info

    def concept(self, _system: str, code: str) -> Concept | None:
        area = self.areas.by_code.get(code)
        return as_concept(area) if area is not None else None

    def concepts(self, _system: str) -> Iterable[Concept]:
        if self._concepts is None:
            self._concepts = {c: as_concept(a) for c, a in self.areas.by_code.items()}
        return self._concepts.values()

    def select(self, _system: str, prop: str, op: str, value: str) -> Iterable[Concept] | None:
        """A fast path for the ``level = …`` filter of the per-level value sets (``None``: not handled)."""
        if prop != "level" or op != "=":
            return None
        if self._by_level is None:
            self._by_level = {}
        found = self._by_level.get(value)
        if found is None:
            found = [as_concept(a) for a in self.areas.by_code.values() if a.level == value]
            self._by_level[value] = found
        return found
