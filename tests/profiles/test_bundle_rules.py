"""Bundle-wide rules (profiles/bundle_rules.py): expressions name the entries as the Bundle was sent."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from profiles.bundle_rules import _URN_UUID, CLOCK_SKEW, _urn_uuids, future_times, reference_strings
from profiles.validator import Validator
from tests.profiles.helpers import errors, example

ORG_URL = "urn:uuid:9a7b2c1e-0001-4000-8000-000000000001"


def test_entry_indices_count_entries_that_are_not_objects(validator: Validator) -> None:
    """A non-object entry keeps its place: the duplicate fullUrl is reported at entry[2], not entry[1]."""
    org = example("ilp-organization", "valid-puskesmas.json")
    del org["id"]
    request = {"method": "POST", "url": "Organization"}
    bundle = {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            "not an entry",
            {"fullUrl": ORG_URL, "resource": org, "request": request},
            {
                "fullUrl": ORG_URL,
                "resource": example("ilp-organization", "valid-puskesmas.json"),
                "request": request,
            },
        ],
    }
    result = validator.validate(bundle)
    duplicate = [i for i in result.issues if i.message_id == "ILP-4501"]
    assert [(i.expression, i.diagnostics) for i in duplicate] == [
        (
            ("Bundle.entry[2].fullUrl",),
            f"Bundle.entry[2].fullUrl '{ORG_URL}' is also used by Bundle.entry[1]",
        )
    ]
    assert ("ILP-4501", "Bundle.entry[2].fullUrl", None) in errors(result)


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(["reference", "a", "display", "contained"]) | st.text(), inner, max_size=4
        )
    ),
    max_leaves=20,
)


def _walked(node: object) -> set[str]:
    """Every string under a ``reference`` key, found by walking (contained resources included)."""
    found: set[str] = set()
    if isinstance(node, dict):
        if isinstance(node.get("reference"), str):
            found.add(node["reference"])
        for value in node.values():
            found |= _walked(value)
    elif isinstance(node, list):
        for value in node:
            found |= _walked(value)
    return found


@given(_JSON)
def test_reference_strings_finds_exactly_the_reference_values(doc: object) -> None:
    """The byte scan of orjson's output agrees with a walk of the document, escapes and look-alikes in
    string values (``'"reference":"'`` inside a display) included."""
    assert reference_strings(orjson.dumps(doc)) == _walked(doc)


def test_reference_strings_ignores_the_key_inside_a_string_value() -> None:
    doc = {"display": '"reference":"Patient/x"', "reference": 'Patient/a"b', "x": {"reference": "Patient/c"}}
    assert reference_strings(orjson.dumps(doc)) == {'Patient/a"b', "Patient/c"}


def _transaction(*resources: dict[str, Any], full_urls: list[str | None] | None = None) -> dict[str, Any]:
    urls = full_urls or [f"urn:uuid:9a7b2c1e-0001-4000-8000-{i:012d}" for i in range(len(resources))]
    entries = []
    for resource, url in zip(resources, urls, strict=True):
        entry: dict[str, Any] = {
            "resource": resource,
            "request": {"method": "POST", "url": str(resource["resourceType"])},
        }
        if url is not None:
            entry["fullUrl"] = url
        entries.append(entry)
    return {"resourceType": "Bundle", "type": "transaction", "entry": entries}


def _bundle_issues(validator: Validator, bundle: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """(severity, message id, expression, diagnostics) of the Bundle-rule issues (ILP-45xx)."""
    return [
        (i.severity, i.message_id, i.expression[0], i.diagnostics)
        for i in validator.validate(bundle).issues
        if i.message_id.startswith("ILP-45")
    ]


def test_future_event_times_are_reported_with_their_entry_path(validator: Validator) -> None:
    """The validator's clock is 2026-01-01 (conftest): a dateTime and a Period end after it are errors; a
    time within the clock-skew allowance and past times are not. A Period's start and end are each checked."""
    past = example("ilp-observation", "valid-berat-badan-balita.json")
    future = example("ilp-observation", "valid-berat-badan-balita.json")
    future["effectiveDateTime"] = "2026-01-02T00:00:00+00:00"
    skew = example("ilp-observation", "valid-berat-badan-balita.json")
    skew["effectiveDateTime"] = "2026-01-01T00:04:00+00:00"
    encounter = example("ilp-encounter", "valid-posyandu-finished.json")
    encounter["period"] = {"start": "2026-03-01T00:00:00+00:00", "end": "2026-03-01T01:00:00+00:00"}
    period = example("ilp-observation", "valid-berat-badan-balita.json")
    del period["effectiveDateTime"]
    period["effectivePeriod"] = {"start": "2025-12-31T23:00:00+00:00", "end": "2026-01-01T06:00:00+00:00"}
    got = _bundle_issues(validator, _transaction(past, future, skew, encounter, period))
    assert got == [
        (
            "error",
            "ILP-4505",
            "Bundle.entry[1].resource.effectiveDateTime",
            "Bundle.entry[1].resource.effectiveDateTime (2026-01-02T00:00:00+00:00) is in the future",
        ),
        (
            "error",
            "ILP-4505",
            "Bundle.entry[3].resource.period.start",
            "Bundle.entry[3].resource.period.start (2026-03-01T00:00:00+00:00) is in the future",
        ),
        (
            "error",
            "ILP-4505",
            "Bundle.entry[4].resource.effectivePeriod.end",
            "Bundle.entry[4].resource.effectivePeriod.end (2026-01-01T06:00:00+00:00) is in the future",
        ),
    ]


def test_future_event_time_of_a_single_resource(validator: Validator) -> None:
    obs = example("ilp-observation", "valid-berat-badan-balita.json")
    obs["effectiveDateTime"] = "2027-05-01"
    found = [
        (i.message_id, i.expression[0]) for i in validator.validate(obs).issues if i.message_id == "ILP-4505"
    ]
    assert found == [("ILP-4505", "Observation.effectiveDateTime")]


def test_full_url_rules(validator: Validator) -> None:
    """A malformed urn:uuid is an error; a missing fullUrl in a transaction is a warning (SATUSEHAT 20017);
    a Bundle inside a Bundle is an error (20011)."""
    obs = example("ilp-observation", "valid-berat-badan-balita.json")
    inner = {"resourceType": "Bundle", "type": "collection"}
    bundle = _transaction(
        obs, copy.deepcopy(obs), inner, full_urls=["urn:uuid:not-a-uuid", None, "urn:uuid:" + "0" * 32]
    )
    assert _bundle_issues(validator, bundle) == [
        (
            "error",
            "ILP-4501",
            "Bundle.entry[0].fullUrl",
            "Bundle.entry[0].fullUrl 'urn:uuid:not-a-uuid' is not a valid urn:uuid",
        ),
        (
            "warning",
            "ILP-4501",
            "Bundle.entry[1].fullUrl",
            "Bundle.entry[1].fullUrl is missing; SATUSEHAT requires one on every entry",
        ),
        (
            "error",
            "ILP-4501",
            "Bundle.entry[2].fullUrl",
            f"Bundle.entry[2].fullUrl 'urn:uuid:{'0' * 32}' is not a valid urn:uuid",
        ),
        (
            "error",
            "ILP-4502",
            "Bundle.entry[2].resource",
            "Bundle.entry[2].resource: a Bundle may not contain a Bundle",
        ),
    ]
    assert [i.rule_number for i in validator.validate(bundle).issues if i.message_id == "ILP-4502"] == [20011]


def test_references_resolve_within_the_bundle_or_are_external(validator: Validator) -> None:
    """``urn:uuid`` references must match a fullUrl; ``Type/id`` ones not in the Bundle are handed back as
    external (the store is asked), with the path of the element that holds them."""
    patient_url = "urn:uuid:9a7b2c1e-0001-4000-8000-00000000000a"
    obs = example("ilp-observation", "valid-berat-badan-balita.json")
    obs["subject"] = {"reference": patient_url}
    stray = example("ilp-observation", "valid-berat-badan-balita.json")
    stray["subject"] = {"reference": "urn:uuid:9a7b2c1e-0001-4000-8000-00000000000b"}
    patient = example("ilp-patient", "valid-ibu-nik.json")
    bundle = _transaction(
        patient,
        obs,
        stray,
        full_urls=[patient_url, "urn:uuid:9a7b2c1e-0001-4000-8000-000000000001", None],
    )
    result = validator.validate(bundle)
    assert [
        (i.message_id, i.expression[0], i.diagnostics) for i in result.issues if i.message_id == "ILP-4503"
    ] == [
        (
            "ILP-4503",
            "Bundle.entry[2].resource.subject.reference",
            "Bundle.entry[2].resource.subject.reference: 'urn:uuid:9a7b2c1e-0001-4000-8000-00000000000b' "
            "matches no fullUrl in the Bundle",
        )
    ]
    assert sorted((e.literal, e.expression) for e in result.external) == [
        ("Encounter/2f6b5f0c-7d1e-4b1a-9a55-3c8e2f1d0a11", "Bundle.entry[1].resource.encounter.reference"),
        ("Practitioner/N10000001", "Bundle.entry[1].resource.performer[0].reference"),
    ]


TIMES = st.sampled_from(
    [
        "2026-01-02T00:00:00+00:00",  # in the future of the validators' clock (2026-01-01, conftest)
        "2026-01-01T00:04:00+00:00",  # within the clock-skew allowance
        "2025-12-31",
        "2025-12-30T23:00:00+07:00",
        "2024-05-01T08:00:00+00:00",
        "2027",
        "2026-01",
        "not a date",
    ]
)
SHAPES = st.one_of(
    TIMES,
    st.fixed_dictionaries({}, optional={"start": TIMES, "end": TIMES}),
    st.sampled_from([None, 5, [], ["2027-01-01"]]),
)


@given(st.data())
def test_the_quick_test_lets_every_future_time_through(validator: Validator, data: st.DataObject) -> None:
    """The generated per-type test (EventTimes.late) runs on every entry and lets only candidates through to
    future_times: whenever future_times finds a time in the future, the quick test must have said yes. One
    event element at a time, in every shape (a time, a Period, the sub-element's holder, odd values)."""
    times = validator.event_times
    rtype = data.draw(st.sampled_from(sorted(times.keys)))
    key, sub = data.draw(st.sampled_from(times.keys[rtype]))
    value = data.draw(SHAPES)
    resource: dict[str, Any] = {"resourceType": rtype, key: {sub: value} if sub else value}
    now = validator.clock() + CLOCK_SKEW
    horizon = (now - timedelta(days=2)).date().isoformat()
    found = future_times(resource, rtype, times.keys, now, horizon)
    assert times.late[rtype](resource, horizon) or not found


UUIDISH = st.one_of(
    st.uuids().map(str),
    st.uuids().map(lambda u: str(u).upper()),
    st.text(alphabet="0123456789abcdefABCDEFgG-\n x٢_", min_size=30, max_size=40),
    st.uuids().map(lambda u: str(u) + "\n"),
    st.uuids().map(lambda u: str(u).replace("-", "", 1) + "0"),
)


@given(st.sampled_from(["urn:uuid:", "urn:uuid:", "urn:uuid", "URN:UUID:", "x urn:uuid:"]), UUIDISH)
def test_the_batch_uuid_check_agrees_with_the_regex(prefix: str, rest: str) -> None:
    """All urn:uuid fullUrls of a Bundle are checked in one jsonschema-rs call; it must accept exactly what
    the regex used for the issues accepts (anchoring, case, a final newline, non-ASCII digits)."""
    url = prefix + rest
    assert _urn_uuids().is_valid([url]) == (_URN_UUID.fullmatch(url) is not None)


STRAY = "urn:uuid:9a7b2c1e-0001-4000-8000-0000000000ff"  # matches no fullUrl


def _education(resource: dict[str, Any]) -> str:
    resource["education"] = [{"reference": "http://example.org/vis.pdf", "presentationDate": "2024-01-01"}]
    resource["performer"][0]["actor"] = {"reference": STRAY}
    return "Immunization.performer[0].actor.reference"


def _expression(resource: dict[str, Any]) -> str:
    expression = {"language": "text/fhirpath", "reference": "http://example.org/fhir/Library/1"}
    resource["extension"] = [
        {"url": "http://example.org/fhir/StructureDefinition/x", "valueExpression": expression}
    ]
    resource["subject"] = {"reference": STRAY}
    return "Observation.subject.reference"


@pytest.mark.parametrize(
    ("profile", "example_file", "change"),
    [
        ("ilp-immunization", "valid-pentabio-diberikan.json", _education),
        ("ilp-observation", "valid-berat-badan-balita.json", _expression),
    ],
    ids=["Immunization.education.reference", "Expression.reference"],
)
def test_uri_elements_named_reference_are_not_references(
    validator: Validator, profile: str, example_file: str, change: Callable[[dict[str, Any]], str]
) -> None:
    """A uri that R4 names ``reference`` is not a Reference: no ILP-4503 and no store lookup for it, alone or
    in a Bundle, while a real reference that resolves nowhere in the same resource is still reported at its
    own path."""
    resource = example(profile, example_file)
    stray_at = change(resource)
    alone = validator.validate(resource)
    assert [(i.message_id, i.expression) for i in alone.issues if i.message_id == "ILP-4503"] == [
        ("ILP-4503", (stray_at,))
    ]
    assert all(not e.literal.startswith("http://example.org") for e in alone.external)
    bundle = _transaction(resource)
    got = [
        (i.message_id, i.expression[0])
        for i in validator.validate(bundle).issues
        if i.message_id == "ILP-4503"
    ]
    assert got == [("ILP-4503", "Bundle.entry[0].resource." + stray_at.split(".", 1)[1])]


def test_detected_issue_reference_is_a_uri(validator: Validator) -> None:
    issue = {"resourceType": "DetectedIssue", "status": "final", "reference": "http://example.org/monograph"}
    assert [i for i in validator.validate(issue).issues if i.message_id == "ILP-4503"] == []
    assert validator.validate(issue).external == []


BASIC = {"resourceType": "Basic", "code": {"text": "x"}}


def _bdl(validator: Validator, bundle: dict[str, Any]) -> list[tuple[str, str]]:
    """(expression, the invariant's key) of each ILP-4506 issue."""
    return [
        (i.expression[0], i.diagnostics.split(": ")[1])
        for i in validator.validate(bundle).issues
        if i.message_id == "ILP-4506"
    ]


def _entry(n: int, **parts: Any) -> dict[str, Any]:
    return {"fullUrl": f"urn:uuid:9a7b2c1e-0001-4000-8000-00000000000{n}", "resource": BASIC, **parts}


POST = {"request": {"method": "POST", "url": "Basic"}}
CREATED = {"response": {"status": "201 Created"}}


@pytest.mark.parametrize(
    ("bundle", "expected"),
    [
        ({"type": "transaction", "total": 1, "entry": [_entry(1, **POST)]}, [("Bundle.total", "bdl-1")]),
        ({"type": "searchset", "total": 1, "entry": [_entry(1, search={"mode": "match"})]}, []),
        (
            {"type": "collection", "entry": [_entry(1, search={"mode": "match"})]},
            [("Bundle.entry[0].search", "bdl-2")],
        ),
        (
            {"type": "transaction", "entry": [_entry(1, **POST), _entry(2)]},
            [("Bundle.entry[1].request", "bdl-3")],
        ),
        ({"type": "collection", "entry": [_entry(1, **POST)]}, [("Bundle.entry[0].request", "bdl-3")]),
        ({"type": "transaction-response", "entry": [_entry(1)]}, [("Bundle.entry[0].response", "bdl-4")]),
        (
            {"type": "transaction", "entry": [_entry(1, **POST, **CREATED)]},
            [("Bundle.entry[0].response", "bdl-4")],
        ),
        ({"type": "history", "entry": [_entry(1, **POST, **CREATED)]}, []),
        (
            {"type": "collection", "entry": [{"fullUrl": "urn:uuid:9a7b2c1e-0001-4000-8000-000000000001"}]},
            [("Bundle.entry[0]", "bdl-5")],
        ),
        (
            {
                "type": "collection",
                "entry": [{"fullUrl": "http://example.org/fhir/Basic/1/_history/2", "resource": BASIC}],
            },
            [("Bundle.entry[0].fullUrl", "bdl-8")],
        ),
        (
            {"type": "document", "entry": [_entry(1)]},
            [("Bundle.identifier", "bdl-9"), ("Bundle.timestamp", "bdl-10"), ("Bundle.entry", "bdl-11")],
        ),
        ({"type": "message", "entry": [_entry(1)]}, [("Bundle.entry", "bdl-12")]),
        ({"type": "collection", "entry": [_entry(1), _entry(2)]}, []),
    ],
)
def test_the_r4_bundle_invariants(
    validator: Validator, bundle: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    """https://hl7.org/fhir/R4/bundle.html#invs: what a Bundle and its entries may hold, by Bundle.type."""
    assert _bdl(validator, {"resourceType": "Bundle", **bundle}) == expected


def test_a_shared_full_url_is_a_duplicate_unless_the_versions_differ(validator: Validator) -> None:
    """bdl-7: entries may share a fullUrl in a history, or when their meta.versionId differ."""
    url = "http://example.org/fhir/Basic/b1"

    def version(v: str) -> dict[str, Any]:
        return {"fullUrl": url, "resource": {**BASIC, "id": "b1", "meta": {"versionId": v}}}

    def duplicates(kind: str, *entries: dict[str, Any]) -> list[str]:
        bundle = {"resourceType": "Bundle", "type": kind, "entry": list(entries)}
        return [i.expression[0] for i in validator.validate(bundle).issues if i.message_id == "ILP-4501"]

    assert duplicates("collection", version("1"), version("2")) == []
    assert duplicates("collection", version("1"), version("1")) == ["Bundle.entry[1].fullUrl"]
    history = [{**version(v), **POST, **CREATED} for v in ("1", "1")]
    assert duplicates("history", *history) == []
