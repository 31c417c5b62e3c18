"""No full NIK or secret ever reaches a log line (non-negotiable 5)."""

from __future__ import annotations

import logging

import pytest

from gateway.logs import RedactingFilter, redact


def test_redacts_nik_in_urls() -> None:
    line = "GET /fhir/Patient?identifier=https://fhir.kemkes.go.id/id/nik|3171014101900001 HTTP/1.1"
    assert "3171014101900001" not in redact(line)
    assert "nik|3171************ HTTP" in redact(line)


def test_keeps_other_numbers() -> None:
    assert (
        redact("took 1234 ms, 200 OK, 12345678901234567 rows")
        == "took 1234 ms, 200 OK, 12345678901234567 rows"
    )


def test_redacts_secrets() -> None:
    assert redact("client_secret=abc123&x=1") == "client_secret=[redacted]&x=1"
    assert redact('{"access_token": "eyJhbGci"}') == '{"access_token": "[redacted]"}'


def test_filter_rewrites_records(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("gateway.test-redaction")
    logger.addFilter(RedactingFilter())
    with caplog.at_level(logging.INFO, logger="gateway.test-redaction"):
        logger.info("patient %s arrived", "3171014101900001")
    assert caplog.messages == ["patient 3171************ arrived"]
