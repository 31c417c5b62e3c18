"""Write the project's StructureDefinitions into profiles/data/ilp (run: python tools/write_profiles.py).

Each profile mirrors a SATUSEHAT profile (named in its ``satusehat-profile`` extension and description) with
the rules of the domain notes; RuleNumbers are added only where the notes tie a number to an element.
Rules the notes mark unconfirmed are implemented as documented and say so in the description.
"""

from __future__ import annotations

from typing import Any

from sd import BASE, SATUSEHAT, constraint, el, sd, write

from terminology import urls

NIK = "https://fhir.kemkes.go.id/id/nik"
NIK_IBU = "https://fhir.kemkes.go.id/id/nik-ibu"
IHS = "https://fhir.kemkes.go.id/id/ihs-number"
ADMIN_CODE = SATUSEHAT + "administrativeCode"
BIRTH_PLACE = SATUSEHAT + "birthPlace"
CITIZENSHIP = SATUSEHAT + "citizenshipStatus"
BY_URL = {"discriminator": [{"type": "value", "path": "url"}], "rules": "open"}
BY_SYSTEM = {"discriminator": [{"type": "value", "path": "system"}], "rules": "open"}


def utc(key: str, rule_number: int | None = None) -> dict[str, object]:
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


# Base elements that are already 1..1 in R4 and that the R4 JSON schema lists as required (complex elements
# such as Encounter.class, Observation.code, *.subject) are reported by the structure stage; a profile repeats
# their min only to attach a SATUSEHAT RuleNumber. Primitive and choice elements (status, intent,
# occurrence[x]) are not required by the schema, so the profiles state their min.

# ------------------------------------------------------------------------------------------ bindings
HL7_VS = "http://hl7.org/fhir/ValueSet/"
# The Kemkes code systems name their all-codes value sets so (CodeSystem.valueSet in yy-dto/IDCore).
KEMKES_VS = "http://terminology.kemkes.go.id/ValueSet/"
# HL7's http://hl7.org/fhir/ValueSet/icd-10 is an example set of 7 made-up codes in R4, and there is no HL7
# value set for ICD-9-CM: the gateway's terminology defines all-codes value sets over its vendored tables.
LOCAL_VS = BASE + "/ValueSet/"


def required(url: str) -> dict[str, str]:
    return {"strength": "required", "valueSet": url}


def extensible(url: str) -> dict[str, str]:
    return {"strength": "extensible", "valueSet": url}


def root_constraints(doc: dict[str, Any], *constraints: dict[str, Any]) -> dict[str, Any]:
    doc["differential"]["element"][0]["constraint"] = list(constraints)
    return doc


def sys_ids(key: str, kind: str, rule_number: int) -> dict[str, Any]:
    return constraint(
        key,
        f"The business identifier's system is http://sys-ids.kemkes.go.id/{kind}/{{org-id}} (the facility's "
        "SATUSEHAT Organization id)",
        f"identifier.where(system.startsWith('http://sys-ids.kemkes.go.id/{kind}/')).exists()",
        "sys-ids-identifier",
        message_id="ILP-4330",
        rule_number=rule_number,
    )


def address_codes(rtype: str, min_: int) -> list[dict[str, Any]]:
    return [
        el(f"{rtype}.address.extension", slicing=BY_URL),
        el(
            f"{rtype}.address.extension",
            sliceName="administrativeCode",
            min=min_,
            max="1",
            type=ext_type(ADMIN_CODE),
        ),
    ]


def coded_by(
    path: str, slice_name: str, system: str, *, binding: dict[str, str] | None = None, **kw: Any
) -> list[dict[str, Any]]:
    """A ``coding`` slice selected by ``system`` (the slicing itself is declared by the caller)."""
    extra = {"binding": binding} if binding else {}
    return [
        el(path, sliceName=slice_name, **kw, **extra),
        el(f"{path}:{slice_name}.system", min=1, fixedUri=system),
        el(f"{path}:{slice_name}.code", min=1),
    ]


# ------------------------------------------------------------------------------------------ profiles


def practitioner() -> None:
    elements = [
        el("Practitioner.identifier", min=1, slicing=BY_SYSTEM),
        el("Practitioner.identifier", sliceName="nik", min=1, max="1"),
        el("Practitioner.identifier:nik.system", min=1, fixedUri=NIK),
        el("Practitioner.identifier:nik.value", min=1),
        el("Practitioner.name", min=1),
    ]
    doc = sd(
        "ilp-practitioner",
        "Practitioner",
        "ILP Practitioner (health worker)",
        "A health worker (doctor, midwife, nurse, nutritionist) as SATUSEHAT knows them "
        "(https://fhir.kemkes.go.id/r4/StructureDefinition/Practitioner): exactly one NIK (16 digits with a valid "
        "birth date, +40 on the day for women, matching birthDate when given, and an existing district prefix), "
        "by which the gateway resolves the SATUSEHAT Practitioner id, and a name. "
        "(!) The draft ID Core IG also makes birthDate, gender, address and qualification mandatory; the domain "
        "notes give no SATUSEHAT rule for them, so they are not required here. No RuleNumber is tied to "
        "Practitioner elements.",
        elements,
        satusehat=SATUSEHAT + "Practitioner",
    )
    write(
        root_constraints(
            doc,
            constraint(
                "ilp-pra-1",
                "The NIK is 16 digits with a valid birth date (matching birthDate, +40 for women) "
                "and an existing district",
                "identifier.where(system='" + NIK + "').value.matches('^[0-9]{16}$')",
                "nik",
                message_id="ILP-4313",
            ),
        )
    )


def organization() -> None:
    elements = [
        el("Organization.identifier", min=1, rule_number=10446),
        el("Organization.type", min=1, binding=extensible(HL7_VS + "organization-type")),
        el("Organization.name", min=1),
        *address_codes("Organization", 0),
        el("Organization.partOf", type=ref("Organization")),
    ]
    doc = sd(
        "ilp-organization",
        "Organization",
        "ILP Organization (facility and its units)",
        "A facility or one of its units (Puskesmas department, Pustu) as SATUSEHAT registers it "
        "(https://fhir.kemkes.go.id/r4/StructureDefinition/Organization): an identifier whose system is "
        "http://sys-ids.kemkes.go.id/organization/{org-id} (RuleNumber 10446; the facility's SATUSEHAT "
        "Organization id is part of the system, so it is checked by a rule, not a slice), type (HL7 "
        "organization-type, e.g. dept / prov; extensible because SATUSEHAT also accepts the Kemkes "
        "organization-type codes, RuleNumber 10089), name, optional address with the administrativeCode "
        "extension, and partOf referencing the parent Organization for a sub-unit. partOf is optional so the "
        "facility's own Organization fits too.",
        elements,
        satusehat=SATUSEHAT + "Organization",
    )
    write(root_constraints(doc, sys_ids("ilp-org-1", "organization", 10446)))


def location() -> None:
    elements = [
        el("Location.identifier", min=1, rule_number=10447),
        el("Location.status", min=1),
        el("Location.name", min=1),
        el("Location.physicalType", min=1, binding=extensible(HL7_VS + "location-physical-type")),
        *address_codes("Location", 1),
        el("Location.managingOrganization", min=1, type=ref("Organization")),
        el("Location.partOf", type=ref("Location")),
    ]
    doc = sd(
        "ilp-location",
        "Location",
        "ILP Location (Posyandu, Pustu, rooms)",
        "A place where ILP services are given (a Posyandu, a Pustu, a Puskesmas room) as SATUSEHAT registers it "
        "(https://fhir.kemkes.go.id/r4/StructureDefinition/Location): an identifier whose system is "
        "http://sys-ids.kemkes.go.id/location/{org-id} (RuleNumber 10447, checked by a rule), status, name, "
        "physicalType (HL7 location-physical-type: bu, ro, …; extensible, SATUSEHAT also accepts the Kemkes "
        "location-physical-type codes, RuleNumber 10102), managingOrganization (the facility Organization) and, "
        "when an address is given, its administrativeCode extension (the village code is what PWS aggregates "
        "by). (!) No source says how a Posyandu is represented; it is taken to be a Location managed by the "
        "Puskesmas (or Pustu) Organization, optionally partOf the Pustu Location.",
        elements,
        satusehat=SATUSEHAT + "Location",
    )
    write(root_constraints(doc, sys_ids("ilp-loc-1", "location", 10447)))


def encounter() -> None:
    elements = [
        el("Encounter.identifier", min=1, rule_number=10117),
        el("Encounter.status", min=1),
        el("Encounter.class", binding=extensible("http://terminology.hl7.org/ValueSet/v3-ActEncounterCode")),
        el("Encounter.subject", min=1, type=ref("Patient"), rule_number=10118),
        el("Encounter.participant", min=1, rule_number=10119),
        el("Encounter.participant.type", binding=extensible(HL7_VS + "encounter-participant-type")),
        el("Encounter.participant.individual", min=1, type=ref("Practitioner"), rule_number=10119),
        el("Encounter.period", min=1, rule_number=10121, constraint=[utc("ilp-enc-4")]),
        el("Encounter.period.start", min=1, rule_number=10123),
        el("Encounter.statusHistory", min=1, rule_number=10122),
        el("Encounter.location", min=1, rule_number=10120),
        el("Encounter.location.location", min=1, type=ref("Location"), rule_number=10120),
        el("Encounter.serviceProvider", min=1, type=ref("Organization"), rule_number=10124),
    ]
    doc = sd(
        "ilp-encounter",
        "Encounter",
        "ILP Encounter (visit)",
        "A visit (Posyandu day, Pustu or Puskesmas consultation, home visit) as SATUSEHAT accepts it "
        "(https://fhir.kemkes.go.id/r4/StructureDefinition/Encounter): identifier (10117) whose system is "
        "http://sys-ids.kemkes.go.id/encounter/{org-id} or the ASIK / SITB form, status, class "
        "(v3-ActCode AMB, EMER, IMP, HH, VR), subject Patient (10118), participant.individual Practitioner "
        "(10119), location.location (10120), period (10121) with start (10123) and, when finished, an end later "
        "than the start, statusHistory (10122) following arrived → in-progress → finished, ending in the "
        "current status and lying within period, serviceProvider Organization (10124); period in UTC. "
        "(!) No source says which class Posyandu outreach or home visits use; the binding is extensible. "
        "(!) RuleNumber 10336 exempts MPDN senders from participant.individual; this profile does not.",
        elements,
        satusehat=SATUSEHAT + "Encounter",
    )
    write(
        root_constraints(
            doc,
            sys_ids("ilp-enc-1", "encounter", 10117),
            constraint(
                "ilp-enc-2",
                "A finished Encounter has period.end, later than period.start",
                "status = 'finished' implies (period.end.exists() and period.end > period.start)",
                "encounter-period",
                message_id="ILP-4331",
                rule_number=10121,
            ),
            constraint(
                "ilp-enc-3",
                "statusHistory follows arrived → in-progress → finished, ends in the current status and lies "
                "within period",
                "statusHistory.last().status = status",
                "encounter-status-history",
                message_id="ILP-4332",
            ),
        )
    )


def condition() -> None:
    elements = [
        el("Condition.clinicalStatus", min=1),
        el("Condition.category", min=1, binding=required(HL7_VS + "condition-category")),
        el("Condition.code", min=1),
        el("Condition.code.coding", min=1, slicing=BY_SYSTEM),
        *coded_by(
            "Condition.code.coding",
            "icd10",
            urls.ICD_10,
            min=1,
            max="1",
            binding=required(LOCAL_VS + "icd-10"),
        ),
        el("Condition.subject", min=1, type=ref("Patient"), rule_number=10125),
        el("Condition.encounter", min=1, type=ref("Encounter"), rule_number=10126),
        el("Condition.onset[x]", constraint=[utc("ilp-con-1")]),
        el("Condition.recordedDate", constraint=[utc("ilp-con-2")]),
        el("Condition.recorder", type=ref("Practitioner"), rule_number=10678),
    ]
    write(
        sd(
            "ilp-condition",
            "Condition",
            "ILP Condition (diagnosis)",
            "A diagnosis or complaint as SATUSEHAT accepts it "
            "(https://fhir.kemkes.go.id/r4/StructureDefinition/Condition): clinicalStatus, category from HL7 "
            "condition-category (encounter-diagnosis, problem-list-item; required, RuleNumber 10007), an ICD-10 "
            "(2010) coding of code, subject Patient (10125), encounter (10126), recorder Practitioner (10678), "
            "onset and recordedDate in UTC. "
            "(!) SATUSEHAT also accepts Kemkes clinical-term and SNOMED CT codes for Condition.code (10003); this "
            "profile requires an ICD-10 coding (other codings may accompany it), as primary-care reporting is "
            "by ICD-10. (!) RuleNumbers 10402/10403 cover UTC dates but the notes do not say which element "
            "each is, so none is attached.",
            elements,
            satusehat=SATUSEHAT + "Condition",
        )
    )


def procedure() -> None:
    elements = [
        el("Procedure.status", min=1),
        el("Procedure.code", min=1),
        el("Procedure.code.coding", min=1, slicing=BY_SYSTEM),
        *coded_by(
            "Procedure.code.coding",
            "icd9cm",
            urls.ICD_9_CM,
            min=1,
            max="1",
            binding=required(LOCAL_VS + "icd-9-cm"),
        ),
        el("Procedure.subject", min=1, type=ref("Patient"), rule_number=10127),
        el("Procedure.encounter", min=1, type=ref("Encounter"), rule_number=10128),
        el("Procedure.performed[x]", constraint=[utc("ilp-pro-1")]),
        el("Procedure.performer", min=1, rule_number=10399),
        el("Procedure.performer.actor", type=ref("Practitioner"), rule_number=10399),
    ]
    write(
        sd(
            "ilp-procedure",
            "Procedure",
            "ILP Procedure",
            "A procedure as SATUSEHAT accepts it (https://fhir.kemkes.go.id/r4/StructureDefinition/Procedure): "
            "status, an ICD-9-CM coding of code, subject Patient (10127), encounter (10128), performer.actor "
            "Practitioner (10399), performed[x] in UTC. "
            "(!) SATUSEHAT also accepts SNOMED CT, clinical-term and KPTL codes (10015); this profile requires an "
            "ICD-9-CM coding (others may accompany it), the claims coding.",
            elements,
            satusehat=SATUSEHAT + "Procedure",
        )
    )


def immunization() -> None:
    elements = [
        el("Immunization.status", min=1),
        el("Immunization.vaccineCode.coding", slicing=BY_SYSTEM),
        *coded_by("Immunization.vaccineCode.coding", "kfa", urls.KFA, min=1, max="*", rule_number=10103),
        *coded_by("Immunization.vaccineCode.coding", "cvx", urls.CVX, min=1, max="1", rule_number=10103),
        el("Immunization.patient", min=1, type=ref("Patient"), rule_number=10155),
        el("Immunization.encounter", min=1, type=ref("Encounter"), rule_number=10293),
        el("Immunization.occurrence[x]", min=1, rule_number=10156, constraint=[utc("ilp-imm-6")]),
        el("Immunization.recorded", min=1, rule_number=10451, constraint=[utc("ilp-imm-7")]),
        el("Immunization.primarySource", min=1, rule_number=10292),
        el("Immunization.reportOrigin", binding=extensible(HL7_VS + "immunization-origin")),
        el("Immunization.performer", min=1, rule_number=10294),
        el("Immunization.performer.function", binding=extensible(HL7_VS + "immunization-function")),
        el("Immunization.performer.actor", min=1, rule_number=10294),
        el("Immunization.reasonCode", min=1),
        el("Immunization.reasonCode.coding", slicing=BY_SYSTEM),
        *coded_by(
            "Immunization.reasonCode.coding",
            "reason",
            urls.IMMUNIZATION_REASON,
            min=1,
            max="1",
            binding=required(KEMKES_VS + "immunization-reason"),
        ),
        *coded_by(
            "Immunization.reasonCode.coding",
            "routineTiming",
            urls.IMMUNIZATION_ROUTINE_TIMING,
            min=0,
            max="1",
            binding=required(KEMKES_VS + "immunization-routine-timing"),
        ),
        el("Immunization.protocolApplied", min=1, rule_number=10450),
        el(
            "Immunization.protocolApplied.doseNumber[x]",
            min=1,
            type=[{"code": "positiveInt"}],
            rule_number=10456,
        ),
    ]
    doc = sd(
        "ilp-immunization",
        "Immunization",
        "ILP Immunization",
        "A vaccination as SATUSEHAT accepts it (https://fhir.kemkes.go.id/r4/StructureDefinition/Immunization): "
        "vaccineCode with, under the KFA system (http://sys-ids.kemkes.go.id/kfa), the KFA product code "
        "(93xxxxxx) and the vaccine group (VG…), plus the CVX name (http://hl7.org/fhir/sid/cvx) (10103); a "
        "history recalled from memory (reportOrigin recall) may omit the KFA product; patient (10155), "
        "encounter (10293), occurrence[x] (10156) and recorded (10451) in UTC, primarySource (10292), "
        "performer.actor (10294); location when completed (10305); lotNumber (10306) and expirationDate (10307) "
        "when given by a health worker (primarySource true); reasonCode with an immunization-reason coding "
        "(SATUSEHAT's reasonCode code systems, RuleNumber 10105, also allow SNOMED CT) and, for routine programme immunization (IM-Rutin and the codes under it), an "
        "immunization-routine-timing coding (IM-Ideal / IM-Kejar); protocolApplied (10450) with "
        "doseNumberPositiveInt (10456). "
        "(!) The notes list recorded (10451) and protocolApplied (10450) without saying they are mandatory; "
        "they are required here. (!) The SATUSEHAT page says the CVX name is needed for DPT-HB-Hib, OPV, IPV, "
        "MR and MMR but shows all three codings for every vaccination; the CVX coding is required for all. "
        "(!) reasonCode is required (every ILP vaccination is programme or optional, IM-Program … IM-Pilihan); "
        "the notes only say which codes it uses. (!) That IM-Dasar, IM-Lanjutan, IM-Baduta, IM-SD and IM-WUS "
        "count as IM-Rutin for the routine-timing rule is inferred from the Kemkes code system's display names.",
        elements,
        satusehat=SATUSEHAT + "Immunization",
    )
    write(
        root_constraints(
            doc,
            constraint(
                "ilp-imm-1",
                "vaccineCode has the KFA product code (93…) and the vaccine group (VG…) under the KFA system "
                "(the product may be absent for a history recalled from memory)",
                f"vaccineCode.coding.where(system='{urls.KFA}' and code.startsWith('VG')).exists()",
                "immunization-vaccine-code",
                message_id="ILP-4333",
                rule_number=10103,
            ),
            constraint(
                "ilp-imm-2",
                "A completed Immunization has a location",
                "status = 'completed' implies location.exists()",
                "immunization-location",
                message_id="ILP-4334",
                rule_number=10305,
            ),
            constraint(
                "ilp-imm-3",
                "A vaccine given by a health worker has a lotNumber",
                "primarySource implies lotNumber.exists()",
                "immunization-lot-number",
                message_id="ILP-4335",
                rule_number=10306,
            ),
            constraint(
                "ilp-imm-4",
                "A vaccine given by a health worker has an expirationDate",
                "primarySource implies expirationDate.exists()",
                "immunization-expiration-date",
                message_id="ILP-4336",
                rule_number=10307,
            ),
            constraint(
                "ilp-imm-5",
                "A routine programme immunization (IM-Rutin) carries an immunization-routine-timing coding",
                f"reasonCode.coding.where(system='{urls.IMMUNIZATION_REASON}' and code='IM-Rutin').exists() "
                f"implies reasonCode.coding.where(system='{urls.IMMUNIZATION_ROUTINE_TIMING}').exists()",
                "immunization-routine-timing",
                message_id="ILP-4337",
            ),
        )
    )


def medication_request() -> None:
    elements = [
        el("MedicationRequest.status", min=1),
        el("MedicationRequest.intent", min=1),
        el(
            "MedicationRequest.medication[x]",
            min=1,
            type=[
                {"code": "CodeableConcept"},
                {
                    "code": "Reference",
                    "targetProfile": ["http://hl7.org/fhir/StructureDefinition/Medication"],
                },
            ],
        ),
        el("MedicationRequest.medicationCodeableConcept.coding", min=1, slicing=BY_SYSTEM),
        *coded_by("MedicationRequest.medicationCodeableConcept.coding", "kfa", urls.KFA, min=1, max="1"),
        el("MedicationRequest.subject", type=ref("Patient")),
        el("MedicationRequest.encounter", min=1, type=ref("Encounter")),
        el("MedicationRequest.authoredOn", min=1, constraint=[utc("ilp-mr-1")]),
        el("MedicationRequest.requester", min=1, type=ref("Practitioner")),
        el("MedicationRequest.dosageInstruction", min=1),
    ]
    write(
        sd(
            "ilp-medication-request",
            "MedicationRequest",
            "ILP MedicationRequest (prescription)",
            "A prescription item as SATUSEHAT accepts it "
            "(https://fhir.kemkes.go.id/r4/StructureDefinition/MedicationRequest): status, intent, the medicine "
            "as a KFA code (http://sys-ids.kemkes.go.id/kfa: product 93…, template 92…) or as a reference to a "
            "Medication, subject Patient, encounter, requester Practitioner, authoredOn in UTC, "
            "dosageInstruction. (!) The notes give SATUSEHAT's KFA rule for Medication.code (10024) but no "
            "MedicationRequest rules; the requirements here are those of the notes' prescription flow. A "
            "referenced Medication's KFA code is not checked by this profile, and KFA codes are not checked "
            "against KFA (no KFA terminology is vendored).",
            elements,
            satusehat=SATUSEHAT + "MedicationRequest",
        )
    )


def service_request() -> None:
    elements = [
        el("ServiceRequest.status", min=1),
        el("ServiceRequest.intent", min=1),
        el("ServiceRequest.code", min=1),
        el("ServiceRequest.subject", type=ref("Patient")),
        el("ServiceRequest.encounter", min=1, type=ref("Encounter")),
        el("ServiceRequest.authoredOn", constraint=[utc("ilp-sr-2")]),
        el("ServiceRequest.requester", min=1, type=ref("Practitioner")),
        el("ServiceRequest.performer", min=1, type=ref("Organization")),
    ]
    doc = sd(
        "ilp-service-request",
        "ServiceRequest",
        "ILP ServiceRequest (referral)",
        "A referral (rujukan) from a Posyandu, Pustu or Puskesmas as SATUSEHAT accepts a ServiceRequest "
        "(https://fhir.kemkes.go.id/r4/StructureDefinition/ServiceRequest): status, intent, code, subject "
        "Patient, encounter, requester Practitioner, the Organization referred to as performer, and a reason "
        "(reasonCode or reasonReference); authoredOn in UTC. (!) The notes give no SATUSEHAT rules for "
        "ServiceRequest; these requirements are the referral's minimum as the gateway sends it, and no code "
        "system is imposed on code.",
        elements,
        satusehat=SATUSEHAT + "ServiceRequest",
    )
    write(
        root_constraints(
            doc,
            constraint(
                "ilp-sr-1",
                "A referral gives its reason (reasonCode or reasonReference)",
                "reasonCode.exists() or reasonReference.exists()",
                "reason-code-or-reference",
                message_id="ILP-4338",
            ),
        )
    )


def questionnaire_response() -> None:
    approved = " | ".join(f"'{q}'" for q in urls.QUESTIONNAIRES)
    elements = [
        el(
            "QuestionnaireResponse.questionnaire",
            min=1,
            constraint=[
                constraint(
                    "ilp-qr-1",
                    "The questionnaire is one SATUSEHAT accepts: " + ", ".join(urls.QUESTIONNAIRES),
                    f"$this in ({approved})",
                    "approved-questionnaire",
                    message_id="ILP-4339",
                    rule_number=10169,
                )
            ],
        ),
        el("QuestionnaireResponse.status", min=1),
        el("QuestionnaireResponse.subject", min=1, type=ref("Patient")),
        el("QuestionnaireResponse.encounter", min=1, type=ref("Encounter")),
        el("QuestionnaireResponse.authored", min=1, constraint=[utc("ilp-qr-2")]),
        el("QuestionnaireResponse.author", min=1),
        el("QuestionnaireResponse.source", min=1),
    ]
    write(
        sd(
            "ilp-questionnaire-response",
            "QuestionnaireResponse",
            "ILP QuestionnaireResponse (screening)",
            "A screening questionnaire (SRQ-20, SDQ, PUMA, ADL, SKILAS, …) as SATUSEHAT accepts it "
            "(https://fhir.kemkes.go.id/r4/StructureDefinition/QuestionnaireResponse): questionnaire, one of the "
            "approved https://fhir.kemkes.go.id/Questionnaire/Q0006, Q0007, Q0008, Q0011, Q0023 (RuleNumber "
            "10169), status, subject Patient, encounter, author, source, authored in UTC. RuleNumbers "
            "10370–10378 cover subject, author, source, authored and encounter but the notes give no per-element "
            "mapping, so none is attached. (!) Which approved questionnaire is which screening is not known, and "
            "whether SATUSEHAT wants these screenings as QuestionnaireResponse or Observation is not confirmed; "
            "the approved list is enforced as documented.",
            elements,
            satusehat=SATUSEHAT + "QuestionnaireResponse",
        )
    )


def measure_report() -> None:
    elements = [
        el("MeasureReport.status", min=1),
        el("MeasureReport.type", min=1),
        el("MeasureReport.subject", min=1, type=ref("Location", "Group")),
        el("MeasureReport.date", min=1, constraint=[utc("ilp-mer-1")]),
        el("MeasureReport.period.start", min=1),
        el("MeasureReport.period.end", min=1),
        el("MeasureReport.group", min=1),
        el("MeasureReport.group.measureScore", min=1),
    ]
    write(
        sd(
            "ilp-measure-report",
            "MeasureReport",
            "ILP MeasureReport (PWS indicator)",
            "A PWS (Pemantauan Wilayah Setempat) indicator result for one area and period, as the gateway sends it "
            "to the regional PWS dashboard: status, type, the Measure, subject the area (a Location, e.g. the "
            "desa, or a Group), date in UTC, period with start and end, and a measureScore per group. "
            "(!) SATUSEHAT has no MeasureReport profile and no public PWS API spec was found; the "
            "satusehat-profile extension names the canonical such a profile would have, "
            "https://fhir.kemkes.go.id/r4/StructureDefinition/MeasureReport.",
            elements,
            satusehat=SATUSEHAT + "MeasureReport",
        )
    )


def main() -> None:
    extensions()
    patient()
    observation()
    practitioner()
    organization()
    location()
    encounter()
    condition()
    procedure()
    immunization()
    medication_request()
    service_request()
    questionnaire_response()
    measure_report()


if __name__ == "__main__":
    main()
