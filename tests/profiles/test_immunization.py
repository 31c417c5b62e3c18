"""ilp-immunization: one invalid example per rule (KFA + VG + CVX, RuleNumbers 10103–10307, 10450–10456)."""

from __future__ import annotations

import pytest

from profiles.validator import Validator
from tests.profiles.helpers import DROP, Case, case, check

PROFILE = "ilp-immunization"
GIVEN = "valid-pentabio-diberikan.json"  # vaccineCode.coding: [0] KFA product, [1] VG45, [2] CVX
RECALLED = "valid-bcg-riwayat-ingatan.json"  # vaccineCode.coding: [0] VG19, [1] CVX; reportOrigin recall
CVX = "http://hl7.org/fhir/sid/cvx"
REASON = "http://terminology.kemkes.go.id/CodeSystem/immunization-reason"
TIMING = "http://terminology.kemkes.go.id/CodeSystem/immunization-routine-timing"
V = "Immunization.vaccineCode.coding"

DEFAULT_EXAMPLE = GIVEN

CASES: list[Case] = [
    case(
        "Immunization.status:min",
        {"status": DROP},
        ("ILP-4101", "Immunization.status", None),
        ("ILP-4001", "Immunization.status", None),
    ),
    case(
        "Immunization.vaccineCode.coding:kfa:min",
        {"vaccineCode.coding[1]": DROP, "vaccineCode.coding[0]": DROP},
        ("ILP-4105", V, 10103),
    ),
    case(
        "Immunization.vaccineCode.coding:kfa.code:min",
        {"vaccineCode.coding[1].code": DROP},
        ("ILP-4101", f"{V}[1].code", None),
        ("ILP-4333", V, 10103),  # and the VG group is then missing
    ),
    case("Immunization.vaccineCode.coding:cvx:min", {"vaccineCode.coding[2]": DROP}, ("ILP-4105", V, 10103)),
    case(
        "Immunization.vaccineCode.coding:cvx:max",
        {"vaccineCode.coding[+]": {"system": CVX, "code": "102", "display": "DTP-Hib-Hep B"}},
        ("ILP-4105", f"{V}[3]", 10103),
    ),
    case(
        "Immunization.vaccineCode.coding:cvx.code:min",
        {"vaccineCode.coding[2].code": DROP},
        ("ILP-4101", f"{V}[2].code", None),
    ),
    # Immunization.patient is 1..1 in R4 and required by the schema: the structure stage reports it too
    case(
        "Immunization.patient:min",
        {"patient": DROP},
        ("ILP-4001", "Immunization.patient", None),
        ("ILP-4101", "Immunization.patient", 10155),
    ),
    case(
        "Immunization.patient:target",
        {"patient.reference": "Group/b5a1c2d3-e4f5-4a6b-8c7d-8e9f0a1b2c3d"},
        ("ILP-4108", "Immunization.patient.reference", 10155),
    ),
    case("Immunization.encounter:min", {"encounter": DROP}, ("ILP-4101", "Immunization.encounter", 10293)),
    case(
        "Immunization.encounter:target",
        {"encounter.reference": "EpisodeOfCare/1a2b3c4d"},
        ("ILP-4108", "Immunization.encounter.reference", 10293),
    ),
    case(
        "Immunization.occurrence[x]:min",
        {"occurrenceDateTime": DROP},
        ("ILP-4101", "Immunization.occurrence[x]", 10156),
        ("ILP-4001", "Immunization.occurrence", None),
    ),
    case("Immunization.recorded:min", {"recorded": DROP}, ("ILP-4101", "Immunization.recorded", 10451)),
    case(
        "Immunization.primarySource:min",
        {"primarySource": DROP},
        ("ILP-4101", "Immunization.primarySource", 10292),
    ),
    case("Immunization.performer:min", {"performer": DROP}, ("ILP-4101", "Immunization.performer", 10294)),
    # performer.actor is 1..1 in R4 and required by the schema: the structure stage reports it too
    case(
        "Immunization.performer.actor:min",
        {"performer[0].actor": DROP},
        ("ILP-4001", "Immunization.performer[0].actor", None),
        ("ILP-4101", "Immunization.performer[0].actor", 10294),
    ),
    case("Immunization.reasonCode:min", {"reasonCode": DROP}, ("ILP-4101", "Immunization.reasonCode", None)),
    case(
        "Immunization.reasonCode.coding:reason:min",
        {"reasonCode[0].coding[0]": DROP},
        ("ILP-4105", "Immunization.reasonCode[0].coding", None),
    ),
    case(
        "Immunization.reasonCode.coding:reason:max",
        {"reasonCode[0].coding[+]": {"system": REASON, "code": "IM-Program"}},
        ("ILP-4105", "Immunization.reasonCode[0].coding[2]", None),
    ),
    case(
        "Immunization.reasonCode.coding:reason.code:min",
        {"reasonCode[0].coding[0].code": DROP},
        ("ILP-4101", "Immunization.reasonCode[0].coding[0].code", None),
    ),
    case(
        "Immunization.reasonCode.coding:routineTiming:max",
        {"reasonCode[0].coding[+]": {"system": TIMING, "code": "IM-Kejar"}},
        ("ILP-4105", "Immunization.reasonCode[0].coding[2]", None),
    ),
    case(
        "Immunization.reasonCode.coding:routineTiming.code:min",
        {"reasonCode[0].coding[1].code": DROP},
        ("ILP-4101", "Immunization.reasonCode[0].coding[1].code", None),
    ),
    case(
        "Immunization.protocolApplied:min",
        {"protocolApplied": DROP},
        ("ILP-4101", "Immunization.protocolApplied", 10450),
    ),
    case(
        "Immunization.protocolApplied.doseNumber[x]:min",
        {"protocolApplied[0]": {"series": "Imunisasi Dasar"}},
        ("ILP-4101", "Immunization.protocolApplied[0].doseNumber[x]", 10456),
        ("ILP-4001", "Immunization.protocolApplied[0].doseNumber", None),
    ),
    case(
        "Immunization.protocolApplied.doseNumber[x]:type",
        {"protocolApplied[0]": {"doseNumberString": "1"}},
        ("ILP-4107", "Immunization.protocolApplied[0].doseNumberString", 10456),
    ),
    # invariants
    case("ilp-imm-1", {"vaccineCode.coding[0]": DROP}, ("ILP-4333", V, 10103)),
    case("ilp-imm-2", {"location": DROP}, ("ILP-4334", "Immunization.location", 10305)),
    case("ilp-imm-3", {"lotNumber": DROP}, ("ILP-4335", "Immunization.lotNumber", 10306)),
    case("ilp-imm-4", {"expirationDate": DROP}, ("ILP-4336", "Immunization.expirationDate", 10307)),
    case("ilp-imm-5", {"reasonCode[0].coding[1]": DROP}, ("ILP-4337", "Immunization.reasonCode[0]", None)),
    case(
        "ilp-imm-6",
        {"occurrenceDateTime": "2025-07-09T09:30:00+07:00"},
        ("ILP-4321", "Immunization.occurrenceDateTime", None),
    ),
    case("ilp-imm-7", {"recorded": "2025-07-09T11:35:00+09:00"}, ("ILP-4321", "Immunization.recorded", None)),
]


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.id)
def test_invalid(validator: Validator, c: Case) -> None:
    check(validator, PROFILE, c, GIVEN)


@pytest.mark.parametrize(
    ("name", "edits", "expect"),
    [
        ("vaccine group missing", {"vaccineCode.coding[1]": DROP}, [("ILP-4333", V, 10103)]),
        ("product code malformed", {"vaccineCode.coding[0].code": "9300128"}, [("ILP-4333", V, 10103)]),
        (
            "both missing from the KFA codings",
            {"vaccineCode.coding[1].code": "X1", "vaccineCode.coding[0].code": "X2"},
            [("ILP-4333", V, 10103), ("ILP-4333", V, 10103)],
        ),
    ],
)
def test_vaccine_code_rule_variants(
    validator: Validator, name: str, edits: dict[str, object], expect: list[tuple[str, str, int]]
) -> None:
    check(validator, PROFILE, case(name, edits, *expect), GIVEN)


def test_recalled_history_without_product_but_with_group(validator: Validator) -> None:
    check(validator, PROFILE, case("ok", {}), RECALLED)
    check(
        validator,
        PROFILE,
        case("ilp-imm-1", {"vaccineCode.coding[0]": DROP}, ("ILP-4105", V, 10103)),
        RECALLED,
    )
    c = case("ilp-imm-1", {"vaccineCode.coding[0].code": "93005208"}, ("ILP-4333", V, 10103))
    check(validator, PROFILE, c, RECALLED)  # the product alone is not enough: the VG group is required


def test_written_history_needs_the_product(validator: Validator) -> None:
    edits = {"reportOrigin.coding[0].code": "record"}
    check(validator, PROFILE, case("ilp-imm-1", edits, ("ILP-4333", V, 10103)), RECALLED)


def test_lot_and_expiry_only_when_given_by_a_health_worker(validator: Validator) -> None:
    check(
        validator, PROFILE, case("ok", {}), RECALLED
    )  # no lotNumber, no expirationDate, primarySource false
    edits = {"primarySource": True, "reportOrigin": DROP, "vaccineCode.coding[0].code": "93005208"}
    c = case(
        "given",
        {**edits, "vaccineCode.coding[+]": {"system": "http://sys-ids.kemkes.go.id/kfa", "code": "VG19"}},
        ("ILP-4335", "Immunization.lotNumber", 10306),
        ("ILP-4336", "Immunization.expirationDate", 10307),
    )
    check(validator, PROFILE, c, RECALLED)


def test_location_only_when_completed(validator: Validator) -> None:
    edits = {"status": "not-done", "location": DROP, "statusReason": {"coding": [{"code": "PATOBJ"}]}}
    check(validator, PROFILE, case("not done", edits), GIVEN)


@pytest.mark.parametrize("code", ["IM-Rutin", "IM-Dasar", "IM-Lanjutan", "IM-Baduta", "IM-SD", "IM-WUS"])
def test_routine_reasons_need_timing(validator: Validator, code: str) -> None:
    edits = {"reasonCode[0].coding[0].code": code, "reasonCode[0].coding[1]": DROP}
    check(validator, PROFILE, case(code, edits, ("ILP-4337", "Immunization.reasonCode[0]", None)), GIVEN)


@pytest.mark.parametrize("code", ["IM-Program", "IM-Tambahan", "IM-Khusus", "IM-Pilihan"])
def test_other_reasons_need_no_timing(validator: Validator, code: str) -> None:
    edits = {"reasonCode[0].coding[0].code": code, "reasonCode[0].coding[1]": DROP}
    check(validator, PROFILE, case(code, edits), GIVEN)
