"""Logging set-up that keeps personal data out of logs (UU PDP 27/2022).

Every record passes :class:`RedactingFilter`: 16-digit runs (NIK) keep only their first four digits, and
``Authorization``/secret-looking values are replaced. Access logs therefore never hold a full NIK even when
it travels in a search URL such as ``Patient?identifier=…/nik|3171…``.
"""

from __future__ import annotations

import logging
import re
from typing import Any

_NIK = re.compile(r"(?<!\d)(\d{4})\d{12}(?!\d)")
_SECRET = re.compile(
    r"(?i)((?:authorization|client_secret|access_token|password)[\"']?\s*[:=]\s*[\"']?)[^\s\"'&,]+"
)


def redact(text: str) -> str:
    return _SECRET.sub(r"\1[redacted]", _NIK.sub(r"\1************", text))


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def log_config(level: str) -> dict[str, Any]:
    """A ``logging.config.dictConfig`` for uvicorn and the gateway with redaction on every handler."""
    level = level.upper()
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"redact": {"()": "gateway.logs.RedactingFilter"}},
        "formatters": {
            "default": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
            "access": {"format": "%(asctime)s %(levelname)s access: %(message)s"},
        },
        "handlers": {
            "default": {
                "class": "logging.StreamHandler",
                "formatter": "default",
                "filters": ["redact"],
                "stream": "ext://sys.stderr",
            },
            "access": {
                "class": "logging.StreamHandler",
                "formatter": "access",
                "filters": ["redact"],
                "stream": "ext://sys.stdout",
            },
        },
        "loggers": {
            "uvicorn": {"handlers": ["default"], "level": level, "propagate": False},
            "uvicorn.error": {"handlers": ["default"], "level": level, "propagate": False},
            "uvicorn.access": {"handlers": ["access"], "level": level, "propagate": False},
            "gateway": {"handlers": ["default"], "level": level, "propagate": False},
        },
    }
