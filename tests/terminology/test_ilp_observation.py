"""The gateway's own ilp-observation CodeSystem: every code the mappers emit is in it, with a display."""

from __future__ import annotations

import pytest

from mappers.common.codes import ILP_OBSERVATION
from terminology.service import TerminologyService

MAPPER_CODES = [
    *("z-bb-u", "z-pb-u", "z-tb-u", "z-imt-u", "z-lila-u", "vitamin-a", "vitamin-a-biru", "vitamin-a-merah"),
    *("asi-eksklusif", "perkembangan", "srq20-score", "sdq-score", "puma-score", "adl-score"),
    *("tb-symptom-screen", "tb-cough-2-weeks", "tb-fever", "tb-weight-loss", "tb-night-sweats"),
    *("iron-tablets", "danger-sign", "anc-visit-number"),
]


@pytest.mark.parametrize("code", MAPPER_CODES)
def test_lookup_answers_every_mapper_code(svc: TerminologyService, code: str) -> None:
    found = svc.lookup(ILP_OBSERVATION, code)
    assert found.concept is not None and found.concept.display


def test_code_system_is_complete_and_provisional(svc: TerminologyService) -> None:
    resource = svc.catalog.by_canonical("CodeSystem", ILP_OBSERVATION)
    assert resource is not None
    assert resource["content"] == "complete" and resource["status"] == "draft"
    assert sorted(c["code"] for c in resource["concept"]) == sorted(MAPPER_CODES)
    assert resource["count"] == len(MAPPER_CODES)
    assert svc.lookup(ILP_OBSERVATION, "no-such-code").concept is None
