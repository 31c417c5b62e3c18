"""Reference target types (``type.targetProfile``, ILP-4108, e.g. Encounter.subject → Patient, RuleNumber
10118) are checked for ``urn:uuid:`` references inside a Bundle too, the SATUSEHAT submission flow where
every reference is one: the Bundle knows each fullUrl's resourceType. Once an engine gap recorded as a
strict xfail; kept as regression tests beside the literal ``Type/id`` case.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from profiles.engine import reference_type
from profiles.validator import Validator
from tests.profiles.helpers import errors, example

ORG_URL = "urn:uuid:9a7b2c1e-0001-4000-8000-000000000001"
ENC_URL = "urn:uuid:9a7b2c1e-0001-4000-8000-000000000002"


def test_reference_target_checked_for_urn_uuid_in_bundle(validator: Validator) -> None:
    org = example("ilp-organization", "valid-puskesmas.json")
    enc = example("ilp-encounter", "valid-posyandu-finished.json")
    del org["id"], enc["id"]
    enc["subject"] = {"reference": ORG_URL}  # an Organization where the profile allows only Patient
    bundle = {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {"fullUrl": ORG_URL, "resource": org, "request": {"method": "POST", "url": "Organization"}},
            {"fullUrl": ENC_URL, "resource": enc, "request": {"method": "POST", "url": "Encounter"}},
        ],
    }
    assert errors(validator.validate(bundle)) == [
        ("ILP-4108", "Bundle.entry[1].resource.subject.reference", 10118)
    ]


def test_literal_reference_target_is_checked(validator: Validator) -> None:
    """The same reference as ``Organization/id`` is caught."""
    enc = example("ilp-encounter", "valid-posyandu-finished.json")
    enc["subject"] = {"reference": "Organization/100000001"}
    assert errors(validator.validate(enc)) == [("ILP-4108", "Encounter.subject.reference", 10118)]


def _reference_type_general(ref: str) -> str:
    """The general rule of :func:`profiles.engine.reference_type`, without its ``Type/id`` shortcut."""
    target = ref.split("?", 1)[0].split("/_history/")[0].rstrip("/").split("/")
    return target[-2] if len(target) >= 2 else target[0]


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ("Patient/1", "Patient"),
        ("http://example.org/fhir/Patient/1", "Patient"),
        ("http://example.org/fhir/Patient/1/_history/2", "Patient"),
        ("Patient?identifier=https://fhir.kemkes.go.id/id/nik|1", "Patient"),
        ("Patient/1/Encounter/2", "Encounter"),
        ("Patient/", "Patient"),
        ("Patient", "Patient"),
    ],
)
def test_reference_type_examples(ref: str, expected: str) -> None:
    assert reference_type(ref) == expected


@given(st.text(alphabet="Pat/?_hisory=1:.|", max_size=30))
def test_reference_type_shortcut_agrees_with_the_general_rule(ref: str) -> None:
    assert reference_type(ref) == _reference_type_general(ref)
