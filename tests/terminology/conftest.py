"""One terminology service for the unit tests of this folder (its large tables load once, on first use)."""

from __future__ import annotations

import pytest

from terminology.service import TerminologyService


@pytest.fixture(scope="session")
def svc() -> TerminologyService:
    return TerminologyService.load()
