"""Person → Patient, as SATUSEHAT registers one (Patient resource page; newborns:
master-patient-index/pasien-bayi; domain notes §1.3, §2.1, §2.2, §3.1).

* identifier: the NIK (``https://fhir.kemkes.go.id/id/nik``) or, for a baby without one, the mother's NIK
  (``…/id/nik-ibu``) with ``multipleBirthInteger`` = birth order (0 when not a multiple birth);
* ``name.text``, ``gender`` (L → male, P → female), ``birthDate``, ``multipleBirthInteger`` (required by
  the Kamus Validasi Patient rules 10166–10168, 10333, 10397, 10413);
* ``address`` with the ``administrativeCode`` extension (province/city/district/village from the
  10-digit Kemendagri village code, plus rt/rw), ``birthPlace`` (valueAddress.city), ``telecom``.

The Patient goes into the transaction as a conditional create (``ifNoneExist``), so an existing Patient is
reused, never duplicated or overwritten: on the NIK (``identifier=…/nik|<nik>``), or for a newborn on a
gateway identifier that also tells twins and siblings apart (:data:`NEWBORN`: mother's NIK, birth date and
birth order; the mother's NIK alone matches every baby of hers). Its fullUrl id is
:func:`mappers.ids.person_id` of that identifier, stable across records.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from mappers.bundle import TransactionBuilder
from mappers.ids import person_id
from terminology import urls

# (!) The gateway's own identifier for a baby known only by the mother's NIK; should move to
# terminology/urls.py with the next terminology change.
NEWBORN = urls.NEWBORN_IDENTIFIER
PATIENT_PROFILE = urls.ilp_profile("ilp-patient")
GENDER = {"L": "male", "P": "female"}


@dataclass(frozen=True, slots=True)
class Person:
    name: str
    sex: str  # L | P
    birth_date: str
    desa_code: str
    nik: str | None = None
    mother_nik: str | None = None
    birth_order: int | None = None
    birth_place: str | None = None
    rt: str | None = None
    rw: str | None = None
    phone: str | None = None

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Person:
        """From the shared person fields (common.schema.json#/$defs/person) and ``desa_code``."""
        return cls(
            name=record["name"],
            sex=record["sex"],
            birth_date=record["birth_date"],
            desa_code=record["desa_code"],
            nik=record.get("nik"),
            mother_nik=record.get("mother_nik"),
            birth_order=record.get("birth_order"),
            birth_place=record.get("birth_place"),
            rt=record.get("rt"),
            rw=record.get("rw"),
            phone=record.get("phone"),
        )

    @property
    def newborn(self) -> bool:
        return self.nik is None

    def key(self) -> tuple[str, str]:
        """The identifier the Patient is found by (system, value)."""
        if self.nik is not None:
            return urls.NIK, self.nik
        return NEWBORN, f"{self.mother_nik}.{self.birth_date}.{self.birth_order or 0}"


def administrative_code(desa_code: str, rt: str | None = None, rw: str | None = None) -> dict[str, Any]:
    """The SATUSEHAT ``administrativeCode`` address extension (domain notes §2.2): 2/4/6/10-digit
    Kemendagri codes, then rt and rw when known."""
    parts = [
        ("province", desa_code[:2]),
        ("city", desa_code[:4]),
        ("district", desa_code[:6]),
        ("village", desa_code),
        ("rt", rt),
        ("rw", rw),
    ]
    return {
        "url": urls.ADMINISTRATIVE_CODE,
        "extension": [{"url": k, "valueCode": v} for k, v in parts if v],
    }


def address(desa_code: str, rt: str | None = None, rw: str | None = None) -> dict[str, Any]:
    return {"use": "home", "country": "ID", "extension": [administrative_code(desa_code, rt, rw)]}


def patient_resource(person: Person) -> dict[str, Any]:
    identifiers: list[dict[str, str]] = []
    if person.nik is not None:
        identifiers.append({"use": "official", "system": urls.NIK, "value": person.nik})
    else:
        identifiers.append({"use": "official", "system": urls.NIK_IBU, "value": str(person.mother_nik)})
        system, value = person.key()
        identifiers.append({"use": "secondary", "system": system, "value": value})
    resource: dict[str, Any] = {
        "resourceType": "Patient",
        "meta": {"profile": [PATIENT_PROFILE]},
        "identifier": identifiers,
        "active": True,
        "name": [{"use": "official", "text": person.name}],
        "gender": GENDER[person.sex],
        "birthDate": person.birth_date,
        "multipleBirthInteger": person.birth_order or 0,
        "address": [address(person.desa_code, person.rt, person.rw)],
    }
    if person.phone:
        resource["telecom"] = [{"system": "phone", "value": person.phone, "use": "mobile"}]
    if person.birth_place:
        resource["extension"] = [
            {"url": urls.BIRTH_PLACE, "valueAddress": {"city": person.birth_place, "country": "ID"}}
        ]
    return resource


def add_patient(tx: TransactionBuilder, person: Person, resource: dict[str, Any] | None = None) -> str:
    """Add the Patient as a conditional create; returns the reference (``urn:uuid:…``) to use."""
    system, value = person.key()
    body = resource if resource is not None else patient_resource(person)
    return tx.create_if_none_exist(body, person_id(system, value), f"identifier={system}|{value}")


def birth_date_from_nik(nik: str, before: date) -> date | None:
    """The birth date a NIK encodes (digits 7–12 DDMMYY, +40 on the day for women; Dukcapil, domain notes
    §6), in the latest century that puts it before ``before``; None when it encodes no real date."""
    day, month, year = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    day = day - 40 if day > 40 else day
    for century in (2000, 1900):
        try:
            born = date(century + year, month, day)
        except ValueError:
            return None
        if born < before:
            return born
    return None
