"""Write the project's StructureDefinitions into profiles/data/ilp (run: python tools/write_profiles.py).

Each profile mirrors a SATUSEHAT profile (named in its ``satusehat-profile`` extension and description) with
the rules of the domain notes; RuleNumbers are added only where the notes tie a number to an element.
Rules the notes mark unconfirmed are implemented as documented and say so in the description.
"""

from __future__ import annotations

from sd import SATUSEHAT, constraint, el, sd, write

NIK = "https://fhir.kemkes.go.id/id/nik"
NIK_IBU = "https://fhir.kemkes.go.id/id/nik-ibu"
IHS = "https://fhir.kemkes.go.id/id/ihs-number"
ADMIN_CODE = SATUSEHAT + "administrativeCode"
BIRTH_PLACE = SATUSEHAT + "birthPlace"
CITIZENSHIP = SATUSEHAT + "citizenshipStatus"
BY_URL = {"discriminator": [{"type": "value", "path": "url"}], "rules": "open"}
BY_SYSTEM = {"discriminator": [{"type": "value", "path": "system"}], "rules": "open"}


def utc(key: str, rule_number: int) -> dict[str, object]:
    return constraint(
        key,
        "Times are sent in UTC (+00:00); convert WIB −7, WITA −8, WIT −9 h",
        "$this.toString().endsWith('+00:00')",
        "utc",
        message_id="ILP-4321",
        rule_number=rule_number,
    )


def ext_type(url: str) -> list[dict[str, object]]:
    return [{"code": "Extension", "profile": [url]}]


def ref(*types: str) -> list[dict[str, object]]:
    return [
        {
            "code": "Reference",
            "targetProfile": [f"http://hl7.org/fhir/StructureDefinition/{t}" for t in types],
        }
    ]


def extensions() -> None:
    parts = ["province", "city", "district", "village", "rt", "rw"]
    elements = [el("Extension.extension", slicing={**BY_URL, "rules": "closed"}, min=1)]
    for name in parts:
        elements += [
            el("Extension.extension", sliceName=name, min=0, max="1"),
            el(f"Extension.extension:{name}.url", fixedUri=name),
            el(f"Extension.extension:{name}.value[x]", min=1, type=[{"code": "code"}]),
        ]
    elements += [
        el("Extension.url", fixedUri=ADMIN_CODE),
        el("Extension.value[x]", max="0"),
    ]
    doc = sd(
        "administrativeCode",
        "Extension",
        "Administrative code (Kemendagri region codes)",
        "SATUSEHAT's address extension: Kemendagri codes without dots (province 2, city 4, district 6, village 10 "
        "digits) plus RT/RW. Canonical as used in production by SATUSEHAT integrations (domain notes §2.2); the "
        "draft ID Core IG's AddressExtension is not used.",
        elements,
        url=ADMIN_CODE,
        kind="complex-type",
        context=["Address"],
    )
    doc["differential"]["element"][0]["constraint"] = [
        constraint(
            "ilp-adm-1",
            "Region codes have the right length, exist in the Kemendagri table and nest",
            "extension.all(value.exists())",
            "administrative-code",
            message_id="ILP-4311",
        )
    ]
    write(doc)
    write(
        sd(
            "birthPlace",
            "Extension",
            "Birth place",
            "SATUSEHAT's Patient birth place (valueAddress).",
            [
                el("Extension.url", fixedUri=BIRTH_PLACE),
                el("Extension.value[x]", min=1, type=[{"code": "Address"}]),
            ],
            url=BIRTH_PLACE,
            kind="complex-type",
            context=["Patient"],
        )
    )
    write(
        sd(
            "citizenshipStatus",
            "Extension",
            "Citizenship status",
            "SATUSEHAT's citizenship status (valueCode, e.g. WNI / WNA). (!) The code list is not published; "
            "no binding is applied.",
            [
                el("Extension.url", fixedUri=CITIZENSHIP),
                el("Extension.value[x]", min=1, type=[{"code": "code"}]),
            ],
            url=CITIZENSHIP,
            kind="complex-type",
            context=["Patient"],
        )
    )


def patient() -> None:
    root = el("Patient")
    elements = [
        el("Patient.identifier", min=1, slicing=BY_SYSTEM),
        el("Patient.identifier", sliceName="nik", min=0, max="1"),
        el("Patient.identifier:nik.system", min=1, fixedUri=NIK),
        el("Patient.identifier:nik.value", min=1),
        el("Patient.identifier", sliceName="nik-ibu", min=0, max="1"),
        el("Patient.identifier:nik-ibu.system", min=1, fixedUri=NIK_IBU),
        el("Patient.identifier:nik-ibu.value", min=1),
        el("Patient.identifier", sliceName="ihs", min=0, max="1"),
        el("Patient.identifier:ihs.system", min=1, fixedUri=IHS),
        el("Patient.name", min=1),
        el("Patient.name.text", min=1),
        el("Patient.gender", min=1),
        el("Patient.birthDate", min=1),
        el("Patient.address", min=1),
        el("Patient.address.extension", slicing=BY_URL),
        el(
            "Patient.address.extension",
            sliceName="administrativeCode",
            min=0,
            max="1",
            type=ext_type(ADMIN_CODE),
        ),
        el("Patient.multipleBirth[x]", min=1, type=[{"code": "integer"}]),
        el("Patient.extension", slicing=BY_URL),
        el("Patient.extension", sliceName="birthPlace", min=0, max="1", type=ext_type(BIRTH_PLACE)),
        el("Patient.extension", sliceName="citizenshipStatus", min=0, max="1", type=ext_type(CITIZENSHIP)),
    ]
    doc = sd(
        "ilp-patient",
        "Patient",
        "ILP Patient",
        "A person as SATUSEHAT registers them (https://fhir.kemkes.go.id/r4/StructureDefinition/Patient): a NIK "
        "(16 digits whose birth-date part matches birthDate, +40 on the day for women, and whose district prefix "
        "exists) or, for a baby without one, the mother's NIK (nik-ibu) with multipleBirthInteger (0 when single); "
        "name.text, gender, birthDate, address (administrativeCode extension), multipleBirthInteger. "
        "(!) RuleNumbers 10166–10168, 10333, 10397, 10413 cover these elements but the notes do not say which is "
        "which, so none is attached.",
        elements,
        satusehat=SATUSEHAT + "Patient",
    )
    doc["differential"]["element"][0] = root | {
        "constraint": [
            constraint(
                "ilp-pat-1",
                "A Patient is identified by a NIK, or by the mother's NIK (nik-ibu)",
                f"identifier.where(system='{NIK}' or system='{NIK_IBU}').exists()",
                "nik-or-nik-ibu",
                message_id="ILP-4312",
            ),
            constraint(
                "ilp-pat-2",
                "The NIK is 16 digits with a valid birth date matching birthDate (+40 for women) "
                "and an existing district",
                "identifier.where(system='" + NIK + "').value.matches('^[0-9]{16}$')",
                "nik",
                message_id="ILP-4313",
            ),
            constraint(
                "ilp-pat-3",
                "A newborn identified by nik-ibu carries multipleBirthInteger",
                f"identifier.where(system='{NIK_IBU}').exists() implies multipleBirth.exists()",
                "newborn",
                message_id="ILP-4314",
            ),
        ]
    }
    write(doc)


def observation() -> None:
    elements = [
        el("Observation.status", min=1),
        el("Observation.category", min=1),
        el("Observation.code", min=1),
        el("Observation.code.coding", min=1),
        el("Observation.subject", min=1, type=ref("Patient"), rule_number=10129),
        el("Observation.encounter", min=1, type=ref("Encounter"), rule_number=10130),
        el("Observation.performer", min=1, type=ref("Practitioner", "Organization"), rule_number=10383),
        el(
            "Observation.effective[x]",
            min=1,
            type=[{"code": "dateTime"}, {"code": "Period"}],
            constraint=[utc("ilp-obs-2", 10295)],
        ),
        el("Observation.issued", constraint=[utc("ilp-obs-3", 10296)]),
        el("Observation.valueQuantity.system", fixedUri="http://unitsofmeasure.org", rule_number=10012),
        el("Observation.valueQuantity.code", min=1),
    ]
    doc = sd(
        "ilp-observation",
        "Observation",
        "ILP Observation (vital signs and anthropometry)",
        "A measurement as SATUSEHAT accepts it (Observation resource page): status, category, LOINC code, subject "
        "Patient (10129), encounter (10130), performer Practitioner (10383), effectiveDateTime in UTC (10295), "
        "issued in UTC (10296), UCUM valueQuantity (10012) with a unit allowed for the code. (!) SATUSEHAT has "
        "published no anthropometry LOINC list; the codes of the domain notes §2.4 are used.",
        elements,
        satusehat=SATUSEHAT + "Observation",
    )
    doc["differential"]["element"][0]["constraint"] = [
        constraint(
            "ilp-obs-1",
            "The UCUM unit is one allowed for the Observation code",
            "valueQuantity.exists() implies valueQuantity.code.exists()",
            "quantity-unit",
            message_id="ILP-4322",
            rule_number=10012,
        ),
    ]
    write(doc)


if __name__ == "__main__":
    extensions()
    patient()
    observation()
