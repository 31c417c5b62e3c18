"""The profiles as artefacts: canonical URLs, SATUSEHAT counterparts, message ids, RuleNumbers, named rules,
and that ``profiles/data/ilp`` is exactly what ``tools/write_profiles.py`` writes."""

from __future__ import annotations

import importlib
import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest

from profiles import rules
from profiles.validator import NoServices, load_structure_definitions
from tests.profiles.conftest import ROOT

BASE = "https://ilp-gateway.example.id/fhir/StructureDefinition/"
SATUSEHAT = "https://fhir.kemkes.go.id/r4/StructureDefinition/"
EXT = BASE
SDS = load_structure_definitions()
PROFILES = [sd for sd in SDS if sd["type"] != "Extension"]


def _ext(node: dict[str, Any], name: str) -> Any:
    for e in node.get("extension", ()):
        if e["url"] == EXT + name:
            return next(v for k, v in e.items() if k.startswith("value"))
    return None


def constraints() -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (sd["id"], e["id"], c)
        for sd in SDS
        for e in sd["differential"]["element"]
        for c in e.get("constraint", ())
    ]


@pytest.mark.parametrize("sd", PROFILES, ids=lambda sd: sd["id"])
def test_profile_metadata(sd: dict[str, Any]) -> None:
    assert sd["url"] == BASE + sd["id"]
    assert sd["id"].startswith("ilp-")
    assert _ext(sd, "satusehat-profile") == SATUSEHAT + sd["type"]
    assert sd["fhirVersion"] == "4.0.1"
    assert sd["baseDefinition"] == f"http://hl7.org/fhir/StructureDefinition/{sd['type']}"
    assert "SATUSEHAT" in sd["description"]
    assert len(sd["description"]) > 200


def test_constraint_keys_are_unique() -> None:
    keys = [c["key"] for _, _, c in constraints()]
    assert len(keys) == len(set(keys))


def test_constraints_carry_a_documented_profile_message_id() -> None:
    doc = (ROOT / "docs" / "message-ids.md").read_text()
    documented = set(re.findall(r"^\| (ILP-\d{4}) \|", doc, re.M))
    for sd_id, element, c in constraints():
        mid = _ext(c, "message-id")
        assert mid is not None and re.fullmatch(r"ILP-43[1-9]\d", mid), (sd_id, element, c["key"])
        assert mid in documented, (sd_id, c["key"], mid)
        assert f"`{c['key']}`" in doc, f"{c['key']} is not named in docs/message-ids.md"


def test_named_rules_exist() -> None:
    library = rules.library(NoServices())
    for _, _, c in constraints():
        impl = _ext(c, "constraint-implementation")
        assert impl is None or impl in library, c["key"]


def test_approved_questionnaires_rule_matches_the_profile() -> None:
    """The approved list is written into ilp-qr-1's expression (data) and into the rule that runs it."""
    (c,) = [c for _, _, c in constraints() if c["key"] == "ilp-qr-1"]
    assert set(re.findall(r"'([^']+)'", c["expression"])) == rules.SATUSEHAT_QUESTIONNAIRES


def rule_numbers() -> dict[str, int]:
    out = {}
    for sd in SDS:
        for e in sd["differential"]["element"]:
            if (n := _ext(e, "satusehat-rule")) is not None:
                out[e["id"]] = n
            for c in e.get("constraint", ()):
                if (n := _ext(c, "satusehat-rule")) is not None:
                    out[c["key"]] = n
    return out


def test_rule_numbers_only_where_the_notes_tie_them() -> None:
    """The RuleNumbers attached (domain notes §2.3, §2.4, §3.1); a change here is deliberate."""
    assert rule_numbers() == {
        # Observation (lead's profile)
        "Observation.subject": 10129,
        "Observation.encounter": 10130,
        "Observation.performer": 10383,
        "ilp-obs-2": 10295,
        "ilp-obs-3": 10296,
        "Observation.valueQuantity.system": 10012,
        "ilp-obs-1": 10012,
        # Organization, Location
        "Organization.identifier": 10446,
        "ilp-org-1": 10446,
        "Location.identifier": 10447,
        "ilp-loc-1": 10447,
        # Encounter
        "Encounter.identifier": 10117,
        "ilp-enc-1": 10117,
        "Encounter.subject": 10118,
        "Encounter.participant": 10119,
        "Encounter.participant.individual": 10119,
        "Encounter.period": 10121,
        "ilp-enc-2": 10121,
        "Encounter.period.start": 10123,
        "Encounter.statusHistory": 10122,
        "Encounter.location": 10120,
        "Encounter.location.location": 10120,
        "Encounter.serviceProvider": 10124,
        # Condition, Procedure
        "Condition.subject": 10125,
        "Condition.encounter": 10126,
        "Condition.recorder": 10678,
        "Procedure.subject": 10127,
        "Procedure.encounter": 10128,
        "Procedure.performer": 10399,
        "Procedure.performer.actor": 10399,
        # Immunization
        "Immunization.vaccineCode.coding:kfa": 10103,
        "Immunization.vaccineCode.coding:cvx": 10103,
        "ilp-imm-1": 10103,
        "Immunization.patient": 10155,
        "Immunization.encounter": 10293,
        "Immunization.occurrence[x]": 10156,
        "Immunization.recorded": 10451,
        "Immunization.primarySource": 10292,
        "Immunization.performer": 10294,
        "Immunization.performer.actor": 10294,
        "ilp-imm-2": 10305,
        "ilp-imm-3": 10306,
        "ilp-imm-4": 10307,
        "Immunization.protocolApplied": 10450,
        "Immunization.protocolApplied.doseNumber[x]": 10456,
        # QuestionnaireResponse
        "ilp-qr-1": 10169,
    }


def test_data_is_what_the_generator_writes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(ROOT / "tools"))
    monkeypatch.delitem(sys.modules, "sd", raising=False)
    monkeypatch.delitem(sys.modules, "write_profiles", raising=False)
    sd_module = importlib.import_module("sd")
    monkeypatch.setattr(sd_module, "OUT", tmp_path)
    importlib.import_module("write_profiles").main()
    data = ROOT / "profiles" / "data" / "ilp"
    written = {p.name: p.read_text() for p in tmp_path.glob("*.json")}
    assert sorted(written) == sorted(p.name for p in data.glob("*.json"))
    for name, text in written.items():
        assert json.loads(text) == json.loads((data / name).read_text()), name


JUNK: list[Any] = [
    None,
    "x",
    5,
    [],
    {},
    {
        "resourceType": "Immunization",
        "identifier": 5,
        "reasonCode": 5,
        "vaccineCode": [],
        "status": "completed",
    },
    {
        "identifier": {"system": "x"},
        "reasonCode": [5, "x", {"coding": 5}],
        "vaccineCode": {"coding": {"a": 1}},
    },
]
NEW_RULES = [
    "sys-ids-identifier",
    "immunization-vaccine-code",
    "immunization-location",
    "immunization-lot-number",
    "immunization-expiration-date",
    "immunization-routine-timing",
    "reason-code-or-reference",
    "approved-questionnaire",
]


@pytest.mark.parametrize("name", NEW_RULES)
@pytest.mark.parametrize("value", JUNK, ids=lambda v: type(v).__name__)
def test_new_rules_never_raise(name: str, value: Any) -> None:
    library = rules.library(NoServices())
    result = library[name](value, "X", {})
    assert isinstance(result, list)
    assert all(isinstance(where, str) and isinstance(message, str) for where, message in result)
