"""Routine-immunisation vaccines: KFA products, VG groups and CVX cross-codings; immunization reasons."""

from __future__ import annotations

import pytest

from terminology.service import TerminologyService
from terminology.urls import CVX, IMMUNIZATION_REASON, IMMUNIZATION_ROUTINE_TIMING, KFA, LOCAL_BASE

ROUTINE = f"{LOCAL_BASE}/ValueSet/ilp-routine-immunization-vaccines"


def targets(svc: TerminologyService, code: str, system: str) -> set[str]:
    return {m.code for m in svc.translate(KFA, code, target_system=system).matches}


@pytest.mark.parametrize(
    ("product", "groups", "cvx"),
    [
        ("93001282", {"VG17", "VG45", "VG107"}, "198"),  # Pentabio (DPT-HB-Hib)
        ("93005208", {"VG19"}, "19"),  # BCG
        ("93004972", {"VG89"}, "178"),  # bOPV
        ("93004736", {"VG89"}, "10"),  # IPV
        ("93005779", {"VG03"}, "4"),  # MR
        ("93001619", {"VG152"}, "152"),  # PCV (Pneumosil)
        ("93001652", {"VG122"}, "119"),  # rotavirus (Rotarix)
        ("93001639", {"VG129"}, "134"),  # JE
        ("93006988", {"VG107"}, "139"),  # Td
        ("93001623", {"VG137"}, "62"),  # HPV
    ],
)
def test_three_codings(svc: TerminologyService, product: str, groups: set[str], cvx: str) -> None:
    assert svc.validate_code(product, url=ROUTINE, system=KFA).result
    assert targets(svc, product, KFA) == groups
    assert targets(svc, product, CVX) == {cvx}
    assert svc.validate_code(cvx, system=CVX).result
    for group in groups:
        assert svc.validate_code(group, system=KFA).result


def test_reverse_and_non_programme(svc: TerminologyService) -> None:
    back = svc.translate(CVX, "198", reverse=True)
    assert {m.code for m in back.matches} == {"93001282", "93001283", "93001284"}
    assert svc.validate_code("93001560", system=KFA).result  # yellow fever: a KFA vaccine …
    assert not svc.validate_code("93001560", url=ROUTINE).result  # … not in the routine programme
    assert not svc.validate_code("93999999", system=KFA).result
    assert not svc.translate(KFA, "93999999").result


def test_programme_antigen_property(svc: TerminologyService) -> None:
    found = svc.lookup(KFA, "93001282").concept
    assert found is not None and found.property_values("program-antigen") == ("DPT-HB-Hib",)


def test_immunization_reason(svc: TerminologyService) -> None:
    url = f"{LOCAL_BASE}/ValueSet/satusehat-immunization-reason"
    for code in ("IM-Program", "IM-Rutin", "IM-Dasar", "IM-Lanjutan", "IM-Baduta", "IM-SD", "IM-WUS"):
        assert svc.validate_code(code, url=url, system=IMMUNIZATION_REASON).result
    assert svc.validate_code("IM-Ideal", url=url, system=IMMUNIZATION_ROUTINE_TIMING).result
    assert svc.validate_code("IM-Kejar", url=url).result  # system inferred from the value set
    assert not svc.validate_code("IM-Dasar", system=IMMUNIZATION_ROUTINE_TIMING).result
    assert svc.lookup(IMMUNIZATION_REASON, "IM-Dasar").concept.display == "Imunisasi Program Rutin Dasar"  # type: ignore[union-attr]
