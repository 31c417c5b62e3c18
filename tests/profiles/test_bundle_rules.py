"""Bundle-wide rules (profiles/bundle_rules.py): expressions name the entries as the Bundle was sent."""

from __future__ import annotations

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
