"""The terminology operations over HTTP: whole Parameters results and whole OperationOutcomes.

The operations only read, so the module shares one app (``client`` below shadows the per-test fixture of
``tests/conftest.py``, built the same way): building an app per test would cost most of this module's time.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import pytest_asyncio

from gateway.settings import Settings
from tests.api.test_errors import assert_outcome, oo
from tests.conftest import app_client

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def client(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[httpx.AsyncClient]:
    folder = tmp_path_factory.mktemp("terminology-api")
    async with app_client(Settings(store_url=f"sqlite:///{folder}/api.db", base_url="http://test/fhir")) as c:
        yield c


LOCAL = "https://ilp-gateway.example.id/fhir"
LOINC = "http://loinc.org"
KFA = "http://sys-ids.kemkes.go.id/kfa"
CVX = "http://hl7.org/fhir/sid/cvx"
GENDER_VS = "http://hl7.org/fhir/ValueSet/administrative-gender"
WILAYAH = f"{LOCAL}/CodeSystem/kode-wilayah"


def params(*items: dict[str, Any]) -> dict[str, Any]:
    return {"resourceType": "Parameters", "parameter": list(items)}


def prop(code: str, value: Any, kind: str = "valueCode") -> dict[str, Any]:
    return {"name": "property", "part": [{"name": "code", "valueCode": code}, {"name": "value", kind: value}]}


# ------------------------------------------------------------------------------------------------ $lookup
async def test_lookup_loinc(client: httpx.AsyncClient) -> None:
    r = await client.get("/fhir/CodeSystem/$lookup", params={"system": LOINC, "code": "29463-7"})
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/fhir+json; charset=utf-8"
    assert r.json() == params(
        {"name": "name", "valueString": "LOINC codes used by the ILP mappers (fragment)"},
        {"name": "version", "valueString": "ilp-1"},
        {"name": "display", "valueString": "Body weight"},
        prop("inactive", False, "valueBoolean"),
        prop("allowed-unit", "kg"),
        prop("allowed-unit", "g"),
        prop("allowed-unit", "[lb_av]"),
    )


async def test_lookup_post_coding_region(client: httpx.AsyncClient) -> None:
    body = params({"name": "coding", "valueCoding": {"system": WILAYAH, "code": "9601"}})
    r = await client.post("/fhir/CodeSystem/$lookup", json=body)
    assert r.status_code == 200
    assert r.json() == params(
        {"name": "name", "valueString": "Kode wilayah administrasi pemerintahan (Kemendagri)"},
        {"name": "version", "valueString": "2025"},
        {"name": "display", "valueString": "Kabupaten Sorong"},
        prop("parent", "96"),
        prop("inactive", False, "valueBoolean"),
        prop("level", "regency"),
    )


async def test_lookup_icd10_abstract_block(client: httpx.AsyncClient) -> None:
    r = await client.get(
        "/fhir/CodeSystem/$lookup", params={"system": "http://hl7.org/fhir/sid/icd-10", "code": "I10-I15"}
    )
    assert r.json() == params(
        {"name": "name", "valueString": "ICD-10 (WHO), 2019 edition"},
        {"name": "version", "valueString": "2019"},
        {"name": "display", "valueString": "Hypertensive diseases"},
        prop("parent", "IX"),
        prop("inactive", False, "valueBoolean"),
        prop("notSelectable", True, "valueBoolean"),
        prop("kind", "block"),
    )


async def test_lookup_unknown_system(client: httpx.AsyncClient) -> None:
    r = await client.get("/fhir/CodeSystem/$lookup", params={"system": "http://example.org/cs", "code": "x"})
    text = "The code system 'http://example.org/cs' is not known"
    assert_outcome(r, 404, oo("ILP-5000", text, "not-found", ["system"]))


async def test_lookup_unknown_code(client: httpx.AsyncClient) -> None:
    r = await client.get("/fhir/CodeSystem/$lookup", params={"system": LOINC, "code": "0000-0"})
    text = "'0000-0' is not a code of LOINC codes used by the ILP mappers (fragment) (http://loinc.org)"
    assert_outcome(r, 404, oo("ILP-5001", text, "not-found", ["code"]))


async def test_lookup_missing_code(client: httpx.AsyncClient) -> None:
    r = await client.get("/fhir/CodeSystem/$lookup", params={"system": LOINC})
    assert_outcome(r, 400, oo("ILP-5005", "Parameter 'code' is required", "required", ["code"]))


async def test_lookup_repeated_parameter(client: httpx.AsyncClient) -> None:
    r = await client.get("/fhir/CodeSystem/$lookup?system=http://loinc.org&code=8480-6&code=8462-4")
    assert_outcome(r, 400, oo("ILP-5006", "Parameter 'code' may be given only once", "value", ["code"]))


async def test_post_body_must_be_parameters(client: httpx.AsyncClient) -> None:
    r = await client.post("/fhir/CodeSystem/$lookup", json={"resourceType": "Patient"})
    assert_outcome(
        r, 400, oo("ILP-5007", "The body of an operation must be a Parameters resource", "structure")
    )
    r = await client.post("/fhir/CodeSystem/$lookup", json=params({"valueString": "x"}))
    text = "Each parameter must be an object with a name"
    assert_outcome(r, 400, oo("ILP-5007", text, "structure", ["Parameters.parameter[0]"]))


async def test_post_coding_without_code(client: httpx.AsyncClient) -> None:
    r = await client.post(
        "/fhir/CodeSystem/$lookup", json=params({"name": "coding", "valueCoding": {"system": LOINC}})
    )
    text = "Parameter 'coding' must be a Coding with a code"
    assert_outcome(r, 400, oo("ILP-5006", text, "value", ["Parameters.parameter[0].valueCoding"]))


# ----------------------------------------------------------------------------------------- $validate-code
async def test_validate_code_in_value_set(client: httpx.AsyncClient) -> None:
    r = await client.get(
        "/fhir/ValueSet/$validate-code",
        params={"url": GENDER_VS, "system": "http://hl7.org/fhir/administrative-gender", "code": "female"},
    )
    assert r.json() == params(
        {"name": "result", "valueBoolean": True}, {"name": "display", "valueString": "Female"}
    )


async def test_validate_code_not_in_value_set(client: httpx.AsyncClient) -> None:
    r = await client.get("/fhir/ValueSet/$validate-code", params={"url": GENDER_VS, "code": "wanita"})
    assert r.status_code == 200
    text = f"The code 'wanita' of (no system) is not in the value set AdministrativeGender ({GENDER_VS})"
    assert r.json() == params(
        {"name": "result", "valueBoolean": False}, {"name": "message", "valueString": text}
    )


async def test_validate_code_unknown_code_of_system(client: httpx.AsyncClient) -> None:
    r = await client.get(
        "/fhir/ValueSet/$validate-code", params={"system": "http://hl7.org/fhir/sid/icd-10", "code": "I10.0"}
    )
    text = "'I10.0' is not a code of ICD-10 (WHO), 2019 edition (http://hl7.org/fhir/sid/icd-10)"
    assert r.json() == params(
        {"name": "result", "valueBoolean": False}, {"name": "message", "valueString": text}
    )


async def test_validate_code_unknown_system(client: httpx.AsyncClient) -> None:
    r = await client.get(
        "/fhir/ValueSet/$validate-code", params={"system": "http://example.org/cs", "code": "x"}
    )
    text = "The code system 'http://example.org/cs' is not known"
    assert r.json() == params(
        {"name": "result", "valueBoolean": False}, {"name": "message", "valueString": text}
    )


async def test_validate_code_unknown_value_set(client: httpx.AsyncClient) -> None:
    r = await client.get(
        "/fhir/ValueSet/$validate-code", params={"url": "http://example.org/vs", "code": "x"}
    )
    text = "The value set 'http://example.org/vs' is not known"
    assert_outcome(r, 404, oo("ILP-5002", text, "not-found", ["url"]))


async def test_validate_code_needs_url_or_system(client: httpx.AsyncClient) -> None:
    r = await client.get("/fhir/ValueSet/$validate-code", params={"code": "x"})
    assert_outcome(r, 400, oo("ILP-5005", "Parameter 'url' is required", "required", ["url"]))


async def test_validate_codeable_concept_post(client: httpx.AsyncClient) -> None:
    concept = {
        "coding": [
            {"system": KFA, "code": "93001282", "display": "Vaksin DTP - HB - Hib 0,5 mL (PENTABIO, 1)"},
            {"system": KFA, "code": "VG45"},
            {"system": CVX, "code": "198"},
        ]
    }
    body = params(
        {"name": "url", "valueUri": f"{LOCAL}/ValueSet/ilp-routine-immunization-vaccines"},
        {"name": "codeableConcept", "valueCodeableConcept": concept},
    )
    r = await client.post("/fhir/ValueSet/$validate-code", json=body)
    assert r.json() == params(
        {"name": "result", "valueBoolean": True},
        {"name": "display", "valueString": "Vaksin DTP - HB - Hib 0,5 mL (PENTABIO, 1)"},
    )


async def test_validate_code_wrong_display_is_valid_with_a_message(client: httpx.AsyncClient) -> None:
    r = await client.get(
        "/fhir/ValueSet/$validate-code",
        params={"system": "http://unitsofmeasure.org", "code": "kg", "display": "kilo"},
    )
    text = "The display 'kilo' is not the one of kg in http://unitsofmeasure.org: 'kilogram'"
    assert r.json() == params(
        {"name": "result", "valueBoolean": True},
        {"name": "message", "valueString": text},
        {"name": "display", "valueString": "kilogram"},
    )


async def test_validate_code_bad_boolean(client: httpx.AsyncClient) -> None:
    r = await client.get(
        "/fhir/ValueSet/$validate-code", params={"url": GENDER_VS, "code": "male", "abstract": "yes"}
    )
    assert_outcome(
        r, 400, oo("ILP-5006", "Parameter 'abstract' must be true or false", "value", ["abstract"])
    )


# ------------------------------------------------------------------------------------------------ $expand
async def test_expand_newest_provinces(client: httpx.AsyncClient) -> None:
    url = f"{LOCAL}/ValueSet/kode-wilayah-provinsi"
    r = await client.get(
        "/fhir/ValueSet/$expand", params={"url": url, "filter": "papua", "count": "3", "offset": "3"}
    )
    assert r.status_code == 200
    body = r.json()
    expansion = body.pop("expansion")
    assert body["resourceType"] == "ValueSet" and body["url"] == url and body["id"] == "kode-wilayah-provinsi"
    assert expansion["identifier"].startswith("urn:uuid:") and expansion["timestamp"]
    assert (expansion["total"], expansion["offset"]) == (6, 3)
    assert expansion["parameter"] == [
        {"name": "filter", "valueString": "papua"},
        {"name": "count", "valueInteger": 3},
        {"name": "offset", "valueInteger": 3},
    ]
    assert expansion["contains"] == [
        {"system": WILAYAH, "code": "94", "display": "Papua Tengah"},
        {"system": WILAYAH, "code": "95", "display": "Papua Pegunungan"},
        {"system": WILAYAH, "code": "96", "display": "Papua Barat Daya"},
    ]


async def test_expand_post(client: httpx.AsyncClient) -> None:
    body = params({"name": "url", "valueUri": f"{LOCAL}/ValueSet/satusehat-encounter-class"})
    r = await client.post("/fhir/ValueSet/$expand", json=body)
    assert [c["code"] for c in r.json()["expansion"]["contains"]] == ["AMB", "EMER", "IMP", "HH", "VR"]


async def test_expand_unknown_value_set(client: httpx.AsyncClient) -> None:
    r = await client.get("/fhir/ValueSet/$expand", params={"url": "http://example.org/vs"})
    assert_outcome(
        r, 404, oo("ILP-5002", "The value set 'http://example.org/vs' is not known", "not-found", ["url"])
    )


async def test_expand_not_enumerable(client: httpx.AsyncClient) -> None:
    r = await client.get("/fhir/ValueSet/$expand", params={"url": "http://hl7.org/fhir/ValueSet/mimetypes"})
    text = (
        "The value set MimeType cannot be expanded here: "
        "the code system urn:ietf:bcp:13 cannot be enumerated here"
    )
    assert_outcome(r, 422, oo("ILP-5004", text, "too-costly", ["url"]))


@pytest.mark.parametrize("count", ["-1", "ten", "1.5"])
async def test_expand_bad_count(client: httpx.AsyncClient, count: str) -> None:
    r = await client.get("/fhir/ValueSet/$expand", params={"url": GENDER_VS, "count": count})
    assert_outcome(
        r, 400, oo("ILP-5006", "Parameter 'count' must be a non-negative integer", "value", ["count"])
    )


async def test_expand_missing_url(client: httpx.AsyncClient) -> None:
    r = await client.get("/fhir/ValueSet/$expand")
    assert_outcome(r, 400, oo("ILP-5005", "Parameter 'url' is required", "required", ["url"]))


# --------------------------------------------------------------------------------------------- $translate
async def test_translate_kfa_to_cvx(client: httpx.AsyncClient) -> None:
    r = await client.get(
        "/fhir/ConceptMap/$translate", params={"system": KFA, "code": "93005208", "targetsystem": CVX}
    )
    assert r.json() == params(
        {"name": "result", "valueBoolean": True},
        {
            "name": "match",
            "part": [
                {"name": "equivalence", "valueCode": "wider"},
                {"name": "concept", "valueCoding": {"system": CVX, "code": "19", "display": "BCG"}},
                {"name": "source", "valueUri": f"{LOCAL}/ConceptMap/kfa-vaccine-to-cvx"},
            ],
        },
    )


async def test_translate_no_match(client: httpx.AsyncClient) -> None:
    r = await client.get("/fhir/ConceptMap/$translate", params={"system": KFA, "code": "93999999"})
    text = "No translation of '93999999' of http://sys-ids.kemkes.go.id/kfa"
    assert r.json() == params(
        {"name": "result", "valueBoolean": False}, {"name": "message", "valueString": text}
    )


async def test_translate_unknown_map(client: httpx.AsyncClient) -> None:
    r = await client.get(
        "/fhir/ConceptMap/$translate",
        params={"url": "http://example.org/cm", "system": KFA, "code": "93005208"},
    )
    assert_outcome(
        r, 404, oo("ILP-5003", "The concept map 'http://example.org/cm' is not known", "not-found", ["url"])
    )


# --------------------------------------------------------------------------------------------- read/search
async def test_read_packaged_code_systems(client: httpx.AsyncClient) -> None:
    r = await client.get("/fhir/CodeSystem/icd-10")
    body = r.json()
    assert r.status_code == 200 and body["content"] == "not-present" and body["count"] == 12542
    r = await client.get("/fhir/CodeSystem/kemkes-immunization-reason")
    assert [c["code"] for c in r.json()["concept"]][:3] == ["IM-Program", "IM-Rutin", "IM-Dasar"]
    r = await client.get("/fhir/ValueSet/administrative-gender")
    assert r.json()["expansion"]["total"] == 4
    r = await client.get("/fhir/ConceptMap/kfa-vaccine-to-cvx")
    assert r.json()["group"][0]["target"] == CVX


async def test_read_unknown_falls_through_to_the_store(client: httpx.AsyncClient) -> None:
    r = await client.get("/fhir/ValueSet/nope")
    assert_outcome(r, 404, oo("ILP-1001", "ValueSet/nope is not known", "not-found"))


async def test_search_by_url_and_summary(client: httpx.AsyncClient) -> None:
    r = await client.get(
        "/fhir/CodeSystem", params={"url": "http://hl7.org/fhir/administrative-gender", "_summary": "true"}
    )
    body = r.json()
    assert body["type"] == "searchset" and body["total"] == 1
    resource = body["entry"][0]["resource"]
    assert body["entry"][0]["fullUrl"] == "http://test/fhir/CodeSystem/administrative-gender"
    assert resource["id"] == "administrative-gender" and "concept" not in resource


async def test_search_paging(client: httpx.AsyncClient) -> None:
    r = await client.get("/fhir/ValueSet", params={"name": "KodeWilayah", "_count": "2"})
    body = r.json()
    assert body["total"] == 4 and len(body["entry"]) == 2
    assert [link["relation"] for link in body["link"]] == ["self", "next"]


async def test_search_unsupported_parameter(client: httpx.AsyncClient) -> None:
    r = await client.get("/fhir/ConceptMap", params={"source": "x", "_count": "0"})
    body = r.json()
    text = "Search parameter 'source' is not supported on ConceptMap here; it was ignored"
    issue = oo("ILP-5009", text, "not-supported", ["source"], severity="warning")
    assert body["entry"] == [{"resource": issue, "search": {"mode": "outcome"}}]
    r = await client.get("/fhir/ConceptMap", params={"source": "x"}, headers={"prefer": "handling=strict"})
    assert_outcome(r, 400, oo("ILP-5009", text, "not-supported", ["source"]))


async def test_type_history_still_reaches_the_store(client: httpx.AsyncClient) -> None:
    r = await client.get("/fhir/CodeSystem/_history")
    assert r.status_code == 200 and r.json()["type"] == "history"
