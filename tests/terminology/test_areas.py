"""Kemendagri region codes: counts, newest provinces, look-ups, value sets per level, retired codes."""

from __future__ import annotations

import pytest

from terminology.areas import normalize
from terminology.model import Reason
from terminology.service import TerminologyService
from terminology.urls import KODE_WILAYAH, LOCAL_BASE

VS = f"{LOCAL_BASE}/ValueSet/kode-wilayah-"


def test_counts(svc: TerminologyService) -> None:
    assert svc.areas.counts() == {"province": 38, "regency": 514, "district": 7285, "village": 83762}
    retired = svc.areas.counts(include_retired=True)
    assert sum(retired.values()) - 38 - 514 - 7285 - 83762 == 117


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("91", "Papua"),
        ("92", "Papua Barat"),
        ("93", "Papua Selatan"),
        ("94", "Papua Tengah"),
        ("95", "Papua Pegunungan"),
        ("96", "Papua Barat Daya"),
        ("9301", "Kabupaten Merauke"),
        ("9671", "Kota Sorong"),
        ("65", "Kalimantan Utara"),
        ("3171", "Kota Administrasi Jakarta Pusat"),
    ],
)
def test_newest_provinces_and_regencies(svc: TerminologyService, code: str, name: str) -> None:
    found = svc.lookup(KODE_WILAYAH, code).concept
    assert found is not None and found.display == name


def test_path_children_and_levels(svc: TerminologyService) -> None:
    path = svc.areas.path("3171011001")
    assert [(a.code, a.level) for a in path] == [
        ("31", "province"),
        ("3171", "regency"),
        ("317101", "district"),
        ("3171011001", "village"),
    ]
    assert [a.name for a in path[2:]] == ["Gambir", "Gambir"]
    assert len(svc.areas.children("3171")) == 8  # the kecamatan of Jakarta Pusat
    assert {a.code for a in svc.areas.children("96")} >= {"9601", "9671"}


def test_codes_without_dots(svc: TerminologyService) -> None:
    assert normalize("31.71.01.1001") == "3171011001"
    assert svc.areas.exists("31.71.01")  # the Python API accepts dotted input
    assert not svc.lookup(KODE_WILAYAH, "31.71.01").found  # the code system has dotless codes only
    assert not svc.areas.exists("317199")
    assert not svc.areas.exists("9471")  # pre-2022 Papua code, not in the current table


def test_level_value_sets(svc: TerminologyService) -> None:
    assert svc.validate_code("31", url=VS + "provinsi").result
    assert not svc.validate_code("31", url=VS + "kecamatan").result
    assert svc.validate_code("317101", url=VS + "kecamatan", system=KODE_WILAYAH).result
    assert svc.validate_code("3171011001", url=VS + "desa-kelurahan").result
    assert svc.expand(VS + "provinsi").total == 38
    assert svc.expand(VS + "kabupaten-kota", count=0).total == 514
    papua = svc.expand(VS + "provinsi", filter="papua")
    assert [e.code for e in papua.contains] == ["91", "92", "93", "94", "95", "96"]


def test_retired_codes_stay_resolvable(svc: TerminologyService) -> None:
    found = svc.validate_code("9671021006", system=KODE_WILAYAH)
    assert found.result and found.reason is Reason.INACTIVE and found.display == "Klamana"
    assert not svc.validate_code("9671021006", url=VS + "desa-kelurahan").result
    assert not svc.area_exists("9671021006")
    assert svc.area_exists("9671")


def test_village_expansion_paging(svc: TerminologyService) -> None:
    page = svc.expand(VS + "desa-kelurahan", filter="kebon", count=5, offset=5)
    assert page.total > 100 and len(page.contains) == 5 and page.offset == 5
    assert all("kebon" in (e.display or "").lower() for e in page.contains)
