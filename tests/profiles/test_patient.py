"""ilp-patient and the SATUSEHAT Patient extensions (administrativeCode, birthPlace, citizenshipStatus):
one invalid example per rule, with the exact message id, expression and RuleNumber."""

from __future__ import annotations

import pytest

from profiles.validator import Validator
from tests.profiles.helpers import DROP, Case, case, check, edit, example

PROFILE = "ilp-patient"
ADULT = "valid-ibu-nik.json"
BABY = "valid-bayi-nik-ibu.json"
NIK = "https://fhir.kemkes.go.id/id/nik"
NIK_IBU = "https://fhir.kemkes.go.id/id/nik-ibu"
IHS = "https://fhir.kemkes.go.id/id/ihs-number"
ADM = "address[0].extension[0]"
ADM_PATH = "Patient.address[0].extension[0]"
PARTS = ("province", "city", "district", "village", "rt", "rw")

_adult = example(PROFILE, ADULT)
ADMIN_CODE = _adult["address"][0]["extension"][0]
BIRTH_PLACE, CITIZENSHIP = _adult["extension"]

DEFAULT_EXAMPLE = ADULT

CASES: list[Case] = [
    case(
        "Patient.identifier:min",
        {"identifier": DROP},
        ("ILP-4101", "Patient.identifier", None),
        ("ILP-4312", "Patient.identifier", None),
    ),
    case(
        "Patient.identifier:nik:max",
        {"identifier[+]": {"system": NIK, "value": "3507015201900003"}},
        ("ILP-4105", "Patient.identifier[2]", None),
    ),
    case(
        "Patient.identifier:nik.value:min",
        {"identifier[0].value": DROP},
        ("ILP-4101", "Patient.identifier[0].value", None),
    ),
    case(
        "Patient.identifier:nik-ibu:max",
        {"identifier[+]": {"system": NIK_IBU, "value": "3507015201900003"}},
        ("ILP-4105", "Patient.identifier[1]", None),
        example=BABY,
    ),
    case(
        "Patient.identifier:nik-ibu.value:min",
        {"identifier[0].value": DROP},
        ("ILP-4101", "Patient.identifier[0].value", None),
        example=BABY,
    ),
    case(
        "Patient.identifier:ihs:max",
        {"identifier[+]": {"system": IHS, "value": "P02478375599"}},
        ("ILP-4105", "Patient.identifier[2]", None),
    ),
    case("Patient.name:min", {"name": DROP}, ("ILP-4101", "Patient.name", None)),
    case("Patient.name.text:min", {"name[0].text": DROP}, ("ILP-4101", "Patient.name[0].text", None)),
    case("Patient.gender:min", {"gender": DROP}, ("ILP-4101", "Patient.gender", None)),
    case("Patient.birthDate:min", {"birthDate": DROP}, ("ILP-4101", "Patient.birthDate", None)),
    case("Patient.address:min", {"address": DROP}, ("ILP-4101", "Patient.address", None)),
    case(
        "Patient.address.extension:administrativeCode:max",
        {"address[0].extension[+]": ADMIN_CODE},
        ("ILP-4105", "Patient.address[0].extension[1]", None),
    ),
    case(
        "Patient.multipleBirth[x]:min",
        {"multipleBirthInteger": DROP},
        ("ILP-4101", "Patient.multipleBirth[x]", None),
    ),
    case(
        "Patient.multipleBirth[x]:type",
        {"multipleBirthInteger": DROP, "multipleBirthBoolean": False},
        ("ILP-4107", "Patient.multipleBirthBoolean", None),
    ),
    case(
        "Patient.extension:birthPlace:max",
        {"extension[+]": BIRTH_PLACE},
        ("ILP-4105", "Patient.extension[2]", None),
    ),
    case(
        "Patient.extension:citizenshipStatus:max",
        {"extension[+]": CITIZENSHIP},
        ("ILP-4105", "Patient.extension[2]", None),
    ),
    # invariants
    case(
        "ilp-pat-1",
        {"identifier[0].system": "https://fhir.kemkes.go.id/id/paspor"},
        ("ILP-4312", "Patient.identifier", None),
    ),
    case("ilp-pat-2", {"birthDate": "1990-01-13"}, ("ILP-4313", "Patient.identifier[0].value", None)),
    case(
        "ilp-pat-3",
        {"multipleBirthInteger": DROP},
        ("ILP-4101", "Patient.multipleBirth[x]", None),
        ("ILP-4314", "Patient.multipleBirthInteger", None),
        example=BABY,
    ),
    # extension administrativeCode (on Patient.address)
    case(
        "administrativeCode/Extension.extension:min",
        {f"{ADM}.extension": DROP},
        ("ILP-4101", f"{ADM_PATH}.extension", None),
        ("ILP-4005", ADM_PATH, None),  # ext-1: neither extensions nor a value
    ),
    case(
        "administrativeCode/Extension.extension:closed",
        {f"{ADM}.extension[+]": {"url": "kelurahan", "valueCode": "Tulungrejo"}},
        ("ILP-4106", f"{ADM_PATH}.extension[6]", None),
    ),
    case(
        "administrativeCode/Extension.value[x]:max",
        {f"{ADM}.valueCode": "35"},
        ("ILP-4102", f"{ADM_PATH}.value[x]", None),
        ("ILP-4005", ADM_PATH, None),  # ext-1: both extensions and a value
    ),
    *(
        case(
            f"administrativeCode/Extension.extension:{part}:max",
            {f"{ADM}.extension[+]": ADMIN_CODE["extension"][i]},
            ("ILP-4105", f"{ADM_PATH}.extension[6]", None),
        )
        for i, part in enumerate(PARTS)
    ),
    *(
        case(
            f"administrativeCode/Extension.extension:{part}.value[x]:min",
            {f"{ADM}.extension[{i}].valueCode": DROP},
            ("ILP-4101", f"{ADM_PATH}.extension[{i}].value[x]", None),
            ("ILP-4005", f"{ADM_PATH}.extension[{i}]", None),  # ext-1
        )
        for i, part in enumerate(PARTS)
    ),
    *(
        case(
            f"administrativeCode/Extension.extension:{part}.value[x]:type",
            {f"{ADM}.extension[{i}].valueCode": DROP, f"{ADM}.extension[{i}].valueString": "001"},
            ("ILP-4107", f"{ADM_PATH}.extension[{i}].valueString", None),
        )
        for i, part in enumerate(PARTS)
    ),
    case(
        "ilp-adm-1",
        {f"{ADM}.extension[3].valueCode": "3507012999"},
        ("ILP-4311", f"{ADM_PATH}.extension[3].valueCode", None),
    ),
    # extensions birthPlace and citizenshipStatus
    case(
        "birthPlace/Extension.value[x]:min",
        {"extension[0].valueAddress": DROP},
        ("ILP-4101", "Patient.extension[0].value[x]", None),
        ("ILP-4005", "Patient.extension[0]", None),  # ext-1
    ),
    case(
        "birthPlace/Extension.value[x]:type",
        {"extension[0].valueAddress": DROP, "extension[0].valueString": "Malang"},
        ("ILP-4107", "Patient.extension[0].valueString", None),
    ),
    case(
        "citizenshipStatus/Extension.value[x]:min",
        {"extension[1].valueCode": DROP},
        ("ILP-4101", "Patient.extension[1].value[x]", None),
        ("ILP-4005", "Patient.extension[1]", None),  # ext-1
    ),
    case(
        "citizenshipStatus/Extension.value[x]:type",
        {"extension[1].valueCode": DROP, "extension[1].valueCoding": {"code": "WNI"}},
        ("ILP-4107", "Patient.extension[1].valueCoding", None),
    ),
]


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.id)
def test_invalid(validator: Validator, c: Case) -> None:
    check(validator, PROFILE, c, ADULT)


@pytest.mark.parametrize(
    ("edits", "expression", "fragment"),
    [
        (
            {f"{ADM}.extension[3].valueCode": "35070120"},
            f"{ADM_PATH}.extension[3].valueCode",
            "must be 10 digits",
        ),
        (
            {f"{ADM}.extension[3].valueCode": "3171011001"},
            f"{ADM_PATH}.extension[3].valueCode",
            "does not lie within '350701'",
        ),
    ],
)
def test_administrative_code_rule_variants(
    validator: Validator, edits: dict[str, str], expression: str, fragment: str
) -> None:
    """The same rule (ILP-4311) for the other kinds of bad code: length and nesting (existence: ilp-adm-1)."""
    doc = example(PROFILE, ADULT)
    for path, value in edits.items():
        edit(doc, path, value)
    issues = [i for i in validator.validate(doc, profiles=[]).issues if i.is_error]
    assert [(i.message_id, i.expression[0]) for i in issues] == [("ILP-4311", expression)]
    assert fragment in issues[0].diagnostics
