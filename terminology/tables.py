"""The large code systems kept as compact gzip tables (ICD-10, ICD-9-CM), read on first use.

``tools/vendor_terminology.py`` writes the tables; the CodeSystem resources describing them (served with
``content: not-present``) are in ``tables.json``. Reading a table takes tens of milliseconds, so it is
done once, the first time a code of that system is asked for, never at start-up. Thread-safe (a lock
guards the one-time load).
"""

from __future__ import annotations

import gzip
import threading
from collections.abc import Callable, Iterable
from importlib import resources

from terminology.model import Concept, SystemInfo

DATA = "data"


def read_table(name: str) -> list[str]:
    """The lines of ``terminology/data/tables/<name>`` (gzip, UTF-8)."""
    raw = (resources.files("terminology") / DATA / "tables" / name).read_bytes()
    return gzip.decompress(raw).decode("utf-8").splitlines()


class LazyTable:
    """A code → Concept table built by ``build`` on first access."""

    def __init__(self, build: Callable[[], dict[str, Concept]]) -> None:
        self._build = build
        self._table: dict[str, Concept] | None = None
        self._lock = threading.Lock()

    @property
    def loaded(self) -> bool:
        return self._table is not None

    def get(self) -> dict[str, Concept]:
        table = self._table
        if table is None:
            with self._lock:
                if self._table is None:
                    self._table = self._build()
                table = self._table
        return table


class TableSource:
    """A source for one code system backed by a :class:`LazyTable`."""

    def __init__(self, info: SystemInfo, build: Callable[[], dict[str, Concept]]) -> None:
        self._info = SystemInfo(info.url, info.name, info.version, "not-present", enumerable=True)
        self.table = LazyTable(build)

    def supports(self, system: str) -> bool:
        return system == self._info.url

    def info(self, _system: str) -> SystemInfo:
        return self._info

    def concept(self, _system: str, code: str) -> Concept | None:
        return self.table.get().get(code)

    def concepts(self, _system: str) -> Iterable[Concept]:
        return self.table.get().values()


def build_icd10() -> dict[str, Concept]:
    """ICD-10 WHO 2019: chapters and blocks are abstract (notSelectable); parents as in the classification."""
    out: dict[str, Concept] = {}
    for line in read_table("icd-10.tsv.gz"):
        code, kind, parent, display = line.split("\t")
        out[code] = Concept(
            code=code,
            display=display,
            abstract=kind in ("chapter", "block"),
            parent=parent or None,
            properties=(("kind", kind),),
        )
    return out


def build_icd9cm() -> dict[str, Concept]:
    """ICD-9-CM volume 3 procedure codes (CMS v32), dotted."""
    out: dict[str, Concept] = {}
    for line in read_table("icd-9-cm.tsv.gz"):
        code, display = line.split("\t")
        out[code] = Concept(code=code, display=display)
    return out
