"""Record type → mapper and contract. Adding a record type is one line in :func:`mapper_paths`.

Mappers are named by ``module:Class`` and imported when a registry is built (in the gateway's
``build_context`` or a CLI command), never at import time. Each class is constructed without arguments and
has ``record_type``; its contract is ``mappers/contracts/<record_type>.schema.json``.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable

from mappers.base import Mapper
from mappers.contract import Contract


def mapper_paths() -> tuple[str, ...]:
    """Every mapper of the gateway, one per line."""
    return (
        "mappers.posyandu_balita:PosyanduBalitaMapper",
        "mappers.posyandu_ibu_hamil:PosyanduIbuHamilMapper",
        "mappers.posyandu_remaja:PosyanduRemajaMapper",
        "mappers.posyandu_dewasa_lansia:PosyanduDewasaLansiaMapper",
        "mappers.puskesmas_kunjungan:PuskesmasKunjunganMapper",
    )


def load_mapper(path: str) -> Mapper:
    module, _, name = path.partition(":")
    mapper: Mapper = getattr(importlib.import_module(module), name)()
    return mapper


class MapperRegistry:
    """The mappers and compiled contracts of the known record types."""

    def __init__(self, mappers: Iterable[Mapper]) -> None:
        self._mappers: dict[str, Mapper] = {}
        self._contracts: dict[str, Contract] = {}
        for mapper in mappers:
            if mapper.record_type in self._mappers:
                raise ValueError(f"two mappers for {mapper.record_type}")
            self._mappers[mapper.record_type] = mapper
            self._contracts[mapper.record_type] = Contract.load(mapper.record_type)

    @classmethod
    def load(cls, paths: Iterable[str] | None = None) -> MapperRegistry:
        return cls(load_mapper(p) for p in (mapper_paths() if paths is None else paths))

    @property
    def record_types(self) -> list[str]:
        return sorted(self._mappers)

    def __contains__(self, record_type: object) -> bool:
        return record_type in self._mappers

    def mapper(self, record_type: str) -> Mapper:
        return self._mappers[record_type]

    def contract(self, record_type: str) -> Contract:
        return self._contracts[record_type]
