"""The ``filter`` of $expand: case- and accent-insensitive word-prefix matching on code and display.

https://hl7.org/fhir/R4/valueset-operation-expand.html leaves the matching to the server; this one
matches when every word of the filter starts a word of the display or the code (``gizi bur`` finds
"Gizi Buruk", ``3171`` finds the codes starting with 3171).
"""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[^0-9a-z]+")


def normalize(text: str) -> str:
    folded = text.casefold()
    if not folded.isascii():
        decomposed = unicodedata.normalize("NFKD", folded)
        folded = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NON_WORD.sub(" ", folded).strip()


def words(text: str) -> tuple[str, ...]:
    return tuple(normalize(text).split())


def haystack(code: str, display: str | None) -> tuple[str, ...]:
    """The words a filter is matched against (compute once per concept)."""
    return (code.casefold(), *words(code), *words(display or ""))


def matches(query: tuple[str, ...], hay: tuple[str, ...]) -> bool:
    """``query`` is ``words(filter)``, ``hay`` a :func:`haystack`; an empty query matches everything."""
    return all(any(w.startswith(q) for w in hay) for q in query)
