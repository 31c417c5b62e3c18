"""The components one running gateway is made of, built once by :func:`build_context`.

This is the only place that chooses implementations (store backend by URL); everything else receives
a :class:`FhirContext`. Nothing here runs at import time.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl

from gateway.interactions.summary import Summarizer
from gateway.search.parse import SearchParser
from gateway.search.query import SearchQuery
from gateway.search.registry import SearchRegistry
from gateway.settings import Settings
from gateway.store.base import ResourceStore
from gateway.store.sqlite import SqliteStore, sqlite_path
from mappers.registry import MapperRegistry
from profiles.definitions import R4Definitions
from profiles.validator import Validator
from terminology.service import TerminologyService


@dataclass(slots=True)
class FhirContext:
    settings: Settings
    definitions: R4Definitions
    registry: SearchRegistry
    parser: SearchParser
    store: ResourceStore
    summarizer: Summarizer
    validator: Validator
    terminology: TerminologyService
    mappers: MapperRegistry  # record type → mapper and contract (POST /map, /ingest)

    def is_resource_type(self, name: str) -> bool:
        return name in self.registry.resource_types

    def parse_conditional(self, resource_type: str, query: str) -> SearchQuery:
        """A conditional URL's query (``identifier=…``), parsed strictly: a typo must not match all."""
        pairs = parse_qsl(query, keep_blank_values=True)
        return self.parser.parse(resource_type, pairs, strict=True)


def build_context(settings: Settings) -> FhirContext:
    definitions = R4Definitions.load()
    registry = SearchRegistry(definitions)
    parser = SearchParser(registry)
    store = SqliteStore(
        sqlite_path(settings.store_url),
        registry,
        readers=settings.sqlite_readers,
        referential_integrity=settings.referential_integrity,
    )
    terminology = TerminologyService.load()  # small JSON only; large code tables load on first use
    validator = Validator(
        definitions, bindings=terminology, services=terminology, default_profiles=settings.default_profiles
    )
    ctx = FhirContext(
        settings,
        definitions,
        registry,
        parser,
        store,
        Summarizer(definitions),
        validator,
        terminology,
        MapperRegistry.load(),
    )
    store.set_conditional_parser(ctx.parse_conditional)
    return ctx
