"""The typed search request every store backend receives (https://hl7.org/fhir/R4/search.html).

Built once by :mod:`gateway.search.parse` from the query string; backends never see raw strings.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gateway.errors import Issue
from gateway.search.registry import SearchParam

DATE_PREFIXES = ("eq", "ne", "lt", "gt", "le", "ge", "sa", "eb", "ap")


@dataclass(frozen=True, slots=True)
class TokenValue:
    """``[system]|[code]``: ``system`` None means any system; ``""`` means "no system" (``|code``)."""

    system: str | None
    code: str | None


@dataclass(frozen=True, slots=True)
class StringValue:
    text: str  # as given (for :exact)
    normalised: str  # case/accent folded (default and :contains)


@dataclass(frozen=True, slots=True)
class RangeValue:
    """A date, number or quantity value with its prefix and implicit range ``[low, high)``."""

    prefix: str
    value: float
    low: float
    high: float
    system: str | None = None  # quantity only
    code: str | None = None  # quantity only


@dataclass(frozen=True, slots=True)
class ReferenceValue:
    target_type: str | None
    target_id: str | None
    url: str | None = None


@dataclass(frozen=True, slots=True)
class UriValue:
    text: str


Value = TokenValue | StringValue | RangeValue | ReferenceValue | UriValue


@dataclass(frozen=True, slots=True)
class Clause:
    """One ``name[:modifier]=v1,v2`` pair: values OR-ed; clauses of a query AND-ed.

    ``missing`` is set for ``:missing``. ``chain`` holds the inner clause of a chained parameter
    (``subject:Patient.identifier=…``) and ``chain_types`` the target types it may apply to.
    """

    param: SearchParam
    modifier: str | None = None
    values: tuple[Value, ...] = ()
    missing: bool | None = None
    chain: tuple[Clause, ...] = ()

    @property
    def negated(self) -> bool:
        return self.modifier == "not" or self.missing is True


@dataclass(frozen=True, slots=True)
class SortKey:
    param: SearchParam
    descending: bool = False


@dataclass(frozen=True, slots=True)
class Include:
    """``_include=Source:param[:Target]`` or ``_revinclude=Source:param[:Target]``."""

    source_type: str
    param: SearchParam
    target_type: str | None = None


@dataclass(frozen=True, slots=True)
class SearchQuery:
    resource_type: str
    clauses: tuple[Clause, ...] = ()
    sort: tuple[SortKey, ...] = ()
    count: int = 20
    offset: int = 0
    includes: tuple[Include, ...] = ()
    revincludes: tuple[Include, ...] = ()
    summary: str | None = None  # true | text | data | count | false
    total: str = "accurate"  # none | estimate | accurate
    elements: tuple[str, ...] = ()
    issues: tuple[Issue, ...] = field(default=(), compare=False)
    # the normalised query string (no paging) used for self/next/previous links
    canonical: str = ""
