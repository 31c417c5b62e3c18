"""UCUM (http://unitsofmeasure.org) as a grammar: any syntactically valid UCUM expression is a code.

The syntax check uses the maintained UCUM parser of PyPI ``ucumvert`` (MIT; a lark grammar generated from
the official ucum-essence.xml), imported on first use because it pulls in pint (about 0.2 s). Displays for
the units the ILP mappers use come from the curated fragment ``CodeSystem-ucum-ilp.json``; other valid
units get their code as display, as FHIR does for UCUM (https://hl7.org/fhir/R4/ucum.html,
https://ucum.org/ucum).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any

from terminology.model import Concept, SystemInfo
from terminology.sources import ConceptTable

UCUM = "http://unitsofmeasure.org"


class UcumSyntax:
    """A cached UCUM syntax checker: :meth:`error` is ``None`` for a valid expression."""

    def __init__(self) -> None:
        self._parse: Callable[[str], Any] | None = None
        self._lock = threading.Lock()
        self._cache: dict[str, str | None] = {}

    def _parser(self) -> Callable[[str], Any]:
        if self._parse is None:
            with self._lock:
                if self._parse is None:
                    import ucumvert  # deferred: pint is heavy

                    self._parse = ucumvert.get_ucum_parser().parse
        return self._parse

    def error(self, unit: str) -> str | None:
        if unit in self._cache:
            return self._cache[unit]
        message: str | None = None
        if not unit or unit != unit.strip():
            message = "a UCUM code has no surrounding spaces and is not empty"
        else:
            try:
                self._parser()(unit)
            except Exception as exc:  # lark raises several error types; all mean "not UCUM"
                message = f"not a valid UCUM expression ({type(exc).__name__})"
        if len(self._cache) < 10_000:
            self._cache[unit] = message
        return message


class UcumSource:
    """Answers for UCUM: the curated fragment first (displays), then the grammar."""

    def __init__(self, fragment: dict[str, Any]) -> None:
        self._fragment = ConceptTable(fragment)
        self._info = SystemInfo(UCUM, "UCUM", fragment.get("version"), "grammar", enumerable=False)
        self.syntax = UcumSyntax()

    def supports(self, system: str) -> bool:
        return system == UCUM

    def info(self, _system: str) -> SystemInfo:
        return self._info

    def concept(self, _system: str, code: str) -> Concept | None:
        known = self._fragment.get(code)
        if known is not None:
            return known
        return Concept(code, code) if self.syntax.error(code) is None else None

    def concepts(self, _system: str) -> Iterable[Concept]:
        return self._fragment.by_code.values()
