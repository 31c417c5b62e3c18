"""The look-ahead-free choice-variant regex of profiles.profile_schema agrees with the look-ahead one it
replaces (``^stem(?!(?:A|B)$)[A-Z]``), on generated suffix sets and keys."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from profiles.profile_schema import _other_than

SUFFIX = st.from_regex(r"[A-Z][A-Za-z]{0,8}", fullmatch=True)
KEY_TAIL = st.one_of(SUFFIX, st.text(alphabet="ADPQSaeimrtT\n", max_size=10))


def lookahead(stem: str, suffixes: list[str]) -> re.Pattern[str]:
    return re.compile(f"^{stem}(?!(?:{'|'.join(suffixes)})$)[A-Z]")


@given(st.lists(SUFFIX, max_size=5), st.lists(KEY_TAIL, max_size=12))
def test_same_keys_refused(suffixes: list[str], tails: list[str]) -> None:
    ours = re.compile(f"^effective{_other_than(suffixes)}")
    reference = lookahead("effective", suffixes)
    for key in [f"effective{t}" for t in [*tails, *suffixes, *(s[:-1] for s in suffixes)]]:
        assert bool(ours.search(key)) == bool(reference.search(key)), key


def test_known_cases() -> None:
    ours = re.compile(f"^effective{_other_than(['DateTime', 'Period'])}")
    assert not ours.search("effectiveDateTime")
    assert not ours.search("effectivePeriod")
    assert not ours.search("effective")
    assert not ours.search("effectivedate")
    for refused in ("effectiveDate", "effectiveDateTimeX", "effectiveP", "effectiveInstant", "effectiveD"):
        assert ours.search(refused), refused
