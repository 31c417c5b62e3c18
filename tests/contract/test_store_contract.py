"""The ResourceStore contract: every backend (the ``ctx`` fixture is parametrised over them) must pass.

Writes, versions and history; conditional create/update/delete; transactions (atomicity, urn:uuid and
conditional references, processing order); search semantics. Spec: https://hl7.org/fhir/R4/http.html.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from gateway import fhir_json
from gateway.context import FhirContext
from gateway.errors import GatewayError
from gateway.fhir_json import PreciseDecimal
from gateway.search.query import SearchQuery
from gateway.store.base import EntryResult, ResourceStore, StoredResource, WriteEntry
from tests.conftest import NIK, observation, patient

Q = Callable[..., SearchQuery]


async def create(store: ResourceStore, resource: dict[str, Any], **kw: Any) -> EntryResult:
    [r] = await store.transaction([WriteEntry("POST", resource["resourceType"], resource=resource, **kw)])
    return r


async def put(store: ResourceStore, resource: dict[str, Any], rid: str, **kw: Any) -> EntryResult:
    [r] = await store.transaction(
        [WriteEntry("PUT", resource["resourceType"], id=rid, resource=resource, **kw)]
    )
    return r


def stored(r: EntryResult) -> StoredResource:
    assert r.stored is not None
    return r.stored


async def ids(store: ResourceStore, query: SearchQuery) -> list[str]:
    return [m.id for m in (await store.search(query)).matches]


def message_id(err: pytest.ExceptionInfo[GatewayError]) -> str:
    return err.value.issues[0].message_id


# ------------------------------------------------------------------------------------------ versions


async def test_create_assigns_id_version_and_meta(store: ResourceStore) -> None:
    r = await create(store, patient())
    s = stored(r)
    assert (r.status, r.created, s.version, s.deleted) == (201, True, 1, False)
    body = s.resource()
    assert body["id"] == s.id and body["meta"]["versionId"] == "1"
    assert body["meta"]["lastUpdated"] == s.last_updated_instant
    assert list(body)[:3] == ["resourceType", "id", "meta"]
    again = await store.read("Patient", s.id)
    assert again is not None and again.body == s.body


async def test_a_decimal_keeps_its_text(store: ResourceStore, q: Q) -> None:
    """A decimal's precision is data (https://hl7.org/fhir/R4/datatypes.html#decimal): the store writes and
    reads ``12.50`` as written, and indexes it as the number 12.5."""
    text = (
        b'{"resourceType":"Observation","status":"final","code":{"text":"w"},"valueQuantity":{"value":12.50}}'
    )
    s = stored(await create(store, fhir_json.loads(text)))
    again = await store.read("Observation", s.id)
    assert again is not None and again.body is not None and b'"valueQuantity":{"value":12.50}' in again.body
    value = again.resource()["valueQuantity"]["value"]
    assert isinstance(value, PreciseDecimal) and value.text == "12.50"
    assert await ids(store, q("Observation", [("value-quantity", "12.5")])) == [s.id]


async def test_update_versions_and_history(store: ResourceStore) -> None:
    s1 = stored(await create(store, patient()))
    r2 = await put(store, patient(family="Baru", id=s1.id), s1.id)
    s2 = stored(r2)
    assert (r2.status, s2.version) == (200, 2)
    assert s2.last_updated > s1.last_updated
    v1 = await store.vread("Patient", s1.id, 1)
    assert v1 is not None and v1.resource()["name"][0]["family"] == "Aminah"
    assert await store.vread("Patient", s1.id, 3) is None
    page = await store.history("Patient", s1.id, since=None, count=10, offset=0)
    assert page.total == 2 and [e.version for e in page.entries] == [2, 1]
    assert [e.method for e in page.entries] == ["PUT", "POST"]


async def test_update_as_create_with_client_id(store: ResourceStore) -> None:
    r = await put(store, patient(id="pasien-1"), "pasien-1")
    assert (r.status, r.created, stored(r).id, stored(r).version) == (201, True, "pasien-1", 1)


async def test_delete_then_read_history_and_recreate(store: ResourceStore, q: Q) -> None:
    s = stored(await create(store, patient()))
    [d] = await store.transaction([WriteEntry("DELETE", "Patient", id=s.id)])
    assert d.status == 204 and stored(d).deleted and stored(d).version == 2
    gone = await store.read("Patient", s.id)
    assert gone is not None and gone.deleted and gone.version == 2
    assert await ids(store, q("Patient", identifier=f"{NIK}|3171014101900001")) == []
    # deleting again is a no-op; deleting an unknown id is 404
    [again] = await store.transaction([WriteEntry("DELETE", "Patient", id=s.id)])
    assert again.status == 204 and stored(again).version == 2
    with pytest.raises(GatewayError) as err:
        await store.transaction([WriteEntry("DELETE", "Patient", id="nope")])
    assert err.value.status == 404 and message_id(err) == "ILP-1004"
    # an update after a delete recreates the resource as a new version
    r = await put(store, patient(id=s.id), s.id)
    assert (r.status, r.created, stored(r).version) == (201, True, 3)
    page = await store.history("Patient", s.id, since=None, count=10, offset=0)
    assert [e.method for e in page.entries] == ["PUT", "DELETE", "POST"]
    assert page.entries[1].body is None


async def test_if_match(store: ResourceStore) -> None:
    s = stored(await create(store, patient()))
    ok = await put(store, patient(id=s.id), s.id, if_match=1)
    assert stored(ok).version == 2
    with pytest.raises(GatewayError) as err:
        await put(store, patient(id=s.id), s.id, if_match=1)
    assert err.value.status == 412 and message_id(err) == "ILP-3008"
    assert (await store.read("Patient", s.id)).version == 2  # type: ignore[union-attr]


# ------------------------------------------------------------------------------------- conditionals


async def test_conditional_create(store: ResourceStore, q: Q) -> None:
    cond = q("Patient", identifier=f"{NIK}|3171014101900001")
    first = await create(store, patient(), if_none_exist=cond)
    second = await create(store, patient(family="Lain"), if_none_exist=cond)
    assert (first.status, second.status) == (201, 200)
    assert stored(first).id == stored(second).id and stored(second).version == 1
    await create(store, patient(nik="3171014101900002", family="Aminah"))
    with pytest.raises(GatewayError) as err:
        await create(store, patient(), if_none_exist=q("Patient", family="Aminah"))
    assert err.value.status == 412 and message_id(err) == "ILP-3001"


async def test_conditional_create_race_creates_exactly_one(store: ResourceStore, q: Q) -> None:
    cond = q("Patient", identifier=f"{NIK}|3171014101900009")
    results = await asyncio.gather(
        *(create(store, patient("3171014101900009"), if_none_exist=cond) for _ in range(50))
    )
    assert sorted(r.status for r in results) == [200] * 49 + [201]
    assert len({stored(r).id for r in results}) == 1
    assert (await store.search(cond)).total == 1


async def test_conditional_update(store: ResourceStore, q: Q) -> None:
    cond = q("Patient", identifier=f"{NIK}|3171014101900001")
    [r1] = await store.transaction([WriteEntry("PUT", "Patient", resource=patient(), condition=cond)])
    [r2] = await store.transaction(
        [WriteEntry("PUT", "Patient", resource=patient(family="B"), condition=cond)]
    )
    assert (r1.status, r2.status) == (201, 200)
    assert stored(r1).id == stored(r2).id and stored(r2).version == 2
    await create(store, patient(nik="3171014101900002"))
    with pytest.raises(GatewayError) as err:
        await store.transaction(
            [WriteEntry("PUT", "Patient", resource=patient(), condition=q("Patient", gender="female"))]
        )
    assert err.value.status == 412 and message_id(err) == "ILP-3002"


async def test_conditional_delete(store: ResourceStore, q: Q) -> None:
    s = stored(await create(store, patient()))
    cond = q("Patient", identifier=f"{NIK}|3171014101900001")
    [r] = await store.transaction([WriteEntry("DELETE", "Patient", condition=cond)])
    assert r.status == 204 and (await store.read("Patient", s.id)).deleted  # type: ignore[union-attr]
    [none] = await store.transaction([WriteEntry("DELETE", "Patient", condition=cond)])
    assert none.status == 204 and none.stored is None


# ------------------------------------------------------------------------------------- transactions


def txn_entries(q: Q) -> list[WriteEntry]:
    p = patient()
    enc = {
        "resourceType": "Encounter",
        "status": "finished",
        "class": {"code": "AMB"},
        "subject": {"reference": "urn:uuid:p"},
        "participant": [{"individual": {"reference": "urn:uuid:p"}}],
    }
    obs = observation("urn:uuid:p", 9.1, encounter={"reference": "urn:uuid:e"})
    return [
        WriteEntry(
            "POST",
            "Patient",
            resource=p,
            full_url="urn:uuid:p",
            expression="Bundle.entry[0]",
            if_none_exist=q("Patient", identifier=f"{NIK}|3171014101900001"),
        ),
        WriteEntry("POST", "Encounter", resource=enc, full_url="urn:uuid:e", expression="Bundle.entry[1]"),
        WriteEntry("POST", "Observation", resource=obs, full_url="urn:uuid:o", expression="Bundle.entry[2]"),
    ]


async def test_transaction_rewrites_urn_uuid_everywhere(store: ResourceStore, q: Q) -> None:
    results = await store.transaction(txn_entries(q))
    pid, eid = stored(results[0]).id, stored(results[1]).id
    enc = stored(results[1]).resource()
    assert enc["subject"]["reference"] == f"Patient/{pid}"
    assert enc["participant"][0]["individual"]["reference"] == f"Patient/{pid}"
    obs = stored(results[2]).resource()
    assert (
        obs["subject"]["reference"] == f"Patient/{pid}"
        and obs["encounter"]["reference"] == f"Encounter/{eid}"
    )
    # sent again: the conditional create matches, the references point at the existing Patient
    again = await store.transaction(txn_entries(q))
    assert again[0].status == 200 and stored(again[0]).id == pid
    assert stored(again[2]).resource()["subject"]["reference"] == f"Patient/{pid}"


async def test_transaction_is_atomic(store: ResourceStore, q: Q) -> None:
    entries = txn_entries(q)
    entries[2].resource["subject"] = {"reference": "urn:uuid:missing"}  # type: ignore[index]
    with pytest.raises(GatewayError) as err:
        await store.transaction(entries)
    assert err.value.status == 400 and message_id(err) == "ILP-3007"
    assert err.value.issues[0].expression == ("Bundle.entry[2].resource.subject.reference",)
    assert await store.count() == 0
    # a failing If-Match in the last entry rolls back the earlier creates too
    s = stored(await create(store, patient(nik="3171014101900005")))
    entries = txn_entries(q)
    entries.append(
        WriteEntry(
            "PUT", "Patient", id=s.id, resource=patient(id=s.id), if_match=7, expression="Bundle.entry[3]"
        )
    )
    with pytest.raises(GatewayError) as err:
        await store.transaction(entries)
    assert err.value.status == 412
    assert await store.count() == 1


async def test_transaction_order_delete_post_put(store: ResourceStore, q: Q) -> None:
    old = stored(await create(store, patient(nik="3171014101900007")))
    keep = stored(await create(store, patient(nik="3171014101900006")))
    entries = [
        WriteEntry(
            "PUT",
            "Patient",
            id=keep.id,
            resource=patient(id=keep.id, nik="3171014101900007"),
            expression="Bundle.entry[0]",
        ),
        WriteEntry(
            "POST",
            "Observation",
            resource=observation(f"Patient/{keep.id}", 1.0),
            expression="Bundle.entry[1]",
        ),
        WriteEntry("DELETE", "Patient", id=old.id, expression="Bundle.entry[2]"),
    ]
    r = await store.transaction(entries)
    assert [x.status for x in r] == [200, 201, 204]  # results in request order
    # executed DELETE, POST, PUT: the history shows the delete before the update, the update last
    page = await store.history(None, None, since=None, count=3, offset=0)
    assert [(e.resource_type, e.method) for e in page.entries] == [
        ("Patient", "PUT"),
        ("Observation", "POST"),
        ("Patient", "DELETE"),
    ]


async def test_transaction_rejects_overlapping_resolved_identities(store: ResourceStore, q: Q) -> None:
    old = stored(await create(store, patient(nik="3171014101900007")))
    entries = [
        WriteEntry(
            "POST",
            "Patient",
            resource=patient(nik="3171014101900007"),
            expression="Bundle.entry[0]",
            if_none_exist=q("Patient", identifier=f"{NIK}|3171014101900007"),
        ),
        WriteEntry("DELETE", "Patient", id=old.id, expression="Bundle.entry[1]"),
    ]
    with pytest.raises(GatewayError) as err:
        await store.transaction(entries)
    assert err.value.status == 400 and message_id(err) == "ILP-3003"
    assert not (await store.read("Patient", old.id)).deleted  # type: ignore[union-attr]


async def test_transaction_collapses_identical_conditional_creates(store: ResourceStore, q: Q) -> None:
    cond = q("Patient", identifier=f"{NIK}|3171014101900001")
    entries = [
        WriteEntry(
            "POST",
            "Patient",
            resource=patient(),
            full_url="urn:uuid:a",
            if_none_exist=cond,
            expression="Bundle.entry[0]",
        ),
        WriteEntry(
            "POST",
            "Patient",
            resource=patient(),
            full_url="urn:uuid:b",
            if_none_exist=cond,
            expression="Bundle.entry[1]",
        ),
        WriteEntry(
            "POST", "Observation", resource=observation("urn:uuid:b", 3.0), expression="Bundle.entry[2]"
        ),
    ]
    r = await store.transaction(entries)
    assert [x.status for x in r] == [201, 200, 201]
    assert stored(r[0]).id == stored(r[1]).id
    assert stored(r[2]).resource()["subject"]["reference"] == f"Patient/{stored(r[0]).id}"
    assert (await store.search(cond)).total == 1


async def test_transaction_rejects_two_writes_to_one_resource(store: ResourceStore) -> None:
    entries = [
        WriteEntry("PUT", "Patient", id="x", resource=patient(id="x"), expression="Bundle.entry[0]"),
        WriteEntry("PUT", "Patient", id="x", resource=patient(id="x"), expression="Bundle.entry[1]"),
    ]
    with pytest.raises(GatewayError) as err:
        await store.transaction(entries)
    assert err.value.status == 400 and message_id(err) == "ILP-3003"
    assert err.value.issues[0].expression == ("Bundle.entry[1]",)


async def test_unresolved_reference_is_reported_at_its_nested_path(store: ResourceStore, q: Q) -> None:
    """The path of a reference deep in a list (participant[0].individual) is worked out for the error."""
    entries = txn_entries(q)
    entries[1].resource["participant"][0]["individual"] = {"reference": "urn:uuid:missing"}  # type: ignore[index]
    with pytest.raises(GatewayError) as err:
        await store.transaction(entries)
    assert message_id(err) == "ILP-3007"
    assert err.value.issues[0].expression == ("Bundle.entry[1].resource.participant[0].individual.reference",)
    assert await store.count() == 0


async def test_transaction_conditional_references(ctx: FhirContext) -> None:
    store = ctx.store
    p = stored(await create(store, patient()))
    obs = observation(f"Patient?identifier={NIK}|3171014101900001", 4.2)
    [r] = await store.transaction(
        [WriteEntry("POST", "Observation", resource=obs, expression="Bundle.entry[0]")]
    )
    assert stored(r).resource()["subject"]["reference"] == f"Patient/{p.id}"
    bad = observation(f"Patient?identifier={NIK}|0000", 4.2)
    with pytest.raises(GatewayError) as err:
        await store.transaction(
            [WriteEntry("POST", "Observation", resource=bad, expression="Bundle.entry[0]")]
        )
    assert err.value.status == 404 and message_id(err) == "ILP-3006"
    assert err.value.issues[0].expression == ("Bundle.entry[0].resource.subject.reference",)


async def test_failed_unit_does_not_affect_concurrent_units(store: ResourceStore) -> None:
    """Units committed in one group: a failing one rolls back alone."""
    good = [create(store, patient(nik=f"31710141019000{i:02d}")) for i in range(10)]
    bad = store.transaction([WriteEntry("DELETE", "Patient", id="never-existed")])
    results = await asyncio.gather(*good, bad, return_exceptions=True)
    assert sum(isinstance(r, EntryResult) for r in results) == 10
    assert isinstance(results[-1], GatewayError)
    assert await store.count("Patient") == 10


async def test_restart_keeps_data(ctx: FhirContext) -> None:
    s = stored(await create(ctx.store, patient()))
    await ctx.store.stop()
    await ctx.store.start()
    back = await ctx.store.read("Patient", s.id)
    assert back is not None and back.body == s.body


# ----------------------------------------------------------------------------------------- history


async def test_type_and_system_history(store: ResourceStore) -> None:
    a = stored(await create(store, patient()))
    await create(store, observation(f"Patient/{a.id}", 1.0))
    await put(store, patient(id=a.id, family="B"), a.id)
    th = await store.history("Patient", None, since=None, count=10, offset=0)
    assert th.total == 2 and [e.version for e in th.entries] == [2, 1]
    sh = await store.history(None, None, since=None, count=2, offset=0)
    assert sh.total == 3 and [e.resource_type for e in sh.entries] == ["Patient", "Observation"]
    since = await store.history(None, None, since=th.entries[0].last_updated, count=10, offset=0)
    assert since.total == 1


# ------------------------------------------------------------------------------------------ search


@pytest.fixture
async def people(store: ResourceStore) -> dict[str, str]:
    """Three Patients and their Observations, for the search tests."""
    out = {}
    for key, nik, family, given, birth, gender in [
        ("siti", "3171014101900001", "Aminah", "Siti", "1990-01-01", "female"),
        ("budi", "3171011203650003", "Santoso", "Budi", "1965-03-12", "male"),
        ("rene", "3171011203650004", "Ménard", "René", "2020-06-30", "male"),
    ]:
        p = patient(nik, family, birthDate=birth, gender=gender)
        p["name"][0]["given"] = [given]
        out[key] = stored(await create(store, p)).id
    await create(store, observation(f"Patient/{out['siti']}", 55.5))
    await create(store, observation(f"Patient/{out['siti']}", 160, code="8302-2"))
    await create(store, observation(f"Patient/{out['budi']}", 72.0, effectiveDateTime="2023-01-15"))
    return out


async def test_search_token(store: ResourceStore, q: Q, people: dict[str, str]) -> None:
    assert await ids(store, q("Patient", identifier=f"{NIK}|3171014101900001")) == [people["siti"]]
    assert await ids(store, q("Patient", identifier="3171014101900001")) == [people["siti"]]
    assert await ids(store, q("Patient", identifier="|3171014101900001")) == []  # has a system
    assert len(await ids(store, q("Patient", identifier=f"{NIK}|"))) == 3
    assert set(await ids(store, q("Patient", gender="male"))) == {people["budi"], people["rene"]}
    assert await ids(store, q("Patient", [("gender:not", "male")])) == [people["siti"]]
    both = q("Patient", identifier="3171014101900001,3171011203650003")
    assert set(await ids(store, both)) == {people["siti"], people["budi"]}


async def test_search_string(store: ResourceStore, q: Q, people: dict[str, str]) -> None:
    assert await ids(store, q("Patient", family="ami")) == [people["siti"]]  # starts-with, case-insensitive
    assert await ids(store, q("Patient", family="menard")) == [people["rene"]]  # accent-insensitive
    assert await ids(store, q("Patient", [("family:exact", "Ménard")])) == [people["rene"]]
    assert await ids(store, q("Patient", [("family:exact", "menard")])) == []
    assert await ids(store, q("Patient", [("name:contains", "ntos")])) == [people["budi"]]
    assert await ids(store, q("Patient", name="siti")) == [people["siti"]]  # given name via name


async def test_search_date_prefixes(store: ResourceStore, q: Q, people: dict[str, str]) -> None:
    assert await ids(store, q("Patient", birthdate="1990")) == [people["siti"]]
    assert await ids(store, q("Patient", birthdate="1990-01")) == [people["siti"]]
    assert await ids(store, q("Patient", birthdate="eq1990-01-01")) == [people["siti"]]
    assert set(await ids(store, q("Patient", birthdate="ne1990-01-01"))) == {people["budi"], people["rene"]}
    assert await ids(store, q("Patient", birthdate="lt1966")) == [people["budi"]]
    assert set(await ids(store, q("Patient", birthdate="ge1990-01-01"))) == {people["siti"], people["rene"]}
    assert set(await ids(store, q("Patient", birthdate="gt1990-01-01"))) == {people["rene"]}
    assert await ids(store, q("Patient", birthdate="le1965-03-12")) == [people["budi"]]
    assert await ids(store, q("Patient", birthdate="sa2000")) == [people["rene"]]
    assert await ids(store, q("Patient", birthdate="eb1966")) == [people["budi"]]
    assert await ids(store, q("Patient", birthdate="ap2020-07-01")) == [people["rene"]]
    both = q("Patient", [("birthdate", "ge1960"), ("birthdate", "lt1991")])
    assert set(await ids(store, both)) == {people["siti"], people["budi"]}
    # a dateTime with a zone: 09:10 WIB is 02:10 UTC
    assert len(await ids(store, q("Observation", date="2024-03-12T02:10:00Z"))) == 2
    assert await ids(store, q("Observation", date="2024-03-12T09:10:00Z")) == []


async def test_search_reference_and_chain(store: ResourceStore, q: Q, people: dict[str, str]) -> None:
    siti = people["siti"]
    assert len(await ids(store, q("Observation", subject=f"Patient/{siti}"))) == 2
    assert len(await ids(store, q("Observation", patient=siti))) == 2  # id only: single target type
    assert len(await ids(store, q("Observation", [("subject:Patient", siti)]))) == 2
    chain = q("Observation", [("subject:Patient.identifier", f"{NIK}|3171014101900001")])
    assert len(await ids(store, chain)) == 2
    assert len(await ids(store, q("Observation", [("patient.family", "santoso")]))) == 1
    combined = q("Observation", [("subject", f"Patient/{siti}"), ("code", "http://loinc.org|8302-2")])
    assert len(await ids(store, combined)) == 1


async def test_search_quantity_and_missing(store: ResourceStore, q: Q, people: dict[str, str]) -> None:
    assert len(await ids(store, q("Observation", [("value-quantity", "gt60")]))) == 2
    assert (
        len(await ids(store, q("Observation", [("value-quantity", "55.5|http://unitsofmeasure.org|kg")])))
        == 1
    )
    assert (
        len(await ids(store, q("Observation", [("value-quantity", "55|http://unitsofmeasure.org|kg")]))) == 0
    )
    assert len(await ids(store, q("Observation", [("value-quantity", "ap55")]))) == 1
    assert len(await ids(store, q("Observation", [("value-quantity", "le72||kg")]))) == 2
    assert len(await ids(store, q("Observation", [("encounter:missing", "true")]))) == 3
    assert len(await ids(store, q("Observation", [("subject:missing", "false")]))) == 3


async def test_search_parameters_that_share_rows(store: ResourceStore, q: Q, people: dict[str, str]) -> None:
    """combo-code reads the rows of code and component-code, combo-value-quantity those of value-quantity
    and component-value-quantity, phonetic those of name (gateway.search.registry.share_rows): each finds
    what its own expression selects, with modifiers, :missing and _sort."""
    bp = observation(f"Patient/{people['budi']}", 1, code="85354-9")
    del bp["valueQuantity"]
    bp["component"] = [
        {
            "code": {"coding": [{"system": "http://loinc.org", "code": "8480-6"}]},
            "valueQuantity": {
                "value": 150,
                "unit": "mmHg",
                "system": "http://unitsofmeasure.org",
                "code": "mm[Hg]",
            },
        }
    ]
    bp_id = stored(await create(store, bp)).id
    assert await ids(store, q("Observation", [("combo-code", "http://loinc.org|8480-6")])) == [bp_id]
    assert await ids(store, q("Observation", [("combo-code", "85354-9")])) == [bp_id]
    assert len(await ids(store, q("Observation", [("combo-code", "http://loinc.org|8302-2")]))) == 1
    assert len(await ids(store, q("Observation", [("combo-code:not", "85354-9")]))) == 3
    assert await ids(store, q("Observation", [("code", "8480-6")])) == []  # a component code is not the code
    assert await ids(store, q("Observation", [("combo-value-quantity", "gt100||mm[Hg]")])) == [bp_id]
    assert len(await ids(store, q("Observation", [("combo-value-quantity", "gt60")]))) == 3
    assert await ids(store, q("Observation", [("value-quantity:missing", "true")])) == [bp_id]
    assert await ids(store, q("Observation", [("combo-value-quantity:missing", "true")])) == []
    by_value = await ids(
        store, q("Observation", [("subject", f"Patient/{people['budi']}")], _sort="-combo-value-quantity")
    )
    assert by_value == [bp_id, (set(by_value) - {bp_id}).pop()]  # 150 mmHg before 72 kg
    assert await ids(store, q("Patient", phonetic="santoso")) == [people["budi"]]
    assert await ids(store, q("Patient", [("phonetic:exact", "Ménard")])) == [people["rene"]]


async def test_search_id_last_updated_and_sort(store: ResourceStore, q: Q, people: dict[str, str]) -> None:
    assert await ids(store, q("Patient", _id=people["budi"])) == [people["budi"]]
    all_ids = await ids(store, q("Patient", _lastUpdated="gt2000-01-01"))
    assert len(all_ids) == 3
    assert await ids(store, q("Patient", _sort="birthdate")) == [
        people["budi"],
        people["siti"],
        people["rene"],
    ]
    assert await ids(store, q("Patient", _sort="-birthdate")) == [
        people["rene"],
        people["siti"],
        people["budi"],
    ]
    assert await ids(store, q("Patient", _sort="family")) == [people["siti"], people["rene"], people["budi"]]
    by_updated = await ids(store, q("Patient", _sort="-_lastUpdated"))
    assert by_updated == [people["rene"], people["budi"], people["siti"]]


async def test_search_paging_is_stable(store: ResourceStore, q: Q, people: dict[str, str]) -> None:
    pages = []
    for offset in (0, 2):
        result = await store.search(q("Patient", _count="2", _offset=str(offset), _sort="family"))
        assert result.total == 3
        pages.append([m.id for m in result.matches])
    assert pages == [[people["siti"], people["rene"]], [people["budi"]]]


async def test_search_include_revinclude(store: ResourceStore, q: Q, people: dict[str, str]) -> None:
    r = await store.search(
        q("Observation", [("subject", f"Patient/{people['siti']}"), ("_include", "Observation:subject")])
    )
    assert len(r.matches) == 2 and [i.id for i in r.included] == [people["siti"]]
    r = await store.search(q("Patient", [("_id", people["siti"]), ("_revinclude", "Observation:subject")]))
    assert [m.id for m in r.matches] == [people["siti"]]
    assert sorted(i.resource_type for i in r.included) == ["Observation", "Observation"]


async def test_search_total_and_summary_count(store: ResourceStore, q: Q, people: dict[str, str]) -> None:
    r = await store.search(q("Observation", _summary="count"))
    assert r.total == 3 and r.matches == []
    r = await store.search(q("Observation", _total="none"))
    assert r.total is None and len(r.matches) == 3


# ------------------------------------------------------------------------------ referential integrity


async def test_delete_refused_while_referenced(store: ResourceStore) -> None:
    p = stored(await create(store, patient()))
    o = stored(await create(store, observation(f"Patient/{p.id}", 3.0)))
    with pytest.raises(GatewayError) as err:
        await store.transaction([WriteEntry("DELETE", "Patient", id=p.id)])
    assert err.value.status == 409 and message_id(err) == "ILP-3009"
    assert f"Observation/{o.id}" in err.value.issues[0].diagnostics
    assert not (await store.read("Patient", p.id)).deleted  # type: ignore[union-attr]
    # deleting the referrer in the same transaction (in any order) is fine
    both = [
        WriteEntry("DELETE", "Patient", id=p.id, expression="Bundle.entry[0]"),
        WriteEntry("DELETE", "Observation", id=o.id, expression="Bundle.entry[1]"),
    ]
    assert [r.status for r in await store.transaction(both)] == [204, 204]


async def test_delete_allowed_when_referrer_repointed_in_same_transaction(store: ResourceStore) -> None:
    p = stored(await create(store, patient()))
    other = stored(await create(store, patient(nik="3171014101900002")))
    o = stored(await create(store, observation(f"Patient/{p.id}", 3.0)))
    moved = observation(f"Patient/{other.id}", 3.0, id=o.id)
    entries = [
        WriteEntry("DELETE", "Patient", id=p.id, expression="Bundle.entry[0]"),
        WriteEntry("PUT", "Observation", id=o.id, resource=moved, expression="Bundle.entry[1]"),
    ]
    assert [r.status for r in await store.transaction(entries)] == [204, 200]
