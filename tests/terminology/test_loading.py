"""Loading: cheap, lazy, and every resource names its source, version and licence."""

from __future__ import annotations

import gzip
from importlib import resources
from pathlib import Path

import orjson
import pytest

from terminology.catalog import Catalog
from terminology.service import TerminologyService
from terminology.tables import TableSource
from terminology.urls import ICD_9_CM, ICD_10, KODE_WILAYAH

HL7 = ("http://hl7.org/", "http://terminology.hl7.org/")


def test_load_reads_no_large_table() -> None:
    fresh = TerminologyService.load()
    tables = [s for s in fresh.chain if isinstance(s, TableSource)]
    assert len(tables) == 2
    assert not any(t.table.loaded for t in tables)
    assert fresh._areas._areas is None  # the region table too
    assert fresh.lookup(ICD_10, "I10").found
    assert tables[0].table.loaded and not tables[1].table.loaded


def test_catalog_counts_and_unique_ids() -> None:
    catalog = Catalog.load()
    kinds = [t for t, _ in catalog.by_id]
    assert kinds.count("CodeSystem") >= 70
    assert kinds.count("ValueSet") >= 70
    assert kinds.count("ConceptMap") == 16
    assert len(catalog.by_id) == len(catalog.by_url)


def test_every_non_hl7_resource_states_source_version_and_licence() -> None:
    for (rtype, rid), resource in Catalog.load().by_id.items():
        if resource["url"].startswith(HL7):
            continue
        assert resource.get("version"), (rtype, rid)
        assert resource.get("publisher"), (rtype, rid)
        assert resource.get("copyright") or rtype == "ValueSet", (rtype, rid)
        assert resource.get("description"), (rtype, rid)


def test_table_stubs_match_the_tables() -> None:
    catalog = Catalog.load()
    root = resources.files("terminology") / "data" / "tables"
    for url, name in (
        (ICD_10, "icd-10.tsv.gz"),
        (ICD_9_CM, "icd-9-cm.tsv.gz"),
        (KODE_WILAYAH, "kode-wilayah.csv.gz"),
    ):
        stub = catalog.by_canonical("CodeSystem", url)
        assert stub is not None and stub["content"] == "not-present"
        rows = gzip.decompress((root / name).read_bytes()).decode().splitlines()
        assert stub["count"] == len(rows), url


def test_versioned_canonical() -> None:
    catalog = Catalog.load()
    assert catalog.by_canonical("ValueSet", "http://hl7.org/fhir/ValueSet/administrative-gender|4.0.1")
    assert (
        catalog.by_canonical("ValueSet", "http://hl7.org/fhir/ValueSet/administrative-gender|3.0.2") is None
    )


def test_value_sets_the_profiles_bind_are_known(svc: TerminologyService) -> None:
    """Every value set a profile under ``profiles/data/ilp`` binds is one the service can answer for."""
    folder = resources.files("profiles") / "data" / "ilp"
    bound = set()
    for item in folder.iterdir():
        if item.name.endswith(".json"):
            sd = orjson.loads(item.read_bytes())
            for element in sd.get("differential", {}).get("element", []):
                if "binding" in element and "valueSet" in element["binding"]:
                    bound.add(element["binding"]["valueSet"].split("|")[0])
    assert bound
    assert {url for url in bound if not svc.knows_valueset(url)} == set()


def test_terminology_is_a_leaf() -> None:
    """Dependencies point one way (gateway → mappers → profiles → terminology): terminology imports none."""
    root = resources.files("terminology")
    offenders = []
    for path in sorted(Path(str(root)).rglob("*.py")):
        for line in path.read_text().splitlines():
            words = line.split()
            imported = words[1].split(".")[0] if len(words) >= 2 and words[0] in ("import", "from") else ""
            if imported in ("gateway", "profiles", "mappers"):
                offenders.append(f"{path.name}: {line.strip()}")
    assert offenders == []


def test_lookups_are_remembered_and_the_memo_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    import terminology.service as service

    monkeypatch.setattr(service, "LOOKUP_MEMO", 3)
    fresh = TerminologyService.load()
    first = fresh.lookup(ICD_10, "I10")
    assert fresh.lookup(ICD_10, "I10") is first  # remembered
    for code in ("A00", "nope", "Z99.9"):
        fresh.lookup(ICD_10, code)
    assert len(fresh._lookups) <= 3
    assert fresh.lookup(ICD_10, "I10") == first and fresh.lookup(ICD_10, "nope").found is False
