"""Search parsing (https://hl7.org/fhir/R4/search.html), including property tests."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gateway.errors import GatewayError
from gateway.search.parse import SearchParser, split_escaped
from gateway.search.query import ReferenceValue, StringValue, TokenValue


def test_token_forms(parser: SearchParser) -> None:
    q = parser.parse("Patient", [("identifier", "s|c,|c2,s3|,c4")])
    assert q.clauses[0].values == (
        TokenValue("s", "c"),
        TokenValue("", "c2"),
        TokenValue("s3", None),
        TokenValue(None, "c4"),
    )


def test_escapes(parser: SearchParser) -> None:
    q = parser.parse("Patient", [("identifier", r"a\|b|c\,d")])
    assert q.clauses[0].values == (TokenValue("a|b", "c,d"),)


def test_reference_forms(parser: SearchParser) -> None:
    q = parser.parse("Observation", [("subject", "Patient/1,http://x/fhir/Patient/2/_history/3,abc")])
    assert q.clauses[0].values == (
        ReferenceValue("Patient", "1"),
        ReferenceValue("Patient", "2", "http://x/fhir/Patient/2/_history/3"),
        ReferenceValue(None, "abc"),
    )
    q = parser.parse("Observation", [("patient", "abc")])  # one target type: Patient
    assert q.clauses[0].values == (ReferenceValue("Patient", "abc"),)


def test_chain(parser: SearchParser) -> None:
    q = parser.parse("Observation", [("subject:Patient.name", "siti")])
    [clause] = q.clauses
    assert clause.param.code == "subject" and clause.modifier == "Patient"
    assert [c.param.key for c in clause.chain] == ["Patient.name"]
    assert clause.chain[0].values == (StringValue("siti", "siti"),)
    q = parser.parse("Observation", [("subject.identifier", "x")])  # every target that has "identifier"
    assert {c.param.resource_type for c in q.clauses[0].chain} >= {"Patient", "Group", "Device"}
    with pytest.raises(GatewayError) as err:
        parser.parse("Observation", [("subject:Patient.organization.name", "x")])
    assert err.value.issues[0].message_id == "ILP-2005"


def test_result_parameters(parser: SearchParser) -> None:
    q = parser.parse(
        "Patient",
        [
            ("_count", "5000"),
            ("_offset", "10"),
            ("_sort", "-birthdate,_id"),
            ("_include", "Patient:organization"),
            ("_revinclude", "Observation:subject"),
            ("_total", "none"),
            ("_summary", "count"),
            ("_elements", "name,gender"),
        ],
    )
    assert q.count == 1000 and q.offset == 10 and q.total == "none" and q.summary == "count"
    assert [(s.param.code, s.descending) for s in q.sort] == [("birthdate", True), ("_id", False)]
    assert [i.param.key for i in q.includes] == ["Patient.organization"]
    assert [i.param.key for i in q.revincludes] == ["Observation.subject"]
    assert q.elements == ("name", "gender")


def test_lenient_and_strict(parser: SearchParser) -> None:
    q = parser.parse("Patient", [("shoe", "1"), ("_include", "*")])
    assert [i.message_id for i in q.issues] == ["ILP-2001", "ILP-2001"] and q.clauses == ()
    with pytest.raises(GatewayError):
        parser.parse("Patient", [("shoe", "1")], strict=True)


TOKEN_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)


def escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(",", "\\,").replace("|", "\\|").replace("$", "\\$")


@given(st.lists(TOKEN_TEXT, min_size=1, max_size=5))
def test_split_escaped_round_trip(values: list[str]) -> None:
    assert split_escaped(",".join(escape(v) for v in values), ",") == values


PAIRS = st.lists(
    st.one_of(
        st.tuples(st.just("identifier"), st.from_regex(r"[a-z:/.]{0,8}\|[0-9]{1,16}", fullmatch=True)),
        st.tuples(
            st.sampled_from(["family", "name", "address-city"]),
            st.from_regex(r"[A-Za-z ]{1,10}", fullmatch=True),
        ),
        st.tuples(
            st.just("birthdate"),
            st.sampled_from(["eq", "lt", "ge", "sa", ""]).flatmap(
                lambda p: st.dates().map(lambda d: p + d.isoformat())
            ),
        ),
        st.tuples(st.just("gender"), st.sampled_from(["male", "female", "other", "unknown"])),
        st.tuples(
            st.just("general-practitioner"), st.from_regex(r"Practitioner/[a-z0-9]{1,8}", fullmatch=True)
        ),
        st.tuples(st.just("_sort"), st.sampled_from(["family", "-birthdate", "_id"])),
    ),
    max_size=6,
)


@given(PAIRS, st.integers(min_value=0, max_value=50))
def test_canonical_query_reparses_to_the_same_query(
    parser: SearchParser, pairs: list[tuple[str, str]], count: int
) -> None:
    """parse(format(query)) == query: the self/next links carry exactly the search that was run."""
    from urllib.parse import parse_qsl

    first = parser.parse("Patient", [*pairs, ("_count", str(count))], strict=True)
    again = parser.parse(
        "Patient", [*parse_qsl(first.canonical, keep_blank_values=True), ("_count", str(count))], strict=True
    )
    assert again == first
