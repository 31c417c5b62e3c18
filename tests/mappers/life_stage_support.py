"""Shared helpers of the life-stage mapper tests (posyandu-ibu-hamil, posyandu-remaja,
posyandu-dewasa-lansia, puskesmas-kunjungan): valid records, NIKs, running the pipeline, golden files and
hypothesis strategies of contract-valid records.

Visits are before the validator clock of ``tests/mappers/conftest.py`` (2024-06-01), so no event time is
in the future. NIKs are built to agree with the birth date and sex (+40 on the day for women) and carry
the district of a real Kemendagri village code.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import orjson
from hypothesis import strategies as st

from mappers.base import MappingContext, MapResult
from mappers.pipeline import map_records
from mappers.reader import detect_format, read_records, rows_from_records
from mappers.registry import MapperRegistry
from profiles.validator import Validator

GOLDEN = Path(__file__).parent / "golden"
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
ORG = "100011961"
LOCATION = "posyandu-melati-01"
OFFICER_NIK = "3507014101850003"
# real village codes in the three time zones: WIB (Jakarta Pusat, Kab. Malang), WITA (Denpasar,
# Makassar), WIT (Jayapura, Maluku Tengah)
DESA = ("3171011001", "3507012001", "5171011001", "7371011001", "9171011001", "8101012001")


def nik(desa_code: str, born: date, female: bool, serial: int = 1) -> str:
    """A NIK that agrees with the birth date and sex, registered in ``desa_code``'s district."""
    day = born.day + 40 if female else born.day
    return f"{desa_code[:6]}{day:02d}{born.month:02d}{born.year % 100:02d}{serial:04d}"


def apply(record: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """``changes`` set fields; a value of None removes the field."""
    for key, value in changes.items():
        if value is None:
            record.pop(key, None)
        else:
            record[key] = value
    return record


def visit(record_id: str, when: str = "2024-03-12T09:10", desa: str = "3507012001") -> dict[str, Any]:
    return {
        "record_id": record_id,
        "source_system": "kader-app",
        "visit_date": when,
        "facility_org_id": ORG,
        "location_id": LOCATION,
        "officer_nik": OFFICER_NIK,
        "officer_name": "Bidan Sari Wulandari",
        "desa_code": desa,
    }


def ibu_hamil_record(**changes: Any) -> dict[str, Any]:
    """A valid posyandu-ibu-hamil record: K3 at 24 weeks, KEK, hypertension, mild anaemia, Td2."""
    record = {
        **visit("ANC-0001"),
        "nik": nik("3507012001", date(1997, 3, 12), True),
        "name": "Siti Aminah",
        "sex": "P",
        "birth_date": "1997-03-12",
        "rt": "3",
        "rw": "2",
        "gestational_age_weeks": 24,
        "anc_visit_number": 3,
        "weight_kg": 58.5,
        "height_cm": 152,
        "muac_cm": 22.8,
        "systolic": 145,
        "diastolic": 85,
        "hb_g_dl": 10.4,
        "fundal_height_cm": 23,
        "td_dose": 2,
        "td_lot_number": "TD2311A",
        "td_expiry_date": "2025-01-31",
        "iron_tablets_given": 30,
        "danger_signs": ["bengkak kaki"],
        "referral_reason": "Periksa dokter: tekanan darah tinggi",
    }
    return apply(record, changes)


def remaja_record(**changes: Any) -> dict[str, Any]:
    """A valid posyandu-remaja record: a girl of 13 with a high blood pressure and Hb 11.2 (anaemia)."""
    record = {
        **visit("REM-0001", "2024-03-12T10:00"),
        "nik": nik("3507012001", date(2010, 6, 5), True),
        "name": "Dewi Lestari",
        "sex": "P",
        "birth_date": "2010-06-05",
        "weight_kg": 41.2,
        "height_cm": 150.5,
        "waist_cm": 66,
        "systolic": 142,
        "diastolic": 92,
        "hb_g_dl": 11.2,
        "iron_tablets_given": 4,
        "smoking": False,
        "sdq_score": 12,
    }
    return apply(record, changes)


def dewasa_record(**changes: Any) -> dict[str, Any]:
    """A valid posyandu-dewasa-lansia record: a man of 58, obese, hypertensive, GDS 210, SRQ-20 7,
    presumptive TB."""
    record = {
        **visit("PTM-0001", "2024-03-12T10:30"),
        "nik": nik("3507012001", date(1965, 8, 12), False),
        "name": "Budi Santoso",
        "sex": "L",
        "birth_date": "1965-08-12",
        "weight_kg": 78,
        "height_cm": 165,
        "waist_cm": 96,
        "systolic": 150,
        "diastolic": 95,
        "glucose_mg_dl": 210,
        "glucose_type": "sewaktu",
        "cholesterol_mg_dl": 215,
        "smoking": True,
        "srq20_score": 7,
        "puma_score": 5,
        "adl_score": 20,
        "tb_symptoms": {"cough_2_weeks": True, "fever": False, "weight_loss": False, "night_sweats": True},
    }
    return apply(record, changes)


def puskesmas_record(**changes: Any) -> dict[str, Any]:
    """A valid puskesmas-kunjungan record: hypertension and type 2 diabetes, one prescription, two labs."""
    record = {
        "record_id": "SIMPUS-0001",
        "source_system": "simpus-kota",
        "desa_code": "3507012001",
        "encounter_id": "REG-20240312-0031",
        "patient_nik": nik("3507012001", date(1965, 8, 12), False),
        "patient_name": "Budi Santoso",
        "sex": "L",
        "birth_date": "1965-08-12",
        "practitioner_nik": "3507015004800003",
        "practitioner_name": "dr. Rina Hartati",
        "org_id": ORG,
        "location_id": "ruang-pemeriksaan-umum",
        "arrived_at": "2024-03-12T08:05",
        "in_progress_at": "2024-03-12T08:20",
        "finished_at": "2024-03-12T08:45",
        "diagnoses": [{"icd10": "I10", "rank": 1}, {"icd10": "E11.9", "rank": 2}],
        "procedures": [{"icd9cm": "89.7"}],
        "vitals": {
            "systolic": 160,
            "diastolic": 100,
            "heart_rate": 88,
            "resp_rate": 18,
            "temperature_c": 36.7,
            "weight_kg": 78,
            "height_cm": 165,
        },
        "prescriptions": [
            {
                "kfa_code": "93000418",
                "name": "Amlodipine 10 mg Tablet",
                "dose": "1 tablet",
                "frequency": 1,
                "days": 30,
                "quantity": 30,
                "quantity_unit": "tablet",
            }
        ],
        "labs": [
            {"loinc": "2345-7", "value": 182, "unit": "mg/dL", "fasting": True},
            {"loinc": "5804-0", "value": "negatif"},
        ],
        "referral": {"to_org_id": "100000003", "reason": "Hipertensi tidak terkontrol"},
    }
    return apply(record, changes)


RECORDS: dict[str, Callable[..., dict[str, Any]]] = {
    "posyandu-ibu-hamil": ibu_hamil_record,
    "posyandu-remaja": remaja_record,
    "posyandu-dewasa-lansia": dewasa_record,
    "puskesmas-kunjungan": puskesmas_record,
}


# ------------------------------------------------------------------------------------------ running
def run(
    record_type: str,
    records: list[dict[str, Any]],
    mctx: MappingContext,
    registry: MapperRegistry,
    validator: Validator | None = None,
) -> list[MapResult]:
    return list(map_records(record_type, rows_from_records(records), mctx, registry, validator=validator))


def one(
    record_type: str,
    record: dict[str, Any],
    mctx: MappingContext,
    registry: MapperRegistry,
    validator: Validator | None = None,
) -> MapResult:
    [result] = run(record_type, [record], mctx, registry, validator)
    return result


def resources(result: MapResult, rtype: str | None = None) -> list[dict[str, Any]]:
    assert result.bundle is not None, result.issues
    return [e["resource"] for e in result.bundle["entry"] if rtype in (None, e["resource"]["resourceType"])]


def observations(result: MapResult) -> dict[str, dict[str, Any]]:
    """Observations by role (the last part of their identifier value, ``<record id>:<role>``)."""
    return {r["identifier"][0]["value"].split(":", 1)[1]: r for r in resources(result, "Observation")}


def interpretation(resource: dict[str, Any]) -> tuple[str, ...]:
    """The interpretation codes of an Observation (empty when none)."""
    return tuple(c["code"] for i in resource.get("interpretation", []) for c in i["coding"])


def ids(result: MapResult) -> list[str]:
    assert result.bundle is not None, result.issues
    return [e["fullUrl"] for e in result.bundle["entry"]]


def errors(result: MapResult) -> list[tuple[str, str, str]]:
    return [(i.message_id, i.field, i.message) for i in result.issues if i.severity == "error"]


# -------------------------------------------------------------------------------------------- golden
def normalise(value: Any) -> Any:
    """uuid5 ids → ``<id-N>`` in order of first appearance."""
    text = orjson.dumps(value).decode()
    seen: dict[str, str] = {}
    return orjson.loads(UUID.sub(lambda m: seen.setdefault(m.group(0), f"<id-{len(seen) + 1}>"), text))


def golden_sources(record_type: str) -> list[Path]:
    return sorted(p for p in (GOLDEN / record_type).iterdir() if ".source." in p.name)


def check_golden(
    record_type: str, source: Path, mctx: MappingContext, registry: MapperRegistry, validator: Validator
) -> None:
    """Map ``source`` (with validation) and compare with ``NAME.expected.json``; ``ILP_UPDATE_GOLDEN=1``
    rewrites the expected file (review the diff)."""
    rows = read_records(source.read_bytes(), detect_format(None, source.name), registry.contract(record_type))
    actual = [
        {
            "row": r.row,
            "record_id": r.record_id,
            "status": "mapped" if r.ok else "failed",
            "issues": [[i.severity, i.message_id, i.field, i.message] for i in r.issues],
            "bundle": normalise(r.bundle),
        }
        for r in map_records(record_type, rows, mctx, registry, validator=validator)
    ]
    expected = source.with_name(source.name.split(".source.")[0] + ".expected.json")
    if os.environ.get("ILP_UPDATE_GOLDEN"):
        expected.write_bytes(orjson.dumps(actual, option=orjson.OPT_INDENT_2) + b"\n")
    assert actual == orjson.loads(expected.read_bytes())


# ---------------------------------------------------------------------------------------- hypothesis
def _decimal(low: float, high: float) -> st.SearchStrategy[float]:
    """A value with one decimal, as measured at a Posyandu."""
    return st.integers(int(low * 10), int(high * 10)).map(lambda x: x / 10)


@st.composite
def _visit(draw: st.DrawFn, prefix: str) -> dict[str, Any]:
    day = draw(st.dates(date(2023, 1, 1), date(2024, 5, 30)))
    hour, minute = draw(st.integers(7, 15)), draw(st.integers(0, 59))
    when = draw(st.sampled_from([day.isoformat(), f"{day.isoformat()}T{hour:02d}:{minute:02d}"]))
    return {
        **visit(f"{prefix}-{draw(st.integers(1, 10**6))}", when, draw(st.sampled_from(DESA))),
        "source_system": draw(st.sampled_from(["kader-app", "ASIK", "simpus"])),
    }


@st.composite
def _person(
    draw: st.DrawFn, desa: str, visit_day: date, years: tuple[int, int], sex: str | None = None
) -> dict[str, Any]:
    sex = sex or draw(st.sampled_from(["L", "P"]))
    low = visit_day - timedelta(days=365 * years[1] + 300)
    born = draw(st.dates(max(low, date(1901, 1, 1)), visit_day - timedelta(days=366 * years[0])))
    person = {
        "nik": nik(desa, born, sex == "P", draw(st.integers(1, 9999))),
        "name": draw(st.sampled_from(["Siti", "Budi Santoso", "Ni Luh Putu Ayu", "Yohanes Wenda"])),
        "sex": sex,
        "birth_date": born.isoformat(),
    }
    extras = {"rt": st.from_regex(r"^[0-9]{1,3}$", fullmatch=True), "phone": st.just("081234567890")}
    for key, strategy in extras.items():
        if draw(st.booleans()):
            person[key] = draw(strategy)
    return person


def _optional(draw: st.DrawFn, record: dict[str, Any], fields: dict[str, st.SearchStrategy[Any]]) -> None:
    for key, strategy in fields.items():
        if draw(st.booleans()):
            record[key] = draw(strategy)


def _pressure(draw: st.DrawFn) -> tuple[int, int]:
    systolic = draw(st.integers(70, 260))
    return systolic, draw(st.integers(30, min(systolic - 1, 200)))


@st.composite
def ibu_hamil_records(draw: st.DrawFn) -> dict[str, Any]:
    record = draw(_visit("ANC"))
    day = date.fromisoformat(record["visit_date"][:10])
    record |= draw(_person(record["desa_code"], day, (15, 49), "P"))
    systolic, diastolic = _pressure(draw)
    record |= {
        "gestational_age_weeks": draw(st.integers(1, 45)),
        "anc_visit_number": draw(st.integers(1, 6)),
        "weight_kg": draw(_decimal(25, 250)),
        "muac_cm": draw(_decimal(10, 60)),
        "systolic": systolic,
        "diastolic": diastolic,
    }
    _optional(
        draw,
        record,
        {
            "height_cm": _decimal(100, 220),
            "hb_g_dl": _decimal(2, 25),
            "fundal_height_cm": _decimal(5, 50),
            "iron_tablets_given": st.one_of(st.booleans(), st.integers(0, 200)),
            "danger_signs": st.lists(
                st.sampled_from(["perdarahan", "demam", "bengkak kaki"]), min_size=1, unique=True
            ),
            "referral_reason": st.just("Rujuk ke Puskesmas"),
        },
    )
    if draw(st.booleans()):
        record |= {
            "td_dose": draw(st.integers(1, 5)),
            "td_lot_number": "TD-1",
            "td_expiry_date": draw(st.dates(date(2023, 1, 1), date(2026, 12, 31))).isoformat(),
            "td_kfa_code": draw(st.sampled_from(["93014731", "93006988", "93006989"])),
            "td_catch_up": draw(st.booleans()),
        }
    return record


@st.composite
def remaja_records(draw: st.DrawFn) -> dict[str, Any]:
    record = draw(_visit("REM"))
    day = date.fromisoformat(record["visit_date"][:10])
    record |= draw(_person(record["desa_code"], day, (5, 24)))
    record |= {"weight_kg": draw(_decimal(10, 200)), "height_cm": draw(_decimal(80, 220))}
    if draw(st.booleans()):
        record["systolic"], record["diastolic"] = _pressure(draw)
    _optional(
        draw,
        record,
        {
            "waist_cm": _decimal(30, 200),
            "hb_g_dl": _decimal(2, 25),
            "iron_tablets_given": st.one_of(st.booleans(), st.integers(0, 200)),
            "smoking": st.booleans(),
            "sdq_score": st.integers(0, 40),
            "referral_reason": st.just("Konseling"),
        },
    )
    return record


@st.composite
def dewasa_records(draw: st.DrawFn) -> dict[str, Any]:
    record = draw(_visit("PTM"))
    day = date.fromisoformat(record["visit_date"][:10])
    record |= draw(_person(record["desa_code"], day, (18, 100)))
    systolic, diastolic = _pressure(draw)
    record |= {
        "weight_kg": draw(_decimal(20, 300)),
        "height_cm": draw(_decimal(100, 220)),
        "waist_cm": draw(_decimal(40, 250)),
        "systolic": systolic,
        "diastolic": diastolic,
    }
    if draw(st.booleans()):
        record |= {
            "glucose_mg_dl": draw(st.integers(10, 1000)),
            "glucose_type": draw(st.sampled_from(["sewaktu", "puasa"])),
        }
        if draw(st.booleans()):
            record["glucose_specimen"] = draw(st.sampled_from(["kapiler", "vena"]))
    symptoms = st.fixed_dictionaries(
        {"cough_2_weeks": st.booleans()},
        optional={"fever": st.booleans(), "weight_loss": st.booleans(), "night_sweats": st.booleans()},
    )
    _optional(
        draw,
        record,
        {
            "cholesterol_mg_dl": st.integers(50, 1000),
            "smoking": st.booleans(),
            "srq20_score": st.integers(0, 20),
            "puma_score": st.integers(0, 9),
            "adl_score": st.integers(0, 20),
            "tb_symptoms": symptoms,
            "referral_reason": st.just("Kontrol tekanan darah"),
        },
    )
    return record


@st.composite
def puskesmas_records(draw: st.DrawFn) -> dict[str, Any]:
    base = draw(_visit("SIMPUS"))
    desa = base["desa_code"]
    day = draw(st.dates(date(2023, 1, 1), date(2024, 5, 30)))
    person = draw(_person(desa, day, (0, 90)))
    start = draw(st.integers(7 * 60, 14 * 60))
    waits = draw(st.lists(st.integers(0, 90), min_size=2, max_size=2))
    times = [start, start + waits[0], start + waits[0] + waits[1] + 1]
    record: dict[str, Any] = {
        "record_id": base["record_id"],
        "source_system": base["source_system"],
        "desa_code": desa,
        "encounter_id": f"REG-{draw(st.integers(1, 9999))}",
        "patient_nik": person["nik"],
        "patient_name": person["name"],
        "sex": person["sex"],
        "birth_date": person["birth_date"],
        "practitioner_nik": OFFICER_NIK,
        "practitioner_name": "dr. Rina",
        "org_id": ORG,
        "location_id": "ruang-umum",
        **{
            name: f"{day.isoformat()}T{t // 60:02d}:{t % 60:02d}"
            for name, t in zip(("arrived_at", "in_progress_at", "finished_at"), times, strict=True)
        },
    }
    vitals = st.fixed_dictionaries(
        {},
        optional={
            "heart_rate": st.integers(20, 300),
            "resp_rate": st.integers(4, 100),
            "temperature_c": _decimal(30, 45),
            "weight_kg": _decimal(0.5, 300),
            "height_cm": _decimal(30, 250),
        },
    ).filter(bool)
    lab = st.one_of(
        st.builds(lambda v: {"loinc": "718-7", "value": v, "unit": "g/dL"}, _decimal(2, 25)),
        st.builds(
            lambda v, f: {"loinc": "2345-7", "value": v, "unit": "mg/dL", "fasting": f},
            st.integers(10, 900),
            st.booleans(),
        ),
        st.builds(lambda v: {"loinc": "2093-3", "value": v, "unit": "mmol/L"}, _decimal(1, 20)),
        st.just({"loinc": "5804-0", "value": "negatif"}),
    )
    prescription = st.fixed_dictionaries(
        {
            "kfa_code": st.from_regex(r"^9[23][0-9]{6}$", fullmatch=True),
            "name": st.just("Paracetamol 500 mg Tablet"),
            "dose": st.just("1 tablet"),
            "frequency": st.integers(1, 24),
            "days": st.integers(1, 365),
            "quantity": st.integers(1, 10000),
        },
        optional={"quantity_unit": st.just("tablet")},
    )
    _optional(
        draw,
        record,
        {
            "class": st.sampled_from(["AMB", "EMER", "IMP", "HH", "VR"]),
            "diagnoses": st.lists(
                st.sampled_from(["I10", "E11.9", "J06.9", "A09", "K30"]), min_size=1, unique=True
            ).map(lambda codes: [{"icd10": c, "rank": i + 1} for i, c in enumerate(codes)]),
            "procedures": st.lists(
                st.sampled_from(["89.7", "99.29", "23.01", "86.59"]), min_size=1, unique=True
            ).map(lambda codes: [{"icd9cm": c} for c in codes]),
            "vitals": vitals,
            "labs": st.lists(lab, min_size=1, max_size=4),
            "prescriptions": st.lists(prescription, min_size=1, max_size=3),
            "referral": st.just({"to_org_id": "100000003", "reason": "Rujuk"}),
            "pregnant": st.just(person["sex"] == "P"),
        },
    )
    if "vitals" in record and draw(st.booleans()):
        record["vitals"]["systolic"], record["vitals"]["diastolic"] = _pressure(draw)
    return record


STRATEGIES: dict[str, st.SearchStrategy[dict[str, Any]]] = {
    "posyandu-ibu-hamil": ibu_hamil_records(),
    "posyandu-remaja": remaja_records(),
    "posyandu-dewasa-lansia": dewasa_records(),
    "puskesmas-kunjungan": puskesmas_records(),
}


# ------------------------------------------------------------------------------------------ properties
PROFILE_PREFIX = "https://ilp-gateway.example.id/fhir/StructureDefinition/ilp-"


def check_valid_record(
    record_type: str,
    record: dict[str, Any],
    mctx: MappingContext,
    registry: MapperRegistry,
    validator: Validator,
) -> None:
    """A contract-valid record maps to a Bundle with zero validation errors, every resource on its ILP
    profile; mapping it again gives the identical Bundle (same ids)."""
    assert registry.contract(record_type).check(record, 1) == [], "the strategy made an invalid record"
    first = one(record_type, record, mctx, registry, validator)
    assert first.ok, first.issues
    assert [i for i in first.issues if i.severity == "error"] == []
    assert all(r["meta"]["profile"][0].startswith(PROFILE_PREFIX) for r in resources(first))
    again = one(record_type, orjson.loads(orjson.dumps(record)), mctx, registry)
    assert again.bundle == first.bundle
