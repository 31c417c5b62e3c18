"""The structure stage (profiles/structure.py): the shape rules are reported once, by the Python check with
their own message ids (the schema copy of them only makes ``is_valid`` fail), and a Bundle entry's
resource is validated whatever it holds."""

from __future__ import annotations

import gzip
import re
from datetime import date
from importlib import resources

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from profiles.definitions import R4Definitions
from profiles.structure import PRIMITIVE_DEFINITIONS, StructureValidator


@pytest.fixture(scope="module")
def structure() -> StructureValidator:
    return StructureValidator(R4Definitions.load())


def _issues(structure: StructureValidator, resource: object) -> list[tuple[str, tuple[str, ...], str]]:
    return [(i.message_id, i.expression, i.diagnostics) for i in structure.validate(resource)]


def test_two_choice_variants_are_one_issue(structure: StructureValidator) -> None:
    obs = {"resourceType": "Observation", "status": "final", "code": {"text": "x"}}
    assert _issues(structure, {**obs, "valueString": "a"}) == []
    assert _issues(structure, {**obs, "valueString": "a", "valueQuantity": {"value": 1}}) == [
        (
            "ILP-4002",
            ("Observation.valueQuantity",),
            "Observation: only one of value[x] may be present, found valueString, valueQuantity",
        )
    ]


def test_an_r5_array_is_one_issue(structure: StructureValidator) -> None:
    enc = {"resourceType": "Encounter", "status": "finished", "class": [{"code": "AMB"}]}
    assert _issues(structure, enc) == [
        (
            "ILP-4003",
            ("Encounter.class",),
            "Encounter.class is a single value in FHIR R4, not an array (an R5 shape?)",
        )
    ]


def test_bundle_entries_are_validated_in_place(structure: StructureValidator) -> None:
    """A valid entry costs nothing; an invalid, null or nested one is reported at its entry."""
    good = {"resourceType": "Patient", "gender": "female"}
    bad = {"resourceType": "Patient", "gender": "perempuan"}
    bundle = {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [{"resource": good}, {"resource": bad}, {"resource": None}],
    }
    found = _issues(structure, bundle)
    assert [(m, e) for m, e, _ in found] == [
        ("ILP-4001", ("Bundle.entry[2].resource",)),  # the Bundle's schema: null is not an object
        ("ILP-4001", ("Bundle.entry[1].resource.gender",)),
        ("ILP-4001", ("Bundle.entry[2].resource",)),  # and the entry itself is not a resource
    ]


def test_complex_values_are_objects_at_any_depth(structure: StructureValidator) -> None:
    """The official schema's datatype definitions have no ``"type": "object"``; the structure stage adds it,
    so a string, number, array or null where R4 has one complex value is refused wherever it is."""
    obs = {
        "resourceType": "Observation",
        "status": "final",
        "code": 5,
        "subject": "Patient/1",
        "identifier": [{"period": [{"start": "2020"}], "assigner": None}],
    }
    assert _issues(structure, obs) == [
        ("ILP-4001", ("Observation.code",), 'Observation.code: 5 is not of type "object"'),
        ("ILP-4001", ("Observation.subject",), 'Observation.subject: "Patient/1" is not of type "object"'),
        (
            "ILP-4001",
            ("Observation.identifier[0].period",),
            'Observation.identifier[0].period: [{"start":"2020"}] is not of type "object"',
        ),
        (
            "ILP-4001",
            ("Observation.identifier[0].assigner",),
            'Observation.identifier[0].assigner: null is not of type "object"',
        ),
    ]


def test_null_keeps_its_place_in_a_primitive_extension_array(structure: StructureValidator) -> None:
    """https://hl7.org/fhir/R4/json.html#primitive: ``_given`` lines up with ``given``, null where a name
    part has no extension."""
    ext = {"extension": [{"url": "http://example.org/x", "valueString": "y"}]}
    patient = {"resourceType": "Patient", "name": [{"given": ["Siti", "Aminah"], "_given": [None, ext]}]}
    assert _issues(structure, patient) == []
    assert _issues(structure, {**patient, "name": [{"_given": [None, "x"]}]}) == [
        (
            "ILP-4001",
            ("Patient.name[0]._given[1]",),
            'Patient.name[0]._given[1]: "x" is not valid under any of the schemas listed in the '
            "'anyOf' keyword",
        )
    ]


DAR = {
    "extension": [
        {"url": "http://hl7.org/fhir/StructureDefinition/data-absent-reason", "valueCode": "unknown"}
    ]
}


def test_a_primitive_or_choice_of_min_1_is_required(structure: StructureValidator) -> None:
    """The R4 schema's ``required`` lists complex elements only; the structure stage adds the primitives and
    choices of ``min`` 1 at any depth, each present as its value or as its extensions alone
    (https://hl7.org/fhir/R4/json.html#primitive)."""
    obs = {"resourceType": "Observation", "code": {"text": "x"}}
    assert _issues(structure, obs) == [
        (
            "ILP-4001",
            ("Observation.status",),
            "Observation.status is required (min 1): none of status, _status is present",
        )
    ]
    assert _issues(structure, {**obs, "status": "final"}) == []
    assert _issues(structure, {**obs, "_status": DAR}) == []  # extensions alone: present
    imm = {"resourceType": "Immunization", "status": "completed", "vaccineCode": {"text": "x"}}
    imm["patient"] = {"reference": "Patient/1"}
    assert _issues(structure, imm) == [
        (
            "ILP-4001",
            ("Immunization.occurrence",),  # FHIRPath names a choice by its stem
            "Immunization.occurrence[x] is required (min 1): none of occurrenceDateTime, occurrenceString, "
            "_occurrenceDateTime, _occurrenceString is present",
        )
    ]
    assert _issues(structure, {**imm, "occurrenceString": "2024"}) == []
    nested = {
        "resourceType": "Patient",
        "link": [{"other": {"reference": "Patient/2"}}],  # a BackboneElement: Patient.link.type
        "name": [{"extension": [{"valueString": "y"}]}],  # a datatype: Extension.url
        "text": {"div": '<div xmlns="http://www.w3.org/1999/xhtml">x</div>'},  # Narrative.status
    }
    assert sorted(e for _, e, _ in _issues(structure, nested)) == [
        ("Patient.link[0].type",),
        ("Patient.name[0].extension[0].url",),
        ("Patient.text.status",),
    ]
    bundle = {"resourceType": "Bundle", "entry": [{"resource": obs, "request": {"url": "Observation"}}]}
    assert sorted(e for _, e, _ in _issues(structure, bundle)) == [
        ("Bundle.entry[0].request.method",),
        ("Bundle.entry[0].resource.status",),
        ("Bundle.type",),
    ]


def test_every_element_of_min_1_is_checked(structure: StructureValidator) -> None:
    """Every element of ``min`` ≥ 1 in the R4 StructureDefinitions, in every resource and datatype, is either
    in its schema definition's ``required`` or has a rule: with all of them absent from an otherwise empty
    object, the stage reports each one."""
    defs = R4Definitions.load()
    checked = {"Observation": {"status"}, "Bundle": {"type"}, "Extension": {"url"}}
    for type_name, names in checked.items():
        elements = defs.types[type_name].elements
        min_1 = {p.split(".", 1)[1] for p, e in elements.items() if p.count(".") == 1 and e.min >= 1}
        assert names <= min_1
    missing_everywhere = 0
    for type_name in sorted(defs.resource_types & structure.resource_types):
        elements = defs.types[type_name].elements
        want = {
            f"{type_name}.{p.split('.', 1)[1].removesuffix('[x]')}"
            for p, e in elements.items()
            if p.count(".") == 1 and e.min >= 1
        }
        got = {e[0] for _, e, _ in _issues(structure, {"resourceType": type_name}) if e}
        assert want <= got, (type_name, sorted(want - got))
        missing_everywhere += len(want)
    assert missing_everywhere > 300  # the check ran over the whole R4 spec, not an empty list


@pytest.mark.parametrize(
    ("extra", "expression", "message"),
    [
        ({"valueInteger": 1.5}, "Observation.valueInteger", '1.5 is not of type "integer"'),
        (
            {"valueInteger": 2**31},
            "Observation.valueInteger",
            "2147483648 is greater than the maximum of 2147483647",
        ),
        (
            {"component": [{"code": {"text": "a"}, "valueInteger": -(2**31) - 1}]},
            "Observation.component[0].valueInteger",
            "-2147483649 is less than the minimum of -2147483648",
        ),
        ({"text": {"status": "generated", "div": 5}}, "Observation.text.div", '5 is not of type "string"'),
        (
            {"text": {"status": "generated", "div": "hello"}},
            "Observation.text.div",
            '"hello" is not a valid FHIR xhtml',
        ),
    ],
)
def test_r4_primitives_the_schema_cannot_check(
    structure: StructureValidator, extra: dict[str, object], expression: str, message: str
) -> None:
    """https://hl7.org/fhir/R4/datatypes.html#primitive: integer is 32-bit (a regex on a JSON number checks
    nothing, in a definition or a written-out choice variant); xhtml is a string rooted at a div."""
    obs = {"resourceType": "Observation", "status": "final", "code": {"text": "x"}, **extra}
    [(message_id, where, text)] = _issues(structure, obs)
    assert (message_id, where) == ("ILP-4001", (expression,)) and text.startswith(f"{expression}: {message}")


def test_r4_primitives_at_their_edges(structure: StructureValidator) -> None:
    obs = {"resourceType": "Observation", "status": "final", "code": {"text": "x"}}
    div = '<div xmlns="http://www.w3.org/1999/xhtml">x</div>'
    for extra in (
        {"valueInteger": -(2**31)},
        {"valueInteger": 2**31 - 1},
        {"text": {"status": "generated", "div": div}},
    ):
        assert _issues(structure, {**obs, **extra}) == []
    imm = {"resourceType": "Immunization", "status": "completed", "vaccineCode": {"text": "x"}}
    imm |= {"patient": {"reference": "Patient/1"}, "occurrenceDateTime": "2024-01-01"}
    assert _issues(structure, {**imm, "protocolApplied": [{"doseNumberPositiveInt": 1}]}) == []
    assert [
        e for _, e, _ in _issues(structure, {**imm, "protocolApplied": [{"doseNumberPositiveInt": 0}]})
    ] == [("Immunization.protocolApplied[0].doseNumberPositiveInt",)]
    photo = {"resourceType": "Patient", "photo": [{"size": 0, "data": "aGVsbG8="}]}
    assert _issues(structure, photo) == []
    bad = {"resourceType": "Patient", "photo": [{"size": -1, "data": "!!!!"}]}
    assert sorted(e for _, e, _ in _issues(structure, bad)) == [
        ("Patient.photo[0].data",),
        ("Patient.photo[0].size",),
    ]


@pytest.mark.parametrize(
    ("extra", "expression", "text"),
    [
        (
            {"code": {}},
            "Observation.code",
            "ele-1: All FHIR elements must have a @value or children (it has nothing)",
        ),
        (
            {"code": {"coding": [{}]}},
            "Observation.code.coding[0]",
            "ele-1: All FHIR elements must have a @value or children (it has nothing)",
        ),
        (
            {
                "extension": [
                    {"url": "http://example.org/e", "valueString": "a", "extension": [DAR["extension"][0]]}
                ]
            },
            "Observation.extension[0]",
            "ext-1: Must have either extensions or value[x], not both (it has both)",
        ),
        (
            {"extension": [{"url": "http://example.org/e"}]},
            "Observation.extension[0]",
            "ext-1: Must have either extensions or value[x], not both (it has neither)",
        ),
    ],
)
def test_the_invariants_of_every_element(
    structure: StructureValidator, extra: dict[str, object], expression: str, text: str
) -> None:
    """ele-1 (https://hl7.org/fhir/R4/element.html#invs) and ext-1
    (https://hl7.org/fhir/R4/extensibility.html#Extension) hold at any depth; the schema leaves them out."""
    obs = {"resourceType": "Observation", "status": "final", "code": {"text": "x"}, **extra}
    assert _issues(structure, obs) == [("ILP-4005", (expression,), f"{expression}: {text}")]


def test_what_the_element_invariants_allow(structure: StructureValidator) -> None:
    obs = {"resourceType": "Observation", "status": "final", "code": {"text": "x"}}
    allowed = [
        {"_status": {"id": "s1"}},  # an id beside the value: the element has a value
        {"code": {"id": "c1", "text": "x"}},
        {
            "extension": [{"url": "http://example.org/e", "_valueString": DAR}]
        },  # a value with extensions alone
        {"extension": [{"url": "http://example.org/e", "extension": [{"url": "a", "valueCode": "b"}]}]},
    ]
    for extra in allowed:
        assert _issues(structure, {**obs, **extra}) == [], extra
    assert (
        _issues(structure, {"resourceType": "Basic", "code": {"text": "x"}, "id": "b1"}) == []
    )  # not an element


def test_a_single_complex_element_is_an_object_by_its_definition(structure: StructureValidator) -> None:
    """The shape rules need no "not an array" schema of their own: every single complex top-level element's
    definition is object-typed (``_objects_typed``; ``id``, typed System.String, is a string), so an array
    fails ``is_valid`` there, and the Python check reports it as ILP-4003."""
    checked = 0
    for rtype, watch in structure._watch.items():
        schema = structure.checked_schema(rtype)
        properties = schema["definitions"][rtype]["properties"]
        for key, stem in watch.items():
            if stem is None and key in properties:  # not in the schema: additionalProperties refuses it
                target = properties[key]["$ref"].rsplit("/", 1)[-1]
                assert schema["definitions"][target].get("type") in ("object", "string"), (rtype, key, target)
                checked += 1
    assert checked > 500


def _official_patterns() -> dict[str, re.Pattern[str]]:
    """The vendored R4 schema's own regexes (datatypes.html#date), which admit impossible days."""
    raw = orjson.loads(
        gzip.decompress((resources.files("profiles") / "data/r4/fhir.schema.json.gz").read_bytes())
    )
    return {name: re.compile(raw["definitions"][name]["pattern"]) for name in ("date", "dateTime", "instant")}


OFFICIAL = _official_patterns()


def _real_day(text: str) -> bool:
    try:
        date.fromisoformat(text[:10])
    except ValueError:
        return False
    return True


@given(
    st.integers(0, 9999),
    st.integers(0, 13),
    st.integers(0, 32),
    st.sampled_from(["", "T10:20:30+07:00", "T23:59:60.125Z", "T24:00:00Z", "T10:20:30", "T10:20:30-14:00"]),
)
@settings(max_examples=1500, deadline=None)
def test_dates_are_real_days(year: int, month: int, day: int, time: str) -> None:
    """date, dateTime and instant: the R4 regex, and "Dates SHALL be valid dates" (a day the month has;
    29 February in leap years only), held against Python's calendar."""
    text = f"{year:04d}-{month:02d}-{day:02d}{time}"
    for name, official in OFFICIAL.items():
        want = official.match(text) is not None and _real_day(text)
        assert (re.match(PRIMITIVE_DEFINITIONS[name]["pattern"], text) is not None) == want, (name, text)


def test_a_date_of_a_day_that_does_not_exist(structure: StructureValidator) -> None:
    for partial in ("2023", "2023-02", "2024-02-29", "2000-02-29"):
        assert _issues(structure, {"resourceType": "Patient", "birthDate": partial}) == [], partial
    for impossible in ("2023-02-29", "1900-02-29", "2023-04-31", "2023-02-30"):
        [(message_id, where, text)] = _issues(structure, {"resourceType": "Patient", "birthDate": impossible})
        assert (message_id, where) == ("ILP-4001", ("Patient.birthDate",)), impossible
        # said by the type, not by its 600-character regex
        spec = "https://hl7.org/fhir/R4/datatypes.html#date"
        assert text == f'Patient.birthDate: "{impossible}" is not a valid FHIR date ({spec})'
    obs = {"resourceType": "Observation", "status": "final", "code": {"text": "x"}}
    written_out = {**obs, "effectiveDateTime": "2023-02-29T10:00:00+07:00"}  # a choice variant, in place
    assert [e for _, e, _ in _issues(structure, written_out)] == [("Observation.effectiveDateTime",)]
    assert [e for _, e, _ in _issues(structure, {**obs, "issued": "2023-06-31T10:00:00Z"})] == [
        ("Observation.issued",)
    ]


def test_the_invariants_of_a_contained_resource(structure: StructureValidator) -> None:
    """dom-2 … dom-5 (https://hl7.org/fhir/R4/domainresource.html#invs), checked only where a resource has
    ``contained``."""
    org = {"resourceType": "Organization", "id": "o1", "name": "x"}
    obs = {"resourceType": "Observation", "status": "final", "code": {"text": "x"}}
    referred = {**obs, "performer": [{"reference": "#o1"}]}
    assert _issues(structure, {**referred, "contained": [org]}) == []
    assert (
        _issues(structure, {**obs, "contained": [{**org, "partOf": {"reference": "#"}}]}) == []
    )  # refers back
    assert _issues(structure, {**obs, "contained": [org]}) == [
        (
            "ILP-4005",
            ("Observation.contained[0]",),
            "Observation.contained[0]: dom-3: #o1 SHALL be referred to from elsewhere in the resource "
            "or refer to it",
        )
    ]
    inner = {"resourceType": "Organization", "id": "o2", "name": "y", "partOf": {"reference": "#"}}
    odd = {**org, "contained": [inner], "meta": {"versionId": "1", "security": [{"code": "R"}]}}
    assert sorted(
        (e, d.split(": ")[1]) for _, e, d in _issues(structure, {**referred, "contained": [odd]})
    ) == [
        (("Observation.contained[0]",), "dom-2"),
        (("Observation.contained[0].meta",), "dom-4"),
        (("Observation.contained[0].meta.security",), "dom-5"),
    ]
