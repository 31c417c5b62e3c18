"""Demo data for ``make run``: a few SATUSEHAT-shaped transaction Bundles (synthetic people, not real NIKs).

Loading is idempotent: every entry is a conditional create on its business identifier.
"""

from __future__ import annotations

import logging
from importlib import resources

import orjson

from gateway.context import FhirContext
from gateway.interactions.bundle import process_bundle
from gateway.interactions.common import Prefer

log = logging.getLogger(__name__)


def demo_bundles() -> list[tuple[str, bytes]]:
    folder = resources.files("gateway.demo") / "bundles"
    return sorted((f.name, f.read_bytes()) for f in folder.iterdir() if f.name.endswith(".json"))


async def load_demo(ctx: FhirContext, base: str = "http://localhost/fhir") -> int:
    """Post every demo Bundle as a transaction; returns the number of entries processed."""
    total = 0
    for name, raw in demo_bundles():
        result = await process_bundle(ctx, orjson.loads(raw), prefer=Prefer("minimal"), base=base)
        assert isinstance(result.body, bytes)
        total += len(orjson.loads(result.body).get("entry", []))
        log.info("demo bundle %s loaded", name)
    return total
